"""The report model, checked against the raw files of real (scripted) run directories."""

import json
import shutil
from collections import defaultdict

import pytest

from bow.config import Settings
from bow.report import ReportError, load_report
from bow.runs.rundir import read_jsonl
from tests.report.conftest import HOSTILE


@pytest.fixture(scope="module")
def libraries():
    settings = Settings()
    return settings.library(), settings.scenarios()


@pytest.fixture(scope="module")
def report(runs, libraries):
    return load_report([runs["judged"], runs["plain"]], *libraries)


def test_one_row_per_transcript_with_who_and_what(runs, report):
    transcripts = read_jsonl(runs["judged"] / "transcripts.jsonl") + read_jsonl(runs["plain"] / "transcripts.jsonl")
    assert len(report["items"]) == len(transcripts) > 0
    by_key = {(i["run"], i["key"]): i for i in report["items"]}
    run_of = {
        "r1": read_jsonl(runs["judged"] / "transcripts.jsonl"),
        "r2": read_jsonl(runs["plain"] / "transcripts.jsonl"),
    }
    for run_id, records in run_of.items():
        for record in records:
            item = by_key[(run_id, record["key"])]
            assert item["version"] == record["persona_id"] and item["hero"] == record["persona_id"].split("/")[0]
            assert item["model"] == record["model"] and item["mode"] == record["mode"]
            assert item["scenario"] == record["scenario_id"] and item["kind"] == record["scenario_kind"]
            assert [b["think"] for b in item["beats"]] == [t["think"] for t in record["turns"]]
            if record.get("answer"):
                assert item["canon_correct"] == (record["turns"][-1]["decision"]["choice"] == record["answer"])
            else:
                assert item["canon_correct"] is None
    assert {i["universe"] for i in report["items"]} == {"Marvel"}


def test_fidelity_and_tam_per_item_come_from_the_score_lines(runs, report):
    values = defaultdict(lambda: defaultdict(list))
    for row in read_jsonl(runs["judged"] / "scores.jsonl"):
        for score in row["scores"]:
            if score.get("value") is not None:
                values[row["key"]][score["grader"]].append(score["value"])
    judged = [i for i in report["items"] if i["run"] == "r1"]
    assert judged
    for item in judged:
        expected = values[item["key"]]
        assert item["thinking"] == pytest.approx(sum(expected["thinking"]) / len(expected["thinking"]))
        assert item["acting"] == pytest.approx(sum(expected["acting"]) / len(expected["acting"]))
        assert item["tam"] == pytest.approx(sum(expected["tam"]) / len(expected["tam"]), abs=1e-4)
        assert len(item["thinking_by_judge"]) == 1
        rationales = [s["rationale"] for b in item["beats"] for s in b["scores"] if s["grader"] == "thinking"]
        assert rationales and all(HOSTILE in r for r in rationales)
    plain = [i for i in report["items"] if i["run"] == "r2"]
    assert plain and all(i["thinking"] is None and i["tam"] is None and i["beats"][0]["scores"] == [] for i in plain)


def test_retrieved_passages_carry_their_text(report, libraries):
    personas = libraries[0]
    retrieved = {p for i in report["items"] for b in i["beats"] for p in b["retrieved"] or []}
    assert retrieved, "memory was on for the judged run: beats must have retrieved passages"
    assert set(report["passages"]) == retrieved
    for pid, passage in report["passages"].items():
        persona_id, _, index = pid.rpartition("#")
        assert passage["text"] == personas.get(persona_id).memory[int(index)].text


def test_without_the_persona_library_ids_remain(runs):
    report = load_report([runs["judged"]], None, None)
    assert report["passages"] and all(p["text"] is None for p in report["passages"].values())
    assert all(i["hero"] == i["version"].split("/")[0] for i in report["items"])


def test_groups_match_summary_json(runs, report):
    summary = json.loads((runs["judged"] / "summary.json").read_text())
    groups = {g["group"]: g for g in report["groups"] if g["run"] == "r1"}
    assert set(groups) == set(summary["groups"])
    for name, data in summary["groups"].items():
        group = groups[name]
        assert (
            group["canon"]["accuracy"] == data["canon"]["accuracy"] and group["canon"]["ci95"] == data["canon"]["ci95"]
        )
        assert group["thinking"]["name"].startswith("thinking [scripted:")
        assert group["thinking"]["mean"] == data["scores"][group["thinking"]["name"]]["mean"]
        assert group["acting"]["mean"] == data["scores"][group["acting"]["name"]]["mean"]
        assert group["tam"]["mean"] == data["scores"]["tam"]["mean"]
        assert group["leakage"] == data["leakage"]
    # --cross-version: each iron-man version was asked its sibling's question too.
    leakage = report["groups"][0]["leakage"]["iron-man"]
    assert set(leakage["iron-man/earth-616"]) == {"iron-man/earth-616", "iron-man/mcu-endgame"}
    plain = [g for g in report["groups"] if g["run"] == "r2"]
    assert len(plain) == 1 and plain[0]["thinking"] is None and plain[0]["tam"] is None


def test_a_run_without_summary_json_is_recomputed(runs, libraries, tmp_path):
    copy = tmp_path / "cut"
    shutil.copytree(runs["judged"], copy)
    (copy / "summary.json").unlink()
    report = load_report([copy], *libraries)
    original = load_report([runs["judged"]], *libraries)
    assert report["runs"][0]["summary_recomputed"] is True and original["runs"][0]["summary_recomputed"] is False
    strip = lambda groups: [{k: v for k, v in g.items() if k not in ("wall_s", "run_name")} for g in groups]  # noqa: E731
    assert strip(report["groups"]) == strip(original["groups"])
    with pytest.raises(ReportError, match="has no summary.json"):
        load_report([copy], None, None)
