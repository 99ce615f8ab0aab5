"""Properties of the allocator on random small councils (Hypothesis).

(a) the plan passes the independent validator; (b) every child appears exactly once;
(c) on councils small enough to enumerate, the solver's stage values (all proven optimal)
equal the lexicographic minimum of validator.objectives over EVERY feasible plan;
(d) the same instance twice gives the same plan.

The brute force enumerates every map family -> worker-or-None and keeps the maps that
pass validator.check_assignment (capacity, siblings, skills, NQSW rules, reach, avoid,
accepting, supervision) and honour the rules the solver must honour by construction:
a family with a valid fixed_worker goes to that worker or to nobody. The eligibility
rules are re-written here from the contract, not imported from the allocator.
"""
from __future__ import annotations

import inspect
import itertools
from collections import Counter, defaultdict
from datetime import date

from allocator_helpers import child, instance, worker
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from allocator import solve as solve_module
from allocator import validator
from allocator.solve import Options, allocate
from policy.settings import ROLES

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SKILLS = ("court", "disability")
CATEGORIES = ("cin", "cp", "lac", "care_leaver", "assessment")
PRIORITIES = ("high", "medium", "low")
# The stages, best-first, as ../shared/CONTRACT.md orders them (the policy's default objective_order).
CONTRACT_STAGES = ("dropped", "fixed_worker_not_met", "waiting_high", "over_capacity", "waiting_medium",
                   "waiting_low", "moves", "peak_utilisation", "above_headroom")


