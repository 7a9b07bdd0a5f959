from pathlib import Path

import pytest
import yaml

from personas.loader import (
    SHIPPED_DIR,
    PersonaFileError,
    PersonaLibrary,
    UnknownPersonaError,
    persona_to_yaml,
    read_persona_file,
)
from personas.scaffold import scaffold

EXAMPLE = SHIPPED_DIR / "iron-man" / "mcu-endgame.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = write(tmp_path / "h" / "v.yaml", "id: h/v\nversion_label: MCU, Endgame: 2019\n")
    with pytest.raises(PersonaFileError) as info:
        read_persona_file(bad)
    assert str(bad) in str(info.value) and "line 2" in str(info.value)


def test_missing_field_is_named(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    del data["moral_code"]
    bad = write(tmp_path / "iron-man" / "mcu-endgame.yaml", yaml.safe_dump(data))
    with pytest.raises(PersonaFileError) as info:
        read_persona_file(bad)
    assert "field 'moral_code'" in str(info.value)


def test_mistyped_field_is_named(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    data["memory"][3]["stage"] = "teenage-years"
    bad = write(tmp_path / "x.yaml", yaml.safe_dump(data))
    with pytest.raises(PersonaFileError) as info:
        read_persona_file(bad)
    assert "field 'memory.3.stage'" in str(info.value)


def test_unknown_key_is_an_error_not_ignored(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    data["favourite_food"] = "shawarma"
    with pytest.raises(PersonaFileError) as info:
        read_persona_file(write(tmp_path / "x.yaml", yaml.safe_dump(data)))
    assert "favourite_food" in str(info.value)


def test_user_directory_adds_personas_and_duplicates_are_rejected(tmp_path, monkeypatch):
    text = scaffold("my-hero", "earth-99")
    write(tmp_path / "mine" / "my-hero" / "earth-99.yaml", text)
    library = PersonaLibrary.load([tmp_path / "mine"])
    assert library.get("my-hero/earth-99").hero == "my-hero"
    write(tmp_path / "env" / "my-hero" / "earth-99.yaml", text)
    monkeypatch.setenv("BOW_PERSONAS", str(tmp_path / "env"))
    with pytest.raises(PersonaFileError) as info:
        PersonaLibrary.load([tmp_path / "mine"])
    assert "duplicate persona id 'my-hero/earth-99'" in str(info.value)


def test_missing_user_directory_is_reported(tmp_path):
    with pytest.raises(Exception) as info:
        PersonaLibrary.load([tmp_path / "nope"])
    assert "does not exist" in str(info.value)


def test_unknown_id_suggests_siblings_first():
    library = PersonaLibrary.load()
    with pytest.raises(UnknownPersonaError) as info:
        library.get("iron-mn/mcu-endgame")
    assert "Did you mean: iron-man/mcu-endgame" in str(info.value)


def test_scaffold_is_valid_and_round_trips(tmp_path):
    path = write(tmp_path / "my-hero" / "earth-99.yaml", scaffold("my-hero", "earth-99"))
    persona = read_persona_file(path)
    assert persona.id == "my-hero/earth-99" and len(persona.memory) == 5
    again = read_persona_file(write(tmp_path / "again.yaml", persona_to_yaml(persona)))
    assert again == persona


def test_scaffold_rejects_bad_slugs():
    with pytest.raises(ValueError):
        scaffold("Iron Man", "mcu")
