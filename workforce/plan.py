"""The headline answers of a scenario and its JSON document (CONTRACT.md `plan --json`).

A year entry's figures: stocks (children, FTE, agency share, placements) at the year's end,
i.e. after its 12th month; costs summed over its 12 months. `extra_fte_needed` is read at
the start (month 0), from the workforce the scenario gives.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import Projection, build_inputs, project, yearly
from .scenario import Scenario


@dataclass
class Plan:
    scenario: Scenario
    projection: Projection  # the deterministic plan: one draw
    years: list[dict]
    doc: dict


def _r(x, nd=2):
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _money(x):
    return int(round(float(x)))


def make_plan(s: Scenario, *, uncertainty: bool = True, progress=None) -> Plan:
    """Project the scenario and answer its questions: FTE now, the NQSW intake for the agency target,
    what the intakes buy, the cost of each year and the invest-to-save payback.

    `progress`: a `montecarlo.Progress` callback told how the uncertainty runs are going."""
    proj = project(build_inputs(s))
    y = yearly(proj)
    years = _year_entries(s, proj, y)
    now = {
        "children": _r(proj.children[0, 0]),
        "required_fte": _r(proj.required_fte[0, 0]),
        "available_fte": _r(proj.available_fte[0, 0]),
        "case_holder_fte": _r(proj.case_holder_fte[0, 0]),
        "nqsw_fte": _r(proj.nqsw_fte[0, 0]),
        "agency_fte": _r(proj.agency_fte[0, 0]),
        "agency_share": _r(proj.agency_share[0, 0], 4),
        "caseload_per_fte": _r(proj.caseload_per_fte[0, 0]),
        "children_per_fte": s.policy.children_per_fte,
    }
    staff = float(y["staff_cost"][0].sum())
    placement = float(y["placement_cost"][0].sum())
    doc = {
        "scenario": s.name,
        "file": s.file,
        "start": str(s.start),
        "end": s.month_label(s.months - 1),
        "horizon_years": s.years,
        "extra_fte_needed": _r(max(0.0, proj.required_fte[0, 0] - proj.available_fte[0, 0])),
        "now": now,
        "demand_trend": trend_doc(s),
        "years": years,
        "totals": {
            "staff_cost": _money(staff),
            "agency_cost": _money(y["agency_cost"][0].sum()),
            "placement_cost": _money(placement),
            "investment": _money(s.investment or 0),
            "net_cost": _money(staff + placement + (s.investment or 0)),
        },
    }
    target = agency_target(s)
    if target:
        doc["agency_target"] = target
    effect = intake_effect(s)
    if effect:
        doc["intake_effect"] = effect
    if s.investment is not None and s.placements is not None:
        doc["payback"] = payback(s, proj, y)
    if uncertainty and s.uncertainty is not None:
        from .montecarlo import bands
        doc["uncertainty"] = bands(s, progress)
    if s.notes:
        doc["notes"] = list(s.notes)
    return Plan(s, proj, years, doc)


def _year_entries(s: Scenario, proj: Projection, y: dict) -> list[dict]:
    out = []
    for n in range(s.years):
        e = {
            "year": n + 1,
            "from": s.month_label(12 * n),
            "to": s.month_label(12 * n + 11),
            "children": _r(y["children"][0, n]),
            "required_fte": _r(y["required_fte"][0, n]),
            "available_fte": _r(y["available_fte"][0, n]),
            "gap_fte": _r(y["gap_fte"][0, n]),
            "case_holder_fte": _r(y["case_holder_fte"][0, n]),
            "nqsw_fte": _r(y["nqsw_fte"][0, n]),
            "agency_fte": _r(y["agency_fte"][0, n]),
            "agency_share": _r(y["agency_share"][0, n], 4),
            "caseload_per_fte": _r(y["caseload_per_fte"][0, n]),
            "service_leaders": _r(y["service_leaders"][0, n]),
            "service_leaders_needed": math.ceil(float(y["service_leaders_needed"][0, n]) - 1e-9),
            "staff_cost": _money(y["staff_cost"][0, n]),
            "agency_cost": _money(y["agency_cost"][0, n]),
            "placements": _r(y["placements"][0, n]),
            "placement_cost": _money(y["placement_cost"][0, n]),
            "placement_saving": _money(y["placement_cost_without_prevention"][0, n] - y["placement_cost"][0, n]),
        }
        if s.agency_target_share is not None:
            e["agency_target_met"] = bool(y["agency_share"][0, n] <= s.agency_target_share + 1e-9)
        out.append(e)
    return out


def trend_doc(s: Scenario) -> dict:
    t = s.trend
    doc = {"kind": t.kind, "growth_per_year": _r(t.growth_per_year, 4)}
    if t.history:
        doc.update(per_year=_r(t.per_year), history=list(t.history), fitted=[_r(f) for f in t.fitted],
                   rmse_linear=_r(t.rmse_linear), rmse_log_linear=_r(t.rmse_log_linear))
    return doc


def target_point(s: Scenario) -> int:
    """The point at which the agency target is read: the end of agency_share_by (default: the horizon's end)."""
    return s.agency_share_by.minus(s.start) + 1 if s.agency_share_by else s.months


def agency_target(s: Scenario) -> dict | None:
    """The NQSW intake a year (on top of planned intakes) that brings agency down to the target share.

    Solved by bisection on whole NQSWs: more intake never raises agency FTE (agency fills only what
    permanent capacity cannot), so the agency share at the target month falls as the intake grows.
    """
    if s.agency_target_share is None:
        return None
    k = target_point(s)
    last_join = k - 1

    def share(n: int) -> float:
        p = project(build_inputs(s, extra_nqsw_per_year=float(n), extra_until=last_join))
        return float(p.agency_share[0, k])

    target = s.agency_target_share
    now = share(0)
    doc = {"target_share": target, "by": s.month_label(k - 1), "share_without_extra": _r(now, 4),
           "intake_month": s.intake_month}
    if now <= target + 1e-12:
        return doc | {"nqsw_intake_per_year": 0, "reached": True, "share_with_intake": _r(now, 4)}
    joins = [t for t in range(last_join + 1) if s.start.plus(t).month == s.intake_month]
    if not joins:
        return doc | {"nqsw_intake_per_year": None, "reached": False,
                      "reason": f"no NQSW cohort joins (month {s.intake_month}) before the target month"}
    hi = 8
    while share(hi) > target + 1e-12:
        hi *= 2
        if hi > 100_000:
            return doc | {"nqsw_intake_per_year": None, "reached": False,
                          "reason": "no NQSW intake reaches the target by that month"}
    lo = hi // 2 if hi > 8 else 0  # share(lo) above the target (or lo = 0, checked above)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if share(mid) <= target + 1e-12:
            hi = mid
        else:
            lo = mid
    return doc | {"nqsw_intake_per_year": hi, "reached": True, "share_with_intake": _r(share(hi), 4)}


def intake_effect(s: Scenario) -> dict | None:
    """What the planned intakes buy: agency FTE and cost with and without them (one stacked run)."""
    if not s.intakes:
        return None
    from .model import Inputs
    both = project(Inputs.stack([build_inputs(s), build_inputs(s, without_intakes=True)]))
    y = yearly(both)
    return {
        "agency_fte_by_year": [_r(a) for a in y["agency_fte"][0]],
        "agency_fte_without_intakes_by_year": [_r(a) for a in y["agency_fte"][1]],
        "agency_fte_reduction_at_end": _r(y["agency_fte"][1, -1] - y["agency_fte"][0, -1]),
        "agency_cost_saved": _money(y["agency_cost"][1].sum() - y["agency_cost"][0].sum()),
        "staff_cost_change": _money(y["staff_cost"][0].sum() - y["staff_cost"][1].sum()),
    }


def payback(s: Scenario, proj: Projection, y: dict) -> dict:
    """Invest-to-save judged in placements avoided: ceil(amount / average cost), and the year
    cumulative placement savings repay the investment (None if not within the horizon)."""
    amount, avg = s.investment, s.placements.average_cost
    saving = y["placement_cost_without_prevention"][0] - y["placement_cost"][0]
    cumulative = np.cumsum(saving)
    repaid = np.nonzero(cumulative >= amount - 1e-6)[0]
    return {
        "investment": _money(amount),
        "average_cost": _money(avg),
        "placements_to_break_even": math.ceil(amount / avg - 1e-12),
        "placements_avoided_by_end": _r(proj.placements_without_prevention[0, -1] - proj.placements[0, -1]),
        "cumulative_saving": [_money(c) for c in cumulative],
        "payback_year": int(repaid[0]) + 1 if len(repaid) else None,
    }
