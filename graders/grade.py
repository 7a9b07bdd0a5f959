"""Grade transcripts: canon accuracy, thinking and acting fidelity, Think-Act Matching.

Works on transcript records (dicts as stored in ``transcripts.jsonl``), so it grades a
run as it happens, a finished run again, or replies produced elsewhere.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bow.embeddings import Embedder
from bow.models.gateway import Gateway
from graders.canon import grade_choice
from graders.judges import JudgeFn, combine, make_fidelity_judge, make_geval_judge
from graders.tam import atam_scores, tam_label
from graders.verdict import Score, ScoreRecord


@dataclass
class GraderSet:
    """Which graders run: judges are optional (canon rules and TAM need no model)."""

    judges: list[Gateway] = field(default_factory=list)
    embedder: Embedder | None = None
    how: str = "mean"
    label_tam: bool = True

    def fidelity_judges(self) -> list[tuple[str, JudgeFn]]:
        """(kind, judge) pairs for every judge model (plus a G-Eval judge where log-probabilities exist)."""
        pairs = [(kind, make_fidelity_judge(kind, g)) for g in self.judges for kind in ("thinking", "acting")]
        for gateway in self.judges:
            if getattr(gateway.model, "supports_likelihood", False):
                pairs += [(f"{kind}-geval", make_geval_judge(kind, gateway)) for kind in ("thinking", "acting")]
        return pairs


async def grade_record(
    record: dict[str, Any], persona_card: dict[str, Any], passages: dict[str, str], graders: GraderSet
) -> list[ScoreRecord]:
    """Scores for every turn of one transcript, plus one transcript-level record (``beat_id='*'``)."""
    turns = record["turns"]
    tam, tam_paper = await atam_scores(turns, graders.embedder) if graders.embedder is not None else ([], None)
    judges = graders.fidelity_judges()
    fallback = graders.judges[0] if graders.judges else None
    out = []
    for index, turn in enumerate(turns):
        scores: list[Score] = []
        if record.get("answer"):
            scores.append(await grade_choice(turn["act"], turn.get("choices") or {}, record["answer"], fallback))
        recalled = [passages[p] for p in turn.get("retrieved") or [] if p in passages]
        judged = await asyncio.gather(*(judge(turn, persona_card, recalled) for _, judge in judges))
        for kind in ("thinking", "acting", "thinking-geval", "acting-geval"):
            mine = [s for (k, _), s in zip(judges, judged, strict=True) if k == kind]
            scores.extend(mine)
            if len(mine) > 1:
                scores.append(combine(mine, graders.how))
        if tam:
            scores.append(tam[index])
        if fallback is not None and graders.label_tam and turn.get("think"):
            scores.append(await tam_label(turn, fallback))
        out.append(_record(record, turn["beat_id"], scores))
    if tam_paper is not None:
        out.append(
            _record(record, "*", [Score(grader="tam-paper", value=tam_paper, method="max over think/act pairs")])
        )
    return out


def _record(record: dict[str, Any], beat_id: str, scores: list[Score]) -> ScoreRecord:
    return ScoreRecord(
        key=record.get("key", ""),
        persona_id=record["persona_id"],
        scenario_id=record["scenario_id"],
        model=record["model"],
        mode=record["mode"],
        beat_id=beat_id,
        scores=scores,
    )
