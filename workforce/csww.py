"""`caseload baseline --csww RETURN.xml`: a council's scenario TOML from its own worker-level CSWW census return.

The Children's Social Work Workforce census (ANNEXA.md): one `CSWWWorker` element per worker, snapshot at
30 September, and one `LALevelVacancies`. It maps to the same scenario keys as the DfE baseline, each figure
computed as the DfE computes its published indicator from these returns:

| scenario key | from the return |
|---|---|
| demand.children | sum of Cases30 over workers in post (permanent and agency) |
| workforce.case_holder_fte | permanent, in post (FTE30 > 0), case-holding role, not in the ASYE: FTE30 |
| workforce.nqsw_fte | permanent, in post, case-holding role, CFKSSstatus 1 (ASYE): FTE30 |
| workforce.agency_fte | agency workers in post in a case-holding role: FTE30 |
| workforce.non_case_holding_fte | permanent in post in other roles, and agency in post without cases: FTE30 |
| workforce.turnover_per_year | permanent leavers in the year (RoleEndDate): FTE / permanent FTE30 in post |
| workforce.experienced_hires_per_year | permanent starters in the year (RoleStartDate) into case-holding roles: FTE |
| policy.non_availability | WorkingDaysLost of permanent workers / (permanent FTE30 in post x 253 days) |
| workforce.agency_cover | LALevelVacancies NoAgencyFTE / NumberOfVacancies, at most 1 |

Case-holding roles: OrgRole 5 (case holder) and 4 (senior practitioner: in most councils a senior practitioner
holds a full caseload); OrgRole 1-3 (managers) and 6 (qualified without cases) do not, though any cases they
hold count in demand. A worker with no OrgRole holds cases when Cases30 > 0. 253 working days: the DfE's
published absence rates are working_days_lost_fte / (inpost_fte x 253) for every council (checked on
csww_indicators_2017_to_2023.csv).

Which fields a worker must give depends on what the figures need from them (as the DfE's return
specification asks them of the same workers): every worker AgencyWorker, SWENo and FTE30 (or FTE); every
council employee RoleStartDate (the DfE does not collect it for agency workers, and starters are counted
among employees only); an employee not in post at 30 September, RoleEndDate and FTE (turnover is their FTE);
an employee in post, WorkingDaysLost (absence); a worker in post in a case-holding role (or without an
OrgRole), Cases30; an employee in post holding cases, CFKSSstatus (the ASYE split). A missing required field
stops the run (exit 2), naming the file, the CSWWWorker and the field. A missing field that only fills in a
figure (OrgRole; Cases30 of a manager; WorkingDaysLost of a leaver; FTE or FTE30 when the other is given)
gets its default, and a note counts the workers and says what was assumed.

The file is untrusted (children's services data): a DOCTYPE or ENTITY declaration is refused before any is
read, so no entity is ever expanded. SWENo and other personal fields are never kept, printed or written.
"""
from __future__ import annotations

import math
import re
import xml.parsers.expat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from files.problems import Problem, ValidationError

from .baseline import (
    CHILDREN_PER_FTE,
    COSTS,
    ENGLAND,
    NON_AVAILABILITY_LIMIT,
    NQSW_CAPACITY_SHARE,
    TURNOVER_LIMIT,
    YEARS,
    Baseline,
    _comment,
    _kv,
    _readable,
    workforce_table,
)

WORKING_DAYS = 253  # a year's working days in the DfE's absence rate (365 less weekends and bank holidays)
CASE_HOLDING_ROLES = {4, 5}  # senior practitioner, case holder
ROLES = {1: "senior manager", 2: "middle manager", 3: "first-line manager", 4: "senior practitioner",
         5: "case holder", 6: "qualified without cases"}
MAX_BYTES = 200 * 1024 * 1024  # far above any council's return (about 1 kB a worker)
MAX_CASES = 1000  # Cases30 above this is a typing error, not a caseload
SWE = re.compile(r"[A-Za-z]{2}\d{1,10}")


