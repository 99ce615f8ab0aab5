"""From the solver's decision to a plan a manager can read: typed rows, a summary, and a reason for every child.

Everything here is computed once, in `make_plan`, and frozen: the writers, tables, charts and the
report read these attributes and never recompute a number.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from policy.bands import band_name
from policy.settings import PRIORITIES

from .instance import Child, Instance, Worker
from .rules import (
    ABSENT,
    ACCEPTING,
    HARD_RULES,
    SCALE,
    SIZE,
    SUPERVISED,
    Family,
    Rule,
    blocker,
    families,
    held_now,
    scaled,
)

if TYPE_CHECKING:
    from .changes import Changes
    from .solve import Options, Solution, UnmetPin

STATUSES = ("kept", "moved", "allocated", "unallocated", "over_capacity")


@dataclass(frozen=True)
class ChildRow:
    """One child's line of allocation.csv."""

    child_id: str
    family_id: str
    team: str
    worker_id: str | None
    status: str
    previous_worker: str | None
    reason: str = ""


@dataclass(frozen=True)
class WorkerRow:
    """One worker's line of workers.csv: their caseload after the plan."""

    worker_id: str
    team: str
    role: str
    fte: float
    capacity: float
    children: int
    utilisation: float | None
    supervisor_id: str | None
    nqsw_supervised: int
    load: float
    employment: str
    over_capacity_load: float

    @property
    def band(self) -> str:
        return band_name(self.utilisation)


@dataclass(frozen=True)
class TeamRow:
    """A team's workers, FTE, capacity, children, children awaiting allocation and caseload ("all teams": totals)."""

    team: str
    workers: int
    fte: float
    capacity: float
    children: int
    awaiting: int
    load: float
    utilisation: float | None

    @property
    def band(self) -> str:
        return band_name(self.utilisation)


@dataclass(frozen=True)
class Summary:
    """summary.json, in the contract's key order."""

    status: str
    children: int
    allocated: int
    unallocated: int
    moved: int
    kept: int
    over_capacity: int
    by_priority: dict[str, dict[str, Any]]  # awaiting, allocated (and longest_wait_days, given awaiting_since)
    max_utilisation: float
    solve_seconds: float
    mode: str
    max_moves: int | None
    seed: int
    workers: int
    components: int
    stages: tuple[dict[str, Any], ...]
    over_capacity_load: dict[str, float]
    dropped: int
    fixed_worker_not_met: dict[str, str]
    nqsw_without_supervisor: dict[str, str]
    cut_short: bool
    ignored_columns: dict[str, list[str]]  # input columns not used, by file (files/columns.py)
    warnings: tuple[str, ...]
    above_capacity_load: dict[str, float] | None = None  # with over_capacity_for: load placed above capacity
    changes: Changes | None = None  # with --previous: what changed since last week's plan (allocator/changes.py)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["stages"], doc["warnings"] = list(self.stages), list(self.warnings)
        doc["changes"] = self.changes.to_json() if self.changes is not None else None
        return {k: v for k, v in doc.items() if v is not None or k not in OPTIONAL_KEYS}


OPTIONAL_KEYS = ("above_capacity_load", "changes")  # summary.json has these only when the run asks for them


@dataclass(frozen=True)
class Plan:
    """The plan: every child's row, every worker's and team's caseload, the summary; and what it came from."""

    instance: Instance
    rows: tuple[ChildRow, ...]
    workers: tuple[WorkerRow, ...]
    teams: tuple[TeamRow, ...]
    summary: Summary
    solution: Solution
    options: Options

    @property
    def loads(self) -> dict[str, float]:
        """Weighted children per worker in the plan (workers.csv's load)."""
        return {w.worker_id: w.load for w in self.workers}

    @property
    def worker_of(self) -> dict[str, str | None]:
        return {r.child_id: r.worker_id for r in self.rows}

    @property
    def needs_cover(self) -> tuple[ChildRow, ...]:
        """Children kept with a worker absent on the plan date for too short a time to move them: cover needed."""
        away = {w.id for w in self.instance.workers if w.away and not w.reallocate}
        return tuple(r for r in self.rows if r.status == "kept" and r.worker_id in away)


def family_label(family_id: str) -> str:
    """A child without a family_id is a family of one, kept internally as '~<child_id>': show the child."""
    return family_id[1:] if family_id.startswith("~") else family_id


def current_loads(inst: Instance) -> dict[str, float]:
    """Weighted children each worker holds as the inputs stand, before any plan."""
    return {wid: held / SCALE for wid, held in held_now(inst).items()}


