"""Batched async embeddings: the same vectors as direct calls, fewer calls, failures reach every caller."""

import asyncio

import pytest

from bow.embeddings.batching import BatchingEmbedder
from tests.fakes import HashEmbedder


def test_concurrent_requests_share_one_call_and_get_their_own_vectors():
    inner = HashEmbedder()
    batcher = BatchingEmbedder(inner)
    requests = [[f"text {i}", f"other {i}"] for i in range(10)]

    async def go():
        return await asyncio.gather(*(batcher.aembed(r) for r in requests))

    results = asyncio.run(go())
    assert inner.calls == 1 and batcher.calls == 1
    assert results == [HashEmbedder().embed(r) for r in requests]


def test_remembered_texts_are_not_embedded_again_and_eviction_is_bounded():
    inner = HashEmbedder()
    batcher = BatchingEmbedder(inner, remember=2)
    asyncio.run(batcher.aembed(["a", "b"]))
    asyncio.run(batcher.aembed(["a", "b"]))
    assert inner.calls == 1
    asyncio.run(batcher.aembed(["c", "d", "e"]))  # more than fits: still answered, then the oldest go
    assert len(batcher._remembered) == 2
    assert asyncio.run(batcher.aembed(["a"])) == HashEmbedder().embed(["a"]) and inner.calls == 3


def test_a_failing_backend_fails_every_waiting_caller_and_the_next_batch_still_runs():
    class Flaky(HashEmbedder):
        def embed(self, texts):
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("onnx crashed")
            return super().embed(texts)

    batcher = BatchingEmbedder(Flaky())

    async def go():
        return await asyncio.gather(batcher.aembed(["x"]), batcher.aembed(["y"]), return_exceptions=True)

    first = asyncio.run(go())
    assert all(isinstance(r, RuntimeError) for r in first)
    assert asyncio.run(batcher.aembed(["z"])) == HashEmbedder().embed(["z"])


@pytest.mark.parametrize("size", [1, 300])
def test_batches_are_capped(size):
    inner = HashEmbedder()
    batcher = BatchingEmbedder(inner, max_batch=256)

    async def go():
        return await asyncio.gather(*(batcher.aembed([f"t{i}"]) for i in range(size)))

    assert len(asyncio.run(go())) == size
    assert inner.calls == (1 if size <= 256 else 2)


def test_a_text_already_in_flight_is_waited_for_not_embedded_again():
    embedded = []

    class Slow(HashEmbedder):
        def embed(self, texts):
            import time

            embedded.extend(texts)
            time.sleep(0.05)  # the second caller arrives while the first batch runs
            return super().embed(texts)

    batcher = BatchingEmbedder(Slow(), remember=10)

    async def go():
        first = asyncio.create_task(batcher.aembed(["same text"]))
        await asyncio.sleep(0.01)
        second = await batcher.aembed(["same text", "new text"])
        return await first, second

    first, second = asyncio.run(go())
    assert sorted(embedded) == ["new text", "same text"]
    assert first[0] == second[0] == HashEmbedder().embed(["same text"])[0]


def test_the_disk_cache_embeds_each_text_once_across_processes(tmp_path):
    import numpy as np

    from bow.embeddings.cache import CachedEmbedder

    inner = HashEmbedder()
    first = CachedEmbedder(inner, tmp_path / "e.sqlite")
    vectors = first.embed(["a b", "c d", "a b"])
    assert inner.calls == 1
    again = CachedEmbedder(HashEmbedder(), tmp_path / "e.sqlite")  # a new process, the same file
    assert np.allclose(again.embed(["c d", "a b"]), [vectors[1], vectors[0]], atol=1e-6)
    assert again.inner.calls == 0
    other = CachedEmbedder(type("Other", (HashEmbedder,), {"name": "other-model"})(), tmp_path / "e.sqlite")
    other.embed(["a b"])
    assert other.inner.calls == 1  # another embedder's vectors are never served
