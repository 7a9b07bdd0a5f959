"""Keep a model's own reasoning apart from its visible reply.

Backends put reasoning in different places: DeepSeek-R1 style ``<think>...</think>``
inside the text, Anthropic ``thinking`` content blocks, LangChain ``reasoning``
blocks, or a ``reasoning_content`` field on the message.
"""

from __future__ import annotations

import re
from typing import Any

THINK_BLOCK = re.compile(r"<think>(.*?)</think>", re.DOTALL | re.IGNORECASE)
THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)


def split_think_tags(text: str) -> tuple[str, str | None]:
    """Return ``(visible, reasoning)`` from text that may hold ``<think>`` sections.

    R1-style chat templates often open the think block in the prompt, so a reply
    can contain a closing ``</think>`` with no opening tag: everything before it
    is reasoning. An unclosed ``<think>`` means the model ran out of tokens while
    thinking, so the whole tail is reasoning and the visible reply is empty.
    """
    parts = [m.strip() for m in THINK_BLOCK.findall(text)]
    visible = THINK_BLOCK.sub("", text)
    if THINK_CLOSE.search(visible):
        head, visible = THINK_CLOSE.split(visible, maxsplit=1)
        parts.insert(0, head.strip())
    lower = visible.lower()
    if "<think>" in lower:
        start = lower.index("<think>")
        parts.append(visible[start + len("<think>") :].strip())
        visible = visible[:start]
    reasoning = "\n\n".join(p for p in parts if p) or None
    return visible.strip(), reasoning


def _content_to_text_and_reasoning(content: Any) -> tuple[str, list[str]]:
    if isinstance(content, str):
        return content, []
    texts: list[str] = []
    thoughts: list[str] = []
    for block in content or []:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict):
            kind = block.get("type")
            if kind == "text":
                texts.append(block.get("text", ""))
            elif kind == "thinking":
                thoughts.append(block.get("thinking", ""))
            elif kind == "reasoning":
                thoughts.append(block.get("reasoning", "") or block.get("text", ""))
    return "".join(texts), thoughts


def extract_reply(message: Any) -> tuple[str, str | None]:
    """Return ``(visible_text, reasoning)`` from a LangChain ``AIMessage``."""
    text, thoughts = _content_to_text_and_reasoning(getattr(message, "content", ""))
    extra = getattr(message, "additional_kwargs", {}) or {}
    for key in ("reasoning_content", "reasoning"):
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            thoughts.append(value)
    text, tagged = split_think_tags(text)
    if tagged:
        thoughts.append(tagged)
    reasoning = "\n\n".join(t.strip() for t in thoughts if t and t.strip()) or None
    return text, reasoning
