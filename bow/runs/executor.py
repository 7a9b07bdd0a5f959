"""Executors play items and hand each result to one writer. The local one is an asyncio pool.

Executors share one small interface (``open``, ``run(items, context, on_result)``,
``close``) so a distributed executor replaces the local one without touching
planning, the run directory, or the summary: ``on_result`` is always called in the
caller's process, and the caller alone writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bow.runs.plan import RunItem
from bow.runs.player import ItemPlayer, PlayerSpec

OnResult = Callable[[RunItem, dict[str, Any] | None, BaseException | None], None]


@dataclass
class RunContext:
    """What the driver already holds when items start: the spec, the libraries, canon memory.

    ``memory`` is the driver's own canon memory, already built (the driver is its only
    writer). An in-process executor reads it; another process must open its own copy.
    """

    spec: PlayerSpec
    personas: Any
    scenarios: Any
    memory: Any = None


class Executor(Protocol):
    """Plays items; calls ``on_result`` once per item, in the caller's process."""

    def open(self) -> None:
        """Acquire what the executor needs (a cluster connection); fail fast and clearly."""
        ...

    def run(self, items: list[RunItem], context: RunContext, on_result: OnResult) -> None:
        """Play every item."""
        ...

    def close(self) -> None:
        """Release what ``open`` and ``run`` acquired."""
        ...

    def describe(self) -> str:
        """One line for the run log."""
        ...


class LocalExecutor:
    """At most ``concurrency`` items in flight on one event loop (default: what the models serve)."""

    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency

    def open(self) -> None:
        """Nothing to acquire."""

    def close(self) -> None:
        """Nothing to release."""

    def describe(self) -> str:
        """One line for the run log."""
        return "local" if self.concurrency is None else f"local, {self.concurrency} in flight"

    def run(self, items: list[RunItem], context: RunContext, on_result: OnResult) -> None:
        """Build one player for this process and play items through a bounded pool."""
        if not items:
            return
        player = ItemPlayer(context.spec, personas=context.personas, scenarios=context.scenarios, memory=context.memory)
        limit = player.max_in_flight if self.concurrency is None else max(1, self.concurrency)
        asyncio.run(play_all(items, player.play, on_result, limit, warm=player.warm))


WARM_BATCH = 32


async def play_all(items: list[RunItem], play: Any, on_result: OnResult, concurrency: int, warm: Any = None) -> None:
    """Play items with at most ``concurrency`` in flight; one failing item never stops the others.

    ``warm(batch)``, if given, prepares upcoming items (their retrieval embeddings) in the
    background, at most a few batches ahead of the items already started.
    """
    queue: asyncio.Queue[RunItem] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    started = asyncio.Event()
    lookahead = concurrency + 2 * WARM_BATCH

    async def warmer() -> None:
        for start in range(0, len(items), WARM_BATCH):
            while start > len(items) - queue.qsize() + lookahead:
                started.clear()
                await started.wait()
            try:
                await warm(items[start : start + WARM_BATCH])
            except Exception:  # noqa: BLE001 - only a head start: items embed for themselves
                return

    async def worker() -> None:
        while True:
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started.set()
            try:
                result = await play(item)
            except Exception as exc:  # noqa: BLE001 - recorded as a failed item
                on_result(item, None, exc)
            else:
                on_result(item, result, None)

    warming = asyncio.create_task(warmer()) if warm is not None else None
    try:
        await asyncio.gather(*(worker() for _ in range(min(max(1, concurrency), len(items)))))
    finally:
        if warming is not None:
            warming.cancel()
