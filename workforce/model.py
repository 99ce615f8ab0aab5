"""The monthly projection: demand, a stock-and-flow workforce, agency cover, costs and placements.

Vectorised from the start: every input is an array with one row per draw (a
scenario x a Monte Carlo draw), every state an array (draws, points). The
deterministic plan is one draw. Several scenarios run as one computation by
stacking their rows (`Inputs.stack`).

Time: point t = 0..M is the position at the start of month t (t = 0 is now,
t = 12y the end of year y). Month t's flows and costs run from point t to t+1.

Rules (CONTRACT.md definitions hold exactly):
- children(t) = children * (1 + growth)^(t/12) + per_year * t/12 - prevented so far (prevention
  builds up evenly through each year, times the share achieved); never below 0.
- required_fte = weighted children / children_per_fte / (1 - non_availability).
- experienced permanent FTE lose the monthly rate 1 - (1 - turnover)^(1/12) each month (turnover of the
  month's year); experienced hires and intakes add to them, and NQSWs join them 12 months after they joined
  (the ASYE year). Hires: experienced_hires_per_year / 12 a month; with recruitment_months L, they instead
  fill the posts vacant L months before (less those already filled since), at most that many a month.
  Starting NQSWs qualify evenly over the first 12 months (or as their asye_start says, with [from]).
- NQSW capacity = FTE * nqsw_capacity_share (or the nqsw_ramp by months since joining).
- available_fte = case_holder_fte + agency_fte + NQSW capacity; permanent capacity = the first and last.
- agency: the given agency_fte now (t = 0); from month 1 agency fills a share of the vacant FTE and is
  cut as permanent capacity arrives: agency = min(agency_max_fte, agency_cover * max(0, required -
  permanent capacity)); agency_max_fte (default none: no limit to the pool) and agency_cover (the year's
  share, default England's 74.4%). The rest of the vacancy is not covered: caseloads rise above the cap.
- agency_share = agency FTE / (experienced + NQSW + agency + non-case-holding FTE), the DfE agency rate.
- children_above_cap = the children the FTE at work cannot hold at the cap: max(0, gap) * children_per_fte
  * (1 - non_availability) / weight_factor.
- service leaders needed = max(practitioner FTE / practitioners_per_service_leader,
  NQSW FTE / max_nqsw_per_supervisor).
- staff cost of month t = FTE at point t * annual cost / 12 (permanent, NQSW, agency, service leaders)
  * the pay index of its year (the product of the pay awards up to it); placement costs likewise with
  inflation.
- placements at each year's end = previous + growth_per_year - prevented that year (times the share
  achieved), never below 0, moving evenly within the year; a year's placement cost = the average of
  its opening and closing placements * average cost.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from policy.settings import Policy

from .scenario import Scenario


@dataclass(frozen=True)
class Inputs:
    """Everything the projection needs; arrays have one row per draw."""

    years: int
    children0: np.ndarray
    weight_factor: np.ndarray
    growth: np.ndarray  # compound, a year
    per_year: np.ndarray  # linear trend, children a year
    prevented_children: np.ndarray  # (D, Y) children prevented each year
    prevention_achieved: np.ndarray
    children_per_fte: np.ndarray
    non_availability: np.ndarray
    experienced0: np.ndarray
    nqsw0: np.ndarray
    nqsw0_qualifying: np.ndarray  # (D, 12) starting NQSW FTE qualifying at points 1..12
    nqsw_share: np.ndarray  # flat share for starting NQSWs
    ramp: np.ndarray  # (D, 12) share by months since joining
    agency0: np.ndarray
    other0: np.ndarray  # permanent social workers holding no cases (the agency share's denominator only)
    agency_max: np.ndarray
    agency_cover: np.ndarray  # (D, Y) share of the vacant FTE agency fills, by year
    turnover: np.ndarray  # (D, Y) annual, by year
    hires_per_year: np.ndarray  # (D, Y)
    recruitment_lag: np.ndarray  # months from vacancy to starter; -1: hires join as planned
    nqsw_joiners: np.ndarray  # (D, M+1) FTE joining at point t
    experienced_joiners: np.ndarray  # (D, M+1)
    leader_joiners: np.ndarray  # (D, M+1)
    intake_filled: np.ndarray
    leaders0: np.ndarray
    practitioners_per_leader: np.ndarray
    nqsw_per_supervisor: np.ndarray
    cost_social_worker: np.ndarray
    cost_nqsw: np.ndarray
    cost_agency: np.ndarray
    cost_leader: np.ndarray
    pay_index: np.ndarray  # (D, Y) staff costs relative to the costs given
    price_index: np.ndarray  # (D, Y) placement costs relative to the cost given
    placements0: np.ndarray
    placement_growth: np.ndarray
    placements_prevented: np.ndarray  # (D, Y)
    placement_cost: np.ndarray

    @property
    def months(self) -> int:
        return self.years * 12

    @property
    def draws(self) -> int:
        return len(self.children0)

    @staticmethod
    def stack(parts: list[Inputs]) -> Inputs:
        """Rows of several Inputs (same horizon) as one: scenarios stacked along the draws axis."""
        years = parts[0].years
        if any(p.years != years for p in parts):
            raise ValueError("stacked inputs need the same horizon; build them with the same years")
        return Inputs(years, *(np.concatenate([getattr(p, f.name) for p in parts])
                               for f in fields(Inputs) if f.name != "years"))

    def rows(self, lo: int, hi: int) -> Inputs:
        return Inputs(self.years, *(getattr(self, f.name)[lo:hi] for f in fields(Inputs) if f.name != "years"))


def base_values(s: Scenario) -> dict[str, float]:
    """The scenario's own value of each input the uncertainty table may vary."""
    return {
        "growth_per_year": s.trend.growth_per_year,
        "turnover_per_year": s.turnover_per_year,
        "prevention_achieved": 1.0,
        "intake_filled": 1.0,
        "placement_cost": s.placements.average_cost if s.placements else 0.0,
    }