@dataclass(frozen=True)
class Worker:
    """One CSWWWorker, without anything that identifies the person."""

    position: int  # 1 for the first CSWWWorker element in the file
    agency: bool
    fte: float  # in the role (a leaver's, when they left)
    fte30: float  # at 30 September; 0 for a leaver
    role: int | None
    asye: bool
    start: date | None
    end: date | None
    cases: int
    days_lost: float
    defaulted: frozenset[str] = frozenset()  # optional fields missing whose default went into a figure

    @property
    def holds_cases(self) -> bool:
        return self.role in CASE_HOLDING_ROLES if self.role is not None else self.cases > 0


@dataclass(frozen=True)
class CSWWReturn:
    """A council's census return, read and checked."""

    file: str
    reference_date: date  # 30 September of the census year
    la_code: str | None
    vacancies: float
    agency_cover_fte: float
    workers: tuple[Worker, ...]

    @property
    def year(self) -> int:
        return self.reference_date.year

    def in_year(self, d: date | None) -> bool:
        """A date in the census year: after 30 September of the year before, up to the reference date."""
        return d is not None and date(self.year - 1, self.reference_date.month, self.reference_date.day) < d \
            <= self.reference_date


# --------------------------------------------------------------------------- reading

def read_return(path: str | Path) -> CSWWReturn:
    """Read and check a CSWW return; ValidationError naming the file, the CSWWWorker and the field."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise ValidationError([Problem(name, message=f"file not found: {path}")])
    if path.is_dir():
        raise ValidationError([Problem(name, message="is a folder; give the CSWW census return (.xml)")])
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError([Problem(name, message=f"is larger than {MAX_BYTES // 2**20} MB; not a CSWW return")])
    root = _parse(path.read_bytes(), name)
    return _return(root, name)


def _parse(data: bytes, name: str) -> Element:
    """The XML tree, refusing DTDs and entities (no expansion, no external fetch), namespaces dropped."""
    if not data.strip():
        raise ValidationError([Problem(name, message="the file is empty")])
    builder = TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise ValidationError([Problem(name, message="has a DOCTYPE or ENTITY declaration; a CSWW return has "
                                                     "none, and entities are refused (they can hide content)")])

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = lambda *_: refuse()  # type: ignore[assignment]
    parser.StartElementHandler = lambda tag, attrs: builder.start(_local(tag), attrs)
    parser.EndElementHandler = lambda tag: builder.end(_local(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        root = builder.close()
    except xml.parsers.expat.ExpatError as e:
        raise ValidationError([Problem(name, message=f"is not well-formed XML: "
                                                     f"{xml.parsers.expat.ErrorString(e.code)} at line {e.lineno}, "
                                                     f"column {e.offset + 1}")]) from None
    except AssertionError:  # TreeBuilder on a document with no element
        raise ValidationError([Problem(name, message="is not well-formed XML: no element")]) from None
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


class _Fields:
    """Reads one element's fields, collecting a problem for each missing or bad one."""

    def __init__(self, file: str, where: str, el: Element, problems: list[Problem]) -> None:
        self.file, self.where, self.el, self.problems = file, where, el, problems

    def bad(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, message=f"{self.where}, {field}: {message}"))

    def text(self, field: str) -> str | None:
        found = self.el.find(field)
        if found is None:
            return None
        return (found.text or "").strip()

    def all(self, field: str) -> list[str]:
        return [(e.text or "").strip() for e in self.el.findall(field)]

    def number(self, field: str, *, required: bool = False, low: float = 0.0, high: float = math.inf,
               whole: bool = False, what: str = "a number") -> float | None:
        v = self.text(field)
        if v is None or v == "":
            if required:
                self.bad(field, f"is missing; give {what}")
            return None
        try:
            x = float(v) if not whole else float(int(v))
        except ValueError:
            x = math.nan
        if not math.isfinite(x) or not low <= x <= high:
            self.bad(field, f"'{v[:20]}' is not valid; give {what}")
            return None
        return x

    def code(self, field: str, valid: set[int], what: str) -> int | None:
        v = self.text(field)
        if v is None or v == "":
            return None
        if not v.isdigit() or int(v) not in valid:
            self.bad(field, f"'{v[:20]}' is not valid; give {what}")
            return None
        return int(v)

    def day(self, field: str) -> date | None:
        v = self.text(field)
        if v is None or v == "":
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            try:
                return date.fromisoformat(v)
            except ValueError:
                pass
        self.bad(field, "is not a date; write it as YYYY-MM-DD, e.g. 2023-04-03")
        return None


