"""Every scenario kind as a list of playable beats, so one graph plays them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.scenario import prompts
from scenarios.schema import Beat, CanonEvent, DilemmaScript, MoralDilemma


@dataclass(frozen=True)
class PlayableBeat:
    """One decision point: its narration (by previous choice), options and whether free actions count."""

    id: str
    beat: Beat | None
    opening: str
    choices: dict[str, str]
    consequences: dict[str, str] | None
    allow_other: bool

    def narration(self, previous: str | None) -> str:
        """The scripted narration, given the previous decision."""
        return self.beat.narration_for(previous) if self.beat is not None else self.opening


def playable_beats(scenario: CanonEvent | MoralDilemma | DilemmaScript) -> list[PlayableBeat]:
    """The beats a scenario plays, in order."""
    if isinstance(scenario, CanonEvent):
        text = prompts.CANON_QUESTION.format(question=scenario.question)
        return [
            PlayableBeat(
                "question", None, text, {str(k): v for k, v in scenario.options.items()}, None, allow_other=False
            )
        ]
    if isinstance(scenario, MoralDilemma):
        return [
            PlayableBeat(
                "dilemma",
                None,
                scenario.situation,
                {str(k): v for k, v in scenario.choices.items()},
                _plain(scenario.consequences),
                True,
            )
        ]
    return [
        PlayableBeat(
            b.id, b, b.narration or "", {str(k): v for k, v in b.choices.items()}, _plain(b.consequences), True
        )
        for b in scenario.beats
    ]


def _plain(mapping: dict[Any, str] | None) -> dict[str, str] | None:
    return None if mapping is None else {str(k): v for k, v in mapping.items()}
