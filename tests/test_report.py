"""`caseload report`: a self-contained, accessible HTML page and an .xlsx with the JSON's numbers; progress
on stderr only, silenced by --quiet, never on --json's stdout."""
from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from workforce_helpers import ROOT, SCENARIOS, TEST_SCENARIOS

import cli
from benchmarks import generate
from cli import main

FILES = [SCENARIOS / f"{n}.toml" for n in ("status_quo", "extra_units", "nqsw_cohort", "peripatetic_units")]
CONTRACT = TEST_SCENARIOS / "contract.toml"
TIMINGS = {"solve_seconds"}  # in summary.json only: they differ between two solves of the same inputs


def run(*args) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def sheet(path: Path, name: str) -> list[dict]:
    """A sheet's rows as dicts keyed by its header row."""
    rows = list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]  # a short row leaves cells out


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    """A small generated council: three teams, some workers over capacity, children waiting."""
    d = tmp_path_factory.mktemp("council")
    workers, cases = generate.generate_council(3, 8, 60, 1)
    generate.write_council(d, workers, cases)
    return d


@pytest.fixture(scope="module")
def allocation(council, tmp_path_factory):
    """`report --workers --cases` and `allocate --json` on the same inputs."""
    out = tmp_path_factory.mktemp("alloc_report")
    run("report", "--workers", council / "workers.csv", "--cases", council / "cases.csv", "--out", out, "--quiet")
    files = tmp_path_factory.mktemp("alloc_files")
    summary = json.loads(run("allocate", "--workers", council / "workers.csv", "--cases", council / "cases.csv",
                             "--out", files, "--json", "--quiet").stdout)
    return out, summary, files


@pytest.fixture(scope="module")
def options(tmp_path_factory):
    """`report S1..S4` and `compare S1..S4 --json`."""
    out = tmp_path_factory.mktemp("options_report")
    run("report", *FILES, "--out", out)
    return out, json.loads(run("compare", *FILES, "--json").stdout)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """`report CONTRACT` (a scenario with uncertainty) and `plan CONTRACT --json`."""
    out = tmp_path_factory.mktemp("plan_report")
    run("report", CONTRACT, "--out", out)
    return out, json.loads(run("plan", CONTRACT, "--json").stdout)


# ----------------------------------------------------------------------------- the HTML


