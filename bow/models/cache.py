"""On-disk response cache: sqlite under the BOW home, keyed by model, parameters and messages."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from bow.models.reply import ModelReply
from bow.redact import redact


def cache_key(model: str, params: dict[str, Any], messages: list[dict[str, Any]]) -> str:
    """A stable hash of everything that determines a reply (secrets excluded)."""
    payload = json.dumps({"model": model, "params": redact(params), "messages": messages}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class ResponseCache:
    """A small thread-safe sqlite key-value store of ``ModelReply`` objects.

    WAL mode lets several BOW processes read while one writes; writes are
    single short transactions, so contention stays low.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A cache can lose its last entries on power loss, never its consistency: skip the
        # per-commit fsync (it cost ~1.7 ms a reply, more than a zero-latency model's whole turn).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT, reply TEXT, created REAL)"
        )
        self._db.commit()

    def get(self, key: str) -> ModelReply | None:
        """The cached reply for ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return ModelReply.model_validate_json(row[0])
        except ValueError:
            return None  # an unreadable entry is a miss, and will be overwritten

    def put(self, key: str, reply: ModelReply) -> None:
        """Store ``reply`` (redacted) under ``key``."""
        data = json.dumps(redact(reply.model_dump(mode="json")))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO replies (key, model, reply, created) VALUES (?, ?, ?, ?)",
                (key, reply.model, data, time.time()),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
