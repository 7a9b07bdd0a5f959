"""Play one scenario with checkpointing: a run that is stopped resumes where it stopped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.scenario.graph import ScenarioDeps, build_scenario_graph, compiled_scenario_graph
from bow.records import Transcript, Turn
from scenarios.schema import CanonEvent

EventHandler = Callable[[str, dict[str, Any]], None]


def thread_id(deps: ScenarioDeps) -> str:
    """One checkpoint thread per persona × scenario × model × mode (× memory, consequences)."""
    memory = "mem" if deps.agent.memory is not None else "nomem"
    shown = ("+cons" if deps.show_consequences else "") + ("+multi" if deps.multi_turn else "")
    return f"{deps.agent.persona.id}|{deps.scenario.id}|{deps.gateway.spec}|{deps.mode}|{memory}{shown}"


def transcript_from_state(deps: ScenarioDeps, values: dict[str, Any], finished: bool) -> Transcript:
    """Build the transcript record from the graph's state."""
    return Transcript(
        persona_id=deps.agent.persona.id,
        scenario_id=deps.scenario.id,
        scenario_kind=deps.scenario.kind,
        model=deps.gateway.spec,
        mode=deps.mode,
        memory=deps.agent.memory is not None,
        show_consequences=deps.show_consequences,
        turns=[Turn.model_validate(t) for t in values.get("turns") or []],
        epilogue=values.get("epilogue"),
        answer=deps.scenario.answer if isinstance(deps.scenario, CanonEvent) else None,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds") if finished else None,
    )


async def play(
    deps: ScenarioDeps,
    checkpointer: Any,
    *,
    thread: str | None = None,
    on_event: EventHandler | None = None,
) -> tuple[Transcript, bool]:
    """Run (or resume) the scenario; return the transcript and whether it resumed a stopped run.

    A thread that already finished is not replayed: its stored transcript is returned.
    """
    graph: Any = build_scenario_graph(graded=deps.grade is not None).compile(checkpointer=checkpointer)
    config: RunnableConfig = {
        "configurable": {"thread_id": thread or thread_id(deps)},
        "recursion_limit": 8 * deps.max_turns + 10,
    }
    snapshot = await graph.aget_state(config)
    resumed = bool(snapshot.values) and bool(snapshot.next)
    if snapshot.values and not snapshot.next:
        return transcript_from_state(deps, snapshot.values, finished=True), False
    start = None if resumed else {"beat_index": 0, "turns": [], "previous_choice": None}
    async for update in graph.astream(start, config, stream_mode="updates", context=deps):
        for node, values in update.items():
            if on_event is not None:
                on_event(node, values or {})
    final = await graph.aget_state(config)
    return transcript_from_state(deps, final.values, finished=not final.next), resumed


def checkpoint_path(home: Path) -> Path:
    """Where ``bow play`` keeps its checkpoints."""
    return home / "checkpoints" / "play.sqlite"


async def run_once(deps: ScenarioDeps) -> tuple[Transcript, list[dict[str, Any]]]:
    """Play (and, with ``deps.grade``, grade) a scenario without checkpoints; benchmark items resume per item."""
    values = await compiled_scenario_graph(deps.grade is not None).ainvoke(
        {"beat_index": 0, "turns": [], "previous_choice": None},
        {"recursion_limit": 8 * deps.max_turns + 10},
        context=deps,
    )
    return transcript_from_state(deps, values, finished=True), values.get("scores") or []
