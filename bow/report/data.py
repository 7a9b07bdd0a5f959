"""Load run directories into one plain, JSON-able report model.

The report reads run directories and never calls a model (data flows one way).
Everything downstream — terminal tables, the HTML page, ``bow compare`` — works
from the dict built here, so the shape is documented once, in ``load_report``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bow.errors import BowError
from bow.report.stats import group_stats
from bow.runs.rundir import FAILURES, FORMAT, TRANSCRIPTS, read_jsonl, read_scores

REPORT_FORMAT = "bow-report/1"
HINT = "Give a directory written by 'bow run' (it prints its path; default HOME/runs/<suite>-<hash>)."


class ReportError(BowError):
    """A path given to ``bow report`` / ``bow compare`` that is not a readable BOW run."""


def _read_json(path: Path, what: str, hint: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        detail = str(exc).splitlines()[0][:120]
        raise ReportError(f"{path}: {what} is unreadable ({detail}).", hint) from None


def check_run_dir(path: Path) -> dict[str, Any]:
    """The manifest of ``path``, or a ReportError saying why it is not a BOW run."""
    if not path.exists():
        raise ReportError(f"{path}: no such directory.", HINT)
    if not path.is_dir():
        raise ReportError(f"{path} is a file, not a run directory.", HINT)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise ReportError(f"{path} is not a BOW run directory (no manifest.json).", HINT)
    manifest = _read_json(manifest_path, "the manifest", HINT)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ReportError(f"{path} is not a BOW run directory (format {found!r}, expected {FORMAT!r}).", HINT)
    return manifest


def load_summary(path: Path, personas: Any, scenarios: Any) -> tuple[dict[str, Any], bool]:
    """``(summary, recomputed)``: summary.json, or one recomputed from the transcripts when it is missing.

    A run killed before its end has transcripts but no summary; recomputing (without writing) lets
    the report show it. A summary.json that exists but is corrupt is an error: it was written by
    ``bow run`` and something damaged it, which the user should know about.
    """
    summary_path = path / "summary.json"
    if summary_path.exists():
        hint = f"Delete {summary_path} and run this again to recompute it from the transcripts."
        summary = _read_json(summary_path, "summary.json", hint)
        if not isinstance(summary, dict) or not isinstance(summary.get("groups"), dict):
            raise ReportError(f"{summary_path} is corrupt (no 'groups' object).", hint)
        return summary, False
    if not (path / TRANSCRIPTS).exists():
        raise ReportError(
            f"{path} holds no results yet (no summary.json, no {TRANSCRIPTS}).",
            "Run the suite first (bow run ... --out DIR), or wait for a running one to finish an item.",
        )
    if personas is None or scenarios is None:
        raise ReportError(f"{path} has no summary.json.", "Re-run the same 'bow run' command to write it.")
    from bow.runs.session import summarize_dir

    # Through JSON, so a recomputed summary has exactly the types of one read from disk (lists, not tuples).
    return json.loads(json.dumps(summarize_dir(path, personas, scenarios))), True


def _lookup(library: Any, key: str) -> Any:
    if library is None:
        return None
    try:
        return library.get(key)
    except BowError:
        return None


def _scores_by_key(path: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Key → beat_id → scores (all score lines of one beat merged; crashed attempts left out)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in read_scores(path):
        out[row.get("key", "")][row.get("beat_id", "")].extend(row.get("scores") or [])
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _per_judge(beats: list[list[dict[str, Any]]], grader: str) -> dict[str, float]:
    """Judge → mean value over the item's beats, for one grader (``thinking`` or ``acting``)."""
    values: dict[str, list[float]] = defaultdict(list)
    for scores in beats:
        for score in scores:
            if score.get("grader") == grader and score.get("value") is not None:
                values[score.get("judge") or "?"].append(float(score["value"]))
    return {judge: m for judge, v in sorted(values.items()) if (m := _mean(v)) is not None}


def _headline(per_judge: dict[str, float]) -> float | None:
    """One number per item: the combined judges' score when several judged, else the only judge's."""
    if "combined" in per_judge:
        return per_judge["combined"]
    return _mean(list(per_judge.values()))


