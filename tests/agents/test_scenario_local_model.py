"""The issue's bar on the embedded model: a 3-beat dilemma yields think and act at every beat."""

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents.persona_agent import PersonaAgent
from agents.scenario.graph import ScenarioDeps
from agents.scenario.runner import play
from bow.models.gateway import Gateway
from personas.loader import PersonaLibrary
from scenarios.loader import ScenarioLibrary
from tests.fakes import write_suite

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


def test_likelihood_scores_options_without_parsing():
    from langchain_core.messages import HumanMessage, SystemMessage

    from bow.models.local import LocalLlamaChat

    model = LocalLlamaChat()
    messages = [SystemMessage("You are Tony Stark."), HumanMessage("What is your father's first name?")]
    first = model.score_continuations(messages, [" Howard", " Obadiah", " Howard"])
    assert all(v < 0 for v in first) and first[0] == pytest.approx(first[2], abs=1e-4)
    again = model.score_continuations(messages, [" Obadiah"])  # state is rewound between options and calls
    assert again[0] == pytest.approx(first[1], abs=1e-4)


def test_run_with_likelihood_on_the_embedded_model(tmp_path):
    import json

    from click.testing import CliRunner

    from bow.cli.main import cli

    directory = write_suite(
        tmp_path / "scen",
        "two",
        ["iron-man/mcu-endgame"],
        ["canon/iron-man/mcu-endgame/childhood-1", "canon/iron-man/mcu-endgame/pre-hero-1"],
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(
        cli,
        [
            "--scenarios",
            str(directory),
            "run",
            "two",
            "--no-memory",
            "--mode",
            "direct",
            "--likelihood",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "scores.jsonl").read_text().splitlines()]
    likely = [s for r in rows for s in r["scores"] if s["grader"] == "canon-likelihood"]
    assert len(likely) == 2 and all(s["label"] in "ABCD" and s["value"] in (0.0, 1.0) for s in likely)


async def test_embedded_judge_gives_a_schema_verdict_and_a_probability_weighted_score():
    from graders.judges import make_fidelity_judge, make_geval_judge

    gateway = Gateway("local")
    turn = {
        "narration": "A reactor falls toward a stadium.",
        "think": "Pepper, or the crowd?",
        "act": "I fly to the reactor. Pepper would never forgive me otherwise.",
    }
    card = {"header": "Tony Stark, MCU", "profile": "Sardonic genius who protects the people he loves."}
    verdict = await make_fidelity_judge("acting", gateway)(turn, card, [])
    assert verdict.value is not None and 0 <= verdict.value <= 5 and verdict.method == "json"
    weighted = await make_geval_judge("acting", gateway)(turn, card, [])
    assert 0 <= weighted.value <= 5 and weighted.rationale.startswith("p(0..5)")


def test_calibrate_with_the_embedded_judge_on_the_shared_sample(tmp_path):
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from bow.cli.main import cli

    sample = Path(__file__).resolve().parents[3] / "shared" / "bow-annotations-sample" / "anno1_claude_sample.jsonl"
    if not sample.is_file():
        pytest.skip("shared annotation sample missing")
    # The first 6 annotated replies keep this real-model test near a minute on 2 cores.
    subset = tmp_path / "sample.jsonl"
    subset.write_text("".join(sample.read_text(encoding="utf-8").splitlines(keepends=True)[:6]), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["calibrate", "--annotations", str(subset), "--judge", "local", "--resamples", "300", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["judges"]["local"]
    for kind in ("thinking", "acting"):
        stats = report[kind]["agreement"]
        assert stats["n"] + report[kind]["unscored"] + report[kind]["human_unscored"] == 6
        assert stats["n"] >= 4  # schema-constrained decoding keeps the small judge's verdicts readable
        assert stats["exact"]["ci95"] is not None
