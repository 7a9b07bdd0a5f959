"""Grading inside ``bow run``, ``bow grade`` on a run and on the authors' files, and ``bow calibrate``."""

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bow.cli.main import cli
from tests.fakes import write_suite

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "bow-annotations-sample" / "anno1_claude_sample.jsonl"
VERDICT = json.dumps({"reasoning": "In character.", "evidence": ["x"], "score": 4})


def bow(*args):
    return CliRunner().invoke(cli, list(args))


def write_script(path: Path, replies: list) -> str:
    path.write_text(yaml.safe_dump({"replies": replies}))
    return f"scripted:{path}"


@pytest.fixture
def suite_dir(tmp_path):
    directory = write_suite(
        tmp_path / "scenarios",
        "tiny",
        ["iron-man/mcu-endgame"],
        ["canon/iron-man/mcu-endgame/hero-1-1", "dilemma/iron-man/reactor-or-city"],
    )
    return directory


def test_run_grades_every_item(tmp_path, suite_dir):
    model = write_script(
        tmp_path / "m.yaml", [{"when": "think privately", "reply": "Pepper first."}, "I go.\nDECISION: A"]
    )
    judge = write_script(
        tmp_path / "j.yaml",
        [
            {"when": "Score THINKING", "reply": VERDICT},
            {"when": "Score ACTING", "reply": "no idea"},
            {"when": "follow from the reasoning", "reply": "partly"},
        ],
    )
    out = tmp_path / "run"
    result = bow(
        "-m",
        model,
        "--scenarios",
        str(suite_dir),
        "run",
        "tiny",
        "--no-memory",
        "--judge",
        judge,
        "--out",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "scores.jsonl").read_text().splitlines()]
    graders = {s["grader"] for r in rows for s in r["scores"]}
    assert {"canon", "thinking", "acting", "tam", "tam-label", "tam-paper"} <= graders
    group = json.loads(result.output)["groups"][f"{model} [two-node]"]["scores"]
    assert group["thinking [" + judge + "]"]["mean"] == 4.0 and group["thinking [" + judge + "]"]["n"] == 4
    assert group["acting [" + judge + "]"]["n"] == 0 and group["acting [" + judge + "]"]["unscored"] == 4
    assert group["canon"]["mean"] == 1.0  # the right answer to hero-1-1 is A


def test_grade_regrades_a_run_without_generating(tmp_path, suite_dir):
    model = write_script(tmp_path / "m.yaml", [{"when": "think privately", "reply": "hmm"}, "DECISION: B"])
    out = tmp_path / "run"
    assert (
        bow(
            "-m", model, "--scenarios", str(suite_dir), "run", "tiny", "--no-memory", "--no-grade", "--out", str(out)
        ).exit_code
        == 0
    )
    assert not (out / "scores.jsonl").exists()
    judge = write_script(tmp_path / "j.yaml", [VERDICT])
    result = bow("--scenarios", str(suite_dir), "grade", str(out), "--judge", judge, "--json")
    assert result.exit_code == 0, result.output
    assert (out / "scores.jsonl").exists()
    assert (
        json.loads((out / "summary.json").read_text())["groups"][f"{model} [two-node]"]["scores"]["canon"]["mean"]
        == 0.0
    )


@pytest.mark.skipif(not SAMPLE.is_file(), reason="shared annotation sample missing")
def test_grade_the_authors_jsonl_with_rules_only():
    result = bow("grade", str(SAMPLE), "--format", "bow", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["rows"] == 30 and report["summary"]["canon_rows"] >= 10
    read = [r for r in report["rows"] if r.get("choice") not in (None, "unreadable")]
    assert len(read) >= 10 and all(r["method"] for r in read)
    # These frontier-model replies answer correctly when read carefully: the reading must agree.
    assert sum(r["correct"] for r in read) >= 0.9 * len(read)


@pytest.mark.skipif(not SAMPLE.is_file(), reason="shared annotation sample missing")
def test_calibrate_reports_statistics_with_intervals(tmp_path):
    judge = write_script(
        tmp_path / "j.yaml", [VERDICT, json.dumps({"reasoning": "r", "evidence": [], "score": 5}), "garbage"]
    )
    result = bow("calibrate", "--annotations", str(SAMPLE), "--judge", judge, "--resamples", "200", "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)["judges"][judge]["thinking"]
    assert stats["unscored"] == 10 and stats["agreement"]["n"] == 20
    assert set(stats["agreement"]) >= {"spearman", "qwk", "exact", "within_1"}
