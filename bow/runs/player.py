"""The per-item work of a run, as an object any process can rebuild from plain data.

``execute`` plans, owns the run directory and writes; an ``ItemPlayer`` only plays
items. A distributed executor ships a ``PlayerSpec`` (plain, picklable fields) to its
workers, and each worker builds one player and plays many items with it, so the
scenario graph, gateways and graders are built once per process, never per item.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bow.errors import BowError
from bow.runs.plan import RunItem


@dataclass
class RunOptions:
    """What the user asked for."""

    suite: str
    models: list[str]
    modes: list[str] = field(default_factory=lambda: ["two-node"])
    memory: bool = True
    show_consequences: bool = False
    persona_glob: str | None = None
    limit: int | None = None
    concurrency: int = 8
    out: Path | None = None
    judges: list[str] = field(default_factory=list)
    grade: bool = True
    repeats: int = 1
    cross_version: bool = False
    temperature: float | None = None
    likelihood: bool = False
    multi_turn: bool = False
    timeout_s: float | None = None
    """Seconds one model call may take before it is retried (None: the gateway's default)."""

    def identity(self) -> dict[str, Any]:
        """The configuration recorded in the manifest and checked on resume."""
        return {
            "suite": self.suite,
            "models": self.models,
            "modes": self.modes,
            "memory": self.memory,
            "show_consequences": self.show_consequences,
            "persona_glob": self.persona_glob,
            "limit": self.limit,
            "judges": self.judges,
            "repeats": self.repeats,
            "cross_version": self.cross_version,
            "temperature": self.temperature,
            "likelihood": self.likelihood,
            "multi_turn": self.multi_turn,
        }

    def default_out(self, home: Path) -> Path:
        """Same options, same directory: running the same command again resumes."""
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:10]
        return home / "runs" / f"{self.suite}-{digest}"


@dataclass(frozen=True)
class PlayerSpec:
    """The settings fields a player needs, plus the run's options: plain data that pickles."""

    home: str
    model: str
    judge: str | None
    base_url: str | None
    use_cache: bool
    persona_dirs: tuple[str, ...]
    scenario_dirs: tuple[str, ...]
    chroma_url: str | None
    options: RunOptions

    @classmethod
    def of(cls, settings: Any, options: RunOptions) -> PlayerSpec:
        """The spec of a run started with ``settings`` (the home resolved once, here)."""
        return cls(
            home=str(settings.home),
            model=settings.model,
            judge=settings.judge,
            base_url=settings.base_url,
            use_cache=settings.use_cache,
            persona_dirs=tuple(settings.persona_dirs),
            scenario_dirs=tuple(settings.scenario_dirs),
            chroma_url=settings.chroma_url,
            options=options,
        )

    def settings(self, use_cache: bool | None = None) -> Any:
        """A ``Settings`` equal to the driver's in every field a player reads."""
        from bow.config import Settings

        return Settings(
            home_arg=self.home,
            model=self.model,
            judge=self.judge,
            base_url=self.base_url,
            use_cache=self.use_cache if use_cache is None else use_cache,
            persona_dirs=self.persona_dirs,
            scenario_dirs=self.scenario_dirs,
            chroma_url=self.chroma_url,
        )


def failure_message(error: BaseException) -> str:
    """How a failed item is recorded: a BowError's own words, else its type and text."""
    return str(error) if isinstance(error, BowError) else f"{type(error).__name__}: {error}"


class ItemPlayer:
    """Plays run items: the scenario graph, then the graders, returning records to write.

    Built once per process. ``memory`` is canon memory opened for reading (the driver built
    the index); ``use_cache`` overrides the spec, for workers that must not share a cache.
    """

    def __init__(
        self,
        spec: PlayerSpec,
        *,
        personas: Any = None,
        scenarios: Any = None,
        memory: Any = None,
        use_cache: bool | None = None,
    ) -> None:
        from bow.models.gateway import RetryPolicy, open_gateway
        from bow.runs.grading import make_graders

        options = spec.options
        settings = spec.settings(use_cache)
        self.options = options
        self.personas = personas if personas is not None else settings.library()
        self.scenarios = scenarios if scenarios is not None else settings.scenarios()
        self.memory = memory
        params = {} if options.temperature is None else {"temperature": options.temperature}
        retry: dict[str, Any] = {} if options.timeout_s is None else {"retry": RetryPolicy(timeout_s=options.timeout_s)}
        self.gateways = {
            m: open_gateway(settings, m, concurrency=options.concurrency, params=params, **retry)
            for m in options.models
        }
        self.graders = make_graders(settings, options.judges, **retry) if options.grade else None

    @property
    def max_in_flight(self) -> int:
        """Items at once: what the models serve, plus a quarter more (at least two).

        The models serve ``--concurrency`` calls (a local model one). The extra items are queued
        at the model while others retrieve, grade or wait for an embedding batch, so its slots
        never idle.
        """
        calls = min(self.options.concurrency, sum(g.concurrency for g in self.gateways.values()))
        return calls + max(2, calls // 4)

    async def warm(self, items: list[RunItem]) -> None:
        """Embed the opening situations of ``items`` for canon-memory retrieval before they start.

        An item's first retrieval then finds its query vector ready instead of waiting for an
        embedding batch while its model slot stays idle. Later beats depend on decisions, so
        only the first beat is known in advance.
        """
        warm = getattr(self.memory, "awarm", None)
        if warm is None:
            return
        from agents.scenario.beats import playable_beats

        texts = [
            playable_beats(self.scenarios.get(item.scenario_id), self.options.multi_turn)[0].narration(None)
            for item in items
            if item.memory
        ]
        await warm(list(dict.fromkeys(texts)))

    async def play(self, item: RunItem) -> dict[str, Any]:
        """Play and grade one item: ``{"transcript": record, "scores": rows}``."""
        from agents.persona_agent import PersonaAgent
        from agents.scenario.graph import ScenarioDeps
        from agents.scenario.runner import run_once
        from bow.runs.grading import grade_one, likelihood_rows

        if item.memory and self.memory is None:
            raise BowError("This player has no canon memory, but the item asks for it.")
        graders = self.graders

        async def grade(record: dict[str, Any]) -> list[dict[str, Any]]:
            return await grade_one({**record, "key": item.key}, self.personas, graders)

        persona = self.personas.get(item.persona_id)
        scenario = self.scenarios.get(item.scenario_id)
        gateway = self.gateways[item.model]
        deps = ScenarioDeps(
            agent=PersonaAgent(persona, self.memory if item.memory else None),
            scenario=scenario,
            gateway=gateway,
            mode=item.mode,  # type: ignore[arg-type]
            show_consequences=self.options.show_consequences,
            sample=item.repeat,
            multi_turn=self.options.multi_turn,
            grade=grade if graders is not None else None,  # grading is the graph's last node
        )
        transcript, scores = await run_once(deps)
        record = {"key": item.key, "repeat": item.repeat, **transcript.model_dump(mode="json")}
        if self.options.likelihood:
            scores += await likelihood_rows(record, persona, scenario, gateway.model)
        return {"transcript": record, "scores": scores}
