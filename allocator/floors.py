"""Bounds on the late stages (`moves`, the fairness levels) from totals alone, with no solver.

Once the stages before them are held at their values, every plan places at least a known load (the children
not dropped or left waiting), must take a known load off the workers above capacity, moves no more than so
many children, and can put no more on a worker than capacity (or what they hold now, if above it). From
those totals: the fewest children who can take that load off (`moves`); the lowest peak at which the
workers' room holds the load, and the fullest worker once the children who may leave have left
(`peak_utilisation`); the least load above the headroom marks, the load spread as evenly as whole weights
allow, or the load above the marks now less what the children who may leave take off it (`above_headroom`).
Every figure is a sum of whole weights, so the bounds are exact integers. On a typical team (every child
weighing 1, demand meeting capacity) the plan the earlier stages leave meets them, and the stage needs no
model at all (tests/test_floors.py checks them against every plan of small councils).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from math import gcd
from typing import TYPE_CHECKING, TypeVar

from policy.settings import PRIORITIES

from .model import PERMILLE, Component, headroom_mark, peak_top, top_load
from .rules import scaled

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from .model import Expr

WAITING = tuple(f"waiting_{p}" for p in PRIORITIES)
T = TypeVar("T")
FLOORED = ("over_capacity", *WAITING, "moves", "peak_utilisation", "above_headroom")


def floor(c: Component, name: str, held: Mapping[str, int]) -> int:
    """No plan keeping each stage of `held` at or below its value does better than this at stage `name`
    (one of FLOORED; 0 for any other)."""
    if name == "over_capacity":
        return max(0, _placed(c, held) - sum(_within(c, wi) for wi in range(len(c.workers))))
    if name in WAITING:
        return _waiting(c, name, held)
    if name == "moves":
        return max(0, _leaving(c, held) - held.get("dropped", c.size))
    if name not in FLOORED:
        return 0
    placed, step, least = _placed(c, held), _granule(c), _least(c, held)
    if name == "peak_utilisation":
        return max([_peak(c, placed, step, _tops(c, held))] + [-(-PERMILLE * load // c.capacity(wi))
                                                for wi, load in least.items()
                                                if c.capacity(wi) > 0 and not c.overloaded(wi)])
    return max(_above_marks(c, placed, step, held, least), _cut_above(c, held))


def _placed(c: Component, held: Mapping[str, int]) -> int:
    """The least load (scaled) a plan places: all but the heaviest children it may drop, and at each priority
    all but the heaviest it may leave waiting. Children of a family no worker may hold are dropped or left
    waiting in every plan, and use up that much of what the plan may leave; a stage not held may leave all."""
    total = 0
    for stage, weights, nowhere in _groups(c):
        spare = len(weights) if stage not in held else max(0, held[stage] - nowhere)
        total += sum(weights[:max(0, len(weights) - spare)])
    return total


def _groups(c: Component) -> list[tuple[str, list[int], int]]:
    """(stage, the weights of its children that some worker may hold, lightest first, how many no worker may)
    for `dropped` (the children with a worker now) and each waiting level; made once a component."""
    def make() -> list[tuple[str, list[int], int]]:
        out = []
        for priority, stage in [(None, "dropped")] + [(p, f"waiting_{p}") for p in PRIORITIES]:
            kids = [(bool(dom), k) for fi, dom in enumerate(c.domains) for k in c.families[fi].children
                    if (k.current_worker if priority is None else not k.current_worker and k.priority == priority)]
            out.append((stage, sorted(scaled(k.weight) for some, k in kids if some),
                        sum(1 for some, _ in kids if not some)))
        return out
    return _once(c, "groups", make)


def _once(c: Component, name: str, make: Callable[[], T]) -> T:
    """What `make` gives for this component, made once: a component's families and workers never change, and
    a solve asks each stage's bound several times."""
    cache = c.__dict__.setdefault("_floors", {})
    if name not in cache:
        cache[name] = make()
    return cache[name]


def _within(c: Component, wi: int) -> int:
    """The most a worker holds with no load above capacity counted as excess: capacity if above it now (the
    rest is excess), what fits within it otherwise (and the allowance above it, for over_capacity_for)."""
    if c.overloaded(wi):
        return max(0, c.capacity(wi))
    return top_load(c, wi) if c.may_go_above(wi) else c.within[wi]


