"""Canon-memory targets: full index of the roster, no-change rebuild, warm query latency.

Each build runs as ``bow memory build`` in a fresh process (what a user pays, imports
included) against a new BOW home; queries are timed in-process after one warm-up.

Usage: ``python benchmarks/bench_memory.py [--queries 200] [--json benchmarks/results/memory.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_build(home: str) -> tuple[float, dict]:
    bow = Path(sys.executable).with_name("bow")
    started = time.perf_counter()
    out = subprocess.run(
        [str(bow), "--home", home, "memory", "build", "--json"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    return time.perf_counter() - started, json.loads(out.stdout)


def query_latencies(home: str, count: int) -> list[float]:
    from agents.memory import ChromaMemory, open_client
    from personas.loader import PersonaLibrary

    library = PersonaLibrary.load()
    memory = ChromaMemory(open_client(path=Path(home) / "chroma"), cache_dir=Path(home) / "models")
    rng = random.Random(7)
    personas = list(library)
    memory.query(personas[0].id, "warm-up", k=4)
    seconds = []
    for _ in range(count):
        persona = rng.choice(personas)
        # A realistic situation text: a sentence that is not stored verbatim anywhere.
        words = rng.choice(persona.memory).text.split()
        probe = " ".join(rng.sample(words, min(12, len(words))))
        started = time.perf_counter()
        memory.query(persona.id, probe, k=4)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        full_s, full = timed_build(home)
        again_s, again = timed_build(home)
        latencies = sorted(query_latencies(home, args.queries))
    p50 = statistics.median(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    figures = {
        "full_build_s": round(full_s, 2),
        "personas": len(full["embedded"]),
        "passages": full["passages"],
        "rebuild_unchanged_s": round(again_s, 2),
        "rebuild_embedded": len(again["embedded"]),
        "query_p50_ms": round(p50 * 1000, 2),
        "query_p99_ms": round(p99 * 1000, 2),
        "queries": len(latencies),
        "targets": {"full_build_s": 60, "rebuild_unchanged_s": 3, "query_p50_ms": 15, "query_p99_ms": 50},
    }
    print(
        f"full index         {full_s:.1f} s for {figures['personas']} personas, {figures['passages']} passages"
        "   (target ≤ 60 s)"
    )
    print(f"rebuild, no change {again_s:.2f} s, {len(again['embedded'])} re-embedded   (target ≤ 3 s)")
    print(
        f"warm query         p50 {p50 * 1000:.1f} ms · p99 {p99 * 1000:.1f} ms over {len(latencies)}"
        "   (targets ≤ 15 / ≤ 50 ms)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
