"""``bow play`` and ``bow scenario`` as a user runs them, including kill-and-resume."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from bow.cli.main import cli

SCRIPT = "dilemma/iron-man/reactor-or-city"
PERSONA = "iron-man/mcu-endgame"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def keyed_script(path: Path, act_delay: float = 0.0) -> str:
    replies = [
        {"when": "think privately", "reply": "I think of Pepper first, then of the crowd."},
        {"when": "Now act", "reply": "I go where I am needed.\nDECISION: A", "delay_s": act_delay},
    ]
    path.write_text(yaml.safe_dump({"replies": replies}))
    return f"scripted:{path}"


def test_play_json_transcript(tmp_path):
    spec = keyed_script(tmp_path / "r.yaml")
    result = run("-m", spec, "play", PERSONA, SCRIPT, "--no-memory", "--json")
    assert result.exit_code == 0, result.output
    transcript = json.loads(result.output)
    assert transcript["persona_id"] == PERSONA and transcript["mode"] == "two-node"
    assert [t["decision"]["choice"] for t in transcript["turns"]] == ["A", "A", "A"]
    assert all(t["think"] and t["act"] for t in transcript["turns"])
    assert transcript["finished_at"]


def test_play_prints_think_and_act_apart(tmp_path):
    spec = keyed_script(tmp_path / "r.yaml")
    result = run("-m", spec, "play", PERSONA, SCRIPT, "--no-memory")
    assert result.exit_code == 0, result.output
    assert result.output.count("think (private)") == 3 and result.output.count("act") >= 3
    assert "epilogue" in result.output


def test_play_rejects_a_persona_the_scenario_is_not_for(tmp_path):
    spec = keyed_script(tmp_path / "r.yaml")
    result = run("-m", spec, "play", "thor/earth-616", SCRIPT, "--no-memory")
    assert result.exit_code == 2 and "cannot play it" in result.output


def test_play_unknown_scenario_suggests():
    result = run("play", PERSONA, "dilemma/iron-man/reactor-or-cty", "--no-memory")
    assert result.exit_code == 2 and "Did you mean: dilemma/iron-man/reactor-or-city" in result.output


def test_killed_play_resumes_from_its_checkpoint(tmp_path, bow_home):
    spec = keyed_script(tmp_path / "slow.yaml", act_delay=2.0)
    bow = str(Path(sys.executable).with_name("bow"))
    env = {**os.environ, "BOW_HOME": str(bow_home), "COLUMNS": "200"}
    args = [bow, "-m", spec, "play", PERSONA, SCRIPT, "--no-memory"]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    seen = ""
    deadline = time.time() + 60
    while "beat 2" not in seen and time.time() < deadline:
        seen += first.stdout.readline()
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert "beat 2" in seen and "decision: A" in seen
    keyed_script(tmp_path / "slow.yaml", act_delay=0.0)  # same spec, now fast
    second = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 0, second.stdout + second.stderr
    # The first process's own output goes in the message: a resume that found nothing to resume
    # (the first run had already finished) would otherwise fail with an empty string.
    assert "resumed from a checkpoint" in second.stdout, (seen, second.stdout, second.stderr)
    assert "beat 1" not in second.stdout and "beat 3" in second.stdout
    again = subprocess.run([*args, "--json"], capture_output=True, text=True, env=env, timeout=60)
    transcript = json.loads(again.stdout)
    assert [t["beat_id"] for t in transcript["turns"]] == ["alarm", "aftermath", "reckoning"]


def test_scenario_list_and_validate():
    listed = json.loads(run("scenario", "list", "--persona", PERSONA, "--json").output)
    ids = {row["id"] for row in listed["scenarios"]}
    assert SCRIPT in ids and "canon/iron-man/mcu-endgame/childhood-1" in ids
    assert not any(i.startswith("canon/thor/") for i in ids)
    result = run("scenario", "validate", "--strict")
    assert result.exit_code == 0, result.output[-3000:]


def test_scenario_validate_reports_bad_answer_letter(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "scenarios": [
                    {
                        "id": "canon/x/y/q1",
                        "kind": "canon-event",
                        "target": {"persona": PERSONA},
                        "stage": "childhood",
                        "question": "What did you build first?",
                        "options": {"A": "a", "B": "b", "C": "c"},
                        "answer": "D",
                    }
                ]
            }
        )
    )
    result = run("scenario", "validate", str(bad))
    assert result.exit_code == 1
    assert "field 'scenarios.canon/x/y/q1.canon-event'" in result.output
    assert "options must be exactly A, B, C and D (got A, B, C)" in result.output
