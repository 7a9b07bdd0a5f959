"""``bow run`` speed targets, each measured as whole ``bow run`` processes side by side.

1. Framework overhead: a zero-latency scripted model plays multi-turn dilemma scripts end
   to end, with Think-Act Matching and every grader on (and again with a scripted judge).
   Every reply is unique, within a run and across runs, so no reply or TAM embedding is
   ever served from a cache. Reported as items/s of the whole process and of the run
   itself (start-up excluded), twice: *cold*, with the home's embedding cache emptied too,
   so every scenario situation is embedded for retrieval during the run (the first run of
   a suite), and *warm*, where an earlier run of the suite left those situation vectors in
   the embedding cache (every later run: another model, mode or seed).
2. Concurrency: a local mock OpenAI-compatible server answering in 500 ms; the same
   dilemma items at ``--concurrency 32`` and ``--concurrency 1``, each with an empty
   response cache, after a first (cold, timed and reported) run of the suite.
3. Cache: the ``--concurrency 1`` command again into a fresh run directory: every model
   call is served from the response cache.

Usage: ``python benchmarks/bench_run.py [--only overhead,concurrency,cache] [--items 200]
[--overhead-items 600] [--json benchmarks/results/run.json]``. Part 2 needs the paper's
dataset (``--dataset``, default ``../shared/bow-dataset``) for its single-turn dilemmas.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BOW = str(Path(sys.executable).with_name("bow"))
SCRIPT_TEMPLATE = """replies:
  - when: "think privately"
    reply: "Call {call}{run}: I weigh the lives at stake against the promise I made, and what my code asks."
  - when: "judge"
    reply: '{"reasoning": "In keeping with this version (call {call}).", "evidence": ["the act"], "score": 4}'
  - when: "follow from"
    reply: "follows"
  - reply: "Call {call}{run}: I will not trade one life for another; I go for both. DECISION: A"
