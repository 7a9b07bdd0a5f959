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


def follow_up_beat(dilemma: MoralDilemma) -> PlayableBeat | None:
    """BOW's multi-turn extension of a single-turn dilemma: the chosen consequence arrives, decide again."""
    if not dilemma.consequences:
        return None
    beat = Beat(
        id="aftermath",
        after={
            "A": prompts.FOLLOW_UP.format(consequence=dilemma.consequences["A"]),
            "B": prompts.FOLLOW_UP.format(consequence=dilemma.consequences["B"]),
            "other": prompts.FOLLOW_UP_OTHER,
        },
        choices={"A": prompts.STAND_BY, "B": prompts.CHANGE_COURSE},
    )
    return PlayableBeat(beat.id, beat, "", {"A": prompts.STAND_BY, "B": prompts.CHANGE_COURSE}, None, True)


def playable_beats(scenario: CanonEvent | MoralDilemma | DilemmaScript, multi_turn: bool = False) -> list[PlayableBeat]:
    """The beats a scenario plays, in order (``multi_turn`` adds a follow-up beat to single-turn dilemmas)."""
    if isinstance(scenario, CanonEvent):
        text = prompts.CANON_QUESTION.format(question=scenario.question)
        return [
            PlayableBeat(
                "question", None, text, {str(k): v for k, v in scenario.options.items()}, None, allow_other=False
            )
        ]
    if isinstance(scenario, MoralDilemma):
        follow_up = follow_up_beat(scenario) if multi_turn else None
        return [
            PlayableBeat(
                "dilemma",
                None,
                scenario.situation,
                {str(k): v for k, v in scenario.choices.items()},
                _plain(scenario.consequences),
                True,
            ),
            *([follow_up] if follow_up else []),
        ]
    return [
        PlayableBeat(
            b.id, b, b.narration or "", {str(k): v for k, v in b.choices.items()}, _plain(b.consequences), True
        )
        for b in scenario.beats
    ]


def _plain(mapping: dict[Any, str] | None) -> dict[str, str] | None:
    return None if mapping is None else {str(k): v for k, v in mapping.items()}
