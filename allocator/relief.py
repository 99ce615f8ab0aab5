"""Relief by hand for `over_capacity`: load taken off the workers over capacity now.

With weighted children a worker's room is often no sum of the weights on offer (room for 2.9 children where
children weigh 1, 1.2 and 1.5), so a search leaves it part empty while others stay over capacity. Two plans
are made from the one given, and the one with less load above capacity is kept:

- Exchanges, then exact fills: a family moves from a worker over capacity into another worker's room, or into
  room that worker makes by passing a family of its own on to a third worker (or back to waiting); then
  families pass between workers with room, or swap, until each room is a sum the families on offer fill
  exactly (subset sums on bitsets, model.net_sums), and each is filled so.
- Packed afresh: every family back with the worker who holds it now; then worker by worker, those fewest
  families may go to first, each room filled as full as sums go, its own families first, then the families
  that must be placed, then the overloaded workers' families moving fewest children (Cheapest), passing on as
  few of its own as that needs. Tried again with the rooms left part empty placed before the last worker.

In both the last gaps are closed in pairs (two workers' families shared out afresh between them, those that
came from a worker over capacity sent back to be replaced by others), and families sent away come back home
where one of the same weight can take their place. On the weighted sample this meets the bound from totals
(floors.py), which then proves the stage with no search.

Only whole families no pin names and none of over_capacity_for move; no one ends above capacity but a worker
over it now who holds only their own; everything is counted, not timed, so every run gives the same plan.
solve._relieved takes the plan only where over_capacity falls, no stage before it is worse and a move budget
holds (with one, nothing is packed afresh: that moves more than budgets allow).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import numpy as np

from policy.settings import PRIORITIES

from .model import Component, Sums, loads, net_sums

Way = tuple[int, int | None, int | None]  # a family, from the worker, to the worker (None: waiting)
RELIEF_WEIGHED = 1_000_000  # ways weighed (a family passed on counts each worker it might go to), at most
UNPLACE_COST = 10**9  # a family sent back to waiting ranks after every move of the same relief
REPACKS = 4  # packings afresh, each with the rooms the last left part empty before its last, at most
GAP_PARTNERS = 12  # workers tried, at most, to close a room's last gap with
RESHAPES = 200  # families passed on to make rooms fillable, at most
FILL_ROUNDS = 4  # rounds of reshaping then filling, at most


def relieve_excess(c: Component, sol: dict[int, int | None], joins: set[int], unsupervised: frozenset[int],
                   may_wait: frozenset[str], goal: int = 0) -> dict[int, int | None]:
    """Load taken off the workers over capacity now, by hand (see the module): the better (by over_capacity) of
    the exchanges then the exact fills, and the rooms packed afresh (each only where every worker who must be is
    within capacity), each step only while over_capacity is above `goal` (no plan does better: a bound). A family
    goes back to waiting only where every child of it awaiting allocation has a priority in `may_wait`.
    Nothing to do where no family with a worker above capacity may go to another (--keep-current, say)."""
    load = loads(c, sol, joins)
    if not any(wi is not None and load[wi] > c.capacity(wi) and len(c.domains[fi]) > 1 for fi, wi in sol.items()):
        return dict(sol)
    exchanged = _Relief(c, sol, joins, unsupervised, may_wait)
    exchanged.exchange()
    if exchanged.excess() > goal:
        exchanged.fill_rooms()
    best, order = exchanged if exchanged.valid() else _Relief(c, sol, joins, unsupervised, may_wait), None
    # packed afresh (never under a move budget: it moves more than budgets allow); each time again with the
    # rooms the last left part empty placed before its last worker, so that they may pass families on
    for _ in range(REPACKS if c.max_moves is None and best.excess() > goal else 0):
        packed = _Relief(c, sol, joins, unsupervised, may_wait)
        order = packed.repack(order)
        if order is None:
            break
        packed.fill_rooms()
        if packed.valid() and packed.excess() < best.excess():
            best = packed
        short = [wi for wi in order if packed.free(wi) > 0]
        rest = [wi for wi in order if wi not in short]
        if not short or len(rest) < 2 or best.excess() <= goal:
            break
        order = rest[:-1] + short + rest[-1:]
    best.untangle()
    return best.sol


class _Relief:
    """relieve_excess's plan so far: loads, and the families that may move, by worker."""

    def __init__(self, c: Component, sol: dict[int, int | None], joins: set[int], unsupervised: frozenset[int],
                 may_wait: frozenset[str]) -> None:
        self.c, self.sol, self.load, self.unsupervised = c, dict(sol), loads(c, sol, joins), unsupervised
        self.may_wait, self.weighed, self.reshaped = may_wait, 0, 0
        self.on: list[list[int]] = [[] for _ in c.workers]
        self.stays_new = [False] * len(c.workers)  # holding a child new to them that does not move here
        for fi, wi in sorted(self.sol.items()):
            f = c.families[fi]
            if wi is not None and fi not in c.pins and not f.mixed and fi not in c.above:
                self.on[wi].append(fi)
            elif wi is not None:
                self.stays_new[wi] |= c.is_new(fi, wi) or fi in joins
        self.weights = [f.core.weight for f in c.families]
        self.offers: list[list[int]] = [[] for _ in c.workers]  # per worker: the families that may move to them
        for fi in sorted(fi for held in self.on for fi in held):
            for wi in c.domains[fi]:
                if self.may_hold(fi, wi):
                    self.offers[wi].append(fi)

    def room(self, wi: int) -> int:
        return self.c.caps[wi] - self.load[wi]

    def excess(self) -> int:
        """The plan's over_capacity: load above capacity of the workers above it now."""
        c = self.c
        return sum(max(0, self.load[wi] - c.caps[wi]) for wi in range(len(c.workers)) if c.over_now[wi])

    def untangle(self) -> None:
        """Families sent away from a worker within capacity back to them, each in exchange for one of the same
        weight that came to that worker from elsewhere and may go where the first went: the same loads, fewer
        children moved."""
        c, fams = self.c, self.c.families
        for g in sorted(fi for held in self.on for fi in held):
            home, at = c.holder[g], self.sol[g]
            if home is None or at is None or at == home or c.over_now[home]:
                continue
            w = fams[g].core.weight
            swap = next((d for d in sorted(self.on[home]) if fams[d].core.weight == w and c.holder[d] != home
                         and at in c.domains[d] and self.may_hold(d, at)
                         and c.moved(d, at) + c.moved(g, home) < c.moved(d, home) + c.moved(g, at)), None)
            if swap is not None:
                self.move(g, at, home)
                self.move(swap, home, at)

    def exchange(self) -> None:
        """The exchanges: the way that lowers over_capacity most first (then the one leaving least room unused),
        until none does, at most RELIEF_WEIGHED ways weighed."""
        while self.weighed < RELIEF_WEIGHED and (best := self.best()) is not None:
            fi, o, to, g, t = best
            if g is not None:
                self.move(g, to, t)
            self.move(fi, o, to)

    def unplace(self) -> None:
        """Families that may go back to waiting do: room they hold is room for load above capacity
        (solve._relieved gives them what is left)."""
        for wi in self.by_choice():
            for g in list(self.on[wi]):
                if self.may_go_back(g):
                    self.move(g, wi, None)

    def fill_rooms(self) -> None:
        """The exact fills: rooms reshaped until the families on offer fill them exactly, then filled; the gaps
        left closed in pairs (close_gaps)."""
        self.unplace()
        for _ in range(FILL_ROUNDS):
            while self.reshaped < RESHAPES and self.reshape():
                pass
            if not any([self.fill_exactly(wi) for wi in self.by_choice()]):
                break
        self.close_gaps()

    def repack(self, order: list[int] | None = None) -> list[int] | None:
        """The rooms packed afresh, moving few: every family back with the worker who holds it now (the
        children awaiting allocation it placed, and any it holds no more, to place), then worker by worker (those
        fewest families may go to first) each room filled as full as sums go: with the families to place that
        may go there first, then families of the workers over capacity, passing on as few of its own as that
        needs to later workers; in `order` if given. The order taken; None (the plan half made) where a family to
        place finds no room."""
        c = self.c
        self.unplace()
        carry: set[int] = set()
        for wi in range(len(c.workers)):
            for g in list(self.on[wi]):
                if (h := c.holder[g]) != wi:
                    self.move(g, wi, h)
                    if h is None:
                        carry.add(g)
        usual = self.by_choice(bound=True)
        order = [wi for wi in order or [] if wi in usual] + [wi for wi in usual if wi not in (order or [])]
        for k, wi in enumerate(order):
            later = set(order[k + 1:])
            fits = sorted(g for g in carry if wi in c.domains[g] and self.may_hold(g, wi))
            forced = [g for g in fits if not any(t in later and self.may_hold(g, t) for t in c.domains[g])]
            for g in forced:
                self.move(g, None, wi)
                carry.discard(g)
            mine = [g for g in self.on[wi] if c.holder[g] == wi
                    and any(t in later and self.may_hold(g, t) for t in c.domains[g])]
            while self.free(wi) < 0 and mine:  # over capacity with what must stay: pass on the heaviest
                g = max(mine, key=lambda g: (c.families[g].core.weight, -g))
                mine.remove(g)
                self.move(g, wi, None)
                carry.add(g)
            if self.free(wi) < 0:
                return None
            for g in self.passed_on(wi, mine, [g for g in fits if g in carry]):
                self.move(g, wi, None)
                carry.add(g)
            self.pack_room(wi, [g for g in fits if g in carry and g not in self.on[wi]], carry)
        return None if carry else order

    def close_gaps(self) -> None:
        """Rooms the families on offer cannot fill exactly, closed in pairs: the worker with such a room and
        another within capacity (those most families may pass between first, GAP_PARTNERS at most) repacked
        together (see pair), taken where more load comes off the workers over capacity."""
        for a in self.by_choice():
            for b in self.partners(a):
                if self.excess() == 0 or self.reach(a).unfilled(self.free(a)) == 0:
                    break
                if not any(next(self.offering(wi), None) is not None or self.back(wi) for wi in (a, b)):
                    continue  # nothing to take off anyone over capacity
                before, was = self.excess(), dict(self.sol)
                self.pair(a, b)
                if self.excess() >= before:
                    self.restore(was)

    def partners(self, a: int) -> list[int]:
        """The workers within capacity that most families may pass between and `a`, GAP_PARTNERS at most."""
        c, tally = self.c, Counter[int]()
        for fi in self.on[a]:
            tally.update(t for t in c.domains[fi] if t != a and self.open(t) and self.may_hold(fi, t))
        for t in self.by_choice():
            tally[t] += sum(1 for fi in self.on[t] if t != a and a in c.domains[fi] and self.may_hold(fi, a))
        return sorted(tally, key=lambda t: (-tally[t], t))[:GAP_PARTNERS]

    def restore(self, was: dict[int, int | None]) -> None:
        for fi, wi in was.items():
            if self.sol[fi] != wi:
                self.move(fi, self.sol[fi], wi)

    def pair(self, a: int, b: int) -> None:
        """Two workers' rooms repacked together: the families on them that came from a worker over capacity
        now go back there, the others are shared between the two (each where it may go), and each room is
        filled as full as sums of the families on offer go; the share that takes most off is taken."""
        c, fams = self.c, self.c.families
        for wi in (a, b):
            for fi in self.back(wi):
                self.move(fi, wi, c.holder[fi])
        sides: dict[str, list[int]] = {"a": [], "b": [], "either": []}
        for fi in self.on[a] + self.on[b]:
            to_a = a in c.domains[fi] and (self.sol[fi] == a or self.may_hold(fi, a))
            to_b = b in c.domains[fi] and (self.sol[fi] == b or self.may_hold(fi, b))
            sides["either" if to_a and to_b else "a" if to_a else "b"].append(fi)
        rooms = {wi: c.within[wi] - self.load[wi] + sum(fams[fi].core.weight for fi in self.on[wi])
                 - sum(fams[fi].core.weight for fi in sides[side]) for wi, side in ((a, "a"), (b, "b"))}
        either = sorted(sides["either"])
        spread = sum(fams[fi].core.weight for fi in either)
        if min(rooms.values()) < 0:
            return
        share = net_sums(Counter(), Counter(fams[fi].core.weight for fi in either), rooms[a])
        ins = {wi: net_sums(Counter(), Counter(fams[fi].core.weight for fi in self.offered(wi)), rooms[wi])
               for wi in (a, b)}
        best, pick = -1, 0
        for x in range(min(rooms[a], spread) + 1):
            if share.bits >> x & 1 and spread - x <= rooms[b]:
                gain = ins[a].best(rooms[a] - x) + ins[b].best(rooms[b] - spread + x)
                if gain > best:
                    best, pick = gain, x
        if best < 0:
            return
        going = share.picks(pick)  # weight -> how many of `either` go to a
        for fi in either:
            w = fams[fi].core.weight
            side = a if going[w] > 0 else b
            going[w] -= 1
            if self.sol[fi] != side:
                self.move(fi, self.sol[fi], side)
        for side, only in ((a, sides["a"]), (b, sides["b"])):
            for fi in only:
                if self.sol[fi] != side:
                    self.move(fi, self.sol[fi], side)
        for wi, left in ((a, rooms[a] - pick), (b, rooms[b] - spread + pick)):
            self.take_from_over(wi, Counter({(w, None): n for w, n in ins[wi].picks(left).items()}))

    def passed_on(self, wi: int, mine: list[int], fits: list[int]) -> list[int]:
        """The fewest of the worker's own families (`mine`) to pass on so that its room fills fullest from
        `fits` and the families on offer: none, one, or as many as that needs."""
        fams, room = self.c.families, self.free(wi)
        offer = Counter(fams[g].core.weight for g in fits) + Counter(fams[fi].core.weight for fi in self.offered(wi))
        best, out = net_sums(Counter(), offer, room).best(room), []
        for g in sorted(mine, key=lambda g: (fams[g].core.weight, g)):
            if best == room:
                break
            w = fams[g].core.weight
            net = net_sums(Counter(), offer, room + w).best(room + w) - w
            if net > best:
                best, out = net, [g]
        if best < room:
            sums = net_sums(Counter(fams[g].core.weight for g in mine), offer, room)
            if sums.best(room) > best:
                picks = sums.picks(room)
                out = [g for w, n in sorted(picks.items()) if w < 0
                       for g in [g for g in mine if fams[g].core.weight == -w][:n]]
        return out

    def pack_room(self, wi: int, musts: list[int], carry: set[int]) -> None:
        """Fill the worker's room as full as sums go, with as much of `musts` (families to place) as that
        allows, the rest from the workers over capacity, moving fewest children."""
        c, fams, room = self.c, self.c.families, self.free(wi)
        mine = net_sums(Counter(), Counter(fams[g].core.weight for g in musts), room)
        theirs = Cheapest(Counter((fams[fi].core.weight, c.moved(fi, wi)) for fi in self.offered(wi)), room)
        both = 0
        for a in range(room + 1):
            if mine.bits >> a & 1:
                both |= theirs.bits << a
        total = (both & ((1 << (room + 1)) - 1)).bit_length() - 1
        a = max(a for a in range(total + 1) if mine.bits >> a & 1 and theirs.bits >> (total - a) & 1)
        for w, n in sorted(mine.picks(a).items()):
            for g in [g for g in musts if fams[g].core.weight == w][:n]:
                self.move(g, None, wi)
                carry.discard(g)
        self.take_from_over(wi, theirs.picks(total - a))

    def take_from_over(self, wi: int, picks: Counter[tuple[int, int | None]]) -> bool:
        """Families of these kinds ((weight, children moved or None: any) -> how many) moved to the worker from
        those on offer, fewest children moved first, each from the worker most loaded for their capacity; True
        if any moved."""
        c, fams, moved = self.c, self.c.families, False
        for (w, k), n in sorted(picks.items(), key=lambda kv: (-kv[0][0], kv[0][1] or 0)):
            for _ in range(n):
                fi = max((fi for fi in self.offered(wi)
                          if fams[fi].core.weight == w and k in (None, c.moved(fi, wi))),
                         key=lambda fi: (-c.moved(fi, wi), self.strain(fi), -fi), default=None)
                o = None if fi is None else self.sol[fi]
                if fi is None or o is None:
                    return moved
                self.move(fi, o, wi)
                moved = True
        return moved

    def takes(self, fi: int, wi: int) -> bool:
        """May the worker, one of the family's domain and not over capacity now, hold it (room aside)?"""
        return not self.c.over_now[wi] and self.may_hold(fi, wi)

    def may_hold(self, fi: int, wi: int) -> bool:
        """May the worker, one of the family's domain, hold it (room aside) once within capacity?"""
        return not (wi in self.unsupervised and self.c.is_new(fi, wi))

    def open(self, wi: int) -> bool:
        """Within capacity, so free to take new children (one over capacity now, once brought within it)."""
        return self.load[wi] <= self.c.caps[wi]

    def may_go_back(self, fi: int) -> bool:
        f = self.c.families[fi]
        return not f.with_worker and all(p in self.may_wait for p in PRIORITIES if f.awaiting(p))

    def best(self) -> tuple[int, int, int, int | None, int | None] | None:
        """The best way (family, from, to, the family `to` passes on or None, where that one goes or None); the
        best so far once RELIEF_WEIGHED ways are weighed."""
        c, best, key = self.c, None, None
        for o, over in enumerate(c.over_now):
            excess = self.load[o] - c.caps[o]
            if not over or excess <= 0:
                continue
            for fi in self.on[o]:
                w = c.families[fi].core.weight
                for to in c.domains[fi]:
                    if to == o or not self.takes(fi, to):
                        continue
                    for unused, g, t in self.ways(fi, w, o, to):
                        if key is None or (min(w, excess), -unused) > key:
                            key, best = (min(w, excess), -unused), (fi, o, to, g, t)
                    if self.weighed >= RELIEF_WEIGHED:
                        return best
        return best

    def ways(self, fi: int, w: int, o: int, to: int) -> list[tuple[int, int | None, int | None]]:
        """(room left unused, the family `to` passes on, where it goes) for each way `to` may take `fi`."""
        room = self.room(to)
        out: list[tuple[int, int | None, int | None]] = []
        self.weighed += 1
        if room >= w:
            return [(room - w, None, None)]
        for g in self.on[to]:
            wg = self.c.families[g].core.weight
            self.weighed += 1 + len(self.c.domains[g])
            if g == fi or wg < w - room:
                continue
            if self.may_go_back(g):
                out.append((UNPLACE_COST + room + wg - w, g, None))
            out += [(room + wg - w + self.room(t) - wg, g, t) for t in self.c.domains[g]
                    if t not in (to, o) and self.room(t) >= wg and self.takes(g, t)]
        return out

    def move(self, fi: int, a: int | None, b: int | None) -> None:
        """The family from worker `a` to `b` (None: waiting)."""
        w = self.c.families[fi].core.weight
        if a is not None:
            self.load[a] -= w
            self.on[a].remove(fi)
        self.sol[fi] = b
        if b is not None:
            self.load[b] += w
            self.on[b].append(fi)

    def strain(self, fi: int) -> float:
        """The load for capacity of the family's worker (infinite with no capacity)."""
        o = self.sol[fi]
        return 0.0 if o is None else self.load[o] / self.c.caps[o] if self.c.caps[o] > 0 else math.inf

    def offered(self, wi: int) -> list[int]:
        """The families the worker may take from workers over capacity now, each no heavier than its worker's
        load above capacity (so all of it comes off over_capacity)."""
        return list(self.offering(wi))

    def offering(self, wi: int) -> Iterator[int]:
        """offered, one by one (a solve's hottest loop here: inlined)."""
        c, sol, load, caps, weight = self.c, self.sol, self.load, self.c.caps, self.weights
        for fi in self.offers[wi]:
            o = sol[fi]
            if o is not None and o != wi and c.over_now[o] and load[o] - caps[o] >= weight[fi]:
                yield fi

    def back(self, wi: int) -> list[int]:
        """The families on the worker that came from one over capacity now, at capacity or above it still and
        holding no one new, who may take them back (all of it then counts as load above capacity)."""
        c = self.c
        return [fi for fi in self.on[wi] if (h := c.holder[fi]) is not None and h != wi and self.kept_only(h)]

    def kept_only(self, wi: int) -> bool:
        """Over capacity now, at capacity or above it still, and holding no family new to them."""
        c = self.c
        return c.over_now[wi] and self.load[wi] >= c.caps[wi] and not self.bound(wi)

    def reach(self, wi: int) -> Sums:
        """The net loads the worker can take: families on offer in, families back to where they came from out."""
        fams = self.c.families
        return net_sums(Counter(fams[fi].core.weight for fi in self.back(wi)),
                        Counter(fams[fi].core.weight for fi in self.offered(wi)), max(0, self.c.caps[wi]))

    def by_choice(self, bound: bool = False) -> list[int]:
        """The workers within capacity (with `bound`, all those that must be: see bound), those with fewest
        families that may go to them first."""
        return sorted((wi for wi in range(len(self.c.workers)) if (self.bound(wi) if bound else self.open(wi))),
                      key=lambda wi: (len(self.offers[wi]), wi))

    def bound(self, wi: int) -> bool:
        """Must the worker end within capacity: not over it now, or holding a family new to them?"""
        c = self.c
        return not c.over_now[wi] or self.stays_new[wi] or any(c.is_new(fi, wi) for fi in self.on[wi])

    def valid(self) -> bool:
        """Is every worker who must be within capacity (see bound) within it?"""
        return all(self.load[wi] <= self.c.caps[wi] for wi in range(len(self.c.workers)) if self.bound(wi))

    def free(self, wi: int) -> int:
        """Room within what the worker can hold (Component.within: capacity, to the nearest sum of weights)."""
        return self.c.within[wi] - self.load[wi]

    def reshape(self) -> bool:
        """Pass one family from one worker with room to another (or back to waiting), or swap two families of
        different weights between two such workers, where less room is then left that the families on offer
        cannot fill exactly; the way leaving least first, then the one moving fewest children. False if none
        does."""
        reach = {wi: self.reach(wi) for wi in self.by_choice()}
        left = {wi: reach[wi].unfilled(self.free(wi)) for wi in reach}
        best, key = None, None
        for gain, cost, way in self.passes(reach, left) + self.swaps(reach, left):
            if gain > 0 and (key is None or (gain, -cost) > key):
                key, best = (gain, -cost), way
        if best is None:
            return False
        self.reshaped += 1
        for fi, a, b in best:
            self.move(fi, a, b)
        return True

    def passes(self, reach: dict[int, Sums], left: dict[int, int]) -> list[tuple[int, int, list[Way]]]:
        """(room left unfillable less, children moved, the way) for each family passed on from a worker with
        room."""
        c, out = self.c, list[tuple[int, int, list[Way]]]()
        for a in left:
            for g in self.on[a]:
                wg = c.families[g].core.weight
                grown = reach[a].unfilled(self.free(a) + wg)
                if self.may_go_back(g):  # the room it leaves is room for load above capacity
                    out.append((wg + left[a] - grown, UNPLACE_COST, [(g, a, None)]))
                for b in c.domains[g]:
                    if b != a and b in left and self.free(b) >= wg and self.may_hold(g, b):
                        gain = left[a] + left[b] - grown - reach[b].unfilled(self.free(b) - wg)
                        out.append((gain, c.moved(g, b) - c.moved(g, a), [(g, a, b)]))
        return out

    def swaps(self, reach: dict[int, Sums], left: dict[int, int]) -> list[tuple[int, int, list[Way]]]:
        """The same for two families of different weights swapped between two workers with room, one at least
        with room left unfillable (of each weight, the family moving fewest children to each worker)."""
        c, fams, out = self.c, self.c.families, list[tuple[int, int, list[Way]]]()
        kinds: dict[tuple[int, int], dict[int, int]] = {}  # (worker, weight) -> worker it may go to -> family
        for a in left:
            for g in self.on[a]:
                for b in c.domains[g]:
                    if b != a and b in left and self.may_hold(g, b):
                        ways = kinds.setdefault((a, fams[g].core.weight), {})
                        if b not in ways or c.moved(g, b) - c.moved(g, a) < c.moved(ways[b], b) - c.moved(ways[b], a):
                            ways[b] = g
        for (a, wg), ways in sorted(kinds.items()):
            for b, g in sorted(ways.items()):
                if a > b and left[a] + left[b] == 0:
                    continue
                for wh in {w for (t, w) in kinds if t == b and w != wg}:
                    h = kinds[b, wh].get(a)
                    if h is None or self.free(a) + wg < wh or self.free(b) + wh < wg or (left[a] == left[b] == 0):
                        continue
                    gain = left[a] + left[b] - reach[a].unfilled(self.free(a) + wg - wh) \
                        - reach[b].unfilled(self.free(b) + wh - wg)
                    cost = c.moved(g, b) - c.moved(g, a) + c.moved(h, a) - c.moved(h, b)
                    out.append((gain, cost, [(g, a, b), (h, b, a)]))
        return out

    def fill_exactly(self, wi: int) -> bool:
        """Fill the worker's room from the families on offer, as full as their sums go (see take_from_over),
        sending families back where that fills it fuller; True if any moved."""
        fams, moved = self.c.families, False
        picks = self.reach(wi).picks(self.free(wi))
        for w, n in sorted(picks.items()):  # out first: back to where they came from
            for g in ([g for g in self.back(wi) if fams[g].core.weight == -w][:n] if w < 0 else []):
                self.move(g, wi, self.c.holder[g])
                moved = True
        return self.take_from_over(wi, Counter({(w, None): n for w, n in picks.items() if w > 0})) or moved


class Cheapest:
    """The fewest children moved to make each sum up to `room` from items ((weight, children moved) -> how
    many): a knapsack by sums, its steps kept to read back which items make a sum."""

    def __init__(self, items: Counter[tuple[int, int]], room: int) -> None:
        none = 1 << 40
        cost = np.full(max(0, room) + 1, none, dtype=np.int64)
        cost[0] = 0
        self.steps: list[tuple[int, int, np.ndarray]] = []
        for (w, k), n in sorted(items.items()):
            for _ in range(min(n, room // w) if w > 0 else 0):
                taken = np.full_like(cost, none)
                taken[w:] = cost[:-w] + k
                better = taken < cost
                if not better.any():
                    break
                self.steps.append((w, k, better))
                cost = np.where(better, taken, cost)
        self.bits = sum(1 << int(s) for s in np.flatnonzero(cost < none))

    def picks(self, total: int) -> Counter[tuple[int, int | None]]:
        """The items making `total` (one of the sums) with fewest children moved."""
        out = Counter[tuple[int, int | None]]()
        for w, k, better in reversed(self.steps):
            if better[total]:
                out[w, k] += 1
                total -= w
        return out
