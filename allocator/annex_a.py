"""Ofsted Annex A (the inspection child lists) read as the cases table: one row per child with an open case.

Every English council keeps this workbook ready for an inspection, so a team manager can hand it over as it
is. Each list is recognised by its header row, never by its sheet's name, and headers are compared loosely
(case, spacing, non-breaking spaces and punctuation ignored). Only open episodes hold a child on a caseload; a
child on several lists takes the strictest category. 'Allocated Worker' holds a person's name: it is matched
to the workers file's `name` column and is never printed, logged or written. Every mapping decision is
reported as counts (notes). The facts behind the rules: ../shared/ANNEXA.md.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from files.problems import Problem, ValidationError
from files.read import Grid, Record, parse_date, sheet_heads, text, workbook_sheets

COLUMNS = ("child_id", "team", "category", "family_id", "priority", "court", "required_skill", "current_worker",
           "awaiting_since")
LISTS = {1: "contacts", 2: "early help", 3: "referrals", 4: "assessments", 5: "section 47 enquiries",
         6: "children in need", 7: "child protection", 8: "looked after", 9: "care leavers", 10: "adoption"}
CASE_LISTS = (3, 4, 5, 6, 7, 8, 9)  # the lists of children with a social-work case
STRICTEST_FIRST = ("cp", "lac", "care_leaver", "cin", "assessment")  # the NQSW rule: the strictest list wins
LIST_CATEGORY = {3: "assessment", 4: "assessment", 5: "assessment", 7: "cp", 8: "lac", 9: "care_leaver"}
# (a phrase only that list's header holds, the list), tried in order: list 4's "continuous assessment start
# date" before list 2's "assessment start date"
SIGNATURES = (("date started to be looked after", 8), ("child protection plan start date", 7),
              ("cin start date", 6), ("case status", 6), ("section 47", 5),
              ("continuous assessment start date", 4), ("date of referral", 3), ("referral source", 3),
              ("allocated personal advisor", 9), ("eligibility category", 9), ("adoption", 10),
              ("date of contact", 1), ("contact source", 1), ("assessment start date", 2))
END = {4: "date of authorisation", 6: "cin closure date", 7: "plan end date", 8: "date ceased to be looked after"}
BEGAN = {3: "date of referral", 4: "assessment start date"}  # when a child awaiting a worker began to wait
STATUS = {"a": "lac", "b": "cp", "c": "cin", "d": "assessment", "e": "closed"}  # list 6's Case Status letters
STATUS_WORDS = (("closed", "closed"), ("protection", "cp"), ("looked after", "lac"), ("need", "cin"),
                ("assessment", "assessment"))
AWAITING = {"#n/a": "#N/A", "": "blank", "unallocated": "'Unallocated'"}  # Allocated Worker cells naming nobody
HEADER_ROWS = 10  # a list's header is looked for in its sheet's first rows (a title may sit above it)
NAME_FIX = ("add the worker's name to the workers file's name column (as the export writes it), or write "
            "Unallocated if the child awaits a worker")


def header_key(v: object) -> str:
    """A header (or a coded value) as compared: lower case, punctuation (curly quotes too) dropped, one space."""
    return " ".join(re.sub(r"[^\w\s]|_", "", str(v if v is not None else "").lower()).split())


def name_key(v: object) -> str:
    """A person's name as matched: case and spacing (non-breaking spaces too) ignored."""
    return " ".join(str(v if v is not None else "").replace("\u200b", "").split()).casefold()


def _spaced(v: object) -> str | None:
    """A cell as text with its spacing (non-breaking spaces too) made single; None when blank."""
    t = text(v)
    return " ".join(t.split()) if t else None


def _empty(v: object) -> bool:
    """Blank, or Excel's #N/A (a lookup that found nothing)."""
    t = text(v)
    return t is None or t.casefold() == "#n/a"


def _yes(v: object) -> bool:
    return header_key(text(v)) in ("y", "yes", "a yes", "true", "1")


