"""The weekly meeting over the engine: the stored inputs, absences and standing decisions as one Loaded
instance, a solve that stores its plan, files and page view, and last week's accepted plan to compare with.

The same code paths as the command line: `load_instance` (an Annex A workbook as the cases included),
`allocator.decisions.lay_over` (as `--decisions`), `allocator.changes` (as `--previous`), `plan_files`
(as `allocate --format xlsx`) and `build_report` (as `report`).
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from files.problems import Problem, ValidationError
from policy.bands import BANDS
from policy.settings import PRIORITIES

from .store import Store, now

if TYPE_CHECKING:
    from allocator.changes import Previous
    from allocator.decisions import Decision
    from allocator.inputs import Loaded
    from allocator.plan import Plan

DECISIONS_FILE = "decisions.csv"  # the standing decisions as `--decisions` takes them (GET /decisions.csv)
log = logging.getLogger("caseload.web")
ABSENCE_CODES = ("sickness", "maternity", "leave", "training", "other")
Progress = Callable[[str, int, int], None]


@dataclasses.dataclass(frozen=True)
class Inputs:
    """The files a plan is made from: paths in the data folder (policy optional)."""

    workers: Path
    cases: Path
    policy: Path | None = None

    def names(self) -> str:
        return ", ".join(p.name for p in (self.workers, self.cases, self.policy) if p)


def current_inputs(store: Store, db: sqlite3.Connection) -> tuple[Inputs | None, dict[str, sqlite3.Row]]:
    """The latest workers, cases and policy uploads (None until there are workers and cases)."""
    rows = store.current_uploads(db)
    if "workers" not in rows or "cases" not in rows:
        return None, rows
    paths = {k: store.path_of(rows.get(k)) for k in ("workers", "cases", "policy")}
    assert paths["workers"] and paths["cases"]
    return Inputs(paths["workers"], paths["cases"], paths["policy"]), rows


# ---------------------------------------------------------------------------- standing decisions, absences


def decisions_of(db: sqlite3.Connection) -> tuple[Decision, ...]:
    """The standing decisions as Decisions, row numbers as in decisions.csv (the header is row 1)."""
    from allocator.decisions import Decision
    out = []
    for n, r in enumerate(db.execute("SELECT * FROM decisions ORDER BY id"), start=2):
        until = datetime.date.fromisoformat(r["until"]) if r["until"] else None
        avoid = tuple(a for a in r["avoid_workers"].split(";") if a)
        out.append(Decision(r["child_id"], r["fixed_worker"] or None, avoid, until, DECISIONS_FILE, n))
    return tuple(out)


def decisions_csv(decisions: tuple[Decision, ...]) -> bytes:
    """The decisions as a file `caseload allocate --decisions` reads."""
    from files.write import csv_text
    rows = [[d.child_id, d.fixed_worker, ";".join(d.avoid_workers), d.until.isoformat() if d.until else None]
            for d in decisions]
    return csv_text(("child_id", "fixed_worker", "avoid_workers", "until"), rows).encode()


@dataclasses.dataclass(frozen=True)
class Absence:
    id: int
    worker_id: str
    absent_from: datetime.date
    absent_until: datetime.date | None
    absence: str

    def covers(self, day: datetime.date) -> bool:
        return self.absent_from <= day and (self.absent_until is None or day <= self.absent_until)


def absences_of(db: sqlite3.Connection) -> list[Absence]:
    return [Absence(r["id"], r["worker_id"], datetime.date.fromisoformat(r["absent_from"]),
                    datetime.date.fromisoformat(r["absent_until"]) if r["absent_until"] else None, r["absence"])
            for r in db.execute("SELECT * FROM absences ORDER BY id")]


def apply_absences(loaded: Loaded, absences: list[Absence]) -> Loaded:
    """The loaded workers with the absences marked on the page that cover the plan date: each replaces the
    worker file's own absence, read by the same rule as the file's columns (away, reallocate, capacity)."""
    from allocator.inputs import _absence
    inst = loaded.instance
    policy, day = inst.policy, inst.policy.today()
    by_worker: dict[str, Absence] = {}
    for a in absences:  # the latest marked absence covering the plan date wins
        if a.covers(day) and a.worker_id in inst.worker_by_id:
            by_worker[a.worker_id] = a
    if not by_worker:
        return loaded
    workers = []
    for w in inst.workers:
        marked = by_worker.get(w.id)
        if marked is None:
            workers.append(w)
            continue
        a = marked
        record: dict[str, object] = {"absent_from": a.absent_from.isoformat(), "absence": a.absence,
                  "absent_until": a.absent_until.isoformat() if a.absent_until else None}
        away = _absence(record, policy, lambda *_args, **_kw: None)  # checked when it was marked
        capacity = 0.0 if away["reallocate"] else policy.capacity(w.role, w.fte, w.asye_start, w.max_children)
        workers.append(dataclasses.replace(w, capacity=capacity, **away))
    note = "absences marked on the page applied: " + ", ".join(sorted(by_worker))
    return dataclasses.replace(loaded, instance=dataclasses.replace(inst, workers=tuple(workers)),
                               notes=[*loaded.notes, note])


# ---------------------------------------------------------------------------- loading


def load(inputs: Inputs, as_of: datetime.date | None, decisions: tuple[Decision, ...] = (),
         absences: list[Absence] | None = None) -> Loaded:
    """Read and check the inputs as `validate`/`allocate` do, absences and standing decisions applied; raise
    ValidationError with every problem (file, row, column)."""
    from allocator.decisions import lay_over
    from allocator.inputs import load_with_policy
    loaded = apply_absences(load_with_policy(inputs.workers, inputs.cases, inputs.policy, as_of), absences or [])
    return lay_over(loaded, decisions) if decisions else loaded


def check_decision(loaded: Loaded, decisions: tuple[Decision, ...], child_id: str) -> Loaded:
    """The inputs with the decisions laid over them; refuse (ValidationError, in the page's words: the user
    never saw decisions.csv) a set that cannot be laid over the inputs, or whose decision for `child_id`
    names a child or worker they do not hold."""
    from allocator.decisions import lay_over
    inst = loaded.instance
    mine = [d for d in decisions if d.child_id == child_id]
    unknown = [] if any(c.id == child_id for c in inst.children) else [f"child {child_id} is not in the cases file"]
    unknown += [f"worker {w} is not in the workers file" for d in mine
                for w in (d.fixed_worker, *d.avoid_workers) if w and w not in inst.worker_by_id]
    if unknown:
        raise ValidationError([Problem("decision", message=m) for m in unknown])
    try:
        laid = lay_over(loaded, decisions)
    except ValidationError as e:
        raise ValidationError([Problem("decision", message=p.message) for p in e.problems]) from None
    rows = {d.row for d in mine}
    problems = [p for p in laid.warnings if p.file == DECISIONS_FILE and p.row in rows]
    if problems:
        raise ValidationError([Problem("decision", message=p.message) for p in problems])
    return laid


def pin_blocked(laid: Loaded, child_id: str, worker_id: str) -> str | None:
    """Why the hard rules never let `worker_id` hold `child_id`'s family (other team, NQSW and child
    protection, a skill...), in words; None when they may."""
    from allocator.rules import blocker, families
    inst = laid.instance
    worker = inst.worker_by_id.get(worker_id)
    family = next((f for f in families(inst) if any(c.id == child_id for c in f.children)), None)
    if worker is None or family is None:
        return None
    blocked = blocker(worker, family, inst)
    return f"{worker_id} {blocked}" if blocked else None


# ---------------------------------------------------------------------------- last week


def last_accepted(db: sqlite3.Connection) -> sqlite3.Row | None:
    return db.execute("SELECT * FROM runs WHERE accepted_at IS NOT NULL ORDER BY accepted_at DESC, id DESC "
                      "LIMIT 1").fetchone()


def starts_from(accepted: sqlite3.Row | None, cases: sqlite3.Row | None) -> bool:
    """Does a solve start from the accepted plan rather than the cases upload? Yes when that plan is newer
    than the upload: it was made from this upload (or an older one), or accepted after it was uploaded."""
    if accepted is None or not accepted["accepted_at"]:
        return False
    if cases is None:
        return True
    return bool(cases["id"] <= (accepted["cases_upload"] or 0) or cases["uploaded_at"] < accepted["accepted_at"])


def start_of(db: sqlite3.Connection, run: sqlite3.Row) -> dict[str, Any] | None:
    """The accepted plan run `run` starts from ({run, accepted_at}), or None: it starts from its cases upload."""
    if not run["previous_run"]:
        return None
    accepted = db.execute("SELECT * FROM runs WHERE id = ?", (run["previous_run"],)).fetchone()
    cases = db.execute("SELECT * FROM uploads WHERE id = ?", (run["cases_upload"],)).fetchone()
    if not starts_from(accepted, cases):
        return None
    return {"run": accepted["id"], "accepted_at": accepted["accepted_at"]}


def previous_plan(store: Store, db: sqlite3.Connection, run_id: int) -> Previous:
    """An accepted run's plan as `--previous` reads a plan folder (allocation.csv, workers.csv, summary.json)."""
    from allocator.changes import read_previous
    with tempfile.TemporaryDirectory(dir=store.folder) as tmp:
        folder = Path(tmp) / f"plan-{run_id}"
        folder.mkdir()
        for r in db.execute("SELECT name, data FROM run_files WHERE run_id = ? AND name IN "
                            "('allocation.csv', 'workers.csv', 'summary.json')", (run_id,)):
            (folder / r["name"]).write_bytes(r["data"])
        prev = read_previous(folder)
    return dataclasses.replace(prev, folder=f"plan {run_id}")


