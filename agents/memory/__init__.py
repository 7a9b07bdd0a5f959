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
    """The canon memory a command should use: a Chroma server if ``--chroma-url``, else embedded under the home."""
    url = getattr(settings, "chroma_url", None)
    client = open_client(url=url) if url else open_client(path=settings.home / "chroma")
    embedder = None
    if getattr(settings, "use_cache", False):  # query (and passage) vectors remembered across runs
        from bow.embeddings import MiniLMEmbedder
        from bow.embeddings.cache import CachedEmbedder

        models = settings.home / "models"
        embedder = CachedEmbedder(MiniLMEmbedder(models), settings.home / "cache" / "embeddings.sqlite")
    return ChromaMemory(client, embedder=embedder, cache_dir=settings.home / "models")
