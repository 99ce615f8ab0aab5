"""`caseload compare`: differences from the first scenario, and the same numbers in JSON and .xlsx."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from workforce_helpers import BAD, SCENARIOS, TEST_SCENARIOS

from cli import main

FILES = [SCENARIOS / f"{n}.toml" for n in ("status_quo", "extra_units", "nqsw_cohort", "peripatetic_units")]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    xlsx = tmp_path_factory.mktemp("compare") / "options.xlsx"
    result = CliRunner().invoke(main, ["compare", *map(str, FILES), "--json", "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), xlsx


def test_differences_are_from_the_first_scenario(compared):
    doc, _ = compared
    assert doc["scenarios"][0] == "Status quo" and len(doc["scenarios"]) == 4
    rows = {r["metric"]: r for r in doc["metrics"]}
    for r in doc["metrics"]:
        first = r["values"][0]
        for v, d in zip(r["values"], r["difference_from_first"], strict=True):
            if v is None or first is None:
                assert d is None
            else:
                assert d == pytest.approx(v - first)
    plans = doc["plans"]
    agency = [p["years"][-1]["agency_fte"] for p in plans]
    assert rows["agency_fte"]["difference_from_first"] == pytest.approx([a - agency[0] for a in agency])
    assert rows["net_cost"]["values"] == [p["totals"]["net_cost"] for p in plans]
    assert rows["placements_to_break_even"]["values"] == [None, None, None, 13]


def test_json_and_xlsx_carry_the_same_numbers(compared):
    doc, xlsx = compared
    sheet = list(load_workbook(xlsx, read_only=True)["comparison"].iter_rows(values_only=True))
    header, body = sheet[0], sheet[1:]
    assert list(header[2:6]) == doc["scenarios"]
    assert len(body) == len(doc["metrics"])
    for row, metric in zip(body, doc["metrics"], strict=True):
        assert row[0] == metric["metric"]
        assert list(row[2:6]) == metric["values"]
        assert list(row[6:]) == metric["difference_from_first"][1:]


def test_compare_prints_the_table():
    result = CliRunner().invoke(main, ["compare", str(FILES[0]), str(TEST_SCENARIOS / "contract.toml")],
                                terminal_width=160)
    assert result.exit_code == 0, result.output
    assert "Options appraisal" in result.output and "Net cost over the horizon" in result.output
    assert "P10 / P50 / P90" in result.output  # the contract scenario has an uncertainty table


def test_compare_lists_problems_from_every_file():
    result = CliRunner().invoke(main, ["compare", str(BAD / "negative_fte.toml"), str(BAD / "bad_month.toml"),
                                       "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "negative_fte.toml" in result.stderr and "bad_month.toml" in result.stderr
    assert "Traceback" not in result.output
