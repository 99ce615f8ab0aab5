"""The policy both halves share: caps, NQSW rules, weights, and a worker's capacity.

Every key is optional; defaults and their sources are in ../shared/CONTRACT.md.
The workforce planner reads the same keys through `parse_policy`, so a cap set
once means the same thing to the allocator and to the planner.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from files.columns import CONTRACT_COLUMNS, header_key
from files.numbers import number_problem
from files.problems import Problem
from files.read import DATE_MAX, DATE_MIN, misplaced, read_toml

ROLES = ("social_worker", "nqsw", "senior_social_worker", "consultant_social_worker", "service_leader")
MANAGER_ROLES = ("consultant_social_worker", "service_leader")
CATEGORIES = ("cin", "cp", "lac", "care_leaver", "assessment")
PRIORITIES = ("high", "medium", "low")
# the order of what makes one plan better (CONTRACT.md); `objective_order` chooses another order of the same stages
OBJECTIVE_ORDER = ("dropped", "fixed_worker_not_met", "waiting_high", "over_capacity", "waiting_medium",
                   "waiting_low", "moves", "fairness")


@dataclass(frozen=True)
class Policy:
    children_per_fte: float = 15.0
    manager_max_cases: float = 6.0
    nqsw_capacity_share: float = 0.9
    nqsw_ramp: tuple[tuple[int, float], ...] | None = None
    nqsw_may_lead_cp: bool = False
    max_nqsw_per_supervisor: int = 3
    supervisor_roles: tuple[str, ...] = ("senior_social_worker", "consultant_social_worker", "service_leader")
    weights: dict[str, float] = field(default_factory=lambda: {c: 1.0 for c in CATEGORIES})
    cross_team: bool = False
    time_limit_seconds: float = 60.0
    seed: int = 0
    as_of: date | None = None  # the plan date: absences, days waiting, the NQSW ramp; default today
    reallocate_after_weeks: float = 4.0  # a longer absence (or one with no end) has its children reallocated
    over_capacity_for: tuple[str, ...] = ()  # priorities whose children may go above capacity rather than wait
    over_capacity_max: float = 1.0  # weighted children above capacity per worker, for those priorities
    objective_order: tuple[str, ...] = OBJECTIVE_ORDER
    columns: dict[str, str] = field(default_factory=dict)  # [columns]: contract column -> a local export's header

    def today(self) -> date:
        return self.as_of or date.today()

    def nqsw_share(self, asye_start: date | None) -> float:
        """Capacity share of an NQSW: the ramp by months since `asye_start`, else the flat share."""
        if not self.nqsw_ramp or asye_start is None:
            return self.nqsw_capacity_share
        today = self.today()
        months = (today.year - asye_start.year) * 12 + today.month - asye_start.month
        share = self.nqsw_ramp[0][1]
        for month, value in self.nqsw_ramp:
            if months >= month:
                share = value
        return share

    def capacity(self, role: str, fte: float, asye_start: date | None = None,
                 max_children: float | None = None) -> float:
        """A worker's capacity in weighted children, per the contract."""
        if role in MANAGER_ROLES:
            cap = self.manager_max_cases * fte
        else:
            cap = self.children_per_fte * fte
            if role == "nqsw":
                cap *= self.nqsw_share(asye_start)
        if max_children is not None:
            cap = min(cap, max_children)
        return round(cap, 2)

    def weight(self, category: str) -> float:
        return self.weights.get(category, 1.0)


POLICY_KEYS = tuple(f.name for f in fields(Policy))


