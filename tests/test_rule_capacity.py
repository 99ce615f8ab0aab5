"""Capacity: 15 weighted children per FTE, part-time pro rata, personal caps, weights.

A new allocation never takes a worker over capacity.
"""
from __future__ import annotations

from allocator_helpers import assigned, child, instance, policy, rows, run, stages, statuses, worker


def test_capacity_is_15_per_fte_and_part_time_pro_rata():
    pol = policy()
    assert pol.capacity("social_worker", 1.0) == 15
    assert pol.capacity("senior_social_worker", 0.5) == 7.5
    assert pol.capacity("social_worker", 0.8) == 12
    assert pol.capacity("social_worker", 1.0, max_children=10) == 10
    assert pol.capacity("social_worker", 0.5, max_children=10) == 7.5  # the personal cap only lowers
    assert policy(children_per_fte=18).capacity("social_worker", 1.0) == 18


def test_full_time_worker_takes_15_and_no_more():
    kids = [child(f"c{i:02d}") for i in range(15)] + [child("late", priority="low")]
    plan = run(instance([worker("A")], kids))
    got = assigned(plan)
    assert all(got[f"c{i:02d}"] == "A" for i in range(15))
    assert got["late"] is None
    r = rows(plan)["late"]
    assert r.status == "unallocated" and "at capacity" in r.reason and "A 15/15" in r.reason


def test_part_time_half_is_seven_and_a_half():
    kids = [child(f"c{i}") for i in range(7)] + [child("half", weight=0.5), child("late", priority="low")]
    inst = instance([worker("P", fte=0.5)], kids)
    assert inst.workers[0].capacity == 7.5
    plan = run(inst)
    got = assigned(plan)
    assert got["half"] == "P" and all(got[f"c{i}"] == "P" for i in range(7))  # 7.5 exactly fits
    assert got["late"] is None
    assert plan.loads["P"] == 7.5
    assert plan.summary.max_utilisation == 1.0


def test_part_time_eight_children_one_waits():
    kids = [child(f"c{i}") for i in range(7)] + [child("low", priority="low")]
    plan = run(instance([worker("P", fte=0.5)], kids))
    assert assigned(plan)["low"] is None
    assert sum(1 for w in assigned(plan).values() if w == "P") == 7


def test_max_children_lowers_the_cap():
    kids = [child("a", priority="high"), child("b", priority="high"), child("c", priority="high"), child("d", priority="low")]
    inst = instance([worker("A", max_children=3)], kids)
    assert inst.workers[0].capacity == 3
    plan = run(inst)
    assert assigned(plan) == {"a": "A", "b": "A", "c": "A", "d": None}


def test_max_children_zero_takes_nobody():
    plan = run(instance([worker("A", max_children=0)], [child("a")]))
    assert assigned(plan) == {"a": None}
    assert "A 0/0" in rows(plan)["a"].reason


def test_category_weights_from_policy():
    kids = [child("cp1", category="cp", priority="high"), child("cp2", category="cp", priority="high"),
            child("cin", category="cin", priority="low")]
    # with 1.0 each all three fit in 3; with cp = 1.5 the two cp children fill the worker
    plain = run(instance([worker("A", max_children=3)], kids))
    assert assigned(plain) == {"cp1": "A", "cp2": "A", "cin": "A"}
    inst = instance([worker("A", max_children=3)], kids, weights={"cp": 1.5})
    assert {c.id: c.weight for c in inst.children} == {"cp1": 1.5, "cp2": 1.5, "cin": 1.0}
    plan = run(inst)
    assert assigned(plan) == {"cp1": "A", "cp2": "A", "cin": None}
    assert plan.loads["A"] == 3.0


def test_per_child_weight_overrides_the_category_weight():
    kids = [child("heavy", priority="high", weight=2.5), child("m1"), child("m2", priority="low")]
    inst = instance([worker("A", max_children=3)], kids, weights={"cin": 0.5})
    assert {c.id: c.weight for c in inst.children} == {"heavy": 2.5, "m1": 0.5, "m2": 0.5}
    plan = run(inst)
    assert assigned(plan) == {"heavy": "A", "m1": "A", "m2": None}  # 2.5 + 0.5 = 3


