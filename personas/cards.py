"""Convert BOW personas to and from role-play Character Cards (V1, V2 and V3).

Only JSON cards are handled: PNG files with an embedded card (the ``chara``/``ccv3``
text chunks) are out of scope; extract the JSON with a card editor first.

Export (:func:`persona_to_card`) writes a V2 (``chara_card_v2``) or V3 (``chara_card_v3``)
card whose lorebook holds one entry per memory passage and whose ``data.extensions["bow"]``
holds the rest of the persona, so :func:`card_to_persona` rebuilds it exactly. Import of a
foreign card (no ``bow`` extension) maps name, description, personality, scenario and the
lorebook onto a persona and keeps every other card field under ``persona.extensions["card"]``,
so exporting the persona again restores those fields.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from bow.errors import BowError
from personas.schema import LifeStage, MemoryKind, MemoryPassage, Persona

SPECS = {"v2": ("chara_card_v2", "2.0"), "v3": ("chara_card_v3", "3.0")}
CARD_SPECS = {spec for spec, _ in SPECS.values()}
MIN_TEXT = 40
# Card fields that are rebuilt from the persona, so they are never kept verbatim.
MAPPED = frozenset({"name", "description", "personality", "scenario", "character_book", "extensions"})
_STOPWORDS = frozenset(
    "a an and as at after before but by for from he her his i if in it its my no not now of on once only or "
    "she so that the their then there they this to we when where while who with you your".split()
)
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)*")


class CardError(BowError):
    """The input is not a character card BOW can read."""


def persona_to_card(persona: Persona, spec: Literal["v2", "v3"] = "v3") -> dict:
    """Export a persona as a character card.

    Args:
        persona: The persona to export.
        spec: Card format, ``"v2"`` or ``"v3"``.

    Returns:
        The card as a JSON-ready dict; fields kept in ``persona.extensions["card"]`` are written back.

    Raises:
        CardError: If ``spec`` is not ``"v2"`` or ``"v3"``.
    """
    if spec not in SPECS:
        raise CardError(f"unknown card spec '{spec}'", hint="Use 'v2' or 'v3'.")
    data = _generated_data(persona, spec)
    extras = copy.deepcopy(persona.extensions.get("card") or {})
    own_ext = extras.pop("extensions", None) or {}
    book_meta = extras.pop("character_book", None) or {}
    data.update(extras)
    data["extensions"] = {**own_ext, "bow": data["extensions"]["bow"]}
    book_meta = {k: v for k, v in book_meta.items() if k != "entries"}
    data["character_book"] = {**data["character_book"], **book_meta, "entries": data["character_book"]["entries"]}
    name, version = SPECS[spec]
    return {"spec": name, "spec_version": version, "data": data}


def card_to_persona(card: dict, *, persona_id: str | None = None) -> Persona:
    """Import a V1, V2 or V3 character card as a persona.

    Args:
        card: The parsed card.
        persona_id: Id for a foreign card; defaults to ``<slug of name>/card``. Ignored when the
            card was exported by BOW (it carries its own id).

    Returns:
        The persona: rebuilt exactly for a BOW card, mapped for a foreign one.

    Raises:
        CardError: If the card is malformed or does not make a valid persona.
    """
    data = _card_data(card, "card")
    bow = (data.get("extensions") or {}).get("bow") if isinstance(data.get("extensions"), dict) else None
    try:
        if bow is not None:
            return _rebuild(card, data, bow)
        return _foreign(data, persona_id)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "persona"
        raise CardError(
            f"card '{data.get('name')}' does not make a valid persona: {where}: {first['msg']}",
            hint="Fix that field in the card (or pass a valid persona_id).",
        ) from exc


def load_card(path: Path) -> dict:
    """Read a JSON character card (V1, V2 or V3).

    Args:
        path: The ``.json`` file.

    Returns:
        The parsed card.

    Raises:
        CardError: If the file cannot be read, is not valid JSON, or is not a character card.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CardError(
            f"cannot read card file {path}: {exc}", hint="Check the path and that it is UTF-8 JSON."
        ) from exc
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CardError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            hint="Fix the JSON syntax there (PNG cards are not supported; export the card as JSON).",
        ) from exc
    if not isinstance(card, dict):
        raise CardError(
            f"{path} is not a character card: the JSON is a {type(card).__name__}, not an object",
            hint="A card is a JSON object with 'spec' and 'data' (or V1 'name' and 'description').",
        )
    _card_data(card, str(path))
    return card


