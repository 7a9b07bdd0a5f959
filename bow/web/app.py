"""The FastAPI app: one ``ChatEngine`` for its whole life, the chat and runs APIs, the page.

Static assets ship in the package (``bow/web/static``) and the page loads nothing from
any other origin; its Content-Security-Policy says so to the browser as well.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bow.web.errors import error_response, install_error_handlers

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


class HostGuard:
    """Answer only requests addressed to an allowed host name.

    A server on 127.0.0.1 is still reachable from a web page through DNS rebinding
    (evil.example resolving to 127.0.0.1); checking the Host header stops that.
    """

    def __init__(self, app: Any, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = set(hosts)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Refuse an HTTP request whose Host is not allowed; pass everything else on."""
        if scope["type"] == "http":
            raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            host = urlsplit(f"//{raw}").hostname or ""
            if host not in self.hosts:
                response = error_response(
                    400, f"Host '{raw}' is not served here.", "Open the address bow serve printed."
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def static_dir() -> str:
    """The page's own JS, CSS and HTML, shipped as package data."""
    return str(resources.files("bow.web").joinpath("static"))


def create_app(settings: Any, *, allowed_hosts: Iterable[str] | None = None, **engine_options: Any) -> FastAPI:
    """A new app; ``engine_options`` go to ``ChatEngine`` (``user``, ``canon_memory``, ``embedder``, ...).

    ``allowed_hosts``: Host names answered (``None``: any, e.g. when bound to all interfaces).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from agents.chat.engine import ChatEngine

        app.state.settings = settings
        app.state.library = settings.library()
        app.state.locks = {}
        async with ChatEngine(settings, **engine_options) as engine:
            app.state.engine = engine
            yield

    from bow.web import chat_api, runs_api

    app = FastAPI(title="Beyond One World", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    app.include_router(chat_api.router)
    app.include_router(runs_api.router)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(
            f"{static_dir()}/index.html",
            headers={
                "Content-Security-Policy": PAGE_CSP,
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache",
            },
        )

    if allowed_hosts is not None:
        app.add_middleware(HostGuard, hosts=allowed_hosts)
    return app
