"""Local vs Ray executor on this machine, and the numbers a scaling model for N nodes rests on.

Measured, each run in this process through ``execute`` (so the driver's CPU time is known):

1. Framework-bound: a zero-latency scripted persona model and judge, 3-beat dilemma scripts,
   canon memory and every grader on, no response cache. Items/s for the local executor and
   for Ray (one actor per CPU) at two sizes; the difference of the two sizes gives the
   steady-state rate, free of start-up (Ray starts its actors inside the run).
2. Model-bound: the mock OpenAI-compatible server (own process) answering after a delay,
   ``--concurrency 32``, same items, local vs Ray.
3. The single writer: the cost of ``RunDir.add_item`` per item (JSON, redaction, fsync),
   replaying the records of part 1, and the driver's whole CPU time per item under Ray.
4. The memory store: recall queries/s on one worker's read-only copy of the index, and on
   a Chroma server (``chroma run``) when the chroma CLI is present.

Usage: ``python benchmarks/bench_ray.py [--items 120] [--json benchmarks/results/ray.json]``; redo
only the scaling model for other hardware with ``--rescale FILE --cores-per-node C --endpoint-calls-per-s E``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_run import BOW, SCRIPT, finish  # noqa: E402 - the same zero-latency script as the run benchmark


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error status: the server is up
                return
            time.sleep(0.2)
    sys.exit(f"{url} did not come up")


def wait_quiet(limit_s: float = 300) -> float:
    """Wait (a while) for other work on this machine to finish; return the 1-minute load then."""
    deadline = time.time() + limit_s
    while os.getloadavg()[0] > 0.5 and time.time() < deadline:
        time.sleep(5)
    return round(os.getloadavg()[0], 2)


def one_run(settings, options, executor) -> dict:
    from bow.runs.session import execute

    cpu, wall = cpu_s(), time.perf_counter()
    outcome = execute(settings, options, executor)
    wall, cpu = time.perf_counter() - wall, cpu_s() - cpu
    assert outcome.done == outcome.planned and not outcome.failed, outcome.failed[:3]
    run = {"items": outcome.done, "wall_s": round(wall, 2), "driver_cpu_s": round(cpu, 2)}
    if hasattr(executor, "worker_cpu_s"):
        run["workers_cpu_s"] = round(executor.worker_cpu_s, 2)
    return run


def framework_bound(root: Path, settings, items: int) -> dict:
    """Part 1: items/s at ``items`` and ``2 * items`` for each executor, and the steady-state rate."""
    from bow.runs.executor import LocalExecutor
    from bow.runs.ray_executor import RayExecutor
    from bow.runs.session import RunOptions

    model = f"scripted:{root / 'zero.yaml'}"
    out: dict = {}
    for name, make in (("local", LocalExecutor), ("ray", RayExecutor)):
        warm = RunOptions(suite="bench-dilemmas", models=[model], limit=8, concurrency=32, out=root / f"warm-{name}")
        one_run(settings, warm, make())  # imports, embedding model, caches: paid once per process, not measured
        runs = []
        for size in (items, 2 * items):
            options = RunOptions(
                suite="bench-dilemmas",
                models=[model],
                judges=[model],
                limit=size,
                concurrency=32,
                out=root / f"framework-{name}-{size}",
            )
            runs.append(one_run(settings, options, make()))
            print(f"  {name:5} {size:4} items: {runs[-1]}")
        small, large = runs
        steady = items / max(1e-9, large["wall_s"] - small["wall_s"])
        out[name] = {
            "runs": runs,
            "items_per_s": round(large["items"] / large["wall_s"], 1),
            "steady_items_per_s": round(steady, 1),
            "start_up_s": round(max(0.0, small["wall_s"] - items / steady), 2),
            "driver_cpu_s_per_item": round(
                (large["driver_cpu_s"] - small["driver_cpu_s"]) / items, 4
            ),  # marginal, so set-up is left out
        }
        if "workers_cpu_s" in large:
            out[name]["workers_cpu_s_per_item"] = round((large["workers_cpu_s"] - small["workers_cpu_s"]) / items, 4)
    return out


def model_bound(root: Path, settings, items: int, delay: float) -> dict:
    """Part 2: the same items against a mock server that answers after ``delay`` seconds."""
    from bow.runs.executor import LocalExecutor
    from bow.runs.ray_executor import RayExecutor
    from bow.runs.session import RunOptions

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bow.devtools.mock_openai", "--port", str(port), "--delay", str(delay)]
        + ["--reply", "I stand where I always stand. DECISION: A"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/v1/models")
        settings.base_url = f"http://127.0.0.1:{port}/v1"
        out: dict = {"items": items, "server_delay_s": delay, "concurrency": 32}
        for name, make in (("local", LocalExecutor), ("ray", RayExecutor)):
            options = RunOptions(
                suite="bench-dilemmas",
                models=["openai:mock"],
                limit=items,
                concurrency=32,
                out=root / f"model-{name}",
            )
            run = one_run(settings, options, make())
            out[name] = {**run, "items_per_s": round(items / run["wall_s"], 1)}
            print(f"  {name:5} against the {delay} s server: {out[name]}")
        calls = [2 * len(t["turns"]) for t in _transcripts(root / "model-local")]
        out["model_calls_per_item"] = statistics.mean(calls)
        out["ideal_items_per_s"] = round(32 / (out["model_calls_per_item"] * delay), 1)
        return out
    finally:
        settings.base_url = None
        server.terminate()
        server.wait(timeout=10)


def _transcripts(run: Path) -> list[dict]:
    from bow.runs.rundir import read_jsonl

    return read_jsonl(run / "transcripts.jsonl")


def writer_cost(root: Path, source: Path) -> dict:
    """Part 3: seconds per ``add_item`` (what the single writer thread does per item)."""
    from bow.runs.rundir import RunDir, read_jsonl

    transcripts = read_jsonl(source / "transcripts.jsonl")
    scores: dict[str, list] = {}
    for row in read_jsonl(source / "scores.jsonl"):
        scores.setdefault(row["key"], []).append({k: v for k, v in row.items() if k != "attempt"})
    run = RunDir.open(root / "writer", {"suite": "writer-bench"})
    started = time.perf_counter()
    for record in transcripts:
        body = {k: v for k, v in record.items() if k not in ("key", "attempt")}
        run.add_item(record["key"], body, scores.get(record["key"], []))
    per_item = (time.perf_counter() - started) / len(transcripts)
    size = (len(json.dumps(transcripts)) + len(json.dumps(scores))) / len(transcripts)
    return {"items": len(transcripts), "s_per_item": round(per_item, 5), "bytes_per_item": int(size)}


def memory_store(root: Path, home: Path, persona_ids: list[str], texts: list[str]) -> dict:
    """Part 4: recall split into its two costs: embedding the query (on the worker) and the search.

    Searches use precomputed vectors, 64 at once from threads, on a copied index (what each
    Ray worker has) and on a Chroma server (what every worker would share) when present.
    """
    from concurrent.futures import ThreadPoolExecutor

    from agents.memory import ChromaMemory, MiniLMEmbedder, open_client
    from agents.memory.chroma_store import collection_name

    embedder = MiniLMEmbedder(home / "models")
    embedder.embed(["warm-up"])
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    out: dict = {"queries": len(texts), "embed_s_per_query": round((time.perf_counter() - started) / len(texts), 5)}

    def searches_per_s(client) -> float:
        collections = {p: client.get_collection(collection_name(p), embedding_function=None) for p in persona_ids}
        jobs = [(collections[persona_ids[i % len(persona_ids)]], v) for i, v in enumerate(vectors)]
        with ThreadPoolExecutor(64) as pool:
            started = time.perf_counter()
            list(pool.map(lambda job: ChromaMemory._search(job[0], job[1], 4), jobs))
        return len(jobs) / (time.perf_counter() - started)

    copy = root / "index-copy"
    shutil.copytree(home / "chroma", copy)
    out["copy_searches_per_s"] = round(searches_per_s(open_client(path=copy)), 1)
    chroma = shutil.which("chroma")
    if chroma:
        port = free_port()
        server = subprocess.Popen(
            [chroma, "run", "--path", str(root / "server"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat")
            from bow.config import Settings

            personas = Settings(home_arg=str(home)).library()
            client = open_client(url=f"http://127.0.0.1:{port}")
            ChromaMemory(client, embedder=embedder).build([personas.get(p) for p in persona_ids])
            out["server_searches_per_s"] = round(searches_per_s(client), 1)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return out


def scaling(results: dict, cores_per_node: int, endpoint_calls_per_s: float) -> dict:
    """Items/s with N nodes, each with ``cores_per_node`` workers and a model replica serving
    ``endpoint_calls_per_s``; the driver, its single writer and a shared Chroma server do not grow with N.
    """
    local = results["framework"]["local"]
    # Work per item on a worker: measured inside the Ray workers, else the local process (which does it all).
    worker_cpu = results["framework"]["ray"].get("workers_cpu_s_per_item") or local["driver_cpu_s_per_item"]
    calls = results["model_bound"]["model_calls_per_item"]
    queries = results["framework"]["memory_queries_per_item"]
    server = "one Chroma server (--chroma-url)"
    per_node = {"worker CPU": cores_per_node / worker_cpu, "model replica": endpoint_calls_per_s / calls}
    shared = {
        "driver (dispatch, results, writer)": 1 / results["framework"]["ray"]["driver_cpu_s_per_item"],
        "single writer thread alone": 1 / results["writer"]["s_per_item"],
    }
    if "server_searches_per_s" in results["memory"]:
        shared[server] = results["memory"]["server_searches_per_s"] / queries
    table: dict = {}
    for nodes in (1, 2, 4, 8, 16, 32, 64):
        caps = {k: nodes * v for k, v in per_node.items()} | shared
        for memory, kept in (("index copies", {k: v for k, v in caps.items() if k != server}), ("chroma server", caps)):
            bound = min(kept, key=kept.__getitem__)
            table.setdefault(nodes, {})[memory] = {"items_per_s": round(kept[bound], 1), "bound_by": bound}
    return {
        "cores_per_node": cores_per_node,
        "endpoint_calls_per_s_per_node": endpoint_calls_per_s,
        "worker_cpu_s_per_item": worker_cpu,
        "model_calls_per_item": calls,
        "memory_queries_per_item": queries,
        "per_node_items_per_s": {k: round(v, 1) for k, v in per_node.items()},
        "shared_ceilings_items_per_s": {k: round(v, 1) for k, v in shared.items()},
        "by_nodes": table,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=120, help="Part 1 runs this many items, then twice as many.")
    parser.add_argument("--model-items", type=int, default=96)
    parser.add_argument("--delay", type=float, default=0.25, help="Mock server reply delay (part 2).")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--cores-per-node", type=int, default=16, help="Scaling model: Ray workers per node.")
    parser.add_argument(
        "--endpoint-calls-per-s",
        type=float,
        default=40.0,
        help="Scaling model: model calls/s one node's replica serves.",
    )
    parser.add_argument("--rescale", type=Path, default=None, help="Only redo the scaling model from a results file.")
    args = parser.parse_args()
    if args.rescale:
        results = json.loads(args.rescale.read_text())
        results["scaling"] = scaling(results, args.cores_per_node, args.endpoint_calls_per_s)
        print(json.dumps(results["scaling"], indent=2))
        args.rescale.write_text(json.dumps(results, indent=2) + "\n")
        return
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key-0000")
    import ray

    from bow.config import Settings

    root = Path(tempfile.mkdtemp(prefix="bow-bench-ray-"))
    home = root / "home"
    (root / "zero.yaml").write_text(SCRIPT)
    suites = root / "scenarios" / "suites"
    suites.mkdir(parents=True)
    (suites / "bench-dilemmas.yaml").write_text(
        'id: bench-dilemmas\ndescription: shipped dilemma scripts\npersonas: ["*"]\nscenarios: ["dilemma/*"]\n'
    )
    # Set-up, not measured: export the embedding model and index canon memory once.
    subprocess.run([BOW, "--home", str(home), "memory", "build"], check=True, capture_output=True)
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    settings = Settings(home_arg=str(home), scenario_dirs=(str(root / "scenarios"),), use_cache=False)
    quiet = wait_quiet()
    results: dict = {"cpus": os.cpu_count(), "ray": ray.__version__, "load_before": quiet}
    print(f"1. Framework-bound (zero-latency scripted model and judge, memory and graders on), {os.cpu_count()} CPUs:")
    results["framework"] = framework_bound(root, settings, args.items)
    sample = _transcripts(root / f"framework-local-{2 * args.items}")
    results["framework"]["memory_queries_per_item"] = statistics.mean(
        sum(1 for turn in t["turns"] if turn.get("retrieved")) for t in sample
    )
    print("2. Model-bound (mock OpenAI-compatible server):")
    results["model_bound"] = model_bound(root, settings, args.model_items, args.delay)
    print("3. The single writer:")
    results["writer"] = writer_cost(root, root / f"framework-ray-{2 * args.items}")
    print(f"  {results['writer']}")
    print("4. The memory store:")
    texts = [turn["narration"] + f" ({i})" for i, t in enumerate(sample) for turn in t["turns"]]
    results["memory"] = memory_store(root, home, sorted({t["persona_id"] for t in sample}), texts)
    print(f"  {results['memory']}")
    ray.shutdown()
    results["load_after"] = round(os.getloadavg()[0], 2)
    results["scaling"] = scaling(results, args.cores_per_node, args.endpoint_calls_per_s)
    finish(results, args.json, root)


if __name__ == "__main__":
    main()
