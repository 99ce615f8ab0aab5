"""Independent review of the allocator (rules/model/greedy/solve/plan/validator/supervision).

Tests named test_regression_... each showed a real defect with the smallest council found
(all fixed on 2026-11-24, kept as guards); each is named for what the plan does now, and the
comment above it says what it used to do. The other tests check something not covered elsewhere
(the time-limit fallback on a council too big to solve in the time, and a local-search
check of optimality on councils larger than the brute force in test_properties can reach).
"""
from __future__ import annotations

import random
import time

import pytest
from allocator_helpers import child, instance, random_council, rows, run, stages, worker

from allocator import validator
from allocator.solve import Options, allocate


def objectives(inst, worker_of, unsupervised=frozenset()):
    return tuple(validator.objectives(inst, worker_of, unsupervised=frozenset(unsupervised)))


# ---------------------------------------------------------------------------------------------
# 1. Supervision is settled before the solve, by id order, blind to caseloads (supervision.py,
#    the loop `for w in nqsws` / `min(options, key=(count, s))`). Which NQSW goes unsupervised
#    decides who may take new children, so the "proven optimal" waiting_high can be beaten by a
#    plan the validator accepts with the other NQSW supervised.
# ---------------------------------------------------------------------------------------------

def test_regression_supervision_place_goes_to_the_nqsw_with_room_for_the_high_child():
    ws = [worker("S", role="senior_social_worker", max_children=0),
          worker("N1", role="nqsw", max_children=1),  # full: holds a
          worker("N2", role="nqsw", max_children=1)]  # empty
    cs = [child("a", current_worker="N1"), child("h", priority="high")]
    inst = instance(ws, cs, max_nqsw_per_supervisor=1)
    plan = run(inst)
    assert all(s.optimal for s in plan.solution.stages)
    # the same supervisor given to N2 instead: a lawful plan in which nobody waits
    alt = {"a": "N1", "h": "N2"}
    assert validator.check_assignment(inst, alt, supervisors={"N2": "S"}, unsupervised={"N1"}) == []
    better = objectives(inst, alt, {"N1"})
    got = objectives(inst, plan.worker_of, plan.solution.unsupervised)
    assert got <= better, f"solver {got} (reported optimal) but {better} is lawful"
    assert rows(plan)["h"].worker_id == "N2"


# ---------------------------------------------------------------------------------------------
# 2. A lawful pin not met because of --max-moves is reported as "no room" (solve.py
#    _unmet_pins: every unmet lawful pin is blamed on room).
# ---------------------------------------------------------------------------------------------

def test_regression_pin_blocked_by_max_moves_is_blamed_on_the_move_budget():
    inst = instance([worker("A"), worker("B")], [child("c", current_worker="A", fixed_worker="B")])
    plan = run(inst, max_moves=0)
    r = rows(plan)["c"]
    assert r.worker_id == "A"
    # B holds 0/15: the move budget stood in the way, not room
    assert r.reason == "manager's decision not met: fixed to B, but the move budget (--max-moves 0) is used up", \
        r.reason


# ---------------------------------------------------------------------------------------------
# 3. Over-capacity children kept because the mode forbids moves are told "no one else could take
#    this family ... at capacity (B 0/15)" (plan.py Explainer.mark_over_capacity -> no_room, which
#    knows nothing of keep_current / max_moves).
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, why", [({"keep_current": True}, "--keep-current moves nobody"),
                                       ({"max_moves": 0}, "the move budget (--max-moves 0) is used up")])
def test_regression_over_capacity_reason_names_the_mode_that_forbids_moves(mode, why):
    inst = instance([worker("A", max_children=1), worker("B")],
                    [child("a1", current_worker="A"), child("a2", current_worker="A")])
    plan = run(inst, **mode)
    over = [r for r in plan.rows if r.status == "over_capacity"]
    assert over
    for r in over:
        assert r.reason == f"A holds 2 against capacity 1; no one else could take this family: {why}", r.reason
        assert "at capacity (B 0/15)" not in r.reason, r.reason


# ---------------------------------------------------------------------------------------------
# 4. keep_current restricts a SPLIT family to its current workers (solve.py _domain, the `kept`
#    line). When neither current worker has room for the whole family, a child who has a worker
#    is left without one (level 1) although another worker has room and the validator accepts
#    moving a split family under keep_current. The dropped child's reason is also false:
#    "at capacity (C 0/2, ...)".
# ---------------------------------------------------------------------------------------------

