"""Check persona files: schema, file location, and content coverage.

Run as ``python -m personas.lint [PATH ...]`` (defaults to the shipped personas).
Exits non-zero when any file has a problem, printing one line per problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from personas.schema import Persona

SHIPPED_DIR = Path(__file__).parent / "data"


def lint_file(path: Path) -> tuple[Persona | None, list[str]]:
    """Validate one persona file; return the persona (if valid) and its problems."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [f"not valid YAML: {str(exc).splitlines()[0]} ({exc})".replace("\n", " ")]
    try:
        persona = Persona.model_validate(raw)
    except ValidationError as exc:
        return None, [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    problems = persona.coverage_problems()
    expected = f"{path.parent.name}/{path.stem}"
    if persona.id != expected:
        problems.append(f"id '{persona.id}' does not match its path (want '{expected}')")
    return persona, problems


def lint_paths(paths: list[Path]) -> dict[Path, list[str]]:
    """Lint every ``*.yaml`` under ``paths``; also flag duplicate ids and CIDs."""
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.yaml")))
    report: dict[Path, list[str]] = {}
    seen_ids: dict[str, Path] = {}
    seen_cids: dict[int, Path] = {}
    for file in files:
        persona, problems = lint_file(file)
        if persona is not None:
            if persona.id in seen_ids:
                problems.append(f"duplicate id, also in {seen_ids[persona.id]}")
            seen_ids.setdefault(persona.id, file)
            if persona.cid is not None:
                if persona.cid in seen_cids:
                    problems.append(f"duplicate cid {persona.cid}, also in {seen_cids[persona.cid]}")
                seen_cids.setdefault(persona.cid, file)
        report[file] = problems
    return report


def main(argv: list[str]) -> int:
    """Print problems per file and a one-line total; return the exit status."""
    report = lint_paths([Path(a) for a in argv] or [SHIPPED_DIR])
    bad = 0
    for file, problems in report.items():
        for problem in problems:
            print(f"{file}: {problem}")
        bad += bool(problems)
    print(f"{len(report)} persona file(s) checked, {bad} with problems")
    return 1 if bad or not report else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
