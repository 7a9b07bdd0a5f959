"""The one path every model call takes: cache, retries, concurrency limit, accounting.

Persona agents, narrators and judges all call a ``Gateway`` rather than a chat
model directly, so caching, backoff and token accounting behave the same for
every backend, the scripted test model included.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessage

from bow.errors import BowError, ModelCallError
from bow.models.accounting import Accounting
from bow.models.cache import ResponseCache, cache_key
from bow.models.reasoning import extract_reply
from bow.models.registry import build_chat_model
from bow.models.reply import ModelReply, Usage
from bow.redact import redact_text

RETRYABLE_NAMES = (
    "RateLimit",
    "Timeout",
    "APIConnection",
    "ServiceUnavailable",
    "InternalServer",
    "Overloaded",
    "ConnectError",
    "ConnectionError",
    "ReadError",
    "RemoteProtocol",
)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; ``timeout_s`` bounds each attempt."""

    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    timeout_s: float = 300.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**attempt))


def is_retryable(exc: BaseException) -> bool:
    """Rate limits, timeouts, connection failures and 5xx are worth another try."""
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError, ConnectionError)):
        return True
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return status in (408, 409, 429) or status >= 500
    # Wrappers (e.g. langchain-openai's OpenAIConnectionError) keep the provider class as a base.
    return any(name in cls.__name__ for cls in type(exc).__mro__ for name in RETRYABLE_NAMES)