def test_regression_keep_current_moves_a_split_family_to_a_worker_with_room_rather_than_drop_a_child():
    ws = [worker("A", max_children=2), worker("B", max_children=2), worker("C", max_children=2)]
    cs = [child("a", family="F", current_worker="A"), child("b", family="F", current_worker="B"),
          child("z", current_worker="A"), child("z2", current_worker="B")]
    inst = instance(ws, cs)
    plan = run(inst, keep_current=True)
    alt = {"a": "C", "b": "C", "z": "A", "z2": "B"}
    assert validator.check_assignment(inst, alt, supervisors={}, keep_current=True) == []
    assert objectives(inst, plan.worker_of) <= objectives(inst, alt)
    assert stages(plan)["dropped"] == 0, [vars(r) for r in plan.rows]
    assert {rows(plan)["a"].worker_id, rows(plan)["b"].worker_id} == {"C"}


def listed_at_capacity(reason: str) -> list[tuple[str, float, float]]:
    """(worker, held, capacity) of each worker a reason says is at capacity: "... at capacity (C 2/2, B 2/2)"."""
    if "at capacity (" not in reason:
        return []
    listed = reason.rsplit("at capacity (", 1)[1].split(")")[0].split(" and ")[0]
    out = []
    for item in listed.split(", "):
        wid, frac = item.rsplit(" ", 1)
        held, cap = frac.split("/")
        out.append((wid, float(held), float(cap)))
    return out


# Under keep_current the split family F (a with A, b with B) is brought together; z and z2 may not move.
KEEP_CURRENT_AWAITING = (  # C takes F; one of h1-h3 waits, and every worker is full
    [worker("A", max_children=2), worker("B", max_children=2), worker("C", max_children=2)],
    [child("a", family="F", current_worker="A"), child("b", family="F", current_worker="B"),
     child("z", current_worker="A"), child("z2", current_worker="B"), child("h1"), child("h2"), child("h3")])
KEEP_CURRENT_DROPPED = (  # C has room for 1, not for F: F goes to B and z2, who may not move, is dropped
    [worker("A", max_children=2), worker("B", max_children=2), worker("C", max_children=1)],
    [child("a", family="F", current_worker="A"), child("b", family="F", current_worker="B"),
     child("z", current_worker="A"), child("z2", current_worker="B")])


@pytest.mark.parametrize("council", [
    pytest.param(KEEP_CURRENT_AWAITING, id="awaiting-child-waits"),
    pytest.param(KEEP_CURRENT_DROPPED, id="held-child-dropped"),  # fixed 2026-11-25: the reason names B only
])
def test_regression_keep_current_unallocated_reason_lists_only_workers_without_room(council):
    workers, children = council
    inst = instance(workers, children)
    plan = run(inst, keep_current=True)
    weight = {c.id: c.weight for c in inst.children}
    capacity = {w.id: w.capacity for w in inst.workers}
    load = {w.id: 0.0 for w in inst.workers}
    for r in plan.rows:
        if r.worker_id:
            load[r.worker_id] += weight[r.child_id]
    unallocated = [r for r in plan.rows if r.status == "unallocated"]
    assert unallocated
    for r in unallocated:
        listed = listed_at_capacity(r.reason)
        assert listed, r.reason
        for wid, held, cap in listed:
            assert held == round(load[wid], 2) and cap == capacity[wid], r.reason
            assert held + weight[r.child_id] > cap, f"{r.child_id}: {r.reason}"


# ---------------------------------------------------------------------------------------------
# 5. A held child's move is explained with blocker(prev, WHOLE family) (plan.py Explainer.reason,
#    `why = blocker(w, f, ...)`), so it cites a rule that comes from an awaiting sibling: "N lacks
#    the disability skill; now with B" although B lacks it too and the child left N because N is
#    an NQSW and the child is on a CP plan.
# ---------------------------------------------------------------------------------------------

def test_regression_move_reason_cites_the_nqsw_rule_not_the_newcomers_skill():
    ws = [worker("N", role="nqsw"), worker("B"), worker("S", role="senior_social_worker", max_children=0)]
    cs = [child("a", category="cp", family="F", current_worker="N"),
          child("n", family="F", skill="disability")]
    plan = run(instance(ws, cs))
    r = rows(plan)["a"]
    assert r.status == "moved" and r.worker_id == "B"
    assert r.reason == "N is an NQSW, who does not lead child-protection or court work; now with B", r.reason


