"""``bow play``: one persona plays one scenario, beat by beat, resumable."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import click

from bow.cli.output import console, emit_json
from bow.config import Settings
from bow.errors import BowError
from bow.modes import MODES


def _printer(as_json: bool, mode: str) -> Any:
    """An event handler that shows each node's output as it happens."""
    if as_json:
        return None
    from rich.markup import escape
    from rich.panel import Panel

    out = console()

    def show(node: str, values: dict[str, Any]) -> None:
        if node == "narrate":
            out.rule(f"beat {values.get('beat_index', 0) + 1}")
            out.print(escape(values.get("narration", "")))
            for letter, text in sorted((values.get("choices") or {}).items()):
                out.print(f"  [bold]{letter}[/bold]. {escape(text)}")
        elif node == "retrieve" and values.get("retrieved"):
            out.print(f"[dim]recalled: {', '.join(h['id'] for h in values['retrieved'])}[/dim]")
        elif node == "think":
            out.print(Panel(escape(values.get("think", "")), title="think (private)", border_style="dim"))
        elif node == "act":
            turn = values["turns"][-1]
            if mode != "two-node" and turn["think"]:  # single-call modes split the think out of the act reply
                out.print(Panel(escape(turn["think"]), title="think (private)", border_style="dim"))
            out.print(Panel(escape(turn["act"]), title="act", border_style="cyan"))
            decision = turn["decision"]
            extra = f" — {decision['free_action']}" if decision.get("free_action") else ""
            out.print(f"[bold]decision:[/bold] {decision['choice']}{escape(extra)} [dim]({decision['method']})[/dim]")
        elif node == "conclude" and values.get("epilogue"):
            out.rule("epilogue")
            out.print(escape(values["epilogue"]))

    return show


@click.command()
@click.argument("persona_id")
@click.argument("scenario_id")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="two-node",
    show_default=True,
    help="two-node: separate think and act calls; cot: one step-by-step call; direct: act only; "
    "native: the model's own reasoning channel is the think.",
)
@click.option("--no-memory", is_flag=True, help="Profile only: no canon-memory retrieval.")
@click.option("--show-consequences", is_flag=True, help="Show what each option risks.")
@click.option("--multi-turn", is_flag=True, help="Single-turn dilemmas: the consequence arrives; decide again.")
@click.option("--fresh", is_flag=True, help="Start over instead of resuming or replaying a stored run.")
@click.option("--json", "as_json", is_flag=True, help="Print the transcript record as JSON.")
@click.pass_obj
def play(
    settings: Settings,
    persona_id: str,
    scenario_id: str,
    mode: str,
    no_memory: bool,
    show_consequences: bool,
    multi_turn: bool,
    fresh: bool,
    as_json: bool,
) -> None:
    r"""Play one scenario as one persona, printing think and act apart, beat by beat.

    Stopped runs resume: run the same command again.

    \b
    Examples:
      bow play iron-man/mcu-endgame dilemma/iron-man/reactor-or-city
      bow -m openai:gpt-4o-mini play thor/earth-616 canon/thor/earth-616/hero-1-1 --mode cot --json
    """
    from agents.scenario.runner import checkpoint_path, thread_id
    from agents.scenario.runner import play as play_scenario

    deps = _deps(settings, persona_id, scenario_id, mode, no_memory, show_consequences)
    deps.multi_turn = multi_turn
    thread = thread_id(deps) + (f"|fresh-{time.time_ns()}" if fresh else "")

    async def go() -> Any:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = checkpoint_path(settings.home)
        path.parent.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            return await play_scenario(deps, saver, thread=thread, on_event=_printer(as_json, mode))

    try:
        transcript, resumed = asyncio.run(go())
    except KeyboardInterrupt:
        raise BowError("Stopped. Run the same command again to resume from the last finished step.") from None
    if as_json:
        emit_json(transcript.model_dump(mode="json"))
        return
    out = console()
    if resumed:
        out.print("[dim](resumed from a checkpoint)[/dim]")
    if not transcript.finished_at:
        out.print("[yellow]The run stopped before the end; run the same command again to resume.[/yellow]")
    if transcript.correct is not None:
        out.print(f"answer {transcript.answer}: {'correct' if transcript.correct else 'wrong'}")


def _deps(
    settings: Settings, persona_id: str, scenario_id: str, mode: str, no_memory: bool, show_consequences: bool
) -> Any:
    from agents.persona_agent import PersonaAgent
    from agents.scenario.graph import ScenarioDeps
    from bow.models.gateway import open_gateway

    persona = settings.library().get(persona_id)
    scenario = settings.scenarios().get(scenario_id)
    if not scenario.target.allows(persona.id):
        raise BowError(
            f"Scenario '{scenario.id}' is for {scenario.target}; '{persona.id}' cannot play it.",
            f"See: bow scenario list --persona {persona.id}",
        )
    memory = None
    if not no_memory:
        from agents.memory import open_memory

        memory = open_memory(settings)
        memory.build([persona])  # incremental: only embeds when this persona's memory changed
    gateway = open_gateway(settings)
    narrator = open_gateway(settings) if getattr(scenario, "narrator", "scripted") == "agent" else None
    return ScenarioDeps(
        agent=PersonaAgent(persona, memory),
        scenario=scenario,
        gateway=gateway,
        mode=mode,  # type: ignore[arg-type]
        narrator=narrator,
        show_consequences=show_consequences,
    )
