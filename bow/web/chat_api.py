"""Chat API over the app's one ``ChatEngine``: personas, sessions, streamed messages, memory.

Replies stream as Server-Sent Events relaying the engine's own events (``start``, ``think``,
``token``, ``end``, ``error``) and a final ``done``, so the page mirrors the terminal REPL.
A model failure is an ``error`` event, never a broken stream: the session goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bow.errors import BowError
from bow.web.errors import ApiError
from bow.web.sse import HEADERS, sse

router = APIRouter(prefix="/api")
SessionName = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="Letters, digits, '.', '_' or '-'.")
]


class Participants(BaseModel):
    """Body of ``POST /api/sessions/{name}/participants``."""

    model_config = ConfigDict(extra="forbid")
    persona_ids: list[str] = Field(min_length=1, max_length=8)


class Message(BaseModel):
    """Body of ``POST /api/sessions/{name}/messages``."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000)
    show_think: bool = False


def label(persona: Any) -> str:
    """The label chat shows for a version (``Persona.label``)."""
    return str(persona.label)


def _who(request: Request, persona_id: str) -> dict[str, Any]:
    persona = request.app.state.library.personas.get(persona_id)
    if persona is None:  # its file went away since the session began
        return {"id": persona_id, "hero": persona_id.split("/")[0], "name": persona_id}
    return {"id": persona_id, "hero": persona.hero, "name": label(persona)}


def group_personas(library: Any) -> list[dict[str, Any]]:
    """Universe → hero → versions, each level sorted by name, for the picker."""
    universes: dict[str, dict[str, dict[str, Any]]] = {}
    for persona in library:
        heroes = universes.setdefault(persona.universe, {})
        hero = heroes.setdefault(
            persona.hero, {"hero": persona.hero, "name": persona.alias or persona.name, "versions": []}
        )
        hero["versions"].append(
            {
                "id": persona.id,
                "display_name": persona.display_name,
                "version_label": persona.version_label,
                "continuity": persona.continuity,
                "label": label(persona),
            }
        )
    return [
        {
            "universe": universe,
            "heroes": [
                {**hero, "versions": sorted(hero["versions"], key=lambda v: v["id"])}
                for hero in sorted(heroes.values(), key=lambda h: h["name"].lower())
            ],
        }
        for universe, heroes in sorted(universes.items())
    ]


@router.get("/info")
async def info(request: Request) -> dict[str, Any]:
    """Model, user, saved sessions and any notice from opening the history."""
    from bow import __version__

    engine = request.app.state.engine
    return {
        "model": engine.model,
        "user": engine.user,
        "version": __version__,
        "sessions": await engine.sessions(),
        "notices": list(engine.notices),
    }


@router.get("/personas")
async def personas(request: Request) -> dict[str, Any]:
    """Every version the app knows, grouped by universe and hero."""
    library = request.app.state.library
    return {"count": len(library), "universes": group_personas(library)}


@router.get("/sessions/{name}")
async def session(request: Request, name: SessionName, thoughts: bool = False) -> dict[str, Any]:
    """Participants and public history; private thoughts only when asked (the page's toggle)."""
    engine = request.app.state.engine
    state = await engine.state(name)
    out = {
        "session": name,
        "participants": [_who(request, p) for p in state.get("participants") or []],
        "history": list(state.get("messages") or []),
    }
    if thoughts:
        out["thoughts"] = list(state.get("thoughts") or [])
    return out


@router.post("/sessions/{name}/participants")
async def set_participants(request: Request, name: SessionName, body: Participants) -> dict[str, Any]:
    """Who answers from now on (one version, or several for a scene); unknown ids are a 404 with suggestions."""
    library = request.app.state.library
    for persona_id in body.persona_ids:
        library.get(persona_id)  # UnknownPersonaError → 404 {error, hint: "Did you mean ...?"}
    ids = list(dict.fromkeys(body.persona_ids))
    await request.app.state.engine.set_participants(name, ids)
    return {"session": name, "participants": [_who(request, p) for p in ids]}


@router.get("/sessions/{name}/memory")
async def memory(request: Request, name: SessionName) -> dict[str, Any]:
    """What each speaker recalled for its last reply: canon passages and what the user told it."""
    recalled = await request.app.state.engine.recalled(name)
    return {"session": name, "speakers": [{**_who(request, s), "recalled": items} for s, items in recalled.items()]}


def _lock(request: Request, name: str) -> asyncio.Lock:
    locks: dict[str, asyncio.Lock] = request.app.state.locks
    return locks.setdefault(name, asyncio.Lock())


@router.post("/sessions/{name}/messages")
async def send(request: Request, name: SessionName, body: Message) -> StreamingResponse:
    """Stream every participant's answer as SSE; two sends to one session run one after the other."""
    engine = request.app.state.engine
    if not body.text.strip():
        raise ApiError(422, "The message is empty.", "Type something to say.")
    if not await engine.participants(name):
        raise ApiError(409, f"Session '{name}' has nobody to talk to yet.", "Pick a persona first.")
    lock = _lock(request, name)

    async def events() -> AsyncIterator[str]:
        async with lock:
            try:
                # aclosing: a client that goes away mid-reply still gets its partial reply saved at once.
                async with contextlib.aclosing(engine.send(name, body.text, show_think=body.show_think)) as stream:
                    async for event in stream:
                        yield sse(event["type"], event)
            except BowError as exc:  # e.g. every participant removed meanwhile: say so, end the stream cleanly
                yield sse("error", {"type": "error", "speaker": None, "text": exc.message, "hint": exc.hint})
            yield sse("done", {"type": "done", "session": name})

    return StreamingResponse(events(), media_type="text/event-stream", headers=HEADERS)