def _return(root: Element, file: str) -> CSWWReturn:
    problems: list[Problem] = []
    if root.tag != "Message" or root.find("CSWWWorker") is None:
        raise ValidationError([Problem(file, message=f"is not a CSWW census return: the root element is "
                                                     f"<{root.tag[:40]}>; expected <Message> with "
                                                     f"CSWWWorker elements")])
    collection = root.findtext("Header/CollectionDetails/Collection")
    if collection is not None and collection.strip() not in ("", "CSWW"):
        raise ValidationError([Problem(file, message=f"is a '{collection.strip()[:20]}' return, not CSWW")])
    ref = _reference_date(root, file, problems)
    lea = (root.findtext("Header/Source/LEA") or "").strip() or None
    vac = root.find("LALevelVacancies")
    vacancies = cover = 0.0
    if vac is None:
        problems.append(Problem(file, message="LALevelVacancies is missing; give NumberOfVacancies, NoAgencyFTE "
                                              "and NoAgencyHeadcount"))
    else:
        f = _Fields(file, "LALevelVacancies", vac, problems)
        vacancies = f.number("NumberOfVacancies", required=True, high=1e6, what="the vacant FTE, e.g. 12.5") or 0.0
        cover = f.number("NoAgencyFTE", required=True, high=1e6,
                         what="the agency FTE covering vacancies, e.g. 9.4") or 0.0
        f.number("NoAgencyHeadcount", required=True, high=1e6, whole=True, what="a whole number of agency workers")
    workers = [_worker(el, n, file, ref, problems) for n, el in enumerate(root.findall("CSWWWorker"), start=1)]
    if problems:
        raise ValidationError(problems)
    assert ref is not None
    return CSWWReturn(file, ref, lea, vacancies, cover, tuple(w for w in workers if w is not None))


def _reference_date(root: Element, file: str, problems: list[Problem]) -> date | None:
    ref = (root.findtext("Header/CollectionDetails/ReferenceDate") or "").strip()
    year = (root.findtext("Header/CollectionDetails/Year") or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ref):
        try:
            return date.fromisoformat(ref)
        except ValueError:
            pass
    if re.fullmatch(r"\d{4}", year) and 2000 <= int(year) <= 2100:
        return date(int(year), 9, 30)
    problems.append(Problem(file, message="Header CollectionDetails has no ReferenceDate (YYYY-MM-DD) or Year; "
                                          "give the census date, e.g. <ReferenceDate>2023-09-30</ReferenceDate>"))
    return None


