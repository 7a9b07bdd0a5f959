"""Grade replies saved in the benchmark authors' JSONL format with BOW's graders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bow.datasets.cleaning import split_option
from bow.runs.rundir import read_jsonl

OPTION_LINE = re.compile(r"^\s*\(?[A-Da-d]\s*[\)\.:]\s+\S", re.MULTILINE)


def options_in(question: str) -> dict[str, str]:
    """Lettered options listed in a prompt's text (``A) ...`` lines)."""
    found: dict[str, str] = {}
    for line in question.splitlines():
        if OPTION_LINE.match(line):
            letter, text = split_option(line)
            if letter and letter not in found:
                found[letter] = text
    return found


def _card(row: dict[str, Any], by_cid: dict[int, Any]) -> tuple[dict[str, str], Any]:
    from bow.runs.grading import persona_card

    cid = row.get("CID")
    persona = by_cid.get(int(str(cid))) if str(cid).strip().isdigit() else None
    if persona is not None:
        return persona_card(persona), persona
    return {"header": str(row.get("name", "unknown")), "profile": f"Canon sources: {row.get('lore', 'unknown')}"}, None


async def grade_authors_file(path: Path, personas: Any, graders: Any) -> dict[str, Any]:
    """Per row: the option read (and how) and correctness for canon rows; judged scores when judges are set."""
    from graders.canon import grade_choice

    by_cid = {p.cid: p for p in personas if p.cid is not None}
    fallback = graders.judges[0] if graders.judges else None
    judges = graders.fidelity_judges()
    results = []
    for number, row in enumerate(read_jsonl(path), start=1):
        question, reply = str(row.get("question") or ""), str(row.get("answers") or "")
        options = options_in(question)
        label = str(row.get("true_label") or "").strip().upper() or None
        out: dict[str, Any] = {"line": number, "CID": row.get("CID")}
        if options:
            canon = await grade_choice(reply, options, label if label in options else None, fallback)
            out.update(
                choice=canon.label,
                method=canon.method or canon.unscored_reason,
                correct=None if canon.value is None else canon.value == 1.0,
            )
        card, _persona = _card(row, by_cid)
        turn = {"narration": question, "think": reply, "act": reply}
        for kind, judge in judges:
            score = await judge(turn, card, [])
            out[kind] = score.value if score.value is not None else f"unscored: {score.unscored_reason}"
        results.append(out)
    graded = [r for r in results if r.get("correct") is not None]
    summary = {
        "rows": len(results),
        "canon_rows": sum("choice" in r for r in results),
        "accuracy": round(sum(r["correct"] for r in graded) / len(graded), 4) if graded else None,
    }
    return {"file": str(path), "summary": summary, "rows": results}
