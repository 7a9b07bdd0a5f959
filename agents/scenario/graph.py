"""The scenario graph: narrate → retrieve → think → act → (next beat | conclude).

Nodes first (verb-named), then routers, then the builder. ``think`` runs only in
``two-node`` mode; the single-call modes (``cot``, ``native``, ``direct``) go from
``retrieve`` straight to ``act``, which splits the reply into think and act.
The think text is private: only the persona's own act prompt contains it; the
narrator is given narration and the outward act alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents.persona_agent import PersonaAgent
from agents.scenario import prompts
from agents.scenario.beats import PlayableBeat, playable_beats
from agents.scenario.decision import read_decision
from agents.scenario.state import ScenarioState
from bow.models.gateway import Gateway
from bow.models.reply import ModelReply
from bow.records import Decision, Mode, Turn
from scenarios.schema import CanonEvent, DilemmaScript, MoralDilemma

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_FINAL = re.compile(r"^\s*[*_#]*\s*FINAL\s*[*_]*\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass
class ScenarioDeps:
    """Everything the nodes need besides the state."""

    agent: PersonaAgent
    scenario: CanonEvent | MoralDilemma | DilemmaScript
    gateway: Gateway
    mode: Mode = "two-node"
    narrator: Gateway | None = None
    show_consequences: bool = False
    max_turns: int = 12
    think_tokens: int | None = None
    act_tokens: int | None = None
    sample: int = 0
    multi_turn: bool = False
    """Play single-turn dilemmas with BOW's follow-up beat (the consequence arrives; decide again)."""
    grade: Callable[[dict[str, Any]], Awaitable[list[dict[str, Any]]]] | None = None
    """When set, a ``grade`` node after ``conclude`` scores the finished transcript."""

    @functools.cached_property
    def beats(self) -> list[PlayableBeat]:
        """The beats this scenario is played with."""
        return playable_beats(self.scenario, self.multi_turn)

    def sampling(self) -> dict[str, Any]:
        """Extra call arguments for repeat ``sample`` > 0: its own cache entry, and its own seed where supported."""
        if not self.sample:
            return {}
        extra: dict[str, Any] = {"cache_salt": f"repeat-{self.sample}"}
        if getattr(self.gateway.model, "supports_seed", False):
            extra["seed"] = self.sample
        return extra


def _render_beat(beat: PlayableBeat, narration: str, show_consequences: bool) -> str:
    options = "\n".join(f"{k}. {v}" for k, v in sorted(beat.choices.items()))
    text = prompts.BEAT.format(narration=narration, options=options)
    if show_consequences and beat.consequences:
        text += "\n\n" + prompts.CONSEQUENCES.format(
            consequences="\n".join(f"{k}. {v}" for k, v in sorted(beat.consequences.items()))
        )
    return text


def _letters(beat: PlayableBeat) -> dict[str, str]:
    keys = sorted(beat.choices)
    return {
        "letters": ", ".join(keys[:-1]) + f" or {keys[-1]}",
        "other": prompts.OTHER_OPTION if beat.allow_other else "",
    }


def _usage(*replies: ModelReply | None) -> dict[str, Any]:
    done = [r for r in replies if r is not None]
    return {
        "input_tokens": sum(r.usage.input_tokens for r in done),
        "output_tokens": sum(r.usage.output_tokens for r in done),
        "latency_s": sum(r.latency_s for r in done),
        "cached": bool(done) and all(r.cached for r in done),
    }


def _budget(tokens: int | None) -> dict[str, Any]:
    """``max_tokens`` only when a budget is set; otherwise the backend's own default applies."""
    return {} if tokens is None else {"max_tokens": tokens}


def split_cot(text: str) -> tuple[str, str]:
    """Split a chain-of-thought reply into (think, act).

    At its ``FINAL:`` line; failing that, before its last paragraph; failing that, before its last
    two sentences (a reply too short for any of these is all act).
    """
    match = _FINAL.search(text)
    if match:
        return text[: match.start()].strip(), text[match.end() :].strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) >= 2:
        return "\n\n".join(paragraphs[:-1]).strip(), paragraphs[-1].strip()
    # One block with no marker: the reasoning comes first, the outcome in the last two sentences.
    sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()]
    if len(sentences) < 3:
        return "", text.strip()
    return " ".join(sentences[:-2]).strip(), " ".join(sentences[-2:]).strip()


