"""``bow models``: list backends, and check one with a real call."""

from __future__ import annotations

import dataclasses

import click

from bow.cli.output import console, emit_json, table
from bow.config import Settings

CHECK_PROMPT = "In one short sentence, who are you?"


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def models(ctx: click.Context, as_json: bool) -> None:
    r"""List model backends and whether each is usable here.

    \b
    Example:
      bow models --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from bow.models.status import all_statuses

    statuses = all_statuses()
    if as_json:
        emit_json([dataclasses.asdict(s) for s in statuses])
        return
    rows = [[s.name, s.example, "yes" if s.usable else "no", s.note] for s in statuses]
    table("Model backends", ["backend", "spec example", "usable", "note"], rows)
    console().print("Other LangChain providers work as PROVIDER:MODEL once their integration package is installed.")


@models.command()
@click.argument("spec", required=False)
@click.option("--prompt", default=CHECK_PROMPT, show_default=True, help="What to ask the model.")
@click.option("--max-tokens", default=64, show_default=True, help="Upper bound on generated tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def check(settings: Settings, spec: str | None, prompt: str, max_tokens: int, as_json: bool) -> None:
    r"""Make one real call to SPEC (default: --model) and report latency and speed.

    The call bypasses the response cache, so the numbers are live.

    \b
    Examples:
      bow models check local
      bow models check openai:my-model --base-url http://127.0.0.1:8000/v1
    """
    from langchain_core.messages import HumanMessage

    from bow.models.gateway import Gateway, RetryPolicy

    spec = spec or settings.model
    gateway = Gateway(
        spec,
        base_url=settings.base_url,
        params={"max_tokens": max_tokens},
        retry=RetryPolicy(max_retries=1, timeout_s=120),
    )
    reply = gateway.generate([HumanMessage(prompt)], use_cache=False)
    speed = reply.usage.output_tokens / reply.latency_s if reply.latency_s else 0.0
    result = {
        "model": spec,
        "reply": reply.text,
        "reasoning": reply.reasoning,
        "latency_s": round(reply.latency_s, 3),
        "input_tokens": reply.usage.input_tokens,
        "output_tokens": reply.usage.output_tokens,
        "tokens_per_s": round(speed, 1),
    }
    if as_json:
        emit_json(result)
        return
    out = console()
    out.print(
        f"[bold]{spec}[/bold] answered in {result['latency_s']} s "
        f"({result['output_tokens']} tokens, {result['tokens_per_s']} tokens/s):"
    )
    if reply.reasoning:
        out.print(f"[dim]reasoning: {reply.reasoning}[/dim]")
    out.print(reply.text)
