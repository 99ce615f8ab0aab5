"""Supply that can fall short, rates that change by year, and costs that add up (issue 13).

Each mechanism against a figure computed by hand on the flat scenario (900 children, cap 15, 50
permanent FTE, 10 agency, no turnover, no absence), where every month is the same unless a rule moves it.
"""
from __future__ import annotations

import numpy as np
import pytest
from workforce_helpers import SCENARIOS, scenario

from files.problems import ValidationError
from workforce.compare import comparison, load_plans
from workforce.model import Projection, build_inputs, project
from workforce.plan import make_plan
from workforce.scenario import ENGLAND_AGENCY_COVER, Scenario


def run(s: Scenario) -> Projection:
    return project(build_inputs(s))


def short(**workforce: object) -> Scenario:
    """1,200 children need 80 FTE; 50 permanent are in post: 30 FTE of posts are vacant."""
    return scenario(demand={"children": 1200}, workforce=workforce)


# --------------------------------------------------------------------------- supply that falls short

def test_agency_covers_only_its_share_of_the_vacancies_by_default():
    s = short(agency_cover=None)
    p = run(s)
    assert ENGLAND_AGENCY_COVER == 0.744
    assert p.agency_fte[0, 1:] == pytest.approx(0.744 * 30)
    uncovered = 30 * (1 - 0.744)
    assert p.gap_fte[0, 1:] == pytest.approx(uncovered)
    assert p.children_above_cap[0, 1:] == pytest.approx(uncovered * 15)
    assert p.caseload_per_fte[0, 1] == pytest.approx(1200 / (50 + 0.744 * 30))
    assert any("agency_cover not given" in n for n in s.notes)
    plan = make_plan(s)
    assert plan.years[-1].children_above_cap == pytest.approx(115.2)
    assert plan.years[-1].caseload_per_fte > 15


def test_full_cover_holds_the_cap_and_leaves_no_child_above_it():
    p = run(short(agency_cover=1.0))
    assert p.caseload_per_fte[0, 1:] == pytest.approx(15)
    assert np.all(p.children_above_cap[0, 1:] == 0)


def test_a_limited_agency_pool_leaves_the_rest_above_the_cap():
    p = run(short(agency_cover=1.0, agency_max_fte=12.0))
    assert p.agency_fte[0, 1:] == pytest.approx(12)
    assert p.children_above_cap[0, 1:] == pytest.approx((30 - 12) * 15)


def test_cover_by_year_changes_agency_each_year():
    p = run(short(agency_cover=[1.0, 0.5, 0.0]))
    assert p.agency_fte[0, 1] == pytest.approx(30) and p.agency_fte[0, 11] == pytest.approx(30)
    assert p.agency_fte[0, 12] == pytest.approx(15) and p.agency_fte[0, 23] == pytest.approx(15)
    assert p.agency_fte[0, 24] == pytest.approx(0)


def test_a_list_of_the_wrong_length_names_the_key():
    with pytest.raises(ValidationError) as e:
        short(agency_cover=[1.0, 0.5])
    assert any(p.column == "workforce.agency_cover" and "2 values" in p.message and "3 years" in p.message
               for p in e.value.problems)
    with pytest.raises(ValidationError) as e:
        short(turnover_per_year=[0.1, 1.5, 0.1])
    assert any(p.column == "workforce.turnover_per_year" for p in e.value.problems)


def test_turnover_by_year_applies_each_years_rate():
    p = run(scenario(workforce={"turnover_per_year": [0.10, 0.20, 0.0]}))
    assert p.case_holder_fte[0, 12] == pytest.approx(50 * 0.9)
    assert p.case_holder_fte[0, 24] == pytest.approx(50 * 0.9 * 0.8)
    assert p.case_holder_fte[0, 36] == pytest.approx(50 * 0.9 * 0.8)


def test_hires_by_year_join_evenly_within_their_year():
    p = run(scenario(workforce={"experienced_hires_per_year": [12.0, 0.0, 24.0]}))
    assert p.case_holder_fte[0, 12] == pytest.approx(62)
    assert p.case_holder_fte[0, 24] == pytest.approx(62)
    assert p.case_holder_fte[0, 36] == pytest.approx(86)


def test_recruitment_fills_vacancies_after_the_lag_and_never_beyond_them():
    # 30 FTE vacant; at most 10 hires a month; posts take 3 months to fill
    p = run(short(agency_cover=1.0, experienced_hires_per_year=120.0, recruitment_months=3))
    assert p.case_holder_fte[0, :4] == pytest.approx(50)  # nobody starts before the lag
    assert p.case_holder_fte[0, 4] == pytest.approx(60)
    assert p.case_holder_fte[0, 6] == pytest.approx(80)
    assert p.case_holder_fte[0, 6:] == pytest.approx(80)  # vacancies filled, no over-hiring
    assert p.agency_fte[0, 7:] == pytest.approx(0)


def test_recruitment_limited_by_the_pool_leaves_posts_vacant():
    p = run(short(agency_cover=0.0, experienced_hires_per_year=6.0, recruitment_months=0))
    assert p.case_holder_fte[0, 12] == pytest.approx(56)
    assert p.children_above_cap[0, 12] == pytest.approx((80 - 56) * 15)


# --------------------------------------------------------------------------- agency share as the DfE has it

def test_agency_share_counts_social_workers_holding_no_cases():
    p = run(scenario(workforce={"non_case_holding_fte": 40.0}))
    assert p.agency_share[0, 0] == pytest.approx(10 / (50 + 10 + 40))
    assert make_plan(scenario(workforce={"non_case_holding_fte": 40.0})).now.agency_share == 0.1


