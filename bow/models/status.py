"""Whether each backend is usable here, for ``bow models`` (no network calls)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bow.errors import BowError
from bow.models.registry import BACKENDS, Backend, missing_modules


@dataclass
class BackendStatus:
    """One row of ``bow models``."""

    name: str
    example: str
    usable: bool
    note: str
    description: str


def backend_status(backend: Backend) -> BackendStatus:
    """Check packages, key and (for ``local``) the embedded model file."""
    missing = missing_modules(backend)
    usable, note = True, "ready"
    if missing:
        usable, note = False, f"missing {', '.join(missing)}: {backend.install}"
    elif backend.name == "local":
        from bow.models.local import embedded_gguf_path

        try:
            note = f"ready ({embedded_gguf_path().name})"
        except BowError as exc:
            usable, note = False, str(exc)
    elif backend.name == "scripted":
        note = "ready (needs a replies file)"
    elif backend.name == "hf":
        note = "ready (needs a local model directory)"
    elif backend.key_env and not os.environ.get(backend.key_env):
        note = f"installed; set {backend.key_env}" + (" or use --base-url" if backend.name == "openai" else "")
    return BackendStatus(backend.name, backend.example, usable, note, backend.description)


def all_statuses() -> list[BackendStatus]:
    """Status of every named backend."""
    return [backend_status(b) for b in BACKENDS.values()]