def test_heavier_high_child_beats_two_lighter_medium_children():
    kids = [child("h", priority="high", weight=2), child("m1"), child("m2")]
    plan = run(instance([worker("A", max_children=2)], kids))
    assert assigned(plan) == {"h": "A", "m1": None, "m2": None}


def test_new_allocation_never_takes_a_worker_over_capacity():
    held = [child(f"h{i:02d}", current_worker="A") for i in range(14)]
    fam = [child("s1", family="F"), child("s2", family="F")]
    plan = run(instance([worker("A")], held + fam))
    st = statuses(plan)
    assert all(st[f"h{i:02d}"] == "kept" for i in range(14))
    assert st["s1"] == st["s2"] == "unallocated"  # 14 + 2 > 15: siblings wait together
    assert "family of 2 needs 2" in rows(plan)["s1"].reason and "A 14/15" in rows(plan)["s1"].reason
    assert plan.loads["A"] == 14


def test_worker_already_over_capacity_takes_no_new_child():
    held = [child(f"h{i:02d}", current_worker="A") for i in range(16)]
    plan = run(instance([worker("A")], held + [child("new", priority="high")]))
    st = statuses(plan)
    assert st["new"] == "unallocated"
    assert sum(1 for s in st.values() if s == "over_capacity") == 1
    assert sum(1 for s in st.values() if s == "kept") == 15
    assert plan.summary.over_capacity_load == {"A": 1.0}
    assert stages(plan)["over_capacity"] == 100
    assert stages(plan)["dropped"] == 0


def test_capacity_read_from_files(tmp_path):
    from allocator_helpers import CASE_HEADER, WORKER_HEADER, write_csv

    from allocator.inputs import load_instance
    w = write_csv(tmp_path / "workers.csv", WORKER_HEADER, [
        {"worker_id": "FT", "team": "T1", "role": "social_worker", "fte": "1"},
        {"worker_id": "PT", "team": "T1", "role": "Senior Practitioner", "fte": "0.5"},
        {"worker_id": "CAP", "team": "T1", "role": "social_worker", "fte": "1", "max_children": "9"},
        {"worker_id": "MGR", "team": "T1", "role": "Team Manager", "fte": "0.5"},
        {"worker_id": "NQ", "team": "T1", "role": "nqsw", "fte": "1", "supervisor_id": "PT"},
    ])
    c = write_csv(tmp_path / "cases.csv", CASE_HEADER, [
        {"child_id": "c1", "team": "T1", "category": "cp"},
        {"child_id": "c2", "team": "T1", "category": "cin", "weight": "2"},
    ])
    inst = load_instance(w, c, policy(weights={"cp": 1.25})).instance
    assert {x.id: x.capacity for x in inst.workers} == {"FT": 15, "PT": 7.5, "CAP": 9, "MGR": 3, "NQ": 13.5}
    assert {x.id: x.weight for x in inst.children} == {"c1": 1.25, "c2": 2.0}


def test_regression_overload_rule_does_not_depend_on_an_unrelated_pool_worker():
    # Found 2026-11-24 (fixed the same morning: current load now counts every child held).
    # W (T1, cap 1) holds f1 (family F; its sibling f2 awaits) and x, a T2 child W may not hold.
    # Whether W counted as "already over capacity" depended on whether T1 and T2 are solved together:
    # model.Component.current_load counted only the children of the component's teams. So adding a
    # T2 pool worker P (extra_teams T1, capacity 0: P can take nobody) changed the plan for F:
    #   without P: f1 was dropped (left with no worker) and f2 waits;
    #   with P:    W kept f1 AND took the new sibling f2, ending at 2/1 (over capacity).
    # The same council must get the same answer for F either way.
    kids = [child("f1", family="F", current_worker="W"), child("f2", family="F", priority="high"),
            child("x", team="T2", current_worker="W")]
    base = [worker("W", max_children=1), worker("B", team="T2")]
    pool = worker("P", team="T2", extra_teams="T1", max_children=0)
    apart = run(instance(base, kids))
    together = run(instance(base + [pool], kids))
    assert (assigned(apart)["f1"], assigned(apart)["f2"]) == (assigned(together)["f1"], assigned(together)["f2"]), \
        f"without P: {assigned(apart)}; with P: {assigned(together)}"


