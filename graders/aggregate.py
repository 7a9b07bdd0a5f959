"""Summaries of ``scores.jsonl``: means with 95 % intervals and unscored counts, per model and mode."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23}


def mean_ci(values: list[float]) -> dict[str, Any]:
    """Mean with a t-based 95 % interval (normal beyond 30 samples)."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "ci95": None}
    mean = sum(values) / n
    if n == 1:
        return {"n": 1, "mean": round(mean, 4), "ci95": None}
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = T95.get(n - 1, 2.0 if n < 31 else 1.96) * sd / math.sqrt(n)
    return {"n": n, "mean": round(mean, 4), "ci95": [round(mean - half, 4), round(mean + half, 4)]}


def summarize_scores(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per ``model [mode]``: for each grader, mean/CI of values, label counts, unscored count and reasons."""
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        group = f"{row['model']} [{row['mode']}]"
        for score in row["scores"]:
            judge = score.get("judge")
            name = f"{score['grader']} [{judge}]" if judge and score["grader"] != "canon" else score["grader"]
            slot = groups[group].setdefault(
                name, {"values": [], "labels": defaultdict(int), "unscored": 0, "reasons": defaultdict(int)}
            )
            if score.get("value") is not None:
                slot["values"].append(score["value"])
            if score.get("label") is not None and score["grader"] != "canon":
                slot["labels"][score["label"]] += 1
            if score.get("unscored_reason") or (score.get("value") is None and score.get("label") is None):
                slot["unscored"] += 1
                slot["reasons"][score.get("unscored_reason") or "unscored"] += 1
    return {
        group: {
            name: {
                **mean_ci(slot["values"]),
                "labels": dict(slot["labels"]),
                "unscored": slot["unscored"],
                "unscored_reasons": dict(slot["reasons"]),
            }
            for name, slot in graders.items()
        }
        for group, graders in groups.items()
    }
