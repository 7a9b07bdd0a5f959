"""Reasoning modes (kept apart from the record types so the CLI can list them without importing pydantic)."""

from typing import Literal

Mode = Literal["two-node", "cot", "direct", "native"]
MODES: tuple[str, ...] = ("two-node", "cot", "direct", "native")
