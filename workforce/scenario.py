"""A workforce scenario (TOML, CONTRACT.md "Workforce scenario"), checked at the edge.

`load_scenario` reads the file, checks every key in one pass (each problem names
its key and the fix; unknown keys list the valid ones) and returns a frozen
`Scenario` the model never has to re-check. Policy keys shared with the
allocator are read by `policy.settings.parse_policy`, so they mean the same.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from files.numbers import number_problem
from files.problems import Problem, ValidationError
from files.read import misplaced, read_toml
from policy.settings import CATEGORIES, POLICY_KEYS, Policy, parse_policy

# Weekly costs of a placement by type (DOMAIN.md); `[placements] weekly_cost` overrides.
WEEKLY_COST = {"in_house_fostering": 350.0, "independent_fostering": 800.0, "residential": 3200.0}
ENGLAND_TURNOVER = 0.159  # DfE CSWW 2023, used when a scenario gives none
ENGLAND_AGENCY_COVER = 0.744  # DfE CSWW 2023: the share of vacancies (FTE) covered by agency workers

TOP_KEYS = ("name", "start", "years", "demand", "policy", "workforce", "intake", "costs", "placements",
            "investment", "targets", "from", "uncertainty")
DEMAND_KEYS = ("children", "growth_per_year", "history", "mix", "prevented_children_per_year")
WORKFORCE_KEYS = ("case_holder_fte", "nqsw_fte", "agency_fte", "turnover_per_year", "agency_target_share",
                  "agency_max_fte", "agency_cover", "experienced_hires_per_year", "practitioners_per_service_leader",
                  "service_leaders", "non_case_holding_fte", "recruitment_months")
INTAKE_KEYS = ("month", "nqsw", "experienced", "service_leaders")
COST_KEYS = ("social_worker", "nqsw", "agency_social_worker", "service_leader", "pay_award", "inflation",
             "discount_rate")
COST_DEFAULTS = {"social_worker": 41667.0, "nqsw": 36000.0, "agency_social_worker": 60000.0,
                 "service_leader": 60000.0}
PLACEMENT_KEYS = ("baseline", "growth_per_year", "prevented_per_year", "average_cost", "mix", "weekly_cost")
INVESTMENT_KEYS = ("amount", "pays_for")
TARGET_KEYS = ("agency_share_by", "intake_month")
FROM_KEYS = ("workers", "cases")
UNCERTAIN = ("growth_per_year", "turnover_per_year", "prevention_achieved", "intake_filled", "placement_cost")
UNCERTAINTY_KEYS = UNCERTAIN + ("runs", "seed", "distribution")
POLICY_EXTRA = ("non_availability",)

# Upper bounds on the numbers, far above any council (England has about 400,000 children in need and
# 33,000 children's social workers), so that the projection's arithmetic stays finite and meaningful.
MAX_CHILDREN = 10_000_000  # demand.children, history, prevented; placements baseline and prevented
MAX_FTE = 1_000_000  # any FTE or head count: workforce, intakes, hires, service leaders
MAX_PLACEMENT_GROWTH = 1_000_000  # placements.growth_per_year, children a year either way
MAX_COST = 10_000_000  # pounds a year: a cost per FTE, a placement's average cost, an uncertainty range
MAX_WEEKLY_COST = 200_000  # pounds a week for a placement
MAX_INVESTMENT = 10_000_000_000  # pounds
MAX_SEED = 2**31 - 1
YEAR_MIN, YEAR_MAX = 2000, 2100  # any month the scenario names
# Monte Carlo: the draws are held as arrays of runs x months (about 28 bytes a run-month, measured; 32 with
# margin); this caps them near 400 MB: 33,333 runs over 30 years, 100,000 over 10. 10,000 give steady P10/P90.
MAX_RUN_MONTHS = 12_000_000
BYTES_PER_RUN_MONTH = 32

UNCERTAIN_LIMITS = {"growth_per_year": (-0.5, 1.0), "turnover_per_year": (0.0, 0.9), "prevention_achieved": (0.0, 1.5),
                    "intake_filled": (0.0, 1.0), "placement_cost": (0.0, float(MAX_COST))}
DEFAULT_RUNS = 1000  # Monte Carlo runs when [uncertainty] gives none
DEMAND_MISSING = ("; add a demand section with children = N and growth_per_year = 0.05 (or history = a list of "
                  "yearly counts)")
WORKFORCE_MISSING = ("; add a workforce section with at least case_holder_fte (agency_fte, nqsw_fte and "
                     "turnover_per_year have defaults) (or "
                     "take the workforce from the allocation files with a from section: workers = ..., cases = ...)")

# Where each key of a scenario belongs ("" is the top level): a key TOML read into the wrong table
# (one added after the last [table] header) is reported as misplaced, with the table it belongs in.
HOMES: dict[str, list[str]] = {}
for _table, _keys in (("", ("name", "start", "years")), ("from", FROM_KEYS), ("demand", DEMAND_KEYS),
                      ("policy", POLICY_KEYS + POLICY_EXTRA), ("workforce", WORKFORCE_KEYS),
                      ("intake", INTAKE_KEYS), ("costs", COST_KEYS), ("placements", PLACEMENT_KEYS),
                      ("investment", INVESTMENT_KEYS), ("targets", TARGET_KEYS), ("uncertainty", UNCERTAINTY_KEYS)):
    for _k in _keys:
        HOMES.setdefault(_k, []).append(_table)


@dataclass(frozen=True)
class Month:
    """A calendar month, YYYY-MM."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def plus(self, months: int) -> Month:
        n = self.year * 12 + self.month - 1 + months
        return Month(n // 12, n % 12 + 1)

    def minus(self, other: Month) -> int:
        return (self.year - other.year) * 12 + self.month - other.month


@dataclass(frozen=True)
class Trend:
    """Demand growth: compound, or fitted to a history (linear or log-linear, the lower RMSE)."""

    kind: str  # "compound", "linear" or "log-linear"
    growth_per_year: float = 0.0  # compound rate (compound and log-linear)
    per_year: float = 0.0  # children a year (linear)
    history: tuple[float, ...] = ()
    rmse_linear: float | None = None
    rmse_log_linear: float | None = None
    fitted: tuple[float, ...] = ()


@dataclass(frozen=True)
class Intake:
    """Planned recruitment joining at `month`: NQSWs, experienced social workers, service leaders."""

    month: Month
    nqsw: float = 0.0
    experienced: float = 0.0
    service_leaders: float = 0.0


@dataclass(frozen=True)
class Placements:
    baseline: float
    growth_per_year: float
    prevented_per_year: tuple[float, ...]
    average_cost: float
    mix: dict[str, float] | None = None


@dataclass(frozen=True)
class Uncertainty:
    """Ranges [low, high] for the uncertain inputs; `runs` draws from `seed`."""

    ranges: dict[str, tuple[float, float]]
    runs: int = DEFAULT_RUNS
    seed: int = 0
    distribution: str = "uniform"  # or "triangular" (mode: the scenario's own value)


@dataclass(frozen=True)
class Rates:
    """Figures that may change from year to year: one value a year of the horizon.

    `pay_award` and `inflation` are each year's rise on the year before (year 1's on the costs given,
    0 unless the scenario says otherwise); `discount_rate` (None: no discounting) discounts year y by
    (1 + rate)^(y - 1).
    """

    turnover: tuple[float, ...]
    agency_cover: tuple[float, ...]
    experienced_hires: tuple[float, ...]
    pay_award: tuple[float, ...]
    inflation: tuple[float, ...]
    discount_rate: float | None = None

    def index(self, rises: tuple[float, ...]) -> tuple[float, ...]:
        """Each year's price relative to the costs given: the product of the rises up to it."""
        out, level = [], 1.0
        for r in rises:
            level *= 1 + r
            out.append(level)
        return tuple(out)


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    start: Month
    years: int
    children: float
    trend: Trend
    weight_factor: float  # weighted children per child (1.0 without a [demand] mix)
    prevented_children: tuple[float, ...]  # per year
    policy: Policy
    non_availability: float
    case_holder_fte: float
    nqsw_fte: float
    agency_fte: float
    turnover_per_year: float  # year 1's (the Monte Carlo range varies it, scaling the later years alike)
    agency_target_share: float | None
    agency_max_fte: float | None
    practitioners_per_service_leader: float
    service_leaders: float
    intakes: tuple[Intake, ...]
    costs: dict[str, float]
    placements: Placements | None
    investment: float | None
    rates: Rates
    agency_share_by: Month | None
    intake_month: int
    uncertainty: Uncertainty | None
    non_case_holding_fte: float = 0.0  # permanent social workers in post who hold no cases (agency share only)
    recruitment_months: int | None = None  # None: hires join as planned; else they fill vacancies this much later
    investment_pays_for_intakes: bool = False  # the investment funds the planned intakes (counted once)
    nqsw_qualifying: tuple[float, ...] | None = None  # starting NQSW FTE qualifying in months 1..12, from [from]
    notes: tuple[str, ...] = field(default=())

    @property
    def months(self) -> int:
        return self.years * 12

    def month_label(self, t: int) -> str:
        return str(self.start.plus(t))


class _Checker:
    """Collects problems, each naming its key (e.g. `workforce.agency_fte`) and the fix."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, None, key, message))

    def table(self, doc: dict, key: str, required: bool, why: str = "") -> dict | None:
        v = doc.get(key)
        if v is None:
            if required:
                self.bad(key, f"the {key} section is missing{why}")
            return None
        if not isinstance(v, dict):
            self.bad(key, f"must be a table (a {key} section), not {type(v).__name__}")
            return None
        return v

    def unknown(self, table: dict, valid: tuple[str, ...], prefix: str) -> None:
        for k in sorted(table):
            if k not in valid:
                home = prefix.split("[")[0]
                if prefix and k in HOMES and home not in HOMES[k]:
                    self.bad(f"{prefix}.{k}", misplaced(k, prefix, HOMES[k]))
                    continue
                where = f"the {prefix} section" if prefix else "the top level"
                self.bad(f"{prefix}.{k}" if prefix else k,
                         f"unknown key; valid keys in {where} are: {', '.join(valid)}")

    def optional(self, table: dict, key: str, prefix: str, *, required: bool = False, low: float | None = None,
                 high: float | None = None, low_open: bool = False, integer: bool = False,
                 hint: str = "") -> float | None:
        """The number at `key` (an int if `integer`), or None: missing (a problem if `required`) or not valid."""
        name = f"{prefix}.{key}" if prefix else key
        if key not in table:
            if required:
                self.bad(name, f"is missing; give {hint or 'a number'}")
            return None
        v = table[key]
        msg = number_problem(v, low=low, high=high, low_open=low_open, integer=integer)
        if msg:
            self.bad(name, msg + (f" ({hint})" if hint else ""))
            return None
        return int(v) if integer else float(v)

    def number(self, table: dict, key: str, prefix: str, default: float, *, low: float | None = None,
               high: float | None = None, low_open: bool = False, hint: str = "") -> float:
        """The number at `key`, or `default` when it is missing or not valid (a problem)."""
        v = self.optional(table, key, prefix, low=low, high=high, low_open=low_open, hint=hint)
        return default if v is None else v

    def whole(self, table: dict, key: str, prefix: str, default: int, *, low: int | None = None,
              high: int | None = None, hint: str = "") -> int:
        """The whole number at `key`, or `default` when it is missing or not valid (a problem)."""
        v = self.optional(table, key, prefix, low=low, high=high, integer=True, hint=hint)
        return default if v is None else int(v)

    def month(self, value: object, name: str) -> Month | None:
        got = None
        if isinstance(value, date):
            got = Month(value.year, value.month)
        elif isinstance(value, str):
            parts = value.strip().split("-")
            if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
                y, m = int(parts[0]), int(parts[1])
                if 1 <= m <= 12:
                    got = Month(y, m)
        if got is None:
            self.bad(name, f"{value!r} is not a month; write it as \"YYYY-MM\", e.g. \"2027-04\"")
        elif not YEAR_MIN <= got.year <= YEAR_MAX:
            self.bad(name, f"{got} is outside the years this tool plans, {YEAR_MIN} to {YEAR_MAX}; check the year, "
                     "e.g. \"2027-04\"")
            got = None
        return got

    def per_year(self, table: dict, key: str, prefix: str, years: int | None, *, low: float = 0.0,
                 high: float = float(MAX_CHILDREN)) -> tuple[float, ...]:
        """A number for every year, or a list with one value a year."""
        name = f"{prefix}.{key}"
        if key not in table:
            return tuple([0.0] * (years or 0))
        v = table[key]
        fix = f"give one number, or a list with one number a year ({years or 'years'} values)"
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            values = [v] * (years or 0)
        elif isinstance(v, list):
            values = v
            if years is not None and len(v) != years:
                self.bad(name, f"has {len(v)} values but the scenario runs {years} years; {fix}")
                return tuple([0.0] * years)
        else:
            self.bad(name, f"{v!r} is not valid; {fix}")
            return tuple([0.0] * (years or 0))
        if any(not isinstance(x, (int, float)) or isinstance(x, bool) or not math.isfinite(x) or not low <= x <= high
               for x in values):
            self.bad(name, f"{v!r} is not valid; every value must be a number of at least {low:g} and at most "
                     f"{high:,.0f}")
            return tuple([0.0] * (years or 0))
        return tuple(float(x) for x in values)

    def yearly(self, table: dict, key: str, prefix: str, years: int | None, default: float, *, low: float,
               high: float, hint: str, first: float | None = None) -> tuple[float, ...]:
        """A rate for each year: one number (every year; from year 2 on when `first` is given, year 1 then
        taking `first`), or a list with one number a year. `default` every year when missing or not valid."""
        n = years or 1
        name = f"{prefix}.{key}"
        if key not in table:
            return (default,) * n
        v = table[key]
        if isinstance(v, list):
            if years is not None and len(v) != years:
                self.bad(name, f"has {len(v)} values but the scenario runs {years} years; give one number, or a "
                         f"list with one number a year ({hint})")
                return (default,) * n
            got = [self.optional({key: x}, key, prefix, low=low, high=high, hint=hint) for x in v]
            return (default,) * n if any(g is None for g in got) else tuple(float(g or 0.0) for g in got)
        one = self.optional(table, key, prefix, low=low, high=high, hint=hint)
        if one is None:
            return (default,) * n
        return (one,) * n if first is None else (first,) + (one,) * (n - 1)

    def shares(self, v: object, name: str, valid: tuple[str, ...]) -> dict[str, float] | None:
        """A table of shares over `valid` names that adds up to 1."""
        if not isinstance(v, dict) or not v:
            self.bad(name, f"use a table of shares adding up to 1, e.g. {{ {valid[0]} = 0.6, {valid[1]} = 0.4 }}")
            return None
        out: dict[str, float] = {}
        for k, s in sorted(v.items()):
            if k not in valid:
                self.bad(f"{name}.{k}", f"unknown; use one of: {', '.join(valid)}")
            elif not isinstance(s, (int, float)) or isinstance(s, bool) or not 0 <= s <= 1:
                self.bad(f"{name}.{k}", f"{s!r} is not valid; use a share between 0 and 1")
            else:
                out[k] = float(s)
        if len(out) == len(v) and abs(sum(out.values()) - 1) > 0.01:
            self.bad(name, f"shares add up to {sum(out.values()):.3f}; they must add up to 1")
            return None
        return out if len(out) == len(v) else None


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario TOML; raise ValidationError listing every problem."""
    path = Path(path)
    doc = read_toml(path)
    return parse_scenario(doc, path.name, path.parent)


def parse_scenario(doc: dict, file: str = "scenario", folder: Path | None = None) -> Scenario:
    """Check a scenario table (as read from TOML); `folder` resolves [from] paths."""
    ck = _Checker(file)
    notes: list[str] = []
    name, start, years = _top(doc, ck, file)
    source = ck.table(doc, "from", required=False)
    if source is not None:
        ck.unknown(source, FROM_KEYS, "from")
    demand_t = ck.table(doc, "demand", required=True, why=DEMAND_MISSING)
    policy_t = ck.table(doc, "policy", required=False) or {}
    policy = _policy(policy_t, ck)
    non_availability = ck.number(policy_t, "non_availability", "policy", 0.0, low=0, high=0.9,
                                 hint="the share of FTE lost to sickness, leave and training, e.g. 0.035")
    workforce_t = ck.table(doc, "workforce", required=source is None, why=WORKFORCE_MISSING)
    demand = _demand(demand_t, ck, policy, years, from_files=source is not None)
    wf = _workforce(workforce_t, ck, notes, from_files=source is not None, years=years)
    intakes = _intakes(doc, ck, start, years)
    costs_t = ck.table(doc, "costs", required=False) or {}
    costs = _costs(costs_t, ck)
    rates = Rates(wf.turnover, wf.agency_cover, wf.experienced_hires,
                  pay_award=ck.yearly(costs_t, "pay_award", "costs", years, 0.0, low=-0.5, high=1.0, first=0.0,
                                      hint="the yearly rise in staff costs, e.g. 0.03 for 3%"),
                  inflation=ck.yearly(costs_t, "inflation", "costs", years, 0.0, low=-0.5, high=1.0, first=0.0,
                                      hint="the yearly rise in placement costs, e.g. 0.05 for 5%"),
                  discount_rate=ck.optional(costs_t, "discount_rate", "costs", low=0, high=1,
                                            hint="a yearly discount rate, e.g. 0.035 (HM Treasury Green Book)"))
    placements = _placements(ck.table(doc, "placements", required=False), ck, years)
    investment, pays_for_intakes = _investment(ck.table(doc, "investment", required=False), ck, placements,
                                               intakes)
    share_by, intake_month = _targets(ck.table(doc, "targets", required=False) or {}, ck, start, years,
                                      wf.agency_target_share, intakes)
    uncertainty = _uncertainty(ck.table(doc, "uncertainty", required=False), ck, years)
    got = None
    if source is not None and start is not None:
        got = _from_allocation(source, ck, folder or Path("."), policy, start)
    if got is not None:
        demand = demand._replace(children=got.children, weight_factor=got.weight_factor)
        wf = wf._replace(case_holder_fte=got.case_holder_fte, nqsw_fte=got.nqsw_fte, agency_fte=got.agency_fte)
        notes.append(got.note)
    if ck.problems:
        raise ValidationError(ck.problems)
    # every value a problem would have left unknown was reported above
    assert start is not None and years is not None and demand.children is not None
    assert wf.case_holder_fte is not None
    case_holder, nqsw, agency = wf.case_holder_fte, wf.nqsw_fte, wf.agency_fte
    ppsl = wf.practitioners_per_service_leader
    leaders = wf.service_leaders or 0.0
    return Scenario(
        name=name, file=file, start=start, years=years, children=demand.children, trend=demand.trend,
        weight_factor=demand.weight_factor, prevented_children=demand.prevented, policy=policy,
        non_availability=non_availability, case_holder_fte=case_holder, nqsw_fte=nqsw, agency_fte=agency,
        turnover_per_year=wf.turnover[0], agency_target_share=wf.agency_target_share,
        agency_max_fte=wf.agency_max_fte, practitioners_per_service_leader=ppsl, service_leaders=float(leaders),
        rates=rates, non_case_holding_fte=wf.non_case_holding_fte, recruitment_months=wf.recruitment_months,
        investment_pays_for_intakes=pays_for_intakes,
        intakes=tuple(sorted(intakes, key=lambda i: (i.month.minus(start), i.nqsw, i.experienced))),
        costs=costs, placements=placements, investment=investment, agency_share_by=share_by,
        intake_month=intake_month, uncertainty=uncertainty, nqsw_qualifying=got.nqsw_qualifying if got else None,
        notes=tuple(notes))


def _top(doc: dict, ck: _Checker, file: str) -> tuple[str, Month | None, int | None]:
    """The top-level keys: the scenario's name, its first month and its years."""
    ck.unknown(doc, TOP_KEYS, "")
    name = doc.get("name", Path(file).stem)
    if not isinstance(name, str) or not name.strip():
        ck.bad("name", f"{name!r} is not valid; give the scenario a name in quotes")
        name = Path(file).stem
    start = None
    if "start" not in doc:
        ck.bad("start", "is missing; give the first month of the projection, e.g. start = \"2027-04\"")
    else:
        start = ck.month(doc["start"], "start")
    years = ck.optional(doc, "years", "", required=True, low=1, high=30, integer=True,
                        hint="the number of years to project, e.g. years = 4")
    return name.strip(), start, None if years is None else int(years)


def _policy(table: dict, ck: _Checker) -> Policy:
    """The [policy] table, read as the allocator reads a policy file (non_availability is the planner's own)."""
    policy, problems = parse_policy(table, ck.file, extra_keys=POLICY_EXTRA, name="policy", homes=HOMES)
    ck.problems += [Problem(p.file, p.row, f"policy.{p.column}" if p.column else "policy", p.message, p.severity)
                    for p in problems if p.severity == "error"]  # the allocator's warnings are not the planner's
    return policy


class _Demand(NamedTuple):
    children: float | None = None  # None: not known yet (from [from], or a problem reported)
    trend: Trend = Trend("compound")
    weight_factor: float = 1.0  # weighted children per child
    prevented: tuple[float, ...] = ()  # children a year


def _demand(t: dict | None, ck: _Checker, policy: Policy, years: int | None, from_files: bool) -> _Demand:
    """The [demand] table: children now, the growth trend (a rate or a fitted history), the mix, prevention."""
    if t is None:
        return _Demand()
    ck.unknown(t, DEMAND_KEYS, "demand")
    children = ck.optional(t, "children", "demand", required=not from_files and "history" not in t, low=0,
                           high=MAX_CHILDREN, hint="the number of children needing a case-holding social worker now")
    if from_files and "children" in t:
        ck.bad("demand.children", "is given here and by the from section's cases; remove one")
    trend = Trend("compound")
    if "history" in t and "growth_per_year" in t:
        ck.bad("demand.history", "is given with growth_per_year; give one: a growth rate or a history to fit")
    elif "history" in t:
        trend = _fit_history(t["history"], ck)
        if children is None and trend.history and not from_files:
            children = trend.history[-1]
    else:
        g = ck.number(t, "growth_per_year", "demand", 0.0, low=-0.5, high=1.0, hint="a yearly rate such as 0.05 for 5%")
        trend = Trend("compound", growth_per_year=g or 0.0)  # -0.0 as 0.0
    weight_factor = 1.0
    if "mix" in t:
        mix = ck.shares(t["mix"], "demand.mix", CATEGORIES)
        if mix:
            weight_factor = sum(share * policy.weight(cat) for cat, share in mix.items())
    prevented = ck.per_year(t, "prevented_children_per_year", "demand", years)
    return _Demand(children, trend, weight_factor, prevented)


class _Workforce(NamedTuple):
    case_holder_fte: float | None  # None: not known yet (from [from], or a problem reported)
    nqsw_fte: float
    agency_fte: float
    turnover: tuple[float, ...]  # a year
    agency_target_share: float | None
    agency_max_fte: float | None
    agency_cover: tuple[float, ...]  # a year
    experienced_hires: tuple[float, ...]  # a year
    practitioners_per_service_leader: float
    service_leaders: float | None  # None: not given (none costed)
    non_case_holding_fte: float
    recruitment_months: int | None


def _workforce(t: dict | None, ck: _Checker, notes: list[str], from_files: bool, years: int | None) -> _Workforce:
    """The [workforce] table (optional when [from] gives the workforce); a missing turnover is England's."""
    missing = t is None and not from_files
    t = t if t is not None else {}
    ck.unknown(t, WORKFORCE_KEYS, "workforce")
    if from_files:
        for k in ("case_holder_fte", "nqsw_fte", "agency_fte"):
            if k in t:
                ck.bad(f"workforce.{k}", "is given here and by the from section's workers; remove one")
    case_holder = ck.optional(t, "case_holder_fte", "workforce", required=not from_files and not missing, low=0,
                              high=MAX_FTE, hint="the permanent, experienced case-holding FTE, e.g. 76.8")
    nqsw = ck.number(t, "nqsw_fte", "workforce", 0.0, low=0, high=MAX_FTE, hint="FTE of NQSWs in their ASYE year")
    agency = ck.number(t, "agency_fte", "workforce", 0.0, low=0, high=MAX_FTE, hint="agency social worker FTE")
    turnover = ck.yearly(t, "turnover_per_year", "workforce", years, ENGLAND_TURNOVER, low=0, high=0.9,
                         hint="the annual leaving rate, e.g. 0.127 for 12.7%")
    if "turnover_per_year" not in t:
        notes.append(f"workforce.turnover_per_year not given; using England's 2023 rate {ENGLAND_TURNOVER:.1%}")
    cover = ck.yearly(t, "agency_cover", "workforce", years, ENGLAND_AGENCY_COVER, low=0, high=1,
                      hint="the share of vacant FTE agency staff fill, e.g. 0.744 (England 2023); 1.0 = all")
    if "agency_cover" not in t:
        notes.append(f"workforce.agency_cover not given; agency staff fill {ENGLAND_AGENCY_COVER:.1%} of vacant FTE "
                     "(England 2023), the rest shows as caseloads above the cap")
    leaders = ck.optional(t, "service_leaders", "workforce", low=0, high=MAX_FTE, hint="team managers now")
    if leaders is None and "service_leaders" not in t:
        notes.append("workforce.service_leaders not given; team managers in post now are not costed (only those an "
                     "[[intake]] adds; the service leaders needed are still shown)")
    lag = ck.optional(t, "recruitment_months", "workforce", low=0, high=36, integer=True,
                      hint="months from a post falling vacant to a permanent starter, e.g. 6")
    return _Workforce(
        case_holder, nqsw, agency, turnover,
        agency_target_share=ck.optional(t, "agency_target_share", "workforce", low=0, high=1,
                                        hint="a share such as 0.10 for 10%"),
        agency_max_fte=ck.optional(t, "agency_max_fte", "workforce", low=0, high=MAX_FTE,
                                   hint="the most agency FTE the council can find"),
        agency_cover=cover,
        experienced_hires=ck.yearly(t, "experienced_hires_per_year", "workforce", years, 0.0, low=0, high=MAX_FTE,
                                    hint="experienced FTE recruited a year, spread evenly"),
        practitioners_per_service_leader=ck.number(t, "practitioners_per_service_leader", "workforce", 6.0, low=1,
                                                   high=1000, hint="practitioners a team manager leads, e.g. 6"),
        service_leaders=leaders,
        non_case_holding_fte=ck.number(t, "non_case_holding_fte", "workforce", 0.0, low=0, high=MAX_FTE,
                                       hint="permanent social workers in post who hold no cases"),
        recruitment_months=None if lag is None else int(lag))


def _intakes(doc: dict, ck: _Checker, start: Month | None, years: int | None) -> list[Intake]:
    """The [[intake]] tables: who joins in which month, inside the horizon."""
    raw = doc.get("intake", [])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or any(not isinstance(i, dict) for i in raw):
        ck.bad("intake", "use intake tables (double brackets around intake), each with month, nqsw and experienced")
        raw = []
    intakes = []
    for n, it in enumerate(raw, start=1):
        prefix = f"intake[{n}]"
        ck.unknown(it, INTAKE_KEYS, prefix)
        month = None
        if "month" not in it:
            ck.bad(f"{prefix}.month", "is missing; give the month the intake joins, e.g. month = \"2027-09\"")
        else:
            month = _in_horizon(ck.month(it["month"], f"{prefix}.month"), f"{prefix}.month", ck, start, years)
        nqsw = ck.number(it, "nqsw", prefix, 0.0, low=0, high=MAX_FTE, hint="NQSW FTE joining")
        experienced = ck.number(it, "experienced", prefix, 0.0, low=0, high=MAX_FTE, hint="experienced FTE joining")
        leaders = ck.number(it, "service_leaders", prefix, 0.0, low=0, high=MAX_FTE, hint="team managers joining")
        if month is not None:
            intakes.append(Intake(month, nqsw, experienced, leaders))
    return intakes


def _in_horizon(month: Month | None, name: str, ck: _Checker, start: Month | None,
                years: int | None) -> Month | None:
    """An intake's month, or None (a problem) when it falls outside the projection."""
    if month is None or start is None or not years:
        return month
    k = month.minus(start)
    if k < 0:
        ck.bad(name, f"{month} is before the start {start}; give a month from {start} on")
        return None
    if k >= years * 12:
        ck.bad(name, f"{month} is after the projection ends ({start.plus(years * 12 - 1)}); "
               "give a month inside the horizon or raise years")
        return None
    return month


def _costs(t: dict, ck: _Checker) -> dict[str, float]:
    """The [costs] table: a yearly cost per FTE of each kind, defaults where not given."""
    ck.unknown(t, COST_KEYS, "costs")
    return {k: ck.number(t, k, "costs", d, low=0, high=MAX_COST, hint="a yearly cost per FTE in pounds")
            for k, d in COST_DEFAULTS.items()}


def _investment(t: dict | None, ck: _Checker, placements: Placements | None,
                intakes: list[Intake]) -> tuple[float | None, bool]:
    """The [investment] amount, judged in placements avoided (so it needs [placements]), and whether it pays
    for the planned intakes (`pays_for = "intakes"`: their staff cost is then counted once, not twice)."""
    if t is None:
        return None, False
    ck.unknown(t, INVESTMENT_KEYS, "investment")
    amount = ck.optional(t, "amount", "investment", required=True, low=0, low_open=True, high=MAX_INVESTMENT,
                         hint="the amount invested in pounds, e.g. 500000")
    if placements is None:
        ck.bad("investment", "needs a placements section with average_cost to judge payback in placements avoided")
    pays_for = t.get("pays_for", "")
    if pays_for not in ("", "intakes"):
        ck.bad("investment.pays_for", f"{pays_for!r} is not valid; use \"intakes\" (the investment pays for the "
               "planned intakes' staff) or leave it out (money spent on top of the staff)")
    elif pays_for == "intakes" and not intakes:
        ck.bad("investment.pays_for", "says the investment pays for the intakes, but the scenario plans none; add "
               "[[intake]] tables or remove pays_for")
    return amount, pays_for == "intakes"


def _targets(t: dict, ck: _Checker, start: Month | None, years: int | None, target: float | None,
             intakes: list[Intake]) -> tuple[Month | None, int]:
    """The [targets] table: the month the agency target is read at, and the month NQSW cohorts join."""
    ck.unknown(t, TARGET_KEYS, "targets")
    share_by = None
    if "agency_share_by" in t:
        share_by = ck.month(t["agency_share_by"], "targets.agency_share_by")
        if share_by and start and years and not 0 <= share_by.minus(start) < years * 12:
            ck.bad("targets.agency_share_by", f"{share_by} is outside the projection; give a month from {start} "
                   f"to {start.plus(years * 12 - 1)} (the share is read at that month's end)")
            share_by = None
        if target is None:
            ck.bad("targets.agency_share_by", "needs workforce.agency_target_share, the share to reach")
    first_nqsw = next((i.month.month for i in sorted(intakes, key=lambda i: i.month.minus(Month(0, 1)))
                       if i.nqsw > 0), 9)
    intake_month = ck.whole(t, "intake_month", "targets", first_nqsw, low=1, high=12,
                            hint="the month of the year NQSW cohorts join, e.g. 9 for September")
    return share_by, intake_month


def _fit_history(v: object, ck: _Checker) -> Trend:
    """Fit linear and log-linear trends to yearly values; keep the one with the lower RMSE."""
    import numpy as np

    if (not isinstance(v, list) or len(v) < 3
            or any(not isinstance(x, (int, float)) or isinstance(x, bool) or not 0 < x <= MAX_CHILDREN for x in v)):
        ck.bad("demand.history", f"{v!r} is not valid; give at least 3 yearly counts above 0 (and at most "
               f"{MAX_CHILDREN:,}), oldest first, e.g. history = [1958, 1880, 1744, 1991, 2482]")
        return Trend("compound")
    y = np.array(v, dtype=float)
    x = np.arange(len(y), dtype=float)
    b, a = np.polyfit(x, y, 1)
    lin = a + b * x
    d, c = np.polyfit(x, np.log(y), 1)
    log = np.exp(c + d * x)
    rmse_lin = float(np.sqrt(np.mean((y - lin) ** 2)))
    rmse_log = float(np.sqrt(np.mean((y - log) ** 2)))
    if rmse_lin <= rmse_log:
        return Trend("linear", per_year=float(b), history=tuple(y), rmse_linear=rmse_lin, rmse_log_linear=rmse_log,
                     fitted=tuple(float(f) for f in lin))
    return Trend("log-linear", growth_per_year=float(np.exp(d) - 1), history=tuple(y), rmse_linear=rmse_lin,
                 rmse_log_linear=rmse_log, fitted=tuple(float(f) for f in log))


def _placements(t: dict | None, ck: _Checker, years: int | None) -> Placements | None:
    """The [placements] table: looked-after children now, their growth, prevention, and a placement's cost."""
    if t is None:
        return None
    ck.unknown(t, PLACEMENT_KEYS, "placements")
    baseline = ck.optional(t, "baseline", "placements", required=True, low=0, high=MAX_CHILDREN,
                           hint="looked-after children now")
    growth = ck.number(t, "growth_per_year", "placements", 0.0, low=-MAX_PLACEMENT_GROWTH, high=MAX_PLACEMENT_GROWTH,
                       hint="children a year, without prevention")
    prevented = ck.per_year(t, "prevented_per_year", "placements", years)
    weekly = dict(WEEKLY_COST)
    if "weekly_cost" in t:
        wc = t["weekly_cost"]
        if not isinstance(wc, dict):
            ck.bad("placements.weekly_cost",
                   "use a table of weekly costs by placement type, e.g. { residential = 3200 }")
        else:
            for k in sorted(wc):
                if k not in WEEKLY_COST:
                    ck.bad(f"placements.weekly_cost.{k}", f"unknown; use one of: {', '.join(WEEKLY_COST)}")
                else:
                    weekly[k] = ck.number(wc, k, "placements.weekly_cost", weekly[k], low=0, high=MAX_WEEKLY_COST)
    mix = None
    if "mix" in t:
        mix = ck.shares(t["mix"], "placements.mix", tuple(WEEKLY_COST))
    average = ck.optional(t, "average_cost", "placements", low=0, low_open=True, high=MAX_COST,
                          hint="the cost of a placement a year in pounds, e.g. 40000")
    if "average_cost" in t and "mix" in t:
        ck.bad("placements.mix", "is given with average_cost; give one: an average cost or a mix by placement type")
    elif average is None and mix:
        average = sum(share * weekly[k] * 52 for k, share in mix.items())
    elif average is None and "average_cost" not in t and "mix" not in t:
        ck.bad("placements.average_cost", "is missing; give the cost of a placement a year (e.g. 40000), "
               "or a mix by placement type, e.g. mix = { in_house_fostering = 0.6, independent_fostering = 0.3, "
               "residential = 0.1 }")
    if baseline is None or average is None:
        return None
    return Placements(baseline, growth, prevented, average, mix)


def _uncertainty(t: dict | None, ck: _Checker, years: int | None = None) -> Uncertainty | None:
    """The [uncertainty] table: a range for each uncertain input, the runs, the seed and the distribution."""
    if t is None:
        return None
    ck.unknown(t, UNCERTAINTY_KEYS, "uncertainty")
    ranges = {}
    for key in UNCERTAIN:
        if key not in t:
            continue
        v = t[key]
        lo, hi = UNCERTAIN_LIMITS[key]
        if (not isinstance(v, list) or len(v) != 2
                or any(not isinstance(x, (int, float)) or isinstance(x, bool) or not lo <= x <= hi for x in v)
                or v[0] > v[1]):
            ck.bad(f"uncertainty.{key}", f"{v!r} is not valid; give two numbers, low then high, "
                   f"with {lo} <= low <= high <= {hi}, e.g. {[lo, hi]}")
            continue
        ranges[key] = (float(v[0]), float(v[1]))
    runs = ck.whole(t, "runs", "uncertainty", DEFAULT_RUNS, low=1, high=1_000_000)
    if years:
        months = years * 12
        if runs * months > MAX_RUN_MONTHS:
            most = MAX_RUN_MONTHS // months
            need = runs * (months + 1) * BYTES_PER_RUN_MONTH / 1024 ** 3
            ck.bad("uncertainty.runs", f"{runs:,} runs over {years} years ({months} months) would hold about "
                   f"{need:,.1f} GB of draws in memory; runs x months may be at most {MAX_RUN_MONTHS:,}, so over "
                   f"{years} years use at most {most:,} runs, or fewer years (10,000 runs already give steady "
                   "P10/P50/P90)")
    seed = ck.whole(t, "seed", "uncertainty", 0, low=0, high=MAX_SEED)
    dist = t.get("distribution", "uniform")
    if dist not in ("uniform", "triangular"):
        ck.bad("uncertainty.distribution", f"{dist!r} is not valid; use \"uniform\" or \"triangular\"")
        dist = "uniform"
    return Uncertainty(ranges, runs, seed, dist)


class _FromFiles(NamedTuple):
    children: float
    weight_factor: float
    case_holder_fte: float
    nqsw_fte: float
    agency_fte: float
    nqsw_qualifying: tuple[float, ...]  # starting NQSW FTE qualifying in months 1..12
    note: str


def _from_allocation(source: dict, ck: _Checker, folder: Path, policy: Policy, start: Month) -> _FromFiles | None:
    """Starting demand and workforce from the allocation inputs, capacity as the allocator computes it.

    Mapping (capacity in children, divided by children_per_fte, so both tools agree):
    case_holder_fte = permanent non-NQSW case holders' capacity / children_per_fte (managers count at
    manager_max_cases); agency_fte = agency workers' capacity / children_per_fte; nqsw_fte = permanent
    NQSWs' capacity / (children_per_fte * nqsw_capacity_share); demand.children = children in cases.
    """
    from dataclasses import replace

    from allocator.inputs import load_instance

    for key in FROM_KEYS:
        if key not in source:
            ck.bad(f"from.{key}", f"is missing; give the {key} file, relative to the scenario")
        elif not isinstance(source[key], str):
            ck.bad(f"from.{key}", f"{source[key]!r} is not a file name; write it in quotes")
    if ck.problems:
        return None
    pol = policy if policy.as_of else replace(policy, as_of=date(start.year, start.month, 1))
    try:
        loaded = load_instance(folder / source["workers"], folder / source["cases"], pol)
    except ValidationError as e:
        ck.problems += e.problems
        return None
    inst = loaded.instance
    cpf = pol.children_per_fte
    perm = [w for w in inst.workers if w.employment == "permanent"]
    case_holder = sum(w.capacity for w in perm if not w.is_nqsw) / cpf
    agency = sum(w.capacity for w in inst.workers if w.employment == "agency") / cpf
    nqsws = [w for w in perm if w.is_nqsw]
    nqsw = sum(w.capacity for w in nqsws) / (cpf * pol.nqsw_capacity_share)
    qualifying = [0.0] * 12
    for w in nqsws:
        fte = w.capacity / (cpf * pol.nqsw_capacity_share)
        if w.asye_start is None:
            for m in range(12):
                qualifying[m] += fte / 12
        else:
            k = Month(w.asye_start.year, w.asye_start.month).plus(12).minus(start)
            qualifying[min(max(k, 1), 12) - 1] += fte
    children = len(inst.children)
    weighted = sum(c.weight for c in inst.children)
    factor = weighted / children if children else 1.0
    note = (f"from {inst.workers_file} and {inst.cases_file}: {children} children, case-holder capacity "
            f"{case_holder:.1f} FTE, NQSW {nqsw:.1f} FTE, agency {agency:.1f} FTE (capacity / children_per_fte)")
    return _FromFiles(float(children), factor, round(case_holder, 4), round(nqsw, 4), round(agency, 4),
                      tuple(qualifying), note)
