"""Shared fixtures: a temporary BOW home and a scripted model on the production path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.fakes import HashEmbedder


@pytest.fixture(autouse=True)
def bow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own BOW home, so nothing touches ~/.bow."""
    home = tmp_path / "bow-home"
    monkeypatch.setenv("BOW_HOME", str(home))
    monkeypatch.delenv("BOW_MODEL", raising=False)
    monkeypatch.delenv("BOW_JUDGE", raising=False)
    return home


@pytest.fixture
def script_file(tmp_path: Path):
    """Write a scripted-model file and return its ``scripted:PATH`` spec."""

    def write(replies: list, name: str = "replies.yaml") -> str:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"replies": replies}))
        return f"scripted:{path}"

    return write


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()
