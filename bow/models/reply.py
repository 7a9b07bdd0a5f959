"""What a model call returns to BOW, independent of the backend."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Usage(BaseModel):
    """Token counts for one call (0 when a backend does not report them)."""

    input_tokens: int = 0
    output_tokens: int = 0


class ModelReply(BaseModel):
    """One model answer: visible text kept apart from the model's own reasoning."""

    text: str
    reasoning: str | None = Field(default=None, description="The backend's own reasoning channel, if any.")
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    cached: bool = False
    model: str = ""
