"""Glue between runs and graders: persona cards for judges, grading a record, re-grading a run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from bow.runs.rundir import SCORES, TRANSCRIPTS, read_jsonl


def persona_card(persona: Any) -> dict[str, str]:
    """What a judge sees of a persona: a header and the in-character profile."""
    from agents.persona_agent import render_system_prompt

    return {
        "header": f"{persona.display_name}, {persona.version_label} ({persona.id})",
        "profile": render_system_prompt(persona),
    }


def passages_of(persona: Any) -> dict[str, str]:
    """Passage id → text, matching the ids canon memory returns."""
    from agents.memory.protocol import passage_id

    return {passage_id(persona.id, i): m.text for i, m in enumerate(persona.memory)}


def make_graders(settings: Any, judges: list[str], how: str = "mean", **gateway_options: Any) -> Any:
    """A GraderSet: the given judge models (may be none), and local embeddings for TAM."""
    from bow.embeddings import MiniLMEmbedder
    from bow.embeddings.batching import BatchingEmbedder
    from bow.models.gateway import open_gateway
    from graders.grade import GraderSet

    embedder: Any = MiniLMEmbedder(settings.home / "models")
    if getattr(settings, "use_cache", False):  # a rerun or re-grade never embeds the same text twice
        from bow.embeddings.cache import CachedEmbedder

        embedder = CachedEmbedder(embedder, settings.home / "cache" / "embeddings.sqlite")
    return GraderSet(
        judges=[open_gateway(settings, spec, **gateway_options) for spec in judges],
        embedder=BatchingEmbedder(embedder),
        how=how,
    )


async def grade_one(record: dict[str, Any], personas: Any, graders: Any) -> list[dict[str, Any]]:
    """Score records (as dicts) for one transcript record."""
    from graders.grade import grade_record

    persona = personas.get(record["persona_id"])
    rows = await grade_record(record, persona_card(persona), passages_of(persona), graders)
    return [row.model_dump(mode="json") for row in rows]


def regrade_run(path: Path, personas: Any, graders: Any, concurrency: int = 4) -> int:
    """Grade every transcript of a run again; ``scores.jsonl`` is replaced atomically. Returns rows written."""
    records = read_jsonl(path / TRANSCRIPTS)

    async def go() -> list[list[dict[str, Any]]]:
        limit = asyncio.Semaphore(concurrency)

        async def one(record: dict[str, Any]) -> list[dict[str, Any]]:
            async with limit:
                return await grade_one(record, personas, graders)

        return await asyncio.gather(*(one(r) for r in records))

    # Re-graded rows keep their transcript's attempt id, so read_scores still pairs them.
    attempts = [r.get("attempt") for r in records]
    rows = [{**row, "attempt": a} for group, a in zip(asyncio.run(go()), attempts, strict=True) for row in group]
    tmp = path / (SCORES + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path / SCORES)
    return len(rows)


async def likelihood_rows(record: dict[str, Any], persona: Any, scenario: Any, model: Any) -> list[dict[str, Any]]:
    """``canon-likelihood`` scores for a canon item, when the persona model exposes log-probabilities."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from agents.persona_agent import render_system_prompt
    from graders.likelihood import likelihood_choice, supports_likelihood
    from graders.verdict import ScoreRecord

    if scenario.kind != "canon-event" or not supports_likelihood(model):
        return []
    listing = "\n".join(f"{k}. {v}" for k, v in sorted(scenario.options.items()))
    messages = [
        SystemMessage(render_system_prompt(persona)),
        HumanMessage(f"{scenario.question}\n{listing}\nAnswer with the option you choose."),
    ]
    scores = await likelihood_choice(model, messages, dict(scenario.options), scenario.answer)
    row = ScoreRecord(
        key=record.get("key", ""),
        persona_id=record["persona_id"],
        scenario_id=record["scenario_id"],
        model=record["model"],
        mode=record["mode"],
        beat_id="likelihood",
        scores=scores,
    )
    return [row.model_dump(mode="json")]
