"""One ``bow run``: plan, open the run directory, execute with progress, summarize."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bow.errors import BowError
from bow.runs.executor import Executor, LocalExecutor, RunContext
from bow.runs.plan import RunItem, plan_items
from bow.runs.player import PlayerSpec, RunOptions, failure_message
from bow.runs.rundir import FAILURES, TRANSCRIPTS, RunDir, read_jsonl, read_scores
from bow.runs.summary import summarize


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
    """Run a suite end to end; resumable through the run directory.

    Whatever the executor, this process alone opens the run directory, builds the
    canon-memory index and writes results (one writer thread), so resume, the manifest
    and ``summary.json`` behave the same for every executor.
    """
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
    executor = executor or LocalExecutor()
    executor.open()  # a cluster that cannot be reached fails here, before anything is written
    try:
        return _execute(settings, options, executor, progress, items, personas, scenarios)
    finally:
        executor.close()


def _execute(
    settings: Any,
    options: RunOptions,
    executor: Executor,
    progress: Any,
    items: list[RunItem],
    personas: Any,
    scenarios: Any,
) -> RunOutcome:
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
    context = RunContext(PlayerSpec.of(settings, options), personas, scenarios, memory)

    failed: list[tuple[str, str]] = []
    finished = 0
    # One writer thread owns the files: JSON, redaction and fsync stay off the event loop, and a
    # single worker keeps every append in order. A crash loses at most the items queued here.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bow-run-writer")
    write_errors: list[BaseException] = []

    def remember_error(future: Any) -> None:
        if future.exception() is not None:
            write_errors.append(future.exception())

    def write(fn: Any, *args: Any) -> None:
        writer.submit(fn, *args).add_done_callback(remember_error)

    def on_result(item: RunItem, result: dict[str, Any] | None, error: BaseException | None) -> None:
        nonlocal finished
        if error is not None:
            message = failure_message(error)
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
    if todo:
        run.log(f"executor: {executor.describe()}")
    try:
        executor.run(todo, context, on_result)
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
