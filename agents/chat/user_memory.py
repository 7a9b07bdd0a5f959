"""What a user told a persona, kept across sessions and apart from canon memory.

Stored in LangGraph's ``SqliteStore`` under ``("user-memory", user, persona_id)``: one
namespace per user and version, so a version never recalls what the user told another
version, and nothing here can touch the persona's canon collections.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bow.embeddings import Embedder

# A message worth keeping says something about the speaker: a first-person statement.
_ABOUT_THEMSELVES = re.compile(r"(?i)\b(i am|i'm|i was|i have|i've|i work|i live|i like|i love|i hate|my|me)\b")
_MIN_WORDS = 4


class UserMemory:
    """Remember and recall a user's own statements, per persona version."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        from langgraph.store.sqlite import SqliteStore

        path.parent.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.store = SqliteStore(self._conn)
        self.store.setup()

    @staticmethod
    def namespace(user: str, persona_id: str) -> tuple[str, ...]:
        """Where one user's memories for one version live."""
        return ("user-memory", user, persona_id)

    @staticmethod
    def worth_keeping(text: str) -> bool:
        """First-person statements of some length: "my name is Ada", "I build robots"."""
        return len(text.split()) >= _MIN_WORDS and bool(_ABOUT_THEMSELVES.search(text)) and not text.startswith("/")

    def remember(self, user: str, persona_id: str, text: str) -> bool:
        """Keep ``text`` if it says something about the user; return whether it was kept."""
        if not self.worth_keeping(text):
            return False
        vector = self.embedder.embed([text])[0]
        value = {"text": text, "vector": list(map(float, vector)), "at": datetime.now(UTC).isoformat()}
        with self._lock:
            self.store.put(self.namespace(user, persona_id), uuid.uuid4().hex, value)
        return True

    def recall(self, user: str, persona_id: str, query: str, k: int = 3) -> list[dict[str, Any]]:
        """The ``k`` memories nearest to ``query`` (most recent first among equals)."""
        with self._lock:
            items = self.store.search(self.namespace(user, persona_id), limit=1000)
        if not items:
            return []
        query_vector = np.asarray(self.embedder.embed([query])[0], dtype=np.float32)
        scored = [(float(np.asarray(i.value["vector"], dtype=np.float32) @ query_vector), i) for i in items]
        scored.sort(key=lambda pair: (pair[0], pair[1].value.get("at", "")), reverse=True)
        return [{"id": i.key, "text": i.value["text"], "at": i.value.get("at"), "score": s} for s, i in scored[:k]]

    def forget(self, user: str, persona_id: str) -> int:
        """Delete everything ``user`` told ``persona_id``; return how many memories went."""
        with self._lock:
            items = self.store.search(self.namespace(user, persona_id), limit=10000)
            for item in items:
                self.store.delete(self.namespace(user, persona_id), item.key)
        return len(items)

    def close(self) -> None:
        """Close the database."""
        self._conn.close()
