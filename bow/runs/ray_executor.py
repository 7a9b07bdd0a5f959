"""``bow run --executor ray``: items played by Ray actors, results written by the driver alone.

Each actor builds one ``ItemPlayer`` from a ``PlayerSpec`` and plays up to its share of
``--concurrency`` items at once on its own event loop. The driver hands items to the
least-loaded live actor as slots free up and collects results with ``ray.wait`` as they
finish, so they stream into the same ``on_result`` and single writer as a local run.

Failure model: actors are never restarted by Ray and tasks never retried by Ray (both
would hide what happened); when an actor dies, the driver replaces it and gives each of
its in-flight items to another actor. A result reaches ``on_result`` only from a task
that returned, so an item is written once or not at all, never twice.

Canon memory on workers: with ``--chroma-url`` every worker queries the Chroma server;
otherwise each worker unpacks a snapshot of the driver's persisted index (sent through
the object store) into its own temp directory and opens that copy. The driver stays the
only writer of ``HOME/chroma``.

Response cache: workers on the driver's node share its sqlite cache (WAL mode, as several
local ``bow`` processes do). Workers on other nodes, or behind a ``ray://`` client, run
without a cache: sqlite is unsafe on network file systems, and a cache per node would hit
or miss depending on where an item happened to land.
"""

from __future__ import annotations

import io
import logging
import math
import os
import resource
import shutil
import socket
import tarfile
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bow import __version__
from bow.errors import BowError
from bow.runs.executor import OnResult, RunContext
from bow.runs.plan import RunItem
from bow.runs.player import ItemPlayer, PlayerSpec, failure_message

INSTALL_HINT = "Run: pip install 'beyond-one-world[ray]'"
# Forwarded to every worker: a remote node does not see the driver's environment.
FORWARDED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "OLLAMA_HOST", "HF_HUB_OFFLINE")


class RemoteItemError(BowError):
    """An item that failed on a worker, carrying the worker's message unchanged."""


def import_ray() -> Any:
    """The ``ray`` module, or one clear error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise BowError("The Ray executor needs Ray, which is not installed.", INSTALL_HINT) from None
    return ray


def snapshot(directory: Path) -> bytes:
    """The directory as an uncompressed tar (the index is binary; speed matters more than size)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(directory, arcname=".")
    return buffer.getvalue()


class Worker:
    """A Ray actor body: one player, many items. Setup errors are kept and reported by ``ready``."""

    def __init__(self, spec: PlayerSpec, libraries: tuple[Any, Any], index: bytes | None, driver_node: str | None):
        self.error: str | None = None
        self.player: ItemPlayer | None = None
        self.tmp: str | None = None
        try:
            import ray

            same_node = driver_node is not None and ray.get_runtime_context().get_node_id() == driver_node
            personas, scenarios = libraries
            self.player = ItemPlayer(
                spec,
                personas=personas,
                scenarios=scenarios,
                memory=self._memory(spec, index),
                use_cache=spec.use_cache and same_node,
            )
        except Exception as exc:  # noqa: BLE001 - reported to the driver as one line
            self.error = failure_message(exc)

    def _memory(self, spec: PlayerSpec, index: bytes | None) -> Any:
        if not spec.options.memory:
            return None
        from agents.memory import ChromaMemory, open_client, open_memory

        if spec.chroma_url:
            return open_memory(spec.settings())
        if index is None:
            raise BowError("No canon-memory index was sent to this worker.")
        self.tmp = tempfile.mkdtemp(prefix="bow-ray-chroma-")
        with tarfile.open(fileobj=io.BytesIO(index)) as tar:
            tar.extractall(self.tmp, filter="data")
        return ChromaMemory(open_client(path=Path(self.tmp)), cache_dir=Path(spec.home) / "models")

    async def ready(self) -> dict[str, Any]:
        """Setup outcome, versions and limits, for the driver's checks."""
        return {
            "error": self.error,
            "bow": __version__,
            "pid": os.getpid(),
            "max_in_flight": self.player.max_in_flight if self.player else 1,
        }

    async def play(self, item: RunItem) -> tuple[bool, Any]:
        """``(True, result)`` or ``(False, message)``: an item's failure is data, not an actor failure."""
        if self.player is None:
            return False, self.error or "worker not set up"
        try:
            return True, await self.player.play(item)
        except Exception as exc:  # noqa: BLE001 - recorded as a failed item, like the local executor
            return False, failure_message(exc)

    async def close(self) -> float:
        """Remove this worker's copy of the index; return the CPU seconds this process used."""
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime


