"""What a manager does by hand: keep everyone, relieve the overloaded, then give each waiting
child (high priority first) to the eligible worker with the lowest caseload who has room.

It is the solver's first plan (always feasible) and the benchmark's baseline.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial

from policy.settings import PRIORITIES

from .model import PERMILLE, Component, headroom_mark, loads, values
from .rules import SCALE


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

    def open_to(self, fi: int, weight: int, exclude: int | None = None) -> list[int]:
        """The eligible workers (but `exclude`) with room for `weight` who may take the family."""
        return [wi for wi in self.c.domains[fi] if wi != exclude and self.room(wi, weight) and self.may_take(fi, wi)]

    def best(self, fi: int, exclude: int | None = None) -> int | None:
        """The eligible worker with room and the lowest caseload (then the first id)."""
        c = self.c
        return min(self.open_to(fi, c.families[fi].core.weight, exclude),
                   key=lambda wi: (self.load[wi] / max(1, c.capacity(wi)), c.workers[wi].id), default=None)

    def tightest(self, fi: int, weight: int) -> int | None:
        """The eligible worker with room whose room the family fills best (then the first id): packing."""
        c = self.c
        return min(self.open_to(fi, weight), key=lambda wi: (c.capacity(wi) - self.load[wi], c.workers[wi].id),
                   default=None)

    def home(self, fi: int) -> int | None:
        """Of the family's current workers with room for it, the one holding most of it (None: none has room)."""
        c, f = self.c, self.c.families[fi]
        return min((wi for wi in self.open_to(fi, f.core.weight) if c.workers[wi].id in f.current_workers),
                   key=lambda wi: -f.held_by(c.workers[wi].id), default=None)

    def join(self, fi: int) -> None:
        """A mixed family's newcomers join their siblings' worker, where that worker may hold them and has room."""
        c, f, wi = self.c, self.c.families[fi], self.sol[fi]
        if (f.mixed and fi not in self.joins and wi is not None and wi in c.joins.get(fi, ())
                and self.room(wi, f.newcomers.weight) and wi not in c.unsupervised):
            self.joins.add(fi)
            self.load[wi] += f.newcomers.weight

    def within_budget(self, fi: int, wi: int) -> bool:
        return self.max_moves is None or self.moves + self.c.moved(fi, wi) <= self.max_moves

    def place(self, fi: int, wi: int) -> None:
        f, old = self.c.families[fi], self.sol.get(fi)
        if old is not None:
            self.load[old] -= f.core.weight + (f.newcomers.weight if fi in self.joins else 0)
            self.joins.discard(fi)
        self.sol[fi] = wi
        self.load[wi] += f.core.weight
        self.moves += self.c.moved(fi, wi)

    def keep(self) -> None:
        """Everyone stays, never above capacity or above what an overloaded worker holds now."""
        c = self.c
        for fi, f in enumerate(c.families):
            wi = c.holder[fi]
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

        def order(fi: int) -> tuple[int, str]:
            f = c.families[fi]
            return (-1 if self.sol[fi] is None and f.with_worker else f.urgency, f.id)

        for fi in sorted(range(len(c.families)), key=order):
            if self.sol[fi] is None:
                to = self.home(fi)
                to = self.best(fi) if to is None else to
                if to is None or not self.within_budget(fi, to):
                    continue
                self.place(fi, to)
            self.join(fi)

    def rescue(self) -> None:
        """Children who have a worker now but were not kept go back to a current worker, else where they fit best."""
        c = self.c
        for fi, f in enumerate(c.families):
            if self.sol[fi] is None and f.with_worker:
                to = self.home(fi)
                to = self.tightest(fi, f.core.weight) if to is None else to
                if to is not None and self.within_budget(fi, to):
                    self.place(fi, to)

    def pack(self, rank: int, how: str | random.Random) -> None:
        """The families whose most urgent waiting child is of this priority, placed where they fill a worker's
        room best: one by one, longest waiting first, then by weight (`how` "largest" or "smallest" first), or
        worker by worker (`fill_rooms`: "rooms", or its order perturbed by `how`, a seeded Random); then
        newcomers join their siblings."""
        c = self.c
        todo = [fi for fi, f in enumerate(c.families) if f.urgency == rank]
        if how == "rooms" or isinstance(how, random.Random):
            self.fill_rooms([fi for fi in todo if not c.families[fi].with_worker],
                            how if isinstance(how, random.Random) else None)
        sign = -1 if how == "largest" else 1
        for fi in sorted(todo, key=lambda fi: (-sum(ch.waited_days for ch in c.families[fi].newcomers.children),
                                               sign * c.families[fi].weight, c.families[fi].id)):
            f = c.families[fi]
            if self.sol[fi] is None and not f.with_worker:
                to = self.tightest(fi, f.core.weight)
                if to is not None:
                    self.place(fi, to)
            self.join(fi)

    def fill_rooms(self, todo: list[int], rng: random.Random | None) -> None:
        """Minimum bin slack (Gupta and Ho 1999; Fleszar and Hindi 2002): the largest family left goes where
        it fits tightest, and that worker's room is filled with the set of the families left that leaves the
        least of it unused (a bounded search). The order of the families is perturbed by `rng`, if given."""
        c = self.c
        weight = {fi: c.families[fi].core.weight for fi in todo}
        noise = {fi: 1 + (PERTURBATION * rng.random() if rng else 0) for fi in todo}
        left = sorted((fi for fi in todo if self.sol[fi] is None),
                      key=lambda fi: (-weight[fi] * noise[fi], c.families[fi].id))
        reach = {fi: set(c.domains[fi]) for fi in todo}
        while left:
            fi = left.pop(0)
            to = self.tightest(fi, weight[fi])
            if to is None:
                continue
            self.place(fi, to)
            room = self.c.capacity(to) - self.load[to]
            fits = [g for g in left if to in reach[g] and weight[g] <= room and self.may_take(g, to)]
            for g in least_slack(fits, weight, room):
                self.place(g, to)
                left.remove(g)

    def staged(self, how: str | random.Random) -> None:
        """Each stage's step in the policy's order: what the solver is asked to do, done by hand."""
        self.keep()
        steps: dict[str, Callable[[], None]] = {
            "dropped": self.rescue, "fixed_worker_not_met": self.honour_pins, "over_capacity": self.relieve,
            **{f"waiting_{p}": partial(self.pack, rank, how) for rank, p in enumerate(PRIORITIES)}}
        for name in self.c.names:
            if name in steps:
                steps[name]()


