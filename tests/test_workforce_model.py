"""The projection's formulas, each against a hand-computed figure, and its properties."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workforce_helpers import scenario

from workforce.model import Inputs, Projection, build_inputs, project, yearly
from workforce.plan import make_plan
from workforce.scenario import Scenario

ramp_policy = {"nqsw_ramp": [[0, 0.4], [6, 0.7], [9, 0.9]]}


def run(s: Scenario) -> Projection:
    return project(build_inputs(s))


def test_required_fte_is_children_over_cap_grossed_up_for_non_availability():
    s = scenario(demand={"children": 900}, policy={"non_availability": 0.1})
    p = run(s)
    assert p.required_fte[0, 0] == pytest.approx(900 / 15 / 0.9)  # 66.67
    plan = make_plan(s)
    assert plan.years[0].required_fte == pytest.approx(66.67)


def test_compound_growth_gives_children_at_each_years_end():
    plan = make_plan(scenario(demand={"growth_per_year": 0.05}))
    assert [y.children for y in plan.years] == pytest.approx([945.0, 992.25, 1041.86], abs=0.01)


def test_extra_fte_needed_is_the_first_months_shortfall():
    # required 1200 / 15 = 80; available 50 + 10 + 10 * 0.9 = 69
    plan = make_plan(scenario(demand={"children": 1200}, workforce={"nqsw_fte": 10.0}))
    assert plan.extra_fte_needed == pytest.approx(11.0)
    assert plan.now.available_fte == pytest.approx(69.0)


def test_extra_fte_needed_is_zero_when_staffed_above_the_cap():
    assert make_plan(scenario(demand={"children": 600})).extra_fte_needed == 0


def test_turnover_over_a_year_removes_the_annual_rate():
    s = scenario(workforce={"case_holder_fte": 100.0, "turnover_per_year": 0.12})
    p = run(s)
    assert p.case_holder_fte[0, 1] == pytest.approx(100 * 0.88 ** (1 / 12))  # monthly rate 1-(1-a)^(1/12)
    assert p.case_holder_fte[0, 12] == pytest.approx(88.0)
    assert p.case_holder_fte[0, 24] == pytest.approx(77.44)


def test_nqsw_intake_becomes_experienced_at_month_12():
    s = scenario(intake=[{"month": "2027-06", "nqsw": 12}])  # joins at month 2
    p = run(s)
    assert p.nqsw_fte[0, 1] == 0 and p.nqsw_fte[0, 2] == 12
    assert p.nqsw_capacity_fte[0, 2] == pytest.approx(12 * 0.9)
    assert p.nqsw_fte[0, 13] == 12 and p.case_holder_fte[0, 13] == pytest.approx(50)
    assert p.nqsw_fte[0, 14] == 0 and p.case_holder_fte[0, 14] == pytest.approx(62)


def test_nqsw_ramp_by_months_since_joining():
    s = scenario(policy=ramp_policy, intake=[{"month": "2027-04", "nqsw": 10}])
    cap = run(s).nqsw_capacity_fte[0]
    assert cap[[0, 5, 6, 8, 9, 11]] == pytest.approx([4, 4, 7, 7, 9, 9])
    assert cap[12] == 0


def test_starting_nqsws_qualify_evenly_over_the_first_year():
    p = run(scenario(workforce={"nqsw_fte": 12.0}, demand={"children": 1200}))
    assert p.nqsw_fte[0, [0, 1, 6, 12]] == pytest.approx([12, 11, 6, 0])
    assert p.case_holder_fte[0, [0, 6, 12]] == pytest.approx([50, 56, 62])


def test_agency_is_given_now_then_fills_the_gap_to_required():
    p = run(scenario(demand={"children": 1200}))  # required 80, permanent 50
    assert p.agency_fte[0, 0] == 10
    assert p.agency_fte[0, 1:] == pytest.approx(30)
    assert p.gap_fte[0, 1:] == pytest.approx(0)


def test_agency_is_cut_as_permanent_staff_arrive():
    p = run(scenario(demand={"children": 1200}, intake=[{"month": "2027-10", "experienced": 20}]))
    assert p.agency_fte[0, 5] == pytest.approx(30)
    assert p.agency_fte[0, 6] == pytest.approx(10)


def test_agency_limits_leave_a_gap_and_put_caseloads_over_the_cap():
    s = scenario(demand={"children": 1200}, workforce={"agency_max_fte": 20.0})
    p = run(s)
    assert p.agency_fte[0, 1] == pytest.approx(20) and p.gap_fte[0, 1] == pytest.approx(10)
    assert p.caseload_per_fte[0, 1] == pytest.approx(1200 / 70)
    assert yearly(p)["over_cap"].all()
    half = run(scenario(demand={"children": 1200}, workforce={"agency_cover": 0.5}))
    assert half.agency_fte[0, 1] == pytest.approx(15)


def test_agency_share_is_agency_over_all_case_holding_fte():
    p = run(scenario(demand={"children": 1200}))
    assert p.agency_share[0, 0] == pytest.approx(10 / 60)
    assert p.agency_share[0, 1] == pytest.approx(30 / 80)


def test_flat_staff_cost_is_fte_times_annual_cost():
    plan = make_plan(scenario())
    assert [y.staff_cost for y in plan.years] == [50 * 40000 + 10 * 60000] * 3


def test_service_leaders_needed_for_practitioners_and_nqsws():
    s = scenario(workforce={"nqsw_fte": 15.0}, policy={"max_nqsw_per_supervisor": 2},
                 intake=[{"month": "2027-05", "service_leaders": 2}])
    p = run(s)
    assert p.service_leaders_needed[0, 0] == pytest.approx(max(75 / 6, 15 / 2))
    assert p.service_leaders[0, 0] == 0 and p.service_leaders[0, 1] == 2  # none costed until the scenario asks
    assert any("service_leaders not given" in n for n in s.notes)


def test_placements_trajectory_follows_the_contract():
    s = scenario(years=4, placements={"baseline": 487, "growth_per_year": 48, "prevented_per_year": [52, 61, 70, 70],
                                      "average_cost": 40000})
    plan = make_plan(s)
    assert [y.placements for y in plan.years] == [483, 470, 448, 426]
    assert plan.years[0].placement_cost == (487 + 483) / 2 * 40000
    assert plan.years[0].placement_saving == (535 - 483) / 2 * 40000


def test_placement_mix_costs_weekly_rates_times_52():
    s = scenario(placements={"baseline": 100, "mix": {"in_house_fostering": 0.5, "independent_fostering": 0.3,
                                                        "residential": 0.2}})
    assert s.placements.average_cost == pytest.approx((0.5 * 350 + 0.3 * 800 + 0.2 * 3200) * 52)


@pytest.mark.parametrize("amount, cost, placements", [(500000, 40000, 13), (480000, 40000, 12), (1, 40000, 1)])
def test_placements_to_break_even_is_ceil_amount_over_cost(amount, cost, placements):
    s = scenario(placements={"baseline": 100, "prevented_per_year": 5, "average_cost": cost},
                 investment={"amount": amount})
    assert make_plan(s).payback.placements_to_break_even == placements


def test_payback_year_is_when_cumulative_savings_repay():
    # prevented 10 a year: savings 5, 15, 25 placements' cost -> 200k, 600k, 1m; cumulative 200k, 800k, 1.8m
    s = scenario(placements={"baseline": 100, "prevented_per_year": 10, "average_cost": 40000},
                 investment={"amount": 700000})
    pb = make_plan(s).payback
    assert pb.cumulative_saving == (200000, 800000, 1800000)
    assert pb.payback_year == 2
    never = scenario(placements={"baseline": 100, "prevented_per_year": [1, 0, 0], "average_cost": 40000},
                     investment={"amount": 700000})
    assert make_plan(never).payback.payback_year is None


def test_prevention_subtracts_children_evenly_through_the_year():
    p = run(scenario(demand={"prevented_children_per_year": [60, 60, 60]}))
    assert p.children[0, [0, 6, 12, 24, 36]] == pytest.approx([900, 870, 840, 780, 720])


def test_demand_mix_and_weights_scale_required_fte():
    s = scenario(demand={"mix": {"cp": 0.5, "cin": 0.5}}, policy={"weights": {"cp": 2.0}})
    assert run(s).required_fte[0, 0] == pytest.approx(900 * 1.5 / 15)


def test_history_fit_picks_linear_for_a_straight_line():
    s = scenario(demand={"children": None, "growth_per_year": None, "history": [100, 110, 120, 130]})
    assert s.trend.kind == "linear" and s.trend.per_year == pytest.approx(10)
    assert s.trend.rmse_linear == pytest.approx(0, abs=1e-9) and s.trend.rmse_log_linear > 0
    assert run(s).children[0, 12] == pytest.approx(140)  # children now = the latest year


def test_history_fit_picks_log_linear_for_compound_growth():
    s = scenario(demand={"children": None, "growth_per_year": None, "history": [100, 110, 121, 133.1]})
    assert s.trend.kind == "log-linear" and s.trend.growth_per_year == pytest.approx(0.10)
    assert run(s).children[0, 12] == pytest.approx(146.41)


def test_stacked_scenarios_equal_separate_runs():
    a, b = scenario(), scenario(demand={"children": 1300, "growth_per_year": 0.04},
                                intake=[{"month": "2027-09", "nqsw": 8}])
    both = project(Inputs.stack([build_inputs(a), build_inputs(b)]))
    for row, s in enumerate((a, b)):
        alone = run(s)
        assert np.allclose(both.agency_fte[row], alone.agency_fte[0])
        assert np.allclose(both.staff_cost[row], alone.staff_cost[0])


# ---- properties ----

few = settings(max_examples=40, deadline=None)


@few
@given(children=st.floats(1, 5000), growth=st.floats(-0.3, 0.3), cpf=st.floats(5, 30), na=st.floats(0, 0.3))
def test_doubling_demand_doubles_required_fte(children, growth, cpf, na):
    one = run(scenario(demand={"children": children, "growth_per_year": growth},
                       policy={"children_per_fte": cpf, "non_availability": na}))
    two = run(scenario(demand={"children": 2 * children, "growth_per_year": growth},
                       policy={"children_per_fte": cpf, "non_availability": na}))
    assert np.allclose(two.required_fte, 2 * one.required_fte)


@few
@given(children=st.floats(0, 3000), perm=st.floats(0, 200))
def test_no_growth_turnover_or_intake_gives_a_flat_projection(children, perm):
    # agency now already fills the gap, as it will from month 1
    s = scenario(demand={"children": children},
                 workforce={"case_holder_fte": perm, "agency_fte": max(0.0, children / 15 - perm)})
    p = run(s)
    for k in ("children", "required_fte", "case_holder_fte", "agency_fte", "available_fte"):
        v = getattr(p, k)[0]
        assert np.allclose(v, v[0]), k
    assert np.allclose(p.staff_cost[0], p.staff_cost[0, 0])


@few
@given(base=st.floats(0, 30), more=st.floats(0, 30), month=st.integers(0, 35), turnover=st.floats(0, 0.3),
       experienced=st.booleans())
def test_more_intake_never_raises_agency(base, more, month, turnover, experienced):
    kind = "experienced" if experienced else "nqsw"
    label = f"{2027 + (3 + month) // 12}-{(3 + month) % 12 + 1:02d}"
    low = scenario(demand={"children": 1200}, workforce={"turnover_per_year": turnover},
                   intake=[{"month": label, kind: base}])
    high = scenario(demand={"children": 1200}, workforce={"turnover_per_year": turnover},
                    intake=[{"month": label, kind: base + more}])
    assert np.all(run(high).agency_fte <= run(low).agency_fte + 1e-9)
