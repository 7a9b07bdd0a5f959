"""``bow memory``: build the canon-memory index and query one version's memory."""

from __future__ import annotations

import time

import click

from bow.cli.output import console, emit_json, table
from bow.config import Settings


@click.group()
def memory() -> None:
    r"""Canon memory: one retrieval scope per hero version (chromadb, local embeddings).

    \b
    Examples:
      bow memory build
      bow memory query thor/earth-616 "Mjolnir and worthiness" -k 3
    """


@memory.command()
@click.option("--only", "pattern", default=None, help="Only personas whose id matches this glob, e.g. 'thor/*'.")
@click.option("--prune", is_flag=True, help="Also drop indexed personas that no longer exist.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def build(settings: Settings, pattern: str | None, prune: bool, as_json: bool) -> None:
    r"""Index canon memory; only personas whose passages changed are re-embedded.

    \b
    Example:
      bow memory build --only 'iron-man/*'
    """
    from agents.memory import open_memory

    started = time.perf_counter()
    personas = settings.library().select(pattern)
    report = open_memory(settings).build(personas, prune=prune and pattern is None, verify=True)
    seconds = time.perf_counter() - started
    result = {
        "embedded": report.embedded,
        "unchanged": len(report.unchanged),
        "removed": report.removed,
        "passages": report.passages,
        "seconds": round(seconds, 2),
    }
    if as_json:
        emit_json(result)
        return
    console().print(
        f"Indexed {len(report.embedded)} persona(s) ({report.passages} passages), "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, in {seconds:.1f} s."
    )


@memory.command()
@click.argument("persona_id")
@click.argument("text")
@click.option("-k", default=4, show_default=True, help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def query(settings: Settings, persona_id: str, text: str, k: int, as_json: bool) -> None:
    r"""Passages of one persona's own canon memory nearest to TEXT.

    \b
    Example:
      bow memory query iron-man/mcu-endgame "the cave in Afghanistan" -k 3 --json
    """
    from agents.memory import open_memory

    settings.library().get(persona_id)  # unknown ids get a suggestion before touching the index
    hits = open_memory(settings).query(persona_id, text, k)
    if as_json:
        emit_json([h.__dict__ for h in hits])
        return
    table(
        f"{persona_id}: {text}",
        ["passage", "stage", "distance", "text"],
        [[h.passage_id.split("#")[1], h.stage, f"{h.distance:.3f}", h.text] for h in hits],
    )
