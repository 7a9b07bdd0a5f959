"""``bow serve``: loopback by default, a clear warning otherwise, a busy port said plainly, Host checked."""

import socket

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from bow.cli.main import cli
from bow.cli.serve_cmd import is_loopback
from bow.web.app import LOOPBACK_NAMES, HostGuard
from tests.web.conftest import make_app


@pytest.fixture
def started(monkeypatch):
    """Capture what ``uvicorn.run`` would serve instead of serving it."""
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    return calls


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def guarded(app) -> bool:
    return any(m.cls is HostGuard for m in app.user_middleware)


def test_serve_binds_to_loopback_by_default(started, script_file):
    port = free_port()
    result = CliRunner().invoke(cli, ["-m", script_file(["hi"]), "serve", "--port", str(port)])
    assert result.exit_code == 0, result.output
    ((app, options),) = started
    assert options["host"] == "127.0.0.1" and options["port"] == port
    assert "Warning" not in result.stderr and f"http://127.0.0.1:{port}/" in result.stdout
    assert guarded(app)


def test_a_non_loopback_host_warns_clearly(started, script_file):
    spec = script_file(["hi"])
    result = CliRunner().invoke(cli, ["-m", spec, "serve", "--host", "0.0.0.0", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert "Warning: binding to 0.0.0.0, not loopback" in result.stderr and "no login" in result.stderr
    ((app, options),) = started
    assert options["host"] == "0.0.0.0" and not guarded(app)


def test_a_busy_port_is_one_clear_line(started, script_file):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["-m", script_file(["hi"]), "serve", "--port", str(port)])
    assert result.exit_code == 2 and f"Cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert started == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("myhost.example", False)],
)  # fmt: skip
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_loopback_app_answers_only_local_host_names(tmp_path, bow_home):
    app = make_app(tmp_path, ["hi"], bow_home, allowed_hosts=LOOPBACK_NAMES)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/info").status_code == 200
        for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
            assert client.get("/api/personas", headers={"Host": host}).status_code == 200
        refused = client.get("/api/info", headers={"Host": "evil.example:8000"})
        assert refused.status_code == 400 and "evil.example" in refused.json()["error"]


def test_serve_is_listed_in_help():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "127.0.0.1" in result.output
