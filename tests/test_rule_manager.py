"""Case-holding managers (consultant social workers, service leaders): manager_max_cases x fte."""
from __future__ import annotations

from allocator_helpers import assigned, child, instance, policy, run, stages, statuses, worker


def test_manager_capacity():
    pol = policy()
    assert pol.capacity("consultant_social_worker", 1.0) == 6
    assert pol.capacity("service_leader", 1.0) == 6
    assert pol.capacity("service_leader", 0.5) == 3
    assert pol.capacity("senior_social_worker", 1.0) == 15  # a practitioner, not a manager
    assert policy(manager_max_cases=4).capacity("consultant_social_worker", 0.5) == 2
    assert pol.capacity("service_leader", 1.0, max_children=2) == 2


def test_manager_takes_at_most_six_new_children():
    kids = [child(f"c{i}", priority="high" if i < 6 else "low") for i in range(8)]
    plan = run(instance([worker("M", role="consultant_social_worker")], kids))
    got = assigned(plan)
    assert [got[f"c{i}"] for i in range(8)] == ["M"] * 6 + [None, None]


def test_manager_holding_25_brought_down_to_6_where_room_exists():
    held = [child(f"m{i:02d}", current_worker="M") for i in range(25)]
    ws = [worker("M", role="service_leader"), worker("A"), worker("B")]
    plan = run(instance(ws, held))
    counts = {w.worker_id: w.children for w in plan.workers}
    assert counts["M"] == 6
    assert counts["A"] + counts["B"] == 19 and max(counts["A"], counts["B"]) <= 15
    st = statuses(plan)
    assert list(st.values()).count("moved") == 19 and list(st.values()).count("kept") == 6
    moved = [r for r in plan.rows if r.status == "moved"]
    assert all(r.reason.startswith("M was over capacity (25/6)") for r in moved)
    assert stages(plan)["over_capacity"] == 0 and stages(plan)["moves"] == 19
    assert plan.summary.over_capacity_load == {}


def test_manager_remainder_reported_as_over_capacity_when_no_room():
    held = [child(f"m{i:02d}", current_worker="M") for i in range(25)]
    ws = [worker("M", role="consultant_social_worker"), worker("A", max_children=5)]
    plan = run(instance(ws, held))
    counts = {w.worker_id: w.children for w in plan.workers}
    assert counts == {"M": 20, "A": 5}
    st = list(statuses(plan).values())
    assert st.count("moved") == 5 and st.count("over_capacity") == 14 and st.count("kept") == 6
    assert plan.summary.over_capacity == 14
    assert plan.summary.over_capacity_load == {"M": 14.0}
    assert stages(plan)["over_capacity"] == 1400
    for r in plan.rows:
        if r.status == "over_capacity":
            assert r.worker_id == "M"
            assert "M holds 20 against capacity 6" in r.reason and "no one else could take" in r.reason
            assert "A 5/5" in r.reason
    by_id = {w.worker_id: w for w in plan.workers}
    assert by_id["M"].over_capacity_load == 14.0


def test_over_capacity_manager_keeps_children_rather_than_dropping_them():
    held = [child(f"m{i}", current_worker="M") for i in range(8)]
    plan = run(instance([worker("M", role="consultant_social_worker")], held + [child("new", priority="high")]))
    got = assigned(plan)
    assert all(got[f"m{i}"] == "M" for i in range(8)) and got["new"] is None
    assert stages(plan)["dropped"] == 0 and plan.summary.over_capacity_load == {"M": 2.0}


def test_part_time_manager_scaled_by_fte():
    held = [child(f"m{i}", current_worker="M") for i in range(5)]
    plan = run(instance([worker("M", role="service_leader", fte=0.5), worker("A")], held))
    assert {w.worker_id: w.children for w in plan.workers} == {"A": 2, "M": 3}
    assert all("M was over capacity (5/3)" in r.reason for r in plan.rows if r.status == "moved")
