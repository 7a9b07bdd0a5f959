"""A lean chat client for OpenAI and OpenAI-compatible servers (vLLM, llama.cpp, Ollama, ...).

It speaks ``POST {base_url}/chat/completions`` over ``httpx`` with plain dicts
and ``json``, and returns LangChain message objects, so the ``Gateway`` treats
it like any chat model. It replaces ``langchain_openai.ChatOpenAI``, whose import
and per-call overhead dominated runs against fast local servers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

OPENAI_BASE_URL = "https://api.openai.com/v1"
ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


class OpenAICompatHTTPError(Exception):
    """The server answered with a non-2xx status (``status_code`` drives the gateway's retry choice)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code


class OpenAICompatReplyError(ConnectionError):
    """A 2xx reply that is not a chat completion (a ``ConnectionError``: a flaky server's garbage is transient)."""


def _text(content: Any) -> str:
    """Message content as one string (text blocks of a block list joined)."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "".join(parts)


def to_wire(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as an OpenAI chat message dict."""
    role = ROLES.get(message.type) or getattr(message, "role", None) or "user"
    wire: dict[str, Any] = {"role": role, "content": _text(message.content)}
    if role == "tool":
        wire["tool_call_id"] = getattr(message, "tool_call_id", "")
    return wire


def _usage(usage: dict[str, Any] | None) -> dict[str, int]:
    usage = usage or {}
    prompt, completion = usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0
    return {
        "input_tokens": prompt,
        "output_tokens": completion,
        "total_tokens": usage.get("total_tokens") or prompt + completion,
    }


def _reasoning(fields: dict[str, Any]) -> dict[str, Any]:
    """``additional_kwargs`` holding the server's reasoning text, if it sent any."""
    reasoning = fields.get("reasoning_content") or fields.get("reasoning")
    return {"reasoning_content": reasoning} if isinstance(reasoning, str) and reasoning else {}


class OpenAICompatChat:
    """Chat completions from one model; ``params`` are default generation settings.

    No HTTP client is held at construction: one is made per running event loop
    on first use (a client is bound to its loop), and none is pickled, so Ray
    workers can rebuild the object cheaply.
    """

    supports_seed = True

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None, **params: Any) -> None:
        self.model = model
        self.base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self.api_key = api_key
        self.params = params
        self._url = f"{self.base_url}/chat/completions"
        # OpenAI's reasoning models reject max_tokens; compatible servers mostly know only max_tokens.
        self._max_tokens_name = (
            "max_completion_tokens" if urlsplit(self.base_url).hostname == "api.openai.com" else "max_tokens"
        )
        self._clients: dict[int, tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}

    def __repr__(self) -> str:
        return f"OpenAICompatChat(model={self.model!r}, base_url={self.base_url!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_clients": {}}

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        entry = self._clients.get(id(loop))
        if entry is not None and entry[0] is loop:
            return entry[1]
        # Forget clients of loops that have ended (holding the loop keeps its id from being reused meanwhile).
        self._clients = {k: v for k, v in self._clients.items() if not v[0].is_closed()}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        client = httpx.AsyncClient(
            headers=headers,
            # The gateway bounds each attempt itself; only a dead host should fail fast here.
            timeout=httpx.Timeout(None, connect=10.0),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
            # Plain http has no TLS to verify: skip loading the CA bundle (~0.1 s per client).
            verify=self.base_url.startswith("https://"),
        )
        self._clients[id(loop)] = (loop, client)
        return client

    def _body(self, messages: list[BaseMessage], params: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": [to_wire(m) for m in messages]}
        for name, value in {**self.params, **params}.items():
            if value is None or name == "cache_salt":  # cache_salt only keys BOW's cache
                continue
            body[self._max_tokens_name if name == "max_tokens" else name] = value
        return body

    def _http_error(self, status: int, raw: bytes) -> OpenAICompatHTTPError:
        text = raw.decode("utf-8", errors="replace")
        try:
            detail = json.loads(text)["error"]["message"]
        except (ValueError, LookupError, TypeError):
            detail = text[:200]
        return OpenAICompatHTTPError(status, self._one_line(detail) or "(empty body)")

    def _one_line(self, text: Any) -> str:
        """Server text fit for an error message: one line, never the API key."""
        line = " ".join(str(text).split())
        return line.replace(self.api_key, "***") if self.api_key else line

    async def ainvoke(self, messages: list[BaseMessage], **params: Any) -> AIMessage:
        """One completion for ``messages``; per-call ``params`` override the defaults."""
        body = self._body(messages, params)
        response = await self._client().post(self._url, content=json.dumps(body).encode())
        if not response.is_success:
            raise self._http_error(response.status_code, response.content)
        try:
            data = json.loads(response.content)
            choice = data["choices"][0]
            message = choice["message"]
            text = message.get("content") or ""
        except (ValueError, LookupError, TypeError, AttributeError):
            raise OpenAICompatReplyError(
                f"HTTP {response.status_code} reply is not a chat completion: {self._one_line(response.text[:80])!r}"
            ) from None
        return AIMessage(
            content=text,
            additional_kwargs=_reasoning(message),
            usage_metadata=_usage(data.get("usage")),  # type: ignore[arg-type]
            response_metadata={"finish_reason": choice.get("finish_reason")},
        )

    async def astream(self, messages: list[BaseMessage], **params: Any) -> AsyncIterator[AIMessageChunk]:
        """Stream the completion as chunks that add up (``+``) to the whole reply, usage included."""
        body = {**self._body(messages, params), "stream": True, "stream_options": {"include_usage": True}}
        client = self._client()
        while True:
            async with client.stream("POST", self._url, content=json.dumps(body).encode()) as response:
                if not response.is_success:
                    raw = await response.aread()
                    if response.status_code == 400 and body.pop("stream_options", None):
                        continue  # some servers reject stream_options: ask once more without it
                    raise self._http_error(response.status_code, raw)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    chunk = self._chunk(payload)
                    if chunk is not None:
                        yield chunk
            return

    @staticmethod
    def _chunk(payload: str) -> AIMessageChunk | None:
        """The chunk for one SSE event, or ``None`` when it carries nothing."""
        try:
            event = json.loads(payload)
            error = event.get("error")
            choice = (event.get("choices") or [{}])[0]
            delta = choice.get("delta") or {}
            text, extra, finish = delta.get("content") or "", _reasoning(delta), choice.get("finish_reason")
            usage = event.get("usage")
        except (ValueError, LookupError, TypeError, AttributeError):
            raise OpenAICompatReplyError(f"stream event is not a completion chunk: {payload[:80]!r}") from None
        if error:
            detail = error.get("message") if isinstance(error, dict) else error
            raise OpenAICompatReplyError(f"server error mid-stream: {' '.join(str(detail).split())[:200]}")
        if not (text or extra or finish or usage):
            return None
        return AIMessageChunk(
            content=text,
            additional_kwargs=extra,
            usage_metadata=_usage(usage) if usage else None,  # type: ignore[arg-type]
            response_metadata={"finish_reason": finish} if finish else {},
        )
