"""Parsed YAML of the persona and scenario libraries, remembered between processes.

Every command loads the whole library (90 personas, and with the paper's dataset
imported some 300 scenario files); constructing Python objects from YAML is
most of a second of each ``bow run``'s start-up. The parsed data (plain dicts
and lists, before schema validation, so a schema change needs no invalidation)
is kept in one pickle under ``HOME/cache``, keyed by each file's path, size,
modification time and inode. A file that changed is parsed again; a cache that
cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT = 1


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


class ParsedYamlCache:
    """``load(path, parse)`` returns ``parse(path)``, from the cache when the file is unchanged."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self._entries: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self._dirty = False
        if file is not None:
            try:
                with open(file, "rb") as handle:
                    stored = pickle.load(handle)  # noqa: S301 - the user's own cache file
                if isinstance(stored, dict) and stored.get("format") == FORMAT:
                    self._entries = stored["entries"]
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
                self._entries = {}  # missing or unreadable: parse everything once and rewrite it

    def load(self, path: Path, parse: Callable[[Path], Any]) -> Any:
        """The parsed contents of ``path`` (parse errors propagate and are never cached)."""
        if self.file is None:
            return parse(path)
        key = str(path.resolve())
        try:
            stamp = _stamp(path)
        except OSError:
            return parse(path)  # let the parser report the unreadable file
        cached = self._entries.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        data = parse(path)
        self._entries[key] = (stamp, data)
        self._dirty = True
        return data

    def save(self) -> None:
        """Write the cache if anything was parsed anew (atomically: concurrent commands never see half a file)."""
        if self.file is None or not self._dirty:
            return
        tmp = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                pickle.dump({"format": FORMAT, "entries": self._entries}, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
            self._dirty = False
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only home still works, only without the speed-up


def library_cache(home: Path | None, name: str) -> ParsedYamlCache:
    """The cache for one library (``personas`` or ``scenarios``) under ``home``; none without a home."""
    return ParsedYamlCache(home / "cache" / f"parsed-{name}.pickle" if home is not None else None)
