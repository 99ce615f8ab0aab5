"""What a manager does by hand: keep everyone, relieve the overloaded, then give each waiting
child (high priority first) to the eligible worker with the lowest caseload who has room.

It is the solver's first plan (always feasible) and the benchmark's baseline.
"""
from __future__ import annotations

from .model import Component

PRIORITY = {"high": 0, "medium": 1, "low": 2}


def greedy(c: Component, max_moves: int | None = None) -> dict[int, int | None]:
    n = len(c.workers)
    sol: dict[int, int | None] = {}
    load = [0] * n
    for fi, f in enumerate(c.families):  # keep: never above capacity, or above what an overloaded worker holds now
        cur = f.current_workers
        wi = next((wi for wi in c.domains[fi] if len(cur) == 1 and c.workers[wi].id == cur[0]), None)
        if wi is not None and load[wi] + f.weight > max(c.capacity(wi), c.current_load[wi]):
            wi = None
        sol[fi] = wi
        if wi is not None:
            load[wi] += f.weight
    took_new = [False] * n
    moves = 0

    def room(wi: int, fi: int) -> bool:
        return load[wi] + c.families[fi].weight <= c.capacity(wi)

    def best(fi: int, exclude: int | None = None) -> int | None:
        options = [wi for wi in c.domains[fi] if wi != exclude and room(wi, fi)]
        return min(options, key=lambda wi: (load[wi] / max(1, c.capacity(wi)), c.workers[wi].id), default=None)

    def place(fi: int, wi: int) -> None:
        nonlocal moves
        f = c.families[fi]
        if sol[fi] is not None:
            load[sol[fi]] -= f.weight
        sol[fi] = wi
        load[wi] += f.weight
        moves += f.with_worker - f.held_by(c.workers[wi].id)
        if f.held_by(c.workers[wi].id) == 0:
            took_new[wi] = True

    for fi, wi in sorted(c.pins.items()):  # managers' decisions first, where there is room
        if sol[fi] != wi and room(wi, fi) and not (c.overloaded(wi) and load[wi] > c.capacity(wi)):
            if max_moves is None or moves + c.families[fi].with_worker - c.families[fi].held_by(c.workers[wi].id) <= max_moves:
                place(fi, wi)
    for wi in range(n):  # relieve overloaded workers, smallest families first
        if not c.overloaded(wi):
            continue
        held = sorted((fi for fi, w in sol.items() if w == wi), key=lambda fi: (c.families[fi].weight, c.families[fi].id))
        for fi in held:
            if load[wi] <= c.capacity(wi):
                break
            f = c.families[fi]
            if max_moves is not None and moves + f.with_worker > max_moves:
                continue
            to = best(fi, exclude=wi)
            if to is not None and not (c.overloaded(to) and load[to] > c.capacity(to)):
                place(fi, to)
    waiting = [fi for fi in sol if sol[fi] is None]
    waiting.sort(key=lambda fi: (min(PRIORITY[ch.priority] for ch in c.families[fi].children if not ch.current_worker)
                                 if c.families[fi].with_worker < c.families[fi].size else -1, c.families[fi].id))
    for fi in waiting:
        f = c.families[fi]
        prefer = [wi for wi in c.domains[fi] if c.workers[wi].id in f.current_workers and room(wi, fi)]
        to = min(prefer, key=lambda wi: -f.held_by(c.workers[wi].id)) if prefer else best(fi)
        if to is None:
            continue
        if max_moves is not None and moves + f.with_worker - f.held_by(c.workers[to].id) > max_moves:
            continue
        place(fi, to)
    return sol
