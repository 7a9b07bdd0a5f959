"""Printing helpers shared by commands: JSON for scripts, rich tables for people."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON to stdout."""
    click.echo(json.dumps(data, indent=2, default=str))


def console(stderr: bool = False) -> Any:
    """A rich console (imported lazily: rich costs start-up time)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=not sys.stdout.isatty())


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    """Print a simple rich table."""
    from rich.markup import escape
    from rich.table import Table

    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*[escape(str(cell)) for cell in row])
    console().print(grid)
