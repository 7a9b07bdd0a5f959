"""Persona schema: one canon-specific hero version, validated from YAML.

A persona file describes who the version is (profile, values, voice) and what it
remembers (canon memory passages, each tagged with a life stage and a kind).
Every model here forbids unknown keys so a typo in a contributor's file is an
error, not a silently ignored field.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
PERSONA_ID_PATTERN = re.compile(rf"^{SLUG}/{SLUG}$")
MIN_MEMORY_PASSAGES = 20


class Strict(BaseModel):
    """Base for every persona model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LifeStage(StrEnum):
    """The benchmark's five life stages, in canon order."""

    CHILDHOOD = "childhood"
    PRE_HERO = "pre-hero"
    HERO_1 = "hero-1"
    HERO_2 = "hero-2"
    HERO_3 = "hero-3"


class MemoryKind(StrEnum):
    """What a memory passage is about."""

    EVENT = "event"
    RELATIONSHIP = "relationship"
    VALUE = "value"
    VOICE = "voice"


class Source(Strict):
    """One canon work this version is drawn from."""

    medium: str = Field(description="film, comic, tv-series, animated-series, game, ...")
    title: str
    year: str | None = Field(default=None, description="Year or range, e.g. '2019' or '1986-2011'.")


class Profile(Strict):
    """Profile attributes, as the paper's role-play prompt uses them."""

    age: str
    species: str
    powers: list[str] = Field(default_factory=list)
    mbti: str | None = None
    enneagram: str | None = None


class Relationship(Strict):
    """A person who matters to this version, and how."""

    name: str
    relation: str = Field(description="e.g. wife, mentor, rival, brother")
    note: str = Field(description="One or two sentences on what the bond means in this canon.")


class MemoryPassage(Strict):
    """One passage of canon memory, in the project's own words."""

    stage: LifeStage
    kind: MemoryKind
    source: str = Field(description="The work the passage comes from, e.g. 'Iron Man (2008)'.")
    text: str = Field(min_length=40, description="Two to five sentences, first person or third.")


class Persona(Strict):
    """A canon-specific hero version: profile, voice and canon memory."""

    id: str = Field(description="'<hero-slug>/<version-slug>', e.g. 'iron-man/mcu-endgame'.")
    cid: int | None = Field(default=None, description="The Beyond One World dataset's CID, if any.")
    hero: str = Field(description="Hero slug shared by all versions, e.g. 'iron-man'.")
    name: str = Field(description="Civilian name, e.g. 'Tony Stark'.")
    alias: str | None = Field(default=None, description="Hero name, e.g. 'Iron Man'.")
    universe: str = Field(description="Publisher universe: Marvel, DC, ...")
    continuity: str = Field(description="The continuity, e.g. 'MCU (Earth-199999)'.")
    version_label: str = Field(description="Short human label, e.g. 'MCU, Avengers: Endgame (2019)'.")
    sources: list[Source] = Field(min_length=1)
    timeline_point: str = Field(description="The moment in canon this persona speaks from.")
    profile: Profile
    values: list[str] = Field(min_length=1)
    moral_code: str
    speech_style: str
    relationships: list[Relationship] = Field(default_factory=list)
    distinct_from_siblings: str = Field(description="What sets this version apart from the hero's other versions.")
    memory: list[MemoryPassage] = Field(min_length=1)
    extensions: dict[str, Any] = Field(
        default_factory=dict,
        description="Free-form data kept through imports and exports (e.g. unknown character-card fields).",
    )

    @field_validator("id")
    @classmethod
    def _id_is_two_slugs(cls, value: str) -> str:
        if not PERSONA_ID_PATTERN.match(value):
            raise ValueError("id must look like 'hero-slug/version-slug' (lowercase, digits, dashes)")
        return value

    @model_validator(mode="after")
    def _hero_matches_id(self) -> Persona:
        if self.id.split("/")[0] != self.hero:
            raise ValueError(f"hero '{self.hero}' must equal the first part of id '{self.id}'")
        return self

    @property
    def display_name(self) -> str:
        """'Tony Stark "Iron Man"' style name used in prompts and tables."""
        return f'{self.name} "{self.alias}"' if self.alias else self.name

    @property
    def label(self) -> str:
        """Name and version together, as chat and the web app show a speaker."""
        return f"{self.display_name} ({self.version_label})"

    def coverage_problems(self) -> list[str]:
        """Content-quality problems that the schema alone does not catch.

        Shipped personas must have enough memory and cover every life stage;
        user personas may be smaller, so this is a lint, not a validation error.
        """
        problems = []
        if len(self.memory) < MIN_MEMORY_PASSAGES:
            problems.append(f"{len(self.memory)} memory passages (want at least {MIN_MEMORY_PASSAGES})")
        missing = [s.value for s in LifeStage if not any(m.stage == s for m in self.memory)]
        if missing:
            problems.append(f"no memory for life stage(s): {', '.join(missing)}")
        return problems
