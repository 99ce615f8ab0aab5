"""NQSWs (ASYE year): no CP or court lead, reduced capacity, and a supervisor each."""
from __future__ import annotations

from datetime import date

from allocator_helpers import assigned, child, instance, policy, rows, run, statuses, worker

from allocator.supervision import assign_supervisors

RAMP = [[0, 0.4], [6, 0.7], [9, 0.9]]


def team(*extra, sup_max=None):
    """An NQSW with a named senior supervisor, plus any extra workers."""
    return [worker("N", role="nqsw", supervisor_id="S"),
            worker("S", role="senior_social_worker", max_children=sup_max)] + list(extra)


# ---- what an NQSW may lead ----

def test_nqsw_never_leads_cp():
    plan = run(instance(team(), [child("cp", category="cp")]))
    assert assigned(plan) == {"cp": "S"}


def test_nqsw_never_leads_court_work():
    plan = run(instance(team(), [child("pl", category="cin", court=True)]))
    assert assigned(plan) == {"pl": "S"}


def test_cp_child_waits_rather_than_go_to_an_nqsw():
    plan = run(instance(team(sup_max=0), [child("cp", category="cp", priority="high"), child("cin")]))
    assert assigned(plan) == {"cp": None, "cin": "N"}
    r = rows(plan)["cp"]
    assert "needs an experienced worker (CP/court)" in r.reason and "S 0/0" in r.reason


def test_nqsw_holding_cp_hands_it_to_an_experienced_worker():
    plan = run(instance(team(), [child("cp", category="cp", current_worker="N")]))
    r = rows(plan)["cp"]
    assert (r.worker_id, r.status) == ("S", "moved")
    assert "N is an NQSW, who does not lead child-protection or court work" in r.reason


def test_nqsw_may_lead_cp_when_the_policy_allows():
    kids = [child("cp", category="cp"), child("s1", current_worker="S")]
    plan = run(instance(team(sup_max=1), kids, nqsw_may_lead_cp=True))
    assert assigned(plan)["cp"] == "N"


# ---- NQSW capacity ----

def test_nqsw_capacity_share():
    pol = policy()
    assert pol.capacity("nqsw", 1.0) == 13.5
    assert pol.capacity("nqsw", 0.5) == 6.75
    assert policy(nqsw_capacity_share=0.8).capacity("nqsw", 1.0) == 12


def test_nqsw_ramp_by_months_since_asye_start():
    pol = policy(nqsw_ramp=RAMP)  # as of 2026-11-01
    assert pol.capacity("nqsw", 1.0, date(2026, 9, 15)) == 6  # 2 months: 0.4
    assert pol.capacity("nqsw", 1.0, date(2026, 4, 1)) == 10.5  # 7 months: 0.7
    assert pol.capacity("nqsw", 1.0, date(2025, 12, 1)) == 13.5  # 11 months: 0.9
    assert pol.capacity("nqsw", 1.0, None) == 13.5  # no start date: the flat share
    assert pol.capacity("social_worker", 1.0, date(2026, 9, 15)) == 15  # the ramp is for NQSWs only


def test_nqsw_takes_thirteen_and_a_half():
    kids = [child(f"c{i:02d}") for i in range(13)] + [child("half", weight=0.5), child("late", priority="low")]
    plan = run(instance(team(sup_max=0), kids))
    got = assigned(plan)
    assert got["late"] is None and got["half"] == "N"
    assert plan.loads["N"] == 13.5


def test_nqsw_ramp_limits_allocation():
    ws = [worker("N", role="nqsw", supervisor_id="S", asye_start=date(2026, 9, 15)),
          worker("S", role="senior_social_worker", max_children=0)]
    kids = [child(f"c{i}", priority="high" if i < 6 else "low") for i in range(8)]
    inst = instance(ws, kids, nqsw_ramp=RAMP)
    assert inst.worker_by_id["N"].capacity == 6
    plan = run(inst)
    got = assigned(plan)
    assert [got[f"c{i}"] for i in range(8)] == ["N"] * 6 + [None, None]


# ---- supervision ----

def test_named_supervisor_kept_where_valid():
    ws = [worker("N1", role="nqsw", supervisor_id="S2"), worker("N2", role="nqsw", supervisor_id="S2"),
          worker("S1", role="senior_social_worker"), worker("S2", role="consultant_social_worker")]
    plan = run(instance(ws, [child("c")]))
    assert plan.solution.supervisors == {"N1": "S2", "N2": "S2"}  # not spread: the names stand
    by_id = {w.worker_id: w for w in plan.workers}
    assert by_id["N1"].supervisor_id == "S2" and by_id["S2"].nqsw_supervised == 2
    assert by_id["S1"].nqsw_supervised == 0


