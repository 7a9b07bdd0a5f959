"""Run reports in the web app: only listed run directories, rendered read-only; nothing else reachable."""

import re
import shutil
from importlib import resources

import pytest

from tests.web.conftest import HOSTILE


@pytest.fixture
def runs_home(bow_home, run_dir):
    """HOME/runs with one real run, a directory without manifest, a stray file; a real run outside HOME/runs."""
    root = bow_home / "runs"
    shutil.copytree(run_dir, root / run_dir.name)
    (root / "not-a-run").mkdir()
    (root / "notes.txt").write_text("hello")
    shutil.copytree(run_dir, bow_home / "outside-run")
    return root


def test_runs_lists_only_directories_with_a_manifest(client_for, runs_home, run_dir):
    body = client_for(["hi"]).get("/api/runs").json()
    assert body["root"] == str(runs_home)
    (run,) = body["runs"]
    assert run["name"] == run_dir.name and run["suite"] == "websuite" and run["finished"] is True
    assert run["report"] == f"/runs/{run_dir.name}" and run["models"][0].startswith("scripted:")


def test_no_runs_yet_is_an_empty_list(client_for, bow_home):
    assert client_for(["hi"]).get("/api/runs").json() == {"root": str(bow_home / "runs"), "runs": []}


def test_a_listed_run_opens_as_the_self_contained_report(client_for, runs_home, run_dir):
    response = client_for(["hi"]).get(f"/runs/{run_dir.name}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert f"<title>BOW run {run_dir.name}</title>" in page and 'id="bow-data"' in page
    assert HOSTILE not in page and "<img src=x" not in page  # model text stays inside the escaped JSON
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


@pytest.mark.parametrize(
    "path",
    [
        "/runs/not-a-run",
        "/runs/notes.txt",
        "/runs/outside-run",
        "/runs/..%2Foutside-run",
        "/runs/%2E%2E",
        "/runs/.%2E",
        "/runs/%2Fetc%2Fpasswd",
        "/runs/..%2F..%2F..%2Fetc%2Fpasswd",
        "/runs/%252E%252E%252Foutside-run",
    ],
)
def test_nothing_outside_the_listing_is_served(client_for, runs_home, path):
    response = client_for(["hi"]).get(path)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/json" and response.json()["error"]


def test_the_page_and_its_assets_name_no_external_url(client_for):
    client = client_for(["hi"])
    page = client.get("/")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert 'id="persona-picker"' in page.text and 'id="messages"' in page.text
    static = resources.files("bow.web").joinpath("static")
    names = sorted(p.name for p in static.iterdir())
    assert names == ["app.css", "app.js", "index.html", "sse.js"]
    for name in names:
        text = client.get(f"/static/{name}").text
        assert text == static.joinpath(name).read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), name
    for name in ("app.js", "sse.js"):  # text goes in with textContent only
        script = static.joinpath(name).read_text(encoding="utf-8")
        assert not re.search(r"\.(inner|outer)HTML\s*[+]?=|insertAdjacentHTML|document\.write|eval\(", script), name