def _waiting(c: Component, name: str, held: Mapping[str, int]) -> int:
    """The fewest children left waiting at this priority: the load placed must fit in the workers' room, and
    within their capacity but for the excess held."""
    step = _granule(c)
    room = sum(_room(c, wi, top, None, step) for wi, top in enumerate(_tops(c, held)))
    if "over_capacity" in held:
        room = min(room, sum(_within(c, wi) for wi in range(len(c.workers))) + held["over_capacity"])
    awaiting = next(len(weights) + nowhere for stage, weights, nowhere in _groups(c) if stage == name)
    lo, hi = 0, awaiting
    if _placed(c, {**held, name: hi}) > room:
        return 0  # no plan holds it: claim nothing
    while lo < hi:  # the load placed falls as more may wait
        mid = (lo + hi) // 2
        if _placed(c, {**held, name: mid}) <= room:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _granule(c: Component) -> int:
    """Every load is a multiple of this: the greatest common divisor of what a worker may be given at once."""
    def make() -> int:
        g = 0
        for f in c.families:
            g = gcd(g, f.core.weight, f.newcomers.weight if f.mixed else 0)
        return max(1, g)
    return _once(c, "granule", make)


def _tops(c: Component, held: Mapping[str, int]) -> list[int]:
    """Per worker, the most they can hold in a plan keeping `held`: what fits within capacity (and the allowance
    above it, for over_capacity_for); if above capacity now, what they hold now, but no more above capacity
    than the excess held."""
    excess = held.get("over_capacity")
    out = []
    for wi in range(len(c.workers)):
        if c.overloaded(wi):
            keep = c.current_load[wi] if excess is None else min(c.current_load[wi], max(0, c.capacity(wi)) + excess)
            out.append(max(c.within[wi], keep))
        else:
            out.append(_within(c, wi))
    return out