def _worker(el: Element, n: int, file: str, ref: date | None, problems: list[Problem]) -> Worker | None:
    """One CSWWWorker: what the baseline needs, checked; identifying fields only checked for shape."""
    before = len(problems)
    f = _Fields(file, f"CSWWWorker {n}", el, problems)
    agency = f.code("AgencyWorker", {0, 1}, "0 (employed by the council) or 1 (agency)")
    if _absent(f, "AgencyWorker"):
        f.bad("AgencyWorker", "is missing; give 0 (employed by the council) or 1 (agency)")
    swe = f.text("SWENo")
    if swe is None or swe == "":
        f.bad("SWENo", "is missing; give the Social Work England number")
    elif not SWE.fullmatch(swe):
        f.bad("SWENo", "is not two letters and up to 10 digits (the value is not shown: it identifies a person)")
    fte = f.number("FTE", high=1, what="an FTE from 0 to 1, e.g. 0.8")
    fte30 = f.number("FTE30", high=1, what="an FTE from 0 to 1 at 30 September, e.g. 0.8 (0 for a leaver)")
    if _absent(f, "FTE") and _absent(f, "FTE30"):
        f.bad("FTE30", "is missing, and FTE too; give the worker's FTE at 30 September (0 for a leaver)")
    role = f.code("OrgRole", set(ROLES), "1 to 6 (5 case holder, 4 senior practitioner, 1-3 managers, 6 no cases)")
    statuses = [v for v in f.all("CFKSSstatus") if v != ""]
    asye = "1" in statuses
    bad_status = [v for v in statuses if v not in ("1", "2", "3", "4")]
    if bad_status:
        f.bad("CFKSSstatus", f"'{bad_status[0][:20]}' is not valid; give 1 (ASYE), 2, 3 or 4")
    start, end = f.day("RoleStartDate"), f.day("RoleEndDate")
    cases = f.number("Cases30", high=MAX_CASES, whole=True, what=f"a whole number of cases from 0 to {MAX_CASES}")
    days = f.number("WorkingDaysLost", high=366, what="days lost in the year, from 0 to 366")
    if len(problems) > before:
        return None
    at30 = fte30 if fte30 is not None else (fte if end is None or ref is None or end > ref else 0.0)
    assert at30 is not None
    if start and end and end < start:
        f.bad("RoleEndDate", "is before RoleStartDate")
    if ref is not None and end is not None and end <= ref and at30 > 0:
        f.bad("FTE30", f"is {_readable(at30)} but RoleEndDate is on or before {ref.isoformat()}: a leaver's FTE30 "
                       f"is 0")
    if ref is not None and start is not None and start > ref and at30 > 0:
        f.bad("RoleStartDate", f"is after the census date {ref.isoformat()}, but FTE30 is {_readable(at30)}")
    defaulted = _required(f, agency == 1, at30, role, start, cases, bool(statuses), days, fte, fte30, ref)
    if len(problems) > before:
        return None
    return Worker(n, agency == 1, fte if fte is not None else at30, at30, role, asye, start, end,
                  int(cases or 0), days or 0.0, defaulted)


def _absent(f: _Fields, field: str) -> bool:
    return f.text(field) in (None, "")


def _required(f: _Fields, agency: bool, at30: float, role: int | None, start: date | None, cases: float | None,
              has_status: bool, days: float | None, fte: float | None, fte30: float | None,
              ref: date | None) -> frozenset[str]:
    """Report each missing field that this worker must give (module docstring); return the optional ones that
    are missing and whose default goes into a figure."""
    in_post = at30 > 0
    defaulted: set[str] = set()
    if not agency and _absent(f, "RoleStartDate"):
        f.bad("RoleStartDate", "is missing; give the date the worker started in the role, e.g. 2021-04-06 "
                               "(starters in the year are counted from it)")
    if not agency and not in_post and not (ref is not None and start is not None and start > ref):
        if _absent(f, "RoleEndDate"):
            f.bad("RoleEndDate", "is missing, but FTE30 is 0 (not in post at 30 September); give the date the "
                                 "worker left the role (turnover is counted from it)")
        if fte is None:
            f.bad("FTE", "is missing; give the FTE the worker had before leaving (turnover is counted from it)")
    holds = role in CASE_HOLDING_ROLES if role is not None else (cases or 0) > 0
    if in_post and cases is None:
        if role is None or role in CASE_HOLDING_ROLES:
            f.bad("Cases30", "is missing; give the cases the worker held at 30 September (0 if none): a worker "
                             "in post " + ("in a case-holding role (OrgRole 4 or 5)" if role else "without an "
                                                                                           "OrgRole")
                  + " counts in demand.children")
        else:
            defaulted.add("Cases30")
    if in_post and not agency:
        if holds and not has_status:
            f.bad("CFKSSstatus", "is missing; give 1 (ASYE), 2, 3 or 4: a case holder in the ASYE counts in "
                                 "nqsw_fte, any other in case_holder_fte")
        if days is None:
            f.bad("WorkingDaysLost", "is missing; give the working days lost to sickness in the year (0 if none): "
                                     "non_availability is counted from it")
    if not agency and not in_post and days is None:
        defaulted.add("WorkingDaysLost")
    if in_post and role is None:
        defaulted.add("OrgRole")
    if in_post and not agency and fte is None:
        defaulted.add("FTE")
    if fte30 is None:
        defaulted.add("FTE30")
    return frozenset(defaulted)


def _n(count: float, word: str, plural: str | None = None) -> str:
    """'1 worker', '3 workers': the plural only when needed."""
    return f"{_readable(count)} {word if count == 1 else plural or word + 's'}"


