"""Scenario schema: canon-event questions, single-turn moral dilemmas, and multi-turn dilemma scripts.

One YAML file holds a list of scenarios (``scenarios: [...]``) so a persona's canon
questions or a hero's dilemma scripts live together. Every model forbids unknown
keys, so a typo is an error rather than a silently ignored field.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from personas.schema import PERSONA_ID_PATTERN, SLUG, LifeStage, Strict

SCENARIO_ID = re.compile(rf"^{SLUG}(?:/{SLUG})*$")
Letter = Literal["A", "B", "C", "D"]
Choice = Literal["A", "B"]


class DilemmaType(StrEnum):
    """The paper's four moral-dilemma types."""

    LOVE_VS_GREATER_GOOD = "save-the-one-you-love-vs-greater-good"
    HERO_OR_VILLAIN = "hero-or-villain"
    DUTY_VS_DESIRE = "duty-vs-personal-desire"
    ENDS_VS_MORAL_CODE = "ends-justify-means-vs-moral-code"

    @property
    def poles(self) -> tuple[str, str]:
        """The two stances a choice of this type can take."""
        return {
            "save-the-one-you-love-vs-greater-good": ("loved-one", "greater-good"),
            "hero-or-villain": ("hero", "villain"),
            "duty-vs-personal-desire": ("duty", "desire"),
            "ends-justify-means-vs-moral-code": ("ends", "code"),
        }[self.value]


