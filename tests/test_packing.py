"""Packing the waiting by patterns (allocator/packing.py): every child placed where the room holds them all.

Falkenauer's triplet instances (every worker filled exactly) are where the start leaves a child waiting and the
patterns place it; on small random packings the patterns place everyone exactly when brute force says it can
be done; on random councils the packed plan breaks no rule and is no worse than the start at any stage before
fairness.
"""
from __future__ import annotations

import itertools
import random

import pytest
from allocator_helpers import child, instance, run, stages, worker
from test_aggregate import _components

from allocator import greedy
from allocator.model import FAIRNESS, loads, values
from allocator.packing import pack_all
from allocator.solve import Clock
from benchmarks.binpacking import load, triplets


def packing(sizes: list[int], capacity: int, bins: int):
    """Sizes and capacity in hundredths: one worker per bin, one new child per item."""
    workers = [worker(f"W{b:03d}", max_children=capacity / 100) for b in range(bins)]
    kids = [child(f"C{i:04d}", weight=size / 100, priority="medium") for i, size in enumerate(sizes)]
    return instance(workers, kids)


def packed(c):
    sol, joins = greedy.start(c)
    new, _ = pack_all(c, sol, joins, 0, 100.0, Clock(float("inf")))
    return sol, joins, new


@pytest.mark.parametrize("name", ["t60_00", "t120_00"])
def test_every_child_of_a_triplet_instance_is_placed(name):
    bp = load(name)
    inst = packing(list(bp.items), bp.capacity, bp.optimum)
    (c,) = _components(inst)
    sol, _, _ = packed(c)
    assert any(wi is None for wi in sol.values())  # the start leaves a child waiting: the patterns place it
    plan = run(inst, time_limit=30)
    assert all(r.worker_id for r in plan.rows)
    assert stages(plan)["waiting_medium"] == 0


def test_a_larger_triplet_instance_made_the_same_way_is_packed_whole():
    """249 children in 83 workers (as Falkenauer's t249): the start leaves one waiting; the patterns, started
    from the start's own packing, place every child."""
    bp = triplets(83, seed=1)
    assert sum(bp.items) == 1000 * 83 and all(250 <= x <= 490 for x in bp.items)
    (c,) = _components(packing(list(bp.items), bp.capacity, bp.optimum))
    sol, joins, new = packed(c)
    assert any(wi is None for wi in sol.values()) and new is not None
    assert all(wi is not None for wi in new.values())
    assert all(held <= c.capacity(wi) for wi, held in enumerate(loads(c, new, joins)))


def _fits(sizes: list[int], capacity: int, bins: int) -> bool:
    return any(all(sum(s for s, b in zip(sizes, way, strict=True) if b == k) <= capacity for k in range(bins))
               for way in itertools.product(range(bins), repeat=len(sizes)))


