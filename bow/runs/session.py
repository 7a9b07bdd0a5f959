"""One ``bow run``: plan, open the run directory, execute with progress, summarize."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bow.errors import BowError
from bow.runs.executor import Executor, LocalExecutor
from bow.runs.grading import grade_one, likelihood_rows, make_graders
from bow.runs.plan import RunItem, plan_items
from bow.runs.rundir import FAILURES, TRANSCRIPTS, RunDir, read_jsonl, read_scores
from bow.runs.summary import summarize


@dataclass
class RunOptions:
    """What the user asked for."""

    suite: str
    models: list[str]
    modes: list[str] = field(default_factory=lambda: ["two-node"])
    memory: bool = True
    show_consequences: bool = False
    persona_glob: str | None = None
    limit: int | None = None
    concurrency: int = 8
    out: Path | None = None
    judges: list[str] = field(default_factory=list)
    grade: bool = True
    repeats: int = 1
    cross_version: bool = False
    temperature: float | None = None
    likelihood: bool = False
    multi_turn: bool = False
    timeout_s: float | None = None
    """Seconds one model call may take before it is retried (None: the gateway's default)."""

    def identity(self) -> dict[str, Any]:
        """The configuration recorded in the manifest and checked on resume."""
        return {
            "suite": self.suite,
            "models": self.models,
            "modes": self.modes,
            "memory": self.memory,
            "show_consequences": self.show_consequences,
            "persona_glob": self.persona_glob,
            "limit": self.limit,
            "judges": self.judges,
            "repeats": self.repeats,
            "cross_version": self.cross_version,
            "temperature": self.temperature,
            "likelihood": self.likelihood,
            "multi_turn": self.multi_turn,
        }

    def default_out(self, home: Path) -> Path:
        """Same options, same directory: running the same command again resumes."""
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:10]
        return home / "runs" / f"{self.suite}-{digest}"


@dataclass
class RunOutcome:
    """What happened, for the CLI."""

    path: Path
    planned: int
    skipped: int
    done: int
    failed: list[tuple[str, str]]
    summary: dict[str, Any]


