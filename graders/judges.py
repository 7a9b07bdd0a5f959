"""Judge agents for thinking and acting fidelity (0-5), as small factories returning async callables.

A judge's reply must contain a JSON verdict (``FidelityVerdict``); a reply that
cannot be read, a refusal, or a failed call ends as an ``unscored`` Score with its
reason — never a default value.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import ValidationError

from bow.errors import BowError
from bow.models.gateway import Gateway
from graders import prompts
from graders.verdict import FidelityVerdict, Score

JUDGE_TOKENS = 512
VERDICT_SCHEMA = FidelityVerdict.model_json_schema()
JudgeFn = Callable[[dict[str, Any], dict[str, Any], list[str]], Awaitable[Score]]
_JSON = re.compile(r"\{.*\}", re.DOTALL)
_REFUSAL = re.compile(r"(?i)\b(I can(?:'|no)t (?:help|assist|evaluate)|I'm sorry, but|as an AI)\b")


def parse_verdict(text: str) -> tuple[FidelityVerdict | None, str | None]:
    """``(verdict, None)`` or ``(None, reason it is unscored)``."""
    match = _JSON.search(text or "")
    if match:
        try:
            return FidelityVerdict.model_validate(json.loads(match.group(0))), None
        except (json.JSONDecodeError, ValidationError) as exc:
            detail = str(exc).splitlines()[0][:120]
            return None, f"unreadable verdict: {detail}"
    if _REFUSAL.search(text or ""):
        return None, "the judge refused"
    return None, "no JSON verdict in the judge's reply" if (text or "").strip() else "empty judge reply"


RUBRICS = {"thinking": prompts.THINKING_RUBRIC, "acting": prompts.ACTING_RUBRIC}


def judge_prompt(kind: str, turn: dict[str, Any], persona_card: dict[str, Any], passages: list[str]) -> str:
    """The user message a judge of ``kind`` sees for one turn."""
    return prompts.FIDELITY_USER.format(
        rubric=RUBRICS[kind],
        persona_header=persona_card["header"],
        persona_profile=persona_card["profile"],
        passages="\n".join(f"- {p}" for p in passages) or "- (none given)",
        narration=turn["narration"],
        reply=turn["think"] if kind == "thinking" else turn["act"],
    )


def make_fidelity_judge(kind: str, gateway: Gateway) -> JudgeFn:
    """A judge for ``kind`` in {"thinking", "acting"}: ``await judge(turn, persona_card, passages)``."""

    async def judge(turn: dict[str, Any], persona_card: dict[str, Any], passages: list[str]) -> Score:
        reply = turn["think"] if kind == "thinking" else turn["act"]
        if not (reply or "").strip():
            return Score(grader=kind, judge=gateway.spec, unscored_reason=f"no {kind} text to judge")
        user = judge_prompt(kind, turn, persona_card, passages)
        # Backends that can constrain decoding to a schema (the local one) get the verdict's schema:
        # the counterpart of structured output, so even a small judge returns a readable verdict.
        constrained: dict[str, Any] = (
            {"json_schema": VERDICT_SCHEMA} if getattr(gateway.model, "supports_json_schema", False) else {}
        )
        try:
            answer = await gateway.agenerate(
                [SystemMessage(prompts.FIDELITY_SYSTEM), HumanMessage(user)], max_tokens=JUDGE_TOKENS, **constrained
            )
        except BowError as exc:
            return Score(grader=kind, judge=gateway.spec, unscored_reason=f"judge call failed: {exc.message}")
        verdict, reason = parse_verdict(answer.text)
        if verdict is None:
            return Score(grader=kind, judge=gateway.spec, unscored_reason=reason, rationale=answer.text[:300])
        return Score(
            grader=kind,
            judge=gateway.spec,
            value=float(verdict.score),
            rationale=verdict.reasoning,
            evidence=verdict.evidence,
            method="json",
        )

    return judge


def combine(scores: list[Score], how: str = "mean") -> Score:
    """Several judges' scores of one thing, as one (mean or majority); unscored when none scored."""
    scored = [s.value for s in scores if s.value is not None]
    grader = scores[0].grader if scores else "combined"
    if not scored:
        reasons = "; ".join(s.unscored_reason or "" for s in scores)
        return Score(grader=grader, judge="combined", unscored_reason=f"no judge scored ({reasons})")
    if how == "majority":
        counts: dict[float, int] = {}
        for value in scored:
            counts[value] = counts.get(value, 0) + 1
        value = max(sorted(counts), key=lambda v: counts[v])
    else:
        value = sum(scored) / len(scored)
    return Score(grader=grader, judge="combined", value=round(value, 3), method=f"{how} of {len(scored)}")


GEVAL_ASK = "Answer with a single digit from 0 to 5: the score."


def make_geval_judge(kind: str, gateway: Gateway) -> JudgeFn:
    """G-Eval style: the probability-weighted score over the digits 0-5, for judges exposing log-probabilities."""

    async def judge(turn: dict[str, Any], persona_card: dict[str, Any], passages: list[str]) -> Score:
        reply = turn["think"] if kind == "thinking" else turn["act"]
        grader = f"{kind}-geval"
        if not (reply or "").strip():
            return Score(grader=grader, judge=gateway.spec, unscored_reason=f"no {kind} text to judge")
        user = judge_prompt(kind, turn, persona_card, passages).replace("Return the JSON object now.", GEVAL_ASK)
        try:
            logprobs = await asyncio.to_thread(
                gateway.model.score_continuations, [HumanMessage(user)], [str(d) for d in range(6)]
            )
        except Exception as exc:  # noqa: BLE001 - any backend failure is an unscored verdict
            return Score(grader=grader, judge=gateway.spec, unscored_reason=f"scoring failed: {exc}")
        top = max(logprobs)
        weights = [math.exp(lp - top) for lp in logprobs]
        expected = sum(d * w for d, w in enumerate(weights)) / sum(weights)
        return Score(
            grader=grader,
            judge=gateway.spec,
            value=round(expected, 4),
            method="probability-weighted",
            rationale="p(0..5) = " + ", ".join(f"{w / sum(weights):.2f}" for w in weights),
        )

    return judge
