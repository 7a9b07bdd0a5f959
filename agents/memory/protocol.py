"""What every canon-memory store offers: build an index, query one version's scope."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Protocol

from personas.schema import Persona


@dataclass(frozen=True)
class MemoryHit:
    """One retrieved passage and how far it is from the query (cosine distance)."""

    passage_id: str
    persona_id: str
    text: str
    stage: str
    kind: str
    source: str
    distance: float


@dataclass
class BuildReport:
    """What a build did, persona by persona."""

    embedded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    passages: int = 0


class CanonMemory(Protocol):
    """A store with one scope per persona version; a query never crosses scopes."""

    def build(self, personas: list[Persona], *, prune: bool = False) -> BuildReport:
        """Index ``personas``, re-embedding only those whose memory changed."""
        ...

    def query(self, persona_id: str, text: str, k: int = 4) -> list[MemoryHit]:
        """The ``k`` passages of ``persona_id`` nearest to ``text``."""
        ...

    def indexed(self) -> dict[str, str]:
        """Persona id → fingerprint of what is indexed for it."""
        ...


def passage_id(persona_id: str, index: int) -> str:
    """Stable id of the ``index``-th passage of a persona, e.g. ``iron-man/mcu-endgame#007``."""
    return f"{persona_id}#{index:03d}"


def passage_records(persona: Persona) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """Ids, texts and metadata of a persona's passages, in file order."""
    ids = [passage_id(persona.id, i) for i in range(len(persona.memory))]
    texts = [m.text for m in persona.memory]
    metas = [
        {"persona_id": persona.id, "stage": m.stage.value, "kind": m.kind.value, "source": m.source}
        for m in persona.memory
    ]
    return ids, texts, metas


def fingerprint(persona: Persona, embedder_name: str) -> str:
    """Hash of everything that determines a persona's index: passages and embedding model."""
    payload = json.dumps([embedder_name, [m.model_dump(mode="json") for m in persona.memory]], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