# ---------------------------------------------------------------------------- the solve


def solve(store: Store, run_id: int, progress: Progress | None = None) -> None:
    """Make run `run_id`'s plan from what it recorded (inputs, plan date) and the standing decisions and
    absences now, and store its files and page; a failure is stored as the run's error."""
    from allocator.changes import with_changes
    from allocator.solve import Options, allocate
    from allocator.write import plan_files
    from reporting.page import build_report, report_files
    started = time.perf_counter()  # the time limit counts from here, as it does from a command's start
    with store.session() as db:
        run = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        paths = {k: store.path_of(db.execute("SELECT * FROM uploads WHERE id = ?", (run[f"{k}_upload"],)).fetchone())
                 if run[f"{k}_upload"] else None for k in ("workers", "cases", "policy")}
        decisions, absences = decisions_of(db), absences_of(db)
        previous = previous_plan(store, db, run["previous_run"]) if run["previous_run"] else None
        start = start_of(db, run)
    try:
        if not (paths["workers"] and paths["cases"] and paths["workers"].exists() and paths["cases"].exists()):
            raise ValidationError([Problem("inputs", message="the workers or cases file of this plan was deleted; "
                                           "upload them again")])
        inputs = Inputs(paths["workers"], paths["cases"], paths["policy"])
        loaded = load(inputs, datetime.date.fromisoformat(run["as_of"]), decisions, absences)
        if start is not None and previous is not None:  # the accepted plan carried out, as `caseload demo` does
            loaded = carry(loaded, previous)
        options = Options(keep_current=bool(run["keep_current"]), progress=progress, started=started)
        plan = allocate(loaded.instance, options, tuple(str(w) for w in loaded.warnings))
        if previous is not None:
            plan = with_changes(plan, previous)
        files = plan_files(plan, xlsx=True)
        files.update(report_files(build_report(plan, [], inputs=inputs.names())))
        files[DECISIONS_FILE] = decisions_csv(decisions)
        view = {**page_view(plan, loaded), "started_from": start,
                "unkept": unkept_decisions(plan, decisions)}
    except ValidationError as e:
        _finish(store, run_id, "failed", error=json.dumps([str(p) for p in e.problems]))
        return
    except Exception as e:  # noqa: BLE001 - a background solve records its failure, never vanishes
        log.warning("run %d failed: %s", run_id, type(e).__name__)  # the type only: a message may hold data
        _finish(store, run_id, "failed", error=json.dumps([f"unexpected failure: {type(e).__name__}"]))
        return
    _finish(store, run_id, "done", summary=json.dumps(plan.summary.to_json()), view=json.dumps(view), files=files)


