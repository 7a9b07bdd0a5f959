"""Record types shared by the engine, graders and reports: transcripts and their turns."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from bow.modes import MODES, Mode  # noqa: F401 - re-exported for callers of bow.records


class Decision(BaseModel):
    """What the persona committed to at one beat.

    ``choice`` is a letter, ``other`` for a free action outside the options, or
    ``unparsed`` when the reply could not be read as a decision even after one
    repair prompt (never a guess).
    """

    choice: str = Field(description="'A'..'D', 'other' or 'unparsed'.")
    free_action: str | None = Field(default=None, description="The action, when choice is 'other'.")
    method: str = Field(
        default="marker",
        description="How it was read: marker, letter, option-text, repair, repair-constrained (the backend limited "
        "the repair reply to the valid answers), or none.",
    )


class Turn(BaseModel):
    """One beat: what the world said, what the persona privately thought, and what it did."""

    beat_id: str
    narration: str
    choices: dict[str, str] = Field(default_factory=dict)
    retrieved: list[str] = Field(default_factory=list, description="Passage ids recalled for this beat.")
    think: str = ""
    act: str = ""
    decision: Decision
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    cached: bool = False


class Transcript(BaseModel):
    """One persona playing one scenario with one model in one reasoning mode."""

    persona_id: str
    scenario_id: str
    scenario_kind: str
    model: str
    mode: Mode
    memory: bool = True
    show_consequences: bool = False
    turns: list[Turn] = Field(default_factory=list)
    epilogue: str | None = None
    answer: str | None = Field(default=None, description="The correct letter, for canon-event scenarios.")
    started_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str | None = None

    @property
    def final_decision(self) -> Decision | None:
        """The decision at the last beat played."""
        return self.turns[-1].decision if self.turns else None

    @property
    def correct(self) -> bool | None:
        """For canon events: whether the final decision is the right letter."""
        if self.answer is None or self.final_decision is None:
            return None
        return self.final_decision.choice == self.answer
