"""The parsed-YAML cache: unchanged files come from it, changed and broken files never do."""

import os

import pytest
import yaml

from bow.parsed_yaml import ParsedYamlCache, library_cache
from personas.loader import SHIPPED_DIR, PersonaFileError, PersonaLibrary
from scenarios.loader import ScenarioLibrary


def counting_parser():
    calls = []

    def parse(path):
        calls.append(path.name)
        return yaml.safe_load(path.read_text())

    return parse, calls


def test_unchanged_file_is_served_from_the_cache_of_another_process(tmp_path):
    source = tmp_path / "a.yaml"
    source.write_text("name: first\n")
    parse, calls = counting_parser()
    first = ParsedYamlCache(tmp_path / "cache.pickle")
    assert first.load(source, parse) == {"name": "first"}
    first.save()
    again = ParsedYamlCache(tmp_path / "cache.pickle")  # a later command reads the saved file
    assert again.load(source, parse) == {"name": "first"}
    assert calls == ["a.yaml"]


def test_an_edited_file_is_parsed_again(tmp_path):
    source = tmp_path / "a.yaml"
    source.write_text("name: first\n")
    parse, calls = counting_parser()
    cache = ParsedYamlCache(tmp_path / "cache.pickle")
    cache.load(source, parse)
    cache.save()
    source.write_text("name: second\n")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000))  # same size: time differs
    assert ParsedYamlCache(tmp_path / "cache.pickle").load(source, parse) == {"name": "second"}
    assert calls == ["a.yaml", "a.yaml"]


def test_a_corrupt_cache_file_is_ignored_and_rewritten(tmp_path):
    source = tmp_path / "a.yaml"
    source.write_text("name: first\n")
    (tmp_path / "cache.pickle").write_bytes(b"not a pickle at all")
    parse, calls = counting_parser()
    cache = ParsedYamlCache(tmp_path / "cache.pickle")
    assert cache.load(source, parse) == {"name": "first"}
    cache.save()
    assert ParsedYamlCache(tmp_path / "cache.pickle").load(source, parse) == {"name": "first"}
    assert calls == ["a.yaml"]


def test_persona_library_with_a_home_matches_the_uncached_library_and_sees_edits(tmp_path):
    home = tmp_path / "home"
    mine = home / "personas" / "iron-man"
    mine.mkdir(parents=True)
    text = (SHIPPED_DIR / "iron-man" / "mcu-endgame.yaml").read_text()
    mine.joinpath("mine.yaml").write_text(text.replace("id: iron-man/mcu-endgame", "id: iron-man/mine"))
    uncached = PersonaLibrary.load()
    cold = PersonaLibrary.load(home=home)
    warm = PersonaLibrary.load(home=home)
    assert (home / "cache" / "parsed-personas.pickle").is_file()
    for persona_id, persona in uncached.personas.items():
        assert warm.get(persona_id) == persona == cold.get(persona_id)
    assert warm.get("iron-man/mine").name == uncached.get("iron-man/mcu-endgame").name

    mine.joinpath("mine.yaml").write_text(
        text.replace("id: iron-man/mcu-endgame", "id: iron-man/mine").replace("name:", "name: Edited", 1)
    )
    assert PersonaLibrary.load(home=home).get("iron-man/mine").name.startswith("Edited")


def test_a_broken_file_is_reported_every_time_not_cached(tmp_path):
    home = tmp_path / "home"
    bad = home / "personas" / "x" / "v.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("id: x/v\nversion_label: MCU, Endgame: 2019\n")
    for _ in range(2):
        with pytest.raises(PersonaFileError, match="line 2"):
            PersonaLibrary.load(home=home)


def test_scenario_library_from_the_cache_equals_a_fresh_parse(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    fresh = ScenarioLibrary.load()
    ScenarioLibrary.load(home=home)
    cached = ScenarioLibrary.load(home=home)
    assert library_cache(home, "scenarios").file.is_file()
    assert cached.scenarios == fresh.scenarios and cached.suites == fresh.suites