def _room(c: Component, wi: int, top: int, peak: int | None, step: int) -> int:
    """The most a worker can hold (`top`, _tops) with utilisation at most `peak` (per mille; None: any), in whole
    `step`s. Above capacity now, their utilisation counts only what is within it: only below 100% does it bind."""
    cap = c.capacity(wi)
    if peak is not None and cap > 0 and (peak < PERMILLE or not c.overloaded(wi)):
        top = min(top, peak * cap // PERMILLE)
    return top // step * step


def _peak(c: Component, placed: int, step: int, tops: list[int]) -> int:
    """The lowest utilisation (per mille) at which the workers' room adds up to the load placed."""
    everyone = range(len(c.workers))
    lo, hi = 0, peak_top(c)
    if sum(_room(c, wi, tops[wi], hi, step) for wi in everyone) < placed:
        return 0  # no plan holds it: claim nothing
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(_room(c, wi, tops[wi], mid, step) for wi in everyone) >= placed:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _above_marks(c: Component, placed: int, step: int, held: Mapping[str, int], least: Mapping[int, int]) -> int:
    """The least load above the headroom marks that places `placed`, each worker holding at least `least`: up
    to its mark a worker's room costs nothing; above it each step costs what it adds above the mark (the first
    step may straddle it, and costs less). The costs rise worker by worker, so the cheapest steps overall are
    the least a plan pays."""
    paid, free, steps, peak = 0, 0, [], held.get("peak_utilisation")
    for wi, top in enumerate(_tops(c, held)):
        most, cap = _room(c, wi, top, peak, step), c.capacity(wi)
        load = min(most, -(-least.get(wi, 0) // step) * step)
        if cap <= 0:  # no headroom to keep: all their room is free
            free += most
            continue
        mark = headroom_mark(cap)
        paid += max(0, load - mark)
        load = max(load, min(most, mark // step * step))
        free += load
        while load + step <= most:
            steps.append(load + step - max(mark, load))
            load += step
    need = -(-(placed - free) // step)
    if need > len(steps):
        return 0  # no plan holds it: claim nothing
    return paid + sum(sorted(steps)[:max(0, need)])


def _own(c: Component) -> dict[str, list[int]]:
    """Worker id -> the weights (scaled) of the children of this component they hold now, heaviest first."""
    def make() -> dict[str, list[int]]:
        own: dict[str, list[int]] = {}
        for f in c.families:
            for k in f.children:
                if k.current_worker:
                    own.setdefault(k.current_worker, []).append(scaled(k.weight))
        return {w: sorted(ws, reverse=True) for w, ws in own.items()}
    return _once(c, "own", make)


def _leaving(c: Component, held: Mapping[str, int]) -> int:
    """The fewest children who leave the workers holding more than capacity now: the load above it, less the
    excess the plan may keep, goes in whole children, heaviest first at best."""
    if "over_capacity" not in held:
        return 0
    own = _own(c)
    shed, leaving = -held["over_capacity"], []
    for wi, w in enumerate(c.workers):
        mine = own.get(w.id, [])
        if sum(mine) > c.capacity(wi):
            shed += sum(mine) - c.capacity(wi)
            leaving += mine
    count = 0
    for weight in sorted(leaving, reverse=True):
        if shed <= 0:
            break
        shed -= weight
        count += 1
    return count


def _spare(c: Component, held: Mapping[str, int]) -> tuple[int, int]:
    """(At most this many children leave the workers within capacity now, at most this many leave anyone); with
    `moves` held. A child leaving is moved or dropped; at least _leaving leave the workers above capacity."""
    anyone = held["moves"] + held.get("dropped", c.size)
    return max(0, anyone - _leaving(c, held)), anyone


def least_loads(c: Component, held: Mapping[str, int]) -> dict[int, int]:
    """Worker index -> the least load (scaled, above 0) any plan keeping `held` gives the worker, from
    `over_capacity` held: every worker's excess is at least its load above _within, and the plan places at least
    _placed, so a worker's load falls short of _within by no more than the slack, the excess held less
    _placed - sum(_within) (the floor). At the floor every worker within capacity is full to _within and every
    worker above it keeps at least capacity: the exact fills the later stages' searches otherwise find slowly.
    Empty where `over_capacity` is not held."""
    if "over_capacity" not in held:
        return {}
    tops = [_within(c, wi) for wi in range(len(c.workers))]
    slack = held["over_capacity"] - (_placed(c, held) - sum(tops))
    return {wi: top - slack for wi, top in enumerate(tops) if top > slack}


def hold_least_loads(c: Component, m: cp_model.CpModel, load: Mapping[int, Expr], held: Mapping[str, int],
                     added: dict[int, int]) -> None:
    """Add `load[wi] >= least_loads` to the model `m` (the full model's loads or the class model's), where
    stronger than the bounds `added` already (updated): implied by `held`, so no plan is lost."""
    for wi, least in least_loads(c, held).items():
        if wi in load and least > added.get(wi, 0):
            m.add(load[wi] >= least)
            added[wi] = least


def _least(c: Component, held: Mapping[str, int]) -> dict[int, int]:
    """Worker index -> the least load a worker keeps: for one within capacity now, all but their heaviest
    children, as many as may leave them (_spare), with `moves` held; and least_loads."""
    out = least_loads(c, held)
    if "moves" in held:
        spare, _ = _spare(c, held)
        own = _own(c)
        for wi, w in enumerate(c.workers):
            mine = own.get(w.id, [])
            if sum(mine) <= c.capacity(wi):
                out[wi] = max(out.get(wi, 0), sum(mine[spare:]))
    return out


def _cut_above(c: Component, held: Mapping[str, int]) -> int:
    """The load above the headroom marks now, less the most the children who may leave take off it (each no
    more than its weight, nor than the load above its worker's mark; _spare), with `moves` held."""
    if "moves" not in held:
        return 0
    (spare, anyone), own = _spare(c, held), _own(c)
    above, over, within = 0, list[int](), list[int]()
    for wi, w in enumerate(c.workers):
        mine, cap = own.get(w.id, []), c.capacity(wi)
        if cap <= 0:
            continue
        more = max(0, sum(mine) - headroom_mark(cap))
        above += more
        (over if sum(mine) > cap else within).extend(min(x, more) for x in mine)
    cuts = sorted(sorted(over, reverse=True) + sorted(within, reverse=True)[:spare], reverse=True)
    return max(0, above - sum(cuts[:anyone]))
