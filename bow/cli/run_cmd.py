"""``bow run``: a benchmark suite over models, personas and modes, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bow.cli.output import console, emit_json, table
from bow.config import Settings
from bow.modes import MODES


@click.command()
@click.argument("suite")
@click.option("--model", "models", multiple=True, help="Model spec (repeatable; default: the global --model).")
@click.option(
    "--mode", "modes", multiple=True, type=click.Choice(MODES), help="Reasoning mode (repeatable; default two-node)."
)
@click.option("--personas", "persona_glob", default=None, help="Only personas matching this glob, e.g. 'batman/*'.")
@click.option("--limit", type=int, default=None, help="Only the first N (persona, scenario) pairs.")
@click.option(
    "--concurrency",
    type=int,
    default=8,
    show_default=True,
    help="Model calls in flight at once, per model (a few more items are kept ready so calls never wait).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Run directory (default: HOME/runs/SUITE-<hash of options>, so a repeat resumes).",
)
@click.option("--resume", is_flag=True, help="Resume (the default whenever the run directory exists).")
@click.option("--no-memory", is_flag=True, help="Profile only: no canon-memory retrieval.")
@click.option("--show-consequences", is_flag=True, help="Show what each option risks.")
@click.option(
    "--judge",
    "judges",
    multiple=True,
    help="Judge model for thinking/acting fidelity (repeatable; default: the global --judge, else none).",
)
@click.option("--no-grade", is_flag=True, help="Skip grading (transcripts only).")
@click.option(
    "--repeats",
    type=int,
    default=1,
    show_default=True,
    help="Play every item N times (decision consistency); use with --temperature > 0.",
)
@click.option("--temperature", type=float, default=None, help="Sampling temperature for the persona models.")
@click.option(
    "--cross-version",
    is_flag=True,
    help="Also ask each version its sibling versions' canon questions (the leakage matrix).",
)
@click.option(
    "--likelihood",
    is_flag=True,
    help="Also score canon options by log-probability, with no parsing (backends that expose it: local).",
)
@click.option(
    "--multi-turn",
    is_flag=True,
    help="BOW's extension of single-turn dilemmas: the chosen consequence arrives and the persona decides again.",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=float,
    default=None,
    help="Seconds one model call may take before it is retried (default 300).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where items play: this process, or Ray actors (pip install 'beyond-one-world[ray]').",
)
@click.option(
    "--ray-address",
    default=None,
    help="Ray cluster (HOST:PORT, ray://HOST:PORT or auto; default: RAY_ADDRESS, else a local Ray instance).",
)
@click.option("--ray-workers", type=int, default=None, help="Ray actors to start (default: one per cluster CPU).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def run(
    settings: Settings,
    suite: str,
    models: tuple[str, ...],
    modes: tuple[str, ...],
    persona_glob: str | None,
    limit: int | None,
    concurrency: int,
    out: str | None,
    resume: bool,
    no_memory: bool,
    show_consequences: bool,
    judges: tuple[str, ...],
    no_grade: bool,
    repeats: int,
    temperature: float | None,
    cross_version: bool,
    likelihood: bool,
    multi_turn: bool,
    timeout_s: float | None,
    executor: str,
    ray_address: str | None,
    ray_workers: int | None,
    as_json: bool,
) -> None:
    r"""Run a suite: every model × persona × scenario × mode through the scenario graph.

    Results are appended as each item finishes; run the same command again to
    resume after a crash or Ctrl-C.

    \b
    Examples:
      bow run smoke
      bow run smoke --mode two-node --mode cot --concurrency 4
      bow run smoke --model openai:my-model --base-url http://127.0.0.1:8000/v1 --concurrency 32
      bow run smoke --executor ray --ray-address HEAD:6379 --model openai:M --base-url http://vllm:8000/v1
    """
    from bow.runs.session import RunOptions, execute

    if executor != "ray" and (ray_address or ray_workers):
        raise click.UsageError("--ray-address and --ray-workers need --executor ray.")

    options = RunOptions(
        suite=suite,
        models=list(models) or [settings.model],
        modes=list(modes) or ["two-node"],
        memory=not no_memory,
        show_consequences=show_consequences,
        persona_glob=persona_glob,
        limit=limit,
        concurrency=concurrency,
        out=Path(out) if out else None,
        judges=list(judges) or ([settings.judge] if settings.judge else []),
        grade=not no_grade,
        repeats=max(1, repeats),
        cross_version=cross_version,
        temperature=temperature,
        likelihood=likelihood,
        multi_turn=multi_turn,
        timeout_s=timeout_s,
    )
    runner = None
    if executor == "ray":
        from bow.runs.ray_executor import RayExecutor

        runner = RayExecutor(ray_address, ray_workers, debug=settings.debug)
    with _progress(as_json) as progress:
        outcome = execute(settings, options, runner, progress=progress)
    if as_json:
        emit_json({"run_dir": str(outcome.path), **outcome.summary})
    else:
        _print_outcome(outcome)
    if outcome.planned > outcome.skipped and outcome.done == 0:
        raise SystemExit(1)  # nothing could run


class _progress:
    """A rich progress bar (done, failed, tokens, ETA) as a context manager yielding a callback."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("failed {task.fields[failed]} · {task.fields[tokens]} tokens"),
            TimeRemainingColumn(),
            console=console(stderr=True),
            transient=False,
        )
        self.bar.start()
        self.task = None
        state = {"failed": 0, "tokens": 0}

        def update(item: Any, ok: bool, tokens: int) -> None:
            if self.task is None:
                self.task = self.bar.add_task("items", total=None, failed=0, tokens=0)
            state["failed"] += not ok
            state["tokens"] += tokens
            self.bar.update(self.task, advance=1, failed=state["failed"], tokens=state["tokens"])

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_outcome(outcome: Any) -> None:
    out = console()
    out.print(f"Run directory: {outcome.path}")
    out.print(
        f"{outcome.planned} items planned, {outcome.skipped} already done, {outcome.done} finished now, "
        f"{len(outcome.failed)} failed."
    )
    rows = []
    for group, data in outcome.summary["groups"].items():
        canon = data.get("canon") or {}
        accuracy = canon.get("accuracy")
        tam = ((data.get("scores") or {}).get("tam") or {}).get("mean")
        rows.append(
            [
                group,
                data["items"],
                data["failed"],
                "-" if accuracy is None else f"{accuracy:.2f} (n={canon['n']})",
                "-" if data.get("unparsed_rate") is None else f"{data['unparsed_rate']:.2f}",
                "-" if tam is None else f"{tam:.2f}",
                (data.get("tokens") or {}).get("output", 0),
            ]
        )
    headers = ["model [mode]", "items", "failed", "canon accuracy", "unparsed", "think-act match", "output tokens"]
    table("Summary", headers, rows)
    out.print(f"Full figures (judged scores, leakage, stances): {outcome.path / 'summary.json'}")
    for key, error in outcome.failed:
        out.print(f"[red]failed[/red] {key}: {error}", markup=True)
