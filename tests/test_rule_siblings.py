"""Siblings go to the same worker, or all wait together; split siblings are brought together."""
from __future__ import annotations

from allocator_helpers import assigned, child, instance, rows, run, statuses, worker


def test_siblings_go_together_to_the_worker_with_room():
    kids = [child("a", family="F"), child("b", family="F")]
    plan = run(instance([worker("A", max_children=1), worker("B", max_children=3)], kids))
    assert assigned(plan) == {"a": "B", "b": "B"}
    assert rows(plan)["a"].family_id == "F"


def test_family_of_three_that_fits_nowhere_waits_entirely_with_a_reason():
    kids = [child("s1", family="BIG"), child("s2", family="BIG"), child("s3", family="BIG"),
            child("solo", priority="low")]
    plan = run(instance([worker("A", max_children=2), worker("B", max_children=2)], kids))
    got = assigned(plan)
    assert got["s1"] is got["s2"] is got["s3"] is None
    assert got["solo"] in ("A", "B")  # the room left is not wasted
    for cid in ("s1", "s2", "s3"):
        r = rows(plan)[cid]
        assert r.status == "unallocated"
        assert "family of 3 needs 3" in r.reason and "at capacity" in r.reason


def test_family_waits_rather_than_being_split_across_workers():
    # each worker could take one more child, but the pair never splits
    kids = [child("a1", current_worker="A"), child("b1", current_worker="B"),
            child("s1", family="F", priority="high"), child("s2", family="F", priority="high")]
    plan = run(instance([worker("A", max_children=2), worker("B", max_children=2)], kids))
    got = assigned(plan)
    # the pair goes to one worker only if the other worker's child moves over: 1 move buys 2 high children
    assert got["s1"] == got["s2"] is not None
    assert sorted([got["a1"], got["b1"]]) in (["A", "A"], ["B", "B"])
    assert plan.summary.moved == 1


def test_split_siblings_brought_together():
    others = [child(f"o{i}", current_worker="A") for i in range(3)]
    kids = others + [child("x", family="F", current_worker="A"), child("y", family="F", current_worker="B")]
    plan = run(instance([worker("A"), worker("B")], kids))
    got = assigned(plan)
    # one move either way; B then holds 2/15 against A 4/15 rather than A 5/15: the fairer plan
    assert got["x"] == got["y"] == "B"
    r = rows(plan)["x"]
    assert r.status == "moved" and r.previous_worker == "A"
    assert "siblings brought together with B" in r.reason and "split between A, B" in r.reason
    assert rows(plan)["y"].status == "kept"
    assert plan.summary.moved == 1


def test_split_siblings_join_the_worker_who_holds_more_of_them():
    kids = [child("x", family="F", current_worker="A"), child("y", family="F", current_worker="A"),
            child("z", family="F", current_worker="B")]
    plan = run(instance([worker("A"), worker("B")], kids))
    assert assigned(plan) == {"x": "A", "y": "A", "z": "A"}
    assert statuses(plan) == {"x": "kept", "y": "kept", "z": "moved"}


def test_split_siblings_with_new_sibling_all_together():
    kids = [child("x", family="F", current_worker="A"), child("y", family="F", current_worker="B"),
            child("baby", family="F", priority="high")]
    plan = run(instance([worker("A", max_children=3), worker("B", max_children=1)], kids))
    assert assigned(plan) == {"x": "A", "y": "A", "baby": "A"}
    assert statuses(plan) == {"x": "kept", "y": "moved", "baby": "allocated"}


def test_regression_new_sibling_joining_a_full_worker():
    # W (cap 2) holds a1 and f1; f1's sibling f2 awaits allocation; B has room.
    # Right answer: one move (a1 to B, or the pair to B), everyone allocated, W within capacity.
    # Found 2026-11-24 (greedy fixed the same morning): allocate raised RuntimeError "the plan failed independent validation: W over capacity (3/2) after taking
    # new children". greedy() keeps family F with its current worker W *including the new sibling*
    # without checking room; solve_component then fixed every stage whose greedy value is 0
    # (`current == 0` shortcut: dropped, over_capacity, waiting_*, moves <= 0) without solving,
    # which made the model infeasible at the peak stage; on INFEASIBLE it fell back to the
    # greedy plan, which broke capacity. The `current == 0` shortcut still trusts greedy() to be
    # feasible for the model: keep this test.
    ws = [worker("W", max_children=2), worker("B")]
    kids = [child("a1", current_worker="W"), child("f1", family="F", current_worker="W"), child("f2", family="F")]
    plan = run(instance(ws, kids))
    assert plan.loads["W"] <= 2
    assert assigned(plan)["f1"] == assigned(plan)["f2"] is not None
    assert plan.summary.moved == 1 and plan.summary.status == "optimal"


def test_child_moved_to_join_a_new_sibling_is_told_the_true_reason():
    # A (cap 2) holds a1 and f1; f1's new sibling f2 (high) awaits; A has no room for the pair, so the
    # family moves to B (a1 may not go to B). The plan is right, but f1's reason reads "moved to
    # balance caseloads", which is never true in this allocator (fewer moves outranks balance) and
    # hides the real cause from the manager: A had no room for f1 together with its sibling f2.
    ws = [worker("A", max_children=2), worker("B")]
    kids = [child("a1", current_worker="A", avoid_workers="B"), child("f1", family="F", current_worker="A"),
            child("f2", family="F", priority="high")]
    plan = run(instance(ws, kids))
    assert assigned(plan) == {"a1": "A", "f1": "B", "f2": "B"}
    r = rows(plan)["f1"]
    assert "balance" not in r.reason, r.reason
    assert "f2" in r.reason or "sibling" in r.reason, r.reason