class _Bounds(NamedTuple):
    """The range a numeric policy key accepts (files.numbers.number_problem's terms)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    integer: bool = False


_NUMBER_BOUNDS: dict[str, _Bounds] = {  # the policy keys that are numbers
    "children_per_fte": _Bounds(low=0, low_open=True, high=100),
    "manager_max_cases": _Bounds(low=0, high=100),
    "nqsw_capacity_share": _Bounds(low=0, low_open=True, high=1),
    "max_nqsw_per_supervisor": _Bounds(low=0, integer=True, high=100),
    "time_limit_seconds": _Bounds(low=0, low_open=True, high=86400),
    "seed": _Bounds(low=0, integer=True, high=2**31 - 1),  # the solver's random seed is a 32-bit number
    "reallocate_after_weeks": _Bounds(low=0, high=520),
    "over_capacity_max": _Bounds(low=0, high=100),
}


def _number(value: object, key: str, problems: list[Problem], file: str, *, low: float | None = None,
            high: float | None = None, low_open: bool = False, integer: bool = False) -> float | None:
    msg = number_problem(value, low=low, high=high, low_open=low_open, integer=integer)
    if msg:
        problems.append(Problem(file, None, key, msg))
        return None
    assert isinstance(value, (int, float))  # number_problem passes numbers only
    return int(value) if integer else float(value)


def _bool(value: object, key: str, problems: list[Problem], file: str) -> bool | None:
    if isinstance(value, bool):
        return value
    problems.append(Problem(file, None, key, f"{value!r} is not valid; use true or false"))
    return None


def parse_policy(table: Mapping[str, object], file: str = "policy", extra_keys: tuple[str, ...] = (), *, name: str = "",
                 homes: dict[str, list[str]] | None = None) -> tuple[Policy, list[Problem]]:
    """Check a policy table; return the Policy and every problem found.

    `extra_keys` are keys another reader (the workforce scenario) handles itself:
    they are skipped here rather than flagged as unknown. `name` is the table's own name in its
    file ("" for a policy file, "policy" in a scenario) and `homes` says where the file's other keys
    belong, so a key TOML read into the wrong table is reported as misplaced, not unknown.
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}  # Policy's keyword arguments, each of its field's type
    if homes is None:
        homes = {k: [""] for k in POLICY_KEYS}
    weights_table = f"{name}.weights" if name else "weights"
    for key in sorted(table):
        if key in extra_keys:
            continue
        if key in POLICY_KEYS:
            values[key] = _policy_value(key, table[key], problems, file, weights_table, homes)
        else:
            problems.append(_stray_key(key, file, extra_keys, name, homes, weights_table))
    values = {k: v for k, v in values.items() if v is not None}
    return Policy(**values), problems


def _stray_key(key: str, file: str, extra_keys: tuple[str, ...], name: str, homes: dict[str, list[str]],
               weights_table: str) -> Problem:
    """The problem with a key that is not a policy key: misplaced, a category weight, or unknown."""
    if name and key in homes and name not in homes[key]:
        return Problem(file, None, key, misplaced(key, name, homes[key]))
    if key in CATEGORIES:
        return Problem(file, None, key, f"'{key}' is a category weight, not a policy key; put it in "
                       f"the [{weights_table}] table, e.g. {key} = 1.5 on a line after [{weights_table}]")
    if key in CONTRACT_COLUMNS:
        columns_table = weights_table.removesuffix("weights") + "columns"
        return Problem(file, None, key, f"'{key}' is a column of the input files, not a policy key; to read a "
                       f"header of yours as {key}, put it in the [{columns_table}] table, e.g. {key} = \"Your "
                       f"Header\" on a line after [{columns_table}]")
    valid = POLICY_KEYS + extra_keys
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(file, None, key, f"unknown policy key; {hint}valid keys are: {', '.join(valid)}")


def _policy_value(key: str, v: object, problems: list[Problem], file: str, weights_table: str,
                  homes: dict[str, list[str]]) -> object:
    """The value of policy key `key` (None when it is not valid: then a problem says why)."""
    if key in _NUMBER_BOUNDS:
        b = _NUMBER_BOUNDS[key]
        value = _number(v, key, problems, file, low=b.low, high=b.high, low_open=b.low_open, integer=b.integer)
        if key == "children_per_fte" and value is not None and value < 1:
            # under one child per FTE, FTE needed run to 1e300
            problems.append(Problem(file, None, key, f"{v!r} is not valid; the cap is children per FTE, "
                                    "e.g. 15: use a number from 1 to 100"))
            return None
        return value
    if key == "nqsw_ramp":
        return _ramp(v, key, problems, file)
    if key in ("nqsw_may_lead_cp", "cross_team"):
        return _bool(v, key, problems, file)
    if key == "supervisor_roles":
        return _supervisor_roles(v, key, problems, file)
    if key == "weights":
        return _weights(v, key, problems, file, weights_table, homes)
    if key == "as_of":
        return _as_of(v, key, problems, file)
    if key in ("objective_order", "over_capacity_for"):
        return _names(key, v, problems, file)
    if key == "columns":
        return _columns(v, problems, file, weights_table.removesuffix("weights") + "columns", homes)
    return None


def _columns(v: object, problems: list[Problem], file: str, table: str,
             homes: dict[str, list[str]]) -> dict[str, str] | None:
    """[columns]: contract column -> the header a council's export gives it (files/columns.py reads it)."""
    example = 'current_worker = "Allocated SW"'
    if not isinstance(v, dict):
        problems.append(Problem(file, None, "columns", f"use a [{table}] table, e.g. {example} on a line after "
                                f"[{table}]"))
        return None
    out: dict[str, str] = {}
    seen: dict[str, str] = {}  # a header, as compared -> the column it was given for
    for col, header in sorted(v.items()):
        where = f"{table}.{col}"
        if col not in CONTRACT_COLUMNS and col in homes:
            problems.append(Problem(file, None, where, misplaced(col, table, homes[col])))
        elif col not in CONTRACT_COLUMNS:
            close = difflib.get_close_matches(col, CONTRACT_COLUMNS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(file, None, where, f"'{col}' is not a column of the workers or cases file; "
                                    f"{hint}[{table}] maps a header in your file to one of: "
                                    f"{', '.join(CONTRACT_COLUMNS)}"))
        elif not isinstance(header, str) or not header_key(header):
            problems.append(Problem(file, None, where, f"{header!r} is not valid; give the header as your file "
                                    f"writes it, in quotes, e.g. {example}"))
        elif header_key(header) in seen:
            problems.append(Problem(file, None, where, f"'{header}' is also given for {seen[header_key(header)]}; "
                                    "a header is read as one column: give each column its own header"))
        else:
            seen[header_key(header)] = col
            out[col] = " ".join(header.split())
    return out


