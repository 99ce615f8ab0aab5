"""Reading the workers and cases files into an Instance: every rule the contract names, checked in one pass.

`load_instance` reads both files, converts each value, cross-checks them against each other and the
hard rules, and returns typed objects (allocator/instance.py), or raises every problem at once.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from files.columns import Header, header_key, ignored_columns, unmatched
from files.problems import Problem, ValidationError
from files.read import as_id, parse_bool, parse_date, parse_list, parse_number, read_columns, show, text
from policy.settings import CATEGORIES, PRIORITIES, ROLES, Policy, load_policy

from .annex_a import is_annex_a, load_cases
from .instance import Child, Instance, Worker, serving
from .rules import AVOID, NQSW, REACH, SKILL, Family

T = TypeVar("T")

WORKER_COLUMNS = ("worker_id", "team", "role", "fte", "employment", "skills", "asye_start",
                  "supervisor_id", "extra_teams", "max_children", "accepting", "absent_from", "absent_until",
                  "absence", "name")  # name: only to match exports (Annex A) to ids; never logged
WORKER_REQUIRED = WORKER_COLUMNS[:4]
CASE_COLUMNS = ("child_id", "team", "category", "family_id", "priority", "court", "required_skill",
                "current_worker", "weight", "fixed_worker", "avoid_workers", "awaiting_since")
CASE_REQUIRED = ("child_id", "team", "category")

# Spellings seen in case-management exports, read as the contract's roles.
ROLE_SPELLINGS = {
    "social worker": "social_worker", "sw": "social_worker", "qualified social worker": "social_worker",
    "children's social worker": "social_worker", "childrens social worker": "social_worker",
    "nqsw": "nqsw", "asye": "nqsw", "newly qualified social worker": "nqsw", "asye social worker": "nqsw",
    "newly qualified": "nqsw",
    "senior social worker": "senior_social_worker", "senior practitioner": "senior_social_worker",
    "advanced practitioner": "senior_social_worker", "experienced social worker": "senior_social_worker",
    "consultant social worker": "consultant_social_worker", "practice manager": "consultant_social_worker",
    "assistant team manager": "consultant_social_worker", "deputy team manager": "consultant_social_worker",
    "practice supervisor": "consultant_social_worker",
    "team manager": "service_leader", "service leader": "service_leader", "unit manager": "service_leader",
}
CATEGORY_SPELLINGS = {"child in need": "cin", "child protection": "cp", "looked after": "lac",
                      "cla": "lac", "looked after child": "lac", "child looked after": "lac",
                      "care leaver": "care_leaver", "leaving care": "care_leaver"}
# A RAG rating or a risk level, as exports give a priority ("Risk", "RAG" columns: files/columns.py).
PRIORITY_SPELLINGS = {"red": "high", "amber": "medium", "green": "low", "high risk": "high",
                      "medium risk": "medium", "low risk": "low"}


@dataclass
class Loaded:
    instance: Instance
    warnings: list[Problem]
    notes: list[str]


# Peak memory of a whole `allocate` run per byte of CSV input (measured: 11 MB of inputs for 220,000
# children peaked at 790 MB); a workbook's rows take several times the bytes, so this errs on the safe side.
MEMORY_PER_INPUT_BYTE = 80
MEMORY_SHARE = 0.75  # of the machine's memory, the most a run may plan to use


def _fits_in_memory(files: list[tuple[str | Path, str]]) -> None:
    """Refuse up front, saying why and what to do, inputs too large for this machine's memory."""
    import os
    try:
        machine = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: no estimate
        return
    sizes: dict[str, tuple[int, str]] = {}  # one workbook named for both files counts once
    for path, label in files:
        if Path(path).is_file():
            sizes[str(Path(path).resolve())] = (Path(path).stat().st_size, label)
    total = sum(size for size, _ in sizes.values())
    need = MEMORY_PER_INPUT_BYTE * total
    if need > MEMORY_SHARE * machine:
        raise ValidationError([Problem(max(sizes.values())[1], None, None,
                                       f"the inputs ({total / 1e6:,.0f} MB) would need about {need / 1e9:,.1f} GB "
                                       f"of memory, more than this machine can give ({machine / 1e9:,.1f} GB); "
                                       "allocate one area or service at a time (split the files by team)")])


