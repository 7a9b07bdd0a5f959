"""Canon memory: one retrieval scope per persona version."""

from __future__ import annotations

from typing import Any

from agents.memory.chroma_store import ChromaMemory, open_client
from agents.memory.in_memory import InMemoryMemory
from agents.memory.protocol import BuildReport, CanonMemory, MemoryHit
from bow.embeddings.minilm import Embedder, MiniLMEmbedder

__all__ = [
    "BuildReport",
    "CanonMemory",
    "ChromaMemory",
    "Embedder",
    "InMemoryMemory",
    "MemoryHit",
    "MiniLMEmbedder",
    "open_memory",
]


def open_memory(settings: Any) -> ChromaMemory:
    """The canon memory a command should use: a Chroma server if ``--chroma-url``, else embedded under the home.

    The embedded store is opened lazily, so a missing or unreadable index surfaces on first use.
    """
    url = getattr(settings, "chroma_url", None)
    chroma_dir = settings.home / "chroma"
    embedder = None
    if getattr(settings, "use_cache", False):  # query (and passage) vectors remembered across runs
        from bow.embeddings import MiniLMEmbedder
        from bow.embeddings.cache import CachedEmbedder

        models = settings.home / "models"
        embedder = CachedEmbedder(MiniLMEmbedder(models), settings.home / "cache" / "embeddings.sqlite")
    if url:  # a server is shared and may change under us: always ask it
        return ChromaMemory(open_client(url=url), embedder=embedder, cache_dir=settings.home / "models")
    # Embedded: connect only when needed; snapshot files live inside the index's own directory,
    # so deleting the index deletes them too.
    return ChromaMemory(
        embedder=embedder,
        cache_dir=settings.home / "models",
        connect=lambda: open_client(path=chroma_dir),
        snapshot_dir=chroma_dir / "bow-snapshots",
    )