def execute(settings: Any, options: RunOptions, executor: Executor | None = None, progress: Any = None) -> RunOutcome:
    """Run a suite end to end; resumable through the run directory."""
    from agents.persona_agent import PersonaAgent
    from agents.scenario.graph import ScenarioDeps
    from agents.scenario.runner import run_once
    from bow.models.gateway import RetryPolicy, open_gateway

    personas = settings.library()
    scenarios = settings.scenarios()
    suite = scenarios.suite(options.suite)
    items = plan_items(
        suite,
        personas,
        scenarios,
        models=options.models,
        modes=options.modes,
        memory=options.memory,
        persona_glob=options.persona_glob,
        limit=options.limit,
        repeats=options.repeats,
        cross_version=options.cross_version,
    )
    run = RunDir.open(
        options.out or options.default_out(settings.home), {**options.identity(), "concurrency": options.concurrency}
    )
    done = run.load_done()
    todo = [i for i in items if i.key not in done]
    run.log(f"planned {len(items)} items, {len(done & {i.key for i in items})} already done, {len(todo)} to run")

    memory = None
    if options.memory and todo:
        from agents.memory import open_memory

        memory = open_memory(settings)
        memory.build([personas.get(pid) for pid in sorted({i.persona_id for i in todo})])
    params = {} if options.temperature is None else {"temperature": options.temperature}
    retry = {} if options.timeout_s is None else {"retry": RetryPolicy(timeout_s=options.timeout_s)}
    gateways = {
        m: open_gateway(settings, m, concurrency=options.concurrency, params=params, **retry) for m in options.models
    }

    graders = make_graders(settings, options.judges, **retry) if options.grade and todo else None

    async def play_item(item: RunItem) -> dict[str, Any]:
        async def grade(record: dict[str, Any]) -> list[dict[str, Any]]:
            return await grade_one({**record, "key": item.key}, personas, graders)

        deps = ScenarioDeps(
            agent=PersonaAgent(personas.get(item.persona_id), memory if item.memory else None),
            scenario=scenarios.get(item.scenario_id),
            gateway=gateways[item.model],
            mode=item.mode,  # type: ignore[arg-type]
            show_consequences=options.show_consequences,
            sample=item.repeat,
            multi_turn=options.multi_turn,
            grade=grade if graders is not None else None,  # grading is the graph's last node
        )
        transcript, scores = await run_once(deps)
        record = {"key": item.key, "repeat": item.repeat, **transcript.model_dump(mode="json")}
        if options.likelihood:
            scenario = scenarios.get(item.scenario_id)
            scores += await likelihood_rows(record, personas.get(item.persona_id), scenario, gateways[item.model].model)
        return {"transcript": record, "scores": scores}

    failed: list[tuple[str, str]] = []
    finished = 0
    # One writer thread owns the files: JSON, redaction and fsync stay off the event loop, and a
    # single worker keeps every append in order. A crash loses at most the items queued here.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bow-run-writer")
    write_errors: list[BaseException] = []

    def write(fn: Any, *args: Any) -> None:
        writer.submit(fn, *args).add_done_callback(lambda f: f.exception() and write_errors.append(f.exception()))

    def on_result(item: RunItem, result: dict[str, Any] | None, error: BaseException | None) -> None:
        nonlocal finished
        if error is not None:
            message = str(error) if isinstance(error, BowError) else f"{type(error).__name__}: {error}"
            write(run.add_failure, item.key, message)
            failed.append((item.key, message))
            write(run.log, f"failed {item.key}: {message}")
        else:
            assert result is not None
            write(run.add_item, item.key, result["transcript"], result["scores"])
            finished += 1
        if progress is not None:
            tokens = sum(t["output_tokens"] for t in (result or {}).get("transcript", {}).get("turns", []))
            progress(item, error is None, tokens)

    started = time.perf_counter()
    # Never more items in flight than the models can serve at once (a local model serves one).
    workers = min(options.concurrency, sum(g.concurrency for g in gateways.values()))
    try:
        asyncio.run((executor or LocalExecutor(workers)).run(todo, play_item, on_result))
    finally:
        writer.shutdown(wait=True)  # on Ctrl-C too: what finished is written before we stop
    if write_errors:
        raise BowError(
            f"Could not write results to {run.path}: {write_errors[0]}",
            "Check free disk space and permissions, then run the same command again to resume.",
        )
    wall = time.perf_counter() - started
    summary = summarize_dir(run.path, personas, scenarios, wall_s=round(wall, 3))
    run.write_summary(summary)
    run.log(f"finished: {finished} done, {len(failed)} failed in {wall:.1f} s")
    return RunOutcome(run.path, len(items), len(items) - len(todo), finished, failed, summary)


def summarize_dir(path: Path, personas: Any, scenarios: Any, wall_s: float | None = None) -> dict[str, Any]:
    """Summary of everything a run directory holds (latest failure per key that never succeeded)."""
    transcripts = read_jsonl(path / TRANSCRIPTS)
    done = {t["key"] for t in transcripts}
    failures = {f["key"]: f for f in read_jsonl(path / FAILURES) if f["key"] not in done}
    universe_of = {p.id: p.universe for p in personas}
    stage_of = {s.id: s.stage.value for s in scenarios.scenarios.values() if getattr(s, "stage", None)}
    target_of = {
        s.id: s.target.persona for s in scenarios.scenarios.values() if s.kind == "canon-event" and s.target.persona
    }
    stances_of = {
        (s.id, beat.id): dict(beat.stances)
        for s in scenarios.scenarios.values()
        if s.kind == "dilemma-script"
        for beat in s.beats
        if beat.stances
    }
    summary = summarize(transcripts, list(failures.values()), universe_of, stage_of, wall_s, target_of, stances_of)
    from graders.aggregate import summarize_scores

    # Only scores of items that finished (a crash can leave scores without their transcript line).
    graded = summarize_scores(read_scores(path))
    for group, data in graded.items():
        summary["groups"].setdefault(group, {})["scores"] = data
    return summary