def load_with_policy(workers_path: str | Path, cases_path: str | Path, policy_path: str | Path | None,
                     as_of: date | None = None, errors: list[Problem] | None = None) -> Loaded:
    """load_instance under the policy file (its `as_of` replaced where one is given): raise ValidationError with
    every error, the policy's first, then `errors` (other inputs' problems), then the files'; the policy's
    warnings lead the warnings."""
    policy, problems = load_policy(policy_path)
    if as_of:
        policy = replace(policy, as_of=as_of)
    errors = [p for p in problems if p.severity == "error"] + (errors or [])
    try:
        loaded = load_instance(workers_path, cases_path, policy)
    except ValidationError as e:
        raise ValidationError(errors + e.problems) from None
    if errors:
        raise ValidationError(errors)
    loaded.warnings[:0] = [p for p in problems if p.severity == "warning"]
    return loaded


def load_instance(workers_path: str | Path, cases_path: str | Path, policy: Policy) -> Loaded:
    """Read, convert and check both files; raise ValidationError listing every error."""
    problems: list[Problem] = []
    notes: list[str] = []
    wfile, cfile = Path(workers_path).name, Path(cases_path).name
    if wfile == cfile:  # one workbook for both; no [brackets]: the terminal reads them as markup
        kind = "sheet" if Path(workers_path).suffix.lower() in (".xlsx", ".xlsm") else "read as"
        wfile, cfile = f"{wfile} ({kind} workers)", f"{cfile} ({kind} cases)"
    _fits_in_memory([(workers_path, wfile), (cases_path, cfile)])
    wrows = crows = None
    headers: dict[str, Header] = {}  # how each file's header was read: notes, warnings, ignored_columns
    try:
        wrows = _read(workers_path, "workers", WORKER_REQUIRED, WORKER_COLUMNS, wfile, policy, headers)
    except ValidationError as e:
        problems += e.problems
    try:
        if is_annex_a(cases_path):  # an Ofsted Annex A workbook given as the cases: its lists, one row a child
            crows, cfile = load_cases(cases_path, wrows, cfile, wfile, notes)
        else:
            crows = _read(cases_path, "cases", CASE_REQUIRED, CASE_COLUMNS, cfile, policy, headers)
    except ValidationError as e:
        problems += e.problems
    notes[:0] = [n for h in headers.values() for n in h.notes()]
    # each file's own rows are checked even when the other cannot be read: every problem in one pass
    workers = _workers(wrows, wfile, policy, problems, notes) if wrows is not None else []
    children = _children(crows, cfile, policy, problems, notes) if crows is not None else []
    if wrows is None or crows is None:
        raise ValidationError([p for p in problems if p.severity == "error"])
    # ids on rows that have their own error: a reference to one is not also "names nobody"
    listed = {wid for _, r in wrows if (wid := text(r.get("worker_id")))}
    _cross_checks(workers, children, wfile, cfile, policy, problems, listed)
    problems[:] = (_name_hint(problems, headers.get("cases")) + unmatched(policy.columns, headers.values())
                   + [p for h in headers.values() for p in h.typos()])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(errors)
    inst = Instance(tuple(sorted(workers, key=lambda w: w.id)), tuple(sorted(children, key=lambda c: c.id)),
                    policy, wfile, cfile, ignored_columns(headers.values()))
    warnings = sorted((p for p in problems if p.severity == "warning"),
                      key=lambda p: (p.file, p.row or 0, p.column or "", p.message))
    return Loaded(inst, warnings, notes)


def _read(path: str | Path, table: str, required: tuple[str, ...], columns: tuple[str, ...], label: str,
          policy: Policy, headers: dict[str, Header]) -> list[tuple[int, Record]]:
    """A file's rows, its columns read by name, known spelling or the policy's [columns]; its header kept."""
    read = read_columns(path, table, required, columns, label=label, local=policy.columns)
    headers[table] = read.header
    return read.rows


def _name_hint(problems: list[Problem], cases: Header | None) -> list[Problem]:
    """The problems, with a hint on each current worker naming nobody when its column may hold names.

    Exports' "Allocated Worker" (Annex A's, for one) holds a person's name; read as current_worker, a name
    names nobody in the workers file. A header that says it holds an id ("... ID") gets no hint.
    """
    found = cases.header_of("current_worker") if cases else None
    if cases is None or found is None or found[1] == "name" or header_key(found[0]).endswith("id"):
        return problems
    hint = (f"; column '{found[0]}' may hold names, not worker_ids: give worker_ids in it, or, for an Ofsted "
            "Annex A workbook, give the workers file a name column (names as the export writes them) and give "
            "the workbook as --cases or convert it with `caseload import annex-a`")
    return [replace(p, message=p.message + hint)
            if p.column == "current_worker" and p.file == cases.file and "names nobody" in p.message else p
            for p in problems]