def write_card(card: dict, path: Path) -> None:
    """Write a card as pretty-printed UTF-8 JSON.

    Args:
        card: The card, e.g. from :func:`persona_to_card`.
        path: Destination file; parent folders are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- export helpers -------------------------------------------------------------------------------


def _generated_data(persona: Persona, spec: str) -> dict[str, Any]:
    """The card ``data`` BOW derives from a persona, before kept card fields are applied."""
    profile = persona.profile
    traits = [f"age {profile.age}", profile.species]
    traits += [t for t in (profile.mbti, profile.enneagram) if t]
    lines = [
        f"{persona.display_name}, {persona.version_label}.",
        f"Continuity: {persona.continuity} ({persona.universe}).",
        f"Profile: {', '.join(traits)}." + (f" Powers: {', '.join(profile.powers)}." if profile.powers else ""),
        f"Timeline point: {persona.timeline_point}",
        f"Speech: {persona.speech_style}",
    ]
    if persona.relationships:
        lines.append("Relationships: " + " ".join(f"{r.name} ({r.relation}): {r.note}" for r in persona.relationships))
    lines.append(f"What sets this version apart: {persona.distinct_from_siblings}")
    system_prompt = (
        f"You are {persona.display_name} as in {persona.version_label}, speaking from this moment: "
        f"{persona.timeline_point} Stay in character, use only what this version knows, and speak in their voice: "
        f"{persona.speech_style}"
    )
    bow = persona.model_dump(mode="json")
    del bow["memory"]
    entries = [_entry(i, m, spec) for i, m in enumerate(persona.memory)]
    data: dict[str, Any] = {
        "name": persona.display_name,
        "description": "\n\n".join(lines),
        "personality": "Values: " + "; ".join(persona.values) + f". Moral code: {persona.moral_code}",
        "scenario": persona.timeline_point,
        "first_mes": "",
        "mes_example": "",
        "creator_notes": f"Exported from the Beyond One World persona '{persona.id}' ({persona.version_label}).",
        "system_prompt": system_prompt,
        "post_history_instructions": "",
        "alternate_greetings": [],
        "tags": list(dict.fromkeys([persona.hero, persona.universe, persona.continuity])),
        "creator": "Beyond One World",
        "character_version": "1",
        "extensions": {"bow": bow},
        "character_book": {
            "name": f"{persona.display_name}: canon memory",
            "description": f"Canon memory passages of {persona.id}.",
            "scan_depth": 4,
            "token_budget": 2048,
            "recursive_scanning": False,
            "extensions": {},
            "entries": entries,
        },
    }
    if spec == "v3":
        data["group_only_greetings"] = []
    return data


def _entry(index: int, passage: MemoryPassage, spec: str) -> dict[str, Any]:
    """One lorebook entry for one memory passage."""
    entry: dict[str, Any] = {
        "keys": _keywords(passage.text) + [passage.stage.value],
        "content": passage.text,
        "extensions": {"bow": {"stage": passage.stage.value, "kind": passage.kind.value, "source": passage.source}},
        "enabled": True,
        "insertion_order": index,
        "case_sensitive": False,
        "name": f"{passage.stage.value} {passage.kind.value} {index + 1}: {passage.source}",
        "priority": 10,
        "id": index,
        "comment": passage.source,
        "selective": False,
        "secondary_keys": [],
        "constant": False,
        "position": "after_char",
    }
    if spec == "v3":
        entry["use_regex"] = False
    return entry


def _keywords(text: str, limit: int = 4) -> list[str]:
    """Salient words of a passage: capitalised names first, else its longest words."""
    found: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _STOPWORDS:
            words.pop(0)
        phrase = " ".join(words)
        sentence_start = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1] in ".!?"
        # A lone capitalised word opening a sentence ("During", "Captured") is usually not a name.
        lone = len(words) == 1 and not phrase.isupper()
        if lone and len(phrase) < 3:
            continue
        if lone and sentence_start and len(match.group(0).split()) == 1:
            if not re.search(rf"[^.!?\s]\s+{re.escape(phrase)}\b", text):
                continue
        if phrase and phrase not in found:
            found.append(phrase)
    if not found:
        long_words = {w.lower() for w in re.findall(r"[A-Za-z]{7,}", text)}
        found = sorted(long_words, key=lambda w: (-len(w), w))[:3]
    return found[:limit]


# --- import helpers -------------------------------------------------------------------------------


def _card_data(card: Any, where: str) -> dict[str, Any]:
    """Return the card's ``data`` object (the card itself for V1), or raise naming ``where``."""
    hint = "A card is a JSON object with 'spec' (chara_card_v2 or chara_card_v3) and 'data', or a V1 object."
    if not isinstance(card, dict):
        raise CardError(f"{where} is not a character card: expected an object, got {type(card).__name__}", hint=hint)
    if "spec" in card:
        if card["spec"] not in CARD_SPECS:
            raise CardError(f"{where}: unknown card spec {card['spec']!r}", hint=hint)
        data = card.get("data")
        if not isinstance(data, dict):
            raise CardError(f"{where}: 'data' must be an object", hint=hint)
    elif "name" in card and "description" in card:
        data = card
    else:
        raise CardError(
            f"{where} is not a character card: it has no 'spec' and no V1 'name' and 'description'", hint=hint
        )
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise CardError(f"{where}: the card's 'name' must be a non-empty string", hint="Give the character a name.")
    return data