def message_dicts(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """Messages as plain role/content dicts (the cache key and transcripts use these)."""
    return [{"role": m.type, "content": m.content} for m in messages]


class Gateway:
    """Calls one model spec with caching, retries, a concurrency limit and accounting."""

    def __init__(
        self,
        spec: str,
        *,
        chat_model: Any = None,
        cache: ResponseCache | None = None,
        params: dict[str, Any] | None = None,
        base_url: str | None = None,
        concurrency: int = 4,
        retry: RetryPolicy = RetryPolicy(),
        accounting: Accounting | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.spec = spec
        self.params = dict(params or {})
        self.base_url = base_url
        self.model = chat_model if chat_model is not None else build_chat_model(spec, base_url=base_url, **self.params)
        self.cache = cache
        # A backend that serialises calls itself (one local model in this process) gains nothing from
        # more calls in flight, and interleaving them defeats its prompt-prefix cache.
        backend_limit = getattr(self.model, "max_concurrency", None)
        self.concurrency = max(1, min(concurrency, backend_limit) if backend_limit else concurrency)
        self.retry = retry
        self.accounting = accounting or Accounting()
        self._sleep = sleep
        self._semaphores: dict[int, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; the CLI may run several loops in turn.
        loop_id = id(asyncio.get_running_loop())
        if loop_id not in self._semaphores:
            self._semaphores[loop_id] = asyncio.Semaphore(self.concurrency)
        return self._semaphores[loop_id]

    def key_for(self, messages: list[BaseMessage], params: dict[str, Any], salt: str | None = None) -> str:
        """The cache key of this call (``salt`` separates repeated samples of the same call)."""
        keyed = {**self.params, **params, "base_url": self.base_url}
        if salt:
            keyed["cache_salt"] = salt
        return cache_key(self.spec, keyed, message_dicts(messages))

    def _failure(self, exc: BaseException, attempts: int) -> ModelCallError:
        detail = redact_text(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        hint = None
        if self.base_url and is_retryable(exc):
            hint = f"Is the server at {self.base_url} running? Check --base-url."
        return ModelCallError(f"Model '{self.spec}' failed after {attempts} attempt(s): {detail}", hint)

    async def _with_retries(self, attempt_call: Callable[[], Awaitable[ModelReply]]) -> ModelReply:
        attempt = 0
        while True:
            try:
                return await asyncio.wait_for(attempt_call(), timeout=self.retry.timeout_s)
            except BowError:
                raise
            except Exception as exc:  # noqa: BLE001 - every provider error is classified here
                if not is_retryable(exc) or attempt >= self.retry.max_retries:
                    self.accounting.record_failure(self.spec)
                    raise self._failure(exc, attempt + 1) from exc
                self.accounting.record_retry(self.spec)
                await self._sleep(self.retry.delay(attempt))
                attempt += 1

    async def agenerate(
        self, messages: list[BaseMessage], *, use_cache: bool = True, cache_salt: str | None = None, **params: Any
    ) -> ModelReply:
        """One reply for ``messages``: from the cache, or from the model with retries."""
        key = self.key_for(messages, params, cache_salt)
        if use_cache and self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                reply = hit.model_copy(update={"cached": True, "model": self.spec})
                self.accounting.record(reply)
                return reply

        # BOW's own backends answer ``acomplete`` directly; LangChain models go through
        # ``ainvoke`` so that their callbacks (e.g. LangSmith tracing) still fire.
        call = getattr(self.model, "acomplete", None) or self.model.ainvoke

        async def attempt() -> ModelReply:
            async with self._semaphore():
                started = time.perf_counter()
                message = await call(messages, **params)
                latency = time.perf_counter() - started
            return self._to_reply(message, latency)

        reply = await self._with_retries(attempt)
        if self.cache is not None:
            self.cache.put(key, reply)
        self.accounting.record(reply)
        return reply

    def generate(self, messages: list[BaseMessage], **params: Any) -> ModelReply:
        """Synchronous ``agenerate`` for scripts and the CLI (not inside a running loop)."""
        return asyncio.run(self.agenerate(messages, **params))

    def _to_reply(self, message: Any, latency: float) -> ModelReply:
        text, reasoning = extract_reply(message)
        usage = getattr(message, "usage_metadata", None) or {}
        return ModelReply(
            text=text,
            reasoning=reasoning,
            usage=Usage(input_tokens=usage.get("input_tokens", 0), output_tokens=usage.get("output_tokens", 0)),
            latency_s=latency,
            model=self.spec,
        )

    def stream(self, messages: list[BaseMessage], *, use_cache: bool = True, **params: Any) -> ReplyStream:
        """Stream the reply piece by piece; ``ReplyStream.reply`` holds the whole reply after."""
        return ReplyStream(self, messages, use_cache, params)


class ReplyStream:
    """Async iterator of text pieces; retries only until the first piece arrives."""

    def __init__(self, gateway: Gateway, messages: list[BaseMessage], use_cache: bool, params: dict[str, Any]):
        self.gateway = gateway
        self.messages = messages
        self.use_cache = use_cache
        self.params = params
        self.reply: ModelReply | None = None

    async def __aiter__(self) -> AsyncIterator[str]:
        gw = self.gateway
        key = gw.key_for(self.messages, self.params)
        if self.use_cache and gw.cache is not None and (hit := gw.cache.get(key)) is not None:
            self.reply = hit.model_copy(update={"cached": True, "model": gw.spec})
            gw.accounting.record(self.reply)
            yield self.reply.text
            return
        attempt = 0
        while True:
            started = time.perf_counter()
            total: AIMessageChunk | None = None
            try:
                async with gw._semaphore():
                    async for chunk in gw.model.astream(self.messages, **self.params):
                        total = chunk if total is None else total + chunk
                        if chunk.content:
                            yield chunk.text if hasattr(chunk, "text") else str(chunk.content)
                break
            except Exception as exc:  # noqa: BLE001
                if total is not None or not is_retryable(exc) or attempt >= gw.retry.max_retries:
                    gw.accounting.record_failure(gw.spec)
                    raise gw._failure(exc, attempt + 1) from exc
                gw.accounting.record_retry(gw.spec)
                await gw._sleep(gw.retry.delay(attempt))
                attempt += 1
        self.reply = gw._to_reply(total or AIMessageChunk(content=""), time.perf_counter() - started)
        if gw.cache is not None:
            gw.cache.put(key, self.reply)
        gw.accounting.record(self.reply)


def open_gateway(settings: Any, spec: str | None = None, **kwargs: Any) -> Gateway:
    """A gateway for ``spec`` (default: the settings' model) using the home's cache."""
    cache = ResponseCache.shared(settings.cache_path) if settings.use_cache else None
    return Gateway(spec or settings.model, cache=cache, base_url=settings.base_url, **kwargs)