Mapped = Counter[tuple[str, str]]  # (spelling in the file, value read) -> rows
Record = dict[str, object]  # one row of a table: column -> cell


class Bad(Protocol):
    def __call__(self, col: str, msg: str, severity: str = "error") -> None: ...


def _mapped(raw: str, valid: tuple[str, ...], spellings: dict[str, str], mapped: Mapped) -> str | None:
    key = raw.strip().lower()
    norm = key.replace("-", "_").replace(" ", "_")
    if norm in valid:
        return norm
    loose = key.replace("_", " ").replace("-", " ")
    loose = " ".join(loose.split())
    if loose in spellings:
        mapped[(raw.strip(), spellings[loose])] += 1
        return spellings[loose]
    return None


def _report_mapping(mapped: Mapped, file: str, column: str, notes: list[str]) -> None:
    for (raw, role), n in sorted(mapped.items()):
        notes.append(f"{file}: {column} '{raw}' read as {role} ({n} row{'s' if n > 1 else ''})")


def _identified(rows: list[tuple[int, Record]], file: str, problems: list[Problem], id_col: str, unit: str,
                team_hint: str) -> Iterator[tuple[int, Record, str, str | None, Bad]]:
    """Rows with a unique id, as (row, record, id, team, bad); an empty or repeated id is a problem."""
    seen: dict[str, int] = {}
    for n, r in rows:
        def bad(col: str, msg: str, severity: str = "error", n: int = n) -> None:
            problems.append(Problem(file, n, col, msg, severity))
        rid, team = text(r.get(id_col)), text(r.get("team"))
        if not rid:
            bad(id_col, f"is empty; every {unit} needs a unique id")
            continue
        if rid in seen:
            bad(id_col, f"'{rid}' is a duplicate of row {seen[rid]}; ids must be unique: each {unit} appears once")
            continue
        seen[rid] = n
        if not team:
            bad("team", f"is empty; give the team {team_hint}")
        yield n, r, rid, team, bad


def _choice(r: Record, col: str, valid: tuple[str, ...], spellings: dict[str, str], mapped: Mapped, bad: Bad,
            hint: str = "") -> str | None:
    """One of `valid` (or a known spelling of one), else a problem listing them."""
    raw = text(r.get(col))
    value = _mapped(raw, valid, spellings, mapped) if raw else None
    if value is None:
        bad(col, f"{raw!r} is not a {col.replace('_', ' ')}; use one of: {', '.join(valid)}{hint}" if raw
            else f"is empty; use one of: {', '.join(valid)}")
    return value


def _parsed(r: Record, col: str, parse: Callable[[object], tuple[T | None, str | None]], bad: Bad) -> T | None:
    """The cell read by `parse` (None when blank, or when it is not valid: then a problem says why)."""
    if r.get(col) is None:
        return None
    value, msg = parse(r[col])
    if msg or value is None:
        bad(col, msg or "")
        return None
    return value


def _yes_no(r: Record, col: str, default: bool, bad: Bad) -> bool:
    value = _parsed(r, col, parse_bool, bad)
    return default if value is None else value


def _fte(r: Record, bad: Bad) -> float | None:
    if r.get("fte") is None:
        bad("fte", "is empty; give the worker's FTE (0 < fte <= 1)")
        return None
    fte, msg = parse_number(r["fte"])
    if msg or fte is None:
        bad("fte", (msg or "") + "; give the FTE as a number like 0.8")
        return None
    if not 0 < fte <= 1:
        hint = f"; if {fte:g} is a percentage, write {fte / 100:g}" if 10 <= fte <= 100 else ""
        bad("fte", f"{show(r['fte'])} is out of range; FTE must be more than 0 and at most 1{hint}")
        return None
    return fte


def _asye_start(r: Record, role: str | None, policy: Policy, bad: Bad) -> date | None:
    if r.get("asye_start") is None:
        return None
    asye, msg = parse_date(r["asye_start"])
    if msg or asye is None:
        bad("asye_start", msg or "")
    elif asye > policy.today():
        bad("asye_start", f"{asye.isoformat()} is in the future; give the date the ASYE year began")
    elif role and role != "nqsw":
        bad("asye_start", "is set for a worker who is not an NQSW; it is ignored", "warning")
    return asye


