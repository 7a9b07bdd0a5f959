"""Every error leaves the app as JSON ``{error, hint}``, so the page can show one clear line."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bow.errors import BowError


class ApiError(Exception):
    """A request the app refuses, with the status to answer and how to fix it."""

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def error_response(status: int, message: str, hint: str | None = None) -> JSONResponse:
    """The JSON body every error shares."""
    return JSONResponse({"error": message, "hint": hint}, status_code=status)


def _status_of(exc: BowError) -> int:
    from bow.report.data import ReportError
    from personas.loader import UnknownPersonaError

    return 404 if isinstance(exc, UnknownPersonaError | ReportError) else 400


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Bad request: " + "; ".join(problems) + "."


def install_error_handlers(app: FastAPI) -> None:
    """Turn our errors, FastAPI's validation errors and HTTP errors into ``{error, hint}``."""

    async def api_error(_: Request, exc: Any) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.hint)

    async def bow_error(_: Request, exc: Any) -> JSONResponse:
        return error_response(_status_of(exc), exc.message, exc.hint)

    async def validation_error(_: Request, exc: Any) -> JSONResponse:
        return error_response(422, _validation_message(exc), "See the API list in 'bow serve --help'.")

    async def http_error(_: Request, exc: Any) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "No such page or API route."
        return error_response(exc.status_code, message)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(BowError, bow_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
