"""Canon memory: version isolation for every hero, incremental builds, failures lose nothing."""

import pytest

from agents.memory import ChromaMemory, InMemoryMemory, open_client
from agents.memory.chroma_store import collection_name
from bow.errors import BowError
from personas.loader import PersonaLibrary
from tests.fakes import HashEmbedder

LIBRARY = PersonaLibrary.load()
HEROES = sorted(LIBRARY.heroes())


class FailingEmbedder(HashEmbedder):
    def embed(self, texts):
        raise RuntimeError("embedding backend crashed")


@pytest.fixture(scope="module")
def chroma_all(tmp_path_factory):
    """All shipped personas in a real embedded chroma, with the real MiniLM embeddings."""
    memory = ChromaMemory(open_client(path=tmp_path_factory.mktemp("chroma")), cache_dir=tmp_path_factory.mktemp("m"))
    report = memory.build(list(LIBRARY))
    assert len(report.embedded) == len(LIBRARY)
    return memory


@pytest.mark.parametrize("hero", HEROES)
def test_versions_never_see_each_other(chroma_all, hero):
    versions = LIBRARY.heroes()[hero]
    for target in versions:
        for sibling in versions:
            if sibling.id == target.id:
                continue
            # Ask with a sibling's own passage text: the best possible match lives in the sibling's scope.
            probe = sibling.memory[len(sibling.memory) // 2].text
            hits = chroma_all.query(target.id, probe, k=8)
            assert hits, target.id
            assert {h.persona_id for h in hits} == {target.id}
            assert all(h.passage_id.startswith(target.id + "#") for h in hits)
            own_texts = {m.text for m in target.memory}
            assert all(h.text in own_texts for h in hits)


def test_real_embeddings_find_the_relevant_passage(chroma_all):
    persona = LIBRARY.get("iron-man/mcu-endgame")
    wanted = next(i for i, m in enumerate(persona.memory) if "Yinsen" in m.text)
    hits = chroma_all.query(persona.id, "Who kept you alive in the cave after you were captured?", k=3)
    assert f"{persona.id}#{wanted:03d}" in [h.passage_id for h in hits]
    assert hits == sorted(hits, key=lambda h: h.distance)


def test_rebuild_with_nothing_changed_embeds_nothing(tmp_path):
    embedder = HashEmbedder()
    memory = ChromaMemory(open_client(path=tmp_path), embedder)
    personas = LIBRARY.select("thor/*")
    assert len(memory.build(personas).embedded) == 3
    calls = embedder.calls
    report = memory.build(personas)
    assert report.embedded == [] and len(report.unchanged) == 3 and embedder.calls == calls


def test_only_the_changed_persona_is_reembedded(tmp_path):
    memory = ChromaMemory(open_client(path=tmp_path), HashEmbedder())
    personas = LIBRARY.select("thor/*")
    memory.build(personas)
    changed = personas[0].model_copy(deep=True)
    changed.memory[0].text = "A rewritten passage: Heimdall keeps watch over the Bifrost bridge at night."
    report = memory.build([changed, *personas[1:]])
    assert report.embedded == [changed.id]
    hits = memory.query(changed.id, "Heimdall keeps watch over the Bifrost bridge", k=1)
    assert hits[0].text.startswith("A rewritten passage")


def test_a_failed_build_keeps_the_existing_index(tmp_path):
    path = tmp_path / "chroma"
    personas = LIBRARY.select("hulk/*")
    ChromaMemory(open_client(path=path), HashEmbedder()).build(personas)
    changed = personas[0].model_copy(deep=True)
    changed.memory[0].text += " Changed."
    with pytest.raises(RuntimeError):
        ChromaMemory(open_client(path=path), FailingEmbedder()).build([changed])
    survivor = ChromaMemory(open_client(path=path), HashEmbedder())
    assert len(survivor.query(changed.id, "anything", k=50)) == len(personas[0].memory)


def test_prune_drops_personas_that_are_gone(tmp_path):
    memory = ChromaMemory(open_client(path=tmp_path), HashEmbedder())
    memory.build(LIBRARY.select("thor/*"))
    report = memory.build(LIBRARY.select("thor/earth-616"), prune=True)
    assert sorted(report.removed) == ["thor/mcu-love-and-thunder", "thor/what-if-only-child"]
    assert set(memory.indexed()) == {"thor/earth-616"}
    assert collection_name("thor/earth-616") == "bow_thor__earth-616"


def test_querying_an_unindexed_persona_says_how_to_fix(tmp_path):
    memory = ChromaMemory(open_client(path=tmp_path), HashEmbedder())
    with pytest.raises(BowError) as info:
        memory.query("thor/earth-616", "Mjolnir")
    assert "bow memory build" in str(info.value)


def test_in_memory_fake_keeps_namespaces_apart():
    memory = InMemoryMemory(HashEmbedder())
    memory.build(LIBRARY.select("spider-man/*"))
    sibling = LIBRARY.get("spider-man/raimi-spider-man-3")
    hits = memory.query("spider-man/mcu-no-way-home", sibling.memory[0].text, k=5)
    assert {h.persona_id for h in hits} == {"spider-man/mcu-no-way-home"}


def test_onnx_and_torch_embeddings_agree(tmp_path):
    from bow.embeddings.minilm import MiniLMEmbedder

    texts = ["The suit of armour was built in a cave.", "Wakanda forever."]
    fast = MiniLMEmbedder(tmp_path).embed(texts)
    slow = MiniLMEmbedder(None).embed(texts)
    assert any(p.suffix == ".onnx" for p in tmp_path.iterdir())  # the fast path really ran
    for a, b in zip(fast, slow, strict=True):
        assert sum(x * y for x, y in zip(a, b, strict=True)) > 0.9999


def test_concurrent_async_queries_match_sync_ones_and_share_batches(tmp_path):
    import asyncio

    embedded = []

    class Recording(HashEmbedder):
        def embed(self, texts):
            embedded.extend(texts)
            return super().embed(texts)

    embedder = Recording()
    memory = ChromaMemory(open_client(path=tmp_path), embedder)
    personas = LIBRARY.select("thor/*")
    memory.build(personas)
    embedded.clear()
    situations = ["Mjolnir will not lift", "Loki lies again", "Asgard burns", "Mjolnir will not lift"]

    async def ask_all():
        return await asyncio.gather(*(memory.aquery(p.id, s, k=3) for p in personas for s in situations))

    calls = embedder.calls
    together = asyncio.run(ask_all())
    batched_calls, texts_embedded = embedder.calls - calls, list(embedded)
    alone = [memory.query(p.id, s, k=3) for p in personas for s in situations]
    assert [[h.passage_id for h in hits] for hits in together] == [[h.passage_id for h in hits] for hits in alone]
    assert all(h.persona_id == hits[0].persona_id for hits in together for h in hits)
    # Twelve queries, three distinct texts: each text is embedded once, however the calls interleave.
    assert 1 <= batched_calls <= 3 and sorted(texts_embedded) == sorted(set(situations))


def test_in_memory_snapshot_answers_exactly_what_chroma_answers(chroma_all):
    """Every shipped version, probed with passages of its own and of other heroes: same ids, order, distances."""
    probes = [LIBRARY.get(p).memory[3].text for p in ("thor/mcu-love-and-thunder", "batman/dark-knight-trilogy")]
    for persona in LIBRARY:
        scope = chroma_all._scope(persona.id)
        assert scope.snapshot is not None and scope.count == len(persona.memory)
        for probe in [persona.memory[0].text, *probes]:
            vector = chroma_all.embedder.embed([probe])[0]
            mine = scope.snapshot.search(vector, 5)
            theirs = ChromaMemory._search(scope.collection, list(vector), 5)
            assert [h.passage_id for h in mine] == [h.passage_id for h in theirs]
            assert all(abs(a.distance - b.distance) < 1e-4 for a, b in zip(mine, theirs, strict=True))


def test_a_large_collection_is_searched_by_chroma_itself(tmp_path, monkeypatch):
    import agents.memory.chroma_store as store

    monkeypatch.setattr(store, "SNAPSHOT_MAX_PASSAGES", 3)  # every shipped persona counts as large
    memory = ChromaMemory(open_client(path=tmp_path), HashEmbedder())
    memory.build(LIBRARY.select("thor/*"))
    scope = memory._scope("thor/mcu-love-and-thunder")
    assert scope.snapshot is None
    hits = memory.query("thor/mcu-love-and-thunder", "Hela shatters the hammer", k=4)
    assert len(hits) == 4 and {h.persona_id for h in hits} == {"thor/mcu-love-and-thunder"}


def snapshot_memory(tmp_path, connects):
    def connect():
        connects.append(1)
        return open_client(path=tmp_path / "chroma")

    return ChromaMemory(embedder=HashEmbedder(), connect=connect, snapshot_dir=tmp_path / "chroma" / "bow-snapshots")


def test_an_indexed_persona_is_served_from_its_snapshot_file_without_opening_chroma(tmp_path):
    connects = []
    personas = LIBRARY.select("thor/*")
    first = snapshot_memory(tmp_path, connects)
    first.build(personas)
    expected = [first.query(p.id, "the hammer and worthiness", k=4) for p in personas]
    assert connects == [1] and len(list((tmp_path / "chroma" / "bow-snapshots").glob("*.npz"))) == 3

    later = snapshot_memory(tmp_path, connects)
    report = later.build(personas)
    assert sorted(report.unchanged) == sorted(p.id for p in personas) and not report.embedded
    assert [later.query(p.id, "the hammer and worthiness", k=4) for p in personas] == expected
    assert connects == [1]  # the second memory never connected


def test_a_changed_persona_is_rebuilt_and_its_old_snapshot_file_dropped(tmp_path):
    connects = []
    persona = LIBRARY.get("thor/earth-616")
    snapshot_memory(tmp_path, connects).build([persona])
    changed = persona.model_copy(update={"memory": [*persona.memory[:-1], persona.memory[0]]})
    memory = snapshot_memory(tmp_path, connects)
    report = memory.build([changed])
    assert report.embedded == [persona.id] and connects == [1, 1]
    files = list((tmp_path / "chroma" / "bow-snapshots").glob("*.npz"))
    assert len(files) == 1
    hits = memory.query(persona.id, persona.memory[0].text, k=2)
    assert {h.passage_id for h in hits} == {f"{persona.id}#000", f"{persona.id}#{len(persona.memory) - 1:03d}"}


def test_verify_and_an_unreadable_snapshot_file_ask_chroma(tmp_path):
    connects = []
    personas = LIBRARY.select("thor/*")
    snapshot_memory(tmp_path, connects).build(personas)
    snapshot_memory(tmp_path, connects).build(personas, verify=True)
    assert connects == [1, 1]
    next((tmp_path / "chroma" / "bow-snapshots").glob("*.npz")).write_bytes(b"torn write")
    memory = snapshot_memory(tmp_path, connects)
    assert sorted(memory.build(personas).unchanged) == sorted(p.id for p in personas)
    assert connects == [1, 1, 1]
    assert all(memory.query(p.id, "Asgard", k=3) for p in personas)
    snapshot_memory(tmp_path, connects).build(personas)  # the torn file was written anew
    assert connects == [1, 1, 1]
