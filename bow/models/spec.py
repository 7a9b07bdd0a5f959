"""Parse model spec strings such as ``local``, ``openai:gpt-4o`` or ``scripted:demo.yaml``."""

from __future__ import annotations

from dataclasses import dataclass

from bow.errors import ModelSpecError


@dataclass(frozen=True)
class ModelSpec:
    """A parsed spec: ``provider`` plus an optional ``name`` (model id, path or file)."""

    provider: str
    name: str = ""

    def __str__(self) -> str:
        return f"{self.provider}:{self.name}" if self.name else self.provider


# Providers that need a name after the colon, with an example for error messages.
NEEDS_NAME = {
    "openai": "openai:gpt-4o-mini",
    "anthropic": "anthropic:claude-sonnet-4-5",
    "ollama": "ollama:llama3.2",
    "hf": "hf:/path/to/model-dir",
    "scripted": "scripted:replies.yaml",
}


def parse_spec(text: str) -> ModelSpec:
    """Split ``provider[:name]``; raise ``ModelSpecError`` for a malformed spec."""
    text = (text or "").strip()
    if not text:
        raise ModelSpecError("Empty model spec.", "Use e.g. 'local' or 'openai:gpt-4o-mini'.")
    provider, _, name = text.partition(":")
    provider = provider.strip().lower()
    name = name.strip()
    if not provider or not provider.replace("-", "_").replace("_", "").isalnum():
        raise ModelSpecError(f"Malformed model spec '{text}'.", "Use PROVIDER:MODEL, e.g. 'openai:gpt-4o-mini'.")
    if provider in NEEDS_NAME and not name:
        raise ModelSpecError(
            f"Model spec '{text}' needs a name after the colon.", f"For example '{NEEDS_NAME[provider]}'."
        )
    return ModelSpec(provider, name)