PERTURBATION = 0.3  # how far fill_rooms' restarts may reorder families of different weights
RESTARTS = 40  # fill_rooms runs with perturbed orders at most, where children weigh other than whole numbers
PATIENCE = 8  # and stop after this many in a row that found nothing better
NODES = 2000  # search nodes per worker's room


def least_slack(items: list[int], weight: dict[int, int], room: int) -> list[int]:
    """The subset of `items` (in their order) filling `room` best: depth-first, equal weights tried once per
    level, stopping at an exact fill or after NODES nodes."""
    best: tuple[int, list[int]] = (room, [])
    nodes = 0

    def search(start: int, room: int, chosen: list[int]) -> None:
        nonlocal best, nodes
        nodes += 1
        if room < best[0]:
            best = (room, list(chosen))
        tried: set[int] = set()
        for k in range(start, len(items)):
            if best[0] == 0 or nodes > NODES:
                return
            w = weight[items[k]]
            if w > room or w in tried:
                continue
            tried.add(w)
            chosen.append(items[k])
            search(k + 1, room - w, chosen)
            chosen.pop()

    search(0, room, [])
    return best[1]


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

    for fi in sorted(range(len(c.families)), key=lambda fi: (c.families[fi].urgency, c.families[fi].id)):
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
    load = loads(c, sol, joins)
    changed = True
    while changed:
        changed = False
        for fi, f in enumerate(c.families):
            wi, home = sol[fi], c.holder[fi]
            if wi is None or fi in c.pins or home is None or home == wi:
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


def start(c: Component) -> tuple[dict[int, int | None], set[int]]:
    """The solver's first plan: the best, stage by stage in the policy's order, of the manager's greedy and the
    stages done by hand in that order with the waiting packed one by one (largest first, which fills rooms
    best; smallest first, which allocates the most when not all fit) and worker by worker (fill_rooms, run
    again with perturbed orders where children weigh other than whole numbers and some still wait). Just the
    greedy where it leaves nobody waiting or over capacity. Never worse than the greedy; the same every run
    (the perturbations are seeded)."""
    names = [name for name, _ in c.stages]

    def rank(plan: tuple[dict[int, int | None], set[int]]) -> list[int]:
        v = values(c, *plan)
        return [v[name] for name in names]

    def staged(how: str | random.Random) -> tuple[dict[int, int | None], set[int]]:
        g = _Greedy(c, c.max_moves)
        g.staged(how)
        return move_back(c, g.sol, g.joins), g.joins

    first = greedy(c, c.max_moves)
    before_moves = names[:names.index("moves")] if "moves" in names else names
    if not any(rank(first)[:len(before_moves)]):
        return first  # nothing waits or is over capacity: the others could only match it
    best = min([first, staged("largest"), staged("smallest"), staged("rooms")], key=rank)
    if all(f.core.weight % SCALE == 0 for f in c.families if not f.with_worker):
        return best  # whole children only: reordering the packing rarely helps
    rng, stale = random.Random(0), 0
    for _ in range(RESTARTS):
        plan = min(best, staged(rng), key=rank)
        stale = 0 if plan is not best else stale + 1
        best = plan
        if stale == PATIENCE or not any(wi is None and not c.families[fi].with_worker for fi, wi in best[0].items()):
            break  # no better in a while, or nobody waits
    return best


