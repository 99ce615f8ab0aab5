"""The workbooks: numbers formatted by what they hold, native charts beside the tables, columns sized, text
kept as text, and the same tables giving the same bytes, whenever and wherever they are written."""
from __future__ import annotations

import datetime
import io
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import cli
from files.write import (
    DATE,
    INTEGER,
    MONEY,
    ONE_DECIMAL,
    PERCENT,
    Chart,
    Sheet,
    is_caseload_workbook,
    number_format,
    xlsx_bytes,
)
from workforce.compare import comparison, workbook_sheets
from workforce.plan import make_plan
from workforce.scenario import load_scenario
from workforce.write import projection_files

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SCENARIOS = sorted((ROOT / "sample_data" / "scenarios").glob("*.toml"))


@pytest.fixture(scope="module")
def projection() -> bytes:
    return projection_files(make_plan(load_scenario(DATA / "scenarios" / "contract.toml")))["projection.xlsx"]


@pytest.fixture(scope="module")
def options() -> bytes:
    return xlsx_bytes(workbook_sheets(comparison([make_plan(load_scenario(s)) for s in SCENARIOS[:2]])))


@pytest.fixture(scope="module")
def allocation(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("plan") / "plan"
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(DATA / "good" / "workers.csv"), "--cases",
                                           str(DATA / "good" / "cases.csv"), "--out", str(out), "--format", "xlsx",
                                           "--json"])
    assert result.exit_code == 0, result.output
    return (out / "allocation.xlsx").read_bytes()


def column(ws, name: str) -> int:
    """The 1-based column of header `name`."""
    return [c.value for c in ws[1]].index(name) + 1


