"""Grader agents: canon accuracy, thinking and acting fidelity, Think-Act Matching, calibration."""

from graders.calibrate import agreement
from graders.canon import grade_choice
from graders.grade import GraderSet, grade_record
from graders.judges import combine, make_fidelity_judge, parse_verdict
from graders.tam import tam_label, tam_scores
from graders.verdict import FidelityVerdict, Score, ScoreRecord

__all__ = [
    "FidelityVerdict",
    "GraderSet",
    "Score",
    "ScoreRecord",
    "agreement",
    "combine",
    "grade_choice",
    "grade_record",
    "make_fidelity_judge",
    "parse_verdict",
    "tam_label",
    "tam_scores",
]
