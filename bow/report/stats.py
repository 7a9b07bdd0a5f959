"""Headline figures per run × ``model [mode]``, and the cross-run leaderboard of ``bow compare``.

summary.json keys judged scores as ``"thinking [JUDGE]"`` (one per judge, plus ``[combined]``
when several judged); the report shows one thinking and one acting figure per group, so this
module decides which: the combined one when present, else the only judge's.
"""

from __future__ import annotations

from typing import Any

# Metric → (row field, higher is better). Missing values always sort last.
SORT_METRICS: dict[str, tuple[str, bool]] = {
    "canon": ("canon_accuracy", True),
    "thinking": ("thinking", True),
    "acting": ("acting", True),
    "tam": ("tam", True),
    "items": ("items", True),
    "unscored": ("unscored", False),
    "tokens": ("output_tokens", False),
    "wall": ("wall_s", False),
}
HEADLINE_GRADERS = ("canon", "thinking", "acting", "tam")


def judged(scores: dict[str, Any], grader: str) -> dict[str, Any] | None:
    """``{"name", "n", "mean", "ci95"}`` for ``grader`` (``thinking``/``acting``), or None if never judged."""
    names = [k for k in scores if k == grader or k.startswith(f"{grader} [")]
    if not names:
        return None
    combined = f"{grader} [combined]"
    name = combined if combined in names else sorted(names)[0]
    stats = scores[name]
    return {"name": name, "n": stats.get("n", 0), "mean": stats.get("mean"), "ci95": stats.get("ci95")}


def _unscored(scores: dict[str, Any]) -> int:
    """Unscored verdicts of the headline graders (canon, thinking, acting, TAM), every judge counted."""
    return sum(
        int(stats.get("unscored") or 0)
        for name, stats in scores.items()
        if name.split(" [")[0] in HEADLINE_GRADERS and not name.endswith("[combined]")
    )


def group_stats(run: dict[str, Any], name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One ``model [mode]`` group of one run, flattened for tables, charts and the leaderboard."""
    model, _, mode = name.rpartition(" [")
    canon = data.get("canon") or {}
    scores = data.get("scores") or {}
    tam = scores.get("tam") or {}
    tokens = data.get("tokens") or {}
    return {
        "run": run["id"],
        "run_name": run["name"],
        "group": name,
        "model": model or name,
        "mode": mode.rstrip("]"),
        "items": data.get("items", 0),
        "failed": data.get("failed", 0),
        "canon": {"n": canon.get("n", 0), "accuracy": canon.get("accuracy"), "ci95": canon.get("ci95")},
        "by_stage": canon.get("by_stage") or {},
        "by_universe": canon.get("by_universe") or {},
        "thinking": judged(scores, "thinking"),
        "acting": judged(scores, "acting"),
        "tam": {"n": tam.get("n", 0), "mean": tam.get("mean"), "ci95": tam.get("ci95")} if tam else None,
        "unscored": _unscored(scores),
        "unparsed_rate": data.get("unparsed_rate"),
        "tokens": {"input": tokens.get("input", 0), "output": tokens.get("output", 0)},
        "model_latency_s": data.get("model_latency_s"),
        "wall_s": run.get("wall_s"),
        "leakage": data.get("leakage") or {},
        "stances": data.get("stances"),
        "consistency": data.get("consistency"),
        "scores": scores,
    }


def leaderboard_row(group: dict[str, Any], run_path: str) -> dict[str, Any]:
    """One row of ``bow compare``: flat numbers, None where the run did not measure it."""
    canon = group["canon"]
    return {
        "run": group["run_name"],
        "path": run_path,
        "model": group["model"],
        "mode": group["mode"],
        "items": group["items"],
        "failed": group["failed"],
        "canon_accuracy": canon["accuracy"],
        "canon_n": canon["n"],
        "canon_ci95": canon["ci95"],
        "thinking": (group["thinking"] or {}).get("mean"),
        "thinking_ci95": (group["thinking"] or {}).get("ci95"),
        "acting": (group["acting"] or {}).get("mean"),
        "acting_ci95": (group["acting"] or {}).get("ci95"),
        "tam": (group["tam"] or {}).get("mean"),
        "tam_ci95": (group["tam"] or {}).get("ci95"),
        "unscored": group["unscored"],
        "input_tokens": group["tokens"]["input"],
        "output_tokens": group["tokens"]["output"],
        "wall_s": group["wall_s"],
    }


def leaderboard(report: dict[str, Any], sort: str = "canon") -> list[dict[str, Any]]:
    """Rows for every run × model × mode, best first by ``sort`` (see ``SORT_METRICS``); ties keep input order."""
    if sort not in SORT_METRICS:
        from bow.errors import BowError

        raise BowError(f"Unknown sort metric '{sort}'.", f"Use one of: {', '.join(SORT_METRICS)}.")
    field, higher_better = SORT_METRICS[sort]
    paths = {run["id"]: run["path"] for run in report["runs"]}
    rows = [leaderboard_row(g, paths[g["run"]]) for g in report["groups"]]

    def key(row: dict[str, Any]) -> tuple[bool, float]:
        value = row[field]
        if value is None:
            return (True, 0.0)
        return (False, -value if higher_better else value)

    return sorted(rows, key=key)
