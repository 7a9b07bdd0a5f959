"""Canon memory against a real Chroma server (``chroma run``) on loopback, via --chroma-url."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bow.cli.main import cli
from tests.servers import chroma_server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


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
