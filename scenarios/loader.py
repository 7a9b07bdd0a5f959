"""Find and load scenario files and suites: shipped ones plus user directories.

User directories come from ``--scenarios DIR`` (repeatable), ``BOW_SCENARIOS`` and
``HOME/scenarios``. A bad file is reported with its path and the line or field at fault.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bow.errors import BowError
from bow.parsed_yaml import ParsedYamlCache, library_cache
from scenarios.schema import CanonEvent, DilemmaScript, MoralDilemma, ScenarioFile, Suite

SHIPPED_DIR = Path(__file__).parent / "data"
SCENARIOS_ENV = "BOW_SCENARIOS"
AnyScenario = CanonEvent | MoralDilemma | DilemmaScript
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioFileError(BowError):
    """A scenario or suite file that cannot be read or does not match the schema."""

    problems: list[str] = []


class UnknownScenarioError(BowError):
    """A scenario or suite id that no loaded file defines."""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
    except OSError as exc:
        raise ScenarioFileError(f"{path}: cannot read ({exc.strerror}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioFileError(f"{path}:{where} is not valid YAML ({problem}).") from None


def validation_problems(exc: ValidationError, raw: Any) -> list[str]:
    """Every schema problem as "field 'x.y': message", naming scenarios by id rather than list index."""
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int):
            try:
                loc[1] = raw["scenarios"][loc[1]].get("id", loc[1])
            except (AttributeError, IndexError, KeyError, TypeError):
                pass
        field = ".".join(str(p) for p in loc) or "(top level)"
        problems.append(f"field '{field}': {error['msg']}")
    return problems


def _validation_message(path: Path, exc: ValidationError, raw: Any) -> ScenarioFileError:
    problems = validation_problems(exc, raw)
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    error = ScenarioFileError(f"{path}: {problems[0]}{more}.", "Run 'bow scenario validate' for the full list.")
    error.problems = problems
    return error


def _read(path: Path, cache: ParsedYamlCache | None) -> Any:
    return cache.load(path, _read_yaml) if cache is not None else _read_yaml(path)


def read_scenario_file(path: Path, cache: ParsedYamlCache | None = None) -> list[AnyScenario]:
    """Parse and validate one scenario file."""
    raw = _read(path, cache)
    try:
        return list(ScenarioFile.model_validate(raw).scenarios)
    except ValidationError as exc:
        raise _validation_message(path, exc, raw) from None


def read_suite_file(path: Path, cache: ParsedYamlCache | None = None) -> Suite:
    """Parse and validate one suite file."""
    raw = _read(path, cache)
    try:
        return Suite.model_validate(raw)
    except ValidationError as exc:
        raise _validation_message(path, exc, raw) from None


def scenario_dirs(extra: Iterable[str | Path] = (), home: Path | None = None) -> list[Path]:
    """Shipped directory, ``HOME/scenarios`` if present, ``BOW_SCENARIOS``, then ``extra`` (CLI)."""
    env = [p for p in os.environ.get(SCENARIOS_ENV, "").split(os.pathsep) if p]
    user_home = [home / "scenarios"] if home is not None and (home / "scenarios").is_dir() else []
    dirs = [SHIPPED_DIR, *user_home, *[Path(p).expanduser() for p in [*env, *extra]]]
    for directory in dirs[1:]:
        if not directory.is_dir():
            raise BowError(f"Scenarios directory '{directory}' does not exist.", "Check --scenarios / BOW_SCENARIOS.")
    return list(dict.fromkeys(dirs))


class ScenarioLibrary:
    """All scenarios and suites visible to a command, by id."""

    def __init__(self, scenarios: dict[str, AnyScenario], files: dict[str, Path], suites: dict[str, Suite]) -> None:
        self.scenarios = scenarios
        self.files = files
        self.suites = suites

    @classmethod
    def load(cls, extra_dirs: Iterable[str | Path] = (), home: Path | None = None) -> ScenarioLibrary:
        """Load every ``*.yaml`` (files under a ``suites`` folder are suites); duplicates are errors."""
        scenarios: dict[str, AnyScenario] = {}
        files: dict[str, Path] = {}
        suites: dict[str, Suite] = {}
        cache = library_cache(home, "scenarios")
        for directory in scenario_dirs(extra_dirs, home):
            for path in sorted(directory.rglob("*.yaml")):
                if "suites" in path.relative_to(directory).parts[:-1]:
                    suite = read_suite_file(path, cache)
                    suites[suite.id] = suite
                    continue
                for scenario in read_scenario_file(path, cache):
                    if scenario.id in scenarios:
                        raise ScenarioFileError(
                            f"{path}: duplicate scenario id '{scenario.id}', also in {files[scenario.id]}."
                        )
                    scenarios[scenario.id] = scenario
                    files[scenario.id] = path
        cache.save()
        return cls(scenarios, files, suites)

    def __len__(self) -> int:
        return len(self.scenarios)

    def get(self, scenario_id: str) -> AnyScenario:
        """The scenario with this id, or an error suggesting the nearest ids."""
        if scenario_id in self.scenarios:
            return self.scenarios[scenario_id]
        near = difflib.get_close_matches(scenario_id, list(self.scenarios), n=3, cutoff=0.5)
        hint = f"Did you mean: {', '.join(near)}?" if near else "See 'bow scenario list'."
        raise UnknownScenarioError(f"Unknown scenario '{scenario_id}'.", hint)

    def suite(self, suite_id: str) -> Suite:
        """A suite by id."""
        if suite_id not in self.suites:
            known = ", ".join(sorted(self.suites)) or "none"
            raise UnknownScenarioError(f"Unknown suite '{suite_id}'.", f"Known suites: {known}.")
        return self.suites[suite_id]

    def select(self, pattern: str) -> list[AnyScenario]:
        """Scenarios whose id matches a glob."""
        return [s for s in self.scenarios.values() if fnmatch(s.id, pattern)]

    def for_persona(self, persona_id: str) -> list[AnyScenario]:
        """Scenarios this persona may play."""
        return [s for s in self.scenarios.values() if s.target.allows(persona_id)]
