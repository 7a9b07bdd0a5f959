"""On-disk response cache: sqlite under the BOW home, keyed by model, parameters and messages."""

from __future__ import annotations

import atexit
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


_SELECT = "SELECT reply FROM replies WHERE key = ?"


class ResponseCache:
    """A small thread-safe sqlite key-value store of ``ModelReply`` objects.

    WAL mode lets several BOW processes read while one writes. Writes are queued and
    committed together by a background thread (at most ``FLUSH_S`` later, and at exit):
    one commit per reply cost more than a fast model's whole turn. Entries still queued
    are served by ``get`` too; a hard kill can lose the last ones, which only means those
    calls are made again.
    """

    FLUSH_S = 0.25
    _shared: dict[str, ResponseCache] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls, path: Path) -> ResponseCache:
        """One cache (one connection, one writer thread) per file per process."""
        with cls._shared_lock:
            cache = cls._shared.get(str(path))
            if cache is None or cache._closed:
                cache = cls._shared[str(path)] = cls(path)
            return cache

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
        self._pending: dict[str, tuple[str, str, float]] = {}
        self._wake = threading.Event()
        self._closed = False
        self._writer = threading.Thread(target=self._write_behind, name="bow-cache-writer", daemon=True)
        self._writer.start()
        atexit.register(self.flush)

    def get(self, key: str) -> ModelReply | None:
        """The cached reply for ``key``, or None."""
        with self._lock:
            queued = self._pending.get(key)
            row = (queued[1],) if queued else self._db.execute(_SELECT, (key,)).fetchone()
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
            self._pending[key] = (reply.model, data, time.time())
        self._wake.set()

    def flush(self) -> None:
        """Commit every queued entry in one transaction."""
        with self._lock:
            if self._closed or not self._pending:
                return
            rows = [(key, model, data, created) for key, (model, data, created) in self._pending.items()]
            self._db.executemany(
                "INSERT OR REPLACE INTO replies (key, model, reply, created) VALUES (?, ?, ?, ?)", rows
            )
            self._db.commit()
            self._pending.clear()

    def _write_behind(self) -> None:
        while not self._closed:
            self._wake.wait()
            time.sleep(self.FLUSH_S)  # let more replies join this commit
            self._wake.clear()
            try:
                self.flush()
            except sqlite3.Error:
                pass  # a cache write that fails is a later miss, never a failed run

    def __len__(self) -> int:
        self.flush()
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def close(self) -> None:
        """Write what is queued and close the connection."""
        self.flush()
        with self._lock:
            self._closed = True
            self._db.close()
        self._wake.set()
        atexit.unregister(self.flush)
