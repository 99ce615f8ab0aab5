"""A manager's standing decisions, laid over each week's cases export: pins (fixed_worker) and avoids.

The decisions file (CSV, or .xlsx with a sheet `decisions` or a single sheet) has one row per child:
`child_id` (required), `fixed_worker`, `avoid_workers` (`;`-separated) and `until` (the last day the
decision stands, YYYY-MM-DD or dd/mm/yyyy; blank: until the row is removed).

On the plan date (`--as-of`, else the policy's `as_of`, else today) a decision whose `until` is before
that date is dropped, and a note says which. Every other decision is laid over the export: its
fixed_worker replaces the export's for that child (a pin on one child pins the family, as in the
cases file), and its avoid_workers are added to the export's. A decision naming a child or worker the
inputs do not hold is a warning, and that part is not applied. Siblings left fixed to different workers
is an error, as it is in the cases file (inputs._family_checks), here pointing at the decision's row.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from files.problems import Problem, ValidationError
from files.read import as_id, parse_date, parse_list, read_table, text

from .inputs import Loaded
from .instance import Child, Instance
from .plan import family_label

COLUMNS = ("child_id", "fixed_worker", "avoid_workers", "until")
REQUIRED = ("child_id",)


@dataclass(frozen=True)
class Decision:
    """One row of the decisions file."""

    child_id: str
    fixed_worker: str | None = None
    avoid_workers: tuple[str, ...] = ()
    until: date | None = None  # the last day the decision stands; None: no end
    file: str = "decisions"
    row: int = 0

    def in_force(self, as_of: date) -> bool:
        return self.until is None or self.until >= as_of


def read_decisions(path: str | Path, label: str | None = None) -> tuple[Decision, ...]:
    """The decisions file's rows as Decisions; ValidationError (file, row, column) for a malformed file.

    A header with no rows is no decisions (a manager may clear them all)."""
    name = label or Path(path).name
    rows = read_table(path, "decisions", REQUIRED, COLUMNS, label=name, allow_empty=True)
    problems: list[Problem] = []
    out: list[Decision] = []
    for n, r in rows:
        cid = text(r.get("child_id"))
        if not cid:
            problems.append(Problem(name, n, "child_id", "is empty; every decision names the child it is about"))
            continue
        until = None
        if r.get("until") is not None:
            until, msg = parse_date(r["until"])
            if msg or until is None:
                problems.append(Problem(name, n, "until", f"{msg}; give the last day the decision stands, "
                                        "or leave it blank for no end"))
                continue
        out.append(Decision(cid, text(r.get("fixed_worker")), parse_list(r.get("avoid_workers")), until, name, n))
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def apply(instance: Instance, decisions: Sequence[Decision],
          as_of: date) -> tuple[Instance, list[Problem], list[str]]:
    """The instance with the decisions in force on `as_of` laid over its children; (instance, warnings, notes).

    Raises ValidationError when two decisions in force name one child, or leave siblings fixed to
    different workers."""
    live = [d for d in decisions if d.in_force(as_of)]
    notes = _expired_note([d for d in decisions if not d.in_force(as_of)], as_of)
    _refuse_duplicates(live)
    warnings: list[Problem] = []
    by_id = {c.id: c for c in instance.children}
    changed: dict[str, Child] = {}
    pinned_by: dict[str, Decision] = {}  # child -> the decision that pins it
    replaced: list[str] = []  # children whose export fixed_worker a decision replaced
    avoided = 0  # decisions that add to an avoid list
    for d in live:
        c = by_id.get(d.child_id)
        if c is None:
            warnings.append(Problem(d.file, d.row, "child_id", f"{as_id(d.child_id)} names no child in the cases file "
                                    f"({instance.cases_file}); the decision is not applied", "warning"))
            continue
        fixed, avoid = _known_workers(d, instance, warnings)
        if fixed:
            pinned_by[c.id] = d
            if c.fixed_worker and c.fixed_worker != fixed:
                replaced.append(c.id)
        avoided += bool(avoid)
        if fixed or avoid:
            changed[c.id] = dataclasses.replace(c, fixed_worker=fixed or c.fixed_worker,
                                                avoid_workers=tuple(sorted({*c.avoid_workers, *avoid})))
    children = tuple(changed.get(c.id, c) for c in instance.children)
    _refuse_split_families(children, pinned_by, instance.cases_file)
    if live:
        notes.append(f"{live[0].file}: {len(changed)} of {len(live)} decisions in force applied "
                     f"({len(pinned_by)} fixed_worker, {avoided} avoid_workers)")
    if replaced:
        notes.append(f"{live[0].file}: replaces the fixed_worker given in {instance.cases_file} for "
                     + ", ".join(replaced))
    return dataclasses.replace(instance, children=children), warnings, notes


def lay_over(loaded: Loaded, decisions: Sequence[Decision]) -> Loaded:
    """`loaded` with the decisions laid over its instance, on the plan date (the policy's `today()`)."""
    inst, warnings, notes = apply(loaded.instance, decisions, loaded.instance.policy.today())
    return dataclasses.replace(loaded, instance=inst, warnings=[*loaded.warnings, *warnings],
                               notes=[*loaded.notes, *notes])


def _known_workers(d: Decision, instance: Instance, warnings: list[Problem]) -> tuple[str | None, tuple[str, ...]]:
    """The decision's fixed_worker and avoid_workers that name workers of the inputs (the rest: a warning each)."""
    def unknown(column: str, wid: str, what: str) -> None:
        warnings.append(Problem(d.file, d.row, column, f"{as_id(wid)} names nobody in the workers file "
                                f"({instance.workers_file}); {what}", "warning"))

    fixed = d.fixed_worker
    if fixed and fixed not in instance.worker_by_id:
        unknown("fixed_worker", fixed, "the pin is not applied")
        fixed = None
    for wid in d.avoid_workers:
        if wid not in instance.worker_by_id:
            unknown("avoid_workers", wid, "it is ignored")
    if not d.fixed_worker and not d.avoid_workers:
        warnings.append(Problem(d.file, d.row, None, "gives neither fixed_worker nor avoid_workers; "
                                "it changes nothing", "warning"))
    return fixed, tuple(w for w in d.avoid_workers if w in instance.worker_by_id)


def _refuse_duplicates(live: list[Decision]) -> None:
    first: dict[str, Decision] = {}
    problems = []
    for d in live:
        if d.child_id in first:
            problems.append(Problem(d.file, d.row, "child_id", f"'{d.child_id}' has another decision in force "
                                    f"(row {first[d.child_id].row}); keep one row per child, or give the older "
                                    "one an `until` date that has passed"))
        else:
            first[d.child_id] = d
    if problems:
        raise ValidationError(problems)


def _refuse_split_families(children: tuple[Child, ...], pinned_by: dict[str, Decision], cases_file: str) -> None:
    """Siblings fixed to different workers where a decision did it: an error at the decision's row.

    (The cases file alone cannot split a family here: reading it refused that already.)"""
    pins: dict[str, dict[str, list[Child]]] = defaultdict(lambda: defaultdict(list))  # family -> worker -> children
    for c in children:
        if c.fixed_worker:
            pins[c.family_id][c.fixed_worker].append(c)
    problems = []
    for fam, by_worker in sorted(pins.items()):
        rows = sorted((pinned_by[c.id] for cs in by_worker.values() for c in cs if c.id in pinned_by),
                      key=lambda d: d.row)
        if len(by_worker) < 2 or not rows:
            continue
        where = "; ".join(f"{w}: " + ", ".join(f"{c.id} ({_source(c, pinned_by, cases_file)})" for c in cs)
                          for w, cs in sorted(by_worker.items()))
        problems.append(Problem(rows[0].file, rows[0].row, "fixed_worker",
                                f"siblings in family '{family_label(fam)}' are fixed to different workers ({where}); "
                                "fix them to one worker: a pin on one child pins the whole family"))
    if problems:
        raise ValidationError(problems)


def _source(c: Child, pinned_by: dict[str, Decision], cases_file: str) -> str:
    return f"row {pinned_by[c.id].row}" if c.id in pinned_by else f"{cases_file} row {c.row}"


def _expired_note(expired: list[Decision], as_of: date) -> list[str]:
    if not expired:
        return []
    n = len(expired)
    ids = ", ".join(d.child_id for d in expired)
    return [f"{expired[0].file}: {n} decision{'s' if n != 1 else ''} ended before {as_of.isoformat()} "
            f"(until) and {'are' if n != 1 else 'is'} not applied: {ids}"]