def test_new_sibling_never_joins_a_worker_left_over_capacity():
    # A (cap 2) holds a1, a2 and f1; f1's sibling f2 awaits; B has room for one child only.
    # "A new allocation never takes a worker over capacity": f2 may join A only if A ends within
    # capacity; otherwise f2 waits to join its sibling, and says so.
    ws = [worker("A", max_children=2), worker("B", max_children=1)]
    kids = [child("a1", current_worker="A"), child("a2", current_worker="A"),
            child("f1", family="F", current_worker="A"), child("f2", family="F")]
    plan = run(instance(ws, kids))
    r = rows(plan)["f2"]
    assert not (r.worker_id == "A" and plan.loads["A"] > 2), (r, plan.loads)
    if r.worker_id is None:
        assert r.status == "unallocated" and "waits to join siblings with" in r.reason, r

def test_over_capacity_marks_no_more_children_than_the_excess_where_it_can():
    # A (cap 3) holds siblings f1, f2 and two single children; nobody else has room: the excess is 1,
    # so one child is marked over capacity, not the pair
    ws = [worker("A", max_children=3, skills="court"), worker("B", max_children=0)]
    kids = [child("f1", family="F", current_worker="A", skill="court"),
            child("f2", family="F", current_worker="A", skill="court"),
            child("s1", current_worker="A"), child("s2", current_worker="A")]
    plan = run(instance(ws, kids))
    assert plan.summary.over_capacity_load == {"A": 1.0}
    assert plan.summary.over_capacity == 1
    marked = [r for r in plan.rows if r.status == "over_capacity"]
    assert len(marked) == 1 and "A holds 4 against capacity 3" in marked[0].reason


def test_the_loads_nearest_capacity_are_the_subset_sums_either_side_of_it():
    """model.sums_around: the capacity rule the solver sees, made tight (a capacity of 13.5 holds 13 children
    of weight 1), and the least load above capacity, which the excess floor uses; checked against every
    subset of small random multisets."""
    import itertools
    import random
    from collections import Counter

    from allocator.model import sums_around
    rng = random.Random(7)
    for _ in range(300):
        items = [rng.choice([50, 100, 120, 150, 200, 230]) for _ in range(rng.randint(0, 9))]
        cap = rng.randint(0, 1200)
        sums = {sum(s) for r in range(len(items) + 1) for s in itertools.combinations(items, r)}
        above = [s for s in sums if s > cap]
        assert sums_around(Counter(items), cap) == (max(s for s in sums if s <= cap), min(above) if above else None)
    assert sums_around(Counter({100: 20}), 1350) == (1300, 1400)


def test_the_excess_floor_holds_for_every_load_and_cuts_off_the_fractional_one():
    """model.excess_floor: every load a worker can hold (a subset sum) meets the cut with its true excess
    (load above capacity, or 0), so no plan is lost; and a load of 13.5 children of weight 1 with no excess,
    which the linear relaxation allowed, breaks it."""
    import itertools
    import random
    from collections import Counter

    from ortools.sat.python import cp_model

    from allocator.model import excess_floor, sums_around

    class Stub:  # the two things excess_floor reads of a component
        def __init__(self, around, cap):
            self.around, self.cap = [around], cap

        def capacity(self, wi):
            return self.cap

    rng = random.Random(11)
    cut = 0
    for _ in range(200):
        items = [rng.choice([100, 120, 150, 240, 300]) for _ in range(rng.randint(1, 8))]
        cap = rng.randint(100, 1000)
        stub = Stub(sums_around(Counter(items), cap), cap)
        m = cp_model.CpModel()
        for load in {sum(s) for r in range(len(items) + 1) for s in itertools.combinations(items, r)}:
            excess_floor(stub, m, 0, load, max(0, load - cap))  # constants: a broken cut is an empty clause
        cut += len(m.proto.constraints)
        assert cp_model.CpSolver().solve(m) == cp_model.OPTIMAL, (items, cap)
    assert cut > 500  # the cut was made, not skipped
    m = cp_model.CpModel()
    load, ex = m.new_int_var(0, 1500, "load"), m.new_int_var(0, 150, "ex")
    excess_floor(Stub((1300, 1400), 1350), m, 0, load, ex)
    m.add(load == 1350)
    m.add(ex == 0)
    assert cp_model.CpSolver().solve(m) == cp_model.INFEASIBLE
