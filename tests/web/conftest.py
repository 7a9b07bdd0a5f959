"""An app per test on a scripted model (no canon memory, hash embeddings: fast), and one real run directory."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from bow.cli.main import cli
from bow.config import Settings
from bow.web.app import create_app
from bow.web.sse import parse_sse
from tests.fakes import HashEmbedder, write_suite

MCU, COMICS = "iron-man/mcu-endgame", "iron-man/earth-616"
HOSTILE = '</script><img src=x onerror="window.__pwned=1"> <b>bold</b> &amp;'


def web_settings(tmp_path: Path, replies: list, home: Path) -> Settings:
    script = tmp_path / "web-model.yaml"
    script.write_text(yaml.safe_dump({"replies": replies}))
    return Settings(home_arg=str(home), model=f"scripted:{script}", use_cache=False)


def make_app(tmp_path: Path, replies: list, home: Path, **options):
    options = {"canon_memory": False, "embedder": HashEmbedder(), "user": "tester", **options}
    return create_app(web_settings(tmp_path, replies, home), **options)


@pytest.fixture
def client_for(tmp_path, bow_home):
    """``client_for(replies, **engine_options)``: a started TestClient (lifespan run) on a scripted model."""
    clients = []

    def make(replies: list, **options) -> TestClient:
        client = TestClient(make_app(tmp_path, replies, bow_home, **options))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def say(client: TestClient, session: str, text: str, **options) -> list[tuple[str, dict]]:
    """Send a message and return the SSE events of the answer, in order."""
    response = client.post(f"/api/sessions/{session}/messages", json={"text": text, **options})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    """A finished ``bow run`` (one persona, one canon item, no memory, no judges) made once."""
    base = tmp_path_factory.mktemp("web-runs")
    home = base / "home"
    suite = write_suite(base / "scenarios", "websuite", [MCU], ["canon/iron-man/mcu-endgame/hero-1-1"])
    script = base / "run-model.yaml"
    script.write_text(yaml.safe_dump({"replies": [f"I remember. {HOSTILE}\nANSWER: A"]}))
    args = ["--home", str(home), "--scenarios", str(suite), "-m", f"scripted:{script}"]
    result = CliRunner().invoke(cli, [*args, "run", "websuite", "--no-memory", "--no-grade"])
    assert result.exit_code == 0, result.output
    (run,) = [p for p in (home / "runs").iterdir() if p.is_dir()]
    return run
