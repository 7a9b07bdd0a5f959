"""Chat sessions over one model, shared by the terminal REPL and the web app.

Conversations live in a LangGraph checkpointer (``HOME/chat/sessions.sqlite``, one thread
per session name), so a session picks up where it stopped. What the user tells a version
lives in a separate store (``HOME/chat/user-memory.sqlite``); canon memory is only read.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.chat.graph import ChatDeps, build_chat_graph
from agents.chat.user_memory import UserMemory
from bow.errors import BowError

RECURSION_LIMIT = 200  # five nodes per participant: plenty for a scene of many versions


class ChatEngine:
    """Open with ``async with ChatEngine(settings, ...)``; every method takes a session name."""

    def __init__(
        self,
        settings: Any,
        *,
        model: str | None = None,
        user: str = "you",
        canon_memory: bool = True,
        remember_user: bool = True,
        embedder: Any = None,
        max_tokens: int | None = None,
    ) -> None:
        self.settings = settings
        self.model = model or settings.model
        self.user = user
        self.canon_memory = canon_memory
        self.remember_user = remember_user
        self.embedder = embedder
        self.max_tokens = max_tokens
        self.notices: list[str] = []  # things the user should know (e.g. a history file set aside)
        self._connection: Any = None
        self._memory: Any = None
        self._user_memory: UserMemory | None = None

    @functools.cached_property
    def library(self) -> Any:
        """The persona library (loaded once per engine)."""
        return self.settings.library()

    def label(self, persona_id: str) -> str:
        """Display label of a version, without loading its agent or memory."""
        return str(self.library.get(persona_id).label)

    async def __aenter__(self) -> ChatEngine:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        from bow.models.gateway import open_gateway

        directory = self.settings.home / "chat"
        directory.mkdir(parents=True, exist_ok=True)
        self.gateway = open_gateway(self.settings, self.model)
        self._connection, self.saver = await self._open_history(directory / "sessions.sqlite", AsyncSqliteSaver)
        if self.remember_user:
            self._user_memory = UserMemory(directory / "user-memory.sqlite", self._embedder())
        self.deps = ChatDeps(
            agent_for=self._agent,
            gateway=self.gateway,
            user=self.user,
            user_memory=self._user_memory,
            max_tokens=self.max_tokens,
        )
        self.graph: Any = build_chat_graph().compile(checkpointer=self.saver)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()
        if self._user_memory is not None:
            self._user_memory.close()

    async def _open_history(self, path: Path, saver_class: Any) -> tuple[Any, Any]:
        """Open the session database; an unreadable one is set aside (never deleted) and a new one started."""
        import aiosqlite

        for attempt in range(2):
            connection = await aiosqlite.connect(str(path))
            saver = saver_class(connection)
            try:
                await saver.setup()
                await (await connection.execute("SELECT count(*) FROM checkpoints")).fetchone()
                return connection, saver
            except sqlite3.DatabaseError as exc:
                await connection.close()
                if attempt:
                    raise BowError(f"Chat history {path} cannot be opened: {exc}.", "Check the BOW home.") from None
                aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
                path.rename(aside)
                self.notices.append(
                    f"The chat history {path} was unreadable ({exc}); it was moved to {aside} and a new "
                    "history started. Your earlier sessions are in that file, untouched."
                )
        raise AssertionError("unreachable")

    def _embedder(self) -> Any:
        if self.embedder is None:
            from bow.embeddings import MiniLMEmbedder

            self.embedder = MiniLMEmbedder(self.settings.home / "models")
        return self.embedder

    def _agent(self, persona_id: str) -> Any:
        from agents.persona_agent import PersonaAgent

        persona = self.library.get(persona_id)
        memory = None
        if self.canon_memory:
            if self._memory is None:
                from agents.memory import open_memory

                self._memory = open_memory(self.settings)
                if self.embedder is not None:
                    self._memory._embedder = self.embedder
            self._memory.build([persona])  # a no-op when the index is current
            memory = self._memory
        return PersonaAgent(persona, memory)

    def _config(self, session: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session}, "recursion_limit": RECURSION_LIMIT}

    async def state(self, session: str) -> dict[str, Any]:
        """The session's saved state (empty for a new session)."""
        snapshot = await self.graph.aget_state(self._config(session))
        return dict(snapshot.values or {})

    async def participants(self, session: str) -> list[str]:
        """Who answers in this session."""
        return list((await self.state(session)).get("participants") or [])

    async def set_participants(self, session: str, persona_ids: list[str]) -> list[str]:
        """Validate the ids (unknown ones raise with the nearest suggestions) and make them the speakers."""
        for persona_id in persona_ids:
            self.library.get(persona_id)
        # Load each version (and index its canon memory if needed) off the event loop.
        for persona_id in persona_ids:
            await asyncio.to_thread(self.deps.agent, persona_id)
        await self.graph.aupdate_state(self._config(session), {"participants": persona_ids}, as_node="remember")
        return persona_ids

    def name(self, persona_id: str) -> str:
        """Display label of a version."""
        return self.label(persona_id)

    async def send(
        self, session: str, text: str, *, role: str = "user", show_think: bool = False
    ) -> AsyncIterator[dict[str, Any]]:
        """Add a message and stream every participant's answer as events.

        Events: ``start``/``think``/``token``/``end`` (per speaker), ``error`` (the model failed:
        the message is kept, the session goes on). Iterate inside ``contextlib.aclosing`` so
        that stopping early (Ctrl-C) saves the partial reply at once.
        """
        speakers = await self.participants(session)
        if not speakers:
            raise BowError("Nobody to talk to in this session.", "Pick a persona, e.g. /switch iron-man/mcu-endgame.")
        message = {"role": role, "speaker": None, "name": self.user if role == "user" else "world", "text": text}
        turn = {"messages": [message], "queue": speakers, "show_think": show_think, "participants": speakers}
        spoken: dict[str, str] = {}
        current: dict[str, Any] = {}
        try:
            async for mode, chunk in self.graph.astream(
                turn, self._config(session), stream_mode=["custom", "updates"], context=self.deps
            ):
                if mode != "custom":
                    continue
                if chunk["type"] == "start":
                    current = {"speaker": chunk["speaker"], "name": chunk["name"], "text": ""}
                elif chunk["type"] == "token":
                    current["text"] = current.get("text", "") + chunk["text"]
                elif chunk["type"] == "end":
                    spoken[chunk["speaker"]] = chunk["text"]
                    current = {}
                yield chunk
        except BowError as exc:
            yield {"type": "error", "speaker": current.get("speaker"), "text": exc.message, "hint": exc.hint}
            await self._keep_partial(session, current, "[the reply failed here]")
        except (asyncio.CancelledError, KeyboardInterrupt, GeneratorExit):
            # Ctrl-C, or the caller stopped listening: keep what was already shown.
            await asyncio.shield(self._keep_partial(session, current, "[interrupted]"))
            raise

    async def _keep_partial(self, session: str, current: dict[str, Any], marker: str) -> None:
        """Save what a speaker had said before a failure or Ctrl-C, so nothing shown is lost."""
        if not current.get("speaker"):
            return
        text = f"{current.get('text', '').strip()} {marker}".strip()
        partial = {"role": "persona", "speaker": current["speaker"], "name": current["name"], "text": text}
        await self.graph.aupdate_state(self._config(session), {"messages": [partial], "queue": []}, as_node="remember")

    async def history(self, session: str) -> list[dict[str, Any]]:
        """The public conversation so far."""
        return list((await self.state(session)).get("messages") or [])

    async def thoughts(self, session: str) -> list[dict[str, Any]]:
        """Private deliberations so far (shown to the user with /think on; never to other versions)."""
        return list((await self.state(session)).get("thoughts") or [])

    async def recalled(self, session: str) -> dict[str, list[dict[str, Any]]]:
        """Speaker → what it recalled for its last reply."""
        return dict((await self.state(session)).get("last_recalled") or {})

    async def sessions(self) -> list[str]:
        """Names of saved sessions."""
        cursor = await self._connection.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id")
        return [row[0] for row in await cursor.fetchall()]
