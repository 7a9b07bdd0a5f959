"""Tests for personas.cards: persona <-> Character Card V1/V2/V3 conversion."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from personas.cards import CardError, card_to_persona, load_card, persona_to_card, write_card
from personas.schema import Persona

ROOT = Path(__file__).resolve().parents[2]
IRON_MAN = ROOT / "personas" / "data" / "iron-man" / "mcu-endgame.yaml"


@pytest.fixture
def persona() -> Persona:
    return Persona.model_validate(yaml.safe_load(IRON_MAN.read_text(encoding="utf-8")))


def foreign_card() -> dict:
    return {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": "Captain Nova",
            "description": "A starship captain from the Andromeda Fleet who lost her crew in the Rift War.",
            "personality": "brave, sardonic, loyal to a fault",
            "scenario": "The bridge of the Dauntless, hours after the ceasefire.",
            "first_mes": "*Nova looks up from the star chart.* You're late, cadet.",
            "mes_example": "<START>\n{{user}}: Orders?\n{{char}}: Hold the line. Nobody breaks formation.",
            "creator_notes": "Works best with long replies.",
            "system_prompt": "",
            "post_history_instructions": "",
            "alternate_greetings": ["Welcome aboard the Dauntless.", "Another day, another rift."],
            "tags": ["sci-fi", "captain"],
            "creator": "someone",
            "character_version": "1.2",
            "mood_board": {"colour": "teal"},
            "extensions": {"depth_prompt": {"prompt": "Nova is tired.", "depth": 4}, "talkativeness": "0.5"},
            "character_book": {
                "name": "Nova lore",
                "scan_depth": 3,
                "extensions": {},
                "entries": [
                    {
                        "keys": ["Rift War"],
                        "content": "During the Rift War, Nova held the Kepler Gate for nine days as the fleet fled.",
                        "extensions": {},
                        "enabled": True,
                        "insertion_order": 0,
                        "name": "rift-war",
                    },
                    {
                        "keys": ["Dauntless"],
                        "content": "Too short to keep.",
                        "extensions": {},
                        "enabled": True,
                        "insertion_order": 1,
                        "name": "tiny",
                    },
                    {
                        "keys": ["Academy"],
                        "content": "As a girl Nova failed the Academy entrance exam twice before she passed it.",
                        "extensions": {"bow": {"stage": "childhood"}},
                        "enabled": True,
                        "insertion_order": 2,
                        "name": "academy",
                    },
                ],
            },
        },
    }


@pytest.mark.parametrize("spec", ["v3", "v2"])
def test_shipped_persona_round_trips(persona: Persona, spec: str, tmp_path: Path) -> None:
    card = persona_to_card(persona, spec)
    data = card["data"]
    assert card["spec"] == {"v2": "chara_card_v2", "v3": "chara_card_v3"}[spec]
    assert card["spec_version"] == {"v2": "2.0", "v3": "3.0"}[spec]
    assert data["name"] == 'Tony Stark "Iron Man"'
    assert {"iron-man", "Marvel", persona.continuity} <= set(data["tags"])
    assert "memory" not in data["extensions"]["bow"]
    entries = data["character_book"]["entries"]
    assert [e["content"] for e in entries] == [m.text for m in persona.memory]
    assert entries[0]["extensions"]["bow"] == {
        "stage": "childhood",
        "kind": "relationship",
        "source": "Iron Man 2 (2010)",
    }
    assert "Howard Stark" in entries[0]["keys"] and "childhood" in entries[0]["keys"]
    assert not any("During" in e["keys"] for e in entries)  # sentence openers are not names
    assert ("group_only_greetings" in data) == (spec == "v3")

    path = tmp_path / "card.json"
    write_card(card, path)
    back = card_to_persona(load_card(path))
    assert back.model_dump() == persona.model_dump()
    assert "card" not in back.extensions


def test_foreign_v2_card_imports_and_keeps_unknown_fields() -> None:
    card = foreign_card()
    original = copy.deepcopy(card)
    persona = card_to_persona(card)
    assert card == original  # input not mutated
    assert persona.id == "captain-nova/card" and persona.hero == "captain-nova"
    assert persona.name == "Captain Nova"
    assert persona.profile.age == "unknown" and persona.profile.species == "unknown"
    assert persona.values == ["brave", "sardonic", "loyal to a fault"]
    assert "Hold the line" in persona.speech_style
    assert [m.stage.value for m in persona.memory] == ["hero-3", "childhood"]
    assert all(m.kind.value == "event" and m.source == "Captain Nova character card" for m in persona.memory)
    assert [s["name"] for s in persona.extensions["card_skipped"]] == ["tiny"]
    assert "40" in persona.extensions["card_skipped"][0]["reason"]

    again = persona_to_card(persona, "v2")["data"]
    for key in ("first_mes", "alternate_greetings", "mood_board", "tags", "creator", "mes_example"):
        assert again[key] == original["data"][key], key
    assert again["extensions"]["depth_prompt"] == {"prompt": "Nova is tired.", "depth": 4}
    assert again["extensions"]["talkativeness"] == "0.5"
    assert again["character_book"]["name"] == "Nova lore" and again["character_book"]["scan_depth"] == 3
    assert len(again["character_book"]["entries"]) == 2

    # A second import of the exported card gives the same persona, kept fields included.
    assert card_to_persona(persona_to_card(persona, "v3")).model_dump() == persona.model_dump()


def test_edited_kept_field_is_picked_up_on_reimport() -> None:
    card = persona_to_card(card_to_persona(foreign_card()))
    card["data"]["first_mes"] = "Edited greeting."
    assert card_to_persona(card).extensions["card"]["first_mes"] == "Edited greeting."


def test_persona_id_is_used() -> None:
    persona = card_to_persona(foreign_card(), persona_id="nova/andromeda")
    assert persona.id == "nova/andromeda" and persona.hero == "nova"


def test_v1_card_imports(tmp_path: Path) -> None:
    v1 = {
        "name": "Señor Gato",
        "description": "A talking cat who runs a small detective agency in the old port district.",
        "personality": "curious; vain",
        "scenario": "",
        "first_mes": "Meow. State your business.",
        "mes_example": "",
    }
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(v1), encoding="utf-8")
    persona = card_to_persona(load_card(path))
    assert persona.id == "senor-gato/card"
    assert len(persona.memory) == 1 and persona.memory[0].text == v1["description"]
    assert persona.values == ["curious", "vain"]
    assert persona.speech_style and persona.timeline_point  # fallbacks, never empty
    assert persona_to_card(persona)["data"]["first_mes"] == "Meow. State your business."


def test_card_without_usable_memory_raises() -> None:
    with pytest.raises(CardError, match="no usable memory"):
        card_to_persona({"name": "Bob", "description": "Short."})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"title": "not a card", "items": [1, 2]}', "not a character card"),
        ('[{"name": "x", "description": "y"}]', "list"),
        ('{"spec": "chara_card_v2",\n "data": {"name": "x",}\n}', "line 2"),
        ('{"spec": "chara_card_v9", "data": {"name": "x"}}', "unknown card spec"),
    ],
)
def test_load_card_rejects_non_cards(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CardError) as info:
        load_card(path)
    assert str(path) in info.value.message
    assert expected in info.value.message


def test_unknown_spec_argument_raises(persona: Persona) -> None:
    with pytest.raises(CardError):
        persona_to_card(persona, "v4")  # type: ignore[arg-type]
