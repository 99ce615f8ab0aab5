"""`caseload baseline`: a council's scenario TOML from the DfE's children's social work workforce statistics.

Maps the DfE "Children's social work workforce" indicators (CSWW) exactly as
CONTRACT.md says; when the children-in-need (b1) and looked-after (cla) files sit
beside the CSWW file, demand growth and the placements baseline come from them.
Suppressed figures (x, c, z, u, low, blank) never stop a run: each is reported,
with what was assumed instead.
"""
from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from files.problems import Problem, ValidationError
from policy.settings import Policy

from .forecast import Calibration, calibrate, forecast
from .forecast import Series as Counts
from .scenario import COST_DEFAULTS, UNCERTAIN_LIMITS

if TYPE_CHECKING:
    from pandas import DataFrame, Series

# DfE's symbols for figures not shown (EES "symbols" guidance).
SUPPRESSED = {"x": "not available", "c": "confidential", "z": "not applicable",
              "u": "low reliability", "low": "rounds to zero", "": "blank"}
NUMERIC = ("cases", "case_holders_fte", "caseload_fte", "agency_fte", "turnover_rate_fte",
           "absence_rate_fte", "vacancy_fte", "inpost_fte", "starters_fte", "agency_rate_fte",
           "vacancy_agency_cover_rate_fte")
CSWW_COLUMNS = ("time_period", "geographic_level", "country_name", "region_code", "region_name",
                "new_la_code", "la_name", *NUMERIC)
CLA_LABEL = "children looked after at 31 march each year"



def _plain(x: float) -> float | int:
    """A whole number as an int, so the TOML reads 15, not 15.0."""
    return int(x) if float(x).is_integer() else x


# Sample defaults (CONTRACT.md, DOMAIN.md); a council replaces them with its own. The cap, the NQSW share
# and the costs are the policy's and the scenario's own defaults.
YEARS = 4
CHILDREN_PER_FTE = _plain(Policy.children_per_fte)
NQSW_CAPACITY_SHARE = _plain(Policy.nqsw_capacity_share)
AGENCY_TARGET_SHARE = 0.10  # a planning target, not a DfE figure
COSTS = {k: _plain(COST_DEFAULTS[k]) for k in ("social_worker", "nqsw", "agency_social_worker")}
PLACEMENT_COST = 40000  # a year, about the England average
# What the scenario loader accepts (workforce.scenario): a DfE figure at or past a limit is replaced, and said.
TURNOVER_LIMIT = UNCERTAIN_LIMITS["turnover_per_year"][1]
NON_AVAILABILITY_LIMIT = 0.9
# England's figures when a year's national row lacks them: DfE CSWW 2023 (DOMAIN.md).
ENGLAND = {"turnover_rate_fte": 15.9, "absence_rate_fte": 3.2, "caseload_fte": 16.0,
           "vacancy_agency_cover_rate_fte": 74.4, "starter_rate": 6027.5 / 33119.1}
ALIASES = {"bcp": "bournemouth christchurch and poole", "banes": "bath and north east somerset",
           "hull": "kingston upon hull", "durham": "county durham"}


@dataclass
class Baseline:
    """One council's baseline: the scenario TOML, what was noted about the figures, and the mapped values."""

    toml: str
    notes: list[str]
    values: dict[str, Any]
    scenario: dict[str, Any] = field(default_factory=dict)  # what tomllib reads from `toml`


# --------------------------------------------------------------------------- public API

def baseline(dfe_path: str | Path, la: str, year: int | None = None) -> Baseline:
    """The baseline scenario of council (or region, or England) `la` in `year` (default: its latest)."""
    data = _load(dfe_path)
    name, how = _match(data, la)
    y = _pick_year(data, name, year)
    rows = data.frame[(data.frame["name"] == name) & (data.frame["year"] == y)].head(1)
    row = _table(data, y, rows).iloc[0].to_dict()
    if how:
        row["notes"].insert(0, how)
    return Baseline(toml=_render(row, data), notes=list(row["notes"]), values=_values(row),
                    scenario=_scenario(row))


def councils(dfe_path: str | Path, year: int | None = None) -> list[str]:
    """Every council (local-authority row) in the file for `year` (default: the latest), A to Z."""
    data = _load(dfe_path)
    y = _pick_year(data, None, year)
    f = data.frame
    return sorted(f.loc[(f["year"] == y) & (f["geographic_level"] == "Local authority"), "name"])


def baseline_table(dfe_path: str | Path, year: int | None = None,
                   levels: tuple[str, ...] = ("Local authority",)) -> DataFrame:
    """All rows of `year` at these geographic levels, mapped at once: a DataFrame, one row a council.

    Columns hold the scenario figures (children, case_holder_fte, agency_fte, turnover_per_year,
    non_availability, growth_per_year, placements, ...) as numbers, ready for vectorised use.
    """
    data = _load(dfe_path)
    y = _pick_year(data, None, year)
    f = data.frame
    return _table(data, y, f[(f["year"] == y) & f["geographic_level"].isin(levels)])


