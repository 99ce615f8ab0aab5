"""The headline answers of a scenario, computed once as a frozen `Plan` (CONTRACT.md `plan --json`).

A year's figures: stocks (children, FTE, agency share, placements) at the year's end, i.e. after
its 12th month; costs summed over its 12 months. `extra_fte_needed` is read at the start (month 0),
from the workforce the scenario gives.
"""
from __future__ import annotations

import math

import numpy as np

from .model import Inputs, Projection, build_inputs, project, yearly
from .montecarlo import Progress, bands
from .results import AgencyTarget, DemandTrend, IntakeEffect, Now, Payback, Plan, Totals, Year
from .scenario import Scenario, Trend

YearFigures = dict[str, np.ndarray]
TOLERANCE = 1e-12  # a share this close above the target counts as reaching it


def _r(x: float | np.floating, nd: int = 2) -> float:
    return round(float(x), nd)


def _r_finite(x: float | np.floating, nd: int = 2) -> float | None:
    """Rounded, or None when not finite (a caseload with no FTE to hold it)."""
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _money(x: float | np.floating) -> int:
    return int(round(float(x)))


def make_plan(s: Scenario, *, uncertainty: bool = True, progress: Progress | None = None) -> Plan:
    """Project the scenario and answer its questions: FTE now, the NQSW intake for the agency target,
    what the intakes buy, the cost of each year and the invest-to-save payback.

    `progress`: a `montecarlo.Progress` callback told how the uncertainty runs are going."""
    proj = project(build_inputs(s))
    y = yearly(proj)
    both = _with_and_without_intakes(s)
    return Plan(
        scenario=s, projection=proj,
        extra_fte_needed=_r(max(0.0, proj.required_fte[0, 0] - proj.available_fte[0, 0])),
        now=_now(s, proj), trend=demand_trend(s.trend), years=_years(s, y), totals=_totals(s, y, both),
        agency_target=agency_target(s), intake_effect=intake_effect(both), payback=payback(s, proj, y),
        uncertainty=bands(s, progress) if uncertainty and s.uncertainty is not None else None)


def _now(s: Scenario, proj: Projection) -> Now:
    def first(a: np.ndarray, nd: int = 2) -> float:  # the plan's one draw at the start
        return _r(a[0, 0], nd)

    return Now(children=first(proj.children), required_fte=first(proj.required_fte),
               available_fte=first(proj.available_fte), case_holder_fte=first(proj.case_holder_fte),
               nqsw_fte=first(proj.nqsw_fte), agency_fte=first(proj.agency_fte),
               agency_share=first(proj.agency_share, 4), caseload_per_fte=_r_finite(proj.caseload_per_fte[0, 0]),
               children_per_fte=s.policy.children_per_fte)


def _years(s: Scenario, y: YearFigures) -> tuple[Year, ...]:
    target = s.agency_target_share
    d = {k: v[0] for k, v in y.items()}  # the plan's one draw

    def year(n: int) -> Year:
        return Year(
            year=n + 1, start=s.month_label(12 * n), end=s.month_label(12 * n + 11), children=_r(d["children"][n]),
            required_fte=_r(d["required_fte"][n]), available_fte=_r(d["available_fte"][n]),
            gap_fte=_r(d["gap_fte"][n]), case_holder_fte=_r(d["case_holder_fte"][n]), nqsw_fte=_r(d["nqsw_fte"][n]),
            agency_fte=_r(d["agency_fte"][n]), agency_share=_r(d["agency_share"][n], 4),
            caseload_per_fte=_r_finite(d["caseload_per_fte"][n]), children_above_cap=_r(d["children_above_cap"][n]),
            service_leaders=_r(d["service_leaders"][n]),
            service_leaders_needed=math.ceil(float(d["service_leaders_needed"][n]) - 1e-9),
            staff_cost=_money(d["staff_cost"][n]), agency_cost=_money(d["agency_cost"][n]),
            placements=_r(d["placements"][n]), placement_cost=_money(d["placement_cost"][n]),
            placement_saving=_money(d["placement_cost_without_prevention"][n] - d["placement_cost"][n]),
            agency_target_met=None if target is None else bool(d["agency_share"][n] <= target + 1e-9))

    return tuple(year(n) for n in range(s.years))


def _totals(s: Scenario, y: YearFigures, both: YearFigures | None) -> Totals:
    """Costs over the horizon. An investment that pays for the planned intakes is counted once: the
    intakes' own staff cost is already in the staff cost, so only the amount beyond it is added."""
    investment = s.investment or 0.0
    in_staff = 0.0
    if s.investment_pays_for_intakes and both is not None:
        permanent = both["staff_cost"] - both["agency_cost"]  # (with intakes, without) x years
        in_staff = min(investment, max(0.0, float(permanent[0].sum() - permanent[1].sum())))
    year_cost = y["staff_cost"][0] + y["placement_cost"][0]
    year_cost[0] += investment - in_staff  # the investment is spent in year 1
    rate = s.rates.discount_rate
    discounted = None
    if rate is not None:
        discounted = _money(float((year_cost / (1 + rate) ** np.arange(len(year_cost))).sum()))
    return Totals(staff_cost=_money(y["staff_cost"][0].sum()), agency_cost=_money(y["agency_cost"][0].sum()),
                  placement_cost=_money(y["placement_cost"][0].sum()), investment=_money(investment),
                  investment_in_staff_cost=_money(in_staff), net_cost=_money(year_cost.sum()),
                  discount_rate=rate, net_cost_discounted=discounted)


