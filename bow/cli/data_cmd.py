"""``bow import``, ``bow data pull`` and ``bow export``: the benchmark authors' dataset and format."""

from __future__ import annotations

from pathlib import Path

import click

from bow.cli.output import console, emit_json
from bow.config import Settings
from bow.errors import BowError


def _run_import(settings: Settings, source: Path, as_json: bool) -> None:
    from bow.datasets.bow_import import check_names, import_bow, persona_cids, read_profiles

    library = settings.library()
    output = settings.home / "scenarios" / "bow-benchmark"
    report = import_bow(source, output, persona_cids(library))
    data = {**report.as_dict(), "name_warnings": check_names(read_profiles(source / "heros_profile_aa.csv"), library)}
    if as_json:
        emit_json(data)
        return
    out = console()
    out.print(f"Personas: {data['personas']['linked']}/{data['personas']['total']} linked by CID.")
    for kind in ("canon", "dilemmas"):
        part = data[kind]
        out.print(
            f"{kind}: {part['total']} items: {part['imported']} imported "
            f"({len(part['repaired'])} of them repaired), {len(part['skipped'])} skipped."
        )
        for skip in part["skipped"]:
            out.print(f"  skipped {skip['item']}: {skip['reason']}", markup=False)
    out.print(f"Written to {output} (suites: bow-canon, bow-dilemmas; details in import-report.json).")


@click.group("import")
def import_group() -> None:
    r"""Import external datasets as BOW scenarios.

    \b
    Example:
      bow import bow ../shared/bow-dataset
    """


@import_group.command("bow")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_obj
def import_bow_cmd(settings: Settings, directory: str, as_json: bool) -> None:
    r"""Import the Beyond One World dataset (heros_profile_aa.csv and the two JSON files).

    Items link to personas by CID; malformed items are repaired when that can be
    done faithfully, otherwise skipped with a reason. Output: HOME/scenarios/bow-benchmark.

    \b
    Example:
      bow import bow ../shared/bow-dataset --json
    """
    _run_import(settings, Path(directory), as_json)


@click.group()
def data() -> None:
    r"""Download datasets.

    \b
    Example:
      bow data pull
    """


@data.command()
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_obj
def pull(settings: Settings, as_json: bool) -> None:
    r"""Download the Beyond One World dataset from the Hugging Face hub, then import it.

    \b
    Example:
      bow data pull
    """
    from bow.datasets.pull import pull as pull_dataset

    folder = pull_dataset(settings.home / "datasets" / "bow")
    _run_import(settings, folder, as_json)


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["bow"]),
    default="bow",
    show_default=True,
    help="bow: the benchmark authors' JSONL (CID, name, lore, answers, question, true_label).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="File (default: stdout).")
@click.pass_obj
def export(settings: Settings, run_dir: str, fmt: str, output: str | None) -> None:
    r"""Export a run's replies in another benchmark's format.

    \b
    Example:
      bow export ~/.bow/runs/bow-canon-1a2b3c -o canon_local.jsonl
    """
    import json

    from bow.datasets.export import export_rows, write_jsonl

    if not (Path(run_dir) / "manifest.json").is_file():
        raise BowError(f"{run_dir} is not a BOW run directory (no manifest.json).")
    rows = export_rows(Path(run_dir), settings.library())
    if output:
        write_jsonl(rows, Path(output))
        click.echo(f"Wrote {len(rows)} rows to {output}")
    else:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