def carry(loaded: Loaded, previous: Previous) -> Loaded:
    """The inputs with each child held by the worker the accepted plan gave them (a worker no longer in the
    workers file: the export's worker stands)."""
    from allocator.carry import carried_out
    known = loaded.instance.worker_by_id
    return carried_out(loaded, {c: w for c, w in previous.worker_of.items() if w is None or w in known})


def unkept_decisions(plan: Plan, decisions: tuple[Decision, ...]) -> list[dict[str, str]]:
    """Every standing decision in force that the plan did not keep: {child_id, decision, reason}."""
    from allocator.plan import family_label
    row = {r.child_id: r for r in plan.rows}
    inst = plan.instance
    unmet = plan.summary.fixed_worker_not_met
    out = []
    for d in decisions:
        r = row.get(d.child_id)
        if not d.in_force(inst.policy.today()):
            continue
        if r is None:
            out.append({"child_id": d.child_id, "decision": _decision_words(d),
                        "reason": f"child {d.child_id} is not in the cases file, so the decision was not applied"})
            continue
        if d.fixed_worker and r.worker_id != d.fixed_worker:
            reason = (f"{d.fixed_worker} is not in the workers file, so the pin was not applied"
                      if d.fixed_worker not in inst.worker_by_id else
                      unmet.get(family_label(r.family_id or d.child_id)) or r.reason)
            out.append({"child_id": d.child_id, "decision": _decision_words(d),
                        "reason": reason.removeprefix("manager's decision not met: ")})
        elif r.worker_id is None and r.previous_worker in d.avoid_workers:
            out.append({"child_id": d.child_id, "decision": _decision_words(d),
                        "reason": f"kept away from {r.previous_worker}, but no one else could take the child, "
                                  f"who is left waiting: {r.reason}"})
    return out