# --------------------------------------------------------------------------- mapping

@dataclass(frozen=True)
class Figures:
    """What the return says, FTE and counts, before it becomes a scenario."""

    children: int
    case_holder_fte: float
    nqsw_fte: float
    agency_fte: float
    agency_fte_all: float  # every agency worker in post, with cases or not
    non_case_holding_fte: float
    inpost_fte: float  # permanent, at 30 September
    leavers_fte: float
    starters_fte: float  # every permanent starter in the year
    hires_fte: float  # permanent starters into case-holding roles
    days_lost: float
    vacancies: float
    agency_cover_fte: float
    managers_cases: int  # cases held by workers not in a case-holding role
    holders_without_cases: int


def figures(r: CSWWReturn) -> Figures:
    """Sum the workers as the DfE does (module docstring)."""
    now = [w for w in r.workers if w.fte30 > 0]
    perm = [w for w in now if not w.agency]
    agency = [w for w in now if w.agency]
    everyone_perm = [w for w in r.workers if not w.agency]

    def fte(ws: list[Worker]) -> float:
        return sum(w.fte30 for w in ws)

    return Figures(
        children=sum(w.cases for w in now),
        case_holder_fte=fte([w for w in perm if w.holds_cases and not w.asye]),
        nqsw_fte=fte([w for w in perm if w.holds_cases and w.asye]),
        agency_fte=fte([w for w in agency if w.holds_cases]),
        agency_fte_all=fte(agency),
        non_case_holding_fte=fte([w for w in now if not w.holds_cases]),
        inpost_fte=fte(perm),
        leavers_fte=sum(w.fte for w in everyone_perm if r.in_year(w.end)),
        starters_fte=sum(w.fte for w in everyone_perm if r.in_year(w.start)),
        hires_fte=sum(w.fte for w in everyone_perm if r.in_year(w.start) and w.holds_cases),
        days_lost=sum(w.days_lost for w in everyone_perm),
        vacancies=r.vacancies, agency_cover_fte=r.agency_cover_fte,
        managers_cases=sum(w.cases for w in now if not w.holds_cases),
        holders_without_cases=sum(1 for w in now if w.holds_cases and w.cases == 0),
    )


def baseline_from_return(path: str | Path, la: str | None = None) -> Baseline:
    """The baseline scenario of the council whose CSWW return is at `path` (`la`: its name, for the title)."""
    r = read_return(path)
    f = figures(r)
    name = (la or "").strip() or (f"LA {r.la_code}" if r.la_code else Path(path).stem)
    notes: list[str] = []
    v = _values(f, r, notes)
    sc = {
        "name": f"{name} baseline {r.year} (CSWW return)",
        "start": f"{r.year}-04",
        "years": YEARS,
        "demand": {"children": f.children, "growth_per_year": 0.0},
        "policy": {"children_per_fte": CHILDREN_PER_FTE, "nqsw_capacity_share": NQSW_CAPACITY_SHARE,
                   "non_availability": v["non_availability"]},
        "workforce": workforce_table(v["case_holder_fte"], v["nqsw_fte"], v["agency_fte"],
                                     v["non_case_holding_fte"], v["turnover_per_year"],
                                     v["experienced_hires_per_year"], v["agency_cover"]),
        "costs": dict(COSTS),
    }
    v.update(name=name, year=r.year, children=f.children)
    return Baseline(toml=_render(sc, f, r, name, v, notes), notes=notes, values=v, scenario=sc)


