"""Check scenario files: schema errors, unknown personas, and content warnings.

Run as ``python -m scenarios.lint [PATH ...]`` (defaults to the shipped scenarios);
warnings count as problems there, as they do for shipped data. Content rules for
shipped data: a canon file covers every life stage of its persona; a hero's dilemma
file has a 3+-beat script for each of the four dilemma types.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from personas.lint import print_strict_report
from personas.loader import PersonaLibrary
from personas.schema import LifeStage
from scenarios.loader import SHIPPED_DIR, ScenarioFileError, read_scenario_file, read_suite_file
from scenarios.schema import CanonEvent, DilemmaScript, DilemmaType

MIN_BEATS = 3


@dataclass
class FileReport:
    """Errors make a file unusable; warnings are content lints."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _content_warnings(scenarios: list, persona_ids: set[str]) -> list[str]:  # type: ignore[type-arg]
    warnings = []
    canon = [s for s in scenarios if isinstance(s, CanonEvent)]
    scripts = [s for s in scenarios if isinstance(s, DilemmaScript)]
    if canon:
        missing = {s.value for s in LifeStage} - {s.stage.value for s in canon}
        if missing:
            warnings.append(f"canon questions missing life stage(s): {', '.join(sorted(missing))}")
        letters = Counter(s.answer for s in canon)
        if len(canon) >= 4 and letters.most_common(1)[0][1] > 0.6 * len(canon):
            warnings.append(f"answers are lopsided ({dict(letters)}); vary the correct letter")
    if scripts:
        missing_types = {t.value for t in DilemmaType} - {s.dilemma_type.value for s in scripts}
        if missing_types:
            warnings.append(f"no dilemma script of type(s): {', '.join(sorted(missing_types))}")
        for script in scripts:
            if len(script.beats) < MIN_BEATS:
                warnings.append(f"script '{script.id}' has {len(script.beats)} beat(s), want {MIN_BEATS}+")
    for scenario in scenarios:
        target = scenario.target
        if target.persona and target.persona not in persona_ids:
            warnings.append(f"scenario '{scenario.id}' targets unknown persona '{target.persona}'")
        if target.hero and not any(p.startswith(target.hero + "/") for p in persona_ids):
            warnings.append(f"scenario '{scenario.id}' targets unknown hero '{target.hero}'")
    return warnings


def lint_paths(paths: list[Path], persona_ids: set[str] | None = None) -> dict[Path, FileReport]:
    """Lint every ``*.yaml`` under ``paths``; duplicate scenario ids are errors."""
    if persona_ids is None:
        persona_ids = set(PersonaLibrary.load().personas)
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.yaml")))
    report: dict[Path, FileReport] = {}
    seen: dict[str, Path] = {}
    for file in files:
        entry = report[file] = FileReport()
        try:
            if "suites" in file.parts[-2:-1]:
                read_suite_file(file)
                continue
            scenarios = read_scenario_file(file)
        except ScenarioFileError as exc:
            entry.errors.extend(exc.problems or [exc.message.removeprefix(f"{file}:").strip()])
            continue
        for scenario in scenarios:
            if scenario.id in seen:
                entry.errors.append(f"duplicate scenario id '{scenario.id}', also in {seen[scenario.id]}")
            seen.setdefault(scenario.id, file)
        entry.warnings.extend(_content_warnings(scenarios, persona_ids))
    return report


def main(argv: list[str]) -> int:
    """Lint the given paths (default: the shipped scenarios) strictly; return the exit status."""
    return print_strict_report(lint_paths([Path(a) for a in argv] or [SHIPPED_DIR]), "scenario")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
