"""Importing the benchmark authors' dataset (read from ../shared, never copied into the project)."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bow.cli.main import cli
from bow.datasets.bow_import import canon_item, dilemma_type
from bow.datasets.cleaning import answer_letter, clean_text, parse_source
from bow.datasets.pull import pull
from bow.errors import BowError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "bow-dataset"
needs_dataset = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/bow-dataset is not here")


def bow(*args):
    return CliRunner().invoke(cli, list(args))


def test_source_field_variants():
    assert parse_source(["MCU: The Heroes", "x"]) == ["MCU: The Heroes", "x"]
    assert parse_source("['Marvel Comics', 'earth 616'] ") == ["Marvel Comics", "earth 616"]
    assert parse_source('["marvel game","Marvel"s Guardians (2021)"]') == ["marvel game", 'Marvel"s Guardians (2021)']
    assert parse_source("[''DC Animated Universe','Young Justice (2010)']") == [
        "DC Animated Universe",
        "Young Justice (2010)",
    ]


def test_names_are_cleaned():
    assert clean_text("Steven Strange  \u201cDoctor\u200b Strange\u201d ") == 'Steven Strange "Doctor Strange"'


def test_dilemma_type_suffix_is_dropped():
    assert dilemma_type("Hero or Villain_2") == ("hero-or-villain", "2")
    assert dilemma_type("The Ends Justify the Means vs. Moral Code") == ("ends-justify-means-vs-moral-code", None)
    assert dilemma_type("Something Else_1")[0] is None


def test_answer_letters():
    assert [answer_letter(x) for x in ("B", "b) yes", "(C)", "E", None)] == ["B", "B", "C", None, None]


def test_question_stem_inside_the_options_is_moved_back():
    item, note, reason = canon_item(
        {
            "question": "When you were young you studied hard.",
            "options": ["Which school did you attend?", "A) One", "B) Two", "C) Three", "D) Four"],
            "correct_answer": "C",
        }
    )
    assert reason is None and item["answer"] == "C" and item["question"].endswith("Which school did you attend?")
    assert "stem" in note


def test_source_tags_are_dropped_and_noted():
    item, note, _ = canon_item(
        {
            "question": "What did you choose then?",
            "options": ["Wikipedia", "A) a", "B) b", "C) c", "D) d", "Marvel"],
            "correct_answer": "A",
        }
    )
    assert item["options"] == {"A": "a", "B": "b", "C": "c", "D": "d"} and note.count("source tag") == 2


@pytest.mark.parametrize(
    "options, reason",
    [
        (["A) a", "C) c", "D) d"], "3 lettered options (A, C, D)"),
        (
            ["A) a", "B) b", "C) c", "D) d", "/n/n/n", "Next?", "A) e", "B) f", "C) g", "D) h"],
            "several questions merged",
        ),
    ],
)
def test_unrepairable_items_are_skipped_with_a_reason(options, reason):
    item, _, why = canon_item({"question": "What happened to you?", "options": options, "correct_answer": "A"})
    assert item is None and reason in why


def test_unlettered_options_get_letters():
    item, note, _ = canon_item(
        {"question": "What happened to you?", "options": ["w", "x", "y", "z"], "correct_answer": "D"}
    )
    assert item["options"]["D"] == "z" and "lettered" in note


@needs_dataset
def test_import_accounts_for_every_item(bow_home):
    result = bow("import", "bow", str(SHARED), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["personas"] == {"total": 90, "linked": 90, "unlinked": []}
    canon, dilemmas = report["canon"], report["dilemmas"]
    assert canon["total"] == 1346 and canon["imported"] + len(canon["skipped"]) == 1346
    assert 30 <= len(canon["repaired"]) + len(canon["skipped"]) <= 60
    assert all(s["reason"] for s in canon["skipped"])
    assert dilemmas["total"] == 1080 and dilemmas["imported"] == 1080
    listed = json.loads(bow("scenario", "list", "--json").output)
    assert {"bow-canon", "bow-dilemmas"} <= set(listed["suites"])
    ids = [row["id"] for row in listed["scenarios"]]
    assert sum(i.startswith("bow/canon/") for i in ids) == canon["imported"]
    assert sum(i.startswith("bow/dilemma/") for i in ids) == 1080


@needs_dataset
def test_run_and_export_in_the_authors_format(bow_home, tmp_path):
    assert bow("import", "bow", str(SHARED)).exit_code == 0
    script = tmp_path / "s.yaml"
    script.write_text(
        yaml.safe_dump({"replies": [{"when": "think privately", "reply": "I recall it."}, "I answer.\nDECISION: A"]})
    )
    out = tmp_path / "run"
    result = bow("-m", f"scripted:{script}", "run", "bow-canon", "--limit", "4", "--no-memory", "--out", str(out))
    assert result.exit_code == 0, result.output
    exported = tmp_path / "export.jsonl"
    assert bow("export", str(out), "-o", str(exported)).exit_code == 0
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert set(row) == {"CID", "name", "lore", "answers", "question", "true_label"}
        assert isinstance(row["CID"], int) and row["true_label"] in "ABCD" and "DECISION: A" in row["answers"]


@needs_dataset
def test_pull_gathers_files_then_imports(tmp_path):
    def fake_hub(repo_id, repo_type, local_dir):
        folder = Path(local_dir) / "data"
        folder.mkdir(parents=True, exist_ok=True)
        wanted = {
            "dilemma": "character_dilemmas.json",
            "cannon": "characters_canon_events.json",
            "heros": "heros_profile_aa.csv",
        }
        name = next(v for k, v in wanted.items() if k in repo_id)
        shutil.copyfile(SHARED / name, folder / name)
        return local_dir

    folder = pull(tmp_path / "bow", snapshot_download=fake_hub)
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "character_dilemmas.json",
        "characters_canon_events.json",
        "heros_profile_aa.csv",
    ]


def test_pull_offline_is_one_clear_error(tmp_path):
    def offline(**_kwargs):
        raise ConnectionError("no network")

    with pytest.raises(BowError) as info:
        pull(tmp_path, snapshot_download=offline)
    assert "are you offline?" in str(info.value)


def test_import_of_a_folder_without_the_files(tmp_path):
    result = bow("import", "bow", str(tmp_path))
    assert result.exit_code == 2 and "lacks heros_profile_aa.csv" in result.output


@needs_dataset
def test_paper_setting_and_multi_turn_extension_on_the_same_items(bow_home, tmp_path):
    assert bow("import", "bow", str(SHARED)).exit_code == 0
    script = tmp_path / "s.yaml"
    script.write_text(yaml.safe_dump({"replies": ["Let's see. DECISION: A"]}))
    spec = f"scripted:{script}"
    single = bow(
        "-m",
        spec,
        "run",
        "bow-dilemmas",
        "--limit",
        "2",
        "--no-memory",
        "--no-grade",
        "--mode",
        "cot",
        "--show-consequences",
        "--out",
        str(tmp_path / "paper"),
    )
    multi = bow(
        "-m",
        spec,
        "run",
        "bow-dilemmas",
        "--limit",
        "2",
        "--no-memory",
        "--no-grade",
        "--mode",
        "cot",
        "--show-consequences",
        "--multi-turn",
        "--out",
        str(tmp_path / "bow"),
    )
    assert single.exit_code == 0 and multi.exit_code == 0, single.output + multi.output
    read = lambda p: [json.loads(line) for line in (p / "transcripts.jsonl").read_text().splitlines()]  # noqa: E731
    paper, extended = read(tmp_path / "paper"), read(tmp_path / "bow")
    assert {r["scenario_id"] for r in paper} == {r["scenario_id"] for r in extended}
    assert all(len(r["turns"]) == 1 for r in paper) and all(len(r["turns"]) == 2 for r in extended)