EVEN_STEPS = 200_000  # moves weighed, at most, by even_out


class _Even:
    """even_out's plan so far: loads, marks, who may take more and up to what, the free families by worker."""

    def __init__(self, c: Component, sol: dict[int, int | None], joins: set[int], unsupervised: frozenset[int]):
        self.c, self.sol, self.load = c, dict(sol), loads(c, sol, joins)
        peak = values(c, sol, joins)["peak_utilisation"]
        self.mark = {wi: headroom_mark(c.capacity(wi)) for wi in range(len(c.workers)) if c.capacity(wi) > 0}
        ok = [wi for wi in self.mark if not c.overloaded(wi) and not c.may_go_above(wi)]
        self.top = {wi: min(c.within[wi], peak * c.capacity(wi) // PERMILLE) for wi in ok}
        # families no one holds now, and whole families moved already: another worker new to them moves them
        # no more, and breaks no pin
        moved = (fi for fi, f in enumerate(c.families) if f.with_worker and not f.mixed and fi not in c.pins
                 and (wi := sol.get(fi)) is not None and not c.kept[fi].get(wi))
        self.free = sorted((fi for fi in {*c.free(joins), *moved} if sol[fi] in self.top),
                           key=lambda fi: (-c.families[fi].core.weight, fi))
        self.weight = {fi: c.families[fi].core.weight for fi in self.free}
        self.takes = {wi for wi in self.top if wi not in unsupervised}  # may take a family new to them
        self.at: dict[int, list[int]] = {wi: [] for wi in self.top}
        for fi in self.free:
            self.at[self.worker(fi)].append(fi)
        self.steps = 0

    def worker(self, fi: int) -> int:
        wi = self.sol[fi]
        assert wi is not None
        return wi

    def above(self, wi: int, held: int) -> int:
        return max(0, held - self.mark[wi])

    def gain(self, a: int, b: int, shift: int) -> bool:
        """Is the sum above the marks lower with `shift` of load from a to b (b taking a family new to them)?"""
        self.steps += 1
        load = self.load
        return (b in self.takes and load[b] + shift <= self.top[b]
                and self.above(a, load[a] - shift) + self.above(b, load[b] + shift)
                < self.above(a, load[a]) + self.above(b, load[b]))

    def place(self, fi: int, wi: int) -> None:
        old = self.worker(fi)
        self.load[old] -= self.weight[fi]
        self.at[old].remove(fi)
        self.sol[fi] = wi
        self.load[wi] += self.weight[fi]
        self.at[wi].append(fi)

    def relieve(self, fi: int) -> bool:
        """Move the family, or swap it for a lighter one, where that lowers the sum above the marks."""
        a, w = self.worker(fi), self.weight[fi]
        for b in self.c.domains[fi]:
            if b == a or b not in self.top:
                continue
            if self.gain(a, b, w):
                self.place(fi, b)
                return True
            for g in self.at[b]:
                if (self.weight[g] < w and a in self.takes and a in self.c.domains[g]
                        and self.gain(a, b, w - self.weight[g])):
                    self.place(fi, b)
                    self.place(g, a)
                    return True
        return False


def even_out(c: Component, sol: dict[int, int | None], joins: set[int],
             unsupervised: frozenset[int]) -> dict[int, int | None]:
    """The load above the headroom mark lowered by hand: families no one holds now, or moved whole already, move
    (or two of them swap) from a worker above the mark, while that lowers the sum above the marks. No one
    waits, is moved from a current worker or goes above capacity or the plan's peak, so the stages before
    `above_headroom` keep their values; the solver then starts nearer its bound. At most EVEN_STEPS moves
    weighed; the same every run."""
    e = _Even(c, sol, joins, unsupervised)
    improved = True
    while improved and e.steps < EVEN_STEPS:
        improved = False
        for fi in e.free:
            wi = e.worker(fi)
            improved = (e.load[wi] > e.mark[wi] and e.relieve(fi)) or improved
            if e.steps >= EVEN_STEPS:
                break
    return e.sol


def trade_sheds(c: Component, sol: dict[int, int | None], joins: set[int],
                unsupervised: frozenset[int]) -> dict[int, int | None]:
    """The load above the headroom marks lowered by choosing who sheds load: a family moved whole off a worker
    above capacity now goes back to them, and one or two families of the same weight and as many children in
    all, still with another such worker, take its place, where that lowers the sum above the marks (a worker
    with no capacity has no mark: load they keep costs nothing). The load above capacity in all, every other
    worker's load and the moves are unchanged, and the worker taking their family back stays within the
    capacity rule (_Trade.may_take_back) and the plan's peak, so the stages before `above_headroom` keep their
    values. The same every run."""
    trade = _Trade(c, sol, joins, unsupervised)
    for fi in range(len(c.families)):
        trade.send_home(fi)
    return trade.out


class _Trade:
    """trade_sheds' plan so far: loads, and the families each worker above capacity now still holds."""

    def __init__(self, c: Component, sol: dict[int, int | None], joins: set[int], unsupervised: frozenset[int]):
        self.c, self.joins, self.unsupervised = c, joins, unsupervised
        self.load, self.out = loads(c, sol, joins), dict(sol)
        self.peak = values(c, sol, joins)["peak_utilisation"]
        # workers holding a child new to them: above capacity now, they may not go above `within` (add_capacity)
        self.given = {wi for fi, wi in sol.items() if wi is not None and (c.is_new(fi, wi) or fi in joins)}
        self.staying: dict[int, list[int]] = {}  # worker above capacity now -> their families they still hold
        for fi in range(len(c.families)):
            if self.whole(fi) and (wi := sol.get(fi)) == c.holder[fi] and wi is not None:
                self.staying.setdefault(wi, []).append(fi)

    def whole(self, fi: int) -> bool:
        """Does the family's worker above capacity now hold all of it (and no pin nor joining newcomer ties it)?"""
        c, f, wi = self.c, self.c.families[fi], self.c.holder[fi]
        return (wi is not None and c.overloaded(wi) and f.with_worker > 0 and not f.mixed and fi not in c.pins
                and fi not in self.joins and c.moved(fi, wi) == 0)

    def kind(self, fi: int) -> tuple[int, int]:
        return self.c.families[fi].core.weight, self.c.families[fi].with_worker

    def cost(self, wi: int, shift: int) -> tuple[int, int]:
        """(Load above capacity, load above the headroom mark) of the worker with `shift` more."""
        held, cap = self.load[wi] + shift, self.c.capacity(wi)
        return max(0, held - cap), max(0, held - headroom_mark(cap)) if cap > 0 else 0

    def may_take_back(self, a: int, w: int) -> bool:
        """May a worker above capacity now have `w` of their own back: no more than they hold now, above
        `within` only where they are given no one new, and no fuller than the plan's peak?"""
        c, held, cap = self.c, self.load[a] + w, self.c.capacity(a)
        return (held <= c.current_load[a] and (held <= c.within[a] or a not in self.given)
                and (cap <= 0 or -(-PERMILLE * min(held, cap) // cap) <= self.peak))

    def takers(self, b: int, t: int, w: int, n: int) -> list[int] | None:
        """One or two of b's families that together weigh w, hold n children and may go to t."""
        c, fit = self.c, dict[tuple[int, int], int]()
        for g in self.staying[b]:
            if t in c.domains[g] and not (t in self.unsupervised and c.is_new(g, t)):
                gw, gn = self.kind(g)
                if (gw, gn) == (w, n):
                    return [g]
                if (w - gw, n - gn) in fit:
                    return [fit[w - gw, n - gn], g]
                fit.setdefault((gw, gn), g)
        return None

    def send_home(self, fi: int) -> None:
        """The family home, and families of another worker above capacity in its place, where that gains."""
        a, t = self.c.holder[fi], self.out.get(fi)
        if a is None or t is None or t == a or not self.whole(fi):
            return
        w, n = self.kind(fi)
        if not self.may_take_back(a, w):
            return
        (ea, ma), (ea0, ma0) = self.cost(a, w), self.cost(a, 0)
        for b in sorted(self.staying):
            if b == a:
                continue
            (eb, mb), (eb0, mb0) = self.cost(b, -w), self.cost(b, 0)
            if ea + eb != ea0 + eb0 or ma + mb >= ma0 + mb0:
                continue
            gs = self.takers(b, t, w, n)
            if gs is None:
                continue
            self.out[fi] = a
            self.load[a], self.load[b] = self.load[a] + w, self.load[b] - w
            self.staying.setdefault(a, []).append(fi)
            for g in gs:
                self.out[g] = t
                self.staying[b].remove(g)
            self.given.add(t)
            return
