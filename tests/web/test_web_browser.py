"""The page in real headless Chromium over a live uvicorn server on a scripted model.

Pick a persona, send, watch the reply stream in; switch to a sibling version in one click
and see its name on the next reply; thoughts, memory, a failing model, a scene, the runs list.
"""

import shutil
import threading
import time

import pytest
import uvicorn

from bow.web.app import LOOPBACK_NAMES
from tests.servers import free_port, headless_chromium, needs_chromium
from tests.web.conftest import COMICS, HOSTILE, MCU, make_app

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = needs_chromium
REPLY = f"Reply {{call}}: the Mark 85 is ready. {HOSTILE}"
THOUGHT = "PRIVATE: do not tell them about the stones"
REPLIES = [
    {"when": "think privately", "reply": THOUGHT},
    {"when": "break now", "reply": "I was just about to", "error": "bad_request"},
    {"when": "take your time", "reply": "Slowly now.", "delay_s": 2},
    REPLY,
]


@pytest.fixture(scope="module")
def driver():
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def server(tmp_path, bow_home, run_dir):
    """``bow serve``'s app under uvicorn in a thread, on a free loopback port; HOME/runs holds one run."""
    shutil.copytree(run_dir, bow_home / "runs" / run_dir.name)
    app = make_app(tmp_path, REPLIES, bow_home, canon_memory=True, allowed_hosts=LOOPBACK_NAMES)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


