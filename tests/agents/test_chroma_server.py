"""Canon memory against a real Chroma server (``chroma run``) on loopback, via --chroma-url."""

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from bow.cli.main import cli

CHROMA = shutil.which("chroma")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    if CHROMA is None:
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [CHROMA, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("chroma server did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_build_and_query_through_a_chroma_server(chroma_url, bow_home: Path):
    runner = CliRunner()
    built = runner.invoke(cli, ["--chroma-url", chroma_url, "memory", "build", "--only", "thor/*", "--json"])
    assert built.exit_code == 0, built.output
    assert sorted(json.loads(built.output)["embedded"]) == [
        "thor/earth-616",
        "thor/mcu-love-and-thunder",
        "thor/what-if-only-child",
    ]
    hits = json.loads(
        runner.invoke(
            cli, ["--chroma-url", chroma_url, "memory", "query", "thor/earth-616", "the hammer Mjolnir", "--json"]
        ).output
    )
    assert hits and {h["persona_id"] for h in hits} == {"thor/earth-616"}
    again = runner.invoke(cli, ["--chroma-url", chroma_url, "memory", "build", "--only", "thor/*", "--json"])
    assert json.loads(again.output)["unchanged"] == 3
    assert not (bow_home / "chroma").exists()  # nothing went to the embedded store


def test_unreachable_chroma_server_is_one_clear_error():
    result = CliRunner().invoke(cli, ["--chroma-url", "http://127.0.0.1:9", "memory", "build", "--only", "thor/*"])
    assert result.exit_code != 0 and "Chroma server at http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
