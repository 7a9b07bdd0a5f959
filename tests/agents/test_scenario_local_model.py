"""The issue's bar on the embedded model: a 3-beat dilemma yields think and act at every beat."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents.persona_agent import PersonaAgent
from agents.scenario.graph import ScenarioDeps
from agents.scenario.runner import play
from bow.models.gateway import Gateway
from personas.loader import PersonaLibrary
from scenarios.loader import ScenarioLibrary

pytestmark = pytest.mark.real_model


@pytest.mark.parametrize("mode", ["two-node", "cot"])
async def test_embedded_model_thinks_and_acts_at_every_beat(mode):
    persona = PersonaLibrary.load().get("iron-man/mcu-endgame")
    deps = ScenarioDeps(
        agent=PersonaAgent(persona, None),
        scenario=ScenarioLibrary.load().get("dilemma/iron-man/reactor-or-city"),
        gateway=Gateway("local"),
        mode=mode,
    )
    transcript, _ = await play(deps, InMemorySaver())
    assert len(transcript.turns) == 3
    for turn in transcript.turns:
        assert turn.think.strip() and turn.act.strip(), turn
        assert turn.decision.choice in {"A", "B", "other", "unparsed"}
        assert turn.output_tokens > 0
