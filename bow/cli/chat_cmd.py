"""``bow chat``: talk with one hero version (or several at once) in the terminal."""

from __future__ import annotations

import getpass
import re
from datetime import datetime

import click

from bow.config import Settings
from bow.errors import BowError


def default_user() -> str:
    """Whose long-term memories these are: the login name, else "you"."""
    try:
        return getpass.getuser() or "you"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "you"


@click.command()
@click.argument("persona_ids", nargs=-1)
@click.option("--session", "session", default=None, help="Session name: the same name resumes the conversation.")
@click.option("--user", default=None, help="Who is talking (long-term memories are kept per user; default: login).")
@click.option("--think", "show_think", is_flag=True, help="Start with private thoughts shown (/think on).")
@click.option("--no-memory", is_flag=True, help="No canon-memory retrieval (profile only).")
@click.option("--max-tokens", type=int, default=None, help="Longest reply, in tokens.")
@click.pass_obj
def chat(
    settings: Settings,
    persona_ids: tuple[str, ...],
    session: str | None,
    user: str | None,
    show_think: bool,
    no_memory: bool,
    max_tokens: int | None,
) -> None:
    r"""Talk with a hero version, in character and grounded in its own canon.

    Replies stream as they are written. Give several ids for a multiversal scene
    where each version answers in turn. Type /help inside the chat for commands.

    \b
    Examples:
      bow chat iron-man/mcu-endgame
      bow chat iron-man/mcu-endgame --session workshop      # later: bow chat --session workshop
      bow chat iron-man/mcu-endgame iron-man/earth-616      # two Tony Starks, one conversation
    """
    import asyncio

    from agents.chat.engine import ChatEngine
    from bow.cli.chat_repl import ChatRepl

    name = session or _new_session_name(persona_ids)
    with asyncio.Runner() as runner:
        engine = ChatEngine(settings, user=user or default_user(), canon_memory=not no_memory, max_tokens=max_tokens)
        runner.run(engine.__aenter__())
        try:
            for notice in engine.notices:
                click.echo(notice, err=True)
            current = runner.run(engine.participants(name))
            if persona_ids:
                if not no_memory:
                    click.echo("Loading canon memory (the first time in a BOW home, this takes a minute)...", err=True)
                current = runner.run(engine.set_participants(name, list(persona_ids)))
            elif not current:
                raise BowError(
                    f"Session '{name}' has nobody to talk to yet.",
                    "Name a version: bow chat iron-man/mcu-endgame (see 'bow persona list').",
                )
            who = "; ".join(engine.name(p) for p in current)
            resumed = len(runner.run(engine.history(name)))
            click.echo(f"Session '{name}' with {who}" + (f" ({resumed} earlier messages)." if resumed else "."))
            ChatRepl(engine, name, show_think=show_think).loop(runner)
        finally:
            runner.run(engine.__aexit__(None, None, None))


def _new_session_name(persona_ids: tuple[str, ...]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", persona_ids[0].lower()).strip("-") if persona_ids else "chat"
    return f"{stem}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
