"""Executors run items and hand each result to one writer. The local one is an asyncio pool.

Executors share one small interface (``run(items, play_item, on_result)``) so a
distributed executor can replace the local one without touching planning,
the run directory, or the summary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bow.runs.plan import RunItem

PlayItem = Callable[[RunItem], Awaitable[dict[str, Any]]]
OnResult = Callable[[RunItem, dict[str, Any] | None, BaseException | None], None]


class Executor(Protocol):
    """Runs items; calls ``on_result`` once per item, in the caller's process."""

    async def run(self, items: list[RunItem], play_item: PlayItem, on_result: OnResult) -> None:
        """Run every item."""
        ...


class LocalExecutor:
    """At most ``concurrency`` items in flight on this event loop."""

    def __init__(self, concurrency: int = 8) -> None:
        self.concurrency = max(1, concurrency)

    async def run(self, items: list[RunItem], play_item: PlayItem, on_result: OnResult) -> None:
        """Run items through a bounded worker pool; one failing item never stops the others."""
        queue: asyncio.Queue[RunItem] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    result = await play_item(item)
                except Exception as exc:  # noqa: BLE001 - recorded as a failed item
                    on_result(item, None, exc)
                else:
                    on_result(item, result, None)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(items)))))
