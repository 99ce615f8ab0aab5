"""What a manager does by hand: keep everyone, relieve the overloaded, then give each waiting
child (high priority first) to the eligible worker with the lowest caseload who has room.

It is the solver's first plan (always feasible) and the benchmark's baseline.
"""
from __future__ import annotations

from .model import Component, loads

PRIORITY = {"high": 0, "medium": 1, "low": 2}


def greedy(c: Component, max_moves: int | None = None) -> tuple[dict[int, int | None], set[int]]:
    """(family -> worker index or None, mixed families whose newcomers joined their siblings' worker).

    NQSWs in `c.unsupervised` take no one new."""
    n = len(c.workers)
    sol: dict[int, int | None] = {}
    joins: set[int] = set()
    load = [0] * n
    for fi, f in enumerate(c.families):  # keep: never above capacity, or above what an overloaded worker holds now
        cur = f.core.current_workers
        wi = next((wi for wi in c.domains[fi] if len(cur) == 1 and c.workers[wi].id == cur[0]), None)
        if wi is not None and load[wi] + f.core.weight > max(c.capacity(wi), c.current_load[wi]):
            wi = None
        sol[fi] = wi
        if wi is not None:
            load[wi] += f.core.weight
    moves = 0

    def room(wi: int, weight: int) -> bool:
        return load[wi] + weight <= c.capacity(wi)

    def may_take(fi: int, wi: int) -> bool:
        return wi not in c.unsupervised or not c.is_new(fi, wi)

    def best(fi: int, exclude: int | None = None) -> int | None:
        weight = c.families[fi].core.weight
        options = [wi for wi in c.domains[fi] if wi != exclude and room(wi, weight) and may_take(fi, wi)]
        return min(options, key=lambda wi: (load[wi] / max(1, c.capacity(wi)), c.workers[wi].id), default=None)

    def move_cost(fi: int, wi: int) -> int:
        f = c.families[fi]
        return f.with_worker - f.held_by(c.workers[wi].id)

    def place(fi: int, wi: int) -> None:
        nonlocal moves
        f = c.families[fi]
        if sol[fi] is not None:
            load[sol[fi]] -= f.core.weight + (f.newcomers.weight if fi in joins else 0)
            joins.discard(fi)
        sol[fi] = wi
        load[wi] += f.core.weight
        moves += move_cost(fi, wi)

    def within_budget(fi: int, wi: int) -> bool:
        return max_moves is None or moves + move_cost(fi, wi) <= max_moves

    for fi, wi in sorted(c.pins.items()):  # managers' decisions first, where there is room
        if sol[fi] != wi and room(wi, c.families[fi].core.weight) and within_budget(fi, wi) and may_take(fi, wi):
            place(fi, wi)
    for wi in range(n):  # relieve overloaded workers, smallest families first
        if not c.overloaded(wi):
            continue
        held = sorted((fi for fi, w in sol.items() if w == wi), key=lambda fi: (c.families[fi].core.weight, c.families[fi].id))
        for fi in held:
            if load[wi] <= c.capacity(wi):
                break
            to = best(fi, exclude=wi)
            if to is not None and within_budget(fi, to):
                place(fi, to)

    def urgency(fi: int) -> tuple:
        f = c.families[fi]
        waiting = [PRIORITY[ch.priority] for ch in f.newcomers.children]
        return (-1 if sol[fi] is None and f.with_worker else min(waiting, default=3), f.id)

    for fi in sorted(range(len(c.families)), key=urgency):  # dropped first, then high, medium, low
        f = c.families[fi]
        if sol[fi] is None:
            prefer = [wi for wi in c.domains[fi] if c.workers[wi].id in f.current_workers and room(wi, f.core.weight)
                      and may_take(fi, wi)]
            to = min(prefer, key=lambda wi: -f.held_by(c.workers[wi].id)) if prefer else best(fi)
            if to is None or not within_budget(fi, to):
                continue
            place(fi, to)
        wi = sol[fi]
        if f.mixed and wi in c.joins.get(fi, ()) and room(wi, f.newcomers.weight) and wi not in c.unsupervised:
            joins.add(fi)
            load[wi] += f.newcomers.weight
    return sol, joins


def fill(c: Component, sol: dict[int, int | None], joins: set[int],
         unsupervised: frozenset[int]) -> tuple[dict[int, int | None], set[int]]:
    """Give waiting children any room left, without moving anyone: a better start for the next stage.

    Only allocations of children awaiting allocation are added (high priority first), so no
    earlier stage's value gets worse and no move is made.
    """
    sol, joins = dict(sol), set(joins)
    load = loads(c, sol, joins)

    def urgency(fi: int) -> tuple:
        return (min((PRIORITY[ch.priority] for ch in c.families[fi].newcomers.children), default=3), c.families[fi].id)

    for fi in sorted(range(len(c.families)), key=urgency):
        f = c.families[fi]
        if sol[fi] is None and not f.with_worker:  # a family wholly awaiting allocation
            options = [wi for wi in c.domains[fi] if load[wi] + f.weight <= c.capacity(wi) and wi not in unsupervised]
            if not options:
                continue
            pin = c.pins.get(fi)
            wi = pin if pin in options else min(options, key=lambda wi: (load[wi] / max(1, c.capacity(wi)), c.workers[wi].id))
            sol[fi] = wi
            load[wi] += f.weight
        elif f.mixed and sol[fi] is not None and fi not in joins:
            wi = sol[fi]
            if (wi in c.joins.get(fi, ()) and load[wi] + f.newcomers.weight <= c.capacity(wi)
                    and wi not in unsupervised):
                joins.add(fi)
                load[wi] += f.newcomers.weight
    return sol, joins


def move_back(c: Component, sol: dict[int, int | None], joins: set[int]) -> dict[int, int | None]:
    """Return each moved family to its current worker where that worker has room.

    Nothing waits longer, nobody is dropped and no load goes over capacity, so no level of
    the contract's order before fairness gets worse; moves only go down. It keeps a plan
    cut short by the time limit close to today's allocation.
    """
    sol = dict(sol)
    index = {w.id: wi for wi, w in enumerate(c.workers)}
    load = loads(c, sol, joins)
    changed = True
    while changed:
        changed = False
        for fi, f in enumerate(c.families):
            wi, cur = sol[fi], f.core.current_workers
            if wi is None or fi in c.pins or len(cur) != 1:
                continue
            home = index.get(cur[0])
            if home is None or home == wi or home not in c.domains[fi]:
                continue
            if fi in joins and home not in c.joins.get(fi, ()):
                continue
            weight = f.core.weight + (f.newcomers.weight if fi in joins else 0)
            if load[home] + weight <= c.capacity(home):
                load[wi] -= weight
                load[home] += weight
                sol[fi] = home
                changed = True
    return sol