@st.composite
def councils(draw, max_workers=4):
    teams = ["T1", "T2"][: draw(st.integers(1, 2))]
    n_workers = draw(st.integers(2, max_workers))
    ids = [f"W{i}" for i in range(n_workers)]
    workers = []
    for wid in ids:
        role = draw(st.sampled_from(ROLES))
        team = draw(st.sampled_from(teams))
        kw = {}
        if draw(st.integers(0, 4)) == 0 and len(teams) > 1:
            kw["extra_teams"] = tuple(t for t in teams if t != team)
        kw["skills"] = tuple(s for s in SKILLS if draw(st.booleans()))
        if draw(st.integers(0, 4)) == 0:
            kw["accepting"] = False
        mc = draw(st.sampled_from([None, None, 0, 1, 1, 2, 2, 3]))
        if mc is not None:
            kw["max_children"] = float(mc)
        if role == "nqsw":
            if draw(st.booleans()):
                kw["supervisor_id"] = draw(st.sampled_from(ids))
            if draw(st.booleans()):
                kw["asye_start"] = draw(st.sampled_from([date(2026, 10, 1), date(2026, 3, 1), date(2025, 12, 1)]))
        workers.append(worker(wid, team=team, role=role, fte=draw(st.sampled_from([0.2, 0.5, 1.0])), **kw))
    pol = {
        "children_per_fte": draw(st.sampled_from([4.0, 6.0, 15.0])),
        "manager_max_cases": draw(st.sampled_from([1.0, 2.0, 6.0])),
        "nqsw_may_lead_cp": draw(st.integers(0, 3)) == 0,
        "max_nqsw_per_supervisor": draw(st.sampled_from([0, 1, 3])),
        "cross_team": draw(st.integers(0, 5)) == 0,
    }
    if draw(st.booleans()):
        pol["weights"] = {"cp": 1.5, "lac": 0.5}
    if draw(st.integers(0, 3)) == 0:
        pol["nqsw_ramp"] = ((0, 0.4), (6, 0.7), (9, 0.9))
    n_children = draw(st.sampled_from([3, 4, 5, 6, 7, 8, 8, 8]))
    n_families = draw(st.integers(max(1, n_children // 2), n_children))
    fam_team = {f: draw(st.sampled_from(teams)) for f in range(n_families)}
    fam_pin = {f: (draw(st.sampled_from(ids)) if draw(st.integers(0, 6)) == 0 else None) for f in range(n_families)}
    children = []
    for i in range(n_children):
        f = draw(st.sampled_from(range(n_families)))
        kw = {"priority": draw(st.sampled_from(PRIORITIES)), "court": draw(st.integers(0, 4)) == 0}
        if draw(st.integers(0, 3)) == 0:
            kw["required_skills"] = (draw(st.sampled_from(SKILLS)),)
        if draw(st.integers(0, 2)) > 0:
            kw["current_worker"] = draw(st.sampled_from(ids))
        if draw(st.integers(0, 4)) == 0:
            kw["weight"] = draw(st.sampled_from([0.5, 2.0]))
        if fam_pin[f] and draw(st.booleans()):
            kw["fixed_worker"] = fam_pin[f]
        if draw(st.integers(0, 7)) == 0:
            kw["avoid_workers"] = (draw(st.sampled_from(ids)),)
        children.append(child(f"c{i}", team=fam_team[f], category=draw(st.sampled_from(CATEGORIES)),
                              family=f"F{f}", **kw))
    return instance(workers, children, **pol)


def solve(inst):
    return allocate(inst, Options(threads=1, time_limit=10))


def objectives(inst, worker_of, unsupervised) -> tuple[int, ...]:
    """validator.objectives, passing the unsupervised NQSWs when it takes them (lawful pins depend on them)."""
    if "unsupervised" in inspect.signature(validator.objectives).parameters:
        return tuple(validator.objectives(inst, worker_of, unsupervised=frozenset(unsupervised)))
    return tuple(validator.objectives(inst, worker_of))


def soft_pins(plan) -> bool:
    """Pins ranked as an objective (stage 'fixed_worker_not_met') rather than 'the pin or nobody'."""
    return any(s.name == "fixed_worker_not_met" for s in plan.solution.stages)


# ---- an independent reading of the contract's static rules ----

def may_hold(inst, w, kids, unsupervised) -> bool:
    """Could `w` ever hold this family (capacity aside)? Contract: reach, skills, NQSW, avoid,
    and a worker not accepting / an NQSW without a supervisor takes no NEW family."""
    pol = inst.policy
    for c in kids:
        if not (pol.cross_team or c.team == w.team or c.team in w.extra_teams):
            return False
        if not set(c.required_skills) <= set(w.skills):
            return False
        if w.role == "nqsw" and (c.category == "cp" or c.court) and not pol.nqsw_may_lead_cp:
            return False
        if w.id in c.avoid_workers:
            return False
    holds_all = all(c.current_worker == w.id for c in kids)  # else w would get a child not theirs now
    if not holds_all and (not w.accepting or w.id in unsupervised):
        return False
    return holds_all or w.capacity + 1e-9 >= sum(c.weight for c in kids)


def statically_forbidden_pins(inst, unsupervised) -> set[str]:
    out = set()
    for fid, kids in inst.families().items():
        pins = {c.fixed_worker for c in kids if c.fixed_worker}
        if len(pins) == 1:
            w = inst.worker_by_id[pins.pop()]
            if not may_hold(inst, w, kids, unsupervised):
                out.add(fid)
    return out


def capacity_as_modelled(inst, worker_of) -> bool:
    """The capacity rule, written out again here (the validator has its own copy): a worker within
    capacity now stays within it; a worker over capacity now either comes within it, or keeps no more
    than they hold now and is given no child who is not theirs. 'Now' counts every child the worker
    holds, whichever team the child is in."""
    load, cur, new = Counter(), Counter(), defaultdict(bool)
    for c in inst.children:
        w = worker_of.get(c.id)
        if w:
            load[w] += round(c.weight * 100)
            if c.current_worker != w:
                new[w] = True
        if c.current_worker:
            cur[c.current_worker] += round(c.weight * 100)
    for w in inst.workers:
        cap = round(w.capacity * 100)
        if load[w.id] <= cap:
            continue
        if cur[w.id] <= cap or load[w.id] > cur[w.id] or new[w.id]:
            return False
    return True


def brute_force(inst, sol, soft, max_moves=None):
    """The lexicographic minimum of validator.objectives over every feasible family -> worker map.

    With soft pins (an objective), any worker may be tried and the objective counts missed pins;
    else a family with a lawful pin goes to that worker or nobody."""
    best, best_map, count = None, None, 0
    for obj, worker_of in feasible_plans(inst, sol, soft, max_moves):
        count += 1
        if best is None or obj < best:
            best, best_map = obj, worker_of
    return best, best_map, count


def feasible_plans(inst, sol, soft, max_moves=None):
    """(validator.objectives, the plan) for every family -> worker map that breaks no hard rule (see
    brute_force)."""
    unsup = set(sol.unsupervised)
    pinned = {c.family_id for c in inst.children if c.fixed_worker}
    fams = inst.families()
    options = []
    for fid, kids in fams.items():
        held = [c for c in kids if c.current_worker]
        core = held if 0 < len(held) < len(kids) else list(kids)  # a mixed family's newcomers may wait
        allowed = [w.id for w in inst.workers if may_hold(inst, w, core, unsup)]
        pins = {c.fixed_worker for c in kids if c.fixed_worker}
        if len(pins) == 1 and fid not in sol.pins_broken and not soft:
            allowed = [w for w in allowed if w in pins]
        choices = [{c.id: None for c in kids}]
        for w in allowed:
            choices.append({c.id: w for c in kids})
            if len(core) < len(kids):
                choices.append({c.id: (w if c.current_worker else None) for c in kids})
        options.append(choices)
    for choice in itertools.product(*options):
        worker_of = {k: w for part in choice for k, w in part.items()}
        if validator.check_assignment(inst, worker_of, supervisors=sol.supervisors, unsupervised=unsup,
                                      pins_broken=pinned if soft else set(sol.pins_broken), max_moves=max_moves):
            continue
        if not capacity_as_modelled(inst, worker_of):
            continue
        yield objectives(inst, worker_of, unsup), worker_of


def assert_stages_equal_brute_force(inst, plan, max_moves=None) -> None:
    """The solver's stage values are the lexicographic minimum over every feasible plan."""
    sol = plan.solution
    best, best_map, count = brute_force(inst, sol, soft_pins(plan), max_moves=max_moves)
    assert count >= 1  # leaving everyone without a worker always passes the hard rules
    got = tuple(s.value for s in sol.stages)
    names = [s.name for s in sol.stages]
    assert got == best, (f"max_moves={max_moves}\nsolver {dict(zip(names, got, strict=False))}\n"
                         f"brute   {dict(zip(names, best, strict=False))}\n"
                         f"brute plan {best_map}\nsolver plan {plan.worker_of}\n{describe(inst)}")


def describe(inst) -> str:
    lines = [f"policy: {inst.policy}"]
    lines += [f"  {w}" for w in inst.workers]
    lines += [f"  {c}" for c in inst.children]
    return "\n".join(lines)


# ---- the properties ----

@SETTINGS
@given(councils())
def test_plan_is_valid_and_complete(inst):
    plan = solve(inst)
    # (a) the independent validator finds nothing wrong
    assert validator.check(inst, plan) == [], describe(inst)
    # (b) every child exactly once, in input order, with a known status
    assert [r.child_id for r in plan.rows] == [c.id for c in inst.children]
    assert Counter(r.child_id for r in plan.rows) == Counter(c.id for c in inst.children)
    assert {r.status for r in plan.rows} <= {"kept", "moved", "allocated", "unallocated", "over_capacity"}
    # the reported stage values are those of the plan itself
    names = [s.name for s in plan.solution.stages]
    assert tuple(names) == CONTRACT_STAGES  # every stage, in the order of what makes one plan better
    assert tuple(s.value for s in plan.solution.stages) == objectives(inst, plan.worker_of,
                                                                      plan.solution.unsupervised), describe(inst)
    # a reason that says the workers in reach are at capacity is true of every worker it lists
    fam_weight = Counter()
    for c in inst.children:
        fam_weight[c.family_id] += c.weight
    family_of = {c.id: c.family_id for c in inst.children}
    loads = plan.loads
    for r in plan.rows:
        if r.status == "unallocated" and "at capacity (" in r.reason:
            listed = r.reason.rsplit("at capacity (", 1)[1].split(")")[0].split(" and ")[0]
            for item in listed.split(", "):
                wid, frac = item.rsplit(" ", 1)
                held, cap = (float(x) for x in frac.split("/"))
                assert held == loads[wid] and cap == inst.worker_by_id[wid].capacity, (r, describe(inst))
                assert held + fam_weight[family_of[r.child_id]] > cap + 1e-9, (r, describe(inst))
    # over-capacity load reported by worker, and enough of their children marked to cover it
    # (counting a sibling placed or moved in with a worker left over capacity: see test_rule_capacity.py)
    over_rows = Counter()
    for r in plan.rows:
        if r.status == "over_capacity" or (r.status in ("allocated", "moved")
                                           and r.worker_id in plan.summary.over_capacity_load):
            over_rows[r.worker_id] += next(c.weight for c in inst.children if c.id == r.child_id)
    for w in inst.workers:
        excess = round(loads[w.id] - w.capacity, 2)
        reported = plan.summary.over_capacity_load.get(w.id, 0.0)
        assert reported == (excess if excess > 0 else 0.0), (w.id, plan.summary.over_capacity_load, describe(inst))
        assert over_rows[w.id] + 1e-9 >= reported, (w.id, describe(inst))
    # a manager's decision not met is reported, and only then
    fams = inst.families()
    for c in inst.children:
        if c.fixed_worker:  # not met (some sibling is not with that worker) exactly when reported
            label = c.family_id.lstrip("~")
            missed = any(plan.worker_of[k.id] != c.fixed_worker for k in fams[c.family_id])
            assert missed == (label in plan.summary.fixed_worker_not_met), describe(inst)


@SETTINGS
@given(councils(max_workers=3))
def test_stage_values_equal_brute_force(inst):
    plan = solve(inst)
    sol = plan.solution
    assert all(s.optimal for s in sol.stages), (sol.stages, describe(inst))
    # supervision: kept to the ratio and the team, and nobody left without one who could have had one
    per_team_sup = defaultdict(int)
    per_team_nqsw = defaultdict(int)
    for w in inst.workers:
        if w.role in inst.policy.supervisor_roles:
            per_team_sup[w.team] += 1
        if w.role == "nqsw":
            per_team_nqsw[w.team] += 1
    for t, n in per_team_nqsw.items():
        missing = sum(1 for wid in sol.unsupervised if inst.worker_by_id[wid].team == t)
        assert missing == max(0, n - per_team_sup[t] * inst.policy.max_nqsw_per_supervisor)
    # a pin a hard rule forbids is always reported
    assert statically_forbidden_pins(inst, set(sol.unsupervised)) <= set(sol.pins_broken), describe(inst)
    assert_stages_equal_brute_force(inst, plan)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(councils())
def test_same_instance_twice_same_plan(inst):
    p1, p2 = solve(inst), solve(inst)
    assert [vars(r) for r in p1.rows] == [vars(r) for r in p2.rows]
    # everything but the timing, the stages' values and proofs included
    assert p1.summary.to_json() | {"solve_seconds": 0} == p2.summary.to_json() | {"solve_seconds": 0}


@SETTINGS
@given(councils(max_workers=3), st.sampled_from([0, 1, 2]))
def test_max_moves_stage_values_equal_brute_force(inst, max_moves):
    plan = allocate(inst, Options(threads=1, time_limit=10, max_moves=max_moves))
    assert validator.check(inst, plan) == [], describe(inst)
    sol = plan.solution
    assert plan.summary.moved <= max_moves
    assert all(s.optimal for s in sol.stages), (sol.stages, describe(inst))
    assert_stages_equal_brute_force(inst, plan, max_moves)


@SETTINGS
@given(councils(max_workers=3), st.sampled_from([0, 1, 2]))
def test_a_move_budget_split_between_groups_of_teams_equals_brute_force(inst, max_moves):
    """The budget split between independent groups of teams (a large council's way, see budget.py) reaches
    the lexicographic minimum over every feasible plan at every level up to `moves`, each proven."""
    coupled = solve_module.COUPLED_CHOICES
    solve_module.COUPLED_CHOICES = 0
    try:
        plan = allocate(inst, Options(threads=1, time_limit=10, max_moves=max_moves))
    finally:
        solve_module.COUPLED_CHOICES = coupled
    assert validator.check(inst, plan) == [], describe(inst)
    assert plan.summary.moved <= max_moves
    names = [s.name for s in plan.solution.stages]
    upto = names.index("moves") + 1
    assert all(s.optimal for s in plan.solution.stages[:upto]), (plan.solution.stages, describe(inst))
    best, _, _ = brute_force(inst, plan.solution, soft_pins(plan), max_moves=max_moves)
    assert tuple(s.value for s in plan.solution.stages)[:upto] == best[:upto], describe(inst)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(councils())
def test_keep_current_plan_is_valid(inst):
    plan = allocate(inst, Options(threads=1, time_limit=10, keep_current=True))
    # check() also asserts that nobody whose current worker may keep them was moved
    assert validator.check(inst, plan) == [], describe(inst)
    assert all(s.optimal for s in plan.solution.stages)


@st.composite
def alike_councils(draw):
    """Councils where several workers are interchangeable (one team, one role and FTE, holding no one): the
    model orders them (model.add_symmetry); one other worker holds children now."""
    n = draw(st.integers(2, 3))
    fte = draw(st.sampled_from([0.5, 1.0]))
    workers = [worker(f"W{i}", fte=fte) for i in range(n)]
    holder = draw(st.booleans())
    if holder:
        workers.append(worker("H", fte=draw(st.sampled_from([0.5, 1.0]))))
    pol = {"children_per_fte": draw(st.sampled_from([4.0, 6.0])), "weights": {"cp": 1.5, "lac": 0.5}}
    children = []
    for i in range(draw(st.integers(3, 7))):
        kw = {"priority": draw(st.sampled_from(PRIORITIES))}
        if holder and draw(st.integers(0, 3)) == 0:
            kw["current_worker"] = "H"
        children.append(child(f"c{i}", category=draw(st.sampled_from(CATEGORIES)),
                              family=f"F{draw(st.integers(0, 4))}", **kw))
    return instance(workers, children, **pol)


@SETTINGS
@given(alike_councils())
def test_interchangeable_workers_ordered_lose_no_plan(inst):
    """Ordering interchangeable workers (symmetry breaking) keeps every stage's optimum: brute force agrees."""
    from allocator.solve import split
    comps = split(inst, Options(), frozenset(), {}, {})
    assume(any(c.alike for c in comps))  # the symmetry is there to break (no family too big for them all)
    plan = solve(inst)
    assert all(s.optimal for s in plan.solution.stages), (plan.solution.stages, describe(inst))
    assert_stages_equal_brute_force(inst, plan)