def _max_children(r: Record, bad: Bad) -> float | None:
    if r.get("max_children") is None:
        return None
    cap, msg = parse_number(r["max_children"])
    if msg or cap is None or cap < 0:
        bad("max_children", (msg or f"{show(r['max_children'])} is negative") + "; give a personal cap of 0 or more")
        return None
    return cap


ABSENCES = ("sickness", "maternity", "leave", "training", "other")
# Absence reasons as HR and case-management exports write them (and the CSWW census codes), read as ours.
ABSENCE_SPELLINGS = {"sick": "sickness", "sick leave": "sickness", "sickness absence": "sickness", "sic": "sickness",
                     "ill": "sickness", "maternity leave": "maternity", "paternity": "maternity",
                     "paternity leave": "maternity", "parental leave": "maternity", "adoption leave": "maternity",
                     "mat": "maternity", "annual leave": "leave", "holiday": "leave", "a/l": "leave",
                     "study leave": "training", "trn": "training", "course": "training", "oth": "other"}


def _date(r: Record, col: str, bad: Bad) -> date | None:
    return _parsed(r, col, parse_date, bad)


def _absence(r: Record, policy: Policy, bad: Bad) -> dict[str, Any]:
    """A worker's absence: its dates and code, and on the plan date what it means (Worker.away, reallocate)."""
    start, end = _date(r, "absent_from", bad), _date(r, "absent_until", bad)
    code = " ".join((text(r.get("absence")) or "").lower().split())
    code = ABSENCE_SPELLINGS.get(code, code)
    if code and code not in ABSENCES:
        bad("absence", f"is not an absence code (the value is not shown: it may be private); use one of: "
            f"{', '.join(ABSENCES)}, a code, never free text")
        code = ""
    if end and not start:
        bad("absent_from", "is empty but absent_until is set; give the first day of the absence")
    if start and end and end < start:
        bad("absent_until", f"{end.isoformat()} is before absent_from {start.isoformat()}; check the dates")
    if code and not start:
        bad("absence", f"'{code}' is given without absent_from; it is ignored", "warning")
    today = policy.today()
    away, reallocate = "", False
    if start and start <= today and (end is None or today <= end):
        away = f"absent ({code or 'other'}) " + (f"until {end.isoformat()}" if end else "with no end date")
        reallocate = end is None or (end - today).days > 7 * policy.reallocate_after_weeks
    return {"absent_from": start, "absent_until": end, "absence": code, "away": away, "reallocate": reallocate}


def _workers(rows: list[tuple[int, Record]], file: str, policy: Policy, problems: list[Problem],
             notes: list[str]) -> list[Worker]:
    out: list[Worker] = []
    mapped: Mapped = Counter()
    for n, r, wid, team, bad in _identified(rows, file, problems, "worker_id", "worker", "the worker sits in"):
        role = _choice(r, "role", ROLES, ROLE_SPELLINGS, mapped, bad,
                       " (or a common spelling such as 'Team Manager', 'ASYE', 'Senior Practitioner')")
        fte = _fte(r, bad)
        employment = (text(r.get("employment")) or "permanent").lower()
        if employment not in ("permanent", "agency"):
            bad("employment", f"{show(r.get('employment'))} is not valid; use permanent or agency")
        asye = _asye_start(r, role, policy, bad)
        max_children = _max_children(r, bad)
        accepting = _yes_no(r, "accepting", True, bad)
        away = _absence(r, policy, bad)
        if role is None or fte is None or not team:
            continue
        out.append(Worker(
            id=wid, team=team, role=role, fte=fte, employment=employment,
            capacity=0.0 if away["reallocate"] else policy.capacity(role, fte, asye, max_children),
            skills=tuple(s.lower() for s in parse_list(r.get("skills"))), asye_start=asye,
            supervisor_id=text(r.get("supervisor_id")), extra_teams=parse_list(r.get("extra_teams")),
            max_children=max_children, accepting=accepting, row=n, **away))
    _report_mapping(mapped, file, "role", notes)
    return out


def _weight(r: Record, category: str | None, policy: Policy, bad: Bad) -> float:
    if r.get("weight") is None:
        return policy.weight(category) if category else 1.0
    w, msg = parse_number(r["weight"])
    if msg or w is None or w <= 0 or w > 100:
        bad("weight", (msg or f"{show(r['weight'])} is out of range") + "; give a weight above 0, e.g. 1.5")
        return 1.0
    return w


