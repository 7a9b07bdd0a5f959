"""``bow serve``: a local web app over the chat engine, plus read-only run reports."""

from bow.web.app import create_app

__all__ = ["create_app"]