def test_invalid_named_supervisor_replaced():
    ws = [worker("N", role="nqsw", supervisor_id="X"), worker("X", role="social_worker"),
          worker("S", role="senior_social_worker")]
    sup, missing = assign_supervisors(instance(ws, []))
    assert sup == {"N": "S"} and missing == {}


def test_at_most_max_nqsw_per_supervisor():
    ws = [worker(f"N{i}", role="nqsw", supervisor_id="S1") for i in range(4)]
    ws += [worker("S1", role="senior_social_worker"), worker("S2", role="service_leader")]
    sup, missing = assign_supervisors(instance(ws, []))
    assert missing == {}
    assert [sup[f"N{i}"] for i in range(4)] == ["S1", "S1", "S1", "S2"]  # named kept within the ratio of 3
    sup, missing = assign_supervisors(instance(ws, [], max_nqsw_per_supervisor=2))
    assert sorted(sup.values()) == ["S1", "S1", "S2", "S2"] and missing == {}


def test_unnamed_nqsws_spread_over_supervisors():
    ws = [worker(f"N{i}", role="nqsw") for i in range(4)]
    ws += [worker("S1", role="senior_social_worker"), worker("S2", role="senior_social_worker")]
    sup, missing = assign_supervisors(instance(ws, []))
    assert sorted(sup.values()) == ["S1", "S1", "S2", "S2"] and missing == {}


def test_supervisor_from_the_same_team_only():
    ws = [worker("N", team="T1", role="nqsw"), worker("S", team="T2", role="senior_social_worker")]
    sup, missing = assign_supervisors(instance(ws, []))
    assert sup == {} and set(missing) == {"N"}
    assert missing["N"] == 0  # the team has no supervisor at all
    plan = run(instance(ws, []))
    assert "T1 has no" in plan.summary.nqsw_without_supervisor["N"]


def test_supervisor_roles_only():
    ws = [worker("N", role="nqsw", supervisor_id="S"), worker("S", role="senior_social_worker"),
          worker("M", role="service_leader"), worker("W", role="social_worker")]
    sup, missing = assign_supervisors(instance(ws, [], supervisor_roles=["service_leader"]))
    assert sup == {"N": "M"} and missing == {}
    ws = ws[:2] + ws[3:]
    sup, missing = assign_supervisors(instance(ws, [], supervisor_roles=["service_leader"]))
    assert sup == {} and "N" in missing


def test_nqsw_without_supervisor_takes_no_new_children_and_is_reported():
    ws = [worker(f"N{i}", role="nqsw") for i in range(4)] + [worker("S", role="senior_social_worker", max_children=0)]
    kids = [child("held", current_worker="N3"), child("new", priority="high")]
    inst = instance(ws, kids, max_nqsw_per_supervisor=3)
    plan = run(inst)
    summary = plan.summary
    assert list(summary.nqsw_without_supervisor) == ["N3"]
    assert "no supervisor in T1 has room" in summary.nqsw_without_supervisor["N3"]
    got = assigned(plan)
    assert got["held"] == "N3" and statuses(plan)["held"] == "kept"  # keeps what they hold
    assert got["new"] in ("N0", "N1", "N2")  # a supervised NQSW takes the new child


def test_unsupervised_nqsw_is_not_given_new_children_even_when_only_they_have_room():
    ws = [worker("N", role="nqsw"), worker("A", max_children=0)]
    plan = run(instance(ws, [child("c")]))
    assert assigned(plan) == {"c": None}
    assert "N" in plan.summary.nqsw_without_supervisor
    # N is not listed among the workers at capacity; it is named as having room but no supervisor
    reason = rows(plan)["c"].reason
    assert "at capacity (A 0/0)" in reason and "N has room but is an NQSW with no supervisor" in reason, reason


def test_reason_names_an_unsupervised_nqsw_who_has_room():
    # A is full; N has room but no supervisor in the team, so takes no one new: the manager is told
    ws = [worker("A", max_children=1), worker("N", role="nqsw")]
    kids = [child("a", current_worker="A"), child("w", priority="high")]
    plan = run(instance(ws, kids))
    r = rows(plan)["w"]
    assert r.status == "unallocated"
    assert "N has room but is an NQSW with no supervisor" in r.reason, r.reason
    assert "N" in plan.summary.nqsw_without_supervisor
