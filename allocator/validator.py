"""An independent check of any plan against the instance and policy, without the solver.

It re-reads the rules from the contract rather than reusing the model's code,
so a bug in one is caught by the other. `check` lists every breach;
`objectives` recomputes the contract's five-level order for a plan.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Set as AbstractSet
from datetime import date
from typing import TYPE_CHECKING

from policy.settings import PRIORITIES

if TYPE_CHECKING:
    from policy.settings import Policy

    from .instance import Child, Instance, Worker
    from .plan import Plan


def _loads(inst: Instance, worker_of: dict[str, str | None]) -> tuple[dict[str, float], dict[str, float]]:
    load: dict[str, float] = defaultdict(float)
    current: dict[str, float] = defaultdict(float)
    for c in inst.children:
        if given := worker_of.get(c.id):
            load[given] += c.weight
        if c.current_worker:
            current[c.current_worker] += c.weight
    return load, current


def check(inst: Instance, plan: Plan) -> list[str]:
    """Every way `plan` breaks a hard rule or misreports itself; empty when it is sound."""
    out: list[str] = []
    ids = [r.child_id for r in plan.rows]
    if Counter(ids) != Counter(c.id for c in inst.children):
        missing = {c.id for c in inst.children} - set(ids)
        extra = [i for i, n in Counter(ids).items() if n > 1]
        out.append(f"children missing or repeated: missing {sorted(missing)[:5]}, repeated {extra[:5]}")
    worker_of = {r.child_id: r.worker_id for r in plan.rows}
    sol, opts = plan.solution, plan.options
    out += check_assignment(inst, worker_of, supervisors=sol.supervisors, unsupervised=set(sol.unsupervised),
                            pins_broken=set(sol.pins_broken), keep_current=opts.keep_current, max_moves=opts.max_moves)
    out += _status_mismatches(inst, plan, worker_of)
    out += _summary_mismatches(inst, plan, worker_of)
    return out


def check_assignment(inst: Instance, worker_of: dict[str, str | None], *,
                     supervisors: dict[str, str] | None = None, unsupervised: AbstractSet[str] = frozenset(),
                     pins_broken: AbstractSet[str] = frozenset(), keep_current: bool = False,
                     max_moves: int | None = None) -> list[str]:
    """The contract's hard rules for a child -> worker map (None: no worker).

    `supervisors` maps each NQSW to a supervisor (None: skip the supervision checks);
    `unsupervised` NQSWs and `pins_broken` families are those the plan reports.
    """
    workers = {w.id: w for w in inst.workers}
    fams: dict[str, list[Child]] = defaultdict(list)
    for c in inst.children:
        fams[c.family_id].append(c)
    out = _split_families(fams, worker_of)
    out += _child_breaches(inst, workers, worker_of, pins_broken)
    out += _new_children_breaches(inst, workers, worker_of, unsupervised)
    if supervisors is not None:
        out += _supervision_breaches(inst, workers, supervisors, unsupervised)
    moved = sum(1 for c in inst.children if c.current_worker and worker_of.get(c.id)
                and worker_of[c.id] != c.current_worker)
    if max_moves is not None and moved > max_moves:
        out.append(f"{moved} moves, above --max-moves {max_moves}")
    if keep_current:
        out += _needless_moves(inst, workers, worker_of, fams)
    return out


def _split_families(fams: dict[str, list[Child]], worker_of: dict[str, str | None]) -> list[str]:
    """Siblings together; awaiting siblings may only wait to join."""
    out = []
    for fid, cs in fams.items():
        held = {worker_of.get(c.id) for c in cs if c.current_worker}
        newcomers = {worker_of.get(c.id) for c in cs if not c.current_worker}
        if len(held) > 1 or len(newcomers) > 1 or (held and newcomers - {None} - held):
            out.append(f"family {fid} split between {sorted(map(str, held | newcomers))}")
    return out


def _child_breaches(inst: Instance, workers: dict[str, Worker], worker_of: dict[str, str | None],
                    pins_broken: AbstractSet[str]) -> list[str]:
    out = []
    for c in inst.children:
        w = workers.get(worker_of.get(c.id) or "")
        if worker_of.get(c.id) and w is None:
            out.append(f"{c.id} given to unknown worker {worker_of[c.id]}")
            continue
        if w is None:
            continue
        out += _breaches(inst.policy, w, c)
        if c.fixed_worker and c.fixed_worker != w.id and c.family_id not in pins_broken:
            out.append(f"{c.id} fixed to {c.fixed_worker} but given to {w.id}, with no reason reported")
    return out


def _new_children_breaches(inst: Instance, workers: dict[str, Worker], worker_of: dict[str, str | None],
                           unsupervised: AbstractSet[str]) -> list[str]:
    """No new child takes a worker over capacity, or goes to one not accepting or without a supervisor."""
    out = []
    load, current = _loads(inst, worker_of)
    new = defaultdict(list)  # per worker, the children given to them who were not theirs
    for c in inst.children:
        given = worker_of.get(c.id)
        if given and c.current_worker != given:
            new[given].append(c.id)
    pol = inst.policy
    weight = {c.id: c.weight for c in inst.children}
    # may go above capacity (over_capacity_for): a child of those priorities awaiting allocation, and the siblings
    # of one in a family wholly awaiting allocation (siblings go to one worker together)
    urgent = {fid for fid, cs in inst.families().items() if not any(c.current_worker for c in cs)
              and any(c.priority in pol.over_capacity_for for c in cs)}
    allowed = {c.id for c in inst.children if not c.current_worker
               and (c.priority in pol.over_capacity_for or c.family_id in urgent)}
    for wid, w in workers.items():
        above = sum(weight[c] for c in new.get(wid, []) if c in allowed)
        within = (load[wid] - above <= w.capacity + 1e-9 and load[wid] <= w.capacity + pol.over_capacity_max + 1e-9
                  and current[wid] <= w.capacity + 1e-9)
        if load[wid] > w.capacity + 1e-9 and new.get(wid) and not (above and within):
            out.append(f"{wid} over capacity ({load[wid]:g}/{w.capacity:g}) after taking new children {new[wid][:3]}")
        if new.get(wid) and not w.accepting:
            out.append(f"{wid} is not accepting but took {new[wid][:3]}")
        if new.get(wid) and w.absent_from and _absent_on(w, inst.policy.today()):
            out.append(f"{wid} is absent on the plan date but took {new[wid][:3]}")
        if new.get(wid) and wid in unsupervised:
            out.append(f"{wid} has no supervisor but took {new[wid][:3]}")
    return out


def _supervision_breaches(inst: Instance, workers: dict[str, Worker], supervisors: dict[str, str],
                          unsupervised: AbstractSet[str]) -> list[str]:
    pol, out = inst.policy, []
    for w in inst.workers:
        if w.role != "nqsw":
            continue
        s = workers.get(supervisors.get(w.id, ""))
        if s is None:
            if w.id not in unsupervised:
                out.append(f"NQSW {w.id} has no supervisor and none is reported missing")
        elif s.team != w.team or s.role not in pol.supervisor_roles or s.role == "nqsw":
            out.append(f"NQSW {w.id} supervised by {s.id} ({s.role}, {s.team})")
    for sid, n in Counter(supervisors.values()).items():
        if n > pol.max_nqsw_per_supervisor:
            out.append(f"{sid} supervises {n} NQSWs, above {pol.max_nqsw_per_supervisor}")
    return out


def _needless_moves(inst: Instance, workers: dict[str, Worker], worker_of: dict[str, str | None],
                    fams: dict[str, list[Child]]) -> list[str]:
    """With --keep-current, nobody moves whose current worker may keep the whole family."""
    out = []
    for c in inst.children:
        cw = workers.get(c.current_worker or "")
        if cw is None or worker_of.get(c.id) in (None, cw.id):
            continue
        sibs = [s for s in fams[c.family_id] if s.current_worker]  # awaiting siblings may wait instead
        allowed = not any(_breaches(inst.policy, cw, s) for s in sibs)
        split = len({s.current_worker for s in sibs if s.current_worker}) > 1
        pins = {s.fixed_worker for s in fams[c.family_id] if s.fixed_worker}
        if allowed and not split and worker_of.get(c.id) not in pins:  # only a manager's decision moves them
            out.append(f"{c.id} moved although --keep-current and {cw.id} may keep it")
    return out


def _status_mismatches(inst: Instance, plan: Plan, worker_of: dict[str, str | None]) -> list[str]:
    out = []
    workers = {w.id: w for w in inst.workers}
    load, _ = _loads(inst, worker_of)
    row_of = {r.child_id: r for r in plan.rows}
    for c in inst.children:
        r = row_of.get(c.id)
        if r is None:
            continue
        w = r.worker_id
        expect = ("unallocated" if not w else "allocated" if not c.current_worker
                  else "kept" if c.current_worker == w else "moved")
        if r.status != expect and not (r.status == "over_capacity" and expect == "kept" and w
                                       and load[w] > workers[w].capacity):
            out.append(f"{c.id} status {r.status}, expected {expect}")
        if r.status in ("unallocated", "moved", "over_capacity") and not r.reason:
            out.append(f"{c.id} is {r.status} with no reason")
        if r.previous_worker != c.current_worker:
            out.append(f"{c.id} previous_worker {r.previous_worker} is not its current worker {c.current_worker}")
    return out


def _summary_mismatches(inst: Instance, plan: Plan, worker_of: dict[str, str | None]) -> list[str]:
    s = plan.summary
    counts = Counter(r.status for r in plan.rows)
    out = []
    for key in ("allocated", "unallocated", "moved", "kept", "over_capacity"):
        if getattr(s, key) != counts.get(key, 0):
            out.append(f"summary {key}={getattr(s, key)} but the plan has {counts.get(key, 0)}")
    if s.children != len(inst.children):
        out.append(f"summary children={s.children} but there are {len(inst.children)}")
    for p in PRIORITIES:
        awaiting = [c for c in inst.children if not c.current_worker and c.priority == p]
        got = sum(1 for c in awaiting if worker_of.get(c.id))
        entry = s.by_priority[p]
        if (entry["awaiting"], entry["allocated"]) != (len(awaiting), got):
            out.append(f"summary by_priority.{p} wrong")
        waits = [(inst.policy.today() - c.awaiting_since).days for c in awaiting if c.awaiting_since]
        if entry.get("longest_wait_days") != (max(waits) if waits else None):
            out.append(f"summary by_priority.{p}.longest_wait_days wrong")
    load, _ = _loads(inst, worker_of)
    utils = [load[w.id] / w.capacity for w in inst.workers if w.capacity > 0]
    if utils and abs(max(utils) - s.max_utilisation) > 1e-3:
        out.append(f"summary max_utilisation {s.max_utilisation} but recomputed {max(utils):.4f}")
    for w in plan.workers:
        if abs(w.load - load[w.worker_id]) > 1e-6:
            out.append(f"workers.csv load {w.load} of {w.worker_id} but recomputed {load[w.worker_id]:g}")
    return out


def _absent_on(w: Worker, day: date) -> bool:
    return w.absent_from is not None and w.absent_from <= day and (w.absent_until is None or day <= w.absent_until)


def _breaches(pol: Policy, w: Worker, c: Child) -> list[str]:
    """The rules worker `w` would break by holding child `c`: team reach, skills, NQSW lead, avoid list."""
    out = []
    if not (pol.cross_team or c.team == w.team or c.team in w.extra_teams):
        out.append(f"{c.id} of {c.team} given to {w.id} of {w.team}")
    lacking = set(c.required_skills) - set(w.skills)
    if lacking:
        out.append(f"{c.id} needs {sorted(lacking)} but {w.id} lacks it")
    if w.role == "nqsw" and (c.category == "cp" or c.court) and not pol.nqsw_may_lead_cp:
        out.append(f"{c.id} (cp/court) led by NQSW {w.id}")
    if w.id in c.avoid_workers:
        out.append(f"{c.id} given to {w.id}, whom it must avoid")
    return out


def _lawful(inst: Instance, w: Worker, children: list[Child], unsupervised: AbstractSet[str] = frozenset()) -> bool:
    """May worker `w` hold these siblings under the hard rules (capacity aside, unless it can never fit)?"""
    pol = inst.policy
    new = not all(c.current_worker == w.id for c in children)  # w would get a child not theirs
    if any(_breaches(pol, w, c) for c in children):
        return False
    return not (new and (not w.accepting or w.id in unsupervised
                         or sum(c.weight for c in children) > w.capacity + 1e-9))


def levels(policy) -> tuple[str, ...]:
    """The names of objectives' values, in order: the policy's objective_order with fairness as its two levels."""
    return tuple(x for name in policy.objective_order
                 for x in (("peak_utilisation", "above_headroom") if name == "fairness" else (name,)))


def objectives(inst: Instance, worker_of: dict[str, str | None],
               unsupervised: AbstractSet[str] = frozenset()) -> tuple[int, ...]:
    """The plan's value at each stage of the policy's objective_order, smaller is better at every level:
    children dropped, children whose lawful fixed_worker is not kept, high / medium / low left waiting,
    excess load x100, moves; fairness is two levels: peak utilisation x1000 (of the load that can move aside),
    then the load x100 above 90% of capacity, summed over case-holding workers."""
    load, current = _loads(inst, worker_of)
    workers = {w.id: w for w in inst.workers}
    fams = defaultdict(list)
    for c in inst.children:
        fams[c.family_id].append(c)
    pins_missed = 0
    for cs in fams.values():
        pins = {c.fixed_worker for c in cs if c.fixed_worker}
        if len(pins) == 1:
            w = workers.get(next(iter(pins)))
            if w and _lawful(inst, w, cs, unsupervised):
                pins_missed += sum(1 for c in cs if worker_of.get(c.id) != w.id)
    dropped = sum(1 for c in inst.children if c.current_worker and not worker_of.get(c.id))
    waiting = {p: sum(1 for c in inst.children if not c.current_worker and c.priority == p and not worker_of.get(c.id))
               for p in PRIORITIES}
    moves = sum(1 for c in inst.children if c.current_worker and worker_of.get(c.id)
                and worker_of[c.id] != c.current_worker)
    excess, peak, above_mark = 0, 0, 0
    for w in inst.workers:
        cap = int(round(w.capacity * 100))
        held = int(round(load[w.id] * 100))
        if cap > 0:
            above_mark += max(0, held - 90 * cap // 100)  # above 90% of capacity
        if int(round(current[w.id] * 100)) > cap:
            excess += max(0, held - cap)
            held = min(held, cap)
        if cap > 0:
            peak = max(peak, math.ceil(1000 * held / cap))
    value = {"dropped": (dropped,), "fixed_worker_not_met": (pins_missed,), "over_capacity": (excess,),
             "moves": (moves,), "fairness": (peak, above_mark),
             **{f"waiting_{p}": (n,) for p, n in waiting.items()}}
    return tuple(x for name in inst.policy.objective_order for x in value[name])
