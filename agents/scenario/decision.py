"""Read the decision an in-character reply commits to, so the script can branch on it.

The engine asks for a final ``DECISION: X`` line; models often do something
close instead ("I choose B", "**Option A**", a restated option). Rules only, in
order of trust; when nothing is clear the caller sends one repair prompt, and
after that the decision is ``unparsed`` — never a guess.
"""

from __future__ import annotations

import re

from bow.records import Decision

_MARKER = re.compile(
    r"(?i:decision|answer|final answer|choice)\s*[:\-]\s*[*_\"'(\[]*\s*(?i:option\s+)?([A-D])\b(?![’'\w])"
)
_OTHER = re.compile(r"(?i:decision)\s*[:\-]\s*[*_]*\s*(?i:other)\b[\s:\-*_]*(.*)")
_STATED = re.compile(
    r"(?i:\bI\s+(?:choose|pick|select|go\s+with|take|will\s+go\s+with)|\b(?:option|choice|answer)\s+(?:is\s+)?)"
    r"\s*[*_\"'(\[]*([A-D])\b(?![’'\w])"
)
_ALONE = re.compile(r"^\s*[*_\"'(\[]*([A-D])[*_\"')\].:]*\s*$", re.MULTILINE)
_WORD = re.compile(r"[a-z0-9']+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def _by_option_text(reply: str, choices: dict[str, str]) -> str | None:
    """The one option whose wording the reply restates (most of its words), if exactly one."""
    said = _words(reply)
    matched = [letter for letter, text in choices.items() if (w := _words(text)) and len(w & said) / len(w) >= 0.8]
    return matched[0] if len(matched) == 1 else None


def read_decision(reply: str, choices: dict[str, str], allow_other: bool = True) -> Decision | None:
    """The decision in ``reply`` among ``choices`` (letters → text), or None when unclear."""
    letters = set(choices)
    markers = [m for m in _MARKER.findall(reply) if m in letters]
    if markers:
        return Decision(choice=markers[-1], method="marker")
    other = _OTHER.search(reply)
    if other and allow_other:
        action = other.group(1).strip() or None
        return Decision(choice="other", free_action=action, method="marker")
    stated = [m for m in _STATED.findall(reply) if m in letters]
    if stated and len(set(stated)) == 1:
        return Decision(choice=stated[-1], method="letter")
    alone = [m for m in _ALONE.findall(reply) if m in letters]
    if alone and len(set(alone)) == 1:
        return Decision(choice=alone[-1], method="letter")
    by_text = _by_option_text(reply, choices)
    if by_text is not None:
        return Decision(choice=by_text, method="option-text")
    return None