def scenarios(dfe_path: str | Path, year: int | None = None,
              levels: tuple[str, ...] = ("Local authority",)) -> dict[str, dict[str, Any]]:
    """Scenario dicts (as tomllib would read the TOML) for every council of `year`, by name."""
    table = baseline_table(dfe_path, year, levels)
    return {r["name"]: _scenario(r) for r in table.to_dict("records")}


# --------------------------------------------------------------------------- reading

Index = dict[tuple[str, str], dict[int, float]]  # (kind, key) -> {year: value}


@dataclass
class _Data:
    path: Path
    frame: DataFrame         # the CSWW rows, with `name` and `year` added
    cin: Index | None        # children in need at 31 March
    cla: Index | None        # looked-after children at 31 March
    cin_file: str = ""
    cla_file: str = ""


def _load(dfe_path: str | Path) -> _Data:
    path = Path(dfe_path)
    if not path.exists():
        raise ValidationError([Problem(path.name, message=f"file not found: {path}")])
    if path.is_dir():
        raise ValidationError([Problem(path.name, message="is a folder; give the DfE CSWW indicators CSV")])
    folder = tuple(sorted((q.name, q.stat().st_mtime_ns, q.stat().st_size) for q in path.parent.glob("*.csv")))
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns, folder)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime: int, folder: tuple[tuple[str, int, int], ...]) -> _Data:
    """Read once per version of the file and of the CSVs beside it."""
    import pandas as pd
    p = Path(path)
    f = _read_csv(p)
    missing = [c for c in CSWW_COLUMNS if c not in f.columns]
    if missing:
        raise ValidationError([Problem(p.name, 1, None,
                                       f"is not the DfE children's social work workforce indicators file: "
                                       f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")])
    f["year"] = pd.to_numeric(f["time_period"], errors="coerce")
    bad = f.index[f["year"].isna()]
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise ValidationError([Problem(p.name, int(bad[0]) + 2, "time_period",
                                       f"time_period is not a year in row(s) {rows}")])
    f["year"] = f["year"].astype(int)
    region = f["region_name"].where(f["region_name"] != "", f["country_name"])
    f["name"] = f["la_name"].where(f["la_name"] != "", region)
    if not len(f):
        raise ValidationError([Problem(p.name, message="has a header but no rows")])
    cin, cla, cin_file, cla_file = _side_files(p)
    return _Data(p, f, cin, cla, cin_file, cla_file)


def _read_csv(p: Path) -> DataFrame:
    import pandas as pd
    try:
        f = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError([Problem(p.name, message="is not a UTF-8 CSV text file (an .xlsx? save it as CSV)")
                               ]) from None
    except pd.errors.EmptyDataError:
        raise ValidationError([Problem(p.name, message="the file is empty")]) from None
    except (pd.errors.ParserError, ValueError) as e:
        raise ValidationError([Problem(p.name, message=f"cannot be read as CSV: {str(e).strip()}")]) from None
    f.columns = [str(c).strip().lower() for c in f.columns]
    return f.apply(lambda s: s.str.strip())


def _side_files(csww: Path) -> tuple[Index | None, Index | None, str, str]:
    """The children-in-need and looked-after files beside the CSWW file, recognised by their columns."""
    cin = cla = None
    cin_file = cla_file = ""
    for p in sorted(csww.parent.glob("*.csv")):
        if p.resolve() == csww.resolve():
            continue
        try:
            with open(p, encoding="utf-8-sig") as fh:
                head = {h.strip().lower() for h in fh.readline().split(",")}
        except (OSError, UnicodeDecodeError):
            continue
        try:
            if cin is None and {"at31_episodes", "la_name", "time_period"} <= head:
                cin, cin_file = _index(_read_csv(p), "at31_episodes", None), p.name
            elif cla is None and {"number", "la_name", "time_period", "geographic_level"} <= head:
                f = _read_csv(p)
                cat = next((c for c in f.columns if f[c].str.lower().eq(CLA_LABEL).any()), None)
                if cat:
                    cla, cla_file = _index(f, "number", f[cat].str.lower() == CLA_LABEL), p.name
        except (ValidationError, KeyError):
            continue
    return cin, cla, cin_file, cla_file


def _index(f: DataFrame, column: str, mask: Series | None) -> Index:
    """{(kind, key): {year: value}} for a DfE table: by LA code, LA name, region code, or national."""
    import pandas as pd
    if mask is not None:
        f = f[mask]
    years = pd.to_numeric(f["time_period"], errors="coerce")
    vals = pd.to_numeric(f[column], errors="coerce")
    out: Index = {}
    blank = pd.Series([""] * len(f), index=f.index)
    for lvl, code, reg, la, y, v in zip(f["geographic_level"], f.get("new_la_code", blank),
                                        f.get("region_code", blank), f["la_name"], years, vals, strict=True):
        if pd.isna(y) or pd.isna(v):
            continue
        if lvl == "National":
            keys = [("national", "")]
        elif lvl == "Regional":
            keys = [("region", reg)]
        else:
            keys = [("code", code), ("name", _canon(la))]
        for k in keys:
            out.setdefault(k, {})[int(y)] = float(v)
    return out


# --------------------------------------------------------------------------- finding a council

def _canon(s: str) -> str:
    """Lower case, `&` as `and`, no punctuation, "X, City of" as "city of x", "saint" as "st"."""
    s = str(s).strip()
    m = re.match(r"^(.*?),\s*((?:city|county) of)$", s, flags=re.I)
    if m:
        s = f"{m.group(2)} {m.group(1)}"
    s = s.lower().replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join("st" if w == "saint" else w for w in s.split())


def _key(s: str) -> str:
    """A looser form: no "city of", "county of", "borough of", "council", "the"."""
    s = _canon(s)
    s = re.sub(r"^(royal borough of|london borough of|metropolitan borough of|borough of|city of|county of|county) ",
               "", s)
    s = re.sub(r" ((metropolitan )?(city|county|borough|district) )?council$", "", s)
    return " ".join(w for w in s.split() if w != "the")


def _match(data: _Data, la: str) -> tuple[str, str]:
    """The file's name for `la`, found forgivingly, and a note when it was not an exact match."""
    names = sorted(set(data.frame["name"]))
    entries = []  # (name, part) where part is a council inside a joint return like "A / B"
    for n in names:
        entries.append((n, n))
        parts = [p.strip() for p in n.split("/")]
        if len(parts) > 1:
            entries += [(n, p) for p in parts]
    q = la.strip()
    tiers = (
        lambda n, p: _canon(p) == _canon(q),
        lambda n, p: _key(p) == _key(ALIASES.get(_canon(q), q)),
        lambda n, p: f" {_key(ALIASES.get(_canon(q), q))} " in f" {_key(p)} " and _key(q) != "",
    )
    for test in tiers:
        found = sorted({n for n, p in entries if test(n, p)})
        if len(found) == 1:
            n = found[0]
            how = "" if _canon(n) == _canon(q) else f"'{q}' matched the DfE row '{n}'"
            if "/" in n:
                how = (f"'{q}' is part of the joint DfE return '{n}': the figures are for the councils together")
            return n, how
        if len(found) > 1:
            raise ValidationError([Problem(data.path.name, None, "la_name",
                                           f"'{q}' matches more than one row: {', '.join(found)}; give the full name")])
    by_canon: dict[str, str] = {}
    for n, p in entries:
        by_canon.setdefault(_canon(p), n)
    close = difflib.get_close_matches(_canon(q), list(by_canon), n=5, cutoff=0.6)
    hint = (f"close matches: {', '.join(dict.fromkeys(by_canon[c] for c in close))}" if close
            else "no close match; give a council as the DfE names it, a region, or England")
    raise ValidationError([Problem(data.path.name, None, "la_name",
                                   f"no council, region or England called '{q}'; {hint}")])


def _pick_year(data: _Data, name: str | None, year: int | None) -> int:
    """`year` if the file has it (for `name`), else the latest; a missing year lists the years there are."""
    f = data.frame
    have = sorted(set(f.loc[f["name"] == name, "year"] if name else f["year"]))
    if year is None:
        return have[-1]
    if year in have:
        return year
    if name and year in set(f["year"]):
        msg = f"no figures for {name} in {year}; years available for {name}: {_span(have)}"
    else:
        msg = f"no figures for {year} in the file; years available: {_span(have)}"
    raise ValidationError([Problem(data.path.name, None, "time_period", msg)])


def _span(years: Iterable[int]) -> str:
    years = list(years)
    if years and years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]} to {years[-1]}"
    return ", ".join(str(y) for y in years)


# --------------------------------------------------------------------------- mapping

def _table(data: _Data, year: int, rows: DataFrame) -> DataFrame:
    """Map DfE rows of one year to scenario figures (vectorised), with notes on every suppressed figure."""
    import pandas as pd
    t = rows[["name", "geographic_level", "year", "la_name", "region_code", "new_la_code", *NUMERIC]].copy()
    t = t.reset_index(drop=True)
    num = {c: pd.to_numeric(t[c], errors="coerce") for c in NUMERIC}
    nat = _national(data.frame, year)
    notes: list[list[str]] = [[] for _ in range(len(t))]
    suppressed: list[dict] = [{} for _ in range(len(t))]
    for c in NUMERIC:
        for i in t.index[num[c].isna()]:
            suppressed[i][c] = t.at[i, c]
    _fill_counts(data.frame, t, num, notes, nat, year)
    unusable = num["cases"].isna() | num["case_holders_fte"].isna()
    agency = _agency(t, num, notes, unusable)
    rates = _rates(t, num, notes, nat, year)

    t["children"] = num["cases"].round()
    t["case_holders_fte"] = num["case_holders_fte"]
    t["case_holder_fte"] = (num["case_holders_fte"] - agency).round(1)
    t["agency_fte"] = agency.round(1)
    t["non_case_holding_fte"] = _non_case_holding(t, num, agency, notes).round(1)
    t["turnover_per_year"] = (rates["turnover_rate_fte"] / 100).round(4)
    t["non_availability"] = (rates["absence_rate_fte"] / 100).round(4)
    t["starter_rate"] = _starter_rate(t, num, notes, nat, year)
    t["experienced_hires_per_year"] = (t["starter_rate"] * t["case_holder_fte"]).round(1)
    t["agency_cover"] = (rates["vacancy_agency_cover_rate_fte"] / 100).round(3)
    t["inpost_fte"] = num["inpost_fte"]
    t["agency_rate_fte"] = num["agency_rate_fte"]
    workforce = t["case_holder_fte"] + t["agency_fte"] + t["non_case_holding_fte"]
    t["agency_share"] = (t["agency_fte"] / workforce.where(workforce > 0)).fillna(0.0)
    t["vacancy_fte"] = num["vacancy_fte"]
    t["caseload_fte"] = num["caseload_fte"]
    t["reproduced_caseload"] = (t["children"] / (t["case_holder_fte"] + t["agency_fte"])).round(2)
    _side_figures(data, t, year, notes)
    t["notes"] = notes
    t["suppressed"] = suppressed
    t["raw"] = rows[list(NUMERIC)].to_dict("records")
    if unusable.any():
        bad = ", ".join(t.loc[unusable, "name"])
        if len(t) == 1:
            raise ValidationError([Problem(data.path.name, None, "cases, case_holders_fte",
                                           f"{bad} {year}: cases and case_holders_fte are suppressed in every year; "
                                           f"no baseline can be made")])
        t = t[~unusable].reset_index(drop=True)
        t.attrs["skipped"] = bad
    t["children"] = t["children"].astype(int)
    return t


def _said(t: DataFrame, i: int, c: str) -> str:
    """What the DfE file shows in place of row i's figure `c`."""
    code = t.at[i, c]
    return f"{c} is suppressed in the DfE file ('{code}': {SUPPRESSED.get(code.lower(), 'not a number')})"


def _fill_counts(f: DataFrame, t: DataFrame, num: dict[str, Series], notes: list[list[str]],
                 nat: dict[str, float], year: int) -> None:
    """Children and case holders where suppressed: the council's nearest year with the figure published,
    else estimated from the other figure and the national caseload."""
    for c in ("cases", "case_holders_fte"):
        for i in t.index[num[c].isna()]:
            y, v = _nearest(f, t.at[i, "name"], year, c)
            if v is not None:
                num[c].at[i] = v
                notes[i].append(f"{_said(t, i, c)}; used the council's figure for {y}: {_readable(v)}")
    for c, other, how in (("cases", "case_holders_fte", lambda v: v * nat["caseload_fte"]),
                          ("case_holders_fte", "cases", lambda v: v / nat["caseload_fte"])):
        for i in t.index[num[c].isna() & num[other].notna()]:
            if nat["caseload_fte"] > 0:
                num[c].at[i] = round(how(num[other].at[i]), 0 if c == "cases" else 1)
                notes[i].append(f"{_said(t, i, c)} in every year; estimated from the national caseload "
                                f"{_readable(nat['caseload_fte'])}: {_readable(num[c].at[i])}")
    for i in t.index[(num["case_holders_fte"] <= 0) & (num["cases"] > 0)]:
        num["case_holders_fte"].at[i] = max(0.1, round(num["cases"].at[i] / nat["caseload_fte"], 1))
        notes[i].append(f"case_holders_fte is 0 with {_readable(num['cases'].at[i])} cases, which no projection "
                        f"can hold; estimated from the national caseload {_readable(nat['caseload_fte'])}: "
                        f"{_readable(num['case_holders_fte'].at[i])}")


def _non_case_holding(t: DataFrame, num: dict[str, Series], agency: Series, notes: list[list[str]]) -> Series:
    """Permanent FTE in post without cases: inpost_fte + agency_fte - case_holders_fte, so that the plan's
    agency share, agency / (case holders + NQSWs + agency + these), is the DfE's agency_rate_fte,
    agency_fte / (inpost_fte + agency_fte).

    Where the plan counts fewer agency FTE than the DfE (more agency than case holders), these are counted in
    the same proportion, which keeps the DfE's rate; never below 0.
    """
    published = num["agency_fte"].fillna(0.0)  # suppressed: 0, as the plan counts it
    inpost, holders = num["inpost_fte"], num["case_holders_fte"]
    out = inpost + published - holders
    for i in t.index[published > agency]:
        out.at[i] = agency.at[i] * inpost.at[i] / published.at[i]
        notes[i].append(f"non_case_holding_fte = {_readable(agency.at[i])} agency FTE counted as case holders x "
                        f"inpost_fte {_readable(inpost.at[i])} / agency_fte {_readable(published.at[i])}: the plan "
                        f"counts only the agency FTE that hold cases, so the permanent FTE without cases are counted "
                        f"in the same proportion, which keeps the DfE agency rate")
    for i in t.index[inpost.isna()]:
        out.at[i] = 0.0
        notes[i].append(f"{_said(t, i, 'inpost_fte')}; non_case_holding_fte set to 0, so the plan's agency share "
                        f"counts case holders only")
    for i in t.index[out < 0]:
        notes[i].append(f"inpost_fte {_readable(inpost.at[i])} + agency_fte {_readable(published.at[i])} is less "
                        f"than case_holders_fte {_readable(holders.at[i])}; non_case_holding_fte set to 0")
        out.at[i] = 0.0
    return out


def _starter_rate(t: DataFrame, num: dict[str, Series], notes: list[list[str]], nat: dict[str, float],
                  year: int) -> Series:
    """Starters a year per in-post FTE (starters_fte / inpost_fte); England's where either is missing or 0."""
    rate = num["starters_fte"] / num["inpost_fte"].where(num["inpost_fte"] > 0)
    for i in t.index[rate.isna()]:
        rate.at[i] = nat["starter_rate"]
        why = (_said(t, i, "starters_fte") if _missing(num["starters_fte"].at[i])
               else _said(t, i, "inpost_fte") if _missing(num["inpost_fte"].at[i]) else "inpost_fte is 0")
        notes[i].append(f"{why}; experienced_hires_per_year uses England's starters per in-post FTE for {year}, "
                        f"{nat['starter_rate']:.1%}, scaled to the council's permanent case holders")
    return rate


def _missing(v: object) -> bool:
    """True for NaN (a suppressed figure read as a number)."""
    return isinstance(v, float) and math.isnan(v)


def _agency(t: DataFrame, num: dict[str, Series], notes: list[list[str]], unusable: Series) -> Series:
    """Agency FTE: 0 where suppressed, and never more than the case holders it is part of."""
    agency = num["agency_fte"].copy()
    for i in t.index[agency.isna()]:
        agency.at[i] = 0.0
        notes[i].append(f"{_said(t, i, 'agency_fte')}; assumed 0 agency FTE, so every case holder counts as permanent")
    over = agency > num["case_holders_fte"]
    for i in t.index[over & ~unusable]:
        holders = _readable(num["case_holders_fte"].at[i])
        notes[i].append(f"agency_fte {_readable(agency.at[i])} is more than case_holders_fte {holders} (not every "
                        f"agency worker holds cases); counted {holders} agency FTE as case holders and none permanent")
    return agency.where(~over, num["case_holders_fte"])


def _rates(t: DataFrame, num: dict[str, Series], notes: list[list[str]], nat: dict[str, float],
           year: int) -> dict[str, Series]:
    """Turnover and absence rates (%), national where suppressed; notes on suppressed vacancies and caseloads."""
    rates = {}
    for c, label in (("turnover_rate_fte", "turnover"), ("absence_rate_fte", "absence")):
        r = num[c].copy()
        for i in t.index[r.isna()]:
            if t.at[i, c].lower() == "low":
                r.at[i] = 0.0
                notes[i].append(f"{_said(t, i, c)}; assumed 0%")
            else:
                r.at[i] = nat[c]
                notes[i].append(f"{_said(t, i, c)}; assumed the national {label} rate for {year}, {_readable(nat[c])}%")
        limit = 100 * (TURNOVER_LIMIT if c == "turnover_rate_fte" else NON_AVAILABILITY_LIMIT)
        for i in t.index[r >= limit]:
            notes[i].append(f"{c} {_readable(r.at[i])}% is more than a projection can take (a scenario's {label} must "
                            f"be below {limit:g}%); used the national {label} rate for {year}, {_readable(nat[c])}%")
            r.at[i] = nat[c]
        rates[c] = r
    c = "vacancy_agency_cover_rate_fte"
    r = num[c].copy()
    for i in t.index[r.isna()]:
        r.at[i] = nat[c]
        notes[i].append(f"{_said(t, i, c)}; agency_cover uses the national share of vacancies covered by agency "
                        f"staff for {year}, {_readable(nat[c])}%")
    for i in t.index[r > 100]:
        notes[i].append(f"{c} {_readable(r.at[i])}%: agency staff exceed the vacancies; agency_cover set to 1 "
                        f"(agency fills the whole shortfall), the most a scenario takes")
        r.at[i] = 100.0
    rates[c] = r
    for i in t.index[num["vacancy_fte"].isna()]:
        notes[i].append(f"{_said(t, i, 'vacancy_fte')}; vacancies are for information only")
    for i in t.index[num["caseload_fte"].isna()]:
        notes[i].append(f"{_said(t, i, 'caseload_fte')}; nothing to check the baseline against")
    return rates


def panel(data: _Data, level: str = "Local authority") -> dict[str, tuple[Counts, Counts]]:
    """{council: (cases by year, children in need by year)} for every row of `level`, A to Z.

    Suppressed cases (x, c, z, u, low) are left out of the series; a council with no children-in-need
    figures uses its looked-after children as support, else none.
    """
    f = data.frame[data.frame["geographic_level"] == level]
    return {str(name): _cases_and_support(data, rows) for name, rows in f.groupby("name", sort=True)}


def _cases_and_support(data: _Data, rows: DataFrame) -> tuple[Counts, Counts]:
    """One council's cases by year (its CSWW rows) and its support series (children in need, else looked after)."""
    import pandas as pd
    cases = pd.to_numeric(rows["cases"], errors="coerce")
    series = {int(y): float(v) for y, v in zip(rows["year"], cases, strict=True) if v == v and v > 0}
    row = rows.iloc[-1].to_dict()
    return series, _series(data.cin, row) or _series(data.cla, row) or {}


def _side_figures(data: _Data, t: DataFrame, year: int, notes: list[list[str]]) -> None:
    """Demand growth (the forecast of cases) and placements (looked-after children) from the side files."""
    calibration = calibrate(panel(data).values(), year, YEARS)
    growth = [_growth(data, r, year, calibration) for r in t.to_dict("records")]
    places = [_placements(data, r, year) for r in t.to_dict("records")]
    t["growth_per_year"] = [g[0] for g in growth]
    t["growth_note"] = [g[1] for g in growth]
    t["placements"] = [p[0] for p in places]
    t["placements_growth_per_year"] = [p[1] for p in places]
    t["placements_note"] = [p[2] for p in places]
    for i, (g, p) in enumerate(zip(growth, places, strict=True)):
        notes[i] += [n for n in (g[2], p[3]) if n]


def _national(f: DataFrame, year: int) -> dict[str, float]:
    """England's turnover, absence, caseload, agency cover of vacancies and starters per in-post FTE for `year`
    (the councils' median when England's is missing, DfE 2023 when both are)."""
    import pandas as pd
    out = {}
    y = f[f["year"] == year]
    for c in ("turnover_rate_fte", "absence_rate_fte", "caseload_fte", "vacancy_agency_cover_rate_fte"):
        v = pd.to_numeric(y.loc[y["geographic_level"] == "National", c], errors="coerce").dropna()
        if v.empty:
            v = pd.to_numeric(y.loc[y["geographic_level"] == "Local authority", c], errors="coerce").dropna()
            out[c] = round(float(v.median()), 1) if len(v) else ENGLAND[c]
        else:
            out[c] = float(v.iloc[0])
    lvl = "National" if (y["geographic_level"] == "National").any() else "Local authority"
    rows = y[y["geographic_level"] == lvl]
    starters = pd.to_numeric(rows["starters_fte"], errors="coerce")
    inpost = pd.to_numeric(rows["inpost_fte"], errors="coerce")
    both = starters.notna() & inpost.notna()
    total = float(inpost[both].sum())
    out["starter_rate"] = float(starters[both].sum()) / total if total > 0 else ENGLAND["starter_rate"]
    return out


def _nearest(f: DataFrame, name: str, year: int, column: str) -> tuple[int | None, float | None]:
    """(year, value) of `column` for `name` in the nearest other year with it published (earlier on a tie)."""
    import pandas as pd
    rows = f[(f["name"] == name) & (f["year"] != year)]
    v = pd.to_numeric(rows[column], errors="coerce")
    rows, v = rows[v.notna()], v[v.notna()]
    if rows.empty:
        return None, None
    order = sorted(zip((rows["year"] - year).abs(), rows["year"], v, strict=True))
    return int(order[0][1]), float(order[0][2])


def _series(index: Index | None, row: dict[str, Any]) -> dict[int, float] | None:
    """{year: value} from a side file for this DfE row (a joint return sums its councils)."""
    if index is None:
        return None
    lvl = row["geographic_level"]
    if lvl == "National":
        return index.get(("national", ""))
    if lvl == "Regional":
        return index.get(("region", row["region_code"]))
    codes = [c.strip() for c in row["new_la_code"].split("/")]
    names = [n.strip() for n in row["la_name"].split("/")]
    if len(codes) != len(names):
        codes = [""] * len(names)
    found = [index.get(("code", c)) or index.get(("name", _canon(n))) for c, n in zip(codes, names, strict=True)]
    parts = [p for p in found if p is not None]
    if not parts or len(parts) < len(found):
        return None
    years = set.intersection(*(set(p) for p in parts))
    return {y: sum(p[y] for p in parts) for y in sorted(years)}


def _growth(data: _Data, row: dict[str, Any], year: int, calibration: Calibration) -> tuple[float, str, str]:
    """(growth_per_year, how it was found, a note or ""): the council's cases forecast YEARS ahead from `year`
    (workforce.forecast, the method `caseload backtest` scores), as compound growth a year."""
    f = data.frame
    cases, support = _cases_and_support(data, f[(f["name"] == row["name"]) & (f["year"] <= year)])
    if year not in cases:
        return 0.0, "0.0: no cases figure for this year to forecast from", (
            f"no cases figure for {row['name']} in {year}; growth_per_year set to 0.0")
    fc = forecast(cases, year, YEARS, support, calibration)
    g = round(fc.growth_per_year, 4)
    how = (f"compound, a year: cases forecast {YEARS} years ahead by {fc.method}, {_readable(fc.start)} -> "
           f"{_readable(round(fc.value))} (P10 {_readable(round(fc.p10))}, P90 {_readable(round(fc.p90))}); the "
           f"method chosen on {calibration.scored_on} (caseload backtest scores it); history cases at 30 September ("
           f"{data.path.name}): " + ", ".join(f"{y}: {_readable(cases[y])}" for y in sorted(cases)))
    if support:
        how += (f"; history support series, children in need at 31 March ({data.cin_file}, At31_episodes): "
                + ", ".join(f"{y}: {_readable(support[y])}" for y in sorted(support) if y <= year))
    return g, how, ""


def _placements(data: _Data, row: dict[str, Any], year: int) -> tuple[int | None, int, str, str]:
    """(baseline, growth_per_year, how, note) from looked-after children at 31 March; baseline None if unknown."""
    if data.cla is None:
        return None, 0, "", "no looked-after children file beside the CSWW file; [placements] left out"
    s = _series(data.cla, row)
    if not s or year not in s:
        return None, 0, "", (f"no looked-after children at 31 March {year} for {row['name']} in {data.cla_file}; "
                             f"[placements] left out")
    starts = [y for y in s if year - 4 <= y < year]
    if not starts:
        return int(s[year]), 0, f"0: only {year} in {data.cla_file}", ""
    start = min(starts)
    g = round((s[year] - s[start]) / (year - start))
    return int(s[year]), int(g), (f"average change a year, {start} to {year}: "
                                  f"{_readable(s[start])} -> {_readable(s[year])} ({data.cla_file})"), ""


# --------------------------------------------------------------------------- output

def workforce_table(case_holder: float, nqsw: float, agency: float, non_case_holding: float, turnover: float,
                    hires: float, cover: float) -> dict[str, Any]:
    """The [workforce] table of a baseline, in the order it is written (the CSWW return's baseline shares it)."""
    return {"case_holder_fte": case_holder, "nqsw_fte": nqsw, "agency_fte": agency,
            "non_case_holding_fte": non_case_holding, "turnover_per_year": turnover,
            "experienced_hires_per_year": hires, "agency_cover": cover, "agency_target_share": AGENCY_TARGET_SHARE}


def _scenario(r: dict[str, Any]) -> dict[str, Any]:
    """The scenario as a dict, exactly what tomllib reads back from the TOML."""
    sc = {
        "name": f"{r['name']} baseline {r['year']}",
        "start": f"{r['year']}-04",
        "years": YEARS,
        "demand": {"children": int(r["children"]), "growth_per_year": float(r["growth_per_year"])},
        "policy": {"children_per_fte": CHILDREN_PER_FTE, "nqsw_capacity_share": NQSW_CAPACITY_SHARE,
                   "non_availability": float(r["non_availability"])},
        "workforce": workforce_table(float(r["case_holder_fte"]), 0, float(r["agency_fte"]),
                                     float(r["non_case_holding_fte"]), float(r["turnover_per_year"]),
                                     float(r["experienced_hires_per_year"]), float(r["agency_cover"])),
        "costs": dict(COSTS),
    }
    if r["placements"] is not None and not (isinstance(r["placements"], float) and math.isnan(r["placements"])):
        sc["placements"] = {"baseline": int(r["placements"]), "growth_per_year": int(r["placements_growth_per_year"]),
                            "prevented_per_year": [0] * YEARS, "average_cost": PLACEMENT_COST}
    return sc


def _values(r: dict[str, Any]) -> dict[str, Any]:
    """The mapped figures as plain Python values (None where unknown)."""
    keys = ("name", "geographic_level", "year", "children", "case_holders_fte", "case_holder_fte", "agency_fte",
            "non_case_holding_fte", "inpost_fte", "agency_rate_fte", "agency_share", "turnover_per_year",
            "experienced_hires_per_year", "agency_cover", "non_availability", "vacancy_fte", "caseload_fte",
            "reproduced_caseload", "growth_per_year", "placements", "placements_growth_per_year", "suppressed")
    out = {k: (r[k].item() if hasattr(r[k], "item") else r[k]) for k in keys}
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in out.items()}


