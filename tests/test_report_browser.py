"""The demo's report in a real browser: headless Chromium (Debian's `chromium` package) renders it with no
console message and no network request, every chart decodes, and it prints to A4. Screenshots and the
PDF are saved to tests/artifacts/ (git-ignored). Skipped, saying why, where Chromium is not installed.
"""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_report import TIMINGS, check_page, sheet
from workforce_helpers import ROOT

from cli import main

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed: apt-get install chromium")

# Reads, once the page has loaded, what the browser made of each image (the report itself has no script).
PROBE = ("<script>addEventListener('load', function () { var out = [];"
         " document.querySelectorAll('img').forEach(function (i) {"
         " out.push({id: i.closest('figure') ? i.closest('figure').id : '', complete: i.complete,"
         " w: i.naturalWidth, h: i.naturalHeight, shownW: i.getBoundingClientRect().width}); });"
         " var doc = {viewport: document.documentElement.clientWidth,"
         " scroll: document.documentElement.scrollWidth, images: out};"
         " var pre = document.createElement('pre'); pre.id = 'probe'; pre.hidden = true; pre.textContent = JSON.stringify(doc);"
         " document.body.appendChild(pre); });</script>")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_demo_writes_one_report_of_the_allocation_and_the_options(demo):
    page = check_page(demo / "report.html")
    ids = {a.get("id") for t, a in page.tags if t == "figure"}
    assert {"chart-awaiting", "chart-cost-by-option", "chart-agency-share"} <= ids
    assert sum(i.startswith("chart-caseload-") for i in ids) == 6  # one a team
    assert sum(i.startswith("chart-fte-") for i in ids) == 4  # one a scenario
    summary = json.loads((demo / "allocation" / "summary.json").read_text("utf-8"))
    got = {r["measure"]: r["value"] for r in sheet(demo / "report.xlsx", "summary")}
    for key, value in summary.items():
        if key not in TIMINGS and not isinstance(value, (dict, list)):
            assert got[key] == value, key
    names = [c for c in next(load_workbook(demo / "report.xlsx", read_only=True)["comparison"]
                             .iter_rows(values_only=True))][2:6]
    assert names[0] == "Status quo"
    assert set(load_workbook(demo / "report.xlsx", read_only=True).sheetnames) >= {
        "summary", "by_priority", "teams", "workers", "changes", "allocation", "comparison", "years", "uncertainty"}


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with a fresh profile, its log on stderr, name lookups refused (nothing can leave)."""
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=180)


def console_messages(stderr: str) -> list[str]:
    """Console messages the page wrote (Chromium logs them as `CONSOLE` lines at --v=0)."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line]


def page_requests(netlog: Path) -> list[str]:
    """URLs the page asked the network for: requests with an initiator (the browser's own have none)."""
    doc = json.loads(netlog.read_text("utf-8"))
    types = {v: k for k, v in doc["constants"]["logEventTypes"].items()}
    urls = []
    for e in doc["events"]:
        p = e.get("params") or {}
        if types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p and p.get("initiator") != "not an origin":
            urls.append(p["url"])
    return urls


def probe(tmp: Path, page: Path, window: str = "1200,3000") -> dict:
    """Load a copy of the page with PROBE added and read back the viewport's width, the page's width and
    what each image rendered as."""
    copy = tmp / f"probe-{page.name}"
    copy.write_text(page.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    run = chromium(tmp, "--virtual-time-budget=10000", f"--window-size={window}", "--dump-dom", copy.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    m = re.search(r'<pre id="probe"[^>]*>(.*?)</pre>', run.stdout, re.S)
    assert m, "the page did not finish loading"
    import html
    return json.loads(html.unescape(m.group(1)))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_chromium
def test_report_renders_in_chromium(demo, tmp_path):
    report = demo / "report.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot, netlog = ARTIFACTS / "report-demo.png", tmp_path / "net.json"
    run = chromium(tmp_path, f"--log-net-log={netlog}", f"--screenshot={shot}", "--window-size=1200,3000",
                   report.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    assert page_requests(netlog) == []
    assert png_size(shot) == (1200, 3000) and shot.stat().st_size > 50_000  # a page, not a blank
    # every chart decodes and is drawn at a visible size
    images = probe(tmp_path, report)["images"]
    assert len(images) == report.read_text("utf-8").count("<img ") == 14  # allocation charts, caseload, cost, agency, 4 FTE
    for img in images:
        assert img["complete"] and img["w"] > 0 and img["h"] > 0 and img["shownW"] > 100, img


@needs_chromium
def test_report_fits_a_phone_and_prints_to_a4(demo, tmp_path):
    report = demo / "report.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone, pdf = ARTIFACTS / "report-demo-phone.png", ARTIFACTS / "report-demo.pdf"
    run = chromium(tmp_path, f"--screenshot={phone}", "--window-size=390,1600", report.as_uri())
    assert run.returncode == 0 and console_messages(run.stderr) == []
    assert png_size(phone) == (390, 1600)
    seen = probe(tmp_path, report, window="390,1600")
    assert seen["scroll"] <= seen["viewport"] <= 500, seen  # nothing wider than the screen: no sideways scroll
    assert seen["images"] and all(0 < img["shownW"] <= seen["viewport"] for img in seen["images"]), seen
    run = chromium(tmp_path / "print", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    assert run.returncode == 0 and pdf.stat().st_size > 50_000
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes()))
    assert boxes, "no page size in the PDF"
    for w, h in boxes:  # A4: 210 x 297 mm = 595 x 842 points
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (w, h)


@needs_chromium
def test_the_checks_would_catch_a_bad_page(tmp_path):
    """The harness is not blind: a console message, a network request and a broken image are all seen."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>bad</title></head><body>'
                   '<img src="http://example.invalid/chart.png" alt="remote">'
                   '<script>console.error("boom")</script></body></html>', "utf-8")
    netlog = tmp_path / "net.json"
    run = chromium(tmp_path, f"--log-net-log={netlog}", "--virtual-time-budget=5000", "--dump-dom", bad.as_uri())
    assert any("boom" in m for m in console_messages(run.stderr))
    assert page_requests(netlog) == ["http://example.invalid/chart.png"]
    assert probe(tmp_path, bad)["images"][0]["w"] == 0
