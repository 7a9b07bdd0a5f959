"""The persona and memory commands, as a user drives them."""

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from bow.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_persona_list_json_lists_the_roster():
    result = run("persona", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 90 and len({r["hero"] for r in rows}) == 30
    assert {"id", "hero", "version", "universe", "sources"} <= set(rows[0])


def test_persona_list_filters_by_hero():
    rows = json.loads(run("persona", "list", "--hero", "batman", "--json").output)
    assert sorted(r["id"] for r in rows) == [
        "batman/dark-knight-trilogy",
        "batman/dceu-affleck",
        "batman/the-batman-2022",
    ]


def test_persona_show_json_and_unknown_id():
    shown = json.loads(run("persona", "show", "thor/earth-616", "--json").output)
    assert shown["id"] == "thor/earth-616" and shown["memory"]
    result = run("persona", "show", "thor/earth-61")
    assert result.exit_code == 2
    assert "Did you mean: thor/earth-616" in result.output and "Traceback" not in result.output


def test_persona_validate_passes_on_the_shipped_roster():
    result = run("persona", "validate", "--strict")
    assert result.exit_code == 0, result.output[-2000:]
    assert "90 file(s) checked: 0 failed" in result.output


def test_persona_validate_names_file_and_field(tmp_path):
    bad = tmp_path / "hero-x" / "v1.yaml"
    bad.parent.mkdir()
    bad.write_text("id: hero-x/v1\nhero: hero-x\n")
    result = run("persona", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"{bad}: error: field" in result.output


def test_scaffolded_persona_answers_memory_queries(bow_home: Path):
    """The issue's 'done when': scaffold into a user directory, fill in, query with no code change."""
    assert run("persona", "new", "night-owl", "earth-2").exit_code == 0
    path = bow_home / "personas" / "night-owl" / "earth-2.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(
        name="Dan Dreiberg",
        alias="Nite Owl",
        universe="DC",
        continuity="Test continuity",
        version_label="Test, 2009",
        timeline_point="After the war with the giant squid.",
    )
    data["memory"][2]["text"] = "He built an owl-shaped airship in his basement workshop and named it Archie."
    path.write_text(yaml.safe_dump(data))
    assert run("persona", "validate", str(path)).exit_code == 0
    built = run("memory", "build", "--only", "night-owl/*", "--json")
    assert built.exit_code == 0, built.output
    assert json.loads(built.output)["embedded"] == ["night-owl/earth-2"]
    hits = json.loads(
        run("memory", "query", "night-owl/earth-2", "airship in the basement", "-k", "2", "--json").output
    )
    assert hits[0]["text"].startswith("He built an owl-shaped airship")
    assert {h["persona_id"] for h in hits} == {"night-owl/earth-2"}
    # ... and plays a shipped scenario written for any hero, with no code change.
    script = bow_home / "replies.yaml"
    script.write_text(
        yaml.safe_dump(
            {
                "replies": [
                    {"when": "think privately", "reply": "Archie is fuelled."},
                    "I take the airship.\nDECISION: B",
                ]
            }
        )
    )
    played = run(
        "-m", f"scripted:{script}", "play", "night-owl/earth-2", "dilemma/any-hero/the-last-flight-out", "--json"
    )
    assert played.exit_code == 0, played.output
    transcript = json.loads(played.output)
    assert len(transcript["turns"]) == 3 and transcript["turns"][0]["retrieved"][0].startswith("night-owl/earth-2#")


def test_memory_query_unknown_persona():
    result = run("memory", "query", "iron-mn/mcu-endgame", "cave")
    assert result.exit_code == 2 and "Did you mean: iron-man/mcu-endgame" in result.output


def test_card_export_then_import_round_trips(tmp_path, bow_home):
    card_path = tmp_path / "thor.json"
    assert run("persona", "export", "thor/earth-616", "-o", str(card_path)).exit_code == 0
    card = json.loads(card_path.read_text())
    assert card["spec"] == "chara_card_v3" and card["data"]["character_book"]["entries"]
    result = run("persona", "import", str(card_path), "--dir", str(tmp_path / "imported"))
    # Same id as the shipped persona: importing next to it would duplicate, so it goes to its own dir.
    assert result.exit_code == 0, result.output
    imported = yaml.safe_load((tmp_path / "imported" / "thor" / "earth-616.yaml").read_text())
    original = json.loads(run("persona", "show", "thor/earth-616", "--json").output)
    assert original.pop("extensions") == {}
    assert imported == original


def test_importing_a_non_card_is_one_clear_error(tmp_path):
    not_card = tmp_path / "x.json"
    not_card.write_text(json.dumps({"hello": "world"}))
    result = run("persona", "import", str(not_card))
    assert result.exit_code == 2 and str(not_card) in result.output and "Traceback" not in result.output
