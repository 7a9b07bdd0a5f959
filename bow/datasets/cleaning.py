"""Tidy the quirks of the benchmark's files: quoting, invisible characters, lettered options."""

from __future__ import annotations

import ast
import json
import re
import unicodedata

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "´": "'"})
OPTION = re.compile(r"^\s*\(?([A-Da-d])\s*[\)\.:]\s*(.*)$", re.DOTALL)


def clean_text(text: str) -> str:
    """Remove zero-width characters, straighten quotes, collapse runs of spaces."""
    text = unicodedata.normalize("NFC", str(text)).translate(ZERO_WIDTH).translate(CURLY)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def name_key(name: str) -> str:
    """A comparison key for hero names written several ways ("Iron Man" vs “Iron Man”, odd spacing)."""
    return re.sub(r"[^a-z0-9]+", " ", clean_text(name).lower()).strip()


def parse_source(raw: object) -> list[str]:
    """The ``Source`` field: a real list, a Python-literal string, or a string with broken quoting."""
    if isinstance(raw, list):
        return [clean_text(s) for s in raw if str(s).strip()]
    text = str(raw).strip()
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
            if isinstance(value, list):
                return [clean_text(s) for s in value if str(s).strip()]
        except (ValueError, SyntaxError):
            pass
    # Broken quoting such as ["marvel game","Marvel"s Guardians..."]: split on the separators instead.
    inner = text.strip("[] ")
    parts = re.split(r"""["']\s*,\s*["']""", inner)
    return [clean_text(p.strip("\"' ")) for p in parts if p.strip("\"' ")]


def parse_attributes(raw: str) -> dict[str, str]:
    r"""``Age:53,\\nPower:...`` lines into a dict with lower-case keys."""
    found = {}
    for line in str(raw).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            found[key.strip().lower()] = value.strip().rstrip(",").strip()
    return found


def split_option(text: str) -> tuple[str | None, str]:
    """``"B) text"`` → ``("B", "text")``; an unlettered entry gives ``(None, text)``."""
    match = OPTION.match(clean_text(text))
    if match:
        return match.group(1).upper(), match.group(2).strip()
    return None, clean_text(text)


def answer_letter(raw: object) -> str | None:
    """The correct letter from ``"B"``, ``"B)"``, ``"b. text"`` and similar."""
    match = re.match(r"^\s*\(?([A-Da-d])\b", str(raw or ""))
    return match.group(1).upper() if match else None
