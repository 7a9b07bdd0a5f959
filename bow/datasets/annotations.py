"""Read the benchmark authors' human-annotated result files (JSONL), for judge calibration.

Rows carry ``CID, name, lore, answers, question, true_label, source_file`` and the human
``thinking_score`` / ``acting_score`` (0-5), which arrive as numbers, numeric strings,
empty strings, ``"None"`` or NaN. A score that is not a number is ``None`` — never 0.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bow.datasets.cleaning import clean_text
from bow.errors import BowError


class AnnotatedReply(BaseModel):
    """One model reply with the human scores it received."""

    cid: int | None
    name: str
    question: str
    answers: str
    true_label: str | None
    source_file: str | None
    thinking_score: float | None
    acting_score: float | None

    @property
    def task(self) -> str:
        """``canon`` or ``dilemma``, from the source file name."""
        return "dilemma" if "dilemma" in (self.source_file or "").lower() else "canon"


def parse_score(raw: Any) -> float | None:
    """A 0-5 score from whatever the file holds; None for blanks, NaN, text and out-of-range values."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    if math.isnan(value) or not 0 <= value <= 5:
        return None
    return value


def read_annotations(path: Path) -> list[AnnotatedReply]:
    """All rows of an annotation file; a malformed line is an error naming the file and line."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BowError(f"{path}: cannot read ({exc.strerror}).") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line.replace("NaN", "null")) if "NaN" in line else json.loads(line)
        except json.JSONDecodeError:
            raise BowError(f"{path}: line {number} is not valid JSON.") from None
        if not isinstance(raw, dict) or "answers" not in raw:
            raise BowError(f"{path}: line {number} is not an annotated reply (no 'answers').")
        cid = raw.get("CID")
        rows.append(
            AnnotatedReply(
                cid=int(str(cid)) if str(cid).strip().isdigit() else None,
                name=clean_text(raw.get("name") or ""),
                question=str(raw.get("question") or ""),
                answers=str(raw.get("answers") or ""),
                true_label=(str(raw["true_label"]).strip() or None) if raw.get("true_label") is not None else None,
                source_file=raw.get("source_file"),
                thinking_score=parse_score(raw.get("thinking_score")),
                acting_score=parse_score(raw.get("acting_score")),
            )
        )
    return rows