def _children(rows: list[tuple[int, Record]], file: str, policy: Policy, problems: list[Problem],
              notes: list[str]) -> list[Child]:
    out: list[Child] = []
    mapped: Mapped = Counter()
    rated: Mapped = Counter()  # priorities given as a RAG rating or risk level
    for n, r, cid, team, bad in _identified(rows, file, problems, "child_id", "child", "the child's case sits with"):
        category = _choice(r, "category", CATEGORIES, CATEGORY_SPELLINGS, mapped, bad)
        priority = _priority(r, rated, bad)
        court = _yes_no(r, "court", False, bad)
        weight = _weight(r, category, policy, bad)
        since = _date(r, "awaiting_since", bad)
        if since and since > policy.today():
            bad("awaiting_since", f"{since.isoformat()} is after the plan date ({policy.today().isoformat()}); "
                "give the day the child started waiting")
        waited = (policy.today() - since).days if since and not text(r.get("current_worker")) else 0
        if category is None or priority is None or not team:
            continue
        out.append(Child(
            id=cid, team=team, category=category, family_id=text(r.get("family_id")) or f"~{cid}",
            priority=priority, court=court,
            required_skills=tuple(s.lower() for s in parse_list(r.get("required_skill"))),
            current_worker=text(r.get("current_worker")), weight=round(weight, 2),
            fixed_worker=text(r.get("fixed_worker")), avoid_workers=parse_list(r.get("avoid_workers")), row=n,
            awaiting_since=since, waited_days=max(0, waited)))
    _report_mapping(mapped, file, "category", notes)
    _report_mapping(rated, file, "priority", notes)
    return out


def _priority(r: Record, rated: Mapped, bad: Bad) -> str | None:
    """high, medium (the default) or low; a RAG rating or risk level is read as one, and reported."""
    raw = text(r.get("priority"))
    if not raw:
        return "medium"
    value = _mapped(raw, PRIORITIES, PRIORITY_SPELLINGS, rated)
    if value is None:
        bad("priority", f"{raw!r} is not a priority; use high, medium or low (a RAG rating reads red as high, "
            "amber as medium, green as low)")
    return value


def _cross_checks(workers: list[Worker], children: list[Child], wfile: str, cfile: str, policy: Policy,
                  problems: list[Problem], listed: set[str] | None = None) -> None:
    by_id = {w.id: w for w in workers}
    listed = set(by_id) | (listed or set())
    _supervisor_checks(workers, by_id, listed, wfile, policy, problems)
    _child_checks(workers, children, by_id, listed, cfile, policy, problems)
    _family_checks(children, cfile, problems)


def _supervisor_checks(workers: list[Worker], by_id: dict[str, Worker], listed: set[str], wfile: str,
                       policy: Policy, problems: list[Problem]) -> None:
    """Extra teams that exist, and each named supervisor: a real worker who supervises, in the NQSW's team."""
    teams = {w.team for w in workers}
    nqsw_by_supervisor: dict[str, list[Worker]] = defaultdict(list)

    def bad(w: Worker, column: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(wfile, w.row, column, message, severity))

    for w in workers:
        for t in w.extra_teams:
            if t not in teams:
                bad(w, "extra_teams", f"team '{t}' has no workers; check the spelling", "warning")
        if w.supervisor_id is None:
            continue
        if not w.is_nqsw:
            bad(w, "supervisor_id", "is set for a worker who is not an NQSW; it is ignored", "warning")
            continue
        sup = by_id.get(w.supervisor_id)
        if sup is None and w.supervisor_id in listed:
            continue  # the supervisor's own row has an error, reported there
        if sup is None:
            bad(w, "supervisor_id", f"{as_id(w.supervisor_id)} names nobody in the workers file; "
                "give an existing worker_id or leave it blank for the allocator to choose")
        elif sup.role not in policy.supervisor_roles:
            bad(w, "supervisor_id", f"'{sup.id}' is a {sup.role}, who does not supervise NQSWs; "
                f"name one of: {', '.join(policy.supervisor_roles)}")
        elif sup.team != w.team:
            bad(w, "supervisor_id", f"'{sup.id}' is in team '{sup.team}', not '{w.team}'; "
                "an NQSW's supervisor must be in the same team")
        else:
            nqsw_by_supervisor[sup.id].append(w)
    for sid, nqsws in sorted(nqsw_by_supervisor.items()):
        if len(nqsws) > policy.max_nqsw_per_supervisor:
            bad(by_id[sid], "worker_id", f"'{sid}' is named supervisor of {len(nqsws)} NQSWs, more than "
                f"max_nqsw_per_supervisor = {policy.max_nqsw_per_supervisor}; the allocator will give the rest "
                "another supervisor", "warning")