class Page(HTMLParser):
    """Every start tag with its attributes, the text inside each open tag, and the <style> text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.open: list[tuple[str, dict, list]] = []
        self.closed: list[tuple[str, dict, str]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in ("img", "meta", "link", "br"):
            self.open.append((tag, a, []))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                t, a, parts = self.open.pop(i)
                text = "".join(parts)
                self.closed.append((t, a, text))
                if self.open:
                    self.open[-1][2].append(text)
                return

    def handle_data(self, data):
        if self.open:
            self.open[-1][2].append(data)

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]

    def texts(self, tag: str) -> list[tuple[dict, str]]:
        return [(a, text) for t, a, text in self.closed if t == tag]


def check_page(path: Path) -> Page:
    """The rules every report page follows: self-contained, accessible, printable."""
    text = path.read_text("utf-8")
    page = Page(text)
    html_tag = page.all("html")
    assert html_tag and html_tag[0].get("lang")
    assert [t for a, t in page.texts("title") if t.strip()]
    assert len(page.all("h1")) == 1 and page.all("h2")
    # self-contained: no URL that leaves the file, no scripts, no external style sheets or fonts
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            v = (value or "").strip().lower()
            assert not v.startswith(("http://", "https://", "//", "ftp:")), (tag, name, value)
        assert tag not in ("script", "iframe", "object", "embed"), tag
        if tag == "link":
            assert attrs.get("href", "").startswith("data:"), attrs
    style = "".join(t for _, t in page.texts("style"))
    assert "http://" not in style and "https://" not in style and "@import" not in style and "url(" not in style
    assert "@media print" in style and "@page" in style and "size: A4" in style
    assert 'name="viewport"' in text
    # charts: inline PNGs, each with words that say what it shows
    imgs = page.all("img")
    for img in imgs:
        assert img["src"].startswith("data:image/png;base64,")
        assert img.get("alt", "").strip(), img["src"][:40]
        assert int(img["width"]) > 0 and int(img["height"]) > 0
    # tables: a caption, column headers with scope, a row header per row
    tables = page.texts("table")
    assert tables
    assert len(page.all("caption")) == len(tables)
    ths = page.all("th")
    assert ths and all(th.get("scope") in ("col", "row") for th in ths)
    assert page.texts("caption") and all(t.strip() for _, t in page.texts("caption"))
    # bands: the colour is never the only signal, the band's name is written in the cell
    for a, t in page.texts("span"):
        for band in ("green", "amber", "red"):
            if f"band-{band}" in a.get("class", "").split():
                assert band in t, t
    return page


def test_allocation_report_html(allocation):
    out, summary, _ = allocation
    page = check_page(out / "report.html")
    teams = {r["team"] for r in sheet(out / "report.xlsx", "workers")}
    ids = {a.get("id") for t, a in page.tags if t == "figure"}
    assert "chart-awaiting" in ids
    assert len(page.all("img")) == 1 + len(teams)  # waiting by priority, and caseload per team
    text = (out / "report.html").read_text("utf-8")
    assert f"{summary['children']:,} children" in text


def test_options_report_html(options):
    out, doc = options
    page = check_page(out / "report.html")
    ids = {a.get("id") for t, a in page.tags if t == "figure"}
    assert {"chart-caseload", "chart-cost-by-option", "chart-agency-share"} <= ids
    assert len([i for i in ids if i.startswith("chart-fte-")]) == len(FILES)
    for name in doc["scenarios"]:
        assert name in (out / "report.html").read_text("utf-8")


def test_single_scenario_report_html(single):
    out, doc = single
    page = check_page(out / "report.html")
    ids = {a.get("id") for t, a in page.tags if t == "figure"}
    assert {"chart-caseload", "chart-cost-by-option", "chart-agency-share",
            "chart-fte-option-1-peripatetic-units"} == ids
    alts = " ".join(img["alt"] for img in page.all("img"))
    assert "P10" in alts and "P90" in alts  # the FTE chart carries the uncertainty band
    assert "children above the cap" in alts  # the caseload path against the cap, in words too


# ----------------------------------------------------------------------------- the workbook


def test_xlsx_header_rows_are_frozen_and_columns_sized(allocation, options, single):
    for out in (allocation[0], options[0], single[0]):
        wb = load_workbook(out / "report.xlsx")
        assert wb.sheetnames
        for ws in wb.worksheets:
            assert ws.freeze_panes == "A2", ws.title
            assert all(c.font.bold for c in ws[1])
            assert ws.column_dimensions["A"].width >= 8


def test_allocation_xlsx_numbers_equal_summary_json(allocation):
    out, summary, files = allocation
    got = {r["measure"]: r["value"] for r in sheet(out / "report.xlsx", "summary")}
    for key, value in summary.items():
        if key in TIMINGS or isinstance(value, (dict, list)):
            continue
        assert got[key] == value, key
    for p, d in summary["by_priority"].items():
        assert got[f"{p} awaiting"] == d["awaiting"] and got[f"{p} allocated"] == d["allocated"]
    prio = {r["priority"]: r for r in sheet(out / "report.xlsx", "by_priority")}
    assert set(prio) == {"high", "medium", "low"}
    for p, d in summary["by_priority"].items():
        assert (prio[p]["awaiting"], prio[p]["allocated"]) == (d["awaiting"], d["allocated"])
        assert prio[p]["waiting"] == d["awaiting"] - d["allocated"]
    # the same plan as allocate's files (same inputs, same seed)
    import csv
    with open(files / "workers.csv", encoding="utf-8") as fh:
        csv_workers = {r["worker_id"]: r for r in csv.DictReader(fh)}
    xlsx_workers = {r["worker_id"]: r for r in sheet(out / "report.xlsx", "workers")}
    assert set(xlsx_workers) == set(csv_workers)
    for wid, r in xlsx_workers.items():
        assert r["children"] == int(csv_workers[wid]["children"])
        assert r["capacity"] == pytest.approx(float(csv_workers[wid]["capacity"]))
        assert r["band"] in ("green", "amber", "red", None, "")
    with open(files / "allocation.csv", encoding="utf-8") as fh:
        csv_rows = {r["child_id"]: r["status"] for r in csv.DictReader(fh)}
    assert {r["child_id"]: r["status"] for r in sheet(out / "report.xlsx", "allocation")} == csv_rows
    changes = sheet(out / "report.xlsx", "changes")
    assert len(changes) == summary["moved"] + summary["unallocated"] + summary["over_capacity"]
    assert all(r["reason"] for r in changes)


def test_scenario_xlsx_years_equal_plan_json(single):
    out, doc = single
    rows = sheet(out / "report.xlsx", "years")
    assert len(rows) == len(doc["years"])
    for row, year in zip(rows, doc["years"], strict=True):
        assert row["scenario"] == doc["scenario"]
        for key, value in year.items():
            assert row[key] == value, key
    bands = sheet(out / "report.xlsx", "uncertainty")
    u = doc["uncertainty"]
    assert len(bands) == len(u["p_over_cap"])
    for n, row in enumerate(bands):
        assert row["p_over_cap"] == u["p_over_cap"][n]
        for key in ("required_fte", "gap_fte", "agency_share", "cost"):
            for p in (10, 50, 90):
                assert row[f"{key}_p{p}"] == u[key][n][f"p{p}"]


def test_options_xlsx_equals_compare_json(options):
    out, doc = options
    rows = sheet(out / "report.xlsx", "comparison")
    names = doc["scenarios"]
    assert [r["metric"] for r in rows] == [m["metric"] for m in doc["metrics"]]
    for row, metric in zip(rows, doc["metrics"], strict=True):
        assert [row[n] for n in names] == metric["values"], metric["metric"]
        assert [row[f"{n} - {names[0]}"] for n in names[1:]] == metric["difference_from_first"][1:]
    years = sheet(out / "report.xlsx", "years")
    assert [(r["scenario"], r["year"]) for r in years] == [(p["scenario"], y["year"]) for p in doc["plans"]
                                                            for y in p["years"]]
    for row, y in zip(years, (y for p in doc["plans"] for y in p["years"]), strict=True):
        assert all(row[k] == v for k, v in y.items())


def test_same_scenarios_same_bytes(options, tmp_path):
    out, _ = options
    run("report", *FILES, "--out", tmp_path, "--quiet")
    for name in ("report.html", "report.xlsx"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_same_allocation_same_bytes(allocation, council, tmp_path):
    out = allocation[0]
    run("report", "--workers", council / "workers.csv", "--cases", council / "cases.csv", "--out", tmp_path,
        "--quiet")
    for name in ("report.html", "report.xlsx"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


# ----------------------------------------------------------------------------- the command


def test_report_needs_something_to_report(tmp_path):
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["report", "--workers", str(tmp_path / "w.csv"), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--cases" in result.output
    assert not (tmp_path / "report.html").exists()


def test_report_bad_scenario_writes_nothing(tmp_path):
    from workforce_helpers import BAD
    result = CliRunner().invoke(main, ["report", str(BAD / "negative_fte.toml"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "negative_fte.toml" in result.stderr
    assert not (tmp_path / "r").exists()


def test_report_cannot_write_says_so(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["report", str(CONTRACT), "--out", str(blocker / "r"), "--quiet"])
    assert result.exit_code == 2 and "cannot write the report" in result.stderr


def test_policy_without_an_allocation_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["report", str(CONTRACT), "--policy", "p.toml", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--policy" in result.output


def test_scenario_without_uncertainty_says_there_is_no_band(tmp_path):
    from workforce.scenario import load_scenario
    assert load_scenario(TEST_SCENARIOS / "from_sample.toml").uncertainty is None
    run("report", TEST_SCENARIOS / "from_sample.toml", "--out", tmp_path, "--quiet")
    page = check_page(tmp_path / "report.html")
    assert len(page.all("img")) == 4  # FTE, caseload, agency share, cost
    assert "no P10-P90 bands" in (tmp_path / "report.html").read_text("utf-8")
    assert "uncertainty" not in load_workbook(tmp_path / "report.xlsx").sheetnames


def test_help_stays_fast():
    code = ("import sys, cli; from click.testing import CliRunner; "
            "[CliRunner().invoke(cli.main, a) for a in (['--help'], ['report', '--help'], ['demo', '--help'])]; "
            "print(sorted(m for m in ('matplotlib', 'pandas', 'ortools', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- progress


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stderr is a terminal, so the progress display is on."""
    monkeypatch.setattr(cli, "_stderr_is_terminal", lambda: True)


