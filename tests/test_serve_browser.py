"""`caseload serve` in a real browser: the server started as the command starts it, on 127.0.0.1 and a free port,
driven by Selenium with Debian's headless `chromium` and `chromedriver`. Upload the sample files, pin a child,
re-solve (keyboard only: tab to Solve and press Enter), accept, download the plan; every form field labelled;
no sideways scroll at phone width. Screenshots go to tests/artifacts/ (git-ignored). Skipped, saying why,
where Chromium, its driver or Selenium is not installed.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")

try:
    import selenium  # noqa: F401
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                       reason="Debian chromium and chromedriver not installed: apt-get install chromium chromium-driver"),
    pytest.mark.skipif(not HAVE_SELENIUM, reason="selenium not installed: pip install selenium"),
]
pytest.importorskip("flask", reason="caseload serve needs Flask: pip install 'caseload[web]'")

NAMES = sorted({r["name"] for r in csv.DictReader((SAMPLE / "workers.csv").open(encoding="utf-8")) if r["name"]})

# Every visible form field and the text of its label (a <label for> or an enclosing <label>); run by the
# driver, not the page (the page has no script).
LABELS = """
return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).map(function (f) {
  var l = (f.id && document.querySelector('label[for="' + f.id + '"]')) || f.closest('label');
  return {name: f.name, id: f.id, label: l ? l.textContent.trim() : ''};
});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`caseload serve` on a free port with its own data folder; (url, data folder, log file)."""
    port, data, log = free_port(), tmp_path / "data", tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--data",
                                 str(data)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):  # until it answers (or exits): a readiness poll
            if proc.poll() is not None:
                pytest.fail("caseload serve exited: " + log.read_text())
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except OSError:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(0.1)  # returns at once should it exit; else a tenth of a second between tries
        yield url, data, log
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--window-size=1200,1000", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions"):
        opts.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=opts, service=Service(DRIVER))
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def wait_for_plan(driver, run_id: int) -> None:
    """Until the progress page (which reloads itself) shows the finished plan."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 300, poll_frequency=0.5, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.current_url.endswith(f"/runs/{run_id}") and d.find_elements(By.ID, "workers-h"))


def shot(driver, name: str, width: int) -> Path:
    """A screenshot of the whole page at `width` CSS pixels."""
    driver.set_window_size(width, 1000)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(height, 12000))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def test_the_meeting_in_chromium(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
    url, data, log = server
    policy = tmp_path / "policy.toml"
    policy.write_text("time_limit_seconds = 3\n", "utf-8")

    browser.get(url + "/")
    assert browser.title.startswith("Allocation meeting")
    fields = browser.execute_script(LABELS)
    assert fields and all(f["label"] for f in fields), [f for f in fields if not f["label"]]

    # upload the sample council
    browser.find_element(By.ID, "up-workers").send_keys(str(SAMPLE / "workers.csv"))
    browser.find_element(By.ID, "up-cases").send_keys(str(SAMPLE / "cases.csv"))
    browser.find_element(By.ID, "up-policy").send_keys(str(policy))
    browser.find_element(By.XPATH, "//button[normalize-space()='Check and save the files']").click()
    WebDriverWait(browser, 60, poll_frequency=0.2).until(lambda d: "Files checked and saved" in d.page_source)
    fields = browser.execute_script(LABELS)  # the decision and absence forms are there now
    assert {"child_id", "worker_id", "absent_from", "absence", "as_of"} <= {f["name"] for f in fields}
    assert all(f["label"] for f in fields), [f for f in fields if not f["label"]]

    # keyboard only: tab from the top of the page to Solve, press Enter
    body = browser.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(100):
        active = browser.switch_to.active_element
        if active.get_attribute("id") == "solve":
            break
        active.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "solve", "Solve cannot be reached by Tab"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_plan(browser, 1)
    shot(browser, "serve-desktop.png", 1200)
    phone = shot(browser, "serve-phone.png", 390)
    width = browser.execute_script("return [document.documentElement.clientWidth, "
                                   "document.documentElement.scrollWidth]")
    assert width[1] <= width[0] <= 400, width  # nothing wider than the phone: no sideways scroll
    assert phone.stat().st_size > 20_000
    browser.set_window_size(1200, 1000)

    # pin a child to another worker of its team with room, and re-solve
    with sqlite3.connect(data / "caseload.sqlite3") as db:
        view = json.loads(db.execute("SELECT view FROM runs WHERE id = 1").fetchone()[0])
    from test_serve import pin_candidate
    child, to = pin_candidate(view)
    browser.find_element(By.ID, "pin-child").send_keys(child)
    Select(browser.find_element(By.ID, "pin-worker")).select_by_value(to)
    browser.find_element(By.ID, "pin").click()
    # the click navigates: wait for the next page rather than read the one still shown
    WebDriverWait(browser, 60, poll_frequency=0.2).until(lambda d: f"Decision saved for {child}" in d.page_source)
    browser.find_element(By.ID, "solve").click()
    wait_for_plan(browser, 2)
    plan = {r["child_id"]: r for r in csv.DictReader(io.StringIO(fetch(f"{url}/runs/2/files/allocation.csv")
                                                                 .decode("utf-8")))}
    assert plan[child]["worker_id"] == to  # the pin holds

    # accept, then download the plan as the manager would
    browser.find_element(By.ID, "accept").click()
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    WebDriverWait(browser, 60, poll_frequency=0.2,  # the page is being replaced: an element may vanish mid-read
                  ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
        lambda d: "Accepted" in d.find_element(By.ID, "plan").text)
    browser.find_element(By.PARTIAL_LINK_TEXT, "allocation.csv").click()
    target = browser.downloads / "plan-2-allocation.csv"
    WebDriverWait(browser, 60, poll_frequency=0.2).until(lambda d: target.exists() and target.stat().st_size > 0)
    assert target.read_bytes() == fetch(f"{url}/runs/2/files/allocation.csv")
    browser.find_element(By.PARTIAL_LINK_TEXT, "allocation.xlsx").click()
    xlsx = browser.downloads / "plan-2-allocation.xlsx"
    WebDriverWait(browser, 60, poll_frequency=0.2).until(lambda d: xlsx.exists() and xlsx.stat().st_size > 0)
    assert xlsx.read_bytes()[:2] == b"PK"

    # one worker's page, and the report in the browser
    browser.get(f"{url}/runs/2/workers/{to}")
    assert child in browser.page_source
    shot(browser, "serve-worker.png", 1200)
    browser.get(f"{url}/runs/2/report")
    assert browser.find_elements(By.TAG_NAME, "img")  # the charts drew under the report's own CSP
    assert browser.execute_script("return getComputedStyle(document.body).fontFamily").startswith("system-ui")
    shot(browser, "serve-report.png", 1200)

    # the server's log: requests by path and ids, never a name
    logged = log.read_text()
    assert "GET /runs/2 200" in logged and "POST /decisions 303" in logged
    assert "development server" not in logged and logged.count("caseload serve: open") == 1  # one plain line
    for name in NAMES:
        assert name not in logged