def _child_checks(workers: list[Worker], children: list[Child], by_id: dict[str, Worker], listed: set[str],
                  cfile: str, policy: Policy, problems: list[Problem]) -> None:
    """Each child's workers exist, and the hard rules (rules.py) their current worker already breaks."""
    served = serving(workers)
    none: frozenset[str] = frozenset()

    def bad(c: Child, column: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(cfile, c.row, column, message, severity))

    for c in children:
        for col, wid in (("current_worker", c.current_worker), ("fixed_worker", c.fixed_worker)):
            if wid and wid not in listed:
                bad(c, col, f"{as_id(wid)} names nobody in the workers file; give an existing worker_id"
                    + (" or leave it blank if the child awaits allocation" if col == "current_worker" else ""))
        for wid in c.avoid_workers:
            if wid not in listed:
                bad(c, "avoid_workers", f"{as_id(wid)} names nobody in the workers file", "warning")
        if c.team not in served and not policy.cross_team:
            bad(c, "team", f"no worker serves team '{c.team}'; check the spelling "
                "or give a worker that team in extra_teams", "warning")
        alone = Family(c.family_id, c.team, (c,))
        w = by_id.get(c.current_worker or "")
        if w is not None:
            if NQSW.test(w, alone, policy, none):
                what = "court work" if c.court else "a child-protection case"
                bad(c, "current_worker", f"'{w.id}' is an NQSW leading {what}; "
                    "the plan will move the child to an experienced worker", "warning")
            if SKILL.test(w, alone, policy, none):
                missing = [s for s in c.required_skills if s not in w.skills]
                bad(c, "current_worker", f"'{w.id}' lacks required skill {', '.join(missing)}; "
                    "the plan will move the child", "warning")
            if AVOID.test(w, alone, policy, none):
                bad(c, "current_worker", f"'{w.id}' is on the child's avoid_workers list; "
                    "the plan will move the child", "warning")
            if REACH.test(w, alone, policy, none):
                bad(c, "current_worker", f"'{w.id}' is in team '{w.team}', not '{c.team}'; "
                    "the plan will move the child to a worker of its team", "warning")
        reach = workers if policy.cross_team else served.get(c.team, ())
        for s in c.required_skills:
            if not any(s in w.skills for w in reach):
                bad(c, "required_skill", f"nobody who serves team '{c.team}' holds '{s}'; "
                    "the child cannot be allocated until a worker with that skill is added", "warning")


def _family_checks(children: list[Child], cfile: str, problems: list[Problem]) -> None:
    """Siblings in one team, with one current worker (a warning) and one fixed worker."""
    family_teams: dict[str, dict[str, int]] = defaultdict(dict)
    family_workers: dict[str, set[str]] = defaultdict(set)
    fixed: dict[str, set[str]] = defaultdict(set)
    for c in children:
        family_teams[c.family_id].setdefault(c.team, c.row)
        if c.current_worker:
            family_workers[c.family_id].add(c.current_worker)
        if c.fixed_worker:
            fixed[c.family_id].add(c.fixed_worker)
    first_row = {c.family_id: c.row for c in reversed(children)}
    for fam, teams_rows in sorted(family_teams.items()):
        if len(teams_rows) > 1 and not fam.startswith("~"):
            rows = sorted(teams_rows.values())
            problems.append(Problem(cfile, rows[1], "team", f"family '{fam}' is split across teams "
                                    f"{', '.join(sorted(teams_rows))}; siblings must sit with one team"))
        if len(family_workers[fam]) > 1:
            problems.append(Problem(cfile, first_row[fam], "current_worker", f"family '{fam}' is split between "
                                    f"workers {', '.join(sorted(family_workers[fam]))}; the plan will bring the "
                                    "siblings together", "warning"))
    for fam, ws in sorted(fixed.items()):
        if len(ws) > 1:
            problems.append(Problem(cfile, first_row[fam], "fixed_worker", f"siblings in family '{fam}' are fixed to "
                                    f"different workers ({', '.join(sorted(ws))}); fix them to one worker"))