def member(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def members(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


# ----------------------------------------------------------------------------- number formats


@pytest.mark.parametrize(("name", "values", "expected"), [
    ("staff_cost", [1.5], MONEY), ("discounted_cost", [], MONEY), ("placement_saving", [], MONEY),
    ("investment", [0], MONEY), ("amount", [], MONEY), ("cost_p90", [], MONEY), ("net_cost_discounted", [], MONEY),
    ("agency_share", [0.3], PERCENT), ("utilisation", [1], PERCENT), ("max_utilisation", [4], PERCENT),
    ("turnover_rate", [], PERCENT), ("p_over_cap", [0], PERCENT), ("agency_share_p10", [], PERCENT),
    ("required_fte", [74], ONE_DECIMAL), ("caseload_per_fte", [15], ONE_DECIMAL),
    ("caseload_per_fte_year_2", [], ONE_DECIMAL), ("extra_fte_needed", [], ONE_DECIMAL),
    ("children", [1280.25, 1300], ONE_DECIMAL), ("children_above_cap", [0, 12.5], ONE_DECIMAL),
    ("children", [12, 15], INTEGER), ("year", [2026, 2027], INTEGER), ("seed", [0], INTEGER),
    ("team", ["T1", "T2"], None), ("agency_target_met", [True, False], None),
])
def test_number_format_by_name_and_values(name, values, expected):
    assert number_format(name, values) == expected


def test_projection_money_percent_and_one_decimal(projection):
    wb = load_workbook(io.BytesIO(projection))
    for sheet in ("monthly", "yearly"):
        ws = wb[sheet]
        assert ws.cell(2, column(ws, "staff_cost")).number_format == MONEY
        assert ws.cell(2, column(ws, "agency_share")).number_format == PERCENT
        assert ws.cell(2, column(ws, "required_fte")).number_format == ONE_DECIMAL
        assert ws.cell(2, column(ws, "caseload_per_fte")).number_format == ONE_DECIMAL
        assert ws.cell(1, 1).font.bold and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert wb["yearly"].cell(2, column(wb["yearly"], "year")).number_format == INTEGER


def test_comparison_rows_formatted_by_their_metric(options):
    ws = load_workbook(io.BytesIO(options))["comparison"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    for metric, fmt in (("staff_cost", MONEY), ("net_cost", MONEY), ("agency_share", PERCENT),
                        ("required_fte", ONE_DECIMAL)):
        numbers = [c for c in rows[metric][2:] if isinstance(c.value, int | float)]
        assert numbers and all(c.number_format == fmt for c in numbers), metric
    assert rows["staff_cost"][1].number_format == "General"  # the label stays text


def test_allocation_summary_and_workers_formatted(allocation):
    wb = load_workbook(io.BytesIO(allocation))
    ws = wb["workers"]
    assert ws.cell(2, column(ws, "utilisation")).number_format == PERCENT
    assert ws.cell(2, column(ws, "fte")).number_format == ONE_DECIMAL
    summary = {r[0].value: r[1] for r in wb["summary"].iter_rows(min_row=2)}
    assert summary["max_utilisation"].number_format == PERCENT
    assert summary["children"].number_format == INTEGER
    assert summary["status"].number_format == "General"


def test_explicit_formats_win_and_dates_are_dates():
    data = xlsx_bytes({"t": Sheet(["when", "headcount", "budget_code"],
                                  [[datetime.date(2026, 4, 1), 12, 4471], [datetime.date(2026, 5, 1), 13, 4472]],
                                  formats={"headcount": ONE_DECIMAL, "budget_code": "@"})})
    ws = load_workbook(io.BytesIO(data))["t"]
    assert ws["A2"].value == datetime.datetime(2026, 4, 1) and ws["A2"].number_format == DATE
    assert ws["B2"].number_format == ONE_DECIMAL and ws["C2"].number_format == "@"


def test_the_values_are_the_tables_values():
    rows = [["a", 1, 2.5, None, True, "", 0.12345678901234]]
    ws = load_workbook(io.BytesIO(xlsx_bytes({"t": (["k", "n", "x", "blank", "flag", "empty", "share"], rows)})))["t"]
    got = [c.value for c in ws[2]]
    assert got == ["a", 1, 2.5, None, True, None, 0.12345678901234]
    assert isinstance(got[1], int) and isinstance(got[2], float)


# ----------------------------------------------------------------------------- charts


def chart_refs(data: bytes, n: int) -> list[str]:
    return re.findall(r"<c:f>([^<]*)</c:f>", member(data, f"xl/charts/chart{n}.xml"))


def test_projection_has_line_charts_reading_its_table(projection):
    names = members(projection)
    assert {f"xl/charts/chart{n}.xml" for n in range(1, 9)} <= set(names)  # four a sheet, two sheets
    ws = load_workbook(io.BytesIO(projection))["monthly"]
    last = ws.max_row

    def ref(name: str) -> str:
        col = get_column_letter(column(ws, name))
        return f"monthly!${col}${2}:${col}${last}"

    first = chart_refs(projection, 1)
    assert ref("caseload_per_fte") in first and ref("children_per_fte") in first  # against the cap
    assert ref("month") in first  # the months along the x axis
    assert "<c:lineChart>" in member(projection, "xl/charts/chart1.xml")
    assert all(v == 15 for (v,) in ws.iter_rows(min_row=2, min_col=column(ws, "children_per_fte"),
                                                max_col=column(ws, "children_per_fte"), values_only=True))
    assert ref("available_fte") in chart_refs(projection, 3) and ref("required_fte") in chart_refs(projection, 3)
    # the drawing is on the monthly sheet, to the right of the table
    assert "drawing1.xml" in member(projection, "xl/worksheets/_rels/sheet1.xml.rels")
    anchor = re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col>", member(projection, "xl/drawings/drawing1.xml"))
    assert anchor and int(anchor.group(1)) > ws.max_column - 1
    assert any(r.startswith("yearly!") for r in chart_refs(projection, 5))


def test_comparison_charts_cost_per_option_and_a_line_per_option(options):
    wb = load_workbook(io.BytesIO(options))
    assert wb.sheetnames == ["comparison", "years"]
    costs = member(options, "xl/charts/chart1.xml")
    assert "<c:barChart>" in costs and '<c:barDir val="col"/>' in costs
    header = [c.value for c in wb["comparison"][1]]
    first, last = get_column_letter(3), get_column_letter(2 + 2)  # the two options' value columns
    assert f"comparison!${first}$1:${last}$1" in chart_refs(options, 1)
    assert header[2:4] == [str(n) for n in comparison([make_plan(load_scenario(s)) for s in SCENARIOS[:2]]).scenarios]
    years = wb["years"]
    col = get_column_letter(column(years, "caseload_per_fte"))
    n = (years.max_row - 1) // 2
    refs = chart_refs(options, 2)
    assert f"years!${col}$2:${col}${1 + n}" in refs and f"years!${col}${2 + n}:${col}${1 + 2 * n}" in refs
    assert "years!$A$2" in refs and f"years!$A${2 + n}" in refs  # each line named by its option


def test_allocation_team_utilisation_bars(allocation):
    wb = load_workbook(io.BytesIO(allocation))
    ws = wb["teams"]
    assert [c.value for c in ws[1]][0] == "team" and ws.cell(ws.max_row, 1).value == "all teams"
    chart = member(allocation, "xl/charts/chart1.xml")
    assert '<c:barDir val="bar"/>' in chart
    col = get_column_letter(column(ws, "utilisation"))
    assert f"teams!${col}$2:${col}${ws.max_row}" in chart_refs(allocation, 1)


def test_the_same_option_twice_still_charts():
    plans = [make_plan(load_scenario(SCENARIOS[0]))] * 2
    data = xlsx_bytes(workbook_sheets(comparison(plans)))
    header = [c.value for c in load_workbook(io.BytesIO(data))["comparison"][1]]
    assert header[2] == header[3] and "comparison!$C$1:$D$1" in chart_refs(data, 1)


def test_a_chart_naming_a_missing_column_is_refused():
    with pytest.raises(ValueError, match="no column 'cost'"):
        xlsx_bytes({"t": Sheet(["year", "children"], [[1, 2]], charts=[Chart("Cost", ("cost",), x="year")])})


def test_columns_sized_to_their_content(allocation):
    long = "moved: the worker was over capacity"
    data = xlsx_bytes({"t": Sheet(["id", "reason", "staff_cost", "notes"],
                                  [["C1", long, 15242750.4, "x" * 200], ["C2", "kept", 1.0, ""]])})
    widths = {k: d.width for k, d in load_workbook(io.BytesIO(data))["t"].column_dimensions.items()}
    assert 8 <= widths["A"] < 10  # a short column keeps a usable width
    assert len(long) + 2 <= widths["B"] < len(long) + 4
    assert len("£15,242,750") + 2 <= widths["C"] < 16  # as the number shows, not as it is stored
    assert 60 <= widths["D"] < 61  # long text is capped
    ws = load_workbook(io.BytesIO(allocation))["workers"]
    assert all(d.width >= 8 for d in ws.column_dimensions.values())


# ----------------------------------------------------------------------------- safety


def test_formula_like_text_stays_text():
    nasty = ["=1+1", "+1", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\")", "http://example.org", "0042",
             "1e5"]
    data = xlsx_bytes({"t": Sheet(["=cmd", "value"], [[n, n] for n in nasty])})
    sheet = member(data, "xl/worksheets/sheet1.xml")
    assert "<f>" not in sheet and "hyperlink" not in sheet.lower()
    ws = load_workbook(io.BytesIO(data))["t"]
    assert ws["A1"].value == "'=cmd"
    values = [c.value for (c,) in ws.iter_rows(min_row=2, max_col=1)]
    assert values == ["'=1+1", "'+1", "'-2+3", "'@SUM(A1)", "'=HYPERLINK(\"http://evil.example\")",
                      "http://example.org", "0042", "1e5"]
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row)


def test_marked_as_a_caseload_workbook(tmp_path, options):
    (tmp_path / "options.xlsx").write_bytes(options)
    assert is_caseload_workbook(tmp_path / "options.xlsx", "comparison")
    assert not is_caseload_workbook(tmp_path / "options.xlsx", "monthly")


# ----------------------------------------------------------------------------- determinism

TABLES = ("from files.write import Chart, Sheet, xlsx_bytes\n"
          "import sys, datetime\n"
          "rows = [[m, 1000 + 2.5 * m, 0.1 * m, 41667.5 * m, datetime.date(2026, 1 + m, 1)] for m in range(12)]\n"
          "sys.stdout.buffer.write(xlsx_bytes({'monthly': Sheet(['month', 'children', 'agency_share', 'staff_cost',"
          " 'start'], rows, charts=[Chart('Children', ('children',), x='month')])}))\n")


def test_same_tables_same_bytes_in_one_process():
    def build() -> bytes:
        ns: dict[str, object] = {}
        exec(TABLES.replace("sys.stdout.buffer.write(", "out = ("), ns)
        return ns["out"]  # type: ignore[return-value]

    first = build()
    time.sleep(1.1)  # a later second: nothing in the file may carry the time it was written
    assert build() == first


def test_same_tables_same_bytes_in_two_processes_at_different_times():
    def run(tz: str) -> bytes:
        return subprocess.run([sys.executable, "-c", TABLES], cwd=ROOT, check=True, capture_output=True,
                              env={"PATH": "/usr/bin:/bin", "TZ": tz, "PYTHONHASHSEED": "random"}).stdout

    first = run("UTC")
    time.sleep(1.5)
    second = run("Pacific/Auckland")
    assert first == second and first[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created>" in core
    assert "<dc:creator>caseload</dc:creator>" in core
