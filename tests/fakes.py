"""Test doubles shared by several test modules."""

import hashlib

import numpy as np


class HashEmbedder:
    """Deterministic bag-of-words vectors: fast, and texts sharing words land near each other."""

    name = "hash-bow-test"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        out = []
        for text in texts:
            vector = np.zeros(256, dtype=np.float32)
            for word in text.lower().split():
                vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 256] += 1
            out.append((vector / (np.linalg.norm(vector) or 1)).tolist())
        return out


def write_suite(directory, suite_id: str, personas: list[str], scenarios: list[str]):
    """A user scenarios directory (for ``--scenarios``) holding one suite; returns the directory."""
    from pathlib import Path

    import yaml

    directory = Path(directory)
    (directory / "suites").mkdir(parents=True, exist_ok=True)
    suite = {"id": suite_id, "description": "test suite", "personas": personas, "scenarios": scenarios}
    (directory / "suites" / f"{suite_id}.yaml").write_text(yaml.safe_dump(suite))
    return directory
