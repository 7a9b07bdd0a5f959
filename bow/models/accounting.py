"""Token, latency and call accounting per model, for run summaries and ``bow models check``."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from bow.models.reply import ModelReply


@dataclass
class ModelStats:
    """Running totals for one model spec."""

    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """Plain dict for JSON output."""
        return asdict(self)


class Accounting:
    """Thread-safe totals keyed by model spec."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_model: dict[str, ModelStats] = {}

    def _stats(self, model: str) -> ModelStats:
        return self.by_model.setdefault(model, ModelStats())

    def record(self, reply: ModelReply) -> None:
        """Count one finished call (a cache hit counts its tokens but no latency)."""
        with self._lock:
            stats = self._stats(reply.model)
            stats.calls += 1
            if reply.cached:
                stats.cache_hits += 1
                return
            stats.input_tokens += reply.usage.input_tokens
            stats.output_tokens += reply.usage.output_tokens
            stats.latency_s += reply.latency_s

    def record_retry(self, model: str) -> None:
        """Count one retried attempt."""
        with self._lock:
            self._stats(model).retries += 1

    def record_failure(self, model: str) -> None:
        """Count one call that failed for good."""
        with self._lock:
            self._stats(model).failures += 1

    def snapshot(self) -> dict[str, dict[str, float]]:
        """A copy of all totals, as plain dicts."""
        with self._lock:
            return {model: stats.as_dict() for model, stats in self.by_model.items()}