def _readable(v: float) -> str:
    """A number as people read it: 1,234 or 16.5."""
    if isinstance(v, float) and v.is_integer() and abs(v) >= 1000:
        return f"{int(v):,}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:,}" if isinstance(v, int) else f"{v:g}"


def _toml_value(v: object) -> str:
    """A TOML literal for a bool, number, list or string."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def _comment(text: object) -> str:
    """Text on one line, safe inside a TOML comment."""
    return " ".join(str(text).split())


def _render(r: dict, data: _Data) -> str:
    """The scenario TOML with comments: source, licence, the published caseload to check, every note."""
    return "\n".join(_header(r, data) + _body(r, data))


def _published(r: dict) -> str:
    """The council's published caseload, or "suppressed"."""
    return "suppressed" if r["caseload_fte"] != r["caseload_fte"] else _readable(r["caseload_fte"])


def _header(r: dict, data: _Data) -> list[str]:
    """The comments above the TOML: the source row, the licence, the caseload to check, every note."""
    y, name = r["year"], r["name"]
    col = {"Local authority": "la_name", "Regional": "region_name", "National": "country_name"}.get(
        r["geographic_level"], "la_name")
    lines = [
        f"# Baseline workforce scenario: {name}, {y}.",
        "# Source: Department for Education, Children's social work workforce statistics,",
        f"#   file {data.path.name}, row {col} = {json.dumps(name)}, time_period = {y} ({r['geographic_level']}).",
        "#   Contains public sector information licensed under the Open Government Licence v3.0.",
        f"# The DfE counts staff and cases at 30 September {y}; the projection starts in April {y},",
        f"#   the start of the financial year the count falls in (looked-after children are counted at 31 March {y}).",
    ]
    total = r["case_holder_fte"] + r["agency_fte"]
    pub = _published(r)
    ours = (f"this baseline gives {r['children']} / ({_readable(r['case_holder_fte'])} + "
            f"{_readable(r['agency_fte'])}) = {r['children'] / total:.1f}" if total
            else "this baseline has no case-holding FTE")
    lines.append(f"# Check: the published caseload (caseload_fte) is {pub}"
                 + (" children per case-holding FTE" if pub != "suppressed" else "") + f"; {ours}.")
    rate = r["agency_rate_fte"]
    lines.append("# Check: the published agency rate (agency_rate_fte, agency / (in post + agency)) is "
                 + ("suppressed" if rate != rate else f"{_readable(rate)}%")
                 + f"; the plan's first month gives {_readable(r['agency_fte'])} / ({_readable(r['case_holder_fte'])}"
                 f" + {_readable(r['agency_fte'])} + {_readable(r['non_case_holding_fte'])}) = "
                 f"{100 * r['agency_share']:.1f}%.")
    vac = r["raw"]["vacancy_fte"]
    lines.append(f"# Vacancies (vacancy_fte) at 30 September {y}: "
                 + (f"{vac} FTE" if r["vacancy_fte"] == r["vacancy_fte"] else f"suppressed ('{vac}')")
                 + "; not modelled, for information.")
    lines += [f"# note: {_comment(n)}" for n in r["notes"]]
    return lines + [""]


