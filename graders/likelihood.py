"""Canon accuracy by likelihood: which option the model finds most probable, with no parsing at all.

Only for backends that expose token log-probabilities (the embedded model does). Reports the
option with the highest summed log-probability (``acc``) and, as lm-evaluation-harness's
``acc_norm``, the highest log-probability per character.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import BaseMessage

from graders.verdict import Score


def supports_likelihood(model: Any) -> bool:
    """Whether a chat model can score continuations."""
    return bool(getattr(model, "supports_likelihood", False)) and hasattr(model, "score_continuations")


async def likelihood_choice(
    model: Any, messages: list[BaseMessage], options: dict[str, str], answer: str | None
) -> list[Score]:
    """Two ``canon-likelihood`` scores (raw and length-normalised) for one question."""
    letters = sorted(options)
    texts = [" " + options[letter] for letter in letters]
    logprobs = await asyncio.to_thread(model.score_continuations, messages, texts)
    raw = letters[max(range(len(letters)), key=lambda i: logprobs[i])]
    norm = letters[max(range(len(letters)), key=lambda i: logprobs[i] / max(1, len(texts[i])))]
    detail = ", ".join(f"{k}={v:.2f}" for k, v in zip(letters, logprobs, strict=True))
    return [
        Score(
            grader="canon-likelihood",
            label=raw,
            value=None if answer is None else float(raw == answer),
            method="acc",
            rationale=detail,
        ),
        Score(
            grader="canon-likelihood-norm",
            label=norm,
            value=None if answer is None else float(norm == answer),
            method="acc_norm",
            rationale=detail,
        ),
    ]