def team_rows(inst: Instance, load: dict[str, float]) -> tuple[TeamRow, ...]:
    """Per team, then "all teams": workers, FTE, capacity, children, awaiting, caseload and utilisation."""
    teams = inst.teams()
    sums = {t: [0, 0.0, 0.0, 0, 0, 0.0] for t in teams}  # workers, fte, capacity, children, awaiting, load
    for w in inst.workers:
        r = sums[w.team]
        r[0] += 1
        r[1] += w.fte
        r[2] += w.capacity
        r[5] += load.get(w.id, 0.0)
    for c in inst.children:
        sums[c.team][3] += 1
        sums[c.team][4] += not c.current_worker
    sums["all teams"] = [sum(sums[t][k] for t in teams) for k in range(6)]

    def row(team: str, n: list) -> TeamRow:
        capacity, load_ = round(n[2], 2), round(n[5], 2)
        return TeamRow(team, int(n[0]), round(n[1], 2), capacity, int(n[3]), int(n[4]), load_,
                       round(load_ / capacity, 4) if capacity else None)

    return tuple(row(t, sums[t]) for t in [*teams, "all teams"])


def make_plan(inst: Instance, sol: Solution, opts: Options, warnings: tuple[str, ...] = ()) -> Plan:
    """Statuses and reasons for every child, each worker's and team's caseload, and the summary."""
    fams = families(inst)
    load: dict[str, int] = defaultdict(int)  # scaled
    status: dict[str, str] = {}
    for f in fams:
        for c in f.children:
            given = sol.worker_of_child(c, f.id)
            if given:
                load[given] += scaled(c.weight)
            status[c.id] = ("unallocated" if given is None else "allocated" if c.current_worker is None
                            else "kept" if c.current_worker == given else "moved")
    explain = Explainer(inst, fams, sol, load, opts, sum(1 for s in status.values() if s == "moved"))
    reasons: dict[str, str] = {}
    over: dict[str, float] = {}
    above: dict[str, float] = {}  # load placed above capacity for children of over_capacity_for
    for w in inst.workers:
        excess = load[w.id] - scaled(w.capacity)
        if excess > 0 and explain.before[w.id] <= scaled(w.capacity):
            above[w.id] = excess / SCALE
        elif excess > 0:
            over[w.id] = excess / SCALE
            explain.mark_over_capacity(w, excess, status, reasons)
    explain.mark_above_capacity(above, status, reasons)
    rows = {}
    for f in fams:
        for c in f.children:
            given = sol.worker_of_child(c, f.id)
            reason = reasons.get(c.id) or explain.row_reason(f, c, status[c.id], given)
            rows[c.id] = ChildRow(c.id, "" if f.id.startswith("~") else f.id, c.team, given, status[c.id],
                                  c.current_worker, reason)
    ordered = tuple(rows[c.id] for c in inst.children)
    loads = {w.id: load[w.id] / SCALE for w in inst.workers}
    workers = _worker_rows(inst, ordered, loads, sol, over)
    if sol.cut_short:
        warnings += (f"the solve was stopped by the clock at the time limit ({sol.time_limit:g} s): this is the "
                     "starting plan, which a repeat would write too; give a longer --time-limit for a better one",)
    summary = _summary(inst, ordered, workers, sol, opts, over, explain, warnings)
    if inst.policy.over_capacity_for:
        summary = replace(summary, above_capacity_load=dict(sorted(above.items())))
    return Plan(inst, ordered, workers, team_rows(inst, loads), summary, sol, opts)


def _worker_rows(inst: Instance, rows: tuple[ChildRow, ...], loads: dict[str, float], sol: Solution,
                 over: dict[str, float]) -> tuple[WorkerRow, ...]:
    count: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.worker_id:
            count[r.worker_id] += 1
    supervised: dict[str, int] = defaultdict(int)
    for s in sol.supervisors.values():
        supervised[s] += 1
    return tuple(WorkerRow(
        w.id, w.team, w.role, w.fte, w.capacity, count[w.id],
        round(loads[w.id] / w.capacity, 4) if w.capacity else None,
        sol.supervisors.get(w.id) if w.is_nqsw else None, supervised[w.id], loads[w.id], w.employment,
        over.get(w.id, 0.0)) for w in inst.workers)


