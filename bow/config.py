"""BOW's home directory and settings shared by every command."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bow.errors import BowError

HOME_ENV = "BOW_HOME"
MODEL_ENV = "BOW_MODEL"
JUDGE_ENV = "BOW_JUDGE"
CHROMA_ENV = "BOW_CHROMA_URL"
DEFAULT_MODEL = "local"


def default_home() -> Path:
    """``$BOW_HOME`` if set, else ``~/.bow``."""
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".bow")


def prepare_home(path: Path | str | None = None) -> Path:
    """Resolve BOW's data directory, creating it if needed.

    Raises ``BowError`` with a fix when the path is a file or not writable,
    so a bad ``--home`` fails before any work starts.
    """
    home = Path(path).expanduser() if path else default_home()
    if home.exists() and not home.is_dir():
        raise BowError(f"BOW home '{home}' is a file, not a directory.", "Pass --home DIR or set BOW_HOME.")
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise BowError(
            f"BOW home '{home}' is not writable ({exc.strerror or exc}).",
            "Pass --home DIR or set BOW_HOME to a writable directory.",
        ) from None
    return home


@dataclass
class Settings:
    """Options every command sees (from the global CLI flags and environment)."""

    home_arg: str | None = None
    model: str = DEFAULT_MODEL
    judge: str | None = None
    base_url: str | None = None
    use_cache: bool = True
    debug: bool = False
    persona_dirs: tuple[str, ...] = ()
    scenario_dirs: tuple[str, ...] = ()
    chroma_url: str | None = None
    _home: Path | None = None

    @property
    def home(self) -> Path:
        """The validated home directory (created on first use)."""
        if self._home is None:
            self._home = prepare_home(self.home_arg)
        return self._home

    def library(self) -> Any:
        """Every persona visible to this command (shipped, ``HOME/personas``, ``BOW_PERSONAS``, ``--personas``)."""
        from personas.loader import PersonaLibrary

        return PersonaLibrary.load(self.persona_dirs, self.home)

    def scenarios(self) -> Any:
        """Every scenario and suite visible to this command (shipped, ``HOME/scenarios``, env, ``--scenarios``)."""
        from scenarios.loader import ScenarioLibrary

        return ScenarioLibrary.load(self.scenario_dirs, self.home)

    @property
    def cache_path(self) -> Path:
        """Where the gateway's response cache lives."""
        return self.home / "cache" / "responses.sqlite"
