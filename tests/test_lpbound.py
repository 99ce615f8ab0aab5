"""The linear relaxation's bound (allocator/lpbound.py): never above the optimum CP-SAT proves on small
random models; as strong as the relaxation on known cases; and, in the class model, it
proves a count the search has not (the cross-team council's cliff)."""
from __future__ import annotations

import random

from allocator_helpers import child, instance, worker
from ortools.sat.python import cp_model

from allocator.aggregate import count_component
from allocator.lpbound import Relaxation
from allocator.solve import Options, split
from allocator.supervision import assign_supervisors, contested


def _random_model(rng: random.Random) -> cp_model.CpModel:
    """A few small integer and boolean variables, linear rows of every sense (some enforced, some on a negated
    literal), and an integer objective with a constant."""
    m = cp_model.CpModel()
    xs, bools = [], []
    for i in range(rng.randint(2, 4)):
        if rng.random() < 0.5:
            bools.append(m.new_bool_var(f"b{i}"))
            xs.append(bools[-1])
        else:
            xs.append(m.new_int_var(0, rng.randint(1, 3), f"x{i}"))
    for _ in range(rng.randint(1, 4)):
        terms = [(rng.randint(-3, 4), x) for x in rng.sample(xs, rng.randint(1, len(xs)))]
        expr = sum(a * (x.Not() if x in bools and rng.random() < 0.3 else x) for a, x in terms)
        rhs = rng.randint(-2, 6)
        sense = rng.random()
        ct = m.add(expr <= rhs) if sense < 0.4 else m.add(expr >= rhs) if sense < 0.8 else m.add(expr == rhs)
        if bools and rng.random() < 0.2:
            ct.only_enforce_if(rng.choice(bools))
    m.minimize(rng.randint(-5, 5) + sum(rng.randint(-4, 5) * x for x in xs))
    return m


def test_the_bound_never_exceeds_the_optimum_of_small_random_models():
    rng = random.Random(3)
    tight = feasible = 0
    for _ in range(300):
        m = _random_model(rng)
        solver = cp_model.CpSolver()
        status = solver.solve(m)
        bound = Relaxation(m).floor()
        if status == cp_model.INFEASIBLE:
            continue
        assert status == cp_model.OPTIMAL
        feasible += 1
        if bound is not None:
            assert bound <= solver.objective_value, m.proto
            tight += bound == solver.objective_value
    assert feasible > 100 and tight > feasible // 4  # a real bound, often the optimum itself


def test_the_bound_is_the_relaxations_optimum_rounded_up():
    """min x + y with x + 2y >= 7 over 0..10: the relaxation's optimum is 3.5 (y = 3.5), so 4; adding rows to
    the model raises the bound the kept relaxation gives; an infeasible relaxation gives none."""
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 10, "x"), m.new_int_var(0, 10, "y")
    m.add(x + 2 * y >= 7)
    m.minimize(x + y)
    kept = Relaxation(m)
    assert kept.floor() == 4
    m.add(y <= 2)  # now x >= 3: 3 + 2 = 5
    assert kept.floor() == 5
    m.minimize(-x)  # a new objective on the same rows: x at most 10
    assert kept.floor() == -10
    m.add(x + y <= 3)
    assert kept.floor() is None
    assert kept.work > 0


def test_the_class_model_proves_the_count_a_fractional_capacity_leaves_waiting_without_searching(monkeypatch):
    """Two NQSWs of capacity 13.5 each hold 15 children and a social worker holds 10 of 15: the NQSWs must
    give away 2 each (13.5 holds 13), which leaves the social worker room for 1 of 6 children waiting. The
    relaxation alone, with the excess floor, counts 5 waiting; without it, it would say 4 (1.5 given away
    each). With no work for the search at all, the class model proves 5 (asking the relaxation, however
    small the model: aggregate.LP_FIRST)."""
    from allocator import aggregate
    monkeypatch.setattr(aggregate, "LP_FIRST", 0)
    ws = [worker("N1", role="nqsw"), worker("N2", role="nqsw"), worker("S1"),
          worker("S2", role="senior_social_worker")]
    cs = [child(f"n{i}", current_worker="N1") for i in range(15)]
    cs += [child(f"m{i}", current_worker="N2") for i in range(15)]
    cs += [child(f"s{i}", current_worker="S1") for i in range(10)]
    cs += [child(f"t{i}", current_worker="S2") for i in range(15)]
    cs += [child(f"a{i}", priority="medium") for i in range(6)]
    inst = instance(ws, cs)
    supervisors, missing = assign_supervisors(inst)
    (c,) = split(inst, Options(), frozenset(), {}, contested(inst, supervisors, missing), frozenset(missing))
    r = count_component(c, work=0.0)
    assert r.values["over_capacity"] == 0 and r.proven["over_capacity"]
    assert r.values["waiting_medium"] == 5 and r.proven["waiting_medium"]

