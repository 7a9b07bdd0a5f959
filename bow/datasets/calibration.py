"""``bow calibrate``: run judges on human-scored replies and measure agreement."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bow.datasets.annotations import read_annotations


def run_calibration(settings: Any, path: Path, judges: list[str], resamples: int = 2000) -> dict[str, Any]:
    """For each judge and score type: agreement statistics over rows both humans and the judge scored."""
    from bow.models.gateway import open_gateway
    from graders.calibrate import agreement
    from graders.judges import make_fidelity_judge

    rows = read_annotations(path)
    report: dict[str, Any] = {"file": str(path), "rows": len(rows), "judges": {}}
    for spec in judges:
        gateway = open_gateway(settings, spec)
        per_kind: dict[str, Any] = {}
        for kind in ("thinking", "acting"):
            judge = make_fidelity_judge(kind, gateway)

            async def score_all(judge: Any = judge) -> list[Any]:
                return await asyncio.gather(
                    *(
                        judge(
                            {"narration": r.question, "think": r.answers, "act": r.answers},
                            {"header": r.name, "profile": "Known from its canon sources."},
                            [],
                        )
                        for r in rows
                    )
                )

            scores = asyncio.run(score_all())
            human = [getattr(r, f"{kind}_score") for r in rows]
            pairs = [(h, s.value) for h, s in zip(human, scores, strict=True) if h is not None and s.value is not None]
            reasons: dict[str, int] = {}
            for s in scores:
                if s.value is None:
                    reasons[s.unscored_reason or "unscored"] = reasons.get(s.unscored_reason or "unscored", 0) + 1
            per_kind[kind] = {
                "agreement": agreement([p[0] for p in pairs], [p[1] for p in pairs], resamples=resamples),
                "unscored": sum(reasons.values()),
                "unscored_reasons": reasons,
                "human_unscored": sum(h is None for h in human),
            }
        report["judges"][spec] = per_kind
    return report