def _values(f: Figures, r: CSWWReturn, notes: list[str]) -> dict[str, Any]:
    """The scenario figures, rounded as written; a figure the scenario would refuse becomes England's, noted."""
    v: dict[str, Any] = {"case_holder_fte": round(f.case_holder_fte, 2), "nqsw_fte": round(f.nqsw_fte, 2),
                         "agency_fte": round(f.agency_fte, 2), "non_case_holding_fte": round(f.non_case_holding_fte, 2)}
    turnover = f.leavers_fte / f.inpost_fte if f.inpost_fte > 0 else math.nan
    if not turnover < TURNOVER_LIMIT:
        notes.append(("no permanent FTE in post to measure turnover against" if math.isnan(turnover)
                      else f"leavers {_readable(round(f.leavers_fte, 2))} FTE are {turnover:.0%} of the in-post FTE, "
                           f"more than a projection can take") + f"; used England's rate, "
                      f"{ENGLAND['turnover_rate_fte']:g}%")
        turnover = ENGLAND["turnover_rate_fte"] / 100
    absence = f.days_lost / (f.inpost_fte * WORKING_DAYS) if f.inpost_fte > 0 else math.nan
    if not absence < NON_AVAILABILITY_LIMIT:
        notes.append(f"the days lost cannot be turned into an absence rate; used England's, "
                     f"{ENGLAND['absence_rate_fte']:g}%")
        absence = ENGLAND["absence_rate_fte"] / 100
    if f.vacancies > 0:
        cover = min(1.0, f.agency_cover_fte / f.vacancies)
        if f.agency_cover_fte > f.vacancies:
            notes.append(f"agency FTE covering vacancies ({_readable(f.agency_cover_fte)}) exceed the vacancies "
                         f"({_readable(f.vacancies)}); agency_cover set to 1, the most a scenario takes")
    else:
        cover = ENGLAND["vacancy_agency_cover_rate_fte"] / 100
        notes.append(f"no vacancies in LALevelVacancies, so no share of them covered by agency; agency_cover is "
                     f"England's, {cover:g}")
    if f.case_holder_fte + f.nqsw_fte + f.agency_fte <= 0:
        notes.append("no worker in post holds a case-holding role; the plan will show every child as needing FTE")
    if f.managers_cases:
        notes.append(f"{_n(f.managers_cases, 'case')} {'is' if f.managers_cases == 1 else 'are'} held by workers "
                     f"outside case-holding roles (OrgRole 1-3, 6); they count in demand.children, those workers' "
                     f"FTE in non_case_holding_fte")
    if f.holders_without_cases:
        notes.append(f"{_n(f.holders_without_cases, 'worker')} in case-holding roles held no case at 30 September "
                     f"(Cases30 0); counted as case-holding FTE")
    notes += _defaulted_notes(r)
    if f.agency_fte_all > f.agency_fte:
        notes.append(f"{_readable(round(f.agency_fte_all - f.agency_fte, 2))} agency FTE hold no cases: counted in "
                     f"non_case_holding_fte, so the plan's agency share is below the DfE-defined rate")
    v.update(turnover_per_year=round(turnover, 4), non_availability=round(absence, 4),
             experienced_hires_per_year=round(f.hires_fte, 2), agency_cover=round(cover, 3),
             inpost_fte=round(f.inpost_fte, 2), agency_fte_all=round(f.agency_fte_all, 2),
             starters_fte=round(f.starters_fte, 2), leavers_fte=round(f.leavers_fte, 2))
    total = f.inpost_fte + f.agency_fte_all
    v["agency_rate"] = round(f.agency_fte_all / total, 4) if total > 0 else 0.0
    return v


DEFAULTS = {  # an optional field that is missing: who it was missing for, and what was assumed
    "OrgRole": ("in post", "counted in a case-holding role when Cases30 > 0, otherwise in non_case_holding_fte"),
    "Cases30": ("in post outside case-holding roles", "counted as 0 cases"),
    "WorkingDaysLost": ("employed by the council and not in post", "counted as 0 days lost"),
    "FTE": ("employed by the council and in post", "their FTE30 used"),
    "FTE30": ("", "taken from FTE (0 when RoleEndDate is on or before the census date)"),
}


def _defaulted_notes(r: CSWWReturn) -> list[str]:
    """A note for each optional field missing for some workers, naming the field, the count and the default."""
    notes = []
    for field, (who, assumed) in DEFAULTS.items():
        count = sum(1 for w in r.workers if field in w.defaulted)
        if count:
            notes.append(f"{field} missing for {_n(count, 'worker')}{' ' + who if who else ''}: {assumed}")
    return notes


# --------------------------------------------------------------------------- output

