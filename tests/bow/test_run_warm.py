"""Items in flight: retrieval embeddings are prepared ahead of the items, never far ahead,
and the model's slots are kept busy by a few more items than ``--concurrency``."""

import asyncio

from agents.memory import ChromaMemory, open_client
from agents.scenario.beats import playable_beats
from bow.runs.executor import WARM_BATCH, play_all
from bow.runs.plan import RunItem
from bow.runs.player import ItemPlayer, PlayerSpec, RunOptions
from personas.loader import PersonaLibrary
from scenarios.loader import ScenarioLibrary
from tests.fakes import HashEmbedder


def spec_for(model, home, concurrency=8):
    options = RunOptions(suite="test", models=[model], concurrency=concurrency)
    return PlayerSpec(str(home), model, None, None, False, (), (), None, options)


def items(n):
    return [RunItem("scripted:x", f"p/{i}", f"s/{i}", "two-node", True) for i in range(n)]


def test_warming_runs_ahead_of_the_items_but_only_a_bounded_way():
    todo = items(200)
    started, warmed_ahead = [], []

    async def play(item):
        started.append(item)
        await asyncio.sleep(0.001)
        return {"transcript": {}, "scores": []}

    async def warm(batch):
        first = todo.index(batch[0])
        warmed_ahead.append(first - len(started))
        await asyncio.sleep(0)

    done = []
    asyncio.run(play_all(todo, play, lambda item, result, error: done.append(item), 4, warm=warm))
    assert len(done) == 200
    assert len(warmed_ahead) == 200 // WARM_BATCH + 1  # every batch warmed, in order
    assert warmed_ahead[0] == 0  # the first batch before (or as) the first items start
    assert max(warmed_ahead) <= 4 + 2 * WARM_BATCH  # never more than the lookahead in front


def test_a_failing_warm_up_costs_nothing_but_the_head_start():
    async def play(item):
        return {"transcript": {}, "scores": []}

    async def warm(batch):
        raise RuntimeError("embedding backend down")

    results = []
    asyncio.run(play_all(items(10), play, lambda item, result, error: results.append(error), 3, warm=warm))
    assert results == [None] * 10


def test_the_player_warms_each_item_s_opening_situation_once(tmp_path, script_file):
    embedded = []

    class Recording(HashEmbedder):
        def embed(self, texts):
            embedded.extend(texts)
            return super().embed(texts)

    personas, scenarios = PersonaLibrary.load(), ScenarioLibrary.load()
    memory = ChromaMemory(open_client(path=tmp_path / "chroma"), Recording())
    memory.build(personas.select("thor/*"))
    embedded.clear()
    spec = spec_for(script_file(["DECISION: A"]), tmp_path / "home")
    player = ItemPlayer(spec, personas=personas, scenarios=scenarios, memory=memory)
    chosen = [
        RunItem(spec.options.models[0], persona.id, scenario.id, "two-node", True)
        for persona in personas.select("thor/*")
        for scenario in scenarios.for_persona(persona.id)
        if scenario.id.startswith("dilemma/thor/")
    ]
    asyncio.run(player.warm(chosen))
    openings = {playable_beats(scenarios.get(i.scenario_id))[0].narration(None) for i in chosen}
    # Three versions share each script: one embedding per distinct opening, and nothing else.
    assert len(chosen) == 3 * len(openings) and sorted(embedded) == sorted(openings)


def test_more_items_than_model_calls_are_kept_in_flight(script_file, tmp_path):
    for concurrency, expected in ((1, 3), (8, 10), (32, 40)):
        spec = spec_for(script_file(["DECISION: A"]), tmp_path / "home", concurrency)
        player = ItemPlayer(spec, personas=PersonaLibrary.load(), scenarios=ScenarioLibrary.load())
        assert player.max_in_flight == expected
        assert all(g.concurrency == concurrency for g in player.gateways.values())