def split_exactly(rng: random.Random, capacity: int, bins: int) -> list[int]:
    """Each bin's capacity cut in three, shuffled: a packing exists, with every bin full (the triplet kind)."""
    sizes = []
    for _ in range(bins):
        a = rng.randint(capacity // 4, capacity // 2)
        b = rng.randint(capacity // 5, (capacity - a) * 3 // 5)
        sizes += [a, b, capacity - a - b]
    rng.shuffle(sizes)
    return sizes


@pytest.mark.parametrize("seed", range(60))
def test_everyone_is_placed_exactly_when_brute_force_can(seed):
    rng = random.Random(seed)
    bins, capacity = rng.randint(2, 3), rng.choice([500, 700, 1000])
    if seed % 2:
        sizes = [rng.randint(capacity // 5, capacity * 3 // 5) for _ in range(rng.randint(4, 3 * bins))]
    else:
        sizes = split_exactly(rng, capacity, bins)
    (c,) = _components(packing(sizes, capacity, bins))
    nobody = dict.fromkeys(range(len(c.families)))  # the patterns alone, from a plan leaving everyone waiting
    new, _ = pack_all(c, nobody, set(), 0, 100.0, Clock(float("inf")))
    assert (new is not None) == _fits(sizes, capacity, bins)
    if new is not None:
        assert all(wi is not None for wi in new.values())
        assert all(held <= c.capacity(wi) for wi, held in enumerate(loads(c, new)))


def tight_council(rng: random.Random):
    """Workers of a few sizes, some holding children now (one pinned), new children of uneven weights, some
    needing a skill few have: room for nearly everyone, in fragments."""
    ws = [worker(f"W{k}", max_children=float(rng.choice([3, 4, 5])), skills=("court",) if k % 3 == 0 else ())
          for k in range(rng.randint(2, 4))]
    kids = [child(f"h{i}", current_worker=rng.choice(ws).id, weight=1.0, family=f"H{i // 2}")
            for i in range(rng.randint(0, 3))]
    room = sum(w.max_children or 0 for w in ws) - len(kids)
    sizes: list[float] = []
    while sum(sizes) + (size := rng.choice([0.5, 0.75, 1.25, 1.5, 2.0])) <= room:
        sizes.append(size)
    for i, size in enumerate(sizes):
        kw = {"required_skills": ("court",)} if rng.random() < 0.15 else {}
        if rng.random() < 0.1:
            kw["fixed_worker"] = rng.choice(ws).id
        kids.append(child(f"n{i:02d}", weight=size, priority=rng.choice(["high", "medium", "low"]), **kw))
    return instance(ws, kids)


def test_a_packed_plan_breaks_no_rule_and_is_no_worse_before_fairness():
    tried = 0
    for seed in range(150):
        rng = random.Random(seed)
        inst = tight_council(rng)
        for c in _components(inst):
            sol, joins, new = packed(c)
            if new is None:
                continue
            tried += 1
            assert all(new[fi] is None or new[fi] in c.domains[fi] for fi in new)
            held, was = loads(c, new, joins), loads(c, sol, joins)
            assert all(held[wi] <= max(c.capacity(wi), was[wi]) for wi in range(len(c.workers)))
            for fi, f in enumerate(c.families):
                if f.with_worker or fi in c.pins or fi in joins:
                    assert new[fi] == sol[fi]
            before, after = values(c, sol, joins), values(c, new, joins)
            assert all(after[name] <= before[name] for name in c.names if name not in FAIRNESS)
            assert sum(wi is None for wi in new.values()) < sum(wi is None for wi in sol.values())
    assert tried >= 15  # the councils do reach the packing


def test_evening_out_by_hand_keeps_every_earlier_stage_and_lowers_the_load_above_the_mark():
    """even_out on tight random councils: the families it moves are new ones, to workers who may take them,
    within capacity and the peak; every stage before above_headroom keeps its value; above_headroom never
    rises, and falls on some."""
    lowered = 0
    for seed in range(150):
        inst = tight_council(random.Random(seed))
        for c in _components(inst):
            sol, joins = greedy.start(c)
            new = greedy.even_out(c, sol, joins, c.unsupervised)
            assert all(new[fi] == sol[fi] or (new[fi] in c.domains[fi] and not c.families[fi].with_worker)
                       for fi in new)
            assert all(held <= max(c.capacity(wi), c.current_load[wi])
                       for wi, held in enumerate(loads(c, new, joins)))
            before, after = values(c, sol, joins), values(c, new, joins)
            assert all(after[n] == before[n] for n in c.names if n not in FAIRNESS)
            assert after["peak_utilisation"] <= before["peak_utilisation"]
            assert after["above_headroom"] <= before["above_headroom"]
            lowered += after["above_headroom"] < before["above_headroom"]
    assert lowered >= 10


def test_a_new_family_moves_below_the_mark_and_a_current_one_stays():
    """A holds 10 of 10 (two new, eight held now), B holds 6 of 10: the marks are 9, so one new child goes to
    B; the children A holds now stay (moving them would be a move)."""
    workers = [worker("A", max_children=10), worker("B", max_children=10)]
    kids = [child(f"a{i}", current_worker="A") for i in range(8)] + [child(f"b{i}", current_worker="B")
                                                                       for i in range(6)]
    kids += [child("n1"), child("n2")]
    (c,) = _components(instance(workers, kids))
    a, b = (next(wi for wi, w in enumerate(c.workers) if w.id == x) for x in "AB")
    fam = {f.id: fi for fi, f in enumerate(c.families)}
    sol = {fi: b if f.core.current_workers == ("B",) else a for fi, f in enumerate(c.families)}
    new = greedy.even_out(c, sol, set(), c.unsupervised)
    assert loads(c, new)[a] == 900 and loads(c, new)[b] == 700
    assert all(new[fi] == a for fi, f in enumerate(c.families) if f.core.current_workers == ("A",))
    assert {new[fam["~n1"]], new[fam["~n2"]]} == {a, b}


def test_no_packing_where_the_policy_ranks_fairness_above_a_waiting_stage():
    """With fairness before waiting_medium, placing every child could raise the peak, a worse plan by that
    order: the packing is not tried (the solver still weighs it all)."""
    bp = load("t60_00")
    order = ("dropped", "fixed_worker_not_met", "waiting_high", "over_capacity", "fairness", "waiting_medium",
             "waiting_low", "moves")
    workers = [worker(f"W{b:03d}", max_children=bp.capacity / 100) for b in range(bp.optimum)]
    kids = [child(f"C{i:04d}", weight=size / 100, priority="medium") for i, size in enumerate(bp.items)]
    (c,) = _components(instance(workers, kids, objective_order=order))
    sol, joins = greedy.start(c)
    assert any(wi is None for wi in sol.values())
    assert pack_all(c, sol, joins, 0, 100.0, Clock(float("inf"))) == (None, 0.0)
    (c,) = _components(packing(list(bp.items), bp.capacity, bp.optimum))
    assert pack_all(c, *greedy.start(c), 0, 100.0, Clock(float("inf")))[0] is not None

