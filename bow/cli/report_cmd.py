"""``bow report`` and ``bow compare``: read run directories, print tables, write one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bow.cli.output import console, emit_json
from bow.config import Settings

SORT_CHOICES = ("canon", "thinking", "acting", "tam", "items", "unscored", "tokens", "wall")


def _libraries(settings: Settings) -> tuple[Any, Any]:
    """Persona and scenario libraries for names, passage texts and recomputing summaries.

    A broken user persona or scenario file should not hide a finished run's results, so a
    library that fails to load is left out (the report then shows ids) with a warning.
    """
    from bow.errors import BowError

    loaded = []
    for what, load in (("personas", settings.library), ("scenarios", settings.scenarios)):
        try:
            loaded.append(load())
        except BowError as exc:
            click.echo(f"Warning: {what} not loaded ({exc}); showing ids only.", err=True)
            loaded.append(None)
    return loaded[0], loaded[1]


def _load(settings: Settings, run_dirs: tuple[str, ...]) -> dict[str, Any]:
    from bow.report.data import check_run_dir, load_report

    paths = [Path(p).expanduser() for p in run_dirs]
    for path in paths:  # fail on a bad path before spending time on libraries
        check_run_dir(path)
    personas, scenarios = _libraries(settings)
    return load_report(paths, personas, scenarios)


@click.command()
@click.argument("run_dirs", nargs=-1, required=True, metavar="RUN_DIR...")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write a self-contained HTML report here.",
)
@click.option("--title", default="Beyond One World report", show_default=True, help="Title of the HTML page.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report model as JSON.")
@click.pass_obj
def report(settings: Settings, run_dirs: tuple[str, ...], html_path: str | None, title: str, as_json: bool) -> None:
    r"""Report on one or more run directories: tables here, plots and a transcript browser in HTML.

    The HTML file holds everything (data, script, styles) and fetches nothing: open it offline.

    \b
    Examples:
      bow report ~/.bow/runs/smoke-1a2b3c4d5e
      bow report runs/a runs/b --html report.html
      bow report runs/a --json | jq '.groups[0].canon'
    """
    data = _load(settings, run_dirs)
    written = None
    if html_path:
        from bow.report.html import write_html

        written = write_html(data, Path(html_path), title)
    if as_json:
        emit_json(data if written is None else {**data, "html": str(written)})
        return
    from bow.report.terminal import print_report

    print_report(data)
    if written is not None:
        console().print(f"HTML report: {written}", markup=False)


@click.command()
@click.argument("run_dirs", nargs=-1, required=True, metavar="RUN_DIR RUN_DIR...")
@click.option(
    "--sort",
    type=click.Choice(SORT_CHOICES),
    default="canon",
    show_default=True,
    help="Order rows by this metric (best first).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the leaderboard rows as JSON.")
@click.pass_obj
def compare(settings: Settings, run_dirs: tuple[str, ...], sort: str, as_json: bool) -> None:
    r"""Leaderboard across runs: one row per run × model × mode.

    Scores are best first (higher canon, thinking, acting, TAM, items; fewer unscored,
    tokens, seconds); rows missing the metric come last.

    \b
    Examples:
      bow compare runs/local-cot runs/local-direct
      bow compare runs/* --sort tam --json
    """
    from bow.report.stats import leaderboard
    from bow.report.terminal import print_leaderboard

    rows = leaderboard(_load(settings, run_dirs), sort)
    if as_json:
        emit_json(rows)
    else:
        print_leaderboard(rows, sort)
