"""``bow serve``: the chat and the run reports in a local web page."""

from __future__ import annotations

import ipaddress
import socket

import click

from bow.config import Settings
from bow.errors import BowError


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the app on this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to a public interface


def check_port_free(host: str, port: int) -> None:
    """Fail with one clear line before starting, rather than a server log after."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise BowError(
                f"Cannot listen on {host}:{port} ({exc.strerror or exc}).", "Pass another --port, or stop what uses it."
            ) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback keeps it private).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--user", default=None, help="Who is talking (long-term memories are kept per user; default: login).")
@click.option("--no-memory", is_flag=True, help="No canon-memory retrieval (profile only).")
@click.option("--max-tokens", type=int, default=None, help="Longest reply, in tokens.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, user: str | None, no_memory: bool, max_tokens: int | None) -> None:
    r"""Chat with any hero version in the browser, and read run reports.

    A persona picker grouped by universe and hero, streamed replies, a "show thoughts"
    toggle, the memory used for each reply, one-click version switch, multiversal scenes,
    and the read-only reports of the runs under HOME/runs. Sessions are the same as
    'bow chat --session NAME'. Everything is served from this machine; nothing is fetched
    from elsewhere. The model is the global -m/--model.

    \b
    Examples:
      bow serve                                   # http://127.0.0.1:8000/
      bow -m openai:gpt-4o-mini serve --port 8080
      bow serve --host 0.0.0.0                    # reachable from the network: no authentication!
    """
    import uvicorn

    from bow.cli.chat_cmd import default_user
    from bow.web.app import LOOPBACK_NAMES, create_app

    local = is_loopback(host)
    if not local:
        click.secho(
            f"Warning: binding to {host}, not loopback: anyone who can reach this machine can chat through "
            "your model and read your runs (there is no login). Use --host 127.0.0.1 to keep it private.",
            fg="yellow",
            err=True,
        )
    check_port_free(host, port)
    app = create_app(
        settings,
        allowed_hosts=LOOPBACK_NAMES if local else None,
        user=user or default_user(),
        canon_memory=not no_memory,
        max_tokens=max_tokens,
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"BOW web app on http://{shown}:{port}/ (model {settings.model}). Ctrl-C stops it.")
    uvicorn.run(app, host=host.strip("[]"), port=port, log_level="warning")
