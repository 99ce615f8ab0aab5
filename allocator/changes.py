"""What changed since last week: this plan against the previous plan folder (`--previous DIR`).

The previous folder is one this tool wrote: its allocation.csv (child_id, worker_id) and workers.csv
(worker_id, utilisation) are read, and its summary.json when there is one (for the count of plans a
child has been waiting). A child's worker in a plan is its `worker_id` there (blank: waiting).

- newly_allocated {child: worker}: children with a worker in this plan who had none in the previous
  plan, or were not in it.
- moved {child: {from, to}}: children whose worker in this plan differs from their worker in the
  previous plan, both non-empty.
- still_waiting {child: plans}: children left waiting by this plan who were waiting in the previous
  plan too, with the number of plans in a row, this one included, that have left them waiting: the
  previous plan's count (its summary.json's changes.still_waiting) plus one, else 2. No plan date is
  needed: with one plan a week it is the weeks on the list (at least), counted in plans.
- band_changed {worker: {from, to}}: workers in both plans, with a capacity in both, whose workload
  band (green, amber, red: policy/bands.py) differs from the band of their utilisation in the
  previous workers.csv.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from files.problems import Problem, ValidationError
from files.read import parse_number, read_table, text
from policy.bands import band_name

from .write import ALLOCATION_COLUMNS, WORKER_COLUMNS

if TYPE_CHECKING:
    from .plan import Plan

KINDS = {"newly_allocated": "newly allocated", "moved": "moved", "still_waiting": "still waiting",
         "band_changed": "changed band"}


@dataclass(frozen=True)
class Previous:
    """Last week's plan, as far as the comparison needs it."""

    folder: str
    worker_of: dict[str, str | None]  # child -> worker in the previous plan (None: waiting)
    band_of: dict[str, str]  # worker -> workload band in the previous plan ("": no capacity)
    waiting_plans: dict[str, int]  # child -> plans in a row left waiting, as the previous summary.json counted


@dataclass(frozen=True)
class Changes:
    """summary.json's `changes`: each a mapping from a child's (or worker's) id, sorted by id."""

    newly_allocated: dict[str, str]  # child -> worker now
    moved: dict[str, tuple[str, str]]  # child -> (previous worker, worker now)
    still_waiting: dict[str, int]  # child -> plans in a row, this one included, that left the child waiting
    band_changed: dict[str, tuple[str, str]]  # worker -> (previous band, band now)

    def to_json(self) -> dict[str, Any]:
        return {"newly_allocated": dict(self.newly_allocated),
                "moved": {c: {"from": a, "to": b} for c, (a, b) in self.moved.items()},
                "still_waiting": dict(self.still_waiting),
                "band_changed": {w: {"from": a, "to": b} for w, (a, b) in self.band_changed.items()}}

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in KINDS}

    def line(self) -> str:
        """One line for the terminal: "Since last week: 2 newly allocated, 1 moved, ..."."""
        n = self.counts()
        workers = n["band_changed"]
        return (f"Since last week: {n['newly_allocated']} newly allocated, {n['moved']} moved, "
                f"{n['still_waiting']} still waiting, {workers} worker{'s' if workers != 1 else ''} changed band")

    def rows(self) -> list[dict[str, Any]]:
        """One row per change (kind, id, was, now, detail): the report's and the workbook's table."""
        out: list[dict[str, Any]] = []
        out += [{"change": "newly_allocated", "id": c, "was": None, "now": w, "detail": ""}
                for c, w in self.newly_allocated.items()]
        out += [{"change": "moved", "id": c, "was": a, "now": b, "detail": ""} for c, (a, b) in self.moved.items()]
        out += [{"change": "still_waiting", "id": c, "was": None, "now": None,
                 "detail": f"left waiting by {n} plans in a row"} for c, n in self.still_waiting.items()]
        out += [{"change": "band_changed", "id": w, "was": a, "now": b, "detail": ""}
                for w, (a, b) in self.band_changed.items()]
        return out


def compare(plan: Plan, prev: Previous) -> Changes:
    """What changed between the previous plan and this one (the definitions are the module's)."""
    newly: dict[str, str] = {}
    moved: dict[str, tuple[str, str]] = {}
    waiting: dict[str, int] = {}
    for r in sorted(plan.rows, key=lambda r: r.child_id):
        had = prev.worker_of.get(r.child_id)
        if r.worker_id and not had:
            newly[r.child_id] = r.worker_id
        elif r.worker_id and had and r.worker_id != had:
            moved[r.child_id] = (had, r.worker_id)
        elif not r.worker_id and r.child_id in prev.worker_of and not had:
            waiting[r.child_id] = prev.waiting_plans.get(r.child_id, 1) + 1
    bands = {w.worker_id: (prev.band_of.get(w.worker_id, ""), w.band) for w in plan.workers}
    changed = {w: ab for w, ab in sorted(bands.items()) if ab[0] and ab[1] and ab[0] != ab[1]}
    return Changes(newly, moved, waiting, changed)


