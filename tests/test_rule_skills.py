"""Required skills: the worker must hold every tag the child needs; reasons name the skill."""
from __future__ import annotations

from allocator_helpers import assigned, child, instance, rows, run, statuses, worker


def test_child_goes_to_the_worker_with_the_skill():
    # A is emptier, but only B holds court
    plan = run(instance([worker("A"), worker("B", skills="court", max_children=5)],
                        [child("c", skill="court"), child("b1", current_worker="B")]))
    assert assigned(plan)["c"] == "B"


def test_every_required_skill_must_be_held():
    ws = [worker("A", skills="court"), worker("B", skills="court;disability", max_children=2),
          worker("C", skills="disability")]
    plan = run(instance(ws, [child("c", skill="court;disability"), child("b1", current_worker="B")]))
    assert assigned(plan)["c"] == "B"


def test_reason_names_the_skill_and_the_workers_at_capacity():
    ws = [worker("A"), worker("B", skills="court", max_children=1)]
    kids = [child("held", current_worker="B", skill="court"), child("c", skill="court", priority="high")]
    plan = run(instance(ws, kids))
    r = rows(plan)["c"]
    assert r.worker_id is None and r.status == "unallocated"
    assert "needs court skill" in r.reason
    assert "B 1/1" in r.reason and "at capacity" in r.reason
    assert "A " not in r.reason.split("(", 1)[-1]  # A cannot hold it, so is not listed as full


def test_reason_when_nobody_holds_the_skill():
    plan = run(instance([worker("A"), worker("B")], [child("c", skill="uasc")]))
    r = rows(plan)["c"]
    assert r.status == "unallocated"
    assert r.reason == "needs uasc skill; no worker who serves T1 may hold this family: all of 2 lack the skill"


def test_current_worker_without_the_skill_hands_over():
    ws = [worker("A"), worker("B", skills="disability")]
    plan = run(instance(ws, [child("c", skill="disability", current_worker="A")]))
    r = rows(plan)["c"]
    assert (r.worker_id, r.status) == ("B", "moved")
    assert "A lacks the disability skill" in r.reason


def test_skills_do_not_stop_others_being_allocated():
    ws = [worker("A", max_children=2), worker("B", skills="adolescent", max_children=1)]
    kids = [child("t", skill="adolescent", priority="high"), child("m1"), child("m2")]
    plan = run(instance(ws, kids))
    assert assigned(plan) == {"t": "B", "m1": "A", "m2": "A"}
    assert set(statuses(plan).values()) == {"allocated"}