def _render(sc: dict[str, Any], f: Figures, r: CSWWReturn, name: str, v: dict[str, Any], notes: list[str]) -> str:
    y, w, p = r.year, sc["workforce"], sc["policy"]
    ref = r.reference_date.isoformat()
    n_perm = sum(1 for x in r.workers if not x.agency)
    holders = w["case_holder_fte"] + w["nqsw_fte"] + w["agency_fte"]
    lines = [
        f"# Baseline workforce scenario: {name}, {y}.",
        f"# Source: the council's own Children's social work workforce census return, file {r.file}",
        f"#   (census date {ref}; {_n(len(r.workers), 'CSWWWorker record')}, {n_perm} employed by the council).",
        "#   Case-holding roles: OrgRole 5 (case holder) and 4 (senior practitioner). In post: FTE30 > 0.",
        f"# The projection starts in April {y}, the start of the financial year the census date falls in.",
        f"# Check: caseload at 30 September: {f.children} cases / {_readable(round(holders, 2))} case-holding FTE = "
        + (f"{f.children / holders:.1f}." if holders else "no case-holding FTE."),
        f"# Check: agency rate as the DfE defines it, agency / (in post + agency): {_readable(v['agency_fte_all'])} / "
        f"({_readable(v['inpost_fte'])} + {_readable(v['agency_fte_all'])}) = {100 * v['agency_rate']:.1f}%.",
        f"# Vacancies (LALevelVacancies NumberOfVacancies): {_readable(r.vacancies)} FTE; not modelled, "
        f"for information.",
    ]
    lines += [f"# note: {_comment(n)}" for n in notes] + [""]
    lines += [_kv("name", sc["name"]), _kv("start", sc["start"], f"census date {ref}"), _kv("years", sc["years"]), "",
              "[demand]",
              _kv("children", f.children, "sum of Cases30 of workers in post; add children awaiting allocation"),
              _kv("growth_per_year", 0.0, "one return has no trend: give a rate or history = [..]"), "",
              "[policy]",
              _kv("children_per_fte", p["children_per_fte"], "local target (Portsmouth Cabinet 2017)"),
              _kv("nqsw_capacity_share", p["nqsw_capacity_share"], "ASYE: a 10% workload reduction"),
              _kv("non_availability", p["non_availability"],
                  f"WorkingDaysLost {_readable(round(f.days_lost, 2))} / (in-post FTE "
                  f"{_readable(v['inpost_fte'])} x {WORKING_DAYS} working days), as the DfE's absence rate"), "",
              "[workforce]",
              _kv("case_holder_fte", w["case_holder_fte"], "FTE30 of permanent case holders (OrgRole 4, 5), not ASYE"),
              _kv("nqsw_fte", w["nqsw_fte"], "FTE30 of permanent case holders in the ASYE (CFKSSstatus 1)"),
              _kv("agency_fte", w["agency_fte"], "FTE30 of agency workers in case-holding roles"),
              _kv("non_case_holding_fte", w["non_case_holding_fte"],
                  "FTE30 of workers in post in other roles (managers, OrgRole 6) and agency without cases"),
              _kv("turnover_per_year", w["turnover_per_year"],
                  f"permanent leavers in the year (RoleEndDate) {_readable(v['leavers_fte'])} FTE / in-post FTE "
                  f"{_readable(v['inpost_fte'])}, as the DfE's turnover rate"),
              _kv("experienced_hires_per_year", w["experienced_hires_per_year"],
                  f"starters used: permanent starters in the year (RoleStartDate) into case-holding roles, FTE "
                  f"(all starters {_readable(v['starters_fte'])} FTE); newly qualified included"),
              _kv("agency_cover", w["agency_cover"],
                  f"NoAgencyFTE {_readable(r.agency_cover_fte)} / NumberOfVacancies {_readable(r.vacancies)}"
                  if r.vacancies > 0 else "England's share of vacancies covered by agency staff, DfE 2023"),
              _kv("agency_target_share", w["agency_target_share"], "a planning target, not a census figure"), "",
              "[costs]                       # a year per FTE with on-costs: sample defaults from council reports"]
    lines += [_kv(k, val) for k, val in sc["costs"].items()] + [""]
    return "\n".join(lines)
