"""Read-only run reports: list the run directories under ``HOME/runs``, render one with ``bow.report``.

A report is only ever built for a name that the listing itself returned, so no URL can
name a path outside ``HOME/runs`` (no ``..``, no absolute path, no symlink games in names).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bow.errors import BowError
from bow.web.errors import ApiError

router = APIRouter()
# The report page is one self-contained file with inline script and style, and fetches nothing.
REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def runs_root(request: Request) -> Path:
    """Where ``bow run`` writes by default."""
    return request.app.state.settings.home / "runs"


def list_runs(root: Path) -> list[dict[str, Any]]:
    """Every directory under ``root`` holding a BOW manifest, newest first; anything else is skipped."""
    from bow.report.data import ReportError, check_run_dir

    if not root.is_dir():
        return []
    rows = []
    for child in root.iterdir():
        try:
            manifest = check_run_dir(child)
        except ReportError:
            continue
        config = manifest.get("config") or {}
        rows.append(
            {
                "name": child.name,
                "suite": config.get("suite"),
                "models": config.get("models") or [],
                "created_at": manifest.get("created_at"),
                "finished": (child / "summary.json").is_file(),
                "report": f"/runs/{child.name}",
            }
        )
    return sorted(rows, key=lambda r: (str(r["created_at"] or ""), r["name"]), reverse=True)


def _libraries(settings: Any) -> tuple[Any, Any]:
    """Persona and scenario libraries for names; a broken one leaves ids showing (as in ``bow report``)."""
    loaded = []
    for load in (settings.library, settings.scenarios):
        try:
            loaded.append(load())
        except BowError:
            loaded.append(None)
    return loaded[0], loaded[1]


def build_report(path: Path, settings: Any) -> str:
    """The self-contained HTML report of one run directory."""
    from bow.report.data import load_report
    from bow.report.html import render_html

    personas, scenarios = _libraries(settings)
    return render_html(load_report([path], personas, scenarios), title=f"BOW run {path.name}")


@router.get("/api/runs")
async def runs(request: Request) -> dict[str, Any]:
    """Run directories with a manifest, newest first."""
    root = runs_root(request)
    return {"root": str(root), "runs": await asyncio.to_thread(list_runs, root)}


@router.get("/runs/{name}", response_class=HTMLResponse)
async def report(request: Request, name: str) -> HTMLResponse:
    """The read-only HTML report of a listed run (built from its files; no model is called)."""
    root = runs_root(request)
    listed = {row["name"] for row in await asyncio.to_thread(list_runs, root)}
    if name not in listed:
        raise ApiError(404, f"No run named '{name}' under {root}.", "Pick one from GET /api/runs.")
    page = await asyncio.to_thread(build_report, root / name, request.app.state.settings)
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP, "X-Content-Type-Options": "nosniff"})