def item_row(
    run_id: str, record: dict[str, Any], scores: dict[str, list[dict[str, Any]]], personas: Any, scenarios: Any
) -> dict[str, Any]:
    """One transcript as a report row: who, what, how it scored, and every beat with its judges."""
    persona_id = record.get("persona_id", "")
    hero, _, version = persona_id.partition("/")
    persona = _lookup(personas, persona_id)
    scenario = _lookup(scenarios, record.get("scenario_id", ""))
    turns = record.get("turns") or []
    beat_scores = [scores.get(t.get("beat_id", ""), []) for t in turns]
    answer = record.get("answer")
    correct = None
    if answer:
        correct = bool(turns) and (turns[-1].get("decision") or {}).get("choice") == answer
    tam = [float(s["value"]) for b in beat_scores for s in b if s.get("grader") == "tam" and s.get("value") is not None]
    paper = [s.get("value") for s in scores.get("*", []) if s.get("grader") == "tam-paper"]
    thinking, acting = _per_judge(beat_scores, "thinking"), _per_judge(beat_scores, "acting")
    stage = getattr(scenario, "stage", None)
    target = getattr(getattr(scenario, "target", None), "persona", None) if answer else None
    return {
        "run": run_id,
        "key": record.get("key", ""),
        "hero": persona.hero if persona is not None else hero,
        "hero_name": (persona.alias or persona.name) if persona is not None else hero,
        "version": persona_id,
        "version_label": persona.version_label if persona is not None else version,
        "universe": persona.universe if persona is not None else "unknown",
        "model": record.get("model", ""),
        "mode": record.get("mode", ""),
        "group": f"{record.get('model', '')} [{record.get('mode', '')}]",
        "memory": record.get("memory"),
        "repeat": record.get("repeat", 0),
        "scenario": record.get("scenario_id", ""),
        "scenario_title": getattr(scenario, "title", None),
        "stage": getattr(stage, "value", stage),
        "kind": record.get("scenario_kind", ""),
        "answer": answer,
        "asked_version": target,
        "canon_correct": correct,
        "thinking": _headline(thinking),
        "acting": _headline(acting),
        "thinking_by_judge": thinking,
        "acting_by_judge": acting,
        "tam": _mean(tam),
        "tam_paper": paper[0] if paper else None,
        "item_scores": scores.get("*", []),
        "epilogue": record.get("epilogue"),
        "beats": [_beat(t, s) for t, s in zip(turns, beat_scores, strict=True)],
    }


def _beat(turn: dict[str, Any], scores: list[dict[str, Any]]) -> dict[str, Any]:
    keep = ("beat_id", "narration", "choices", "retrieved", "think", "act", "decision")
    return {
        **{k: turn.get(k) for k in keep},
        "tokens": {"input": turn.get("input_tokens", 0), "output": turn.get("output_tokens", 0)},
        "latency_s": turn.get("latency_s"),
        "cached": turn.get("cached"),
        "scores": scores,
    }


def _passages(items: list[dict[str, Any]], personas: Any) -> dict[str, dict[str, Any]]:
    """Retrieved passage id → its text, stage and source (text None when the persona is not installed)."""
    ids = {p for item in items for beat in item["beats"] for p in beat.get("retrieved") or []}
    out: dict[str, dict[str, Any]] = {}
    for pid in sorted(ids):
        persona_id, _, index = pid.rpartition("#")
        persona = _lookup(personas, persona_id)
        try:
            passage = persona.memory[int(index)] if persona is not None else None
        except (ValueError, IndexError):
            passage = None
        out[pid] = {
            "text": passage.text if passage is not None else None,
            "stage": getattr(passage.stage, "value", None) if passage is not None else None,
            "source": passage.source if passage is not None else None,
        }
    return out


def load_run(path: Path, run_id: str, personas: Any = None, scenarios: Any = None) -> dict[str, Any]:
    """One run directory as ``{"run", "groups", "items", "failures"}`` (see ``load_report``)."""
    manifest = check_run_dir(path)
    summary, recomputed = load_summary(path, personas, scenarios)
    transcripts = read_jsonl(path / TRANSCRIPTS)
    scores = _scores_by_key(path)
    done = {t.get("key") for t in transcripts}
    failures = [{"run": run_id, **f} for f in read_jsonl(path / FAILURES) if f.get("key") not in done]
    config = manifest.get("config") or {}
    run = {
        "id": run_id,
        "path": str(path),
        "name": path.name,
        "suite": config.get("suite"),
        "created_at": manifest.get("created_at"),
        "bow_version": manifest.get("bow_version"),
        "git_commit": manifest.get("git_commit"),
        "config": config,
        "items": summary.get("items", len(transcripts)),
        "failed": summary.get("failed", len(failures)),
        "wall_s": summary.get("wall_s"),
        "summary_recomputed": recomputed,
    }
    groups = [group_stats(run, name, data) for name, data in summary["groups"].items()]
    items = [item_row(run_id, t, scores.get(t.get("key", ""), {}), personas, scenarios) for t in transcripts]
    return {"run": run, "groups": groups, "items": items, "failures": failures}


def load_report(paths: list[Path], personas: Any = None, scenarios: Any = None) -> dict[str, Any]:
    """Every run in ``paths`` as one report model.

    Shape: ``format``, ``generated_at``, ``runs`` (one per directory: path, suite, config, items,
    failed, wall_s), ``groups`` (one per run × ``model [mode]``: canon accuracy with CI, thinking,
    acting and TAM with CI, unscored count, tokens, leakage matrix), ``items`` (one per transcript,
    from ``item_row``), ``passages`` (retrieved id → text) and ``failures``. ``personas`` and
    ``scenarios`` are libraries for names, titles and passage texts; without them, ids are shown.
    """
    loaded = [load_run(Path(p), f"r{i + 1}", personas, scenarios) for i, p in enumerate(paths)]
    items = [item for run in loaded for item in run["items"]]
    return {
        "format": REPORT_FORMAT,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": [run["run"] for run in loaded],
        "groups": [g for run in loaded for g in run["groups"]],
        "items": items,
        "passages": _passages(items, personas),
        "failures": [f for run in loaded for f in run["failures"]],
    }