def _names(key: str, v: object, problems: list[Problem], file: str) -> tuple[str, ...] | None:
    """objective_order: every stage once, in any order; over_capacity_for: priorities, each at most once."""
    order = key == "objective_order"
    choices = OBJECTIVE_ORDER if order else PRIORITIES
    ok = (isinstance(v, list) and all(isinstance(x, str) and x in choices for x in v) and len(set(v)) == len(v)
          and (not order or len(v) == len(choices)))
    if ok:
        assert isinstance(v, list)
        if order and (later := [x for x in ("moves", "fairness") if v.index(x) < v.index("dropped")]):
            problems.append(Problem(file, None, key, f"'dropped' comes after {' and '.join(map(repr, later))}: a "
                                    "plan may then take a child off their worker, leaving them with none, to "
                                    "save a move or even out the load; put 'dropped' first unless that is meant",
                                    "warning"))
        return tuple(v)
    what = "every one of these stages once, in the order you want" if order else "a list of priorities from"
    problems.append(Problem(file, None, key, f"{v!r} is not valid; use {what}: {', '.join(choices)}"))
    return None


def _supervisor_roles(v: object, key: str, problems: list[Problem], file: str) -> tuple[str, ...] | None:
    choices = [r for r in ROLES if r != "nqsw"]  # an NQSW is supervised, never a supervisor
    if not isinstance(v, list) or not v or any(r not in choices for r in v):
        problems.append(Problem(file, None, key, f"{v!r} is not valid; use a list of roles from: "
                                f"{', '.join(choices)}"))
        return None
    return tuple(v)


def _as_of(v: object, key: str, problems: list[Problem], file: str) -> date | None:
    if isinstance(v, datetime):
        v = v.date()
    if not isinstance(v, date):
        problems.append(Problem(file, None, key, f"{v!r} is not a date; write it as 2026-11-24 (no quotes)"))
        return None
    if not DATE_MIN <= v <= DATE_MAX:
        problems.append(Problem(file, None, key, f"{v.isoformat()} is outside the dates this tool accepts, "
                                f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}; check the year"))
        return None
    return v


def _ramp(v: object, key: str, problems: list[Problem], file: str) -> tuple[tuple[int, float], ...] | None:
    msg = ("use a list of [months_since_asye_start, share] pairs, months rising, shares in (0, 1], "
           "e.g. [[0, 0.4], [6, 0.7], [9, 0.9]]")
    try:
        if not isinstance(v, Iterable):
            raise TypeError(f"{type(v).__name__} is not a list")
        ramp = tuple((int(m), float(s)) for m, s in v)
    except (TypeError, ValueError):
        problems.append(Problem(file, None, key, f"{v!r} is not valid; {msg}"))
        return None
    months = [m for m, _ in ramp]
    if not ramp or months != sorted(set(months)) or any(not 0 < s <= 1 for _, s in ramp) or months[0] < 0:
        problems.append(Problem(file, None, key, f"{v!r} is not valid; {msg}"))
        return None
    return ramp


def _weights(v: object, key: str, problems: list[Problem], file: str, table: str = "weights",
             homes: dict[str, list[str]] | None = None) -> dict[str, float] | None:
    if not isinstance(v, dict):
        problems.append(Problem(file, None, key, "use a [weights] table, e.g. cp = 1.5"))
        return None
    weights = {c: 1.0 for c in CATEGORIES}
    for cat, w in sorted(v.items()):
        if cat not in CATEGORIES and homes and cat in homes:
            problems.append(Problem(file, None, f"weights.{cat}", misplaced(cat, table, homes[cat])))
            continue
        if cat not in CATEGORIES:
            problems.append(Problem(file, None, f"weights.{cat}",
                                    f"unknown category; use one of: {', '.join(CATEGORIES)}"))
            continue
        num = _number(w, f"weights.{cat}", problems, file, low=0, low_open=True, high=100)
        if num is not None:
            weights[cat] = num
    return weights


def load_policy(path: str | Path | None) -> tuple[Policy, list[Problem]]:
    """The policy from a TOML file, or the contract's defaults when no file is given."""
    if path is None:
        return Policy(), []
    return parse_policy(read_toml(path), Path(path).name)
