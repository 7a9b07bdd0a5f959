"""The engine's reading of a decision: ``bow.choices`` rules, as a ``Decision`` record.

Only confident readings count here: a decision the script branches on must not be a
guess, so weak (implicit) readings go to the repair prompt instead.
"""

from __future__ import annotations

from bow.choices import extract_choice
from bow.records import Decision

METHODS = {"marker": "marker", "stated": "letter", "option-text": "option-text"}


def read_decision(reply: str, choices: dict[str, str], allow_other: bool = True) -> Decision | None:
    """The decision in ``reply`` among ``choices``, or None when it is not clear."""
    found = extract_choice(reply, choices, allow_other=allow_other)
    if found is None or not found.confident or found.choice in ("multiple", "none"):
        return None
    return Decision(choice=found.choice, free_action=found.free_action, method=METHODS.get(found.method, found.method))