"""
SCRIPT = SCRIPT_TEMPLATE.replace("{run}", "")


def script_for_run(token: str) -> str:
    """The zero-latency script with replies that no earlier run has produced (``{call}`` restarts at 1)."""
    return SCRIPT_TEMPLATE.replace("{run}", f" of run {token}")


def bow(home: Path, *args: str, quiet: bool = True) -> tuple[float, dict]:
    """Run ``bow`` as a fresh process; return (wall seconds, the --json summary)."""
    started = time.perf_counter()
    done = subprocess.run(
        [BOW, "--home", str(home), *args, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "sk-bench-not-a-real-key-0000")},
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bow {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return wall, json.loads(done.stdout)


def empty_cache(home: Path, embeddings: bool = True) -> None:
    """Forget every cached reply (and, with ``embeddings``, every cached embedding).

    The parsed-library cache (``parsed-*.pickle``) stays: any earlier command has made it,
    so a user's run never starts without it.
    """
    for pattern in ("responses.sqlite*", *(("embeddings.sqlite*",) if embeddings else ())):
        for file in (home / "cache").glob(pattern):
            file.unlink()


def overhead(root: Path, home: Path, items: int, runs: int, judged: bool) -> dict:
    """Items/s with a zero-latency scripted model, graders on (and a scripted judge if ``judged``)."""
    scenarios = root / "scenarios"
    (scenarios / "suites").mkdir(parents=True, exist_ok=True)
    (scenarios / "suites" / "bench-dilemmas.yaml").write_text(
        "id: bench-dilemmas\ndescription: every shipped dilemma script for every persona\n"
        'personas: ["*"]\nscenarios: ["dilemma/*"]\n'
    )
    kind = "judged" if judged else "rules"

    def one(name: str, cold: bool) -> dict:
        script = root / f"zero-latency-{name}.yaml"
        script.write_text(script_for_run(uuid.uuid4().hex[:8]))
        model = f"scripted:{script}"
        empty_cache(home, embeddings=cold)
        wall, summary = bow(
            home,
            *("-m", model, *(("--judge", model) if judged else ()), "--scenarios", str(scenarios)),
            *("run", "bench-dilemmas", "--limit", str(items), "--concurrency", "32"),
            *("--out", str(root / f"overhead-{kind}-{name}")),
        )
        assert summary["items"] == items and summary["failed"] == 0, summary
        label = "cold" if cold else "warm"
        print(f"  {label} {name}: {items / wall:.1f} items/s (process), {items / summary['wall_s']:.1f} (run)")
        return {"process_s": round(wall, 2), "run_s": summary["wall_s"]}

    cold = one("cold", cold=True)
    warm = [one(f"run{run + 1}", cold=False) for run in range(runs)]
    process = statistics.median(r["process_s"] for r in warm)
    inside = statistics.median(r["run_s"] for r in warm)
    return {
        "items": items,
        "beats_per_item": 3,
        "cold": {**cold, "items_per_s_process": round(items / cold["process_s"], 1)},
        "runs": warm,
        "items_per_s_process": round(items / process, 1),
        "items_per_s_run": round(items / inside, 1),
    }


def concurrency_and_cache(root: Path, home: Path, items: int, parts: set[str]) -> dict:
    """The same dilemma items at concurrency 1 and 32 against a 500 ms server, then from the cache."""
    from bow.devtools.mock_openai import MockOpenAIServer

    out: dict = {"items": items, "server_delay_s": 0.5}
    with MockOpenAIServer(reply="I stand where I always stand. DECISION: A", delay_s=0.5) as server:
        common = ("-m", "openai:mock", "--base-url", server.url)
        empty_cache(home)
        wall, summary = bow(
            home,
            *common,
            *("run", "bow-dilemmas", "--limit", str(items), "--concurrency", "32", "--out", str(root / "first")),
        )
        out["first_run_concurrency_32_s"] = round(wall, 2)
        print(f"  first run of the suite (situations embedded for retrieval), concurrency 32: {wall:.1f} s")
        if "concurrency" in parts or "cache" in parts:
            for concurrency in (32, 1):  # concurrency 1 last: the cache part reruns it
                empty_cache(home, embeddings=False)
                wall, summary = bow(
                    home,
                    *common,
                    *("run", "bow-dilemmas", "--limit", str(items), "--concurrency", str(concurrency)),
                    *("--out", str(root / f"concurrency-{concurrency}")),
                )
                assert summary["items"] == items, summary
                out[f"concurrency_{concurrency}_s"] = round(wall, 2)
                print(f"  concurrency {concurrency}: {wall:.1f} s")
            out["speedup_32_vs_1"] = round(out["concurrency_1_s"] / out["concurrency_32_s"], 1)
        if "cache" in parts:
            requests = server.requests
            wall, summary = bow(
                home,
                *common,
                *("run", "bow-dilemmas", "--limit", str(items), "--concurrency", "1", "--out", str(root / "rerun")),
            )
            assert summary["items"] == items and server.requests == requests, "the rerun reached the server"
            out["cached_rerun_s"] = round(wall, 2)
            out["cache_speedup"] = round(out["concurrency_1_s"] / wall, 1)
            print(f"  same command from the cache: {wall:.2f} s")
    return out


def finish(results: dict, json_path: Path | None, root: Path) -> None:
    """Print the results, write them to ``json_path`` if given, and remove the scratch directory."""
    print(json.dumps(results, indent=2))
    if json_path:
        json_path.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="overhead,concurrency,cache")
    parser.add_argument("--items", type=int, default=200, help="Dilemma items for the concurrency and cache parts.")
    parser.add_argument("--overhead-items", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3, help="Repeats of the overhead part (median reported).")
    parser.add_argument("--dataset", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bow-dataset")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    root = Path(tempfile.mkdtemp(prefix="bow-bench-run-"))
    home = root / "home"
    # Set-up, not measured: export the embedding model and index canon memory once, import the dataset.
    subprocess.run([BOW, "--home", str(home), "memory", "build"], check=True, capture_output=True)
    if parts & {"concurrency", "cache"}:
        subprocess.run([BOW, "--home", str(home), "import", "bow", str(args.dataset)], check=True, capture_output=True)
    results: dict = {"cpus": os.cpu_count()}
    if "overhead" in parts:
        print("Framework overhead, zero-latency scripted model, 3-beat dilemma scripts, memory and graders on:")
        print(" canon rules + Think-Act Matching (no judge model):")
        results["overhead"] = overhead(root, home, args.overhead_items, args.runs, judged=False)
        print(" plus a scripted judge (thinking, acting and a TAM label per beat: 9 more calls per item):")
        results["overhead_with_judge"] = overhead(root, home, args.overhead_items, args.runs, judged=True)
    if parts & {"concurrency", "cache"}:
        print(f"Mock OpenAI-compatible server at 500 ms, {args.items} single-turn dilemmas (two-node: 2 calls each):")
        results["server"] = concurrency_and_cache(root, home, args.items, parts)
    finish(results, args.json, root)


if __name__ == "__main__":
    main()
