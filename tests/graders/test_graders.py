"""Graders on scripted judges: verdict parsing, unscored handling, combination, TAM, canon fallback, stats."""

import json

import pytest

from bow.models.gateway import Gateway, RetryPolicy
from bow.models.scripted import ScriptedChatModel
from graders.aggregate import mean_ci, summarize_scores
from graders.calibrate import agreement, quadratic_kappa, spearman
from graders.canon import grade_choice
from graders.judges import combine, make_fidelity_judge, parse_verdict
from graders.tam import tam_label, tam_scores
from graders.verdict import Score
from tests.fakes import HashEmbedder

TURN = {
    "beat_id": "b1",
    "narration": "The reactor is falling.",
    "think": "Pepper first, always.",
    "act": "I dive for Pepper.\nDECISION: A",
    "choices": {"A": "Save Pepper.", "B": "Stop the reactor."},
}
CARD = {"header": "Tony Stark, MCU", "profile": "Sardonic genius."}


async def no_sleep(_s):
    return None


def judge_gateway(replies, spec="scripted:judge"):
    return Gateway(
        spec, chat_model=ScriptedChatModel.from_replies(replies), sleep=no_sleep, retry=RetryPolicy(max_retries=1)
    )


def verdict(score, reasoning="Fits his canon."):
    return json.dumps({"reasoning": reasoning, "evidence": ["Pepper first"], "score": score})


def test_parse_verdict_variants():
    assert parse_verdict(f"Here you go: {verdict(4)}")[0].score == 4
    assert parse_verdict('{"reasoning": "x", "score": 9}')[1].startswith("unreadable verdict")
    assert parse_verdict("I'm sorry, but I cannot evaluate this.")[1] == "the judge refused"
    assert parse_verdict("Four out of five.")[1] == "no JSON verdict in the judge's reply"
    assert parse_verdict("")[1] == "empty judge reply"


async def test_judge_scores_and_keeps_its_rationale():
    score = await make_fidelity_judge("thinking", judge_gateway([verdict(5)]))(TURN, CARD, ["passage"])
    assert (score.grader, score.value, score.method) == ("thinking", 5.0, "json")
    assert score.rationale == "Fits his canon." and score.evidence == ["Pepper first"]


@pytest.mark.parametrize(
    "reply, reason",
    [
        ("garbled ###", "no JSON verdict"),
        ({"error": "timeout"}, "judge call failed"),
        ("I'm sorry, but I can't help with that.", "the judge refused"),
    ],
)
async def test_judge_failures_are_unscored_never_a_default(reply, reason):
    score = await make_fidelity_judge("acting", judge_gateway([reply]))(TURN, CARD, [])
    assert score.value is None and reason in score.unscored_reason


async def test_empty_think_is_unscored_without_a_call():
    gateway = judge_gateway([verdict(5)])
    score = await make_fidelity_judge("thinking", gateway)({**TURN, "think": ""}, CARD, [])
    assert score.value is None and gateway.accounting.snapshot() == {}


def test_combine_mean_majority_and_all_unscored():
    scores = [Score(grader="acting", value=v) for v in (5, 4, 4)] + [Score(grader="acting", unscored_reason="x")]
    assert combine(scores).value == pytest.approx(4.333, abs=1e-3)
    assert combine(scores, "majority").value == 4
    assert combine([Score(grader="acting", unscored_reason="a")]).value is None


def test_tam_per_turn_and_paper_variant():
    turns = [TURN, {**TURN, "think": "", "act": "Anything"}, {**TURN, "think": "same words", "act": "same words"}]
    scores, paper = tam_scores(turns, HashEmbedder())
    assert scores[1].value is None and scores[1].unscored_reason == "empty think"
    assert scores[2].value == pytest.approx(1.0, abs=1e-4)
    assert paper == pytest.approx(1.0, abs=1e-4) and 0 <= scores[0].value <= 1


async def test_tam_label():
    assert (await tam_label(TURN, judge_gateway(["It clearly follows."]))).label == "follows"
    assert (await tam_label(TURN, judge_gateway(["Hmm."]))).value is None


async def test_canon_fallback_only_when_rules_are_unsure():
    options = {"A": "Pull the hostage out of the burning car.", "B": "Chase the bomber down the highway."}
    sure = await grade_choice("DECISION: B", options, "B", judge_gateway(["A"]))
    assert (sure.label, sure.method, sure.value) == ("B", "marker", 1.0)
    unsure = await grade_choice(
        "I sprint to the burning car and drag the hostage clear.", options, "A", judge_gateway(["The answer is A"])
    )
    assert (unsure.label, unsure.method, unsure.value) == ("A", "llm-fallback", 1.0)
    unreadable = await grade_choice("It was long ago.", options, "A")
    assert unreadable.value is None and unreadable.unscored_reason


def test_agreement_statistics():
    import numpy as np

    assert spearman(np.array([1, 2, 3, 4.0]), np.array([2, 3, 4, 5.0])) == pytest.approx(1.0)
    assert spearman(np.array([3, 3, 3.0]), np.array([1, 2, 3.0])) is None  # constant side: undefined
    a, b = np.array([0, 1, 2, 3, 4, 5.0]), np.array([0, 1, 2, 3, 4, 5.0])
    assert spearman(a, b) == pytest.approx(1.0) and quadratic_kappa(a, b) == pytest.approx(1.0)
    assert spearman(a, a[::-1]) == pytest.approx(-1.0)
    result = agreement([5, 4, 4, 3, 5, 2, 4, 3], [5, 4, 3, 3, 4, 2, 5, 3], resamples=300)
    assert result["n"] == 8 and result["exact"]["value"] == pytest.approx(5 / 8)
    assert result["within_1"]["value"] == 1.0
    low, high = result["spearman"]["ci95"]
    assert low <= result["spearman"]["value"] <= high


def test_mean_ci_and_summary_counts_unscored():
    assert mean_ci([]) == {"n": 0, "mean": None, "ci95": None}
    ci = mean_ci([4, 5, 3, 4])["ci95"]
    assert ci[0] < 4 < ci[1]
    rows = [
        {
            "model": "m",
            "mode": "two-node",
            "scores": [
                {"grader": "acting", "judge": "j", "value": 4},
                {"grader": "acting", "judge": "j", "value": None, "unscored_reason": "the judge refused"},
            ],
        }
    ]
    acting = summarize_scores(rows)["m [two-node]"]["acting [j]"]
    assert acting["n"] == 1 and acting["unscored"] == 1 and acting["unscored_reasons"] == {"the judge refused": 1}


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bow.datasets.annotations import parse_score  # noqa: E402


@given(st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True), st.text(max_size=12)))
@settings(max_examples=300, deadline=None)
def test_parse_score_is_a_0_to_5_number_or_none(raw):
    value = parse_score(raw)
    assert value is None or 0 <= value <= 5


@given(st.integers(0, 5), st.text(max_size=40), st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_parse_verdict_reads_any_valid_score_amid_noise(score, before, after):
    noise = lambda s: s.replace("{", "").replace("}", "")  # noqa: E731
    text = f"{noise(before)} {json.dumps({'reasoning': 'r', 'evidence': [], 'score': score})} {noise(after)}"
    verdict, reason = parse_verdict(text)
    assert reason is None and verdict.score == score


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_parse_verdict_never_invents_a_score(text):
    verdict, reason = parse_verdict(text)
    assert (verdict is None) == (reason is not None)
    if verdict is not None:
        assert 0 <= verdict.score <= 5
