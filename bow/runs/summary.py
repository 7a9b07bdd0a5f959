"""``summary.json``: per model and mode, what a run measured."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float] | None:
    """95 % Wilson score interval for a proportion (None when there is no data)."""
    if total == 0:
        return None
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def _accuracy(rows: list[tuple[str, bool]]) -> dict[str, Any]:
    grouped: dict[str, list[bool]] = defaultdict(list)
    for group, correct in rows:
        grouped[group].append(correct)
    return {
        group: {"n": len(v), "accuracy": round(sum(v) / len(v), 4), "ci95": wilson(sum(v), len(v))}
        for group, v in sorted(grouped.items())
    }


def summarize(
    transcripts: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    universe_of: dict[str, str],
    stage_of: dict[str, str],
    wall_s: float | None = None,
) -> dict[str, Any]:
    """Aggregate transcripts by ``model`` and ``mode``.

    ``universe_of`` maps persona id → universe; ``stage_of`` maps canon scenario id → life stage.
    """
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in transcripts:
        by_group[f"{record['model']} [{record['mode']}]"].append(record)
    failed_by_group: Counter[str] = Counter()
    for failure in failures:
        model, _persona, _scenario, mode, _memory = (failure["key"].split("|") + [""] * 5)[:5]
        failed_by_group[f"{model} [{mode}]"] += 1
    groups = {}
    for group, records in sorted(by_group.items()):
        canon = [r for r in records if r.get("answer")]
        correct = [(r, (r["turns"][-1]["decision"]["choice"] == r["answer"]) if r["turns"] else False) for r in canon]
        decisions = Counter(t["decision"]["choice"] for r in records for t in r["turns"])
        turns = [t for r in records for t in r["turns"]]
        groups[group] = {
            "items": len(records),
            "failed": failed_by_group.get(group, 0),
            "canon": {
                "n": len(canon),
                "accuracy": round(sum(c for _, c in correct) / len(canon), 4) if canon else None,
                "ci95": wilson(sum(c for _, c in correct), len(canon)),
                "by_stage": _accuracy([(stage_of.get(r["scenario_id"], "unknown"), c) for r, c in correct]),
                "by_universe": _accuracy([(universe_of.get(r["persona_id"], "unknown"), c) for r, c in correct]),
            },
            "decisions": dict(sorted(decisions.items())),
            "unparsed_rate": round(decisions.get("unparsed", 0) / len(turns), 4) if turns else None,
            "empty_think_rate": round(sum(1 for t in turns if not t["think"]) / len(turns), 4) if turns else None,
            "tokens": {
                "input": sum(t["input_tokens"] for t in turns),
                "output": sum(t["output_tokens"] for t in turns),
            },
            "model_latency_s": round(sum(t["latency_s"] for t in turns), 3),
        }
    uncovered = {k: v for k, v in failed_by_group.items() if k not in groups}
    for group, count in uncovered.items():
        groups[group] = {"items": 0, "failed": count}
    return {"groups": groups, "items": len(transcripts), "failed": len(failures), "wall_s": wall_s}
