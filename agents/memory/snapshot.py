"""Exact nearest-neighbour search over one small collection, held in memory.

A persona version's canon memory is a few dozen passages. Asking chroma costs
~2.6 ms a query on this machine (request validation, the segment reader, the
HNSW index); the same exact answer from a dot product over the collection's
unit vectors costs ~10 µs. ``ChromaMemory`` therefore fetches a small
collection once and searches this snapshot; chroma stays the store of record
(builds, persistence, server mode) and still searches large collections itself.

An embedded store also keeps each snapshot in a file beside the index, named by the
persona's fingerprint, so a run whose personas are all indexed never imports chromadb
(about half a second of every start-up).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.memory.protocol import MemoryHit

SNAPSHOT_MAX_PASSAGES = 5_000  # above this, chroma's approximate index is worth its overhead


@dataclass(frozen=True)
class CollectionSnapshot:
    """Ids, documents, metadata and unit-length embeddings of one collection."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    unit_vectors: np.ndarray

    @classmethod
    def fetch(cls, collection: Any) -> CollectionSnapshot:
        """Everything in ``collection`` (one ``get``)."""
        got = collection.get(include=["embeddings", "documents", "metadatas"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = vectors / np.clip(norms, 1e-12, None)
        return cls(list(got["ids"]), list(got["documents"]), list(got["metadatas"]), unit)

    def search(self, vector: Any, k: int) -> list[MemoryHit]:
        """The ``k`` nearest passages by cosine distance (what the collections are configured with)."""
        if not self.ids or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        distances = 1.0 - self.unit_vectors @ query
        k = min(k, len(self.ids))
        nearest = np.argpartition(distances, k - 1)[:k] if k < len(self.ids) else np.arange(len(self.ids))
        nearest = nearest[np.argsort(distances[nearest], kind="stable")]
        return [
            MemoryHit(
                passage_id=self.ids[i],
                persona_id=self.metadatas[i]["persona_id"],
                text=self.documents[i],
                stage=self.metadatas[i]["stage"],
                kind=self.metadatas[i]["kind"],
                source=self.metadatas[i]["source"],
                distance=float(distances[i]),
            )
            for i in nearest
        ]


def snapshot_file(directory: Path, name: str, fingerprint: str) -> Path:
    """Where the snapshot of collection ``name`` at ``fingerprint`` is kept."""
    return directory / f"{name}.{fingerprint}.npz"


def save_snapshot(snapshot: CollectionSnapshot, path: Path) -> None:
    """Write atomically, and drop snapshots of the same collection at other fingerprints."""
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = json.dumps({"ids": snapshot.ids, "documents": snapshot.documents, "metadatas": snapshot.metadatas})
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        np.savez(handle, vectors=snapshot.unit_vectors, texts=np.frombuffer(texts.encode("utf-8"), dtype=np.uint8))
    os.replace(tmp, path)
    name = path.name.rsplit(".", 2)[0]
    for old in path.parent.glob(f"{name}.*.npz"):
        if old != path:
            old.unlink(missing_ok=True)


def load_snapshot(path: Path) -> CollectionSnapshot | None:
    """The snapshot at ``path``, or None if there is none or it cannot be read (chroma is asked then)."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            texts = json.loads(stored["texts"].tobytes().decode("utf-8"))
            vectors = stored["vectors"]
        if len(texts["ids"]) != len(vectors):
            return None
        return CollectionSnapshot(texts["ids"], texts["documents"], texts["metadatas"], vectors)
    except (OSError, ValueError, KeyError, TypeError):
        return None