def _book_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The lorebook entries of a card (empty when it has no book)."""
    book = data.get("character_book")
    if book is None:
        return []
    entries = book.get("entries", []) if isinstance(book, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CardError(
            f"card '{data['name']}': character_book.entries must be a list of objects",
            hint="Fix or remove the card's character_book.",
        )
    return entries


def _passages(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Memory passages from the lorebook, and the entries skipped with reasons."""
    passages, skipped = [], []
    default_source = f"{data['name']} character card"
    for index, entry in enumerate(_book_entries(data)):
        label = entry.get("name") or entry.get("comment") or f"entry {index + 1}"
        content = entry.get("content")
        ext = entry.get("extensions")
        ext = ext if isinstance(ext, dict) else {}
        meta = ext.get("bow")
        meta = meta if isinstance(meta, dict) else {}
        stage, kind = meta.get("stage", LifeStage.HERO_3.value), meta.get("kind", MemoryKind.EVENT.value)
        reason = None
        if not isinstance(content, str) or len(content.strip()) < MIN_TEXT:
            reason = f"content shorter than {MIN_TEXT} characters"
        elif stage not in {s.value for s in LifeStage}:
            reason = f"unknown life stage {stage!r}"
        elif kind not in {k.value for k in MemoryKind}:
            reason = f"unknown memory kind {kind!r}"
        if reason:
            skipped.append({"name": str(label), "reason": reason})
            continue
        passages.append({"stage": stage, "kind": kind, "source": meta.get("source") or default_source, "text": content})
    return passages, skipped


def _extras(data: dict[str, Any], base: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Card fields to keep: those kept before, and those that differ from what BOW would generate."""

    def keep(actual: dict, generated: dict, before: dict, skip: frozenset) -> dict:
        return {
            k: copy.deepcopy(v)
            for k, v in actual.items()
            if k not in skip and (k in before or k not in generated or generated[k] != v)
        }

    extras = keep(data, base, previous, MAPPED)
    own_ext = {k: v for k, v in (data.get("extensions") or {}).items() if k != "bow"}
    if own_ext or "extensions" in previous:
        extras["extensions"] = copy.deepcopy(own_ext)
    book = data.get("character_book")
    if isinstance(book, dict):
        meta = keep(
            book, base.get("character_book") or {}, previous.get("character_book") or {}, frozenset({"entries"})
        )
        if meta or "character_book" in previous:
            extras["character_book"] = meta
    return extras


def _rebuild(card: dict, data: dict[str, Any], bow: Any) -> Persona:
    """Rebuild a BOW-exported persona from its ``bow`` extension and lorebook."""
    if not isinstance(bow, dict):
        raise CardError(
            f"card '{data['name']}': data.extensions.bow must be an object", hint="Remove the broken 'bow' extension."
        )
    passages, skipped = _passages(data)
    fields = copy.deepcopy(bow)
    extensions = fields.setdefault("extensions", {})
    previous = extensions.pop("card", None)
    persona = Persona.model_validate({**fields, "memory": passages})
    spec = "v3" if card.get("spec") == SPECS["v3"][0] else "v2"
    extras = _extras(data, _generated_data(persona, spec), previous or {})
    if previous is not None or extras:
        persona.extensions["card"] = extras
    if skipped:
        persona.extensions["card_skipped"] = persona.extensions.get("card_skipped", []) + skipped
    return persona


def _foreign(data: dict[str, Any], persona_id: str | None) -> Persona:
    """Map a card BOW did not write onto a persona."""
    name = data["name"].strip()
    fields = ("description", "personality", "scenario", "mes_example")
    text = {k: data[k].strip() if isinstance(data.get(k), str) else "" for k in fields}
    passages, skipped = _passages(data)
    if not passages:
        if len(text["description"]) < MIN_TEXT:
            raise CardError(
                f"card '{name}' has no usable memory: no lorebook entry of {MIN_TEXT}+ characters "
                f"and a description shorter than {MIN_TEXT} characters",
                hint="Add a lorebook entry or a longer description to the card.",
            )
        source = f"{name} character card"
        passages = [{"stage": "hero-3", "kind": "event", "source": source, "text": text["description"]}]
    pid = persona_id or f"{_slug(name)}/card"
    personality = text["personality"]
    values = [v.strip() for v in re.split(r"[,;\n]", personality) if v.strip()]
    extensions: dict[str, Any] = {}
    extras = _extras(data, {}, {})
    if extras:
        extensions["card"] = extras
    if skipped:
        extensions["card_skipped"] = skipped
    return Persona.model_validate(
        {
            "id": pid,
            "hero": pid.split("/")[0],
            "name": name,
            "universe": "unknown",
            "continuity": f"Character card: {name}",
            "version_label": f"{name} (character card)",
            "sources": [{"medium": "character-card", "title": name}],
            "timeline_point": text["scenario"] or "The card did not set a scenario or moment in time.",
            "profile": {"age": "unknown", "species": "unknown"},
            "values": values or ["The card did not say what this character values."],
            "moral_code": personality or text["description"] or "The card did not describe a moral code.",
            "speech_style": text["mes_example"] or "The card did not give example dialogue or a speech style.",
            "distinct_from_siblings": text["description"] or "The card did not describe this character.",
            "memory": passages,
            "extensions": extensions,
        }
    )


def _slug(name: str) -> str:
    """Lowercase ASCII slug with dashes; 'character' when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "character"