# --------------------------------------------------------------------------- costs that add up

def test_pay_award_raises_later_years_staff_costs():
    plan = make_plan(scenario(costs={"pay_award": 0.03}))
    base = 50 * 40000 + 10 * 60000
    assert [y.staff_cost for y in plan.years] == [base, round(base * 1.03), round(base * 1.03 ** 2)]
    listed = make_plan(scenario(costs={"pay_award": [0.0, 0.05, 0.0]}))
    assert [y.staff_cost for y in listed.years] == [base, round(base * 1.05), round(base * 1.05)]


def test_inflation_raises_placement_costs_not_staff_costs():
    pl = {"baseline": 100, "growth_per_year": 0, "prevented_per_year": [0, 0, 0], "average_cost": 40000}
    plan = make_plan(scenario(placements=pl, costs={"inflation": 0.10}))
    assert [y.placement_cost for y in plan.years] == [4_000_000, 4_400_000, 4_840_000]
    assert plan.years[1].staff_cost == plan.years[0].staff_cost


def test_discounting_counts_later_years_for_less():
    plan = make_plan(scenario(costs={"discount_rate": 0.035}))
    year = 50 * 40000 + 10 * 60000
    assert plan.totals.net_cost == 3 * year
    assert plan.totals.net_cost_discounted == round(year * (1 + 1 / 1.035 + 1 / 1.035 ** 2))
    assert "net_cost_discounted" not in make_plan(scenario()).totals.to_json()


PLACEMENTS = {"baseline": 100, "growth_per_year": 0, "prevented_per_year": [5, 5, 5], "average_cost": 40000}
INTAKE = [{"month": "2027-04", "experienced": 5}]


def test_an_investment_paying_for_the_intake_is_counted_once():
    on_top = make_plan(scenario(placements=PLACEMENTS, intake=INTAKE, investment={"amount": 500000}))
    once = make_plan(scenario(placements=PLACEMENTS, intake=INTAKE,
                              investment={"amount": 500000, "pays_for": "intakes"}))
    intake_staff = 5 * 40000 * 3  # five experienced FTE for three years, no turnover
    assert on_top.totals.net_cost == on_top.totals.staff_cost + on_top.totals.placement_cost + 500000
    assert once.totals.investment_in_staff_cost == 500000  # the intake costs 600,000: all of it pays staff
    assert once.totals.net_cost == once.totals.staff_cost + once.totals.placement_cost
    big = make_plan(scenario(placements=PLACEMENTS, intake=INTAKE,
                             investment={"amount": 1_000_000, "pays_for": "intakes"}))
    assert big.totals.investment_in_staff_cost == intake_staff
    assert big.totals.net_cost == big.totals.staff_cost + big.totals.placement_cost + 1_000_000 - intake_staff


def test_pays_for_needs_intakes_and_a_known_value():
    with pytest.raises(ValidationError) as e:
        scenario(placements=PLACEMENTS, investment={"amount": 500000, "pays_for": "intakes"})
    assert any(p.column == "investment.pays_for" and "plans none" in p.message for p in e.value.problems)
    with pytest.raises(ValidationError) as e:
        scenario(placements=PLACEMENTS, intake=INTAKE, investment={"amount": 500000, "pays_for": "staff"})
    assert any(p.column == "investment.pays_for" and "not valid" in p.message for p in e.value.problems)


def test_service_leaders_are_costed_only_when_the_scenario_names_them():
    none = make_plan(scenario(costs={"service_leader": 60000}))
    named = make_plan(scenario(costs={"service_leader": 60000}, workforce={"service_leaders": 4.0}))
    assert named.totals.staff_cost - none.totals.staff_cost == 4 * 60000 * 3
    assert none.years[0].service_leaders == 0 and none.years[0].service_leaders_needed == 10
    assert any("team managers in post now are not costed" in n for n in none.scenario.notes)


# --------------------------------------------------------------------------- the options tell apart

def test_the_sample_options_differ_on_caseload_not_only_on_cost():
    plans = load_plans(sorted(SCENARIOS.glob("*.toml")))
    doc = comparison(plans)
    rows = {r.metric: r.values for r in doc.metrics}
    end = rows["caseload_per_fte"]
    assert len(set(end)) == len(plans)  # every option ends on its own caseload
    assert len(set(rows["children_above_cap"])) == len(plans)
    assert all(f"caseload_per_fte_year_{n}" in rows for n in (1, 2, 3, 4))
    by_name = dict(zip((p.name for p in plans), end, strict=True))
    assert by_name["Status quo"] == max(end)  # doing nothing leaves the highest caseloads
    assert all(p.uncertainty is not None and p.uncertainty.caseload_per_fte for p in plans)


def test_every_scenario_key_is_documented_in_the_readme():
    from workforce import scenario as sc
    text = (SCENARIOS.parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Scenario keys beyond CONTRACT.md"):text.index("### The workbooks")]
    tables = {"demand": sc.DEMAND_KEYS, "workforce": sc.WORKFORCE_KEYS, "costs": sc.COST_KEYS,
              "placements": sc.PLACEMENT_KEYS, "investment": sc.INVESTMENT_KEYS, "targets": sc.TARGET_KEYS,
              "from": sc.FROM_KEYS, "intake": sc.INTAKE_KEYS}
    missing = [f"{t}.{k}" for t, keys in tables.items() for k in keys
               if f"`{t}.{k}`" not in section and f"`{k}`" not in section]
    assert missing == []