def _interim(v: object) -> bool:
    """Whether a legal status is an interim care order: the child is in care proceedings."""
    raw = (text(v) or "").lower()
    return "interim care order" in header_key(raw) or re.match(r"(a\s*\)|c1\b)", raw) is not None


def _case_status(v: object) -> str | None:
    """List 6's Case Status as a category, 'closed', or None when blank or unknown."""
    raw = (text(v) or "").lower()
    if m := re.match(r"([a-e])\s*\)", raw):
        return STATUS[m.group(1)]
    key = header_key(raw)
    return next((cat for phrase, cat in STATUS_WORDS if phrase in key), None)


def _is_list_header(keys: Sequence[str]) -> bool:
    """Lists 1 to 10 begin Child Unique ID, Gender, Ethnicity, Date of Birth, Age of Child (Years)."""
    return (len(keys) >= 5 and keys[0].replace(" ", "") in ("childuniqueid", "childid") and keys[1] == "gender"
            and keys[2].startswith("ethnic") and keys[3] == "date of birth" and keys[4].startswith("age"))


def _header_at(rows: Sequence[Sequence[object]]) -> int | None:
    """The index of the list's header among a sheet's first rows; None: the sheet is not a list."""
    return next((i for i, r in enumerate(rows[:HEADER_ROWS]) if _is_list_header([header_key(v) for v in r])), None)


def list_number(keys: Sequence[str]) -> int | None:
    """Which list a header row (as header_key gives it) belongs to, by the columns only that list has."""
    return next((number for phrase, number in SIGNATURES if any(phrase in k for k in keys)), None)


def is_annex_a(path: str | Path) -> bool:
    """Whether `path` is an Annex A workbook: no sheet is named `cases`, and some sheet's header is a list's."""
    heads = sheet_heads(path, HEADER_ROWS)
    if not heads or any(title.strip().lower() == "cases" for title in heads):
        return False
    return any(_header_at(rows) is not None for rows in heads.values())


@dataclass(frozen=True)
class Columns:
    """Where one list keeps what allocation needs (None: the list has no such column)."""

    team: int | None
    worker: int | None
    end: int | None  # blank: the episode is open
    began: int | None
    status: int | None
    nfa: int | None
    legal: int | None
    uasc: int | None


@dataclass(frozen=True)
class ListSheet:
    """One list: its number, where problems point, its header (as written and as compared) and its rows."""

    number: int
    title: str
    file: str
    headers: tuple[str, ...]
    keys: tuple[str, ...]
    rows: Grid

    def col(self, *phrases: str, exact: bool = False, without: str = "") -> int | None:
        return next((j for j, k in enumerate(self.keys) if any(k == p if exact else p in k for p in phrases)
                     and not (without and without in k)), None)

    @cached_property
    def cols(self) -> Columns:
        n = self.number
        return Columns(team=self.col("allocated team", exact=True),
                       worker=self.col("allocated worker", "allocated social worker", exact=True),
                       end=self.col(END[n]) if n in END else None, began=self.col(BEGAN[n]) if n in BEGAN else None,
                       status=self.col("case status") if n == 6 else None,
                       nfa=self.col("referral nfa") if n == 3 else None,
                       legal=self.col("legal status", without="date") if n == 8 else None,
                       uasc=self.col("uasc", "unaccompanied asylum") if n in (8, 9) else None)

    def header(self, j: int | None, default: str) -> str:
        return self.headers[j] if j is not None and self.headers[j] else default


@dataclass(frozen=True)
class Episode:
    """One open row of a list: what it says about one child."""

    child: str
    category: str
    sheet: ListSheet
    row: int
    team: str | None
    worker: object  # the Allocated Worker cell: a name, a mark of no worker, or None
    court: bool
    uasc: bool
    began: object  # the referral date (list 3) or assessment start (list 4) cell

    @property
    def rank(self) -> tuple[int, int, int]:
        return STRICTEST_FIRST.index(self.category), self.sheet.number, self.row


