import json
from pathlib import Path

import pytest

from bow.datasets.annotations import parse_score, read_annotations
from bow.errors import BowError

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "bow-annotations-sample" / "anno1_claude_sample.jsonl"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (4, 4.0),
        ("5.0", 5.0),
        (" 3 ", 3.0),
        ("", None),
        ("None", None),
        (None, None),
        (float("nan"), None),
        ("n/a", None),
        (7, None),
        (-1, None),
        (True, None),
    ],
)
def test_scores_that_are_not_numbers_are_none_never_zero(raw, expected):
    assert parse_score(raw) == expected


def test_reads_mixed_score_types(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [
        {
            "CID": "1",
            "name": "Tony  Stark",
            "answers": "x",
            "question": "q",
            "true_label": "B",
            "source_file": "canon_m_rep1.jsonl",
            "thinking_score": "4.0",
            "acting_score": 5,
        },
        {
            "CID": 2,
            "name": "n",
            "answers": "y",
            "question": "q",
            "true_label": "",
            "source_file": "dilemma_m_rep1.jsonl",
            "thinking_score": "",
            "acting_score": None,
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + '\n{"CID": 3, "answers": "z", "thinking_score": NaN}\n')
    parsed = read_annotations(path)
    assert [(r.cid, r.thinking_score, r.acting_score, r.task) for r in parsed] == [
        (1, 4.0, 5.0, "canon"),
        (2, None, None, "dilemma"),
        (3, None, None, "canon"),
    ]
    assert parsed[0].name == "Tony Stark" and parsed[1].true_label is None


def test_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"answers": "ok"}\n{broken\n')
    with pytest.raises(BowError) as info:
        read_annotations(path)
    assert f"{path}: line 2" in str(info.value)


@pytest.mark.skipif(not SAMPLE.is_file(), reason="the shared annotation sample is not here")
def test_reads_the_shared_sample():
    rows = read_annotations(SAMPLE)
    assert len(rows) == 30
    assert sum(r.task == "canon" for r in rows) == 15
    assert all(r.thinking_score is None or 0 <= r.thinking_score <= 5 for r in rows)