def previous_of(plan: Plan, folder: str) -> Previous:
    """A plan made in this run, as the next week's plan would read it back from its folder."""
    return Previous(folder, dict(plan.worker_of), {w.worker_id: w.band for w in plan.workers},
                    dict(plan.summary.changes.still_waiting) if plan.summary.changes else {})


def with_changes(plan: Plan, prev: Previous) -> Plan:
    """The plan with `changes` (since the previous plan) in its summary."""
    return replace(plan, summary=replace(plan.summary, changes=compare(plan, prev)))


def read_previous(folder: str | Path) -> Previous:
    """Last week's plan folder; ValidationError naming the file for a folder that is missing or garbled."""
    path = Path(folder)
    if not path.is_dir():
        what = "is a file" if path.exists() else "not found"
        raise ValidationError([Problem(str(folder), None, None, f"{what}; give the folder of last week's plan "
                                       "(the --out folder of that allocate run, with allocation.csv and workers.csv)")])
    problems: list[Problem] = []
    worker_of: dict[str, str | None] = {}
    band_of: dict[str, str] = {}
    try:
        worker_of = {c: w for c, (_, w) in _ids(path / "allocation.csv", "allocation", "child_id", problems).items()}
    except ValidationError as e:
        problems += e.problems
    try:
        band_of = _bands(path / "workers.csv", problems)
    except ValidationError as e:
        problems += e.problems
    waiting = _waiting_plans(path / "summary.json", problems)
    if problems:
        raise ValidationError(problems)
    return Previous(str(folder), worker_of, band_of, waiting)


def _ids(file: Path, table: str, id_col: str, problems: list[Problem],
         value_col: str = "worker_id") -> dict[str, tuple[int, str | None]]:
    """{id: (row, value)} from a plan file; a row without an id, or repeating one, is a problem."""
    columns = ALLOCATION_COLUMNS if table == "allocation" else WORKER_COLUMNS
    rows = read_table(file, table, (id_col, value_col), columns, label=str(file))
    out: dict[str, tuple[int, str | None]] = {}
    for n, r in rows:
        rid = text(r.get(id_col))
        if not rid or rid in out:
            why = "is empty" if not rid else f"'{rid}' appears twice"
            problems.append(Problem(str(file), n, id_col, f"{why}; this is not a plan this tool wrote "
                                    "(give the folder of an allocate run)"))
            continue
        out[rid] = (n, text(r.get(value_col)))
    return out


def _bands(file: Path, problems: list[Problem]) -> dict[str, str]:
    """Each worker's band from the previous workers.csv's utilisation ("" for a worker with no capacity)."""
    found = len(problems)
    utils = _ids(file, "workers", "worker_id", problems, value_col="utilisation")
    if len(problems) > found:
        return {}
    out: dict[str, str] = {}
    for wid, (n, raw) in utils.items():
        util, msg = parse_number(raw) if raw is not None else (None, None)
        if msg:
            problems.append(Problem(str(file), n, "utilisation", f"{msg}; this is not a workers.csv this tool wrote"))
        out[wid] = band_name(util)
    return out


def _waiting_plans(file: Path, problems: list[Problem]) -> dict[str, int]:
    """The previous summary.json's changes.still_waiting ({} when it has none: a plan made without --previous)."""
    if not file.exists():
        return {}
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        problems.append(Problem(str(file), None, None, f"cannot be read as JSON ({e}); give the folder of a "
                                "plan this tool wrote, or remove the damaged summary.json"))
        return {}
    changes = doc.get("changes") if isinstance(doc, dict) else None
    waiting = changes.get("still_waiting", {}) if isinstance(changes, dict) else {}
    if not isinstance(waiting, dict) or not all(isinstance(v, int) and v >= 1 for v in waiting.values()):
        problems.append(Problem(str(file), None, "changes.still_waiting", "is not a mapping of child ids to a "
                                "number of plans; this is not a summary.json this tool wrote"))
        return {}
    return {str(k): v for k, v in waiting.items()}
