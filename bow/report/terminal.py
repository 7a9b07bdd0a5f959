"""Rich tables for ``bow report`` and ``bow compare`` in a terminal."""

from __future__ import annotations

from typing import Any

from bow.cli.output import console, table


def fmt(value: float | None, digits: int = 2) -> str:
    """A number, or ``-`` where the run did not measure it."""
    return "-" if value is None else f"{value:.{digits}f}"


def fmt_ci(value: float | None, ci: list[float] | tuple[float, float] | None, digits: int = 2) -> str:
    """``0.42 [0.29, 0.56]``: a value with its 95 % interval when there is one."""
    if value is None:
        return "-"
    if not ci:
        return fmt(value, digits)
    return f"{value:.{digits}f} [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _stat(stats: dict[str, Any] | None, key: str = "mean") -> str:
    if not stats or stats.get(key) is None:
        return "-"
    return f"{fmt_ci(stats[key], stats.get('ci95'))} (n={stats.get('n', 0)})"


def print_report(report: dict[str, Any]) -> None:
    """Runs, their groups' headline figures, canon accuracy by stage, and leakage per hero."""
    out = console()
    for run in report["runs"]:
        note = " (summary recomputed from transcripts)" if run["summary_recomputed"] else ""
        out.print(
            f"Run {run['name']}: suite {run['suite'] or '?'}, {run['items']} items, {run['failed']} failed, "
            f"wall {fmt(run['wall_s'], 1)} s, created {run['created_at'] or '?'}{note}",
            markup=False,
        )
    multi = len(report["runs"]) > 1
    rows = []
    for g in report["groups"]:
        label = f"{g['run_name']}: {g['group']}" if multi else g["group"]
        rows.append(
            [
                label,
                g["items"],
                g["failed"],
                _stat(g["canon"], "accuracy"),
                _stat(g["thinking"]),
                _stat(g["acting"]),
                _stat(g["tam"]),
                g["unscored"],
                f"{g['tokens']['input']}/{g['tokens']['output']}",
            ]
        )
    headers = ["model [mode]", "items", "failed", "canon accuracy", "thinking", "acting", "TAM", "unscored", "tokens"]
    table("Summary (95 % CI)", headers, rows)
    _stage_table(report, multi)
    _leakage_table(report, multi)
    if report["failures"]:
        out.print(f"{len(report['failures'])} items failed; first: {report['failures'][0].get('key')}", markup=False)


def _stage_table(report: dict[str, Any], multi: bool) -> None:
    stages = sorted({s for g in report["groups"] for s in g["by_stage"]})
    if not stages:
        return
    rows = []
    for g in report["groups"]:
        cells = [fmt(g["by_stage"].get(s, {}).get("accuracy")) for s in stages]
        rows.append([f"{g['run_name']}: {g['group']}" if multi else g["group"], *cells])
    table("Canon accuracy by life stage", ["model [mode]", *stages], rows)


def _leakage_table(report: dict[str, Any], multi: bool) -> None:
    """Per hero: accuracy of versions on their own canon (diagonal) against their siblings' (off-diagonal)."""
    rows = []
    for g in report["groups"]:
        for hero, matrix in g["leakage"].items():
            own: list[float] = []
            other: list[float] = []
            for answering, row in matrix.items():
                for asked, cell in row.items():
                    (own if asked == answering else other).append(cell["accuracy"])
            label = f"{g['run_name']}: {g['group']}" if multi else g["group"]
            rows.append([label, hero, fmt(_avg(own)), fmt(_avg(other))])
    if rows:
        table("Canon accuracy: own version vs sibling versions", ["model [mode]", "hero", "own", "siblings"], rows)


def _avg(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def print_leaderboard(rows: list[dict[str, Any]], sort: str) -> None:
    """``bow compare``: one row per run × model × mode, best first."""
    body = [
        [
            rank,
            r["run"],
            f"{r['model']} [{r['mode']}]",
            r["items"],
            f"{fmt_ci(r['canon_accuracy'], r['canon_ci95'])} (n={r['canon_n']})" if r["canon_n"] else "-",
            fmt_ci(r["thinking"], r["thinking_ci95"]),
            fmt_ci(r["acting"], r["acting_ci95"]),
            fmt_ci(r["tam"], r["tam_ci95"]),
            r["unscored"],
            f"{r['input_tokens']}/{r['output_tokens']}",
            fmt(r["wall_s"], 1),
        ]
        for rank, r in enumerate(rows, start=1)
    ]
    headers = [
        "#",
        "run",
        "model [mode]",
        "items",
        "canon",
        "thinking",
        "acting",
        "TAM",
        "unscored",
        "tokens",
        "wall s",
    ]
    table(f"Leaderboard (sorted by {sort}; 95 % CI)", headers, body)