class RayExecutor:
    """Plays items on Ray actors: a local Ray instance, or the cluster at ``address``."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        *,
        connect_timeout_s: float = 5.0,
        start_timeout_s: float = 180.0,
        max_attempts: int = 3,
        debug: bool = False,
    ) -> None:
        self.address = address
        self.workers = workers
        self.connect_timeout_s = connect_timeout_s
        self.start_timeout_s = start_timeout_s
        self.max_attempts = max(1, max_attempts)
        self.debug = debug
        self.ray: Any = None
        self.started_ray = False
        self.actors: list[Any] = []
        self.pids: list[int] = []
        """Process ids of the workers started, in order (for operators, and for tests that kill one)."""
        self.replaced = 0
        self.retried = 0
        """Workers started to replace dead ones, and items given to another worker after a death."""
        self.worker_cpu_s = 0.0
        """CPU seconds the live workers had used when closed (set-up included), for benchmarks."""

    def describe(self) -> str:
        """One line for the run log."""
        where = self.address or os.environ.get("RAY_ADDRESS") or "a local Ray instance"
        return f"ray at {where}, {self.workers or 'one worker per CPU'}"

    # -- connection ---------------------------------------------------------------------------

    def open(self) -> None:
        """Connect (or start a local instance); every failure becomes one clear ``BowError``."""
        ray = import_ray()
        self.ray = ray
        address = self.address or os.environ.get("RAY_ADDRESS")
        if address and address not in ("auto", "local"):
            self._check_reachable(address)
        if ray.is_initialized():
            return  # an application (or a test) already connected: use its connection
        options: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": self.debug}
        if not address or address == "local":
            options["include_dashboard"] = False
        try:
            ray.init(address=address or None, **options)
        except (ConnectionError, RuntimeError, ValueError, SystemExit) as exc:
            raise self._explain(address, exc) from None
        self.started_ray = True

    def _check_reachable(self, address: str) -> None:
        """A TCP probe with a timeout: Ray itself retries an unreachable address for minutes."""
        parsed = urlparse(address if "://" in address else f"tcp://{address}")
        host, port = parsed.hostname, parsed.port or (10001 if parsed.scheme == "ray" else 6379)
        if not host:
            raise BowError(f"'{address}' is not a Ray address.", "Use HOST:PORT, ray://HOST:PORT or auto.")
        try:
            socket.create_connection((host, port), timeout=self.connect_timeout_s).close()
        except OSError as exc:
            raise BowError(
                f"Cannot reach the Ray cluster at {address} ({exc.strerror or exc}) within "
                f"{self.connect_timeout_s:g} s.",
                "Check --ray-address and that the head node is up (ray status); nothing was run.",
            ) from None

    @staticmethod
    def _explain(address: str | None, exc: BaseException) -> BowError:
        text = str(exc)
        where = address or "a local Ray instance"
        if "Version mismatch" in text:
            detail = " ".join(line.strip() for line in text.splitlines()[1:] if line.strip())
            return BowError(
                f"Ray version mismatch between this machine and the cluster at {where}: {detail}",
                "Install the cluster's Ray and Python versions here (pip install 'ray[default]==VERSION').",
            )
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        return BowError(f"Could not connect to Ray at {where}: {first}", "Check --ray-address; nothing was run.")

    def close(self) -> None:
        """Stop this run's actors; shut Ray down only if this executor started it."""
        ray = self.ray
        if ray is None:
            return
        if self.actors:
            for actor in self.actors:
                try:
                    self.worker_cpu_s += ray.get(actor.close.remote(), timeout=10)
                except Exception:  # noqa: BLE001 - a dead actor has nothing to clean
                    pass
            for actor in self.actors:
                ray.kill(actor)
            self.actors = []
        if self.started_ray:
            ray.shutdown()
            self.started_ray = False

    # -- running ------------------------------------------------------------------------------

    def run(self, items: list[RunItem], context: RunContext, on_result: OnResult) -> None:
        """Play ``items`` on actors; stream each result to ``on_result`` as it arrives."""
        if not items:
            return
        if self.ray is None:
            self.open()
        spec = context.spec
        count = self._worker_count(len(items), spec.options.concurrency)
        share = max(1, math.ceil(spec.options.concurrency / count))
        start = self._starter(context, share)
        self.actors = [start() for _ in range(count)]
        limits = self._await_ready(self.actors)
        _Scheduler(self, start, limits, share, on_result).run(items)

    def _worker_count(self, items: int, concurrency: int) -> int:
        cpus = int(self.ray.cluster_resources().get("CPU", 1)) or 1
        return max(1, min(self.workers or cpus, items, max(1, concurrency)))

    def _starter(self, context: RunContext, share: int) -> Any:
        """A function that starts one more actor, every argument already in the object store."""
        ray = self.ray
        spec = context.spec
        libraries = ray.put((context.personas, context.scenarios))
        index = None
        if spec.options.memory and not spec.chroma_url and context.memory is not None:
            index = ray.put(snapshot(Path(spec.home) / "chroma"))
        driver_node = None
        if not ray.util.client.ray.is_connected():  # behind ray:// the driver is on no node
            driver_node = ray.get_runtime_context().get_node_id()
            if spec.options.grade or spec.options.memory:
                _export_embeddings_once(Path(spec.home) / "models")
        env = {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}
        remote = ray.remote(Worker).options(
            num_cpus=1,
            max_restarts=0,
            max_task_retries=0,
            max_concurrency=share + 2,  # + ready and close
            runtime_env={"env_vars": env} if env else None,
        )
        return lambda: remote.remote(spec, libraries, index, driver_node)

    def _await_ready(self, actors: list[Any]) -> list[int]:
        """Each actor's in-flight limit, once all have built their player; else one clear error."""
        ray = self.ray
        try:
            infos = ray.get([actor.ready.remote() for actor in actors], timeout=self.start_timeout_s)
        except ray.exceptions.GetTimeoutError:
            raise BowError(
                f"{len(actors)} Ray worker(s) did not start within {self.start_timeout_s:g} s.",
                "Does the cluster have free CPUs? See 'ray status'. Run the same command again to resume.",
            ) from None
        except ray.exceptions.RayActorError as exc:
            raise BowError(
                f"A Ray worker could not start: {str(exc).strip().splitlines()[-1]}",
                "Is the same version of beyond-one-world installed on every node?",
            ) from None
        for info in infos:
            if info["error"]:
                raise BowError(f"A Ray worker could not set up: {info['error']}")
            if info["bow"] != __version__:
                raise BowError(
                    f"A Ray worker runs BOW {info['bow']}, this machine BOW {__version__}.",
                    "Install the same version of beyond-one-world on every node.",
                )
        self.pids += [info["pid"] for info in infos]
        return [int(info["max_in_flight"]) for info in infos]


