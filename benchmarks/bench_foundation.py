"""Foundation speed targets, measured side by side in one run.

1. Embedded model: cold load time, and generated tokens/s through BOW's gateway
   versus raw llama-cpp-python on the same GGUF (interleaved, same prompt,
   greedy decoding so both produce the same tokens).
2. ``bow --help`` start-up time (fresh processes).
3. Cache: an identical gateway call served from the cache versus a live call.

Usage: ``python benchmarks/bench_foundation.py [--runs 5] [--json benchmarks/results/foundation.json]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROMPT = "Tell me, in a few sentences, the story of how you became a hero."
MAX_TOKENS = 128


def cold_load_seconds() -> tuple[float, float]:
    """Median seconds for a fresh process to load the embedded model: (raw, bow)."""
    raw_code = (
        "import time; t=time.perf_counter(); from llama_cpp import Llama; from bow.models.local import "
        "embedded_gguf_path; Llama(model_path=str(embedded_gguf_path()), n_ctx=4096, verbose=False); "
        "print(time.perf_counter()-t)"
    )
    bow_code = (
        "import time; t=time.perf_counter(); from bow.models.local import LocalLlamaChat; "
        "LocalLlamaChat().llama(); print(time.perf_counter()-t)"
    )
    raw = [float(subprocess.check_output([sys.executable, "-c", raw_code])) for _ in range(3)]
    bow = [float(subprocess.check_output([sys.executable, "-c", bow_code])) for _ in range(3)]
    return statistics.median(raw), statistics.median(bow)


def _worker(kind: str, calls: int) -> None:
    """In a fresh process: one warm-up, then ``calls`` generations; print median tokens/s."""
    from langchain_core.messages import HumanMessage

    from bow.models.gateway import Gateway
    from bow.models.local import LocalLlamaChat

    chat = LocalLlamaChat(max_tokens=MAX_TOKENS)
    llm, _lock = chat.llama()
    gateway = Gateway("local", chat_model=chat)

    def once() -> float:
        started = time.perf_counter()
        if kind == "raw":
            out = llm.create_chat_completion(
                messages=[{"role": "user", "content": PROMPT}],
                max_tokens=MAX_TOKENS,
                temperature=0.0,
                repeat_penalty=1.1,
                seed=0,
            )
            tokens = out["usage"]["completion_tokens"]
        else:
            tokens = gateway.generate([HumanMessage(PROMPT)], use_cache=False).usage.output_tokens
        return tokens / (time.perf_counter() - started)

    once()
    print(statistics.median(once() for _ in range(calls)))


def generation_speeds(runs: int) -> tuple[list[float], list[float]]:
    """Tokens/s of raw llama.cpp and of BOW's gateway, in fresh processes alternating A B A B.

    Separate processes keep each side on one calling thread (ggml's OpenMP team is
    per thread), so neither side pays for the other's spinning workers.
    """
    raw_speeds, bow_speeds = [], []
    for _ in range(runs):
        for kind, speeds in (("raw", raw_speeds), ("bow", bow_speeds)):
            out = subprocess.check_output([sys.executable, __file__, "--worker", kind], stderr=subprocess.DEVNULL)
            speeds.append(float(out))
    return raw_speeds, bow_speeds


def help_seconds(runs: int) -> float:
    """Median wall seconds of ``bow --help`` in fresh processes."""
    bow = Path(sys.executable).with_name("bow")
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([str(bow), "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def cache_speedup() -> tuple[float, float]:
    """Seconds for a live local call and for the same call from the cache (median of 20 hits)."""
    from langchain_core.messages import HumanMessage

    from bow.models.cache import ResponseCache
    from bow.models.gateway import Gateway

    with tempfile.TemporaryDirectory() as tmp:
        gateway = Gateway("local", cache=ResponseCache(Path(tmp) / "c.sqlite"), params={"max_tokens": MAX_TOKENS})
        messages = [HumanMessage(PROMPT)]
        started = time.perf_counter()
        asyncio.run(gateway.agenerate(messages))
        live = time.perf_counter() - started
        hits = []
        for _ in range(20):
            started = time.perf_counter()
            reply = asyncio.run(gateway.agenerate(messages))
            hits.append(time.perf_counter() - started)
            assert reply.cached
    return live, statistics.median(hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument("--worker", choices=["raw", "bow"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, calls=3)
        return

    raw_load, bow_load = cold_load_seconds()
    raw_speeds, bow_speeds = generation_speeds(args.runs)
    raw_tps, bow_tps = statistics.median(raw_speeds), statistics.median(bow_speeds)
    help_s = help_seconds(args.runs)
    live_s, hit_s = cache_speedup()
    figures = {
        "cpu_count": os.cpu_count(),
        "cold_load_s": {"raw_llama_cpp": round(raw_load, 3), "bow_local": round(bow_load, 3), "target": 3.0},
        "tokens_per_s": {
            "raw_llama_cpp": round(raw_tps, 1),
            "bow_gateway": round(bow_tps, 1),
            "ratio": round(bow_tps / raw_tps, 3),
            "target_tps": 40,
            "target_ratio": 0.8,
        },
        "bow_help_s": {"median": round(help_s, 3), "target": 0.5},
        "cache": {
            "live_s": round(live_s, 3),
            "hit_s": round(hit_s, 5),
            "speedup": round(live_s / hit_s, 1),
            "target_speedup": 100,
        },
    }
    rows = [
        ("cold load (fresh process)", f"raw {raw_load:.2f} s · bow {bow_load:.2f} s", "≤ 3 s"),
        (
            "generation tokens/s",
            f"raw {raw_tps:.1f} · bow {bow_tps:.1f} · ratio {bow_tps / raw_tps:.2f}",
            "≥ 40 and ≥ 0.80",
        ),
        ("bow --help", f"{help_s:.3f} s", "≤ 0.5 s"),
        (
            "cache hit vs live call",
            f"live {live_s:.3f} s · hit {hit_s * 1000:.2f} ms · {live_s / hit_s:.0f}×",
            "≥ 100×",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value}   (target {target})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
