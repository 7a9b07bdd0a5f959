"""A deterministic chat model that answers from a script, for tests and demos.

The script is a YAML or JSON list (or a mapping with a ``replies`` list), or a
JSONL file with one entry a line. An entry is a string, or a mapping:

- ``reply``: the text to answer (may contain ``<think>`` tags; ``{call}`` becomes the
  model's call count, so replies can differ from call to call);
- ``reasoning``: text returned on the reasoning channel;
- ``when``: answer only when the latest user message contains this text
  (keyed entries are tried first and never consumed);
- ``error``: raise instead of answering: ``rate_limit``, ``server``,
  ``timeout`` (retryable) or ``bad_request`` (not retryable); with a ``reply`` too,
  a streamed answer sends the reply's words first and then fails (a failure mid-reply);
- ``delay_s``: seconds to wait before answering.

Unkeyed entries are used in order and the order starts again when exhausted.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from bow.errors import ModelSetupError

SEEN_KEPT = 200  # recent prompts kept for inspection (a long benchmark must not grow without bound)


class ScriptedAPIError(Exception):
    """An injected failure that looks like a provider's HTTP error."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


INJECTED_ERRORS = {
    "rate_limit": ("rate limited (injected)", 429),
    "server": ("server error (injected)", 500),
    "bad_request": ("bad request (injected)", 400),
}


class ScriptEntry(BaseModel):
    """One scripted answer (or injected failure)."""

    model_config = ConfigDict(extra="forbid")

    reply: str = ""
    reasoning: str | None = None
    when: str | None = None
    error: str | None = None
    delay_s: float = 0.0


def load_script(path: str | Path) -> list[ScriptEntry]:
    """Read a script file; raise ``ModelSetupError`` naming the problem."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ModelSetupError(f"Scripted model file '{file}' not found.", "Give an existing YAML/JSON/JSONL file.")
    text = file.read_text(encoding="utf-8")
    try:
        if file.suffix == ".jsonl":
            raw: Any = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            raw = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ModelSetupError(f"Scripted model file '{file}' cannot be parsed: {exc}".splitlines()[0]) from None
    if isinstance(raw, dict):
        raw = raw.get("replies")
    if not isinstance(raw, list) or not raw:
        raise ModelSetupError(f"Scripted model file '{file}' holds no replies.", "Write a list of replies.")
    try:
        return [ScriptEntry(reply=e) if isinstance(e, str) else ScriptEntry.model_validate(e) for e in raw]
    except ValueError as exc:
        raise ModelSetupError(f"Scripted model file '{file}' has a bad entry: {exc}".splitlines()[0]) from None


def _last_user_text(messages: list[BaseMessage]) -> str:
    for message in reversed(messages):
        if message.type == "human":
            return message.text if hasattr(message, "text") else str(message.content)
    return ""


def _count_tokens(text: str) -> int:
    """Words, roughly: spaces and newlines plus one (no list of every word of a long prompt)."""
    return text.count(" ") + text.count("\n") + 1 if text else 0


class ScriptedChatModel(BaseChatModel):
    """Answers from a list of ``ScriptEntry``; thread-safe, deterministic."""

    entries: list[ScriptEntry]
    seen: list[list[dict[str, Any]]] = Field(default_factory=list, exclude=True)
    """Recent prompts received (type and content of each message), so tests can check what a model was shown."""
    _cursor: int = PrivateAttr(default=0)
    _calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_replies(cls, replies: list[str | dict[str, Any]]) -> ScriptedChatModel:
        """Build from plain strings or entry mappings (handy in tests)."""
        entries = [ScriptEntry(reply=r) if isinstance(r, str) else ScriptEntry.model_validate(r) for r in replies]
        return cls(entries=entries)

    def _see(self, messages: list[BaseMessage]) -> None:
        with self._lock:
            self.seen.append([{"type": m.type, "content": m.content} for m in messages])
            del self.seen[:-SEEN_KEPT]

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _pick(self, messages: list[BaseMessage]) -> ScriptEntry:
        prompt = _last_user_text(messages)
        for entry in self.entries:
            if entry.when is not None and entry.when in prompt:
                return entry
        ordered = [e for e in self.entries if e.when is None]
        if not ordered:
            raise ModelSetupError("Scripted model: no reply matches this prompt and no unkeyed reply exists.")
        with self._lock:
            entry = ordered[self._cursor % len(ordered)]
            self._cursor += 1
        return entry

    def _answer(self, entry: ScriptEntry, messages: list[BaseMessage]) -> ChatResult:
        if entry.error == "timeout":
            raise TimeoutError("model timed out (injected)")
        if entry.error:
            description, status = INJECTED_ERRORS.get(entry.error, (f"{entry.error} (injected)", 500))
            raise ScriptedAPIError(description, status)
        with self._lock:
            self._calls += 1
            call = self._calls
        text = entry.reply.replace("{call}", str(call))
        prompt_tokens = sum(_count_tokens(str(m.content)) for m in messages)
        output_tokens = _count_tokens(text) + _count_tokens(entry.reasoning or "")
        extra = {"reasoning_content": entry.reasoning} if entry.reasoning else {}
        message = AIMessage(
            content=text,
            additional_kwargs=extra,
            usage_metadata={
                "input_tokens": prompt_tokens,
                "output_tokens": output_tokens,
                "total_tokens": prompt_tokens + output_tokens,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        entry = self._pick(messages)
        self._see(messages)
        if entry.delay_s:
            time.sleep(entry.delay_s)
        return self._answer(entry, messages)

    async def acomplete(self, messages: list[BaseMessage], **params: Any) -> AIMessage:
        """The reply as a message, without LangChain's per-call callback machinery (the gateway's path).

        It goes through ``_agenerate``, so a subclass that records or delays calls there still sees them.
        """
        result = await self._agenerate(messages, **params)
        return result.generations[0].message  # type: ignore[return-value]

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        entry = self._pick(messages)
        self._see(messages)
        if entry.delay_s:
            await asyncio.sleep(entry.delay_s)
        return self._answer(entry, messages)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        entry = self._pick(messages)
        if entry.delay_s:
            time.sleep(entry.delay_s)
        if entry.error and entry.reply:  # fail mid-reply: some words arrive first
            for index, word in enumerate(entry.reply.split(" ")):
                piece = word if index == 0 else " " + word
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        self._see(messages)
        result = self._answer(entry, messages)
        message = result.generations[0].message
        words = str(message.content).split(" ")
        for index, word in enumerate(words):
            piece = word if index == 0 else " " + word
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                additional_kwargs=message.additional_kwargs,
                usage_metadata=getattr(message, "usage_metadata", None),
            )
        )
