"""An in-process ``CanonMemory`` (numpy cosine search) for fast tests and ephemeral use."""

from __future__ import annotations

import numpy as np

from agents.memory.protocol import BuildReport, MemoryHit, fingerprint, passage_records
from bow.embeddings.minilm import Embedder
from bow.errors import BowError
from personas.schema import Persona


class InMemoryMemory:
    """Same behaviour as the chroma store, one namespace per persona, nothing on disk."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._scopes: dict[str, tuple[str, list[str], list[str], list[dict[str, str]], np.ndarray]] = {}

    def indexed(self) -> dict[str, str]:
        """Persona id → fingerprint."""
        return {pid: scope[0] for pid, scope in self._scopes.items()}

    def build(self, personas: list[Persona], *, prune: bool = False) -> BuildReport:
        """Embed personas whose fingerprint changed."""
        report = BuildReport()
        for persona in personas:
            wanted = fingerprint(persona, self.embedder.name)
            if persona.id in self._scopes and self._scopes[persona.id][0] == wanted:
                report.unchanged.append(persona.id)
                continue
            ids, texts, metas = passage_records(persona)
            vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
            self._scopes[persona.id] = (wanted, ids, texts, metas, vectors)
            report.embedded.append(persona.id)
            report.passages += len(ids)
        if prune:
            for persona_id in set(self._scopes) - {p.id for p in personas}:
                del self._scopes[persona_id]
                report.removed.append(persona_id)
        return report

    def query(self, persona_id: str, text: str, k: int = 4) -> list[MemoryHit]:
        """Nearest passages by cosine distance within one persona's scope."""
        if persona_id not in self._scopes:
            raise BowError(f"Persona '{persona_id}' has no canon-memory index yet.", "Build the memory first.")
        _, ids, texts, metas, vectors = self._scopes[persona_id]
        query = np.asarray(self.embedder.embed([text])[0], dtype=np.float32)
        distances = 1.0 - vectors @ query
        order = np.argsort(distances)[:k]
        return [
            MemoryHit(
                ids[i],
                metas[i]["persona_id"],
                texts[i],
                metas[i]["stage"],
                metas[i]["kind"],
                metas[i]["source"],
                float(distances[i]),
            )
            for i in order
        ]
