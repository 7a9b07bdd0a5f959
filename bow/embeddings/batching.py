"""Async front for a blocking embedder: concurrent requests share batched calls, off the event loop.

Grading embeds a few short texts per item. Called one item at a time on the event
loop, each call blocks every other item and pays the model's fixed per-call cost.
Here one batch is in flight at a time, in a worker thread (ONNX releases the GIL),
and everything requested meanwhile goes into the next batch.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from bow.embeddings.minilm import Embedder


class BatchingEmbedder:
    """Wraps an ``Embedder``; ``aembed`` batches, ``embed`` passes straight through."""

    def __init__(self, inner: Embedder, max_batch: int = 256, remember: int = 0) -> None:
        self.inner = inner
        self.remember = remember  # how many recent texts to keep vectors for (0: none)
        self._remembered: OrderedDict[str, list[float]] = OrderedDict()
        self._inflight: dict[str, tuple[asyncio.Future[list[list[float]]], int]] = {}
        self.name = getattr(inner, "name", type(inner).__name__)
        self.max_batch = max_batch
        self._pending: list[tuple[list[str], asyncio.Future[list[list[float]]]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.calls = 0  # batched calls made, for tests and benchmarks

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Blocking, unbatched: for callers outside an event loop."""
        return self.inner.embed(texts)

    async def aembed(self, texts: list[str]) -> list[list[float]]:
        """Embeddings of ``texts``, computed together with whatever else is waiting."""
        if not texts:
            return []
        known = {t: self._remembered[t] for t in texts if t in self._remembered}
        # With ``remember``, a text already being embedded for another caller is waited for, not redone.
        shared = {t: self._inflight[t] for t in dict.fromkeys(texts) if t not in known and t in self._inflight}
        missing = [t for t in dict.fromkeys(texts) if t not in known and t not in shared]
        if missing:
            future: asyncio.Future[list[list[float]]] = asyncio.get_running_loop().create_future()
            self._pending.append((missing, future))
            if self.remember:
                for index, text in enumerate(missing):
                    self._inflight[text] = (future, index)
            if self._drainer is None or self._drainer.done():
                self._drainer = asyncio.create_task(self._drain())
            try:
                known.update(zip(missing, await future, strict=True))
            finally:
                for text in missing:
                    self._inflight.pop(text, None)
        for text, (other, index) in shared.items():
            known[text] = (await asyncio.shield(other))[index]
        if self.remember:
            for text in dict.fromkeys(texts):
                self._remembered[text] = known[text]
                self._remembered.move_to_end(text)
            while len(self._remembered) > self.remember:
                self._remembered.popitem(last=False)
        return [known[t] for t in texts]

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let requests issued in this loop tick join the batch
            batch = self._take_batch()
            texts = [t for request, _ in batch for t in request]
            try:
                vectors = await self._vectors(texts)
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.calls += 1
            start = 0
            for request, future in batch:
                if not future.done():
                    future.set_result(vectors[start : start + len(request)])
                start += len(request)

    async def _vectors(self, texts: list[str]) -> list[list[float]]:
        """Cached vectors read right here (no thread hop for a rerun); the rest embedded in a thread."""
        lookup = getattr(self.inner, "lookup", None)
        known = lookup(texts) if lookup is not None else {}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, await asyncio.to_thread(self.inner.embed, missing), strict=True))
        return [known[t] for t in texts]

    def _take_batch(self) -> list[tuple[list[str], Any]]:
        batch: list[tuple[list[str], Any]] = []
        size = 0
        while self._pending and (not batch or size + len(self._pending[0][0]) <= self.max_batch):
            request = self._pending.pop(0)
            batch.append(request)
            size += len(request[0])
        return batch