def build_inputs(s: Scenario, values: dict[str, np.ndarray] | None = None, *, years: int | None = None,
                 extra_nqsw_per_year: np.ndarray | float = 0.0, extra_until: int | None = None,
                 without_intakes: bool = False) -> Inputs:
    """Inputs for a scenario, one row per draw of `values` (the scenario's own values when None).

    `years` pads the horizon (for stacking); `extra_nqsw_per_year` adds an NQSW cohort every year in
    the scenario's intake_month (up to point `extra_until`); `without_intakes` drops planned intakes.
    """
    base = base_values(s)
    given = values or {}
    extra = np.asarray(extra_nqsw_per_year, dtype=float)
    draws = len(next(iter(given.values()))) if given else 1
    if extra.ndim == 1:
        draws = max(draws, len(extra))
    v = {k: np.broadcast_to(np.asarray(given.get(k, base[k]), dtype=float), (draws,)).copy() for k in base}
    Y = years or s.years
    per_year = 0.0 if "growth_per_year" in given else s.trend.per_year
    one = np.ones(draws)

    def yearly(values: tuple[float, ...], pad: bool = False) -> np.ndarray:
        return _by_year_rows(values, Y, draws, pad)

    def rows(a: np.ndarray) -> np.ndarray:
        return np.tile(a, (draws, 1))

    nqsw_j, exp_j, lead_j = _joiners(s, Y * 12, without_intakes)
    nqsw_j = rows(nqsw_j) + _extra_cohorts(s, Y * 12, np.broadcast_to(extra, (draws,)), extra_until)
    q = np.array(s.nqsw_qualifying) if s.nqsw_qualifying else np.full(12, s.nqsw_fte / 12)
    p = s.policy
    pl = s.placements
    r = s.rates
    return Inputs(
        years=Y,
        children0=one * s.children, weight_factor=one * s.weight_factor, growth=v["growth_per_year"],
        per_year=one * per_year, prevented_children=yearly(s.prevented_children),
        prevention_achieved=v["prevention_achieved"], children_per_fte=one * p.children_per_fte,
        non_availability=one * s.non_availability, experienced0=one * s.case_holder_fte, nqsw0=one * s.nqsw_fte,
        nqsw0_qualifying=rows(q), nqsw_share=one * p.nqsw_capacity_share, ramp=rows(_ramp(p)),
        agency0=one * s.agency_fte, other0=one * s.non_case_holding_fte,
        agency_max=one * (np.inf if s.agency_max_fte is None else s.agency_max_fte),
        agency_cover=yearly(r.agency_cover, pad=True),
        turnover=_turnover(yearly(r.turnover, pad=True), v["turnover_per_year"]),
        hires_per_year=yearly(r.experienced_hires, pad=True),
        recruitment_lag=one * (-1 if s.recruitment_months is None else s.recruitment_months),
        nqsw_joiners=nqsw_j, experienced_joiners=rows(exp_j), leader_joiners=rows(lead_j),
        intake_filled=v["intake_filled"], leaders0=one * s.service_leaders,
        practitioners_per_leader=one * s.practitioners_per_service_leader,
        nqsw_per_supervisor=one * float(p.max_nqsw_per_supervisor), cost_social_worker=one * s.costs["social_worker"],
        cost_nqsw=one * s.costs["nqsw"], cost_agency=one * s.costs["agency_social_worker"],
        cost_leader=one * s.costs["service_leader"], pay_index=yearly(r.index(r.pay_award), pad=True),
        price_index=yearly(r.index(r.inflation), pad=True),
        placements0=one * (pl.baseline if pl else 0.0), placement_growth=one * (pl.growth_per_year if pl else 0.0),
        placements_prevented=yearly(pl.prevented_per_year if pl else ()), placement_cost=v["placement_cost"],
    )


