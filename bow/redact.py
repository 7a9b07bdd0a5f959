"""Remove API keys and bearer tokens from anything BOW writes to disk."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

# Environment variables whose values are secrets wherever they appear.
SECRET_ENV_SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_ACCESS_KEY")
# Key shapes common to providers (OpenAI sk-..., Anthropic sk-ant-..., HF hf_..., bearer headers).
SECRET_PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{12,}"),
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{12,}"),
    re.compile(r"(?i)((?:api[_-]?key|token|secret)[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._\-]{8,}"),
]
MASK = "***REDACTED***"
_SECRET_KEY = re.compile(r"(?i)api[_-]?key|secret|token$|password")


def secret_values() -> list[str]:
    """Current values of secret-looking environment variables (long enough to be keys)."""
    return [v for k, v in os.environ.items() if k.upper().endswith(SECRET_ENV_SUFFIXES) and len(v) >= 8]


def redact_text(text: str, extra_secrets: list[str] | None = None) -> str:
    """Mask known secret values and key-shaped strings in ``text``."""
    return _redact_text(text, [*secret_values(), *(extra_secrets or [])])


def redact(value: Any, extra_secrets: list[str] | None = None) -> Any:
    """Redact strings inside nested dicts/lists; keys named like secrets are masked whole."""
    # Read the environment once per call (and only if there is a string to check), not once per string.
    secrets: list[str] = []
    found = False

    def current() -> list[str]:
        nonlocal secrets, found
        if not found:
            secrets, found = [*secret_values(), *(extra_secrets or [])], True
        return secrets

    return _redact(value, current)


def _redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
    return text


@functools.lru_cache(maxsize=1024)
def _secret_key(key: Any) -> bool:
    """Whether a mapping key names a secret (records reuse a few hundred keys: remember the answer)."""
    return bool(_SECRET_KEY.search(str(key)))


def _redact(value: Any, secrets: Callable[[], list[str]]) -> Any:
    if isinstance(value, str):
        return _redact_text(value, secrets())
    if isinstance(value, dict):
        return {k: MASK if _secret_key(k) and v else _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets) for v in value]
    return value