def wait(driver, condition, timeout=20):
    # The page re-renders lists while we read them: a stale element means "look again".
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def severe(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def text_of(element) -> str:
    return element.get_attribute("textContent")


def replies(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, '#messages .message[data-role="persona"][data-done="true"]')


def open_page(driver, url: str) -> None:
    driver.get_log("browser")  # drop entries from earlier pages
    driver.get(url)
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")


def send(driver, text: str, expect_replies: int) -> None:
    box = driver.find_element(By.ID, "message-input")
    box.send_keys(text)
    driver.find_element(By.ID, "send-button").click()
    wait(driver, lambda d: len(replies(d)) >= expect_replies and d.find_element(By.TAG_NAME, "body").get_attribute(
        "data-busy") == "false")  # fmt: skip


def participants(driver) -> list[str]:
    chips = driver.find_elements(By.CSS_SELECTOR, "#participants .participant")
    return [chip.get_attribute("data-persona-id") for chip in chips]


def test_pick_chat_stream_and_switch_version(driver, server):
    open_page(driver, server)
    universes = driver.find_elements(By.CSS_SELECTOR, "#persona-picker details.universe")
    assert [u.get_attribute("data-universe") for u in universes] == ["DC", "Marvel"]
    assert len(driver.find_elements(By.CSS_SELECTOR, "#persona-picker button.persona")) == 90

    driver.find_element(By.ID, "persona-filter").send_keys("endgame")
    assert driver.find_element(By.CSS_SELECTOR, f'button.persona[data-persona-id="{MCU}"]').is_displayed()
    assert not driver.find_element(By.CSS_SELECTOR, f'button.persona[data-persona-id="{COMICS}"]').is_displayed()
    driver.find_element(By.ID, "persona-filter").clear()
    driver.find_element(By.CSS_SELECTOR, f'button.persona[data-persona-id="{MCU}"]').click()
    wait(driver, lambda d: participants(d) == [MCU])

    send(driver, "Is the suit ready?", 1)
    (first,) = replies(driver)
    assert text_of(first.find_element(By.CSS_SELECTOR, ".name")).endswith("(MCU, Avengers: Endgame (2019))")
    assert text_of(first.find_element(By.CSS_SELECTOR, ".text")) == REPLY.replace("{call}", "1")
    user = driver.find_elements(By.CSS_SELECTOR, '#messages .message[data-role="user"] .text')
    assert [text_of(u) for u in user] == ["Is the suit ready?"]
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#memory-list .passage[data-source="canon"]'))
    memory = driver.find_element(By.CSS_SELECTOR, "#memory-list .memory-speaker")
    assert memory.get_attribute("data-persona-id") == MCU

    switch = driver.find_element(By.CSS_SELECTOR, f'#version-switch button.version-option[data-persona-id="{COMICS}"]')
    switch.click()
    wait(driver, lambda d: participants(d) == [COMICS])
    send(driver, "And you, other Tony?", 2)
    second = replies(driver)[1]
    assert "Earth-616" in text_of(second.find_element(By.CSS_SELECTOR, ".name"))
    assert second.get_attribute("data-speaker") == COMICS
    assert text_of(second.find_element(By.CSS_SELECTOR, ".text")) == REPLY.replace("{call}", "2")

    # Model text stayed text: nothing it holds became an element or ran.
    assert driver.execute_script("return window.__pwned === undefined && document.images.length === 0")
    assert severe(driver) == []


def test_thoughts_failure_scene_and_run_reports(driver, server, run_dir):
    open_page(driver, server)
    driver.find_element(By.CSS_SELECTOR, f'button.persona[data-persona-id="{MCU}"]').click()
    wait(driver, lambda d: participants(d) == [MCU])

    driver.find_element(By.ID, "show-thoughts").click()
    send(driver, "What are you hiding?", 1)
    thought = driver.find_element(By.CSS_SELECTOR, f'#messages .thought[data-speaker="{MCU}"]')
    assert thought.is_displayed() and text_of(thought.find_element(By.CSS_SELECTOR, ".text")) == THOUGHT
    driver.find_element(By.ID, "show-thoughts").click()
    assert not thought.is_displayed()

    box = driver.find_element(By.ID, "message-input")
    box.send_keys("Please break now")
    driver.find_element(By.ID, "send-button").click()
    error = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .message.error"))[0]
    assert "bad request" in text_of(error) and "send it again" in text_of(error)
    send(driver, "Still there?", 2)  # the session goes on

    # A new session (the scripted model would see "break now" in a newcomer's history), then a scene.
    name = driver.find_element(By.ID, "session-name")
    name.send_keys(Keys.CONTROL, "a")
    name.send_keys("scene-1", Keys.ENTER)
    wait(driver, lambda d: participants(d) == [] and not replies(d))
    driver.find_element(By.ID, "scene-mode").click()
    for persona_id in (MCU, COMICS):
        driver.find_element(By.CSS_SELECTOR, f'button.persona[data-persona-id="{persona_id}"]').click()
        wait(driver, lambda d, p=persona_id: participants(d)[-1:] == [p])
    assert participants(driver) == [MCU, COMICS]
    send(driver, "Both of you, please.", 2)
    assert [r.get_attribute("data-speaker") for r in replies(driver)] == [MCU, COMICS]

    open_page(driver, server)  # a reload shows the saved session as it was
    assert driver.find_element(By.ID, "session-name").get_attribute("value") == "scene-1"
    assert participants(driver) == [MCU, COMICS] and len(replies(driver)) == 2

    link = driver.find_element(By.CSS_SELECTOR, f'#runs-list li[data-run="{run_dir.name}"] a')
    assert link.get_attribute("href") == f"{server}/runs/{run_dir.name}"
    assert severe(driver) == []
    open_page(driver, link.get_attribute("href"))  # the report draws under its Content-Security-Policy
    assert driver.title == f"BOW run {run_dir.name}"
    assert driver.find_elements(By.CSS_SELECTOR, "#item-list li.item-row")
    assert driver.execute_script("return window.__pwned === undefined && document.images.length === 0")
    assert severe(driver) == []


def test_stop_ends_the_reply_and_keeps_it_marked(driver, server):
    open_page(driver, server)
    driver.find_element(By.CSS_SELECTOR, f'button.persona[data-persona-id="{MCU}"]').click()
    wait(driver, lambda d: participants(d) == [MCU])
    driver.find_element(By.ID, "message-input").send_keys("Please take your time.")
    driver.find_element(By.ID, "send-button").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#messages .message.persona[data-streaming="true"]'))
    driver.find_element(By.ID, "stop-button").click()
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "false")
    shown = driver.find_element(By.CSS_SELECTOR, "#messages .message.persona .text")
    assert text_of(shown) == "[interrupted]" and "Stopped" in driver.find_element(By.ID, "status").text

    def saved(d):  # the server saves the partial reply once it sees the client go
        open_page(d, server)
        texts = [text_of(t) for t in d.find_elements(By.CSS_SELECTOR, "#messages .message.persona .text")]
        return texts == ["[interrupted]"]

    wait(driver, saved)
    send(driver, "Still with me?", 2)  # and the session goes on
    assert severe(driver) == []
