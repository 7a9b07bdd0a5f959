"""``bow grade`` and ``bow calibrate``: score what exists, and check the judge against people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bow.cli.output import console, emit_json, table
from bow.config import Settings
from bow.errors import BowError


def _judges(settings: Settings, judges: tuple[str, ...]) -> list[str]:
    return list(judges) or ([settings.judge] if settings.judge else [])


@click.command()
@click.argument("target", type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["run", "bow"]),
    default=None,
    help="run: a BOW run directory (default for folders); bow: the authors' JSONL replies.",
)
@click.option("--judge", "judges", multiple=True, help="Judge model (repeatable; default: the global --judge).")
@click.option("--combine", "how", type=click.Choice(["mean", "majority"]), default="mean", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def grade(settings: Settings, target: str, fmt: str | None, judges: tuple[str, ...], how: str, as_json: bool) -> None:
    r"""Grade without generating again: a BOW run directory, or replies in the authors' JSONL format.

    \b
    Examples:
      bow grade ~/.bow/runs/smoke-24ed273c3e --judge openai:gpt-4o-mini
      bow grade canon_claude_rep1.jsonl --format bow --json
    """
    from bow.runs.grading import make_graders

    path = Path(target)
    fmt = fmt or ("run" if path.is_dir() else "bow")
    graders = make_graders(settings, _judges(settings, judges), how)
    if fmt == "run":
        from bow.runs.grading import regrade_run
        from bow.runs.session import summarize_dir

        if not (path / "manifest.json").is_file():
            raise BowError(f"{path} is not a BOW run directory (no manifest.json).")
        rows = regrade_run(path, settings.library(), graders)
        summary = summarize_dir(path, settings.library(), settings.scenarios())
        (path / "summary.json").write_text(__import__("json").dumps(summary, indent=2) + "\n")
        if as_json:
            emit_json(summary)
        else:
            console().print(f"Wrote {rows} score records to {path / 'scores.jsonl'} and updated summary.json.")
        return
    import asyncio

    from bow.datasets.authors_grading import grade_authors_file

    results = asyncio.run(grade_authors_file(path, settings.library(), graders))
    if as_json:
        emit_json(results)
        return
    rows_out = [
        [
            r["line"],
            r.get("CID"),
            r.get("choice") or "-",
            r.get("method") or "-",
            {True: "yes", False: "no", None: "-"}[r.get("correct")],
            r.get("thinking", "-"),
            r.get("acting", "-"),
        ]
        for r in results["rows"]
    ]
    table(
        f"{path.name}: {results['summary']}",
        ["line", "CID", "choice", "read by", "correct", "thinking", "acting"],
        rows_out,
    )


@click.command()
@click.option(
    "--annotations",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    help="Human-scored replies in the authors' JSONL format.",
)
@click.option(
    "--judge", "judges", multiple=True, help="Judge model (repeatable; default: the global --judge, else --model)."
)
@click.option("--resamples", default=2000, show_default=True, help="Bootstrap resamples for the 95 % intervals.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def calibrate(settings: Settings, annotations: str, judges: tuple[str, ...], resamples: int, as_json: bool) -> None:
    r"""Measure a judge's agreement with human raters (Spearman, weighted kappa, exact and ±1 agreement).

    \b
    Example:
      bow calibrate --annotations ../shared/bow-annotations-sample/anno1_claude_sample.jsonl --judge local
    """
    from bow.datasets.calibration import run_calibration

    chosen = _judges(settings, judges) or [settings.model]
    report = run_calibration(settings, Path(annotations), chosen, resamples)
    if as_json:
        emit_json(report)
        return
    rows: list[list[Any]] = []
    for judge, kinds in report["judges"].items():
        for kind, stats in kinds.items():

            def fmt(key: str, stats: dict[str, Any] = stats) -> str:
                item = stats["agreement"].get(key) or {}
                value, ci = item.get("value"), item.get("ci95")
                if value is None:
                    return "-"
                return f"{value:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")

            rows.append(
                [
                    judge,
                    kind,
                    stats["agreement"]["n"],
                    stats["unscored"],
                    fmt("spearman"),
                    fmt("qwk"),
                    fmt("exact"),
                    fmt("within_1"),
                ]
            )
    table(
        f"Judge vs humans on {report['rows']} replies",
        ["judge", "score", "pairs", "unscored", "Spearman ρ", "QW κ", "exact", "±1"],
        rows,
    )
