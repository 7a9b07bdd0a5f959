"""``bow persona``: list, show, scaffold, validate, and import/export character cards."""

from __future__ import annotations

from pathlib import Path

import click

from bow.cli.output import console, emit_json, table
from bow.config import Settings
from bow.errors import BowError


def _summary(persona, path: Path | None = None) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": persona.id,
        "hero": persona.hero,
        "name": persona.display_name,
        "version": persona.id.split("/")[1],
        "version_label": persona.version_label,
        "universe": persona.universe,
        "continuity": persona.continuity,
        "sources": [s.model_dump() for s in persona.sources],
        "cid": persona.cid,
        "passages": len(persona.memory),
        "file": str(path) if path else None,
    }


@click.group()
def persona() -> None:
    r"""Hero versions: list, inspect, create, validate, import and export.

    \b
    Examples:
      bow persona list --hero iron-man
      bow persona show spider-man/mcu-no-way-home
    """


@persona.command("list")
@click.option("--hero", default=None, help="Only this hero's versions.")
@click.option("--universe", default=None, help="Only this universe (Marvel, DC, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_(settings: Settings, hero: str | None, universe: str | None, as_json: bool) -> None:
    r"""List every persona version visible here.

    \b
    Example:
      bow persona list --universe DC --json
    """
    library = settings.library()
    rows = [
        _summary(p, library.files[p.id])
        for p in library
        if (hero is None or p.hero == hero) and (universe is None or p.universe.lower() == universe.lower())
    ]
    if as_json:
        emit_json(rows)
        return
    table(
        f"{len(rows)} persona versions",
        ["id", "name", "universe", "version", "passages"],
        [[r["id"], r["name"], r["universe"], r["version_label"], r["passages"]] for r in rows],
    )


@persona.command()
@click.argument("persona_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole persona as JSON.")
@click.option("--prompt", is_flag=True, help="Also print the in-character system prompt.")
@click.pass_obj
def show(settings: Settings, persona_id: str, as_json: bool, prompt: bool) -> None:
    r"""Show one persona: profile, sources, values, relationships and memory by stage.

    \b
    Example:
      bow persona show batman/the-batman-2022 --prompt
    """
    library = settings.library()
    found = library.get(persona_id)
    if as_json:
        emit_json(found.model_dump(mode="json"))
        return
    out = console()
    out.print(f"[bold]{found.display_name}[/bold] — {found.version_label}  ({found.id})")
    out.print(f"{found.universe} · {found.continuity} · file {library.files[found.id]}")
    out.print(f"[dim]Timeline:[/dim] {found.timeline_point}")
    out.print(f"[dim]Sets it apart:[/dim] {found.distinct_from_siblings}")
    stages: dict[str, int] = {}
    for passage in found.memory:
        stages[passage.stage.value] = stages.get(passage.stage.value, 0) + 1
    out.print("[dim]Memory:[/dim] " + ", ".join(f"{k} {v}" for k, v in stages.items()))
    if prompt:
        from agents.persona_agent import render_system_prompt

        out.print("\n" + render_system_prompt(found), markup=False)


@persona.command()
@click.argument("hero")
@click.argument("version")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write (default: HOME/personas, loaded automatically).",
)
@click.pass_obj
def new(settings: Settings, hero: str, version: str, directory: str | None) -> None:
    r"""Scaffold a persona file with every field explained, ready to fill in.

    \b
    Example:
      bow persona new iron-man noir-1930s
    """
    from personas.scaffold import scaffold

    base = Path(directory) if directory else settings.home / "personas"
    path = base / hero / f"{version}.yaml"
    if path.exists():
        raise BowError(f"{path} already exists.", "Pick another version slug or edit that file.")
    try:
        text = scaffold(hero, version, str(path))
    except ValueError as exc:
        raise BowError(str(exc)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}. Fill in the TODOs, then: bow persona validate {path}")


@persona.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Treat content warnings (coverage, file location) as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def validate(settings: Settings, paths: tuple[str, ...], strict: bool, as_json: bool) -> None:
    r"""Check persona files against the schema (default: every visible directory).

    \b
    Examples:
      bow persona validate
      bow persona validate ~/my-heroes/ --strict
    """
    from personas.lint import lint_paths
    from personas.loader import persona_dirs

    targets = [Path(p) for p in paths] or persona_dirs(settings.persona_dirs, settings.home)
    report = lint_paths(targets)
    failed = [f for f, r in report.items() if r.errors or (strict and r.warnings)]
    if as_json:
        emit_json({str(f): {"errors": r.errors, "warnings": r.warnings} for f, r in report.items()})
    else:
        for file, entry in report.items():
            for error in entry.errors:
                click.echo(f"{file}: error: {error}")
            for warning in entry.warnings:
                click.echo(f"{file}: warning: {warning}")
        warned = sum(1 for r in report.values() if r.warnings)
        click.echo(f"{len(report)} file(s) checked: {len(failed)} failed, {warned} with warnings.")
    if failed or not report:
        raise SystemExit(1)


@persona.command("import")
@click.argument("card_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--id", "persona_id", default=None, help="Persona id to give it (default: from the card).")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write (default: HOME/personas).",
)
@click.pass_obj
def import_(settings: Settings, card_path: str, persona_id: str | None, directory: str | None) -> None:
    r"""Import a Character Card V2/V3 JSON file as a persona (lorebook entries become memory).

    \b
    Example:
      bow persona import ./cards/my-hero.json --id my-hero/card-v1
    """
    from personas.cards import card_to_persona, load_card
    from personas.loader import persona_to_yaml

    found = card_to_persona(load_card(Path(card_path)), persona_id=persona_id)
    base = Path(directory) if directory else settings.home / "personas"
    path = base / found.hero / f"{found.id.split('/')[1]}.yaml"
    if path.exists():
        raise BowError(f"{path} already exists.", "Pass --id with another version slug.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(persona_to_yaml(found), encoding="utf-8")
    skipped = found.extensions.get("card_skipped") or []
    click.echo(f"Imported {found.id} ({len(found.memory)} memory passages, {len(skipped)} entries skipped) to {path}")


@persona.command()
@click.argument("persona_id")
@click.option("--spec", type=click.Choice(["v2", "v3"]), default="v3", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
@click.pass_obj
def export(settings: Settings, persona_id: str, spec: str, output: str | None) -> None:
    r"""Export a persona as a Character Card V2/V3 JSON file.

    \b
    Example:
      bow persona export thor/earth-616 -o thor.json
    """
    from personas.cards import persona_to_card, write_card

    card = persona_to_card(settings.library().get(persona_id), spec=spec)  # type: ignore[arg-type]
    if output:
        write_card(card, Path(output))
        click.echo(f"Wrote {output}")
    else:
        emit_json(card)
