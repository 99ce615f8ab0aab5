"""A move budget (--max-moves) split between independent groups of teams, exactly.

Each group's trade-off is its curve: for each number of moves it could be given, the best it can do on
the stages that come before `moves` in the policy's order (children dropped, decisions kept, children left
waiting, load over capacity). The curve is a staircase: `Point`s where one more move stops helping. The
split is the multiple-choice knapsack over the curves: one point a group, moves adding up to at most the
budget, the stages summed over the groups as small as possible level by level, then the fewest moves.
The levels are compared as tuples, and sums of tuples keep that order, so the dynamic programme below is
exact: the split is optimal whenever each point is.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Point(Generic[T]):
    """One step of a group's curve: the fewest moves that reach `levels`, and the plan that does."""

    moves: int
    levels: tuple[int, ...]  # the stages before `moves`, in the policy's order
    plan: T


def split_budget(curves: Sequence[Sequence[Point[T]]], budget: int) -> list[Point[T]]:
    """One point from each curve: within `budget` moves in all, the smallest sum of levels (level by level),
    then the fewest moves; ties go to the earlier point of each curve. Every curve needs a point of 0 moves.

    State: moves used so far -> (summed levels, the point chosen in this curve, the state it came from);
    a state worse on levels than one using no more moves is dropped."""
    width = len(curves[0][0].levels) if curves and curves[0] else 0
    layers: list[dict[int, tuple[tuple[int, ...], int, int]]] = []
    states: dict[int, tuple[int, ...]] = {0: (0,) * width}
    for curve in curves:
        layer: dict[int, tuple[tuple[int, ...], int, int]] = {}
        for used, levels in sorted(states.items()):
            for j, point in enumerate(curve):
                total = used + point.moves
                if total > budget:
                    continue
                summed = tuple(a + b for a, b in zip(levels, point.levels, strict=True))
                if total not in layer or summed < layer[total][0]:
                    layer[total] = (summed, j, used)
        if not layer:
            raise ValueError("a curve without a point of 0 moves")
        layers.append(_undominated(layer))
        states = {used: entry[0] for used, entry in layers[-1].items()}
    used = min(states, key=lambda u: (states[u], u))
    picks: list[Point[T]] = []
    for curve, layer in zip(reversed(curves), reversed(layers), strict=True):
        _, j, before = layer[used]
        picks.append(curve[j])
        used = before
    return picks[::-1]


def _undominated(layer: dict[int, tuple[tuple[int, ...], int, int]]) -> dict[int, tuple[tuple[int, ...], int, int]]:
    """The states no state using fewer moves matches or beats on levels."""
    out: dict[int, tuple[tuple[int, ...], int, int]] = {}
    best: tuple[int, ...] | None = None
    for used in sorted(layer):
        if best is None or layer[used][0] < best:
            out[used] = layer[used]
            best = layer[used][0]
    return out
