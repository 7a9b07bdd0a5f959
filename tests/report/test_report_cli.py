"""``bow report`` and ``bow compare`` end to end: tables, JSON, the HTML file, ordering and bad input."""

import json
import re
import shutil
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from bow.report.html import SCRIPTS, STYLES, asset
from bow.report.stats import SORT_METRICS
from tests.report.conftest import HOSTILE, bow

ROOT = Path(__file__).resolve().parents[2]


def summary(path: Path) -> dict:
    return json.loads((path / "summary.json").read_text())


def test_report_prints_every_group_with_its_figures(runs, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # one table row per line, cells unfolded
    result = bow("report", str(runs["judged"]), str(runs["plain"]))
    assert result.exit_code == 0, result.output
    text = result.output
    for run in ("judged", "plain"):
        data = summary(runs[run])
        assert f"Run {run}: suite report, {data['items']} items" in text
        for group in data["groups"].values():
            assert f"{group['canon']['accuracy']:.2f} [" in text
    thinking = next(v for k, v in summary(runs["judged"])["groups"].items())["scores"]
    mean = next(v["mean"] for k, v in thinking.items() if k.startswith("thinking ["))
    assert f"{mean:.2f}" in text and "Canon accuracy by life stage" in text
    assert "own version vs sibling versions" in text and "Traceback" not in result.output


def test_report_json_is_the_report_model(runs):
    result = bow("report", str(runs["judged"]), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["format"] == "bow-report/1" and len(data["runs"]) == 1
    assert len(data["items"]) == summary(runs["judged"])["items"]


def test_html_is_self_contained_and_escapes_model_text(runs, tmp_path):
    out = tmp_path / "sub" / "report.html"
    result = bow("report", str(runs["judged"]), str(runs["plain"]), "--html", str(out))
    assert result.exit_code == 0, result.output
    assert str(out.resolve()) in " ".join(result.output.split()).replace(" ", "") or out.name in result.output
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=(?![\"']data:)", page, re.I)
    assert "http://" not in page and "https://" not in page
    assert page.lower().count("</script") == 2  # the data element's and the code's own; model text adds none
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    match = re.search(r'<script type="application/json" id="bow-data">(.*?)</script>', page, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    thinks = [b["think"] for i in data["items"] for b in i["beats"]]
    assert any(HOSTILE in t for t in thinks)  # the text round-trips exactly
    for name in SCRIPTS + STYLES:
        assert asset(name) in page and "://" not in asset(name)
        assert "innerHTML" not in asset(name) and "insertAdjacentHTML" not in asset(name)


def test_assets_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["bow"]
    shipped = [p.relative_to(ROOT / "bow").as_posix() for p in (ROOT / "bow" / "report" / "assets").iterdir()]
    assert shipped and all(any(fnmatch(f, pattern) for pattern in patterns) for f in shipped)
    assert set(SCRIPTS + STYLES) <= {Path(f).name for f in shipped}


def _ordered(values: list, higher_better: bool) -> bool:
    present = [v for v in values if v is not None]
    if any(v is not None for v in values[len(present) :]):
        return False  # a missing value before a present one
    return present == sorted(present, reverse=higher_better)


@pytest.mark.parametrize("metric", list(SORT_METRICS))
def test_compare_orders_rows_best_first(runs, metric):
    result = bow("compare", str(runs["plain"]), str(runs["judged"]), "--sort", metric, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    field, higher_better = SORT_METRICS[metric]
    assert _ordered([r[field] for r in rows], higher_better)
    expected = {
        (run, name): group for run in ("judged", "plain") for name, group in summary(runs[run])["groups"].items()
    }
    assert {(r["run"], f"{r['model']} [{r['mode']}]") for r in rows} == set(expected)
    for row in rows:
        group = expected[(row["run"], f"{row['model']} [{row['mode']}]")]
        assert row["canon_accuracy"] == group["canon"]["accuracy"] and row["items"] == group["items"]
        assert row["output_tokens"] == group["tokens"]["output"]
        assert row["wall_s"] == summary(runs[row["run"]])["wall_s"]


def test_compare_prints_a_leaderboard(runs, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    result = bow("compare", str(runs["judged"]), str(runs["plain"]), "--sort", "tam")
    assert result.exit_code == 0, result.output
    assert "Leaderboard (sorted by tam" in result.output
    lines = [line for line in result.output.splitlines() if re.match(r"│ \d+ ", line)]
    assert len(lines) == sum(len(summary(runs[r])["groups"]) for r in ("judged", "plain"))


def _bad_inputs(runs, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "manifest.json").write_text(json.dumps({"format": "other/9"}))
    broken = tmp_path / "broken-manifest"
    broken.mkdir()
    (broken / "manifest.json").write_text("{nope")
    corrupt = tmp_path / "corrupt-summary"
    shutil.copytree(runs["plain"], corrupt)
    (corrupt / "summary.json").write_text('{"groups": ')
    cut = tmp_path / "corrupt-transcripts"
    shutil.copytree(runs["plain"], cut)
    rows = (cut / "transcripts.jsonl").read_text().split("\n")  # not splitlines: U+2028 is inside records
    (cut / "transcripts.jsonl").write_text("\n".join([rows[0], "{oops", *rows[1:]]))
    empty = tmp_path / "empty-run"
    empty.mkdir()
    shutil.copy(runs["plain"] / "manifest.json", empty / "manifest.json")
    return [
        (tmp_path / "missing", "no such directory"),
        (runs["plain"] / "manifest.json", "is a file, not a run directory"),
        (foreign, "is not a BOW run directory (no manifest.json)"),
        (wrong, "is not a BOW run directory (format 'other/9'"),
        (broken, "the manifest is unreadable"),
        (corrupt, "summary.json is unreadable"),
        (cut, "line 2 is not valid JSON"),
        (empty, "holds no results yet"),
    ]


@pytest.mark.parametrize("command", ["report", "compare"])
def test_bad_input_is_one_clear_line(runs, tmp_path, command):
    for path, message in _bad_inputs(runs, tmp_path):
        result = bow(command, str(runs["plain"]), str(path))
        assert result.exit_code == 2, (path, result.output)
        assert message in result.output and str(path) in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
