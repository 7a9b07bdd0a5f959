"""The ``bow`` command line: one module per command group."""

from bow.cli.main import main

__all__ = ["main"]
