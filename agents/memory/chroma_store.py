"""Canon memory on chromadb: one collection per persona version.

A collection per version makes isolation structural: a query for one version
searches only that version's collection, so another version's passage cannot
come back, whatever the filter or the embedding. Each collection's metadata
carries a fingerprint of its passages, so a build re-embeds only what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from agents.memory.protocol import BuildReport, MemoryHit, fingerprint, passage_records
from agents.memory.snapshot import (
    SNAPSHOT_MAX_PASSAGES,
    CollectionSnapshot,
    load_snapshot,
    save_snapshot,
    snapshot_file,
)
from bow.embeddings.batching import BatchingEmbedder
from bow.embeddings.minilm import Embedder, MiniLMEmbedder
from bow.errors import BowError
from personas.schema import Persona

PREFIX = "bow_"
QUERIES_REMEMBERED = 4096  # query vectors kept by text (every version of a hero is asked the same narration)


def collection_name(persona_id: str) -> str:
    """Chroma-safe name for a persona id (``iron-man/mcu-endgame`` → ``bow_iron-man__mcu-endgame``)."""
    return PREFIX + persona_id.replace("/", "__")


def persona_id_of(name: str) -> str | None:
    """Inverse of ``collection_name``; None for collections BOW does not own."""
    return name[len(PREFIX) :].replace("__", "/") if name.startswith(PREFIX) else None


def open_client(path: Path | None = None, url: str | None = None) -> Any:
    """An embedded ``PersistentClient`` at ``path``, or an ``HttpClient`` for a Chroma server ``url``."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # noqa: BLE001 - chroma raises several kinds here
            raise BowError(f"Cannot reach the Chroma server at {url}: {exc}", "Check --chroma-url.") from None
    if path is None:
        raise BowError("No Chroma location given.")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


@dataclass(frozen=True)
class _Scope:
    """One version's collection: its size, and its in-memory snapshot when small enough."""

    collection: Any  # None when the scope came from a snapshot file
    count: int
    snapshot: CollectionSnapshot | None

    def search(self, vector: Any, k: int) -> list[MemoryHit]:
        if self.snapshot is not None:
            return self.snapshot.search(vector, k)
        return ChromaMemory._search(self.collection, list(vector), min(k, self.count))


