"""The persona agent: an in-character system prompt plus retrieval from the version's own canon memory."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field

from agents.memory.protocol import CanonMemory, MemoryHit
from agents.persona_prompts import MEMORY_BLOCK, SYSTEM_PROMPT
from personas.schema import Persona


def render_system_prompt(persona: Persona) -> str:
    """The role-play system prompt built from the persona's profile, values and voice."""
    profile = persona.profile
    sources = "; ".join(f"{s.title} ({s.medium}{', ' + s.year if s.year else ''})" for s in persona.sources)
    return SYSTEM_PROMPT.format(
        display_name=persona.display_name,
        version_label=persona.version_label,
        name=persona.name,
        universe=persona.universe,
        continuity=persona.continuity,
        sources=sources,
        timeline_point=persona.timeline_point,
        age=profile.age,
        species=profile.species,
        powers=", ".join(profile.powers) or "none",
        mbti=profile.mbti or "unknown",
        enneagram=profile.enneagram or "unknown",
        values="\n".join(f"- {v}" for v in persona.values),
        moral_code=persona.moral_code,
        speech_style=persona.speech_style,
        relationships="\n".join(f"- {r.name} ({r.relation}): {r.note}" for r in persona.relationships) or "- (none)",
    ).strip()


def render_memory(hits: list[MemoryHit]) -> str:
    """Retrieved passages as a prompt block (empty string when none)."""
    if not hits:
        return ""
    return MEMORY_BLOCK.format(passages="\n".join(f"- [{h.stage}] {h.text}" for h in hits))


@dataclass
class PersonaAgent:
    """One hero version: builds its prompt and recalls passages from its own memory scope only.

    ``memory=None`` runs without retrieval (the paper's profile-only setting, ``--no-memory``).
    """

    persona: Persona
    memory: CanonMemory | None = None
    k: int = 4
    last_hits: list[MemoryHit] = field(default_factory=list)

    @functools.cached_property
    def system_prompt(self) -> str:
        """The in-character system prompt (rendered once per agent)."""
        return render_system_prompt(self.persona)

    async def arecall(self, situation: str) -> list[MemoryHit]:
        """``recall`` without blocking the event loop (batched where the memory supports it)."""
        if self.memory is None:
            self.last_hits = []
        elif hasattr(self.memory, "aquery"):
            self.last_hits = await self.memory.aquery(self.persona.id, situation, self.k)
        else:
            self.last_hits = await asyncio.to_thread(self.memory.query, self.persona.id, situation, self.k)
        return self.last_hits

    def recall(self, situation: str) -> list[MemoryHit]:
        """Top-k passages for ``situation`` from this version's scope; remembered as ``last_hits``."""
        self.last_hits = self.memory.query(self.persona.id, situation, self.k) if self.memory else []
        return self.last_hits

    def grounded_system_prompt(self, situation: str) -> str:
        """System prompt plus the passages recalled for ``situation``."""
        block = render_memory(self.recall(situation))
        return f"{self.system_prompt}\n\n{block}" if block else self.system_prompt
