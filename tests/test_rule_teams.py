"""Team reach: a child goes to a worker of its team, a pool worker listing it in extra_teams,
or anyone when the policy sets cross_team."""
from __future__ import annotations

from allocator_helpers import assigned, child, instance, rows, run, worker


def test_child_stays_within_its_team():
    ws = [worker("A", team="T1"), worker("B", team="T2", max_children=1)]
    kids = [child("b1", team="T2", current_worker="B"), child("c", team="T2", priority="high")]
    plan = run(instance(ws, kids))
    assert assigned(plan)["c"] is None  # A has room but works in T1
    assert "B 1/1" in rows(plan)["c"].reason and "A" not in rows(plan)["c"].reason


def test_team_with_no_worker():
    plan = run(instance([worker("A", team="T1")], [child("c", team="T9")]))
    r = rows(plan)["c"]
    assert r.status == "unallocated" and "no worker serves T9" in r.reason


def test_extra_teams_pool_worker_takes_children_of_that_team():
    ws = [worker("A", team="T1"), worker("B", team="T2", max_children=1),
          worker("P", team="T1", extra_teams="T2", max_children=2)]
    kids = [child("b1", team="T2", current_worker="B"), child("c", team="T2"), child("d", team="T2", priority="low"),
            child("e", team="T2", priority="low")]
    plan = run(instance(ws, kids))
    got = assigned(plan)
    assert got["c"] == "P" and got["b1"] == "B"
    assert [got["d"], got["e"]].count("P") == 1 and [got["d"], got["e"]].count(None) == 1
    assert "A" not in got.values()


def test_pool_worker_also_serves_their_own_team():
    ws = [worker("P", team="T1", extra_teams="T2")]
    plan = run(instance(ws, [child("x", team="T1"), child("y", team="T2")]))
    assert assigned(plan) == {"x": "P", "y": "P"}


def test_cross_team_lets_anyone_take_any_team():
    ws = [worker("A", team="T1"), worker("B", team="T2", max_children=0)]
    kids = [child("c", team="T2")]
    assert assigned(run(instance(ws, kids)))["c"] is None
    plan = run(instance(ws, kids, cross_team=True))
    assert assigned(plan)["c"] == "A"


def test_current_worker_in_another_team_hands_over():
    ws = [worker("A", team="T1"), worker("B", team="T2")]
    plan = run(instance(ws, [child("c", team="T2", current_worker="A")]))
    r = rows(plan)["c"]
    assert (r.worker_id, r.status) == ("B", "moved")
    assert "A works in T1, not T2" in r.reason


def test_current_worker_in_another_team_keeps_the_child_when_nobody_else_can():
    # level 1 is about having a worker; but the team rule is hard, so the child is left without one
    ws = [worker("A", team="T1"), worker("B", team="T2", max_children=0)]
    plan = run(instance(ws, [child("c", team="T2", current_worker="A")]))
    r = rows(plan)["c"]
    assert r.status == "unallocated" and r.previous_worker == "A"
    assert "A works in T1, not T2" in r.reason
