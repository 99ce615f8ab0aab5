"""A plan's answers as typed, frozen values, each with the JSON `plan --json` prints (CONTRACT.md).

`plan.make_plan` and `montecarlo.run_many` compute them once; the terminal tables, the projection
files, the comparison and the report read their attributes and never recompute a number.
`to_json()` gives the contract's document: the same keys, in the same order, with the same rounding.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Projection
    from .scenario import Scenario

Json = dict[str, Any]
PERCENTILES = (10, 50, 90)  # the fields of a Band


def _fields(obj: Any) -> Json:
    """A flat dataclass as JSON: its fields in order, tuples as lists."""
    return {f.name: (list(v) if isinstance(v := getattr(obj, f.name), tuple) else v) for f in fields(obj)}


@dataclass(frozen=True)
class Now:
    """The position at the start (month 0), from the workforce the scenario gives."""

    children: float
    required_fte: float
    available_fte: float
    case_holder_fte: float
    nqsw_fte: float
    agency_fte: float
    agency_share: float
    caseload_per_fte: float | None  # None when no FTE is available at all
    children_per_fte: float  # the policy's cap

    def to_json(self) -> Json:
        return _fields(self)


@dataclass(frozen=True)
class DemandTrend:
    """How demand grows: compound, or the trend fitted to a history (with both fits' RMSE)."""

    kind: str
    growth_per_year: float
    per_year: float = 0.0
    history: tuple[float, ...] = ()
    fitted: tuple[float, ...] = ()
    rmse_linear: float = 0.0
    rmse_log_linear: float = 0.0

    def to_json(self) -> Json:
        doc: Json = {"kind": self.kind, "growth_per_year": self.growth_per_year}
        if self.history:
            doc.update(per_year=self.per_year, history=list(self.history), fitted=list(self.fitted),
                       rmse_linear=self.rmse_linear, rmse_log_linear=self.rmse_log_linear)
        return doc


@dataclass(frozen=True)
class Year:
    """One year: stocks at its end (after its 12th month), costs summed over its 12 months."""

    year: int
    start: str  # its first month, YYYY-MM ("from")
    end: str  # its last month ("to")
    children: float
    required_fte: float
    available_fte: float
    gap_fte: float  # required - available: positive is a shortfall
    case_holder_fte: float
    nqsw_fte: float
    agency_fte: float
    agency_share: float
    caseload_per_fte: float | None  # None when no FTE is available at all
    children_above_cap: float  # children the FTE at work cannot hold at the cap
    service_leaders: float
    service_leaders_needed: int
    staff_cost: int
    agency_cost: int
    placements: float
    placement_cost: int
    placement_saving: int
    agency_target_met: bool | None = None  # None without an agency target

    @property
    def cost(self) -> int:
        """Staff plus placement cost of the year."""
        return self.staff_cost + self.placement_cost

    def to_json(self) -> Json:
        rest = {k: v for k, v in _fields(self).items() if k not in ("year", "start", "end")}
        if self.agency_target_met is None:
            del rest["agency_target_met"]
        return {"year": self.year, "from": self.start, "to": self.end, **rest}


@dataclass(frozen=True)
class Totals:
    """Costs over the horizon, in whole pounds."""

    staff_cost: int
    agency_cost: int
    placement_cost: int
    investment: int
    investment_in_staff_cost: int  # the part of the investment paying for staff already in staff_cost
    net_cost: int  # staff + placements + the investment not already in staff_cost
    discount_rate: float | None = None
    net_cost_discounted: int | None = None  # year y discounted by (1 + rate)^(y - 1); None without a rate

    def to_json(self) -> Json:
        doc = _fields(self)
        if self.discount_rate is None:
            del doc["discount_rate"], doc["net_cost_discounted"]
        return doc


@dataclass(frozen=True)
class AgencyTarget:
    """The NQSW intake a year (on top of planned intakes) that brings agency down to the target share.

    `nqsw_intake_per_year` is None when no intake reaches it; `reason` then says why.
    """

    target_share: float
    by: str  # the month the share is read at the end of
    share_without_extra: float
    intake_month: int
    nqsw_intake_per_year: int | None
    share_with_intake: float | None = None
    reason: str = ""

    @property
    def reached(self) -> bool:
        return self.nqsw_intake_per_year is not None

    def to_json(self) -> Json:
        doc: Json = {"target_share": self.target_share, "by": self.by, "share_without_extra": self.share_without_extra,
                     "intake_month": self.intake_month, "nqsw_intake_per_year": self.nqsw_intake_per_year,
                     "reached": self.reached}
        return doc | ({"share_with_intake": self.share_with_intake} if self.reached else {"reason": self.reason})


@dataclass(frozen=True)
class IntakeEffect:
    """What the planned intakes buy: agency FTE and cost with and without them."""

    agency_fte_by_year: tuple[float, ...]
    agency_fte_without_intakes_by_year: tuple[float, ...]
    agency_fte_reduction_at_end: float
    agency_cost_saved: int
    staff_cost_change: int

    def to_json(self) -> Json:
        return _fields(self)


@dataclass(frozen=True)
class Payback:
    """Invest-to-save judged in placements avoided."""

    investment: int
    average_cost: int
    placements_to_break_even: int
    placements_avoided_by_end: float
    cumulative_saving: tuple[int, ...]  # by year
    payback_year: int | None  # None if not repaid within the horizon

    def to_json(self) -> Json:
        return _fields(self)


@dataclass(frozen=True)
class Band:
    """One year's P10, P50 and P90."""

    p10: float
    p50: float
    p90: float

    def to_json(self) -> Json:
        return _fields(self)


@dataclass(frozen=True)
class Bands:
    """Monte Carlo bands by year, the chance caseloads exceed the cap, and what was run."""

    required_fte: tuple[Band, ...]
    gap_fte: tuple[Band, ...]
    caseload_per_fte: tuple[Band, ...]
    children_above_cap: tuple[Band, ...]
    agency_share: tuple[Band, ...]
    cost: tuple[Band, ...]  # staff + placements
    p_over_cap: tuple[float, ...]
    runs: int
    seed: int
    distribution: str
    ranges: dict[str, tuple[float, float]]

    def to_json(self) -> Json:
        doc: Json = {"percentiles": list(PERCENTILES)}
        for k in ("required_fte", "gap_fte", "caseload_per_fte", "children_above_cap", "agency_share", "cost"):
            doc[k] = [b.to_json() for b in getattr(self, k)]
        return doc | {"p_over_cap": list(self.p_over_cap), "runs": self.runs, "seed": self.seed,
                      "distribution": self.distribution, "ranges": {k: list(v) for k, v in self.ranges.items()}}


@dataclass(frozen=True)
class Plan:
    """A scenario projected, and its answers (`plan --json` is `to_json()`)."""

    scenario: Scenario
    projection: Projection  # the deterministic plan: one draw
    extra_fte_needed: float  # at the start, from the workforce the scenario gives
    now: Now
    trend: DemandTrend
    years: tuple[Year, ...]
    totals: Totals
    agency_target: AgencyTarget | None = None
    intake_effect: IntakeEffect | None = None
    payback: Payback | None = None
    uncertainty: Bands | None = None

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def file(self) -> str:
        return self.scenario.file

    @property
    def start(self) -> str:
        return str(self.scenario.start)

    @property
    def end(self) -> str:
        """The last month of the horizon."""
        return self.scenario.month_label(self.scenario.months - 1)

    def to_json(self) -> Json:
        s = self.scenario
        doc: Json = {"scenario": self.name, "file": self.file, "start": self.start, "end": self.end,
                     "horizon_years": s.years, "extra_fte_needed": self.extra_fte_needed, "now": self.now.to_json(),
                     "demand_trend": self.trend.to_json(), "years": [y.to_json() for y in self.years],
                     "totals": self.totals.to_json()}
        for key in ("agency_target", "intake_effect", "payback", "uncertainty"):
            part = getattr(self, key)
            if part is not None:
                doc[key] = part.to_json()
        if s.notes:
            doc["notes"] = list(s.notes)
        return doc
