"""Typed state of one chat session (one thread in the checkpointer)."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class ChatState(TypedDict, total=False):
    """What flows between the chat nodes; checkpointed after every node."""

    messages: Annotated[list[dict[str, Any]], operator.add]
    """The public conversation: ``{"role": "user"|"world"|"persona", "speaker", "name", "text"}``."""

    thoughts: Annotated[list[dict[str, Any]], operator.add]
    """Private deliberations, ``{"speaker", "text", "turn"}``: only their own speaker's reply node reads them."""

    participants: list[str]
    """Persona ids who answer each message, in turn (one normally; several in a multiversal scene)."""

    queue: list[str]
    """Participants still to answer the current message."""

    speaker: str
    """The persona answering now."""

    show_think: bool
    """Whether this turn deliberates privately before replying."""

    recalled: list[dict[str, Any]]
    """What the current speaker recalled for this reply: canon passages and memories of the user."""

    last_recalled: dict[str, list[dict[str, Any]]]
    """Speaker → what it recalled for its last reply (the ``/memory`` panel)."""

    think: str
    """The current speaker's private deliberation for this reply."""
