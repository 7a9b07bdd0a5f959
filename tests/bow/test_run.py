"""``bow run``: a suite end to end on a scripted model, resume, faults and bad run directories."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bow.cli.main import cli
from bow.runs.rundir import read_jsonl
from tests.fakes import write_suite


@pytest.fixture
def suite_dir(tmp_path):
    """A user scenarios directory holding one suite: 2 personas x their canon questions (14 items)."""
    directory = write_suite(tmp_path / "scenarios", "mini", ["iron-man/mcu-endgame", "thor/earth-616"], ["canon/*"])
    return directory


def script(path: Path, every_fifth_fails: bool = False, delay: float = 0.0) -> str:
    replies = [{"when": "think privately", "reply": "I remember.", "delay_s": delay}]
    act = [{"reply": "DECISION: B", "delay_s": delay}]
    if every_fifth_fails:
        act = [*act * 2, {"error": "server"}, *act * 2]
    path.write_text(yaml.safe_dump({"replies": replies + act}))
    return f"scripted:{path}"


def bow(*args: str):
    return CliRunner().invoke(cli, list(args))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_run_writes_a_complete_run_directory(tmp_path, suite_dir):
    out = tmp_path / "run"
    result = bow(
        "-m",
        script(tmp_path / "s.yaml"),
        "--scenarios",
        str(suite_dir),
        "run",
        "mini",
        "--no-memory",
        "--out",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["items"] == 14 and summary["failed"] == 0
    group = summary["groups"][f"scripted:{tmp_path / 's.yaml'} [two-node]"]
    assert group["canon"]["n"] == 14 and group["decisions"] == {"B": 14}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "bow-run/1" and manifest["config"]["memory"] is False
    assert "langgraph" in manifest["packages"]
    transcripts = lines(out / "transcripts.jsonl")
    assert len(transcripts) == 14 and len({t["key"] for t in transcripts}) == 14
    assert json.loads((out / "summary.json").read_text())["items"] == 14


def test_same_command_again_skips_what_is_done(tmp_path, suite_dir):
    args = [
        "-m",
        script(tmp_path / "s.yaml"),
        "--scenarios",
        str(suite_dir),
        "run",
        "mini",
        "--no-memory",
        "--out",
        str(tmp_path / "run"),
    ]
    assert bow(*args).exit_code == 0
    again = bow(*args)
    assert again.exit_code == 0 and "14 already done, 0 finished now" in again.output
    assert len(lines(tmp_path / "run" / "transcripts.jsonl")) == 14


def test_failing_endpoint_still_completes(tmp_path, suite_dir):
    result = bow(
        "-m",
        script(tmp_path / "s.yaml", every_fifth_fails=True),
        "--scenarios",
        str(suite_dir),
        "run",
        "mini",
        "--no-memory",
        "--out",
        str(tmp_path / "run"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["items"] + summary["failed"] == 14 and summary["items"] == 14  # retries absorb 500s


def test_a_foreign_directory_is_refused_and_left_alone(tmp_path, suite_dir):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    result = bow(
        "-m",
        script(tmp_path / "s.yaml"),
        "--scenarios",
        str(suite_dir),
        "run",
        "mini",
        "--no-memory",
        "--out",
        str(foreign),
    )
    assert result.exit_code == 2 and "is not a BOW run" in result.output
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_a_different_run_in_the_directory_is_refused(tmp_path, suite_dir):
    out = str(tmp_path / "run")
    spec = script(tmp_path / "s.yaml")
    assert bow("-m", spec, "--scenarios", str(suite_dir), "run", "mini", "--no-memory", "--out", out).exit_code == 0
    other = bow("-m", spec, "--scenarios", str(suite_dir), "run", "mini", "--out", out, "--mode", "cot")
    assert other.exit_code == 2 and "holds a different run" in other.output


def test_a_corrupt_results_file_is_reported(tmp_path, suite_dir):
    out = tmp_path / "run"
    spec = script(tmp_path / "s.yaml")
    assert (
        bow("-m", spec, "--scenarios", str(suite_dir), "run", "mini", "--no-memory", "--out", str(out)).exit_code == 0
    )
    path = out / "transcripts.jsonl"
    rows = path.read_text().splitlines()
    path.write_text("\n".join([rows[0], "{not json", *rows[1:]]) + "\n")
    result = bow("-m", spec, "--scenarios", str(suite_dir), "run", "mini", "--no-memory", "--out", str(out))
    assert result.exit_code == 2 and "line 2 is not valid JSON" in result.output


def test_kill_minus_nine_then_resume_loses_and_duplicates_nothing(tmp_path, suite_dir, bow_home):
    out = tmp_path / "run"
    spec = script(tmp_path / "slow.yaml", delay=0.15)
    exe = str(Path(sys.executable).with_name("bow"))
    args = [
        exe,
        "-m",
        spec,
        "--scenarios",
        str(suite_dir),
        "run",
        "mini",
        "--no-memory",
        "--out",
        str(out),
        "--concurrency",
        "3",
    ]
    env = {**os.environ, "BOW_HOME": str(bow_home)}
    first = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    results = out / "transcripts.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 4):
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    partial = len(read_jsonl(results))  # tolerates a line cut short by the kill
    assert 4 <= partial < 14
    second = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    keys = [row["key"] for row in read_jsonl(results)]
    assert len(keys) == 14 and len(set(keys)) == 14


def test_cross_version_leakage_repeats_and_mode_deltas(tmp_path):
    directory = write_suite(tmp_path / "scen", "thor", ["thor/*"], ["canon/thor/earth-616/*"])
    spec = script(tmp_path / "s.yaml")  # always answers B
    result = bow(
        "-m",
        spec,
        "--scenarios",
        str(directory),
        "run",
        "thor",
        "--no-memory",
        "--no-grade",
        "--cross-version",
        "--repeats",
        "2",
        "--mode",
        "direct",
        "--mode",
        "two-node",
        "--out",
        str(tmp_path / "run"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["items"] == 3 * 7 * 2 * 2  # 3 versions x 7 questions x 2 modes x 2 repeats
    group = summary["groups"][f"{spec} [two-node]"]
    matrix = group["leakage"]["thor"]
    assert set(matrix) == {"thor/earth-616", "thor/mcu-love-and-thunder", "thor/what-if-only-child"}
    assert all(set(row) == {"thor/earth-616"} and row["thor/earth-616"]["n"] == 14 for row in matrix.values())
    assert group["consistency"] == {"items": 21, "agreement": 1.0}
    deltas = summary["mode_deltas"][spec]
    assert deltas["minus_direct"] == {"two-node": 0.0}


def test_stance_summary_counts_poles_and_persistence():
    from bow.runs.summary import stance_summary

    stances = {
        ("s", "b1"): {"A": "duty", "B": "desire"},
        ("s", "b2"): {"A": "desire", "B": "duty"},
        ("s", "b3"): {"A": "duty", "B": "desire"},
    }
    turn = lambda beat, choice: {"beat_id": beat, "decision": {"choice": choice}}  # noqa: E731
    records = [
        {"scenario_id": "s", "turns": [turn("b1", "A"), turn("b2", "B"), turn("b3", "A")]},  # duty x3
        {"scenario_id": "s", "turns": [turn("b1", "A"), turn("b2", "A"), turn("b3", "unparsed")]},
    ]
    result = stance_summary(records, stances)
    assert result["poles"] == {"desire": 1, "duty": 4}
    assert result["persistence"] == 0.75 and result["scripts"] == 2
    assert stance_summary(records, {}) is None


def test_scores_of_an_attempt_cut_short_are_not_counted_twice(tmp_path):
    from bow.runs.rundir import SCORES, RunDir, read_scores

    run = RunDir.open(tmp_path / "run", {"suite": "mini"})
    row = {"key": "k1", "beat_id": "q", "scores": [{"grader": "tam", "value": 0.5}]}
    run._append(SCORES, {**row, "attempt": "crashed"})  # a kill -9 landed before the transcript line
    run.add_item("k1", {"turns": []}, [row])
    run.add_item("k2", {"turns": []}, [{**row, "key": "k2"}, {**row, "key": "k2", "beat_id": "*"}])
    kept = read_scores(run.path)
    assert sorted((r["key"], r["beat_id"]) for r in kept) == [("k1", "q"), ("k2", "*"), ("k2", "q")]
    assert len(read_jsonl(run.path / SCORES)) == 4  # nothing written was removed


def test_a_results_file_that_cannot_be_written_is_one_clear_error(tmp_path, suite_dir, monkeypatch):
    from bow.runs.rundir import RunDir

    def disk_full(self, *args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(RunDir, "add_item", disk_full)
    result = bow("-m", script(tmp_path / "s.yaml"), "--scenarios", str(suite_dir), "run", "mini", "--no-memory")
    assert result.exit_code != 0
    assert "Could not write results" in result.output and "No space left" in result.output
    assert "Traceback" not in result.output


def test_an_endpoint_failing_a_fifth_of_calls_in_mixed_ways_still_completes(tmp_path, suite_dir, monkeypatch):
    """500s, hangs past the timeout, non-JSON bodies and garbled replies: every item is scored or listed."""
    from bow.devtools.mock_openai import MockOpenAIServer

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000000")
    with MockOpenAIServer(reply="I hold my ground. DECISION: B", fail_rate=0.2, hang_s=3.0, seed=7) as server:
        result = bow(
            "--no-cache",
            "-m",
            "openai:mock",
            "--base-url",
            server.url,
            "--scenarios",
            str(suite_dir),
            "run",
            "mini",
            "--no-memory",
            "--timeout",
            "1",
            "--concurrency",
            "8",
            "--out",
            str(tmp_path / "run"),
            "--json",
        )
        faults = dict(server.faults)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert all(count > 0 for count in faults.values()), faults  # every kind of fault happened
    transcripts = read_jsonl(tmp_path / "run" / "transcripts.jsonl")
    failures = {f["key"] for f in read_jsonl(tmp_path / "run" / "failures.jsonl")} - {t["key"] for t in transcripts}
    assert len(transcripts) + len(failures) == 14 and summary["items"] == len(transcripts)
    assert len(transcripts) >= 10  # retries absorb most faults
    scored = {row["key"] for row in read_jsonl(tmp_path / "run" / "scores.jsonl")}
    assert {t["key"] for t in transcripts} <= scored