# ---------------------------------------------------------------------------------------------
# 6. The catch-all move reason says "for children awaiting allocation" when the chain made room
#    for a child who had to leave their own worker, and nobody awaits allocation at all.
# ---------------------------------------------------------------------------------------------

def test_regression_chain_reason_says_a_chain_of_moves_when_nobody_awaits_allocation():
    ws = [worker("A", skills="court", max_children=1), worker("B", max_children=1), worker("V")]
    cs = [child("x", current_worker="A"), child("d", skill="court", current_worker="V")]
    plan = run(instance(ws, cs))
    r = rows(plan)["x"]
    assert r.status == "moved"
    assert r.reason == "moved to make room for another child, in a chain of moves; now with V", r.reason


# ---------------------------------------------------------------------------------------------
# 7. The only worker of a team over capacity: "no one else could take this family: no worker
#    serves T1" (no_room(exclude=w) says "no worker serves" when it means "no OTHER worker").
# ---------------------------------------------------------------------------------------------

def test_regression_over_capacity_reason_says_no_other_worker_serves_the_team():
    plan = run(instance([worker("A", max_children=1)],
                        [child("x", current_worker="A"), child("y", current_worker="A")]))
    over = [r for r in plan.rows if r.status == "over_capacity"]
    assert over
    for r in over:
        assert r.reason.endswith("no one else could take this family: no other worker serves T1"), r.reason


# ---------------------------------------------------------------------------------------------
# 8. A policy may list `nqsw` in supervisor_roles (policy.py accepts any role); then an NQSW is
#    made its own supervisor (supervision.py never excludes s == w) and the validator, which only
#    checks the supervisor's team and role, accepts it.
# ---------------------------------------------------------------------------------------------

def test_regression_nqsw_is_never_made_its_own_supervisor():
    inst = instance([worker("N", role="nqsw")], [child("h")], supervisor_roles=["nqsw", "senior_social_worker"])
    plan = run(inst)
    assert "N" not in plan.solution.supervisors, plan.solution.supervisors
    assert "N" in plan.solution.unsupervised  # the only supervisor-role worker is N itself
    assert rows(plan)["h"].worker_id is None  # an NQSW without a supervisor takes no one new


# ---------------------------------------------------------------------------------------------
# 9. Same inputs + policy + seed give different plans when a stage is cut by the time limit:
#    solve.py sets p.max_time_in_seconds from the wall clock (and the per-component budget from
#    the wall clock and the order threads finish), so where the cut falls varies run to run.
#    On the reviewer's machine a 6-team council (60 workers, 840 children) at time_limit 3-4 s
#    differed by 33 rows in one of three runs, threads=1 or 2. The search is now cut by counted
#    work; the wall clock is put out of reach here (Options.started far ahead) so that this test
#    does not depend on the machine's speed (test_trust_solve.py covers the wall-clock stop).
# ---------------------------------------------------------------------------------------------

def test_regression_time_limited_plan_is_the_same_on_every_run(tmp_path):
    from allocator.inputs import load_instance
    from benchmarks.generate import generate_council, write_council
    from policy.settings import Policy
    write_council(tmp_path, *generate_council(6, 10, 140, seed=1))
    for limit in (3.0, 4.0):
        inst = load_instance(tmp_path / "workers.csv", tmp_path / "cases.csv",
                             Policy(time_limit_seconds=limit)).instance
        plans = [[(r.child_id, r.worker_id, r.status)
                  for r in allocate(inst, Options(threads=1, started=time.perf_counter() + 1e6)).rows]
                 for _ in range(3)]
        assert plans[0] == plans[1] == plans[2], f"time_limit {limit}: plans differ between runs"


# ---------------------------------------------------------------------------------------------
# 10. (Against the uncommitted supervision.py change, "NQSWs with the most room first".) Room is
#     not what makes a supervision place valuable: here the NQSW with less room is the only one
#     with the skill a high-priority child needs, so the child still waits in a plan reported
#     optimal. Needs the choice inside the model (see the report).
# ---------------------------------------------------------------------------------------------

