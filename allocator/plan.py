"""From the solver's decision to a plan a manager can read: a status and a reason for every child."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .instance import Instance, Worker
from .rules import SCALE, Family, blocker, families, scaled

STATUSES = ("kept", "moved", "allocated", "unallocated", "over_capacity")


@dataclass
class ChildRow:
    child_id: str
    family_id: str
    team: str
    worker_id: str | None
    status: str
    previous_worker: str | None
    reason: str = ""


@dataclass
class Plan:
    instance: Instance
    rows: list[ChildRow]
    solution: object  # solve.Solution
    options: object  # solve.Options
    over_capacity_load: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # from reading the inputs, and a solve cut short

    @property
    def worker_of(self) -> dict[str, str | None]:
        return {r.child_id: r.worker_id for r in self.rows}

    def loads(self) -> dict[str, float]:
        """Weighted children per worker in the plan."""
        weight = {c.id: c.weight for c in self.instance.children}
        load = {w.id: 0.0 for w in self.instance.workers}
        for r in self.rows:
            if r.worker_id:
                load[r.worker_id] += weight[r.child_id]
        return {k: round(v, 2) for k, v in load.items()}

    def counts(self) -> dict[str, int]:
        n = {w.id: 0 for w in self.instance.workers}
        for r in self.rows:
            if r.worker_id:
                n[r.worker_id] += 1
        return n

    def worker_rows(self) -> list[dict]:
        load, count = self.loads(), self.counts()
        sup = self.solution.supervisors
        supervised = defaultdict(int)
        for s in sup.values():
            supervised[s] += 1
        out = []
        for w in self.instance.workers:
            out.append({
                "worker_id": w.id, "team": w.team, "role": w.role, "fte": w.fte, "capacity": w.capacity,
                "children": count[w.id], "utilisation": round(load[w.id] / w.capacity, 4) if w.capacity else None,
                "supervisor_id": sup.get(w.id) if w.is_nqsw else None,
                "nqsw_supervised": supervised.get(w.id, 0), "load": load[w.id], "employment": w.employment,
                "over_capacity_load": self.over_capacity_load.get(w.id, 0.0),
            })
        return out

    @property
    def summary(self) -> dict:
        inst, sol = self.instance, self.solution
        status_count = {s: 0 for s in STATUSES}
        for r in self.rows:
            status_count[r.status] += 1
        by_priority = {p: {"awaiting": 0, "allocated": 0} for p in ("high", "medium", "low")}
        row_of = {r.child_id: r for r in self.rows}
        for c in inst.children:
            if not c.current_worker:
                by_priority[c.priority]["awaiting"] += 1
                if row_of[c.id].worker_id:
                    by_priority[c.priority]["allocated"] += 1
        utils = [u for u in (w["utilisation"] for w in self.worker_rows()) if u is not None]
        optimal = all(s.optimal for s in sol.stages)
        return {
            "status": "optimal" if optimal else "feasible",
            "children": len(self.rows),
            "allocated": status_count["allocated"],
            "unallocated": status_count["unallocated"],
            "moved": status_count["moved"],
            "kept": status_count["kept"],
            "over_capacity": status_count["over_capacity"],
            "by_priority": by_priority,
            "max_utilisation": round(max(utils), 4) if utils else 0.0,
            "solve_seconds": round(sol.seconds, 3),
            "mode": "keep_current" if self.options.keep_current else "rebalance",
            "max_moves": self.options.max_moves,
            "seed": inst.policy.seed if self.options.seed is None else self.options.seed,
            "workers": len(inst.workers),
            "components": sol.components,
            "stages": [s.to_json() for s in sol.stages],
            "over_capacity_load": {k: v for k, v in sorted(self.over_capacity_load.items())},
            "dropped": sum(1 for r in self.rows if r.status == "unallocated" and r.previous_worker),
            "fixed_worker_not_met": {family_label(f): why for f, why in sorted(sol.pins_broken.items())},
            "nqsw_without_supervisor": {w: why for w, why in sorted(sol.unsupervised.items())},
            "cut_short": sol.cut_short,
            "warnings": list(self.warnings),
        }


def family_label(family_id: str) -> str:
    """A child without a family_id is a family of one, kept internally as '~<child_id>': show the child."""
    return family_id[1:] if family_id.startswith("~") else family_id


def make_plan(inst: Instance, sol, opts, warnings: tuple[str, ...] = ()) -> Plan:
    fams = families(inst)
    load = defaultdict(int)  # scaled
    for f in fams:
        for c in f.children:
            w = sol.worker_of_child(c, f.id)
            if w:
                load[w] += scaled(c.weight)
    rows: dict[str, ChildRow] = {}
    for f in fams:
        for c in f.children:
            w = sol.worker_of_child(c, f.id)
            if w is None:
                status = "unallocated"
            elif c.current_worker is None:
                status = "allocated"
            else:
                status = "kept" if c.current_worker == w else "moved"
            rows[c.id] = ChildRow(c.id, "" if f.id.startswith("~") else f.id, c.team, w, status, c.current_worker)
    explain = Explainer(inst, fams, sol, load, opts, sum(1 for r in rows.values() if r.status == "moved"))
    over = {}
    for w in inst.workers:
        excess = load[w.id] - scaled(w.capacity)
        if excess > 0:
            over[w.id] = excess / SCALE
            explain.mark_over_capacity(w, excess, rows)
    for f in fams:
        for c in f.children:
            r = rows[c.id]
            if r.status in ("unallocated", "moved") and not r.reason:
                r.reason = explain.reason(f, r)
            elif r.status in ("allocated", "kept") and f.id in sol.pins_broken:
                r.reason = "manager's decision not met: " + sol.pins_broken[f.id]
            elif r.status in ("kept", "allocated") and f.fixed_worker == r.worker_id:
                r.reason = "manager's decision (fixed_worker)"
    return Plan(inst, [rows[c.id] for c in inst.children], sol, opts, over, list(warnings))


class Explainer:
    """Reasons drawn from the instance, in words a manager understands."""

    def __init__(self, inst: Instance, fams: list[Family], sol, load: dict[str, int], opts, moved: int):
        self.inst, self.sol, self.load, self.opts, self.moved = inst, sol, load, opts, moved
        self.unsup = frozenset(sol.unsupervised)
        self.new_at = defaultdict(list)  # worker -> awaiting children allocated to them
        self.before: dict[str, int] = defaultdict(int)  # worker -> scaled load held before the plan
        self.families_at: dict[str, list[Family]] = defaultdict(list)  # worker -> families the plan gives them
        for f in fams:
            if sol.worker_of[f.id]:
                self.families_at[sol.worker_of[f.id]].append(f)
            for c in f.children:
                w = sol.worker_of_child(c, f.id)
                if w and c.current_worker is None:
                    self.new_at[w].append(c)
                if c.current_worker:
                    self.before[c.current_worker] += scaled(c.weight)

    def _room(self, w: Worker) -> str:
        return f"{self.load[w.id] / SCALE:g}/{w.capacity:g}"

    def _reach(self, f: Family) -> tuple[Worker, ...]:
        return self.inst.reach(f.team)

    def no_room(self, f: Family, exclude: str | None = None) -> str:
        """Why no worker could take the family: the rule that rules most out, or who is full."""
        reach = [w for w in self._reach(f) if w.id != exclude]
        if not reach:
            return f"no {'other ' if exclude else ''}worker serves {f.team}"
        blocked = defaultdict(list)
        eligible = []
        for w in reach:
            why = blocker(w, f, self.inst, self.unsup)
            if why and not why.startswith("has capacity"):
                blocked[why].append(w)
            else:
                eligible.append(w)
        need = ""
        if f.skills:
            need = f"needs {', '.join(f.skills)} skill; "
        elif f.needs_experienced and not self.inst.policy.nqsw_may_lead_cp:
            need = "needs an experienced worker (CP/court); "
        if not eligible:
            top = max(blocked.items(), key=lambda kv: (len(kv[1]), kv[0]))
            return f"{need}no worker who serves {f.team} may hold this family: {len(top[1])} {top[0].split(',')[0]}"
        fits = sorted(eligible, key=lambda w: (scaled(w.capacity) - self.load[w.id], w.id), reverse=True)
        shown = ", ".join(f"{w.id} {self._room(w)}" for w in fits[:4])
        more = f" and {len(fits) - 4} more" if len(fits) > 4 else ""
        size = f"family of {f.size} needs {f.weight / SCALE:g}; " if f.size > 1 else ""
        n = len(eligible)
        # workers with room who may take no one new say so: a manager can act on that
        idle = [f"{w.id} has room but {why}" for why, ws in sorted(blocked.items()) for w in ws
                if ("not accepting" in why or "no supervisor" in why)
                and scaled(w.capacity) - self.load[w.id] >= f.weight]
        return (f"{need}{size}the {n} worker{'s' if n != 1 else ''} in reach who may hold it "
                f"{'are' if n != 1 else 'is'} at capacity ({shown}{more})"
                + "".join(f"; {x}" for x in idle[:2]))

    def reason(self, f: Family, r: ChildRow) -> str:
        sol, inst = self.sol, self.inst
        prev = r.previous_worker
        if r.status == "unallocated":
            family_worker = sol.worker_of[f.id]
            if family_worker and not prev:  # a newcomer waiting to join siblings who have a worker
                w = inst.worker_by_id[family_worker]
                why = blocker(w, f.newcomers, inst, self.unsup) or blocker(w, f, inst, self.unsup)
                if why is None or why.startswith("has capacity"):
                    why = f"has no room for {f.newcomers.weight / SCALE:g} more ({self._room(w)})"
                return f"waits to join siblings with {w.id}, who {why}"
            if f.id in sol.pins_broken:
                return "manager's decision not met: " + sol.pins_broken[f.id]
            lead = f"was with {prev}; " if prev else ""
            if prev and prev in inst.worker_by_id:
                why = blocker(inst.worker_by_id[prev], f, inst, self.unsup)
                if why and not why.startswith("has capacity"):
                    lead = f"{prev} {why}; "
            return lead + self.no_room(f)
        w = inst.worker_by_id[prev] if prev in inst.worker_by_id else None
        now = f"now with {r.worker_id}"
        if f.fixed_worker == r.worker_id:
            return f"manager's decision (fixed_worker): {now}"
        if w is not None:  # a rule that forbids the previous worker the children they held
            why = blocker(w, f.core, inst, self.unsup)
            if why and not why.startswith("has capacity") and "not accepting" not in why:
                return f"{prev} {why}; {now}"
        newcomers = [c for c in f.newcomers.children if self.sol.worker_of_child(c, f.id)]
        if newcomers and w is not None:
            why = blocker(w, f, inst, self.unsup)
            if why is None or why.startswith("has capacity"):
                why = f"had no room for the whole family ({self._room(w)}, family needs {f.weight / SCALE:g})"
            ids = ", ".join(f"{c.id} ({c.priority})" for c in newcomers[:3])
            return f"moved with new sibling {ids}: {prev} {why}; {now}"
        if len(f.current_workers) > 1:
            return f"siblings brought together with {r.worker_id} (they were split between {', '.join(f.current_workers)})"
        if w is not None:
            before = self.before[w.id]
            if before > scaled(w.capacity):
                return f"{prev} was over capacity ({before / SCALE:g}/{w.capacity:g}); {now} ({self._room(inst.worker_by_id[r.worker_id])})"
            taken = self.new_at.get(prev)
            if taken:
                top = sorted(taken, key=lambda c: ("high", "medium", "low").index(c.priority))
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

    def mark_over_capacity(self, w: Worker, excess: int, rows: dict[str, ChildRow]) -> None:
        """Mark as over capacity the kept children that could not be moved, hardest to move first."""
        held = self.families_at[w.id]

        def alternatives(f: Family) -> int:
            return sum(1 for o in self._reach(f) if o.id != w.id and blocker(o, f.core, self.inst, self.unsup) is None)

        def kept_weight(f: Family) -> int:
            return sum(scaled(c.weight) for c in f.children if rows[c.id].status == "kept")

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
                if rows[c.id].status == "kept":
                    rows[c.id].status = "over_capacity"
                    rows[c.id].reason = (f"{w.id} holds {self.load[w.id] / SCALE:g} against capacity {w.capacity:g}; "
                                         f"no one else could take this family: {why}")
