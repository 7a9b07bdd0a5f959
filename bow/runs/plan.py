"""Expand a suite into run items: every (model × persona × scenario × mode) the suite allows."""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bow.errors import BowError


@dataclass(frozen=True)
class RunItem:
    """One unit of work; ``key`` identifies it in the run directory (for resume)."""

    model: str
    persona_id: str
    scenario_id: str
    mode: str
    memory: bool
    repeat: int = 0

    @property
    def key(self) -> str:
        """Stable identity of the item (repeats after the first carry their index)."""
        base = f"{self.model}|{self.persona_id}|{self.scenario_id}|{self.mode}|{'mem' if self.memory else 'nomem'}"
        return f"{base}|r{self.repeat}" if self.repeat else base


def plan_items(
    suite: Any,
    personas: Any,
    scenarios: Any,
    *,
    models: list[str],
    modes: list[str],
    memory: bool,
    persona_glob: str | None = None,
    limit: int | None = None,
    repeats: int = 1,
    cross_version: bool = False,
) -> list[RunItem]:
    """Items of ``suite`` for the given models and modes, in a stable order.

    ``cross_version`` also asks each version the canon questions written for its sibling
    versions (same hero), which is what the leakage matrix is built from; ``repeats``
    plays every item that many times, for decision consistency.
    """
    in_suite, in_glob = _matcher(suite.personas), _matcher([persona_glob] if persona_glob else ["*"])
    chosen_personas = [p for p in personas if in_suite(p.id) and in_glob(p.id)]
    in_scenarios = _matcher(suite.scenarios)
    if not chosen_personas:
        raise BowError(f"Suite '{suite.id}' selects no persona here.", "Check --personas and the suite's persona list.")
    in_order = [s for s in sorted(scenarios.scenarios.values(), key=lambda s: s.id) if in_scenarios(s.id)]
    pairs: list[tuple[str, str]] = []
    for persona in sorted(chosen_personas, key=lambda p: p.id):
        if limit is not None and len(pairs) >= limit:
            break  # persona-major order: later personas cannot make the cut
        kept: dict[str, int] = defaultdict(int)
        for scenario in in_order:
            if not scenario.target.allows(persona.id) and not _sibling_canon(scenario, persona, cross_version):
                continue
            if suite.per_persona_per_kind is not None and kept[scenario.kind] >= suite.per_persona_per_kind:
                continue
            kept[scenario.kind] += 1
            pairs.append((persona.id, scenario.id))
    if limit is not None:
        pairs = pairs[:limit]
    items = [
        RunItem(m, p, s, mode, memory, r) for r in range(repeats) for m in models for mode in modes for p, s in pairs
    ]
    if not items:
        raise BowError(
            f"Suite '{suite.id}' has no scenario its personas may play.", "Check the suite's scenario globs."
        )
    return items


def _matcher(globs: list[str]) -> Any:
    """One compiled regex for a list of globs (a suite checks ~100k id/glob pairs)."""
    pattern = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs) or "(?!)")
    return lambda value: pattern.match(value) is not None


def _sibling_canon(scenario: Any, persona: Any, cross_version: bool) -> bool:
    """A canon question written for another version of the same hero (asked only with ``cross_version``)."""
    target = getattr(scenario.target, "persona", None)
    return (
        cross_version
        and scenario.kind == "canon-event"
        and target is not None
        and target != persona.id
        and target.split("/")[0] == persona.hero
    )