def _by_year_rows(values: tuple[float, ...], years: int, draws: int, pad: bool) -> np.ndarray:
    """(draws, years): one value a year; beyond the values given 0 (or the last value, with `pad`)."""
    row = np.zeros(years)
    row[:len(values)] = values[:years]
    if pad and values:
        row[len(values):] = values[-1]
    return np.tile(row, (draws, 1))


def _turnover(by_year: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """(D, Y) turnover: the scenario's rates by year, scaled so that year 1 takes each draw's rate."""
    year1 = by_year[:, :1]
    d = drawn[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.where(year1 > 0, by_year * d / year1, by_year - year1 + d), 0.0, 0.99)


def _joiners(s: Scenario, months: int, without_intakes: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FTE joining at each point (NQSWs, experienced, service leaders) from the planned intakes."""
    nqsw, experienced, leaders = np.zeros(months + 1), np.zeros(months + 1), np.zeros(months + 1)
    if not without_intakes:
        for it in s.intakes:
            k = it.month.minus(s.start)
            nqsw[k] += it.nqsw
            experienced[k] += it.experienced
            leaders[k] += it.service_leaders
    return nqsw, experienced, leaders


def _extra_cohorts(s: Scenario, months: int, extra: np.ndarray, until: int | None) -> np.ndarray:
    """(D, M+1): `extra` NQSWs joining every year in the scenario's intake_month, up to point `until`."""
    out = np.zeros((len(extra), months + 1))
    if np.any(extra):
        last = months if until is None else until
        for k in range(min(last, months) + 1):
            if s.start.plus(k).month == s.intake_month:
                out[:, k] += extra
    return out


def _ramp(p: Policy) -> np.ndarray:
    """An NQSW's capacity share by months since joining, 0..11: the ramp, else the flat share."""
    ramp = np.full(12, p.nqsw_capacity_share)
    if p.nqsw_ramp:
        for k in range(12):
            ramp[k] = next((share for month, share in reversed(p.nqsw_ramp) if k >= month), p.nqsw_ramp[0][1])
    return ramp


@dataclass(frozen=True)
class Projection:
    """Monthly states, shape (draws, M+1) at points; month flows (draws, M)."""

    inputs: Inputs
    children: np.ndarray
    required_fte: np.ndarray
    case_holder_fte: np.ndarray  # experienced permanent
    nqsw_fte: np.ndarray
    nqsw_capacity_fte: np.ndarray
    agency_fte: np.ndarray
    permanent_fte: np.ndarray  # permanent capacity: experienced + NQSW capacity (available without agency)
    available_fte: np.ndarray
    gap_fte: np.ndarray  # required - available: positive is a shortfall
    agency_share: np.ndarray
    service_leaders: np.ndarray
    service_leaders_needed: np.ndarray
    placements: np.ndarray
    placements_without_prevention: np.ndarray
    staff_cost: np.ndarray  # (draws, M)
    agency_cost: np.ndarray  # (draws, M)
    placement_cost: np.ndarray  # (draws, M)
    placement_cost_without_prevention: np.ndarray  # (draws, M)

    @property
    def children_above_cap(self) -> np.ndarray:
        """Children the FTE at work cannot hold at the cap (0 when there is no shortfall)."""
        i = self.inputs
        per_fte = _col(i.children_per_fte) * (1 - _col(i.non_availability)) / _col(i.weight_factor)
        return np.maximum(0.0, self.gap_fte) * per_fte

    @property
    def caseload_per_fte(self) -> np.ndarray:
        """Weighted children per FTE at work: above children_per_fte means over the cap."""
        i = self.inputs
        at_work = self.available_fte * (1 - i.non_availability[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(at_work > 0, self.children * i.weight_factor[:, None] / at_work, np.inf)


def _by_year(cumulative: np.ndarray, months: int) -> np.ndarray:
    """Yearly cumulative values (D, Y+1) spread evenly over the months: (D, M+1) at points."""
    t = np.arange(months + 1)
    y = np.minimum(t // 12, cumulative.shape[1] - 2)
    frac = (t - 12 * y) / 12
    return cumulative[:, y] + frac * (cumulative[:, y + 1] - cumulative[:, y])


def _placements(start: np.ndarray, growth: np.ndarray, prevented: np.ndarray) -> np.ndarray:
    """Year-end placements (D, Y+1): previous + growth - prevented, never below 0."""
    D, Y = prevented.shape
    out = np.empty((D, Y + 1))
    out[:, 0] = start
    for y in range(Y):
        out[:, y + 1] = np.maximum(0.0, out[:, y] + growth - prevented[:, y])
    return out


def project(i: Inputs) -> Projection:
    """Run the monthly projection for every draw at once."""
    M = i.months
    children = _children(i)
    required = children * _col(i.weight_factor) / _col(i.children_per_fte) / (1 - _col(i.non_availability))
    experienced, nqsw, nqsw_cap = _supply(i, required)
    permanent_cap = experienced + nqsw_cap
    cover = _monthly(i.agency_cover, M)
    agency = np.minimum(_col(i.agency_max), cover * np.maximum(0.0, required - permanent_cap))
    agency[:, 0] = i.agency0
    available = permanent_cap + agency
    headcount = experienced + nqsw + agency
    in_post = headcount + _col(i.other0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(in_post > 0, agency / in_post, 0.0)
        for_nqsw = np.where(nqsw > 0, nqsw / _col(i.nqsw_per_supervisor), 0.0)
    leaders = _col(i.leaders0) + np.cumsum(i.leader_joiners * _col(i.intake_filled), axis=1)
    leaders_needed = np.maximum(headcount / _col(i.practitioners_per_leader), for_nqsw)

    pay = _monthly(i.pay_index, M)[:, :M]
    agency_cost = agency[:, :M] * _col(i.cost_agency) / 12 * pay
    staff_cost = (experienced[:, :M] * _col(i.cost_social_worker) + nqsw[:, :M] * _col(i.cost_nqsw)
                  + leaders[:, :M] * _col(i.cost_leader)) / 12 * pay + agency_cost

    # placements
    pl_year = _placements(i.placements0, i.placement_growth, i.placements_prevented * _col(i.prevention_achieved))
    pl_none = _placements(i.placements0, i.placement_growth, np.zeros_like(i.placements_prevented))
    placements, without = _by_year(pl_year, M), _by_year(pl_none, M)

    prices = _monthly(i.price_index, M)[:, :M]

    def month_cost(p: np.ndarray) -> np.ndarray:
        return (p[:, :M] + p[:, 1:]) / 2 * _col(i.placement_cost) / 12 * prices

    return Projection(
        inputs=i, children=children, required_fte=required, case_holder_fte=experienced, nqsw_fte=nqsw,
        nqsw_capacity_fte=nqsw_cap, agency_fte=agency, permanent_fte=permanent_cap, available_fte=available,
        gap_fte=required - available, agency_share=share, service_leaders=leaders,
        service_leaders_needed=leaders_needed, placements=placements, placements_without_prevention=without,
        staff_cost=staff_cost, agency_cost=agency_cost, placement_cost=month_cost(placements),
        placement_cost_without_prevention=month_cost(without))


def _col(a: np.ndarray) -> np.ndarray:
    """(D,) as a column (D, 1)."""
    return a[:, None]


def _monthly(by_year: np.ndarray, months: int) -> np.ndarray:
    """(D, Y) yearly values at every point (D, M+1): point t takes the value of its year, t // 12."""
    return by_year[:, np.minimum(np.arange(months + 1) // 12, by_year.shape[1] - 1)]


def _children(i: Inputs) -> np.ndarray:
    """Children at each point: the trend, less the children prevented so far; never below 0."""
    D, M = i.draws, i.months
    t = np.arange(M + 1)
    prevented = i.prevented_children * _col(i.prevention_achieved)
    cum_prevented = np.concatenate([np.zeros((D, 1)), np.cumsum(prevented, axis=1)], axis=1)
    children = (_col(i.children0) * (1 + _col(i.growth)) ** (t / 12) + _col(i.per_year) * t / 12
                - _by_year(cum_prevented, M))
    return np.maximum(children, 0.0)


def _supply(i: Inputs, required: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Experienced permanent FTE, NQSW FTE and NQSW capacity at each point.

    NQSW cohorts by month of joining (the ramp by months since), then the experienced stock month by month,
    with the month's hires: as planned, or (with a recruitment lag) filling the posts vacant then.
    """
    D, M = i.draws, i.months
    t = np.arange(M + 1)
    filled = _col(i.intake_filled)
    joiners = i.nqsw_joiners * filled
    start_left = _col(i.nqsw0) - np.concatenate([np.zeros((D, 1)), np.cumsum(i.nqsw0_qualifying, axis=1)],
                                               axis=1)[:, np.minimum(t, 12)]
    start_left = np.maximum(start_left, 0.0)
    nqsw = start_left.copy()
    nqsw_cap = start_left * _col(i.nqsw_share)
    for k in range(12):
        shifted = np.zeros((D, M + 1))
        shifted[:, k:] = joiners[:, :M + 1 - k]
        nqsw += shifted
        nqsw_cap += shifted * i.ramp[:, k:k + 1]
    qualified = np.zeros((D, M + 1))
    qualified[:, 12:] = joiners[:, :M + 1 - 12]
    qualified[:, 1:13] += i.nqsw0_qualifying[:, :min(12, M)]
    inflow = i.experienced_joiners * filled + qualified
    return _experienced(i, required, inflow, nqsw_cap), nqsw, nqsw_cap


def _experienced(i: Inputs, required: np.ndarray, inflow: np.ndarray, nqsw_cap: np.ndarray) -> np.ndarray:
    """The experienced permanent stock month by month: last month's less leavers, plus joiners and hires."""
    D, M = i.draws, i.months
    pool = _monthly(i.hires_per_year, M) / 12 * _col(i.intake_filled)  # hires a month (the most, with a lag)
    stay = (1 - _monthly(i.turnover, M)) ** (1 / 12)  # 1 - the monthly leaving rate
    experienced = np.empty((D, M + 1))
    experienced[:, 0] = i.experienced0 + inflow[:, 0]
    lag = i.recruitment_lag.astype(int)
    driven = lag >= 0
    rows = np.arange(D)
    vacant = np.zeros((D, M + 1))  # required FTE less permanent capacity: posts to fill
    hired = np.zeros((D, M + 1))  # hires joined up to each point
    vacant[:, 0] = required[:, 0] - experienced[:, 0] - nqsw_cap[:, 0]
    for m in range(1, M + 1):
        hires = pool[:, m - 1]
        if driven.any():
            k = m - 1 - lag  # hires joining now were recruited to the posts vacant at point k
            kk = np.clip(k, 0, M)
            need = np.maximum(0.0, vacant[rows, kk] - (hired[:, m - 1] - hired[rows, kk]))
            hires = np.where(driven, np.where(k >= 0, np.minimum(hires, need), 0.0), hires)
        hired[:, m] = hired[:, m - 1] + hires
        experienced[:, m] = experienced[:, m - 1] * stay[:, m - 1] + inflow[:, m] + hires
        vacant[:, m] = required[:, m] - experienced[:, m] - nqsw_cap[:, m]
    return experienced


YEAR_STOCKS = ("children", "required_fte", "available_fte", "gap_fte", "case_holder_fte", "nqsw_fte",
               "agency_fte", "agency_share", "service_leaders", "service_leaders_needed", "placements",
               "caseload_per_fte", "children_above_cap")
YEAR_FLOWS = ("staff_cost", "agency_cost", "placement_cost", "placement_cost_without_prevention")


def yearly(p: Projection, years: int | None = None) -> dict[str, np.ndarray]:
    """Each year's figures, (draws, Y): stocks at the year's end (point 12y), costs summed over its 12 months.

    Also `over_cap`: whether required FTE exceeded available FTE in any month of the year.
    """
    Y = years or p.inputs.years
    ends = np.arange(1, Y + 1) * 12
    out = {k: getattr(p, k)[:, ends] for k in YEAR_STOCKS}
    for k in YEAR_FLOWS:
        flow = getattr(p, k)[:, :Y * 12]
        out[k] = flow.reshape(flow.shape[0], Y, 12).sum(axis=2)
    gap = p.gap_fte[:, 1:Y * 12 + 1].reshape(p.gap_fte.shape[0], Y, 12)
    out["over_cap"] = (gap > 1e-9).any(axis=2)
    return out
