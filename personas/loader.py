"""Find and load persona files: the shipped roster plus any user directories.

User directories come from ``--personas DIR`` (repeatable) and ``BOW_PERSONAS``
(paths separated by ``os.pathsep``). Every ``*.yaml`` below a directory is one
persona; a bad file is reported with its path and the line or field at fault.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bow.errors import BowError
from bow.parsed_yaml import ParsedYamlCache, library_cache
from personas.schema import Persona

SHIPPED_DIR = Path(__file__).parent / "data"
PERSONAS_ENV = "BOW_PERSONAS"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster when present


class PersonaFileError(BowError):
    """A persona file that cannot be read or does not match the schema."""

    problems: list[str] = []


class UnknownPersonaError(BowError):
    """A persona id that no loaded file defines."""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
    except OSError as exc:
        raise PersonaFileError(f"{path}: cannot read ({exc.strerror}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PersonaFileError(
            f"{path}:{where} is not valid YAML ({problem}).", "Quote values that contain ': '."
        ) from None


def read_persona_file(path: Path, cache: ParsedYamlCache | None = None) -> Persona:
    """Parse and validate one persona YAML file, or raise ``PersonaFileError``."""
    raw = cache.load(path, _read_yaml) if cache is not None else _read_yaml(path)
    if not isinstance(raw, dict):
        raise PersonaFileError(f"{path}: expected a mapping of persona fields, got {type(raw).__name__}.")
    try:
        return Persona.model_validate(raw)
    except ValidationError as exc:
        problems = [f"field '{'.'.join(str(p) for p in e['loc']) or '(top level)'}': {e['msg']}" for e in exc.errors()]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        error = PersonaFileError(f"{path}: {problems[0]}{more}.", "Run 'bow persona validate' for the full list.")
        error.problems = problems
        raise error from None


def persona_dirs(extra: Iterable[str | Path] = (), home: Path | None = None) -> list[Path]:
    """Shipped directory, ``HOME/personas`` if present, ``BOW_PERSONAS`` entries, then ``extra`` (CLI)."""
    env = [p for p in os.environ.get(PERSONAS_ENV, "").split(os.pathsep) if p]
    user_home = [home / "personas"] if home is not None and (home / "personas").is_dir() else []
    dirs = [SHIPPED_DIR, *user_home, *[Path(p).expanduser() for p in [*env, *extra]]]
    for directory in dirs[1:]:
        if not directory.is_dir():
            raise BowError(f"Personas directory '{directory}' does not exist.", "Check --personas / BOW_PERSONAS.")
    return list(dict.fromkeys(dirs))


class PersonaLibrary:
    """All personas visible to a command, by id."""

    def __init__(self, personas: dict[str, Persona], files: dict[str, Path]) -> None:
        self.personas = personas
        self.files = files

    @classmethod
    def load(cls, extra_dirs: Iterable[str | Path] = (), home: Path | None = None) -> PersonaLibrary:
        """Load every persona file; duplicate ids are an error naming both files."""
        personas: dict[str, Persona] = {}
        files: dict[str, Path] = {}
        cache = library_cache(home, "personas")
        for directory in persona_dirs(extra_dirs, home):
            for path in sorted(directory.rglob("*.yaml")):
                persona = read_persona_file(path, cache)
                if persona.id in personas:
                    raise PersonaFileError(
                        f"{path}: duplicate persona id '{persona.id}', also defined in {files[persona.id]}.",
                        "Give one of them another version slug.",
                    )
                personas[persona.id] = persona
                files[persona.id] = path
        cache.save()
        return cls(personas, files)

    def __len__(self) -> int:
        return len(self.personas)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.personas.values())

    def get(self, persona_id: str) -> Persona:
        """The persona with this id, or an error suggesting the nearest ids."""
        if persona_id in self.personas:
            return self.personas[persona_id]
        raise UnknownPersonaError(f"Unknown persona '{persona_id}'.", self.suggest(persona_id))

    def suggest(self, persona_id: str) -> str:
        """A hint naming the closest known ids (or the hero's versions)."""
        ids = list(self.personas)
        hero = persona_id.split("/")[0]
        close = difflib.get_close_matches(persona_id, ids, n=4, cutoff=0.5)
        siblings = [i for i in ids if i.startswith(hero + "/")]
        near = sorted(
            set(close) | set(siblings),
            key=lambda i: (i not in siblings, close.index(i) if i in close else len(close), i),
        )
        if not near:
            return "See 'bow persona list'."
        return "Did you mean: " + ", ".join(near[:4]) + "?"

    def select(self, pattern: str | None) -> list[Persona]:
        """Personas whose id matches a glob (``iron-man/*``), or all when no pattern."""
        from fnmatch import fnmatch

        chosen = [p for p in self if pattern is None or fnmatch(p.id, pattern)]
        if not chosen:
            raise UnknownPersonaError(f"No persona matches '{pattern}'.", "See 'bow persona list'.")
        return chosen

    def heroes(self) -> dict[str, list[Persona]]:
        """Versions grouped by hero slug."""
        grouped: dict[str, list[Persona]] = {}
        for persona in self:
            grouped.setdefault(persona.hero, []).append(persona)
        return grouped


def persona_to_yaml(persona: Persona) -> str:
    """YAML text for a persona, fields in schema order (what ``read_persona_file`` reads back)."""
    data = persona.model_dump(mode="json", exclude_defaults=False)
    if not data.get("extensions"):
        data.pop("extensions", None)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
