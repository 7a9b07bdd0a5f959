r"""One self-contained HTML file: report data as embedded JSON, with our own JS and CSS inlined.

Nothing is fetched: no CDN, no fonts, no URL at all, so the page works offline and can be
mailed or archived with a run. Transcripts hold arbitrary model text, so the data goes in a
``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped as JSON ``\u`` escapes
(no text can close the element), and the page's JS inserts it with ``textContent`` only.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

from bow.errors import BowError

SCRIPTS = ("util.js", "plots.js", "browser.js", "main.js")  # in load order
STYLES = ("report.css",)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<svg id="svg-ns" width="0" height="0" aria-hidden="true"></svg>
<header>
<h1>{title}</h1>
<p class="muted">Generated {generated} by bow {version}. Self-contained: works offline.</p>
</header>
<section id="runs"><h2>Runs</h2></section>
<section id="models"><h2>Models side by side</h2>
<p class="hint">Bars: canon accuracy, thinking and acting fidelity (judges, 0-5), Think-Act Matching;
whiskers: 95 % CI.</p>
<div id="plot-bars"></div></section>
<section id="heatmap"><h2>Hero × version</h2><div id="plot-heatmap"></div></section>
<section id="scatter"><h2>Thinking vs acting</h2>
<p class="hint">One dot per item (judges' mean over its beats); click a dot to open the item below.</p>
<div id="plot-scatter"></div></section>
<section id="tam"><h2>Think-Act Matching distribution</h2><div id="plot-tam"></div></section>
<section id="leakage"><h2>Leakage matrix</h2>
<p class="hint">Canon accuracy of each answering version (rows) on each version's canon questions (columns);
off-diagonal cells need <code>bow run --cross-version</code>.</p>
<div id="plot-leakage"></div></section>
<section id="browser"><h2>Transcripts</h2></section>
<script type="application/json" id="bow-data">{data}</script>
<script>
{js}
</script>
</body>
</html>
"""


def embed_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def asset(name: str) -> str:
    """The text of one file shipped under ``bow/report/assets``."""
    return resources.files("bow.report").joinpath("assets", name).read_text(encoding="utf-8")


def render_html(report: dict[str, Any], title: str = "Beyond One World report") -> str:
    """The whole page as a string."""
    from bow import __version__

    js = "\n".join(asset(name) for name in SCRIPTS)
    if "</script" in js.lower():  # our own code must never be able to end its element early
        raise AssertionError("a report asset contains '</script'")
    return PAGE.format(
        title=html.escape(title),
        css="\n".join(asset(name) for name in STYLES),
        generated=html.escape(str(report.get("generated_at", ""))),
        version=html.escape(__version__),
        data=embed_json(report),
        js=js,
    )


def write_html(report: dict[str, Any], path: Path, title: str = "Beyond One World report") -> Path:
    """Write the page to ``path`` (parent directories created); returns the resolved path."""
    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(report, title), encoding="utf-8")
    except OSError as exc:
        raise BowError(
            f"Cannot write the report to {path}: {exc.strerror or exc}.", "Choose another --html path."
        ) from None
    return path.resolve()
