"""Check persona files: schema errors, plus content warnings (coverage, file location).

Run as ``python -m personas.lint [PATH ...]`` (defaults to the shipped personas):
every warning counts as a problem there, as it does for shipped data.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personas.loader import SHIPPED_DIR, PersonaFileError, read_persona_file


@dataclass
class FileReport:
    """Problems found in one file: errors make it unusable, warnings are quality lints."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    persona_id: str | None = None


def lint_paths(paths: list[Path]) -> dict[Path, FileReport]:
    """Lint every ``*.yaml`` under ``paths``; duplicate ids and CIDs are errors."""
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.yaml")))
    report: dict[Path, FileReport] = {}
    seen_ids: dict[str, Path] = {}
    seen_cids: dict[int, Path] = {}
    for file in files:
        entry = report[file] = FileReport()
        try:
            persona = read_persona_file(file)
        except PersonaFileError as exc:
            entry.errors.extend(exc.problems or [exc.message.removeprefix(f"{file}:").strip()])
            continue
        entry.persona_id = persona.id
        if persona.id in seen_ids:
            entry.errors.append(f"duplicate id '{persona.id}', also in {seen_ids[persona.id]}")
        seen_ids.setdefault(persona.id, file)
        if persona.cid is not None:
            if persona.cid in seen_cids:
                entry.errors.append(f"duplicate cid {persona.cid}, also in {seen_cids[persona.cid]}")
            seen_cids.setdefault(persona.cid, file)
        entry.warnings.extend(persona.coverage_problems())
        expected = f"{file.parent.name}/{file.stem}"
        if persona.id != expected:
            entry.warnings.append(f"id '{persona.id}' does not match its path (expected '{expected}')")
    return report


def print_strict_report(report: dict[Path, Any], noun: str) -> int:
    """Print every error and warning per file and a total; non-zero when any file has a problem."""
    bad = 0
    for file, entry in report.items():
        for problem in [*entry.errors, *entry.warnings]:
            print(f"{file}: {problem}")
        bad += bool(entry.errors or entry.warnings)
    print(f"{len(report)} {noun} file(s) checked, {bad} with problems")
    return 1 if bad or not report else 0


def main(argv: list[str]) -> int:
    """Lint the given paths (default: the shipped personas) strictly; return the exit status."""
    return print_strict_report(lint_paths([Path(a) for a in argv] or [SHIPPED_DIR]), "persona")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