def _summary(inst: Instance, rows: tuple[ChildRow, ...], workers: tuple[WorkerRow, ...], sol: Solution,
             opts: Options, over: dict[str, float], explain: Explainer, warnings: tuple[str, ...]) -> Summary:
    count = {s: 0 for s in STATUSES}
    for r in rows:
        count[r.status] += 1
    by_priority: dict[str, dict[str, Any]] = {p: {"awaiting": 0, "allocated": 0} for p in PRIORITIES}
    dated = any(c.awaiting_since for c in inst.children if not c.current_worker)
    for p in PRIORITIES if dated else ():
        by_priority[p]["longest_wait_days"] = None  # none of this priority's waiting children has a date
    for c, r in zip(inst.children, rows, strict=True):
        if not c.current_worker:
            counts = by_priority[c.priority]
            counts["awaiting"] += 1
            counts["allocated"] += bool(r.worker_id)
            if c.awaiting_since:
                counts["longest_wait_days"] = max(counts["longest_wait_days"] or 0, c.waited_days)
    utils = [w.utilisation for w in workers if w.utilisation is not None]
    return Summary(
        status="optimal" if all(s.optimal for s in sol.stages) else "feasible",
        children=len(rows), allocated=count["allocated"], unallocated=count["unallocated"], moved=count["moved"],
        kept=count["kept"], over_capacity=count["over_capacity"], by_priority=by_priority,
        max_utilisation=round(max(utils), 4) if utils else 0.0, solve_seconds=round(sol.seconds, 3),
        mode="keep_current" if opts.keep_current else "rebalance", max_moves=opts.max_moves,
        seed=inst.policy.seed if opts.seed is None else opts.seed, workers=len(inst.workers),
        components=sol.components, stages=tuple(s.to_json() for s in sol.stages),
        over_capacity_load=dict(sorted(over.items())),
        dropped=sum(1 for r in rows if r.status == "unallocated" and r.previous_worker),
        fixed_worker_not_met={family_label(f): explain.unmet_pin(p) for f, p in sorted(sol.pins_broken.items())},
        nqsw_without_supervisor={w: explain.no_supervisor(w, n) for w, n in sorted(sol.unsupervised.items())},
        cut_short=sol.cut_short, ignored_columns={f: list(cs) for f, cs in inst.ignored_columns.items()},
        warnings=tuple(warnings))


