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


def leakage(canon: list[tuple[dict[str, Any], bool]], target_of: dict[str, str]) -> dict[str, Any]:
    """Per hero: accuracy of each answering version (rows) on each version's canon questions (columns).

    The diagonal is a version on its own canon; off-diagonal cells, on its siblings' canon
    (planned with ``--cross-version``), show how far a version's answers generalise or leak.
    """
    cells: dict[str, dict[str, dict[str, list[bool]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for record, correct in canon:
        question_version = target_of.get(record["scenario_id"])
        if question_version is None:
            continue
        hero = record["persona_id"].split("/")[0]
        cells[hero][record["persona_id"]][question_version].append(correct)
    return {
        hero: {
            answering: {asked: {"n": len(v), "accuracy": round(sum(v) / len(v), 4)} for asked, v in sorted(row.items())}
            for answering, row in sorted(rows.items())
        }
        for hero, rows in sorted(cells.items())
    }


def consistency(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Across repeated plays of the same item: the share of repeats agreeing with the most common decision."""
    by_item: dict[str, list[list[str]]] = defaultdict(list)
    for record in records:
        base = record.get("key", "").split("|r")[0]
        by_item[base].append([t["decision"]["choice"] for t in record["turns"]])
    repeated = {k: v for k, v in by_item.items() if len(v) > 1}
    if not repeated:
        return None
    shares = []
    for plays in repeated.values():
        for beat in range(min(len(p) for p in plays)):
            choices = [p[beat] for p in plays]
            shares.append(Counter(choices).most_common(1)[0][1] / len(choices))
    return {"items": len(repeated), "agreement": round(sum(shares) / len(shares), 4)}


def stance_summary(
    records: list[dict[str, Any]], stances_of: dict[tuple[str, str], dict[str, str]]
) -> dict[str, Any] | None:
    """Moral stances taken in dilemma scripts: counts per pole, and persistence across a script's beats.

    Persistence is, per transcript, the share of its beats whose stance is the transcript's most common
    one, averaged over transcripts: 1.0 means a version held one line through every beat.
    """
    poles: Counter[str] = Counter()
    persistence = []
    for record in records:
        looked_up = [
            stances_of[(record["scenario_id"], t["beat_id"])].get(t["decision"]["choice"])
            for t in record["turns"]
            if (record["scenario_id"], t["beat_id"]) in stances_of
        ]
        taken: list[str] = [pole for pole in looked_up if pole]
        poles.update(taken)
        if len(taken) > 1:
            persistence.append(Counter(taken).most_common(1)[0][1] / len(taken))
    if not poles:
        return None
    mean = round(sum(persistence) / len(persistence), 4) if persistence else None
    return {"poles": dict(sorted(poles.items())), "persistence": mean, "scripts": len(persistence)}


def mode_deltas(groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per model: canon accuracy by mode and each mode's difference from ``direct`` (no reasoning)."""
    by_model: dict[str, dict[str, float]] = defaultdict(dict)
    for group, data in groups.items():
        model, _, mode = group.rpartition(" [")
        accuracy = (data.get("canon") or {}).get("accuracy")
        if accuracy is not None:
            by_model[model][mode.rstrip("]")] = accuracy
    out = {}
    for model, modes in by_model.items():
        base = modes.get("direct")
        out[model] = {
            "accuracy": modes,
            "minus_direct": None
            if base is None
            else {m: round(a - base, 4) for m, a in modes.items() if m != "direct"},
        }
    return out


def summarize(
    transcripts: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    universe_of: dict[str, str],
    stage_of: dict[str, str],
    wall_s: float | None = None,
    target_of: dict[str, str] | None = None,
    stances_of: dict[tuple[str, str], dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Aggregate transcripts by ``model`` and ``mode``.

    ``universe_of`` maps persona id → universe; ``stage_of`` maps canon scenario id → life stage;
    ``target_of`` maps canon scenario id → the persona version it was written for.
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
            "leakage": leakage(correct, target_of or {}),
            "consistency": consistency(records),
            "stances": stance_summary(records, stances_of or {}),
        }
    uncovered = {k: v for k, v in failed_by_group.items() if k not in groups}
    for group, count in uncovered.items():
        groups[group] = {"items": 0, "failed": count}
    return {
        "groups": groups,
        "mode_deltas": mode_deltas(groups),
        "items": len(transcripts),
        "failed": len(failures),
        "wall_s": wall_s,
    }
