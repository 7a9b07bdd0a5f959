"""User-facing errors: one clear line saying what is wrong and how to fix it."""

from __future__ import annotations


class BowError(Exception):
    """An error caused by input or environment that the user can fix.

    The CLI prints ``message`` (and ``hint`` when given) on one line and exits
    non-zero, without a traceback unless ``--debug`` is set.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class ModelSpecError(BowError):
    """The model spec string is unknown or malformed."""


class ModelSetupError(BowError):
    """A backend cannot be constructed: missing package, key or file."""


class ModelCallError(BowError):
    """A model call failed, after any retries the gateway made."""

    exit_code = 1