def test_regression_supervision_place_goes_to_the_nqsw_with_the_skill_the_high_child_needs():
    ws = [worker("S", role="senior_social_worker", max_children=0),
          worker("N1", role="nqsw", max_children=5),
          worker("N2", role="nqsw", max_children=1, skills="disability")]
    inst = instance(ws, [child("d", priority="high", skill="disability")], max_nqsw_per_supervisor=1)
    plan = run(inst)
    alt = {"d": "N2"}
    assert validator.check_assignment(inst, alt, supervisors={"N2": "S"}, unsupervised={"N1"}) == []
    assert objectives(inst, plan.worker_of, plan.solution.unsupervised) <= objectives(inst, alt, {"N1"})
    assert rows(plan)["d"].worker_id == "N2" and "N1" in plan.solution.unsupervised


# ---------------------------------------------------------------------------------------------
# 11. (Against the uncommitted solve.py _unmet_pins change.) A mixed family kept with its pinned
#     worker, whose newcomer cannot join for lack of room, is told "the move budget is used up"
#     with no move made: for a family already at the pin, `room` reduces to load <= capacity.
# ---------------------------------------------------------------------------------------------

def test_regression_unmet_pin_of_waiting_newcomer_is_blamed_on_room_not_the_move_budget():
    inst = instance([worker("A", max_children=2, skills="court"), worker("B")],
                    [child("z", current_worker="A", skill="court"),
                     child("a", family="F", current_worker="A", fixed_worker="A"),
                     child("n", family="F", fixed_worker="A")])
    plan = run(inst, max_moves=5)
    assert not any(r.status == "moved" for r in plan.rows)
    r = rows(plan)["a"]
    assert r.reason == ("manager's decision not met: fixed to A, but A has no room for the family "
                        "(2/2, family needs 2)"), r.reason
    assert rows(plan)["n"].reason == "waits to join siblings with A, who has no room for 1 more (2/2)"


# ---------------------------------------------------------------------------------------------
# Passing checks not covered elsewhere
# ---------------------------------------------------------------------------------------------

def _council(rng: random.Random, n_children: int):
    """A council of 4-6 workers in two teams, `n_children` children (see random_council)."""
    return random_council(rng, teams=(2, 2), workers=(4, 6), children=(n_children, n_children),
                          children_per_fte=4.0)


@pytest.mark.parametrize("seed", range(3))
def test_time_limit_fallback_plan_is_valid_and_reports_its_own_values(seed):
    """Stages cut short by the time limit keep a plan that still passes every hard rule, and the
    stage values reported are those of the plan (the 'current' kept for an unfinished stage)."""
    inst = _council(random.Random(seed), 120)
    for mm in (None, 3):
        plan = allocate(inst, Options(threads=2, time_limit=0.01, max_moves=mm))
        assert validator.check(inst, plan) == []
        claimed = tuple(s.value for s in plan.solution.stages)
        assert claimed == objectives(inst, plan.worker_of, plan.solution.unsupervised)


def _family_options(inst, kids):
    held = [c for c in kids if c.current_worker]
    opts = [{c.id: None for c in kids}]
    for w in inst.workers:
        opts.append({c.id: w.id for c in kids})
        if 0 < len(held) < len(kids):  # newcomers may wait
            opts.append({c.id: (w.id if c.current_worker else None) for c in kids})
    return opts


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("mode", [{}, {"max_moves": 2}])
def test_no_single_family_move_beats_a_proven_optimal_plan(seed, mode):
    """On councils beyond brute force (4-6 workers, 10-15 children), reassigning any one family to
    any worker or to nobody never gives a lawful plan with a lexicographically better
    validator.objectives than the plan the solver proved optimal."""
    rng = random.Random(1000 + seed)
    inst = _council(rng, rng.randint(10, 15))
    plan = allocate(inst, Options(threads=1, time_limit=10, **mode))
    assert validator.check(inst, plan) == []
    sol = plan.solution
    if not all(s.optimal for s in sol.stages):
        pytest.skip("not proven optimal within the limit")
    unsup = frozenset(sol.unsupervised)
    pinned = {c.family_id for c in inst.children if c.fixed_worker}
    base = dict(plan.worker_of)
    best = objectives(inst, base, unsup)
    for fid, kids in inst.families().items():
        for option in _family_options(inst, kids):
            cand = {**base, **option}
            if validator.check_assignment(inst, cand, supervisors=sol.supervisors, unsupervised=set(unsup),
                                          pins_broken=pinned, max_moves=mode.get("max_moves")):
                continue
            assert objectives(inst, cand, unsup) >= best, (fid, option)
