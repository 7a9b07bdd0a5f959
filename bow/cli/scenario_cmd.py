"""``bow scenario``: list and validate scenarios."""

from __future__ import annotations

from pathlib import Path

import click

from bow.cli.output import emit_json, table
from bow.config import Settings


@click.group()
def scenario() -> None:
    r"""Scenarios: canon-event questions, moral dilemmas and multi-turn dilemma scripts.

    \b
    Examples:
      bow scenario list --persona iron-man/mcu-endgame
      bow scenario validate ./my-scenarios
    """


@scenario.command("list")
@click.option("--persona", "persona_id", default=None, help="Only scenarios this persona may play.")
@click.option("--kind", type=click.Choice(["canon-event", "moral-dilemma", "dilemma-script"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_(settings: Settings, persona_id: str | None, kind: str | None, as_json: bool) -> None:
    r"""List scenarios (and suites) visible here.

    \b
    Example:
      bow scenario list --kind dilemma-script --json
    """
    library = settings.scenarios()
    if persona_id:
        settings.library().get(persona_id)
    chosen = [
        s
        for s in library.scenarios.values()
        if (persona_id is None or s.target.allows(persona_id)) and (kind is None or s.kind == kind)
    ]
    rows = [
        {
            "id": s.id,
            "kind": s.kind,
            "target": str(s.target),
            "detail": getattr(s, "stage", None) or getattr(s, "dilemma_type", None),
            "beats": len(getattr(s, "beats", [])) or 1,
        }
        for s in chosen
    ]
    if as_json:
        emit_json({"scenarios": rows, "suites": sorted(library.suites)})
        return
    table(
        f"{len(rows)} scenarios (suites: {', '.join(sorted(library.suites)) or 'none'})",
        ["id", "kind", "target", "stage / type", "beats"],
        [[r["id"], r["kind"], r["target"], r["detail"], r["beats"]] for r in rows],
    )


@scenario.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Treat content warnings as errors.")
@click.pass_obj
def validate(settings: Settings, paths: tuple[str, ...], strict: bool) -> None:
    r"""Check scenario files against the schema and the personas they name.

    \b
    Examples:
      bow scenario validate
      bow scenario validate ./my-scenarios/heist.yaml --strict
    """
    from scenarios.lint import lint_paths
    from scenarios.loader import scenario_dirs

    targets = [Path(p) for p in paths] or scenario_dirs(settings.scenario_dirs, settings.home)
    report = lint_paths(targets, set(settings.library().personas))
    failed = 0
    for file, entry in report.items():
        for error in entry.errors:
            click.echo(f"{file}: error: {error}")
        for warning in entry.warnings:
            click.echo(f"{file}: warning: {warning}")
        failed += bool(entry.errors or (strict and entry.warnings))
    click.echo(f"{len(report)} file(s) checked: {failed} failed.")
    if failed or not report:
        raise SystemExit(1)
