"""The run directory: manifest, append-only JSONL results, summary and log.

Every finished item is appended and flushed (and fsynced) at once, so a crash
loses at most the items in flight, and a resumed run skips every key already
written. A line cut short by a crash is ignored on reading and never built on.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import threading
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bow import __version__
from bow.errors import BowError
from bow.redact import redact

FORMAT = "bow-run/1"
TRANSCRIPTS = "transcripts.jsonl"
FAILURES = "failures.jsonl"
SCORES = "scores.jsonl"
# Configuration keys that must match for a directory to be resumed.
IDENTITY_KEYS = (
    "suite",
    "models",
    "modes",
    "memory",
    "show_consequences",
    "persona_glob",
    "limit",
    "judges",
    "repeats",
    "cross_version",
    "temperature",
    "likelihood",
    "multi_turn",
)
PACKAGES = ("beyond-one-world", "langgraph", "langchain-core", "chromadb", "llama-cpp-python", "torch", "transformers")


class RunDirError(BowError):
    """A run directory that is corrupt, foreign, or holds a different run."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, cwd=Path(__file__).resolve().parent
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _packages() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file; a cut-short last line is skipped, a bad line elsewhere is an error."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):  # the final line, with no newline: a write cut short by a crash
                continue
            raise RunDirError(f"{path}: line {number} is not valid JSON.", "The run directory is corrupt.") from None
    return records


class RunDir:
    """A run directory opened for writing (new or resumed)."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, config: dict[str, Any]) -> RunDir:
        """Create ``path`` for a new run, or reopen it when it holds the same run (resume)."""
        manifest_path = path / "manifest.json"
        if manifest_path.exists():
            try:
                manifest = json.loads(manifest_path.read_text())
            except (OSError, json.JSONDecodeError):
                raise RunDirError(f"{manifest_path} is unreadable.", "Use another --out directory.") from None
            if manifest.get("format") != FORMAT:
                raise RunDirError(f"{path} is not a BOW run directory ({FORMAT}).", "Use another --out directory.")
            differs = [k for k in IDENTITY_KEYS if manifest.get("config", {}).get(k) != config.get(k)]
            if differs:
                raise RunDirError(
                    f"{path} holds a different run (differs in: {', '.join(differs)}).",
                    "Use another --out directory, or repeat the original command to resume it.",
                )
            run = cls(path, manifest)
            run.load_done()  # fail now, not mid-run, if its results are corrupt
            return run
        if path.exists() and any(path.iterdir()):
            raise RunDirError(f"{path} exists, is not empty, and is not a BOW run.", "Use another --out directory.")
        path.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format": FORMAT,
            "created_at": _now(),
            "bow_version": __version__,
            "config": redact(config),
            "packages": _packages(),
            "git_commit": _git_commit(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        return cls(path, manifest)

    def load_done(self) -> set[str]:
        """Keys of items that already have a transcript."""
        return {r["key"] for r in read_jsonl(self.path / TRANSCRIPTS) if "key" in r}

    def _append(self, name: str, *records: dict[str, Any]) -> None:
        """Append whole lines and fsync once: a crash keeps all of them or cuts only the last."""
        if not records:
            return
        lines = "".join(json.dumps(redact(r), ensure_ascii=False) + "\n" for r in records)
        target = self.path / name
        with self._lock:
            with open(target, "a+b") as handle:
                handle.seek(0, os.SEEK_END)
                if handle.tell() > 0:
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":  # a crash cut the last line short: start a fresh line
                        handle.write(b"\n")
                handle.write(lines.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())

    def add_item(self, key: str, transcript: dict[str, Any], scores: list[dict[str, Any]]) -> None:
        """Append one finished item: its scores, then its transcript (the line that marks it done).

        Both carry the same attempt id, so scores left behind by an attempt that crashed
        before its transcript line are ignored by ``read_scores`` rather than counted twice.
        """
        attempt = uuid.uuid4().hex[:12]
        self._append(SCORES, *({**row, "attempt": attempt} for row in scores))
        self._append(TRANSCRIPTS, {"key": key, **transcript, "attempt": attempt})

    def add_transcript(self, key: str, transcript: dict[str, Any]) -> None:
        """Append one finished item."""
        self._append(TRANSCRIPTS, {"key": key, **transcript})

    def add_scores(self, rows: list[dict[str, Any]]) -> None:
        """Append the score records of one item."""
        self._append(SCORES, *rows)

    def add_failure(self, key: str, error: str) -> None:
        """Append one item that failed after retries."""
        self._append(FAILURES, {"key": key, "error": error, "at": _now()})

    def log(self, message: str) -> None:
        """Append a line to the run log."""
        with self._lock, open(self.path / "run.log", "a", encoding="utf-8") as handle:
            handle.write(f"{_now()} {message}\n")

    def write_summary(self, summary: dict[str, Any]) -> None:
        """Replace summary.json atomically."""
        tmp = self.path / "summary.json.tmp"
        tmp.write_text(json.dumps(summary, indent=2) + "\n")
        tmp.replace(self.path / "summary.json")


def read_scores(path: Path) -> list[dict[str, Any]]:
    """Score rows of the items a run finished, from the attempt whose transcript was kept."""
    kept = {t["key"]: t.get("attempt") for t in read_jsonl(path / TRANSCRIPTS) if "key" in t}
    return [r for r in read_jsonl(path / SCORES) if r.get("key") in kept and r.get("attempt") == kept[r["key"]]]
