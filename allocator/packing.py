"""Every waiting child placed where the room would hold them all but the start's packing leaves some waiting.

Where the workers' room, added up, holds every family awaiting allocation, the families with no worker now
are packed afresh by patterns (Gilmore and Gomory 1961): families in classes of one weight that may go to the
same workers, workers in types of one room open to the same classes, and for each type the sets of classes (a
pattern) that fill its room to within the slack (the room left over once everyone is placed: no worker can
waste more). Which patterns, how many times each, so that every family is placed, is a small integer model
that CP-SAT settles in well under a second where the model of every (family, worker) pair searches for long:
on Falkenauer's triplet instances (every worker filled exactly) the start leaves one child waiting and the
full model does not find the last one within a minute.

Only families that no one holds now and no one is pinned to move, and only into room no one else uses, so
nobody is moved, nobody waits who was placed and no load goes above capacity: every stage before fairness
is the same or better than in the start.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import FAIRNESS, Component, loads

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from .solve import Clock

PATTERNS = 20_000  # patterns at most (all types); more and the packing is not tried
PACK_SHARE = 0.1  # of a component's work, at most, for the pattern model


@dataclass(frozen=True)
class _Packing:
    classes: list[list[int]]  # families in each class (same weight, same workers), in order
    types: list[list[int]]  # workers of each type (same room, same classes), in order
    patterns: list[list[tuple[tuple[int, int], ...]]]  # per type: (class, how many of it), the classes it holds


def _frame(c: Component, sol: dict[int, int | None], joins: set[int]) -> tuple[list[int], dict[int, int]] | None:
    """(the free families: no worker now, no pin, not joining; their workers' room: capacity less the load of
    everyone else), or None where none of them waits, the room cannot hold them all or the policy ranks a
    fairness level above a waiting stage (placing more, which packing does, could then make the plan worse)."""
    waits = [k for k, name in enumerate(c.names) if name.startswith("wait")]
    if waits and any(c.names.index(name) < max(waits) for name in FAIRNESS if name in c.names):
        return None  # a policy that puts fairness before a waiting stage: more placed could be a worse plan
    named = set(c.pins.values()) | set(c.unsupervised) | {n for _, ns in c.supervision.values() for n in ns}
    open_ = {wi for wi in range(len(c.workers))
             if wi not in named and not c.overloaded(wi) and not c.may_go_above(wi)}
    free = [fi for fi in c.free(joins)
            if (sol[fi] is None or sol[fi] in open_) and any(wi in open_ for wi in c.domains[fi])]
    if all(sol[fi] is not None for fi in free):
        return None
    free_set = set(free)
    held = loads(c, {fi: None if fi in free_set else wi for fi, wi in sol.items()}, joins)
    reach = {wi for fi in free for wi in c.domains[fi] if wi in open_}
    room = {wi: c.capacity(wi) - held[wi] for wi in sorted(reach) if c.capacity(wi) > held[wi]}
    if sum(room.values()) < sum(c.families[fi].core.weight for fi in free):
        return None
    return free, room


def _patterns(room: int, classes: list[int], weights: list[int], counts: list[int], slack: int,
              limit: int) -> list[tuple[tuple[int, int], ...]] | None:
    """The patterns (how many of each class) filling `room` to within `slack`; None above `limit` of them."""
    out: list[tuple[tuple[int, int], ...]] = []
    take = [0] * len(weights)
    most = [0] * (len(classes) + 1)  # the most the classes from k on could fill
    least = [room + 1] * (len(classes) + 1)  # the lightest of them
    for k in range(len(classes) - 1, -1, -1):
        most[k] = most[k + 1] + counts[classes[k]] * weights[classes[k]]
        least[k] = min(least[k + 1], weights[classes[k]])

    def search(k: int, left: int) -> bool:
        if left - most[k] > slack:
            return True  # cannot come within the slack
        if left < least[k] or k == len(classes):
            if left <= slack:
                out.append(tuple((ci, take[ci]) for ci in classes if take[ci]))
            return len(out) <= limit
        ci = classes[k]
        for n in range(min(counts[ci], left // weights[ci]) if weights[ci] else counts[ci], -1, -1):
            take[ci] = n
            if not search(k + 1, left - n * weights[ci]):
                take[ci] = 0
                return False
        take[ci] = 0
        return True

    return out if search(0, room) else None


def _packing(c: Component, free: list[int], room: dict[int, int]) -> _Packing | None:
    """The classes, types and patterns of the free families in this room; None with more than PATTERNS."""
    by_class: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for fi in free:
        key = (c.families[fi].core.weight, tuple(wi for wi in c.domains[fi] if wi in room))
        by_class.setdefault(key, []).append(fi)
    keys = sorted(by_class, key=lambda k: (-k[0], by_class[k][0]))
    if not all(workers for _, workers in keys):
        return None  # a family with no room open to it: not all can be placed
    classes, weights = [by_class[k] for k in keys], [k[0] for k in keys]
    slack = sum(room.values()) - sum(weights[ci] * len(fs) for ci, fs in enumerate(classes))
    by_type: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for wi, r in room.items():
        key = (r, tuple(ci for ci, k in enumerate(keys) if wi in k[1]))
        by_type.setdefault(key, []).append(wi)
    types = sorted(by_type, key=lambda k: by_type[k][0])
    counts = [len(fs) for fs in classes]
    patterns, left = [], PATTERNS
    for r, open_to in types:
        found = _patterns(r, list(open_to), weights, counts, slack, left)
        if found is None:
            return None
        patterns.append(found)
        left -= len(found)
    return _Packing(classes, [by_type[k] for k in types], patterns)


def _hint(sol: dict[int, int | None], p: _Packing, m: cp_model.CpModel, use: list[list[cp_model.IntVar]]) -> None:
    """The start's own packing as the hint: how many of its workers hold each pattern of the free families (those
    it left waiting are the hint's gap; measured on a 501-child triplet instance: found in 2.2 s of work with it,
    not in 6 s without)."""
    klass = {fi: ci for ci, fs in enumerate(p.classes) for fi in fs}
    held: defaultdict[int, Counter[int]] = defaultdict(Counter)
    for fi, wi in sol.items():
        if fi in klass and wi is not None:
            held[wi][klass[fi]] += 1
    for t, ws in enumerate(p.types):
        index = {pat: k for k, pat in enumerate(p.patterns[t])}
        count = [0] * len(p.patterns[t])
        for wi in ws:
            k = index.get(tuple(sorted(held[wi].items())))
            if k is not None:
                count[k] += 1
        for k, var in enumerate(use[t]):
            m.add_hint(var, count[k])


def pack_all(c: Component, sol: dict[int, int | None], joins: set[int], seed: int, work: float,
             clock: Clock) -> tuple[dict[int, int | None] | None, float]:
    """(the plan with every free family placed by patterns, or None where that is not tried or not found;
    the work used, in the solve's estimated seconds)."""
    from ortools.sat.python import cp_model

    from .solve import BUILD_SECONDS_PER_CHOICE, CALL_SECONDS, SECONDS_PER_UNIT

    framed = _frame(c, sol, joins)
    if framed is None:
        return None, 0.0
    p = _packing(c, *framed)
    if p is None:
        return None, CALL_SECONDS
    m = cp_model.CpModel()
    use = [[m.new_int_var(0, len(ws), f"use_{t}_{k}") for k in range(len(pats))]
           for t, (ws, pats) in enumerate(zip(p.types, p.patterns, strict=True))]
    for t, ws in enumerate(p.types):
        m.add(sum(use[t]) <= len(ws))
    placed: list[list] = [[] for _ in p.classes]
    for t, pats in enumerate(p.patterns):
        for k, pat in enumerate(pats):
            for ci, n in pat:
                placed[ci].append(n * use[t][k])
    for ci, fs in enumerate(p.classes):
        m.add(sum(placed[ci]) == len(fs))
    _hint(sol, p, m, use)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.random_seed = seed
    params.catch_sigint_signal = False
    call = CALL_SECONDS + BUILD_SECONDS_PER_CHOICE * sum(len(pat) for pats in p.patterns for pat in pats)
    params.max_deterministic_time = max(0.0, work - call) / SECONDS_PER_UNIT
    status = clock.run(solver, m)
    used = call + solver.deterministic_time * SECONDS_PER_UNIT
    if clock.cut or status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, used
    new = dict(sol)
    queue = [list(fs) for fs in p.classes]
    for t, ws in enumerate(p.types):
        workers = iter(ws)
        for k, pat in enumerate(p.patterns[t]):
            for _ in range(solver.value(use[t][k])):
                wi = next(workers)
                for ci, n in pat:
                    for _ in range(n):
                        new[queue[ci].pop(0)] = wi
    return new, used
