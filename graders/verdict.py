"""What graders return. A score a judge did not give is ``unscored`` with its reason — never a default."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field


class FidelityVerdict(BaseModel):
    """A judge's verdict; field descriptions double as the schema shown to the judge."""

    reasoning: str = Field(
        max_length=600, description="Two to four sentences comparing the reply with the persona's canon."
    )
    evidence: list[Annotated[str, Field(max_length=160)]] = Field(
        default_factory=list,
        max_length=3,
        description="Up to three short quotes from the reply that decided the score.",
    )
    score: int = Field(ge=0, le=5, description="0 (nothing like this version) to 5 (exactly this version).")


class Score(BaseModel):
    """One grader's result for one turn (or one reply)."""

    grader: str = Field(description="e.g. 'thinking', 'acting', 'canon', 'tam', 'tam-label'.")
    judge: str | None = Field(default=None, description="Model spec of the judge, when a model judged.")
    value: float | None = Field(default=None, description="The score; None means unscored.")
    label: str | None = None
    unscored_reason: str | None = None
    rationale: str | None = None
    evidence: list[str] = Field(default_factory=list)
    method: str | None = Field(default=None, description="How it was obtained (rules, llm-fallback, json, ...).")

    @property
    def scored(self) -> bool:
        """Whether a value or label was produced."""
        return self.value is not None or self.label is not None


class ScoreRecord(BaseModel):
    """A line of ``scores.jsonl``: every score of one transcript turn."""

    key: str
    persona_id: str
    scenario_id: str
    model: str
    mode: str
    beat_id: str
    scores: list[Score]
