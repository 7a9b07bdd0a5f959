"""Read which option a free-text, in-character reply commits to.

Shared by the scenario engine (to branch on a decision) and the canon-accuracy
grader (to score replies from any source). Rules only, in order of trust:

1. an explicit final marker (``DECISION: B``, ``Final answer: (C)``) — the last one wins;
2. a stated commitment (``I choose B``, ``my answer is C``, ``**B**`` alone on a line);
3. the wording of exactly one option restated;
4. an implicit choice: the reply describes doing what one option says, clearly more than the others.

Text inside ``<think>`` is reasoning, not commitment, and is ignored when a visible reply
exists. ``multiple`` means the reply commits to several options; ``none`` that it commits to
none. ``confident`` is False when only the weak rule 4 decided — callers may ask an LLM then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bow.models.reasoning import split_think_tags

LETTER = r"[*_\"'(\[]*\s*(?:option\s+|choice\s+)?([A-E])\b(?![’'\w])"
MARKER = re.compile(r"(?i:decision|final\s+answer|final\s+choice|answer|my\s+choice)\s*(?:is\s*)?[:\-]?\s*" + LETTER)
OTHER = re.compile(r"(?i:decision)\s*[:\-]\s*[*_]*\s*(?i:other)\b[\s:\-*_]*(.*)")
STATED = re.compile(
    r"(?i:\bI(?:'d|\s+would|\s+will|'ll)?\s+(?:choose|pick|select|go\s+with|take|opt\s+for)"
    r"|\bmy\s+answer\s+(?:is|would\s+be)|\b(?:the\s+)?(?:correct|right)\s+(?:answer|option)\s+is)\s*" + LETTER
)
# "option A is my answer", "B is the right one"
STATED_AFTER = re.compile(
    r"(?i:\b(?:option|choice)\s+)?\b([A-E])\b(?i:\s+is\s+(?:my|the)\s+(?:answer|choice|pick|right\s+one|correct\s+one))"
)
# A sentence that mentions an option to reject it or as a what-if does not commit to it.
NOT_COMMITTED = re.compile(
    r"(?i)\b(?:not|never|no|wasn't|isn't|didn't|don't|won't|wouldn't|rather\s+than|instead\s+of|if\s+I'd|if\s+I\s+had|imagine)\b|\?\s*$"
)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
SUFFIXES = ("ingly", "edly", "ance", "ence", "ment", "ing", "ies", "ied", "ed", "es", "s")
ALONE = re.compile(r"^\s*[*_\"'(\[]*\s*(?i:option\s+|choice\s+)?([A-E])[*_\"')\].:]*\s*$", re.MULTILINE)
BOTH = re.compile(r"(?i:\bboth\s+(?:options?\s+)?)\(?([A-E])\)?\s+(?i:and)\s+\(?([A-E])\)?")
REFUSAL = re.compile(
    r"(?i)\b(?:I\s+(?:can(?:no|')t|won't|refuse\s+to)\s+(?:choose|answer|pick)|none\s+of\s+(?:these|the\s+options))"
)
WORD = re.compile(r"[a-z0-9']+")
STOP = frozenset(
    "the a an and or to of in on at for with your you his her their its is was be by as that this "
    "from into it he she they them we i my me".split()
)


@dataclass(frozen=True)
class Extraction:
    """The option a reply commits to, and how that was read."""

    choice: str
    method: str
    confident: bool = True
    free_action: str | None = None


def _stem(word: str) -> str:
    word = word.removesuffix("'s")
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> set[str]:
    return {_stem(w) for w in WORD.findall(text.lower()) if len(w) > 2 and w not in STOP}


def _committed_text(reply: str) -> str:
    """The reply without sentences that reject an option or only imagine it."""
    return " ".join(s for s in SENTENCE.split(reply) if s.strip() and not NOT_COMMITTED.search(s))


def _restated(reply: str, options: dict[str, str]) -> list[str]:
    said = _content_words(_committed_text(reply))
    return [k for k, text in options.items() if (w := _content_words(text)) and len(w & said) / len(w) >= 0.8]


def _implicit(reply: str, options: dict[str, str]) -> str | None:
    said = _content_words(_committed_text(reply))
    scores = {k: len(w & said) / len(w) for k, text in options.items() if (w := _content_words(text))}
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, runner_up = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0.0)
    return ranked[0][0] if best >= 0.4 and best >= 2 * runner_up else None


def extract_choice(reply: str, options: dict[str, str], allow_other: bool = False) -> Extraction | None:
    """The committed option among ``options`` (letter → text), or None when the rules cannot tell."""
    visible, reasoning = split_think_tags(reply or "")
    text = visible or (reasoning or "")
    letters = set(options)
    markers = [m for m in MARKER.findall(text) if m in letters]
    if markers:
        return Extraction(markers[-1], "marker")
    other = OTHER.search(text)
    if other and allow_other:
        return Extraction("other", "marker", free_action=other.group(1).strip() or None)
    both = [pair for pair in BOTH.findall(text) if set(pair) <= letters]
    if both:
        return Extraction("multiple", "stated")
    stated = [m for m in STATED.findall(text) + STATED_AFTER.findall(text) if m in letters]
    if stated:
        return Extraction(stated[-1], "stated")  # a reply may weigh options first; the last commitment counts
    alone = [m for m in ALONE.findall(text) if m in letters]
    if len(set(alone)) == 1:
        return Extraction(alone[-1], "stated")
    restated = _restated(text, options)
    if len(restated) == 1:
        return Extraction(restated[0], "option-text")
    if REFUSAL.search(text):
        return Extraction("none", "refusal")
    implicit = _implicit(text, options)
    if implicit is not None:
        return Extraction(implicit, "implicit", confident=False)
    return None
