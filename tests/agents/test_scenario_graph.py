"""The scenario graph on a scripted model: node order, think privacy, decisions, branching, resume."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents.memory import InMemoryMemory
from agents.persona_agent import PersonaAgent
from agents.scenario.graph import ScenarioDeps, build_scenario_graph, split_cot
from agents.scenario.runner import play
from bow.errors import ModelCallError
from bow.models.gateway import Gateway
from bow.models.scripted import ScriptedChatModel
from personas.loader import PersonaLibrary
from scenarios.loader import ScenarioLibrary
from tests.fakes import HashEmbedder

PERSONAS = PersonaLibrary.load()
SCENARIOS = ScenarioLibrary.load()
SCRIPT_ID = "dilemma/iron-man/reactor-or-city"
CANON_ID = "canon/iron-man/mcu-endgame/pre-hero-1"
SECRET = "SECRET-THOUGHT-7731"


async def no_sleep(_s):
    return None


def gateway(replies, spec="scripted:test"):
    return Gateway(spec, chat_model=ScriptedChatModel.from_replies(replies), sleep=no_sleep)


def deps_for(replies, scenario_id=SCRIPT_ID, mode="two-node", narrator=None, memory=True):
    persona = PERSONAS.get("iron-man/mcu-endgame")
    store = None
    if memory:
        store = InMemoryMemory(HashEmbedder())
        store.build([persona])
    return ScenarioDeps(
        agent=PersonaAgent(persona, store, k=2),
        scenario=SCENARIOS.get(scenario_id),
        gateway=gateway(replies),
        mode=mode,
        narrator=narrator,
    )


def two_node_replies(decisions):
    replies = []
    for letter in decisions:
        replies += [f"{SECRET} I weigh Pepper against the city.", f"I move fast.\nDECISION: {letter}"]
    return replies


async def run(deps):
    order = []
    transcript, resumed = await play(deps, InMemorySaver(), on_event=lambda node, _: order.append(node))
    return transcript, order


async def test_two_node_order_and_transcript():
    transcript, order = await run(deps_for(two_node_replies("ABA")))
    beat = ["narrate", "retrieve", "think", "act"]
    assert order == beat * 3 + ["conclude"]
    assert [t.decision.choice for t in transcript.turns] == ["A", "B", "A"]
    assert all(t.think.startswith(SECRET) and t.act for t in transcript.turns)
    assert all(len(t.retrieved) == 2 and t.retrieved[0].startswith("iron-man/mcu-endgame#") for t in transcript.turns)
    assert transcript.epilogue.startswith("The armour goes into a government hangar")


@pytest.mark.parametrize("mode", ["cot", "direct", "native"])
async def test_single_call_modes_skip_the_think_node(mode):
    reply = {"reply": "Step one, Pepper.\n\nFINAL: I dive for the car.\nDECISION: A", "reasoning": "native thought"}
    transcript, order = await run(deps_for([reply], mode=mode))
    assert order == ["narrate", "retrieve", "act"] * 3 + ["conclude"]
    first = transcript.turns[0]
    expected_think = {"cot": "Step one, Pepper.", "direct": "", "native": "native thought"}[mode]
    assert first.think == expected_think
    assert first.decision.choice == "A"
    assert first.act.endswith("DECISION: A")


async def test_branch_narration_follows_the_decision():
    transcript_a, _ = await run(deps_for(two_node_replies("AAA")))
    transcript_b, _ = await run(deps_for(two_node_replies("BAA")))
    assert transcript_a.turns[1].narration.startswith("You tear the car door off")
    assert transcript_b.turns[1].narration.startswith("You crush the swarm's control node")


async def test_think_is_never_shown_to_the_narrator():
    seen = []

    class Recording(ScriptedChatModel):
        async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
            seen.append("\n".join(str(m.content) for m in messages))
            return await super()._agenerate(messages, stop, run_manager, **kwargs)

    narrator = Gateway("scripted:narrator", chat_model=Recording.from_replies(["The river roars."]))
    transcript, _ = await run(deps_for(two_node_replies("ABA"), narrator=narrator))
    assert len(seen) == 2 and all(SECRET not in prompt for prompt in seen)
    assert "I move fast." in seen[0]  # it does see the outward act
    assert transcript.turns[1].narration == "The river roars."


async def test_persona_history_carries_acts_not_thoughts():
    seen = []

    class Recording(ScriptedChatModel):
        async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
            seen.append(messages)
            return await super()._agenerate(messages, stop, run_manager, **kwargs)

    deps = deps_for([])
    deps.gateway = Gateway("scripted:rec", chat_model=Recording.from_replies(two_node_replies("ABA")))
    await run(deps)
    last_think_prompt = seen[-2]
    history = "\n".join(str(m.content) for m in last_think_prompt[1:-1])
    assert "I move fast." in history and SECRET not in history


async def test_unreadable_decision_gets_one_repair_then_is_unparsed():
    replies = ["thinking", "I am not sure what to do.", "Still unsure, honestly."] * 3
    transcript, _ = await run(deps_for(replies))
    assert transcript.turns[0].decision.choice == "unparsed" and transcript.turns[0].decision.method == "none"
    # an unparsed decision follows the script's 'other' branch rather than a guessed one
    assert transcript.turns[2].narration.startswith("By morning, the drones are traced")


async def test_repair_prompt_can_recover_the_decision():
    replies = ["thinking", "I am not sure.", "DECISION: B"] + two_node_replies("AA")
    transcript, _ = await run(deps_for(replies))
    assert transcript.turns[0].decision.choice == "B" and transcript.turns[0].decision.method == "repair"


async def test_canon_event_is_scored_against_the_answer():
    transcript, order = await run(deps_for(["I remember the cave.", "Yinsen saved me.\nDECISION: C"], CANON_ID))
    assert order == ["narrate", "retrieve", "think", "act", "conclude"]
    assert transcript.answer == "C" and transcript.correct is True
    assert "OTHER" not in transcript.turns[0].narration


async def test_no_memory_retrieves_nothing():
    transcript, _ = await run(deps_for(two_node_replies("ABA"), memory=False))
    assert all(t.retrieved == [] for t in transcript.turns)
    assert transcript.memory is False


async def test_interrupted_run_resumes_from_its_checkpoint():
    saver = InMemorySaver()
    calls = []

    class Counting(ScriptedChatModel):
        async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
            calls.append(1)
            return await super()._agenerate(messages, stop, run_manager, **kwargs)

    failing = [*two_node_replies("A"), "thinking", {"error": "bad_request"}]
    deps = deps_for([])
    deps.gateway = Gateway("scripted:same", chat_model=Counting.from_replies(failing), sleep=no_sleep)
    with pytest.raises(ModelCallError):
        await play(deps, saver)
    assert len(calls) == 4
    deps.gateway = Gateway("scripted:same", chat_model=Counting.from_replies(two_node_replies("BA")), sleep=no_sleep)
    order = []
    transcript, resumed = await play(deps, saver, on_event=lambda node, _: order.append(node))
    assert resumed
    assert order[0] == "act"  # beat 2 restarts at the node that failed; beat 1 is not replayed
    assert [t.decision.choice for t in transcript.turns] == ["A", "B", "A"]
    finished, resumed_again = await play(deps, saver)
    assert not resumed_again and finished.turns == transcript.turns


def test_builder_compiles_with_a_checkpointer():
    graph = build_scenario_graph().compile(checkpointer=InMemorySaver())
    assert set(graph.get_graph().nodes) >= {"narrate", "retrieve", "think", "act", "conclude"}
    assert "grade" not in graph.get_graph().nodes
    assert "grade" in build_scenario_graph(graded=True).compile().get_graph().nodes


def test_split_cot():
    assert split_cot("a\nb\nFINAL: do it\nDECISION: A") == ("a\nb", "do it\nDECISION: A")
    assert split_cot("reason one\n\nreason two\n\nI act. DECISION: B") == (
        "reason one\n\nreason two",
        "I act. DECISION: B",
    )
    assert split_cot("only one paragraph DECISION: A") == ("", "only one paragraph DECISION: A")
    assert split_cot("I weigh it. Pepper matters. The city too. I fly. DECISION: B") == (
        "I weigh it. Pepper matters. The city too.",
        "I fly. DECISION: B",
    )


async def test_grade_node_runs_last_and_sees_the_finished_transcript():
    seen = []

    async def grade(record):
        seen.append(record)
        return [{"beat_id": "*", "scores": [{"grader": "test", "value": 1.0}]}]

    deps = deps_for(two_node_replies("ABA"))
    deps.grade = grade
    order = []
    await play(deps, InMemorySaver(), on_event=lambda node, _: order.append(node))
    assert order[-2:] == ["conclude", "grade"]
    assert len(seen) == 1 and len(seen[0]["turns"]) == 3 and seen[0]["persona_id"] == "iron-man/mcu-endgame"


async def test_multi_turn_extension_of_a_single_turn_dilemma():
    from scenarios.schema import MoralDilemma

    dilemma = MoralDilemma(
        id="test/one-turn",
        target={"any": True},
        dilemma_type="duty-vs-personal-desire",
        situation="Your shift starts now, and the person you love is waiting at the airport.",
        choices={"A": "Go to work.", "B": "Go to the airport."},
        consequences={"A": "The flight leaves without you.", "B": "The city goes unguarded tonight."},
    )
    deps = deps_for(two_node_replies("BA"))
    deps.scenario, deps.multi_turn = dilemma, True
    transcript, order = await run(deps)
    assert [t.beat_id for t in transcript.turns] == ["dilemma", "aftermath"]
    assert transcript.turns[1].narration.startswith("The city goes unguarded tonight.")
    deps_single = deps_for(two_node_replies("B"))
    deps_single.scenario = dilemma
    single, _ = await run(deps_single)
    assert [t.beat_id for t in single.turns] == ["dilemma"]
