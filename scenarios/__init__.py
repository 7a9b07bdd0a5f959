"""Scenario schema, loader and the shipped scenarios and suites."""

from scenarios.loader import ScenarioLibrary, read_scenario_file
from scenarios.schema import Beat, CanonEvent, DilemmaScript, DilemmaType, MoralDilemma, Suite, Target

__all__ = [
    "Beat",
    "CanonEvent",
    "DilemmaScript",
    "DilemmaType",
    "MoralDilemma",
    "ScenarioLibrary",
    "Suite",
    "Target",
    "read_scenario_file",
]