class _Scheduler:
    """Hands items to the least-loaded live actor and turns actor deaths into retries."""

    def __init__(self, executor: RayExecutor, start: Any, limits: list[int], share: int, on_result: OnResult):
        self.executor = executor
        self.ray = executor.ray
        self.start = start
        self.on_result = on_result
        self.share = share
        # Actor slot → [actor, its in-flight limit, items in flight]
        self.slots: dict[int, list[Any]] = {
            i: [actor, min(share, limit), 0]
            for i, (actor, limit) in enumerate(zip(executor.actors, limits, strict=True))
        }
        self.next_slot = len(self.slots)
        self.budget = len(self.slots)  # replacements allowed: one per original actor
        self.attempts: dict[str, int] = {}

    def run(self, items: list[RunItem]) -> None:
        queue = list(reversed(items))  # pop() from the end keeps the planned order
        inflight: dict[Any, tuple[RunItem, int]] = {}
        while queue or inflight:
            self._fill(queue, inflight)
            if not inflight:
                raise BowError(
                    f"Every Ray worker died; {len(queue)} item(s) were not played.",
                    "Run the same command again to resume (see the Ray logs for why the workers died).",
                )
            refs = list(inflight)
            ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0)
            if not ready:
                ready, _ = self.ray.wait(refs, num_returns=1)
            for ref in ready:
                item, slot = inflight.pop(ref)
                self._collect(ref, item, slot, queue)

    def _fill(self, queue: list[RunItem], inflight: dict[Any, tuple[RunItem, int]]) -> None:
        while queue:
            free = [(state[2] - state[1], slot) for slot, state in self.slots.items() if state[2] < state[1]]
            if not free:
                return
            _, slot = min(free)
            item = queue.pop()
            state = self.slots[slot]
            state[2] += 1
            inflight[state[0].play.remote(item)] = (item, slot)

    def _collect(self, ref: Any, item: RunItem, slot: int, queue: list[RunItem]) -> None:
        if slot in self.slots:
            self.slots[slot][2] -= 1
        try:
            ok, payload = self.ray.get(ref)
        except self.ray.exceptions.RayActorError:
            self._lost(slot)
            self.attempts[item.key] = self.attempts.get(item.key, 0) + 1
            if self.attempts[item.key] >= self.executor.max_attempts:
                message = f"a Ray worker died {self.attempts[item.key]} times while playing this item"
                self.on_result(item, None, RemoteItemError(message))
            else:
                self.executor.retried += 1
                queue.append(item)  # next out of the queue, on another actor
            return
        except self.ray.exceptions.RayError as exc:
            self.on_result(item, None, RemoteItemError(f"Ray: {str(exc).strip().splitlines()[-1]}"))
            return
        if ok:
            self.on_result(item, payload, None)
        else:
            self.on_result(item, None, RemoteItemError(payload))

    def _lost(self, slot: int) -> None:
        """Forget a dead actor and start a replacement while the budget lasts."""
        state = self.slots.pop(slot, None)
        if state is None:
            return  # already replaced (several of its items failed at once)
        actors = self.executor.actors
        if state[0] in actors:
            actors.remove(state[0])
        if self.budget <= 0:
            return
        self.budget -= 1
        actor = self.start()
        try:
            limit = self.executor._await_ready([actor])[0]
        except BowError:
            self.ray.kill(actor)
            return
        self.executor.replaced += 1
        actors.append(actor)
        self.slots[self.next_slot] = [actor, min(self.share, limit), 0]
        self.next_slot += 1


def _export_embeddings_once(cache_dir: Path) -> None:
    """Export the embedding model here first, so workers on this node load it instead of each exporting it."""
    try:
        from bow.embeddings.minilm import MiniLMEmbedder
        from bow.embeddings.onnx_minilm import onnx_path

        if not onnx_path(cache_dir).exists():
            MiniLMEmbedder(cache_dir).embed(["warm-up"])
    except Exception:  # noqa: BLE001 - workers fall back to their own export or torch path
        pass
