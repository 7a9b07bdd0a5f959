"""``bow run --executor ray`` on a local Ray instance: same results as local, worker deaths, bad input.

One Ray instance (2 CPUs) and one BOW home serve the whole module, so Ray starts once
and the embedding model is exported once.
"""

import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bow.cli.main import cli
from bow.runs.rundir import read_jsonl, read_scores
from tests.fakes import write_suite
from tests.servers import chroma_server, free_port

TIMING = {"latency_s", "cached", "started_at", "finished_at", "attempt"}
SCRIPT = {
    "replies": [
        {"when": "judge", "reply": '{"reasoning": "In keeping with this version.", "evidence": ["x"], "score": 4}'},
        {"when": "follow from", "reply": "follows"},
        {"when": "think privately", "reply": "I remember what this cost me.", "delay_s": 0.01},
        {"reply": "I choose. DECISION: B", "delay_s": 0.01},
    ]
}


@pytest.fixture(scope="module")
def ray_instance():
    try:
        import ray
    except ImportError:
        pytest.skip("ray is not installed (pip install 'beyond-one-world[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A home, a 14-item suite (2 personas x their canon questions) and a scripted persona/judge model."""
    root = tmp_path_factory.mktemp("ray")
    scenarios = write_suite(root / "scenarios", "mini", ["iron-man/mcu-endgame", "thor/earth-616"], ["canon/*"])
    (root / "s.yaml").write_text(yaml.safe_dump(SCRIPT))
    slow = {"replies": [{**r, "delay_s": 0.3} if "delay_s" in r else r for r in SCRIPT["replies"]]}
    (root / "slow.yaml").write_text(yaml.safe_dump(slow))
    return {"root": root, "home": root / "home", "scenarios": scenarios, "model": f"scripted:{root / 's.yaml'}"}


def bow(world, *args, model=None):
    model = model or world["model"]
    common = ["--home", str(world["home"]), "-m", model, "--judge", model, "--scenarios", str(world["scenarios"])]
    return CliRunner().invoke(cli, [*common, *args])


def comparable(run: Path):
    transcripts = {t["key"]: t for t in read_jsonl(run / "transcripts.jsonl")}
    for record in transcripts.values():
        for key in TIMING:
            record.pop(key, None)
        for turn in record["turns"]:
            for key in TIMING:
                turn.pop(key, None)
    scores = sorted(
        json.dumps({k: v for k, v in row.items() if k != "attempt"}, sort_keys=True) for row in read_scores(run)
    )
    return transcripts, scores


def play_locally_and_on_ray(world, suite, name):
    """The same uncached run on both executors: {executor: (summary, transcripts, scores)}."""
    runs = {}
    for executor in ("local", "ray"):
        out = world["root"] / f"{name}-{executor}"
        result = bow(world, "--no-cache", "run", suite, "--executor", executor, "--out", str(out), "--json")
        assert result.exit_code == 0, result.output
        runs[executor] = (json.loads(result.output[result.output.index("{") :]), *comparable(out))
    return runs


def test_ray_plays_the_same_transcripts_and_scores_as_local(ray_instance, world):
    runs = play_locally_and_on_ray(world, "mini", "same")
    (local_summary, local_t, local_s), (ray_summary, ray_t, ray_s) = runs["local"], runs["ray"]
    assert len(local_t) == 14 and sorted(local_t) == sorted(ray_t)
    for key, record in local_t.items():
        assert ray_t[key] == record, key  # decisions, texts, retrieved memory ids, tokens
    assert all(t["turns"][0]["retrieved"] for t in ray_t.values())  # canon memory was used on the workers
    assert local_s == ray_s and any('"judge": "scripted' in row for row in ray_s)
    for summary in (local_summary, ray_summary):  # timings aside
        del summary["wall_s"], summary["run_dir"]
        for group in summary["groups"].values():
            del group["model_latency_s"]
    assert local_summary == ray_summary
    log = (world["root"] / "same-ray" / "run.log").read_text()
    assert "executor: ray" in log and "finished: 14 done, 0 failed" in log
    world["retrieved"] = {key: [t["retrieved"] for t in r["turns"]] for key, r in local_t.items()}


def test_the_smoke_suite_plays_the_same_on_ray_as_locally(ray_instance, world):
    """The shipped smoke suite: canon questions and three-beat dilemma scripts, memory and graders on."""
    runs = play_locally_and_on_ray(world, "smoke", "smoke")
    (_, local_t, local_s), (_, ray_t, ray_s) = runs["local"], runs["ray"]
    assert len(local_t) == 6 and local_t == ray_t and local_s == ray_s
    assert sorted(len(t["turns"]) for t in ray_t.values()) == [1, 1, 1, 3, 3, 3]


@pytest.fixture
def chroma_url(tmp_path):
    with chroma_server(tmp_path / "chroma") as url:
        yield url


def test_workers_share_a_chroma_server(ray_instance, world, chroma_url):
    out = world["root"] / "chroma-server"
    result = bow(world, "--chroma-url", chroma_url, "run", "mini", "--no-grade", "--executor", "ray", "--out", str(out))
    assert result.exit_code == 0, result.output
    retrieved = {t["key"]: [turn["retrieved"] for turn in t["turns"]] for t in read_jsonl(out / "transcripts.jsonl")}
    assert len(retrieved) == 14 and all(all(r) for r in retrieved.values())
    if "retrieved" in world:  # the same passages as the embedded index gave the local run
        assert retrieved == world["retrieved"]


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(ray_instance, world):
    from bow.config import Settings
    from bow.runs.ray_executor import RayExecutor
    from bow.runs.session import RunOptions, execute

    settings = Settings(home_arg=str(world["home"]), scenario_dirs=(str(world["scenarios"]),), use_cache=False)
    model = f"scripted:{world['root'] / 'slow.yaml'}"
    out = world["root"] / "killed"
    options = RunOptions(suite="mini", models=[model], memory=False, concurrency=4, out=out, judges=[])
    executor = RayExecutor()
    seen = []

    def progress(item, ok, tokens):
        seen.append(item.key)
        if len(seen) == 3:  # mid-run: 3 of 14 done, every worker busy
            os.kill(executor.pids[0], signal.SIGKILL)

    outcome = execute(settings, options, executor, progress=progress)
    keys = [t["key"] for t in read_jsonl(out / "transcripts.jsonl")]
    assert len(keys) == 14 and len(set(keys)) == 14
    assert outcome.done == 14 and outcome.failed == [] and not (out / "failures.jsonl").exists()
    assert executor.replaced == 1 and executor.retried >= 1 and len(executor.pids) == 3
    assert len(seen) == 14  # every item reported once to the single writer


def test_ray_not_installed_is_one_clear_line(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    out = world["root"] / "no-ray"
    result = bow(world, "run", "mini", "--no-memory", "--executor", "ray", "--out", str(out))
    assert result.exit_code == 2
    assert "needs Ray" in result.output and "pip install 'beyond-one-world[ray]'" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_an_unreachable_address_fails_fast_and_leaves_the_run_resumable(ray_instance, world):
    out = world["root"] / "bad-address"
    assert bow(world, "run", "mini", "--no-memory", "--no-grade", "--limit", "3", "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    port = free_port()  # a loopback port nobody listens on
    started = time.perf_counter()
    args = ["run", "mini", "--no-memory", "--no-grade", "--limit", "3", "--out", str(out)]
    result = bow(world, *args, "--executor", "ray", "--ray-address", f"127.0.0.1:{port}")
    assert time.perf_counter() - started < 10
    assert result.exit_code == 2 and "Cannot reach the Ray cluster at 127.0.0.1" in result.output
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written
    again = bow(world, *args)
    assert again.exit_code == 0 and "3 already done, 0 finished now" in again.output


def test_a_version_mismatch_is_explained(world, monkeypatch):
    pytest.importorskip("ray", reason="ray is not installed")
    import ray

    mismatch = (
        "Version mismatch: The cluster was started with:\n    Ray: 2.41.0\n    Python: 3.12.1\n"
        "This process on node 127.0.0.1 was started with:\n    Ray: 2.60.0\n    Python: 3.11.7\n"
    )

    def refuse(*args, **kwargs):
        raise RuntimeError(mismatch)

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", refuse)
    result = bow(world, "run", "mini", "--no-memory", "--executor", "ray", "--ray-address", "auto")
    assert result.exit_code == 2 and "Ray version mismatch" in result.output
    assert "Ray: 2.41.0" in result.output and "Traceback" not in result.output


def test_ray_options_need_the_ray_executor(world):
    result = bow(world, "run", "mini", "--ray-address", "auto")
    assert result.exit_code == 2 and "need --executor ray" in result.output