def persona_messages(deps: ScenarioDeps, state: ScenarioState, instruction: str) -> list[BaseMessage]:
    """The persona's prompt for the current beat: profile, recalled canon, public history, the beat."""
    memory = state.get("retrieved") or []
    system = deps.agent.system_prompt
    if memory:
        system += "\n\nWhat you remember that bears on this (your own canon):\n" + "\n".join(
            f"- [{h['stage']}] {h['text']}" for h in memory
        )
    messages: list[BaseMessage] = [SystemMessage(system)]
    # History carries only public text: what the world said and what the persona did.
    for turn in state.get("turns") or []:
        messages += [HumanMessage(turn["narration"]), AIMessage(turn["act"])]
    beat = deps.beats[state["beat_index"]]
    current = _render_beat(beat, state["narration"], deps.show_consequences)
    messages.append(HumanMessage(f"{current}\n\n{instruction}"))
    return messages


async def narrate(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> dict[str, Any]:
    """Node: the world speaks (the beat's text, or the narrator model's retelling after the first beat)."""
    deps = runtime.context
    index = state.get("beat_index", 0)
    beat = deps.beats[index]
    previous = state.get("previous_choice")
    narration = beat.narration(previous)
    turns = state.get("turns") or []
    if deps.narrator is not None and index > 0 and turns:
        reply = await deps.narrator.agenerate(
            [
                HumanMessage(
                    prompts.NARRATOR.format(
                        display_name=deps.agent.persona.display_name, act=turns[-1]["act"], beat=narration
                    )
                )
            ]
        )
        narration = reply.text.strip() or narration
    return {"beat_index": index, "narration": narration, "choices": beat.choices, "think": "", "retrieved": []}


async def retrieve(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> dict[str, Any]:
    """Node: recall canon passages relevant to the narration (none without memory)."""
    deps = runtime.context
    hits = await deps.agent.arecall(state["narration"])  # off the event loop, batched across items
    return {"retrieved": [{"id": h.passage_id, "stage": h.stage, "text": h.text} for h in hits]}


async def think(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> dict[str, Any]:
    """Node: private deliberation (two-node mode only)."""
    deps = runtime.context
    reply = await deps.gateway.agenerate(
        persona_messages(deps, state, prompts.THINK), **_budget(deps.think_tokens), **deps.sampling()
    )
    return {"think": reply.text.strip(), "think_usage": _usage(reply)}


async def act(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> dict[str, Any]:
    """Node: the outward reply and its decision (repaired once, grammar-constrained where possible)."""
    deps = runtime.context
    beat = deps.beats[state["beat_index"]]
    slots = _letters(beat)
    think_text = state.get("think", "")
    if deps.mode == "two-node":
        instruction = prompts.ACT.format(think=think_text, **slots)
    elif deps.mode == "cot":
        instruction = prompts.COT.format(**slots)
    else:
        instruction = prompts.ACT_DIRECT.format(**slots)
    messages = persona_messages(deps, state, instruction)
    # Single-call modes write their reasoning and their act in one reply: give them both budgets.
    budget = deps.act_tokens
    if deps.mode in ("cot", "native") and budget is not None and deps.think_tokens is not None:
        budget += deps.think_tokens
    reply = await deps.gateway.agenerate(messages, **_budget(budget), **deps.sampling())
    act_text = reply.text.strip()
    if deps.mode == "cot":
        think_text, act_text = split_cot(act_text)
    elif deps.mode == "native":
        think_text = (reply.reasoning or "").strip()
    elif deps.mode == "direct":
        think_text = ""
    decision = read_decision(act_text, beat.choices, beat.allow_other)
    repair = None
    if decision is None:
        constrain: dict[str, Any] = {}
        if getattr(deps.gateway.model, "supports_choice_grammar", False):
            options = [f"DECISION: {k}" for k in sorted(beat.choices)]
            constrain = {"choice_grammar": options + (["DECISION: OTHER"] if beat.allow_other else [])}
        repair = await deps.gateway.agenerate(
            [*messages, AIMessage(reply.text), HumanMessage(prompts.REPAIR.format(**slots))],
            max_tokens=24,
            **constrain,
            **deps.sampling(),
        )
        decision = read_decision(repair.text, beat.choices, beat.allow_other)
        decision = (
            decision.model_copy(update={"method": "repair-constrained" if constrain else "repair"})
            if decision
            else Decision(choice="unparsed", method="none")
        )
    usage = _usage(reply, repair)
    earlier = state.get("think_usage") or {}
    turn = Turn(
        beat_id=beat.id,
        narration=state["narration"],
        choices=beat.choices,
        retrieved=[h["id"] for h in state.get("retrieved") or []],
        think=think_text,
        act=act_text,
        decision=decision,
        input_tokens=usage["input_tokens"] + earlier.get("input_tokens", 0),
        output_tokens=usage["output_tokens"] + earlier.get("output_tokens", 0),
        latency_s=round(usage["latency_s"] + earlier.get("latency_s", 0.0), 4),
        cached=usage["cached"] and earlier.get("cached", True),
    )
    return {
        "turns": [turn.model_dump(mode="json")],
        "previous_choice": decision.choice,
        "beat_index": state["beat_index"] + 1,
        "think_usage": {},
    }


async def conclude(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> dict[str, Any]:
    """Node: the epilogue that follows the last choice, if the script has one."""
    deps = runtime.context
    epilogue = None
    if isinstance(deps.scenario, DilemmaScript) and deps.scenario.epilogue:
        key = state.get("previous_choice")
        key = key if key in ("A", "B") else "other"
        epilogue = deps.scenario.epilogue.get(key)  # type: ignore[call-overload]
    return {"epilogue": epilogue}


async def grade(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> dict[str, Any]:
    """Node: score the finished transcript (runs only in graphs built with ``graded=True``)."""
    deps = runtime.context
    assert deps.grade is not None
    record = {
        "persona_id": deps.agent.persona.id,
        "scenario_id": deps.scenario.id,
        "model": deps.gateway.spec,
        "mode": deps.mode,
        "turns": state.get("turns") or [],
        "answer": getattr(deps.scenario, "answer", None),
    }
    return {"scores": await deps.grade(record)}


def route_after_retrieve(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> Literal["think", "act"]:
    """Two-node mode thinks first; single-call modes go straight to act."""
    return "think" if runtime.context.mode == "two-node" else "act"


def route_after_act(state: ScenarioState, runtime: Runtime[ScenarioDeps]) -> Literal["narrate", "conclude"]:
    """Next beat while beats remain (and the turn guard allows), else conclude."""
    deps = runtime.context
    more = state["beat_index"] < len(deps.beats)
    within_guard = len(state.get("turns") or []) < deps.max_turns
    return "narrate" if more and within_guard else "conclude"


def build_scenario_graph(graded: bool = False) -> StateGraph[ScenarioState, ScenarioDeps, ScenarioState, ScenarioState]:
    """The uncompiled scenario graph; the persona, scenario and models come as the run's context.

    One graph serves every item (``graph.ainvoke(..., context=deps)``): compiling a graph
    per item cost more than playing it with a fast model.
    """
    builder = StateGraph(ScenarioState, context_schema=ScenarioDeps)
    builder.add_node("narrate", narrate)
    builder.add_node("retrieve", retrieve)
    builder.add_node("think", think)
    builder.add_node("act", act)
    builder.add_node("conclude", conclude)
    builder.add_edge(START, "narrate")
    builder.add_edge("narrate", "retrieve")
    builder.add_conditional_edges("retrieve", route_after_retrieve)
    builder.add_edge("think", "act")
    builder.add_conditional_edges("act", route_after_act)
    if graded:
        builder.add_node("grade", grade)
        builder.add_edge("conclude", "grade")
        builder.add_edge("grade", END)
    else:
        builder.add_edge("conclude", END)
    return builder


@functools.cache
def compiled_scenario_graph(graded: bool) -> Any:
    """The compiled graph without a checkpointer, built once per process."""
    return build_scenario_graph(graded).compile()