class Explainer:
    """Reasons drawn from the instance, in words a manager understands."""

    def __init__(self, inst: Instance, fams: list[Family], sol: Solution, load: dict[str, int], opts: Options,
                 moved: int):
        self.inst, self.sol, self.load, self.opts, self.moved = inst, sol, load, opts, moved
        self.unsup = frozenset(sol.unsupervised)
        self.new_at: dict[str, list[Child]] = defaultdict(list)  # worker -> awaiting children given to them
        self.before = held_now(inst)  # worker -> scaled load held before the plan
        self.families_at: dict[str, list[Family]] = defaultdict(list)  # worker -> families the plan gives them
        for f in fams:
            holder = sol.worker_of[f.id]
            if holder:
                self.families_at[holder].append(f)
            for c in f.children:
                w = sol.worker_of_child(c, f.id)
                if w and c.current_worker is None:
                    self.new_at[w].append(c)

    def _room(self, w: Worker) -> str:
        return f"{self.load[w.id] / SCALE:g}/{w.capacity:g}"

    def _reach(self, f: Family) -> tuple[Worker, ...]:
        return self.inst.reach(f.team)

    def no_room(self, f: Family, exclude: str | None = None) -> str:
        """Why no worker could take the family: the rule that rules most out, or who is full."""
        reach = [w for w in self._reach(f) if w.id != exclude]
        if not reach:
            return f"no {'other ' if exclude else ''}worker serves {f.team}"
        blocked: dict[str, list[Worker]] = defaultdict(list)
        rule_of: dict[str, Rule] = {}
        eligible = []
        for w in reach:
            why = blocker(w, f, self.inst, self.unsup)
            if why and why.rule is not SIZE:
                blocked[why.why].append(w)
                rule_of[why.why] = why.rule
            else:
                eligible.append(w)
        need = ""
        if f.skills:
            need = f"needs {', '.join(f.skills)} skill; "
        elif f.needs_experienced and not self.inst.policy.nqsw_may_lead_cp:
            need = "needs an experienced worker (CP/court); "
        if not eligible:  # the rule that rules out most of them, in the rule's own words
            counts: dict[Rule, int] = defaultdict(int)
            for text, ws in blocked.items():
                counts[rule_of[text]] += len(ws)
            rule, n = max(counts.items(), key=lambda kv: (kv[1], -HARD_RULES.index(kv[0])))
            if len(reach) == 1:
                return f"{need}no worker who serves {f.team} may hold this family: {reach[0].id} {next(iter(blocked))}"
            return (f"{need}no worker who serves {f.team} may hold this family: "
                    f"{'all' if n == len(reach) else n} of {len(reach)} {rule.ruled_out}")
        fits = sorted(eligible, key=lambda w: (scaled(w.capacity) - self.load[w.id], w.id), reverse=True)
        shown = ", ".join(f"{w.id} {self._room(w)}" for w in fits[:4])
        more = f" and {len(fits) - 4} more" if len(fits) > 4 else ""
        size = f"family of {f.size} needs {f.weight / SCALE:g}; " if f.size > 1 else ""
        n = len(eligible)
        # workers with room who may take no one new say so: a manager can act on that
        idle = [f"{w.id} has room but {why}" for why, ws in sorted(blocked.items()) for w in ws
                if rule_of[why] in (ACCEPTING, ABSENT, SUPERVISED) and scaled(w.capacity) - self.load[w.id] >= f.weight]
        return (f"{need}{size}the {n} worker{'s' if n != 1 else ''} in reach who may hold it "
                f"{'are' if n != 1 else 'is'} at capacity ({shown}{more})"
                + "".join(f"; {x}" for x in idle[:2]))

    def row_reason(self, f: Family, c: Child, status: str, worker: str | None) -> str:
        """Why the child waits (and for how long) or moves; a manager's decision kept or not met; cover needed."""
        if status in ("unallocated", "moved"):
            why = self.reason(f, status, worker, c.current_worker)
            if status == "unallocated" and c.awaiting_since and not c.current_worker:
                days = c.waited_days
                why += f"; waiting {days} day{'s' if days != 1 else ''} (since {c.awaiting_since.isoformat()})"
            return why
        if f.id in self.sol.pins_broken:
            return "manager's decision not met: " + self.unmet_pin(self.sol.pins_broken[f.id])
        if f.fixed_worker == worker:
            return "manager's decision (fixed_worker)"
        holder = self.inst.worker_by_id.get(worker or "")
        if status == "kept" and holder is not None and holder.away:
            return f"needs cover: {holder.id} {holder.away}"
        return ""

    def reason(self, f: Family, status: str, worker: str | None, prev: str | None) -> str:
        sol, inst = self.sol, self.inst
        if status == "unallocated":
            family_worker = sol.worker_of[f.id]
            if family_worker and not prev:  # a newcomer waiting to join siblings who have a worker
                w = inst.worker_by_id[family_worker]
                blocked = blocker(w, f.newcomers, inst, self.unsup) or blocker(w, f, inst, self.unsup)
                why = (str(blocked) if blocked and blocked.rule is not SIZE
                       else f"has no room for {f.newcomers.weight / SCALE:g} more ({self._room(w)})")
                return f"waits to join siblings with {w.id}, who {why}"
            if f.id in sol.pins_broken:
                return "manager's decision not met: " + self.unmet_pin(sol.pins_broken[f.id])
            if prev and self.opts.keep_current and prev in inst.worker_by_id:  # only their own worker could keep them
                return (f"was with {prev}, now at capacity ({prev} {self._room(inst.worker_by_id[prev])}); "
                        "--keep-current moves nobody, so no other worker may take the child")
            lead = f"was with {prev}; " if prev else ""
            if prev and prev in inst.worker_by_id:
                blocked = blocker(inst.worker_by_id[prev], f, inst, self.unsup)
                if blocked and blocked.rule is not SIZE:
                    lead = f"{prev} {blocked}; "
            return lead + self.no_room(f)
        had = inst.worker_by_id.get(prev or "")
        now = f"now with {worker}"
        if f.fixed_worker == worker:
            return f"manager's decision (fixed_worker): {now}"
        if had is not None and had.reallocate:
            return f"{prev} {had.away}; {now}"
        if had is not None:  # a rule that forbids the previous worker the children they held
            blocked = blocker(had, f.core, inst, self.unsup)
            if blocked and blocked.rule not in (SIZE, ACCEPTING):
                return f"{prev} {blocked}; {now}"
        newcomers = [c for c in f.newcomers.children if self.sol.worker_of_child(c, f.id)]
        if newcomers and had is not None:
            blocked = blocker(had, f, inst, self.unsup)
            why = (str(blocked) if blocked and blocked.rule is not SIZE else
                   f"had no room for the whole family ({self._room(had)}, family needs {f.weight / SCALE:g})")
            ids = ", ".join(f"{c.id} ({c.priority})" for c in newcomers[:3])
            return f"moved with new sibling {ids}: {prev} {why}; {now}"
        if len(f.current_workers) > 1:
            return f"siblings brought together with {worker} (they were split between {', '.join(f.current_workers)})"
        if had is not None:
            before = self.before[had.id]
            if before > scaled(had.capacity):
                return (f"{prev} was over capacity ({before / SCALE:g}/{had.capacity:g}); {now} "
                        f"({self._room(inst.worker_by_id[worker or ''])})")
            taken = self.new_at.get(had.id)
            if taken:
                top = sorted(taken, key=lambda c: PRIORITIES.index(c.priority))
                ids = ", ".join(f"{c.id} ({c.priority})" for c in top[:3])
                return f"moved so {prev} could take children awaiting allocation: {ids}; {now}"
        return f"moved to make room for another child, in a chain of moves; {now}"

    def why_kept(self, f: Family, w: Worker) -> str:
        """Why a family stays with a worker over capacity: the mode, or nobody else may take it."""
        if self.opts.keep_current:
            return "--keep-current moves nobody"
        if self.opts.max_moves is not None and self.moved >= self.opts.max_moves:
            return f"the move budget (--max-moves {self.opts.max_moves}) is used up"
        return self.no_room(f.core, exclude=w.id)

    def mark_over_capacity(self, w: Worker, excess: int, status: dict[str, str], reasons: dict[str, str]) -> None:
        """Mark as over capacity the kept children that could not be moved, hardest to move first."""
        held = self.families_at[w.id]

        def alternatives(f: Family) -> int:
            return sum(1 for o in self._reach(f) if o.id != w.id and blocker(o, f.core, self.inst, self.unsup) is None)

        def kept_weight(f: Family) -> int:
            return sum(scaled(c.weight) for c in f.children if status[c.id] == "kept")

        # hardest to move first, without marking more than the excess where a family fits it
        order = [f for f in sorted(held, key=lambda f: (alternatives(f), f.id)) if kept_weight(f)]
        chosen, left = [], excess
        for f in order:
            if 0 < kept_weight(f) <= left:
                chosen.append(f)
                left -= kept_weight(f)
        rest = [f for f in order if f not in chosen]
        while left > 0 and rest:  # the rest by the smallest family that covers it, else the largest
            f = min(rest, key=lambda f: (kept_weight(f) < left, kept_weight(f) if kept_weight(f) >= left
                                         else -kept_weight(f), f.id))
            rest.remove(f)
            chosen.append(f)
            left -= kept_weight(f)
        for f in chosen:
            why = self.why_kept(f, w)
            for c in f.children:
                if status[c.id] == "kept":
                    status[c.id] = "over_capacity"
                    state = (f"{w.id} {w.away}" if w.reallocate else
                             f"{w.id} holds {self.load[w.id] / SCALE:g} against capacity {w.capacity:g}")
                    reasons[c.id] = f"{state}; no one else could take this family: {why}"

    def mark_above_capacity(self, above: dict[str, float], status: dict[str, str], reasons: dict[str, str]) -> None:
        """The children of over_capacity_for a worker took above capacity: flagged, with the reason."""
        for wid in above:
            w = self.inst.worker_by_id[wid]
            for c in self.new_at[wid]:
                if c.priority in self.inst.policy.over_capacity_for and status[c.id] == "allocated":
                    reasons[c.id] = (f"ABOVE CAPACITY: allocated rather than left waiting ({c.priority} priority, "
                                     f"over_capacity_for); {wid} now holds {self.load[wid] / SCALE:g} against "
                                     f"capacity {w.capacity:g}")

    def unmet_pin(self, p: UnmetPin) -> str:
        """Why a manager's decision (fixed_worker) could not stand, in words."""
        w = self.inst.worker_by_id[p.worker]
        if p.blocked is not None:
            return f"fixed to {w.id}, but {w.id} {p.blocked}"
        if p.outside:
            return f"fixed to {w.id}, but {w.id} works in {w.team}, outside the family's reach"
        if p.budget is not None:
            return f"fixed to {w.id}, but the move budget (--max-moves {p.budget}) is used up"
        return (f"fixed to {w.id}, but {w.id} has no room for the family "
                f"({p.held / SCALE:g}/{w.capacity:g}, family needs {p.need / SCALE:g})")

    def no_supervisor(self, nqsw: str, supervisors: int) -> str:
        """Why an NQSW has no supervisor: every supervisor of their team is full, or the team has none."""
        pol, team = self.inst.policy, self.inst.worker_by_id[nqsw].team
        if supervisors:
            s = "s" if supervisors != 1 else ""
            return (f"no supervisor in {team} has room: {supervisors} supervisor{s} "
                    f"x {pol.max_nqsw_per_supervisor} NQSWs each")
        return f"{team} has no {' / '.join(pol.supervisor_roles)}"
