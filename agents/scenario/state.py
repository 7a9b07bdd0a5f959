"""Typed state of one scenario run (one persona, one scenario, one model, one mode)."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class ScenarioState(TypedDict, total=False):
    """What flows between the nodes; checkpointed after every node."""

    beat_index: int
    """Index of the beat being played."""

    narration: str
    """What the world says at this beat (public: every agent may see it)."""

    choices: dict[str, str]
    """The options offered at this beat, letter → text."""

    retrieved: list[dict[str, Any]]
    """Canon passages recalled for this beat (id, stage, text)."""

    think: str
    """The persona's private deliberation at this beat. Only the persona's act node reads it."""

    think_usage: dict[str, Any]
    """Tokens and latency of the think call."""

    turns: Annotated[list[dict[str, Any]], operator.add]
    """Finished turns (``bow.records.Turn`` as dicts), appended by ``act``."""

    previous_choice: str | None
    """The decision at the previous beat: decides which branch the next narration takes."""

    epilogue: str | None
    """Closing narration after the final decision."""

    scores: list[dict[str, Any]]
    """Score records from the grade node (when the graph grades its own transcript)."""
