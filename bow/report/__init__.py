"""Reports on run directories: a data model, terminal tables, and one self-contained HTML page."""

from bow.report.data import ReportError, load_report
from bow.report.stats import SORT_METRICS, leaderboard

__all__ = ["SORT_METRICS", "ReportError", "leaderboard", "load_report"]
