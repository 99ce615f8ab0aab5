"""`caseload plan`: the contract's JSON keys and definitions, the sample scenarios, files, answers."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from workforce_helpers import ROOT, SCENARIOS, TEST_SCENARIOS

from allocator.inputs import load_instance
from cli import main
from workforce.model import build_inputs, project
from workforce.plan import make_plan, target_point
from workforce.scenario import load_scenario

YEAR_KEYS = {"year", "children", "required_fte", "available_fte", "gap_fte", "agency_fte", "agency_share",
             "staff_cost", "placements", "placement_cost"}


def plan_json(path: Path) -> dict:
    result = CliRunner().invoke(main, ["plan", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # one JSON document and nothing else


@pytest.fixture(scope="module")
def samples() -> dict[str, dict]:
    return {p.stem: plan_json(p) for p in sorted(SCENARIOS.glob("*.toml"))}


def test_contract_keys_and_definitions():
    doc = plan_json(TEST_SCENARIOS / "contract.toml")
    assert doc["scenario"] == "Option 1: peripatetic units"
    assert len(doc["years"]) == 4
    for y in doc["years"]:
        assert set(y) >= YEAR_KEYS
        assert y["required_fte"] == pytest.approx(y["children"] / 15 / (1 - 0.035), abs=0.01)
        assert y["available_fte"] == pytest.approx(y["case_holder_fte"] + y["agency_fte"] + y["nqsw_fte"] * 0.9,
                                                   abs=0.02)
        assert y["gap_fte"] == pytest.approx(y["required_fte"] - y["available_fte"], abs=0.02)
    # first month: 1280 / 15 / 0.965 - (76.8 + 3 + 0)
    assert doc["extra_fte_needed"] == pytest.approx(1280 / 15 / 0.965 - 79.8, abs=0.01)
    assert [y["placements"] for y in doc["years"]] == [483, 470, 448, 426]
    assert doc["payback"]["placements_to_break_even"] == math.ceil(500000 / 40000)


def test_samples_run_and_differ_as_their_names_promise(samples):
    sq, units, cohort, peri = (samples[k] for k in ("status_quo", "extra_units", "nqsw_cohort", "peripatetic_units"))
    end = lambda d, k: d["years"][-1][k]  # noqa: E731
    # the same demand and the same first month in all four
    assert len({d["extra_fte_needed"] for d in samples.values()}) == 1
    assert len({end(d, "required_fte") for d in samples.values()}) == 1
    # recruitment (units, cohort, pool) means less agency than the status quo
    for d in (units, cohort, peri):
        assert end(d, "agency_fte") < end(sq, "agency_fte")
        assert d["totals"]["agency_cost"] < sq["totals"]["agency_cost"]
    # extra units bring service leaders; NQSW intakes show as NQSW FTE in year 1
    assert units["years"][0]["service_leaders"] == sq["years"][0]["service_leaders"] + 3
    assert cohort["years"][0]["nqsw_fte"] == 12 and peri["years"][0]["nqsw_fte"] == 22
    # only the invest-to-save option prevents placements and has a payback
    assert "payback" in peri and "payback" not in sq
    assert end(peri, "placements") < end(sq, "placements")
    assert peri["totals"]["placement_cost"] < sq["totals"]["placement_cost"]


def test_year_costs_sum_the_monthly_projection(tmp_path):
    result = CliRunner().invoke(main, ["plan", str(SCENARIOS / "nqsw_cohort.toml"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = plan_json(SCENARIOS / "nqsw_cohort.toml")
    with open(tmp_path / "projection.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 * 12 + 1 and rows[0]["month"] == "2026-04" and rows[-1]["month"] == "2030-04"
    for n, y in enumerate(doc["years"]):
        months = rows[12 * n:12 * n + 12]
        assert sum(float(r["staff_cost"]) for r in months) == pytest.approx(y["staff_cost"], abs=2)
        assert float(rows[12 * n + 12]["agency_fte"]) == pytest.approx(y["agency_fte"], abs=0.01)
    wb = load_workbook(tmp_path / "projection.xlsx", read_only=True)
    monthly = list(wb["monthly"].iter_rows(values_only=True))
    assert len(monthly) == len(rows) + 1 and monthly[1][0] == "2026-04"
    yearly = list(wb["yearly"].iter_rows(values_only=True))
    assert yearly[1][list(yearly[0]).index("staff_cost")] == doc["years"][0]["staff_cost"]


def test_plan_prints_tables_and_answers():
    result = CliRunner().invoke(main, ["plan", str(TEST_SCENARIOS / "contract.toml")], terminal_width=200)
    assert result.exit_code == 0, result.output
    for text in ("Extra FTE needed now", "Agency target", "breaks even at", "P10 / P50 / P90"):
        assert text in result.output


def test_agency_target_intake_is_the_smallest_that_reaches_it():
    s = load_scenario(TEST_SCENARIOS / "contract.toml")
    at = make_plan(s, uncertainty=False).agency_target
    n, k = at.nqsw_intake_per_year, target_point(s)
    assert at.by == "2019-03" and n > 0

    def share(extra):
        p = project(build_inputs(s, extra_nqsw_per_year=float(extra), extra_until=k - 1))
        return p.agency_share[0, k]

    assert share(n) <= s.agency_target_share < share(n - 1)


def test_intakes_reduce_agency():
    eff = make_plan(load_scenario(SCENARIOS / "nqsw_cohort.toml")).intake_effect
    assert eff.agency_fte_reduction_at_end > 0 and eff.agency_cost_saved > 0
    assert all(a <= b for a, b in zip(eff.agency_fte_by_year, eff.agency_fte_without_intakes_by_year, strict=True))


def test_from_allocation_files_uses_the_allocators_capacity():
    s = load_scenario(TEST_SCENARIOS / "from_sample.toml")
    with open(ROOT / "sample_data" / "cases.csv", newline="") as fh:
        assert s.children == sum(1 for _ in csv.DictReader(fh))
    from dataclasses import replace
    from datetime import date
    inst = load_instance(ROOT / "sample_data" / "workers.csv", ROOT / "sample_data" / "cases.csv",
                         replace(s.policy, as_of=date(2026, 12, 1))).instance
    capacity = sum(w.capacity for w in inst.workers)
    cpf = s.policy.children_per_fte
    modelled = (s.case_holder_fte + s.agency_fte + s.nqsw_fte * s.policy.nqsw_capacity_share) * cpf
    assert modelled == pytest.approx(capacity, abs=0.01)
    assert make_plan(s).now.available_fte * cpf == pytest.approx(capacity, abs=0.1)
