"""Canon accuracy: which option a reply commits to, and whether it is the right one.

Rules first (``bow.choices``); an LLM fallback only when the rules are unsure or
silent, and recorded as such (``method="llm-fallback"``).
"""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage

from bow.choices import extract_choice
from bow.errors import BowError
from bow.models.gateway import Gateway
from graders import prompts
from graders.verdict import Score


async def grade_choice(
    reply: str, options: dict[str, str], answer: str | None, fallback: Gateway | None = None
) -> Score:
    """A ``canon`` Score: value 1.0/0.0 (correct or not), label = the letter read, method = how."""
    found = extract_choice(reply, options)
    choice, method = (found.choice, found.method) if found else (None, None)
    if (found is None or not found.confident) and fallback is not None:
        listing = "\n".join(f"{k}. {v}" for k, v in sorted(options.items()))
        try:
            judged = await fallback.agenerate(
                [HumanMessage(prompts.CHOICE_FALLBACK.format(options=listing, reply=reply))]
            )
            words = re.findall(r"\b([A-E]|none|multiple)\b", judged.text)
            picked = next((w for w in words if w in options or w in ("none", "multiple")), None)
            if picked is not None:
                choice, method = picked, "llm-fallback"
        except BowError:
            pass  # keep the rules' reading (or none) rather than fail the whole grading
    if choice is None:
        return Score(grader="canon", unscored_reason="no option could be read from the reply", label="unreadable")
    correct = None if answer is None else float(choice == answer)
    return Score(
        grader="canon",
        value=correct,
        label=choice,
        method=method,
        judge=fallback.spec if method == "llm-fallback" and fallback else None,
    )