@dataclass
class Tally:
    """Every mapping decision, counted for the notes."""

    lists: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    unused: list[tuple[int | None, str]] = field(default_factory=list)
    other_sheets: list[str] = field(default_factory=list)
    closed: int = 0
    closed_children: set[str] = field(default_factory=set)
    status_as_cin: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    several: int = 0
    referral_only: int = 0
    court: int = 0
    uasc: int = 0
    awaiting: Counter[str] = field(default_factory=Counter)
    since: Counter[str] = field(default_factory=Counter)
    team_from_list: int = 0
    team_from_worker: int = 0
    workers_differ: int = 0


@dataclass(frozen=True)
class Staff:
    """The workers file as Annex A needs it: each name (as matched) to its worker_id, each worker's team."""

    by_name: dict[str, str]
    team: dict[str, str]


@dataclass(frozen=True)
class AnnexCases:
    """The cases rows (numbered as the cases file `caseload import annex-a` writes them) and the notes."""

    rows: list[tuple[int, Record]]
    notes: list[str]


def read_staff(rows: list[tuple[int, Record]], file: str) -> tuple[Staff, list[Problem]]:
    """Names and teams from the workers file's rows; two workers under one name is a problem naming both."""
    held: dict[str, list[tuple[int, str]]] = defaultdict(list)
    team: dict[str, str] = {}
    for n, r in rows:
        wid = text(r.get("worker_id"))
        if not wid:
            continue
        if t := _spaced(r.get("team")):
            team.setdefault(wid, t)
        if key := name_key(r.get("name")):
            held[key].append((n, wid))
    problems = []
    for workers in held.values():
        ids = sorted({wid for _, wid in workers})
        if len(ids) > 1:
            (n1, w1), n2 = workers[0], next(n for n, wid in workers if wid != workers[0][1])
            problems.append(Problem(file, n2, "name", f"is the same name as worker {w1}'s (row {n1}): workers "
                                    f"{', '.join(ids)} share one name, so Annex A's Allocated Worker cannot tell "
                                    "them apart; make the names differ as the case-management system writes them "
                                    "(a middle initial, say)"))
    return Staff({k: ws[0][1] for k, ws in held.items()}, team), problems


def read_annex_a(path: str | Path, workers: list[tuple[int, Record]] | None, label: str | None = None,
                 workers_label: str = "workers") -> AnnexCases:
    """The workbook's children as cases rows, with notes; ValidationError lists every problem.

    `workers`: the workers file's rows (with `name`); None when it could not be read (names are not matched).
    """
    path = Path(path)
    label = label or path.name
    tally = Tally()
    sheets, problems = _lists(path, label, tally)
    episodes = [e for s in sheets for e in _episodes(s, tally, problems)]
    staff = None
    if workers is not None:
        staff, found = read_staff(workers, workers_label)
        problems += found
    rows = _children(episodes, staff, tally, problems, workers_label)
    if not rows and not problems:
        problems.append(Problem(label, None, None, "has no open episode: every row of its lists has ended; "
                                "give the current Annex A workbook"))
    if problems:
        raise ValidationError(problems)
    return AnnexCases(rows, _notes(tally))


def load_cases(path: str | Path, workers: list[tuple[int, Record]] | None, label: str, workers_label: str,
               notes: list[str]) -> tuple[list[tuple[int, Record]], str]:
    """allocator/inputs.py's hook: the workbook's cases rows and how later messages name them; adds the notes."""
    read = read_annex_a(path, workers, label, workers_label)
    as_cases = f"{label} (read as cases)"
    notes += read.notes + [f"Annex A: rows in messages about '{as_cases}' are those of the cases file "
                           "`caseload import annex-a` writes"]
    return read.rows, as_cases