class ChromaMemory:
    """``CanonMemory`` backed by a chroma client (embedded or server)."""

    def __init__(
        self,
        client: Any = None,
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        *,
        connect: Callable[[], Any] | None = None,
        snapshot_dir: Path | None = None,
    ) -> None:
        """``client``, or ``connect`` to make one on first need; ``snapshot_dir`` keeps snapshot files."""
        self._client = client
        self._connect = connect
        self._snapshot_dir = snapshot_dir
        self._embedder = embedder
        self._cache_dir = cache_dir
        self._scopes: dict[str, _Scope] = {}
        self._query_embedder: BatchingEmbedder | None = None

    @property
    def client(self) -> Any:
        """The chroma client, connected on first need (a run served from snapshot files never is)."""
        if self._client is None:
            if self._connect is None:
                raise BowError("This canon memory has no Chroma client.")
            self._client = self._connect()
        return self._client

    @property
    def embedder(self) -> Embedder:
        """The embedder, created on first need (a no-change rebuild never loads it)."""
        if self._embedder is None:
            self._embedder = MiniLMEmbedder(self._cache_dir)
        return self._embedder

    def _embedder_name(self) -> str:
        return self._embedder.name if self._embedder is not None else MiniLMEmbedder.name

    def indexed(self) -> dict[str, str]:
        """Persona id → fingerprint stored with its collection."""
        found: dict[str, str] = {}
        for collection in self.client.list_collections():
            persona_id = persona_id_of(collection.name)
            if persona_id is not None:
                found[persona_id] = (collection.metadata or {}).get("fingerprint", "")
        return found

    def build(self, personas: list[Persona], *, prune: bool = False, verify: bool = False) -> BuildReport:
        """Index personas whose fingerprint changed; with ``prune``, drop collections of absent personas.

        When every persona has a snapshot file at its current fingerprint, chroma is not even
        opened; ``verify`` (and ``prune``) always asks chroma itself.
        """
        report = BuildReport()
        self._scopes.clear()  # handles from before a rebuild may point at dropped collections
        name = self._embedder_name()
        wanted = {persona.id: fingerprint(persona, name) for persona in personas}
        on_file = {} if prune or verify else self._read_snapshot_files(wanted)
        if len(on_file) == len(wanted):
            self._scopes.update(on_file)
            report.unchanged.extend(wanted)
            return report
        current = self.indexed()
        changed = []
        for persona in personas:
            if current.get(persona.id) == wanted[persona.id]:
                report.unchanged.append(persona.id)
            else:
                changed.append((persona, wanted[persona.id], *passage_records(persona)))
        # One embedding pass over every changed passage (bigger batches run much faster than
        # one call per persona), done before the old index is touched: a failure loses nothing.
        texts_to_embed = [text for *_, texts, _ in changed for text in texts]
        vectors = iter(self.embedder.embed(texts_to_embed) if texts_to_embed else [])
        for persona, fingerprint_now, ids, texts, metas in changed:
            self._replace(persona.id, fingerprint_now, ids, texts, metas, [next(vectors) for _ in ids], current)
            report.embedded.append(persona.id)
            report.passages += len(ids)
        if prune:
            for persona_id in set(current) - {p.id for p in personas}:
                self.client.delete_collection(collection_name(persona_id))
                report.removed.append(persona_id)
        self._write_snapshot_files(wanted, on_file)
        return report

    def _snapshot_path(self, persona_id: str, fingerprint_now: str) -> Path | None:
        if self._snapshot_dir is None:
            return None
        return snapshot_file(self._snapshot_dir, collection_name(persona_id), fingerprint_now)

    def _read_snapshot_files(self, wanted: dict[str, str]) -> dict[str, _Scope]:
        """Scopes of the personas whose snapshot file at their fingerprint exists and reads."""
        scopes = {}
        for persona_id, fingerprint_now in wanted.items():
            path = self._snapshot_path(persona_id, fingerprint_now)
            snapshot = load_snapshot(path) if path is not None and path.is_file() else None
            if snapshot is not None:
                scopes[persona_id] = _Scope(None, len(snapshot.ids), snapshot)
        return scopes

    def _write_snapshot_files(self, wanted: dict[str, str], on_file: dict[str, _Scope]) -> None:
        """After a build: a snapshot file for each small collection without a readable one (``on_file``)."""
        if self._snapshot_dir is None:
            return
        if not on_file:  # not read before the build (verify, prune): find what is already there
            on_file = self._read_snapshot_files(wanted)
        self._scopes.update(on_file)  # the build confirmed their fingerprints: no need to ask chroma
        for persona_id, fingerprint_now in wanted.items():
            path = self._snapshot_path(persona_id, fingerprint_now)
            if persona_id not in on_file and path is not None:
                scope = self._scope(persona_id)
                if scope.snapshot is not None:
                    save_snapshot(scope.snapshot, path)

    def _replace(
        self,
        persona_id: str,
        wanted: str,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, str]],
        vectors: list[list[float]],
        current: dict[str, str],
    ) -> None:
        name = collection_name(persona_id)
        if persona_id in current:
            self.client.delete_collection(name)
        collection = self.client.create_collection(
            name,
            embedding_function=None,
            metadata={"fingerprint": wanted, "persona_id": persona_id},
            configuration={"hnsw": {"space": "cosine"}},
        )
        batch = max(1, int(self.client.get_max_batch_size()))
        for start in range(0, len(ids), batch):
            end = start + batch
            collection.add(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                documents=texts[start:end],
                metadatas=metas[start:end],
            )

    def query(self, persona_id: str, text: str, k: int = 4) -> list[MemoryHit]:
        """Nearest passages within ``persona_id``'s own collection."""
        scope = self._scope(persona_id)
        if scope.count == 0 or k <= 0:
            return []
        return scope.search(self.embedder.embed([text])[0], k)

    async def aquery(self, persona_id: str, text: str, k: int = 4) -> list[MemoryHit]:
        """``query`` for many concurrent callers.

        Query embeddings are batched across callers and remembered by text (a benchmark asks
        the same narration of every version); chroma is asked from a worker thread, and only
        the first time for a small collection (see ``snapshot``).
        """
        scope = self._scopes.get(persona_id) or await asyncio.to_thread(self._scope, persona_id)
        if scope.count == 0 or k <= 0:
            return []
        vector = (await self._queries().aembed([text]))[0]
        if scope.snapshot is not None:
            return scope.snapshot.search(vector, k)  # microseconds: no thread hop needed
        return await asyncio.to_thread(scope.search, vector, k)

    async def awarm(self, texts: list[str], batch: int = 32) -> None:
        """Embed situations that are about to be asked, ahead of time, a batch at a time.

        The vectors are remembered, so the ``aquery`` that follows finds its vector ready
        (or joins the batch still being embedded) instead of waiting for a batch of its own.
        """
        queries = self._queries()
        for start in range(0, len(texts), batch):
            await queries.aembed(texts[start : start + batch])

    def _queries(self) -> BatchingEmbedder:
        if self._query_embedder is None:
            self._query_embedder = BatchingEmbedder(self.embedder, remember=QUERIES_REMEMBERED)
        return self._query_embedder

    def _scope(self, persona_id: str) -> _Scope:
        """The persona's collection, looked up once (a build forgets them), with a snapshot if small."""
        if persona_id not in self._scopes:
            try:
                collection = self.client.get_collection(collection_name(persona_id), embedding_function=None)
            except Exception:  # noqa: BLE001 - chroma's NotFound type differs across versions
                raise BowError(
                    f"Persona '{persona_id}' has no canon-memory index yet.", "Run 'bow memory build'."
                ) from None
            count = collection.count()
            snapshot = CollectionSnapshot.fetch(collection) if 0 < count <= SNAPSHOT_MAX_PASSAGES else None
            self._scopes[persona_id] = _Scope(collection, count, snapshot)
        return self._scopes[persona_id]

    @staticmethod
    def _search(collection: Any, vector: list[float], n: int) -> list[MemoryHit]:
        """Ask chroma itself (large collections, and benchmarks of chroma's own search)."""
        result = collection.query(query_embeddings=[vector], n_results=n)
        return [
            MemoryHit(
                passage_id=pid,
                persona_id=meta["persona_id"],
                text=doc,
                stage=meta["stage"],
                kind=meta["kind"],
                source=meta["source"],
                distance=float(dist),
            )
            for pid, doc, meta, dist in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
            )
        ]