def _kv(key: str, value: object, comment: str = "") -> str:
    """A TOML line, with its comment lined up."""
    s = f"{key} = {_toml_value(value)}"
    return f"{s:<29} # {_comment(comment)}" if comment else s


def _source(r: dict, c: str) -> str:
    """Where a figure came from: the DfE column and what it held."""
    raw = r["raw"]
    return f"DfE {c} {raw[c]}" if c not in r["suppressed"] else f"DfE {c} suppressed ('{raw[c]}')"


def _body(r: dict, data: _Data) -> list[str]:
    """The TOML tables, each value with where it came from."""
    sc = _scenario(r)
    y = r["year"]
    lines = [_kv("name", sc["name"]), _kv("start", sc["start"], f"DfE figures are at 30 September {y}"),
             _kv("years", sc["years"]), ""]
    d = sc["demand"]
    lines += ["[demand]"] + [f"# {_comment(h)}" for h in r["growth_note"].split("; history ")[1:]]
    lines += [_kv("children", d["children"], f"{_source(r, 'cases')}: children held by case-holding social workers"),
              _kv("growth_per_year", d["growth_per_year"], r["growth_note"].split("; history ")[0]), ""]
    p = sc["policy"]
    lines += ["[policy]",
              _kv("children_per_fte", p["children_per_fte"],
                  f"local target (Portsmouth Cabinet 2017); the council's own caseload is {_published(r)}"),
              _kv("nqsw_capacity_share", p["nqsw_capacity_share"], "ASYE: a 10% workload reduction"),
              _kv("non_availability", p["non_availability"],
                  f"{_source(r, 'absence_rate_fte')} / 100 (sickness absence)"), ""]
    w = sc["workforce"]
    lines += ["[workforce]",
              _kv("case_holder_fte", w["case_holder_fte"],
                  f"{_source(r, 'case_holders_fte')} (agency included) - agency_fte {_readable(w['agency_fte'])}"),
              _kv("nqsw_fte", w["nqsw_fte"], "not in the DfE figures: add your ASYE cohort"),
              _kv("agency_fte", w["agency_fte"], _source(r, "agency_fte")),
              _kv("non_case_holding_fte", w["non_case_holding_fte"],
                  f"{_source(r, 'inpost_fte')} + agency_fte - case_holders_fte: permanent social workers without "
                  f"cases (managers and others); makes the plan's agency share the DfE's agency_rate_fte"),
              _kv("turnover_per_year", w["turnover_per_year"], f"{_source(r, 'turnover_rate_fte')} / 100"),
              _kv("experienced_hires_per_year", w["experienced_hires_per_year"],
                  f"starters used: {_source(r, 'starters_fte')} / {_source(r, 'inpost_fte')} = "
                  f"{r['starter_rate']:.1%} a year, times the {_readable(w['case_holder_fte'])} permanent case "
                  f"holders (turnover applies to them too); newly qualified starters included"),
              _kv("agency_cover", w["agency_cover"],
                  f"{_source(r, 'vacancy_agency_cover_rate_fte')} / 100: the share of vacancies agency staff cover"),
              _kv("agency_target_share", w["agency_target_share"], "a planning target, not a DfE figure"), ""]
    lines += ["[costs]                       # a year per FTE with on-costs: sample defaults from council reports"]
    lines += [_kv(k, v) for k, v in sc["costs"].items()] + [""]
    if "placements" in sc:
        pl = sc["placements"]
        lines += ["[placements]                  # looked-after children",
                  _kv("baseline", pl["baseline"], f"children looked after at 31 March {y} ({data.cla_file})"),
                  _kv("growth_per_year", pl["growth_per_year"], r["placements_note"]),
                  _kv("prevented_per_year", pl["prevented_per_year"], "add planned prevention (edge of care, FGC)"),
                  _kv("average_cost", pl["average_cost"], "a year per placement: about the England average"), ""]
    return lines