def _lists(path: Path, label: str, tally: Tally) -> tuple[list[ListSheet], list[Problem]]:
    """The workbook's lists of children with a case (3 to 9), recognised by their headers; the rest noted."""
    sheets: list[ListSheet] = []
    problems: list[Problem] = []
    titles = []
    for title, grid, cell_problems in workbook_sheets(path, label):
        titles.append(title)
        at = _header_at([values for n, values in grid if n <= HEADER_ROWS])
        if at is None:
            tally.other_sheets.append(title)
            continue
        keys = tuple(header_key(v) for v in grid[at][1])
        number = list_number(keys)
        if number is None or number not in CASE_LISTS:
            tally.unused.append((number, title))
            continue
        problems += cell_problems
        tally.lists[number].append(title)
        headers = tuple(" ".join(str(v).split()) if v is not None else "" for v in grid[at][1])
        sheets.append(ListSheet(number, title, f"{label} (sheet '{title}', list {number})", headers, keys,
                                grid[at + 1:]))
    if not sheets:
        what = ("no list of children with a social-work case (lists 3 to 9)" if tally.unused else
                "no Annex A list: no sheet has a header row beginning Child Unique ID, Gender, Ethnicity, "
                "Date of Birth, Age of Child (Years)")
        raise ValidationError([Problem(label, None, None, f"has {what} (sheets: {', '.join(titles)}); give the "
                                       "Annex A workbook as exported, or a cases file")])
    return sheets, problems


def _episodes(sheet: ListSheet, tally: Tally, problems: list[Problem]) -> list[Episode]:
    """The list's open rows; closed ones are counted and left out."""
    cols = sheet.cols
    out = []
    for n, values in sheet.rows:
        def cell(j: int | None, values: Sequence[object] = values) -> object:
            return values[j] if j is not None and j < len(values) else None

        child = text(cell(0))
        if not child:
            problems.append(Problem(sheet.file, n, sheet.headers[0], "is empty; every row of a list needs the "
                                    "child's id"))
            continue
        category = _open_category(sheet, cols, n, cell, tally, problems)
        if category is None:
            tally.closed += 1
            tally.closed_children.add(child)
            continue
        out.append(Episode(child, category, sheet, n, team=_spaced(cell(cols.team)), worker=cell(cols.worker),
                           court=cols.legal is not None and _interim(cell(cols.legal)),
                           uasc=cols.uasc is not None and _yes(cell(cols.uasc)), began=cell(cols.began)))
    return out


def _open_category(sheet: ListSheet, cols: Columns, n: int, cell: Callable[[int | None], object], tally: Tally,
                   problems: list[Problem]) -> str | None:
    """The row's category, or None when its episode is closed: an end date, a referral with no further
    action, or list 6's 'e) Closed episode'."""
    if cols.end is not None and not _empty(end := cell(cols.end)):
        _, msg = parse_date(end)
        if msg:
            problems.append(Problem(sheet.file, n, sheet.headers[cols.end], f"{msg}; leave it blank while the "
                                    "episode is open, or give the date it ended"))
        return None
    if cols.nfa is not None and _yes(cell(cols.nfa)):
        return None
    if sheet.number != 6:
        return LIST_CATEGORY[sheet.number]
    status = _case_status(cell(cols.status))
    if status is None:
        tally.status_as_cin += 1
    return None if status == "closed" else status or "cin"


def _children(episodes: list[Episode], staff: Staff | None, tally: Tally, problems: list[Problem],
              workers_label: str) -> list[tuple[int, Record]]:
    """One row per child, from its open episodes, strictest first; names matched to workers."""
    by_child: dict[str, list[Episode]] = defaultdict(list)
    for e in episodes:
        by_child[e.child].append(e)
    unmatched: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    rows: list[tuple[int, Record]] = []
    for child in sorted(by_child):
        eps = sorted(by_child[child], key=lambda e: e.rank)
        record = _child(child, eps, staff, tally, problems, unmatched)
        rows.append((len(rows) + 2, record))
    tally.closed_children -= set(by_child)
    problems += _name_problems(unmatched, staff, workers_label)
    return rows