def demand_trend(t: Trend) -> DemandTrend:
    """The scenario's demand trend, rounded as the plan shows it."""
    if not t.history:
        return DemandTrend(t.kind, _r(t.growth_per_year, 4))
    return DemandTrend(t.kind, _r(t.growth_per_year, 4), per_year=_r(t.per_year), history=t.history,
                       fitted=tuple(_r(f) for f in t.fitted), rmse_linear=_r(t.rmse_linear or 0.0),
                       rmse_log_linear=_r(t.rmse_log_linear or 0.0))


def target_point(s: Scenario) -> int:
    """The point at which the agency target is read: the end of agency_share_by (default: the horizon's end)."""
    return s.agency_share_by.minus(s.start) + 1 if s.agency_share_by else s.months


def agency_target(s: Scenario) -> AgencyTarget | None:
    """The NQSW intake a year (on top of planned intakes) that brings agency down to the target share.

    Solved by bisection on whole NQSWs: more intake never raises agency FTE (agency fills only what
    permanent capacity cannot), so the agency share at the target month falls as the intake grows.
    """
    target = s.agency_target_share
    if target is None:
        return None
    k = target_point(s)
    last_join = k - 1

    def share(n: int) -> float:
        p = project(build_inputs(s, extra_nqsw_per_year=float(n), extra_until=last_join))
        return float(p.agency_share[0, k])

    now = share(0)

    def answer(intake: int | None, reached_share: float | None = None, reason: str = "") -> AgencyTarget:
        return AgencyTarget(target, s.month_label(k - 1), _r(now, 4), s.intake_month, intake,
                            None if reached_share is None else _r(reached_share, 4), reason)

    if now <= target + TOLERANCE:
        return answer(0, now)
    if not any(s.start.plus(t).month == s.intake_month for t in range(last_join + 1)):
        return answer(None, reason=f"no NQSW cohort joins (month {s.intake_month}) before the target month")
    hi = 8
    while share(hi) > target + TOLERANCE:
        hi *= 2
        if hi > 100_000:
            return answer(None, reason="no NQSW intake reaches the target by that month")
    lo = hi // 2 if hi > 8 else 0  # share(lo) above the target (or lo = 0, checked above)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if share(mid) <= target + TOLERANCE:
            hi = mid
        else:
            lo = mid
    return answer(hi, share(hi))


def _with_and_without_intakes(s: Scenario) -> YearFigures | None:
    """Yearly figures with the planned intakes (row 0) and without them (row 1): one stacked run."""
    if not s.intakes:
        return None
    return yearly(project(Inputs.stack([build_inputs(s), build_inputs(s, without_intakes=True)])))


def intake_effect(y: YearFigures | None) -> IntakeEffect | None:
    """What the planned intakes buy: agency FTE and cost with and without them."""
    if y is None:
        return None
    return IntakeEffect(
        agency_fte_by_year=tuple(_r(a) for a in y["agency_fte"][0]),
        agency_fte_without_intakes_by_year=tuple(_r(a) for a in y["agency_fte"][1]),
        agency_fte_reduction_at_end=_r(y["agency_fte"][1, -1] - y["agency_fte"][0, -1]),
        agency_cost_saved=_money(y["agency_cost"][1].sum() - y["agency_cost"][0].sum()),
        staff_cost_change=_money(y["staff_cost"][0].sum() - y["staff_cost"][1].sum()))


def payback(s: Scenario, proj: Projection, y: YearFigures) -> Payback | None:
    """Invest-to-save judged in placements avoided: ceil(amount / average cost), and the year
    cumulative placement savings repay the investment (None if not within the horizon).
    None without an investment and placements."""
    if s.investment is None or s.placements is None:
        return None
    amount, avg = s.investment, s.placements.average_cost
    cumulative = np.cumsum(y["placement_cost_without_prevention"][0] - y["placement_cost"][0])
    repaid = np.nonzero(cumulative >= amount - 1e-6)[0]
    return Payback(
        investment=_money(amount), average_cost=_money(avg),
        placements_to_break_even=math.ceil(amount / avg - 1e-12),
        placements_avoided_by_end=_r(proj.placements_without_prevention[0, -1] - proj.placements[0, -1]),
        cumulative_saving=tuple(_money(c) for c in cumulative),
        payback_year=int(repaid[0]) + 1 if len(repaid) else None)