class Target(Strict):
    """Who may play a scenario: one persona, every version of a hero, or anyone."""

    persona: str | None = Field(default=None, description="One persona id, e.g. 'iron-man/mcu-endgame'.")
    hero: str | None = Field(default=None, description="Every version of this hero slug.")
    any: bool = Field(default=False, description="Any persona.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        chosen = [self.persona is not None, self.hero is not None, self.any]
        if sum(chosen) != 1:
            raise ValueError("target needs exactly one of: persona, hero, any")
        if self.persona is not None and not PERSONA_ID_PATTERN.match(self.persona):
            raise ValueError(f"target.persona '{self.persona}' is not a persona id like 'hero/version'")
        if self.hero is not None and not re.fullmatch(SLUG, self.hero):
            raise ValueError(f"target.hero '{self.hero}' is not a hero slug")
        return self

    def allows(self, persona_id: str) -> bool:
        """Whether ``persona_id`` may play this scenario."""
        if self.any:
            return True
        if self.persona is not None:
            return persona_id == self.persona
        return persona_id.split("/")[0] == self.hero

    def __str__(self) -> str:
        return self.persona or (f"{self.hero}/*" if self.hero else "*")


class ScenarioBase(Strict):
    """Fields every scenario has."""

    id: str = Field(description="Unique slug path, e.g. 'canon/iron-man/mcu-endgame/childhood-1'.")
    target: Target
    title: str | None = None
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _id_is_a_slug_path(self) -> ScenarioBase:
        if not SCENARIO_ID.match(self.id):
            raise ValueError(f"id '{self.id}' must be slugs joined by '/' (lowercase, digits, dashes)")
        return self


class CanonEvent(ScenarioBase):
    """A multiple-choice question about one life stage of a persona's canon."""

    kind: Literal["canon-event"] = "canon-event"
    stage: LifeStage
    question: str = Field(min_length=10)
    options: dict[Letter, str] = Field(description="Exactly four options, A to D.")
    answer: Letter
    source: str | None = Field(default=None, description="The canon work the answer comes from.")

    @model_validator(mode="after")
    def _options_match_answer(self) -> CanonEvent:
        if sorted(self.options) != ["A", "B", "C", "D"]:
            raise ValueError(f"options must be exactly A, B, C and D (got {', '.join(sorted(self.options))})")
        if len({o.strip().lower() for o in self.options.values()}) != 4:
            raise ValueError("options must be four different answers")
        return self


class MoralDilemma(ScenarioBase):
    """A single-turn dilemma as in the paper: a situation, two choices and their consequences."""

    kind: Literal["moral-dilemma"] = "moral-dilemma"
    dilemma_type: DilemmaType
    situation: str = Field(min_length=20)
    choices: dict[Choice, str]
    consequences: dict[Choice, str] | None = None

    @model_validator(mode="after")
    def _two_choices(self) -> MoralDilemma:
        if sorted(self.choices) != ["A", "B"]:
            raise ValueError("choices must be exactly A and B")
        if self.consequences is not None and sorted(self.consequences) != ["A", "B"]:
            raise ValueError("consequences must be given for both A and B")
        return self


class Beat(Strict):
    """One step of a dilemma script: what the world says, then a decision between A and B.

    The first beat uses ``narration``; later beats use ``after``, keyed by the
    decision taken at the previous beat (``A``, ``B``, or ``other`` for a free
    action), so consequences differ by choice.
    """

    id: str = Field(pattern=rf"^{SLUG}$")
    narration: str | None = None
    after: dict[Literal["A", "B", "other"], str] | None = None
    choices: dict[Choice, str]
    consequences: dict[Choice, str] | None = Field(
        default=None, description="Shown only in modes that show consequences."
    )
    stances: dict[Choice, str] | None = Field(
        default=None,
        description="Which pole of the dilemma each choice takes (see DilemmaType.poles), for consistency metrics.",
    )

    @model_validator(mode="after")
    def _two_choices(self) -> Beat:
        if sorted(self.choices) != ["A", "B"]:
            raise ValueError(f"beat '{self.id}': choices must be exactly A and B")
        return self

    def narration_for(self, previous: str | None) -> str:
        """The narration to show, given the previous beat's decision (None for the first beat)."""
        if previous is None or self.after is None:
            return self.narration or ""
        key = previous if previous in ("A", "B") else "other"
        return self.after.get(key) or self.after.get("other") or self.narration or ""  # type: ignore[call-overload]


class DilemmaScript(ScenarioBase):
    """A multi-turn dilemma: beats whose narration depends on the persona's previous decision."""

    kind: Literal["dilemma-script"] = "dilemma-script"
    dilemma_type: DilemmaType
    beats: list[Beat] = Field(min_length=1)
    epilogue: dict[Literal["A", "B", "other"], str] | None = Field(
        default=None, description="Narrated after the final decision, keyed by it."
    )
    narrator: Literal["scripted", "agent"] = Field(
        default="scripted", description="'agent' lets a narrator LLM write each beat from the script."
    )

    @model_validator(mode="after")
    def _beats_are_playable(self) -> DilemmaScript:
        if not self.beats[0].narration:
            raise ValueError(f"first beat '{self.beats[0].id}' needs a narration (the opening situation)")
        for beat in self.beats[1:]:
            if not beat.after or not ({"A", "B"} <= set(beat.after) or "other" in beat.after):
                raise ValueError(f"beat '{beat.id}' needs 'after' narration for A and B (or 'other')")
        ids = [b.id for b in self.beats]
        if len(set(ids)) != len(ids):
            raise ValueError("beat ids must be unique")
        poles = set(self.dilemma_type.poles)
        for beat in self.beats:
            if beat.stances is not None and (
                sorted(beat.stances) != ["A", "B"] or not set(beat.stances.values()) <= poles
            ):
                raise ValueError(f"beat '{beat.id}': stances must map A and B to {sorted(poles)}")
        return self


Scenario = Annotated[CanonEvent | MoralDilemma | DilemmaScript, Field(discriminator="kind")]


class ScenarioFile(Strict):
    """A YAML file of scenarios."""

    scenarios: list[Scenario] = Field(min_length=1)


class Suite(Strict):
    """A named selection of scenarios and personas, e.g. the ``smoke`` suite."""

    id: str = Field(pattern=rf"^{SLUG}$")
    description: str
    personas: list[str] = Field(min_length=1, description="Persona ids or globs such as 'thor/*'.")
    scenarios: list[str] = Field(min_length=1, description="Scenario ids or globs such as 'canon/*/childhood-*'.")
    per_persona_per_kind: int | None = Field(
        default=None, description="Keep at most this many scenarios of each kind per persona (first by id)."
    )
