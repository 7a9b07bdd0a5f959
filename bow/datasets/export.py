"""Export a BOW run in the benchmark authors' JSONL format (CID, name, lore, answers, question, true_label)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bow.runs.rundir import TRANSCRIPTS, read_jsonl


def _question(turn: dict[str, Any]) -> str:
    options = "\n".join(f"{k}) {v}" for k, v in sorted((turn.get("choices") or {}).items()))
    return f"{turn['narration']}\n{options}".strip()


def export_rows(run_dir: Path, personas: Any) -> list[dict[str, Any]]:
    """One row per beat of every transcript whose persona has a CID.

    ``answers`` is what the model wrote (its think, then its act, when there is a think);
    ``true_label`` is the correct letter for canon questions and empty for dilemmas,
    which have no right answer.
    """
    by_id = {p.id: p for p in personas}
    rows = []
    for record in read_jsonl(run_dir / TRANSCRIPTS):
        persona = by_id.get(record["persona_id"])
        if persona is None or persona.cid is None:
            continue
        for turn in record["turns"]:
            answer = f"{turn['think']}\n\n{turn['act']}".strip() if turn.get("think") else turn["act"]
            rows.append(
                {
                    "CID": persona.cid,
                    "name": persona.display_name,
                    "lore": str([s.title for s in persona.sources]),
                    "answers": answer,
                    "question": _question(turn),
                    "true_label": record.get("answer") or "",
                }
            )
    return rows


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> None:
    """Write rows as UTF-8 JSON lines."""
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
