"""What a manager does by hand: keep everyone, relieve the overloaded, then give each waiting
child (high priority first) to the eligible worker with the lowest caseload who has room.

It is the solver's first plan (always feasible) and the benchmark's baseline.
"""
from __future__ import annotations

from policy.settings import PRIORITIES

from .model import Component, loads

PRIORITY = {p: rank for rank, p in enumerate(PRIORITIES)}  # high first


class _Greedy:
    """The manager's way, step by step, on one component; `sol`, `joins` and `load` are the plan so far."""

    def __init__(self, c: Component, max_moves: int | None) -> None:
        self.c, self.max_moves = c, max_moves
        self.sol: dict[int, int | None] = {}
        self.joins: set[int] = set()
        self.load = [0] * len(c.workers)
        self.moves = 0

    def room(self, wi: int, weight: int) -> bool:
        return self.load[wi] + weight <= self.c.capacity(wi)

    def may_take(self, fi: int, wi: int) -> bool:
        return wi not in self.c.unsupervised or not self.c.is_new(fi, wi)

    def best(self, fi: int, exclude: int | None = None) -> int | None:
        """The eligible worker with room and the lowest caseload (then the first id)."""
        c, weight = self.c, self.c.families[fi].core.weight
        options = [wi for wi in c.domains[fi] if wi != exclude and self.room(wi, weight) and self.may_take(fi, wi)]
        return min(options, key=lambda wi: (self.load[wi] / max(1, c.capacity(wi)), c.workers[wi].id), default=None)

    def move_cost(self, fi: int, wi: int) -> int:
        f = self.c.families[fi]
        return f.with_worker - f.held_by(self.c.workers[wi].id)

    def within_budget(self, fi: int, wi: int) -> bool:
        return self.max_moves is None or self.moves + self.move_cost(fi, wi) <= self.max_moves

    def place(self, fi: int, wi: int) -> None:
        f, old = self.c.families[fi], self.sol.get(fi)
        if old is not None:
            self.load[old] -= f.core.weight + (f.newcomers.weight if fi in self.joins else 0)
            self.joins.discard(fi)
        self.sol[fi] = wi
        self.load[wi] += f.core.weight
        self.moves += self.move_cost(fi, wi)

    def keep(self) -> None:
        """Everyone stays, never above capacity or above what an overloaded worker holds now."""
        c = self.c
        for fi, f in enumerate(c.families):
            cur = f.core.current_workers
            wi = next((wi for wi in c.domains[fi] if len(cur) == 1 and c.workers[wi].id == cur[0]), None)
            if wi is not None and self.load[wi] + f.core.weight > max(c.capacity(wi), c.current_load[wi]):
                wi = None
            self.sol[fi] = wi
            if wi is not None:
                self.load[wi] += f.core.weight

    def honour_pins(self) -> None:
        """Managers' decisions first, where there is room."""
        for fi, wi in sorted(self.c.pins.items()):
            if (self.sol[fi] != wi and self.room(wi, self.c.families[fi].core.weight) and self.within_budget(fi, wi)
                    and self.may_take(fi, wi)):
                self.place(fi, wi)

    def relieve(self) -> None:
        """Move families off overloaded workers, smallest first, until each is within capacity."""
        c = self.c
        for wi in range(len(c.workers)):
            if not c.overloaded(wi):
                continue
            held = sorted((fi for fi, w in self.sol.items() if w == wi),
                          key=lambda fi: (c.families[fi].core.weight, c.families[fi].id))
            for fi in held:
                if self.load[wi] <= c.capacity(wi):
                    break
                to = self.best(fi, exclude=wi)
                if to is not None and self.within_budget(fi, to):
                    self.place(fi, to)

    def allocate(self) -> None:
        """Children dropped first, then those waiting, high priority first; newcomers join their siblings."""
        c = self.c

        def urgency(fi: int) -> tuple[int, str]:
            f = c.families[fi]
            waiting = [PRIORITY[ch.priority] for ch in f.newcomers.children]
            return (-1 if self.sol[fi] is None and f.with_worker else min(waiting, default=3), f.id)

        for fi in sorted(range(len(c.families)), key=urgency):
            f = c.families[fi]
            if self.sol[fi] is None:
                prefer = [wi for wi in c.domains[fi] if c.workers[wi].id in f.current_workers
                          and self.room(wi, f.core.weight) and self.may_take(fi, wi)]
                to = min(prefer, key=lambda wi: -f.held_by(c.workers[wi].id)) if prefer else self.best(fi)
                if to is None or not self.within_budget(fi, to):
                    continue
                self.place(fi, to)
            wi = self.sol[fi]
            if (f.mixed and wi is not None and wi in c.joins.get(fi, ()) and self.room(wi, f.newcomers.weight)
                    and wi not in c.unsupervised):
                self.joins.add(fi)
                self.load[wi] += f.newcomers.weight


def greedy(c: Component, max_moves: int | None = None) -> tuple[dict[int, int | None], set[int]]:
    """(family -> worker index or None, mixed families whose newcomers joined their siblings' worker).

    NQSWs in `c.unsupervised` take no one new."""
    g = _Greedy(c, max_moves)
    g.keep()
    g.honour_pins()
    g.relieve()
    g.allocate()
    return g.sol, g.joins


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
            wi = pin if pin in options else min(
                options, key=lambda w: (load[w] / max(1, c.capacity(w)), c.workers[w].id))
            sol[fi] = wi
            load[wi] += f.weight
        elif f.mixed and (held := sol[fi]) is not None and fi not in joins:
            wi = held
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