@pytest.mark.parametrize("args", [["plan", CONTRACT], ["compare", FILES[0], CONTRACT]])
def test_json_stays_clean_with_progress_on(terminal, args):
    result = CliRunner().invoke(main, [*map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    assert "Monte Carlo" in result.stderr  # the bar was drawn, on stderr


@pytest.mark.parametrize("args", [["plan", CONTRACT], ["compare", FILES[0], CONTRACT]])
def test_quiet_prints_nothing_on_stderr(terminal, args):
    for extra in (["--quiet"], ["--quiet", "--json"]):
        result = CliRunner().invoke(main, [*map(str, args), *extra])
        assert result.exit_code == 0, result.output
        assert result.stderr == ""


def test_no_progress_when_stderr_is_not_a_terminal():
    result = CliRunner().invoke(main, ["plan", str(CONTRACT), "--json"])
    assert result.exit_code == 0 and result.stderr == ""


def test_montecarlo_tells_progress():
    from workforce.montecarlo import CHUNK_ROWS, run_many
    from workforce.scenario import load_scenario
    told = []
    s = load_scenario(CONTRACT)
    run_many([s, s], runs=CHUNK_ROWS // 2 + 10, seed=1, progress=lambda *a: told.append(a), label="MC")
    total = 2 * (CHUNK_ROWS // 2 + 10)
    assert told[0] == ("MC", 0, total) and told[-1] == ("MC", total, total)
    assert len(told) == 3  # two chunks
