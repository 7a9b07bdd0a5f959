"""Root of the ``bow`` CLI: global options, error handling, command registration.

Command groups live in their own modules and import heavy libraries inside the
command bodies, so ``bow --help`` stays fast.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from bow import __version__
from bow.config import CHROMA_ENV, DEFAULT_MODEL, HOME_ENV, JUDGE_ENV, MODEL_ENV, Settings
from bow.errors import BowError


class BowGroup(click.Group):
    """A click group that turns errors into one clear line (traceback only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, reporting user errors as one line."""
        try:
            return super().invoke(ctx)
        except BowError as exc:
            _fail(ctx, f"Error: {exc}", exc.exit_code)
        except KeyboardInterrupt:
            _fail(ctx, "Interrupted.", 130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence for users
            _fail(ctx, f"Unexpected error: {type(exc).__name__}: {exc}. Re-run with --debug for details.", 1)


def _fail(ctx: click.Context, line: str, code: int) -> None:
    settings = ctx.find_object(Settings)
    if settings is not None and settings.debug:
        traceback.print_exc()
    click.echo(line, err=True)
    sys.exit(code)


@click.group(cls=BowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bow")
@click.option(
    "-m",
    "--model",
    envvar=MODEL_ENV,
    default=DEFAULT_MODEL,
    show_default=True,
    help=f"Model spec for personas, e.g. local, openai:gpt-4o-mini (env {MODEL_ENV}).",
)
@click.option(
    "--judge", envvar=JUDGE_ENV, default=None, help=f"Model spec for grader agents (env {JUDGE_ENV}; default: --model)."
)
@click.option("--home", envvar=HOME_ENV, default=None, help=f"BOW data directory (env {HOME_ENV}; default ~/.bow).")
@click.option("--base-url", default=None, help="Base URL of an OpenAI-compatible server (or env OPENAI_BASE_URL).")
@click.option(
    "--personas",
    "persona_dirs",
    multiple=True,
    type=click.Path(),
    help="Extra directory of persona YAML files (repeatable; env BOW_PERSONAS).",
)
@click.option(
    "--scenarios",
    "scenario_dirs",
    multiple=True,
    type=click.Path(),
    help="Extra directory of scenario YAML files (repeatable; env BOW_SCENARIOS).",
)
@click.option(
    "--chroma-url",
    envvar=CHROMA_ENV,
    default=None,
    help=f"Chroma server for canon memory (env {CHROMA_ENV}; default: embedded under the home).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the response cache.")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(
    ctx: click.Context,
    model: str,
    judge: str | None,
    home: str | None,
    base_url: str | None,
    persona_dirs: tuple[str, ...],
    scenario_dirs: tuple[str, ...],
    chroma_url: str | None,
    no_cache: bool,
    debug: bool,
) -> None:
    r"""Beyond One World: role-play canon-specific superhero versions and score them.

    \b
    Examples:
      bow models                  # which model backends work here
      bow models check local      # one real call to the embedded model
      bow -m openai:gpt-4o-mini --base-url http://localhost:8000/v1 models check
      bow persona list                                # the 90 shipped hero versions
      bow memory query iron-man/mcu-endgame "Afghanistan cave"
    """
    ctx.obj = Settings(
        home_arg=home,
        model=model,
        judge=judge,
        base_url=base_url,
        use_cache=not no_cache,
        debug=debug,
        persona_dirs=persona_dirs,
        scenario_dirs=scenario_dirs,
        chroma_url=chroma_url,
    )
    try:
        _ = ctx.obj.home  # fail early and clearly on a bad --home
    except BowError as exc:
        _fail(ctx, f"Error: {exc}", exc.exit_code)


def _register() -> None:
    from bow.cli.chat_cmd import chat
    from bow.cli.data_cmd import data, export, import_group
    from bow.cli.grade_cmd import calibrate, grade
    from bow.cli.memory_cmd import memory
    from bow.cli.models_cmd import models
    from bow.cli.persona_cmd import persona
    from bow.cli.play_cmd import play
    from bow.cli.report_cmd import compare, report
    from bow.cli.run_cmd import run
    from bow.cli.scenario_cmd import scenario
    from bow.cli.serve_cmd import serve

    for command in (models, persona, memory, scenario, play, run, grade, calibrate, import_group, data, export):
        cli.add_command(command)
    cli.add_command(report)
    cli.add_command(compare)
    cli.add_command(chat)
    cli.add_command(serve)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="bow")