def _resolve(e: Episode, staff: Staff | None, unmatched: dict[tuple[str, str, str], list[int]]) -> tuple[str | None,
                                                                                                         str | None]:
    """(worker_id, None) for a matched name; (None, how it is marked) for no worker; (None, None) unmatched."""
    key = name_key(e.worker)
    if key in AWAITING:
        return None, AWAITING[key]
    wid = staff.by_name.get(key) if staff is not None else None
    if wid is None and staff is not None:
        unmatched[(e.sheet.file, e.sheet.header(e.sheet.cols.worker, "Allocated Worker"), key)].append(e.row)
    return wid, None


def _child(child: str, eps: list[Episode], staff: Staff | None, tally: Tally, problems: list[Problem],
           unmatched: dict[tuple[str, str, str], list[int]]) -> Record:
    """The child's cases row: category, team and worker from the strictest list that has them."""
    first = eps[0]
    resolved = [_resolve(e, staff, unmatched) for e in eps]
    ids = [wid for wid, _ in resolved if wid]
    worker = ids[0] if ids else None
    tally.workers_differ += len(set(ids)) > 1
    named = any(wid is None and mark is None for wid, mark in resolved)  # an unmatched name: reported as such
    team = next((e.team for e in eps if e.team), None)
    tally.team_from_list += bool(team and not first.team)
    if team is None and worker and staff is not None and worker in staff.team:
        team = staff.team[worker]
        tally.team_from_worker += 1
    if team is None and not named:
        problems.append(Problem(first.sheet.file, first.row, first.sheet.header(first.sheet.cols.team,
                                                                                "Allocated Team"),
                                "is blank and no worker is allocated, so the child's team is not known; "
                                "give the team the child's case sits with"))
    since = None
    if worker is None and not named:
        tally.awaiting[resolved[0][1] or "blank"] += 1
        since = _waiting_since(eps, tally, problems)
    tally.categories[first.category] += 1
    tally.several += len({e.sheet.number for e in eps}) > 1
    tally.referral_only += all(e.sheet.number in (3, 5) for e in eps)
    court, uasc = any(e.court for e in eps), any(e.uasc for e in eps)
    tally.court += court
    tally.uasc += uasc
    return {"child_id": child, "team": team, "category": first.category, "family_id": None, "priority": None,
            "court": "yes" if court else "no", "required_skill": "uasc" if uasc else None,
            "current_worker": worker, "awaiting_since": since.isoformat() if since else None}


def _waiting_since(eps: list[Episode], tally: Tally, problems: list[Problem]) -> date | None:
    """The earliest open referral's date, else the earliest open assessment's start."""
    for number, what in ((3, "referral"), (4, "assessment")):
        dates = []
        for e in eps:
            if e.sheet.number == number and not _empty(e.began):
                d, msg = parse_date(e.began)
                if msg:
                    problems.append(Problem(e.sheet.file, e.row, e.sheet.header(e.sheet.cols.began, BEGAN[number]),
                                            f"{msg}; give the date as dd/mm/yyyy or as an Excel date"))
                elif d is not None:
                    dates.append(d)
        if dates:
            tally.since[what] += 1
            return min(dates)
    tally.since["none"] += 1
    return None


def _name_problems(unmatched: dict[tuple[str, str, str], list[int]], staff: Staff | None,
                   workers_label: str) -> list[Problem]:
    """One problem a name a list gives and the workers file lacks, at its first row; never the name itself."""
    if not unmatched:
        return []
    if staff is not None and not staff.by_name:
        return [Problem(workers_label, 1, "name", "no worker has a name, so Annex A's Allocated Worker cannot be "
                        "matched to anyone; add a name column giving each worker's name as the export writes it "
                        "(names are used only to match, never printed)")]
    out = []
    for (file, column, _), rows in unmatched.items():
        others = sorted(set(rows[1:]))
        also = "" if not others else (f" (so does row{'s' if len(others) > 1 else ''} "
                                      f"{', '.join(map(str, others[:5]))}{', ...' if len(others) > 5 else ''})")
        out.append(Problem(file, rows[0], column, f"names someone who is not in the workers file's name "
                           f"column{also}; {NAME_FIX}"))
    return out


