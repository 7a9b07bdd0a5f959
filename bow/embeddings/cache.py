"""Embeddings remembered on disk, so a rerun or a re-grade never embeds the same text twice.

A sqlite table under the BOW home, keyed by the embedder's name and a hash of the text;
vectors are stored as float32 bytes. Lookups and writes are batched per call.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from bow.embeddings.minilm import Embedder


class EmbeddingCache:
    """A thread-safe text → vector store for one embedder name."""

    def __init__(self, path: Path, embedder_name: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.prefix = embedder_name + "\x00"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a lost entry is only embedded again
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self._db.commit()

    def _key(self, text: str) -> str:
        return hashlib.sha256((self.prefix + text).encode()).hexdigest()

    def get_many(self, texts: list[str]) -> dict[str, list[float]]:
        """The cached vectors among ``texts``."""
        keys = {self._key(t): t for t in texts}
        found: dict[str, list[float]] = {}
        with self._lock:
            for start in range(0, len(keys), 500):  # sqlite's bound-parameter limit
                chunk = list(keys)[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk):
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def put_many(self, vectors: dict[str, list[float]]) -> None:
        """Remember these vectors."""
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in vectors.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
            self._db.commit()


class CachedEmbedder:
    """An ``Embedder`` that asks the disk cache first and embeds only what it lacks."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", type(inner).__name__)
        self.cache = EmbeddingCache(path, self.name)

    def lookup(self, texts: list[str]) -> dict[str, list[float]]:
        """Only what the cache already holds (a quick read: callers may do it on the event loop)."""
        return self.cache.get_many(texts) if texts else {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors for ``texts``, from the cache where possible."""
        if not texts:
            return []
        known = self.cache.get_many(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = dict(zip(missing, self.inner.embed(missing), strict=True))
            self.cache.put_many(fresh)
            known.update(fresh)
        return [known[t] for t in texts]
