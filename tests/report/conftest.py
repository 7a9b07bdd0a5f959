"""Real run directories for the report tests, made once per session by ``bow run`` on scripted models.

The persona model's private thoughts and a judge's rationale carry hostile markup, so every
test that renders them also checks that model text stays text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bow.cli.main import cli
from tests.fakes import write_suite

HOSTILE = '</script><img src=x onerror="window.__pwned=1"> <b>bold</b> \'single\' "double" &amp; \u2028 <!--'
PERSONAS = ["iron-man/mcu-endgame", "iron-man/earth-616", "thor/earth-616"]
SCENARIOS = [
    "canon/iron-man/mcu-endgame/hero-1-1",
    "canon/iron-man/mcu-endgame/childhood-1",
    "canon/iron-man/earth-616/hero-1-1",
    "canon/thor/earth-616/hero-1-1",
    "dilemma/iron-man/reactor-or-city",
]


def verdict(score: int, reasoning: str) -> str:
    return json.dumps({"reasoning": reasoning, "evidence": ["I remember"], "score": score})


def write_script(path: Path, replies: list) -> str:
    path.write_text(yaml.safe_dump({"replies": replies}))
    return f"scripted:{path}"


def bow(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Two run directories: "judged" (two persona models, one judge, memory on, cross-version) and "plain"."""
    base = tmp_path_factory.mktemp("report-runs")
    home = base / "home"
    suite = write_suite(base / "scenarios", "report", PERSONAS, SCENARIOS)
    think = {"when": "think privately", "reply": f"I remember the cave. {HOSTILE}"}
    first = write_script(base / "m1.yaml", [think, "Pepper first.\nDECISION: A", "The city.\nDECISION: B"])
    second = write_script(base / "m2.yaml", [think, "DECISION: B"])
    judge = write_script(
        base / "j.yaml",
        [
            {"when": "Score THINKING", "reply": verdict(4, f"In character. {HOSTILE}")},
            {"when": "Score ACTING", "reply": verdict(2, "Acts unlike this version.")},
            {"when": "follow from the reasoning", "reply": "partly"},
        ],
    )
    common = ["--home", str(home), "--scenarios", str(suite)]
    judged = base / "judged"
    result = bow(
        *common, "run", "report", "--model", first, "--model", second, "--judge", judge, "--cross-version",
        "--out", str(judged),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plain = base / "plain"
    result = bow(*common, "-m", second, "run", "report", "--no-memory", "--no-grade", "--out", str(plain))
    assert result.exit_code == 0, result.output
    return {"judged": judged, "plain": plain, "home": home, "scenarios": suite}
