"""The HTML report in real headless Chromium: plots drawn, filters work, beats shown, no console errors."""

import json
from pathlib import Path

import pytest

from tests.report.conftest import HOSTILE, bow
from tests.servers import headless_chromium, needs_chromium

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def driver():
    with headless_chromium() as browser:
        yield browser


def build(tmp_path: Path, *run_dirs: Path) -> tuple[Path, dict]:
    out = tmp_path / "report.html"
    result = bow("report", *map(str, run_dirs), "--html", str(out), "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def open_page(driver, page: Path) -> None:
    driver.get_log("browser")  # drop entries from earlier pages
    driver.get(page.as_uri())
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")


def severe(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def listed(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#item-list li.item-row")


def text_of(element) -> str:
    return element.get_attribute("textContent")


def test_plots_render_from_the_data(driver, runs, tmp_path):
    page, data = build(tmp_path, runs["judged"], runs["plain"])
    open_page(driver, page)
    assert len(driver.find_elements(By.CSS_SELECTOR, "#plot-bars svg.bar-chart")) == 4
    bars = sum(
        1
        for g in data["groups"]
        for v in (g["canon"]["accuracy"], (g["thinking"] or {}).get("mean"), (g["acting"] or {}).get("mean"))
        + ((g["tam"] or {}).get("mean"),)
        if v is not None
    )
    assert len(driver.find_elements(By.CSS_SELECTOR, "#plot-bars rect.bar")) == bars
    own = {
        (i["hero"], i["version"])
        for i in data["items"]
        if i["canon_correct"] is not None and i["asked_version"] in (None, i["version"])
    }
    assert len(driver.find_elements(By.CSS_SELECTOR, "#plot-heatmap rect.cell")) == len(own) > 0
    judged = [i for i in data["items"] if i["thinking"] is not None and i["acting"] is not None]
    assert len(driver.find_elements(By.CSS_SELECTOR, "#plot-scatter circle.point")) == len(judged) > 0
    assert driver.find_elements(By.CSS_SELECTOR, "#plot-tam svg rect.bin")
    heroes = set(data["groups"][0]["leakage"])
    figures = driver.find_elements(By.CSS_SELECTOR, "#plot-leakage figure.leakage-hero")
    assert {f.get_attribute("data-hero") for f in figures} == heroes and heroes
    # Model text stayed text: nothing it holds became an element or ran.
    assert driver.execute_script("return window.__pwned === undefined && document.images.length === 0")
    assert severe(driver) == []


def test_filters_and_the_beats_of_an_item(driver, runs, tmp_path):
    page, data = build(tmp_path, runs["judged"], runs["plain"])
    open_page(driver, page)
    assert len(listed(driver)) == len(data["items"])
    Select(driver.find_element(By.ID, "filter-hero")).select_by_value("thor")
    thor = [i for i in data["items"] if i["hero"] == "thor"]
    rows = listed(driver)
    assert len(rows) == len(thor) > 0 and {r.get_attribute("data-hero") for r in rows} == {"thor"}
    versions = [o.get_attribute("value") for o in Select(driver.find_element(By.ID, "filter-version")).options]
    assert versions == ["", *sorted({i["version"] for i in thor})]
    assert driver.find_element(By.ID, "item-count").text.startswith(f"{len(thor)} of {len(data['items'])}")

    Select(driver.find_element(By.ID, "filter-hero")).select_by_value("iron-man")
    Select(driver.find_element(By.ID, "filter-canon")).select_by_value("incorrect")
    wrong = [i for i in data["items"] if i["hero"] == "iron-man" and i["canon_correct"] is False]
    assert {r.get_attribute("data-key") for r in listed(driver)} == {i["key"] for i in wrong}
    Select(driver.find_element(By.ID, "filter-canon")).select_by_value("")
    driver.find_element(By.ID, "filter-tam-min").send_keys("0.3")
    high = [i for i in data["items"] if i["hero"] == "iron-man" and i["tam"] is not None and i["tam"] >= 0.3]
    assert {r.get_attribute("data-key") for r in listed(driver)} == {i["key"] for i in high}
    driver.find_element(By.ID, "filter-tam-min").clear()
    driver.execute_script("document.getElementById('filter-tam-min').dispatchEvent(new Event('input'))")

    item = next(i for i in data["items"] if i["run"] == "r1" and i["kind"] == "dilemma-script")
    group = data["groups"][0]
    Select(driver.find_element(By.ID, "filter-model")).select_by_value(f"{group['run']}|{item['group']}")
    assert {r.get_attribute("data-group") for r in listed(driver)} == {f"r1|{item['group']}"}
    row = driver.find_element(By.CSS_SELECTOR, f'#item-list li[data-key="{item["key"]}"]')
    row.click()
    beats = driver.find_elements(By.CSS_SELECTOR, "#item-detail .beat[data-beat-id]")
    assert [b.get_attribute("data-beat-id") for b in beats] == [b["beat_id"] for b in item["beats"]]
    for shown, beat in zip(beats, item["beats"], strict=True):
        assert text_of(shown.find_element(By.CSS_SELECTOR, ".beat-think pre")) == beat["think"]
        assert HOSTILE in beat["think"]
        assert text_of(shown.find_element(By.CSS_SELECTOR, ".beat-act pre")) == beat["act"]
        assert text_of(shown.find_element(By.CSS_SELECTOR, ".beat-decision .choice")) == beat["decision"]["choice"]
        passages = shown.find_elements(By.CSS_SELECTOR, ".beat-memory .passage")
        assert [p.get_attribute("data-passage") for p in passages] == beat["retrieved"]
        assert all(data["passages"][p]["text"] in text_of(e) for p, e in zip(beat["retrieved"], passages, strict=True))
        judges = text_of(shown.find_element(By.CSS_SELECTOR, ".beat-judges"))
        for score in beat["scores"]:
            assert (score["rationale"] or "") in judges
    assert driver.execute_script("return window.__pwned === undefined && document.images.length === 0")
    assert severe(driver) == []


def test_a_scatter_dot_opens_its_item(driver, runs, tmp_path):
    page, _ = build(tmp_path, runs["judged"])
    open_page(driver, page)
    dot = driver.find_element(By.CSS_SELECTOR, "#plot-scatter circle.point")
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", dot)
    assert driver.find_element(By.ID, "item-detail").get_attribute("data-key") == dot.get_attribute("data-key")
    assert driver.find_elements(By.CSS_SELECTOR, "#item-detail .beat-think pre")
    assert severe(driver) == []


def test_a_run_without_judges_says_so_instead_of_drawing(driver, runs, tmp_path):
    page, _ = build(tmp_path, runs["plain"])
    open_page(driver, page)
    scatter = driver.find_element(By.ID, "plot-scatter")
    assert not scatter.find_elements(By.TAG_NAME, "svg") and "no judged scores" in scatter.text
    assert "no TAM scores" in driver.find_element(By.ID, "plot-tam").text
    panel = driver.find_element(By.CSS_SELECTOR, '#plot-bars figure[data-metric="thinking"]')
    assert "no judged scores in this run" in panel.text and not panel.find_elements(By.TAG_NAME, "svg")
    assert driver.find_elements(By.CSS_SELECTOR, '#plot-bars figure[data-metric="canon"] svg rect.bar')
    assert severe(driver) == []