def _decision_words(d: Decision) -> str:
    parts = [f"pinned to {d.fixed_worker}"] if d.fixed_worker else []
    parts += [f"kept away from {', '.join(d.avoid_workers)}"] if d.avoid_workers else []
    return " and ".join(parts)


def _finish(store: Store, run_id: int, status: str, *, error: str | None = None, summary: str | None = None,
            view: str | None = None, files: dict[str, bytes] | None = None) -> None:
    with store.session() as db:
        db.execute("UPDATE runs SET status = ?, finished_at = ?, error = ?, summary = ?, view = ? WHERE id = ?",
                   (status, now(), error, summary, view, run_id))
        db.executemany("INSERT INTO run_files (run_id, name, data) VALUES (?, ?, ?)",
                       [(run_id, name, data) for name, data in sorted((files or {}).items())])


def page_view(plan: Plan, loaded: Loaded) -> dict[str, Any]:
    """What the page shows of a plan, computed once and stored with the run (the page never re-solves)."""
    inst = plan.instance
    child = {c.id: c for c in inst.children}
    children = []
    for r in plan.rows:
        c = child[r.child_id]
        children.append({**dataclasses.asdict(r), "family_id": r.family_id if not r.family_id.startswith("~")
                         else "", "priority": c.priority, "category": c.category, "waited_days": c.waited_days,
                         "awaiting_since": c.awaiting_since.isoformat() if c.awaiting_since else None,
                         "fixed_worker": c.fixed_worker, "avoid_workers": list(c.avoid_workers)})
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    waiting = sorted((c for c in children if c["status"] == "unallocated"),
                     key=lambda c: (rank.get(c["priority"], 9), -c["waited_days"], c["child_id"]))
    changes = plan.summary.changes
    away = {w.id: w.away for w in inst.workers if w.away}
    return {
        "as_of": inst.policy.today().isoformat(),
        "summary": plan.summary.to_json(),
        "teams": team_table(inst, plan.worker_of, plan.loads),
        "workers": [{**dataclasses.asdict(w), "band": w.band, "away": away.get(w.worker_id, "")}
                    for w in plan.workers],
        "children": children,
        "waiting": [c["child_id"] for c in waiting],
        "moves": [c["child_id"] for c in children if c["status"] == "moved"],
        "over_capacity": [c["child_id"] for c in children if c["status"] == "over_capacity"],
        "cover": [r.child_id for r in plan.needs_cover],
        "newly": [c["child_id"] for c in sorted(children, key=lambda c: (rank.get(c["priority"], 9),
                                                                         -c["waited_days"], c["child_id"]))
                  if c["status"] == "allocated"],
        "changes": changes.rows() if changes is not None else None,
        "changes_line": changes.line() if changes is not None else "",
        "notes": list(loaded.notes),
        "warnings": [str(w) for w in loaded.warnings],
        "bands": BANDS,
    }


def team_table(inst: Any, worker_of: dict[str, str | None], loads: dict[str, float]) -> list[dict[str, Any]]:
    """Per team, then "all teams": workers, FTE, capacity, children held (counted by the team of the worker who
    holds them, so a pool's children count under the pool), children waiting (by the child's team), caseload,
    utilisation and band. Held plus waiting is every child."""
    from policy.bands import band_name
    teams = inst.teams()
    sums = {t: {"workers": 0, "fte": 0.0, "capacity": 0.0, "children": 0, "waiting": 0, "load": 0.0} for t in teams}
    for w in inst.workers:
        row = sums[w.team]
        row["workers"] += 1
        row["fte"] += w.fte
        row["capacity"] += w.capacity
        row["load"] += loads.get(w.id, 0.0)
    for c in inst.children:
        holder = inst.worker_by_id.get(worker_of.get(c.id) or "")
        if holder is None:
            sums[c.team]["waiting"] += 1
        else:
            sums[holder.team]["children"] += 1
    sums["all teams"] = {k: sum(sums[t][k] for t in teams) for k in sums[teams[0]]} if teams else {}
    out = []
    for team in [*teams, "all teams"] if teams else []:
        n = sums[team]
        capacity, load = round(n["capacity"], 2), round(n["load"], 2)
        util = round(load / capacity, 4) if capacity else None
        out.append({**n, "team": team, "fte": round(n["fte"], 2), "capacity": capacity, "load": load,
                    "utilisation": util, "band": band_name(util)})
    return out


def team_table_now(inst: Any) -> list[dict[str, Any]]:
    """The team table as the files stand, before a plan."""
    from allocator.plan import current_loads
    return team_table(inst, {c.id: c.current_worker for c in inst.children}, current_loads(inst))