def _notes(t: Tally) -> list[str]:
    """Every mapping decision as counts, one line a topic; never a name."""
    n = sum(t.categories.values())
    marks = ", ".join(f"{m} {t.awaiting[m]}" for m in AWAITING.values() if t.awaiting[m])
    left_out = f" ({len(t.closed_children)} children with no open episode left out)" if t.closed_children else ""
    notes = [f"Annex A: {n} children from {len(t.lists)} lists; {t.closed} closed episodes skipped{left_out}; "
             f"{t.several} on several lists (strictest category kept); {t.court} court (interim care order); "
             f"{t.uasc} uasc; {sum(t.awaiting.values())} awaiting" + (f" ({marks})" if marks else "")]
    notes.append("Annex A lists read: " + "; ".join(f"list {k} {LISTS[k]} (sheet {', '.join(map(repr, v))})"
                                                    for k, v in sorted(t.lists.items())))
    skipped = [f"list {k} {LISTS[k]} (sheet {s!r}): no social-work case" for k, s in
               sorted(t.unused, key=lambda u: (u[0] or 99, u[1])) if k]
    skipped += [f"sheet {s!r}: a list of another kind" for k, s in t.unused if not k]
    skipped += [f"sheet {s!r}: not a list" for s in t.other_sheets]
    if skipped:
        notes.append("Annex A sheets not read: " + "; ".join(skipped))
    notes.append("Annex A categories (strictest list wins): "
                 + ", ".join(f"{c} {t.categories[c]}" for c in STRICTEST_FIRST if t.categories[c])
                 + (f"; {t.referral_only} on a referral or section 47 list only, read as assessment"
                    if t.referral_only else ""))
    notes += _more_notes(t)
    return notes


def _more_notes(t: Tally) -> list[str]:
    out = []
    if t.status_as_cin:
        out.append(f"Annex A: {t.status_as_cin} open list 6 rows with a blank or unknown Case Status read as cin")
    taken = [f"from another of the child's lists for {t.team_from_list}" if t.team_from_list else "",
             f"from the allocated worker's team for {t.team_from_worker}" if t.team_from_worker else ""]
    if any(taken):
        out.append("Annex A: Allocated Team blank on the strictest list: the team taken "
                   + ", ".join(x for x in taken if x))
    if t.workers_differ:
        out.append(f"Annex A: {t.workers_differ} children have different workers on different lists (the worker "
                   "on the strictest list kept)")
    if t.awaiting:
        out.append(f"Annex A: awaiting_since from the referral date for {t.since['referral']} children, the "
                   f"assessment start for {t.since['assessment']}"
                   + (f"; {t.since['none']} have neither (left blank)" if t.since["none"] else ""))
    if 9 in t.lists:
        out.append("Annex A: list 9's Allocated Personal Advisor is not a social worker and is not read")
    out.append("Annex A holds no sibling groups or priorities: each child is a family of one, priority medium; "
               "add family_id and priority to the cases file `caseload import annex-a` writes to use them")
    return out


def import_workbook(path: str | Path, workers_path: str | Path) -> tuple[str, AnnexCases]:
    """`caseload import annex-a`: the cases CSV text of the workbook, names matched with the workers file's."""
    from files.read import read_table
    from files.write import csv_text

    from .inputs import WORKER_COLUMNS
    problems: list[Problem] = []
    workers = None
    try:
        workers = read_table(workers_path, "workers", ("worker_id", "team"), WORKER_COLUMNS)
    except ValidationError as e:
        problems += e.problems
    try:
        read = read_annex_a(path, workers, workers_label=Path(workers_path).name)
    except ValidationError as e:
        raise ValidationError(problems + e.problems) from None
    if problems:
        raise ValidationError(problems)
    return csv_text(COLUMNS, ([r.get(c) for c in COLUMNS] for _, r in read.rows)), read
