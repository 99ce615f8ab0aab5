"""The class model (allocator/aggregate.py): its stage values are the true optimum of the stages before `moves`.

On small random councils: (a) its values equal the brute force's (every feasible plan enumerated, the
lexicographic minimum of validator.objectives) and the full solver's; (b) the plan it turns the counts into
passes the validator's hard rules and has those same values (validator.objectives, model.values);
(c) with days waited and over_capacity_for (the internal `waited_` and `above_capacity` stages), its values
equal the full component solve's, stage by stage.
"""
from __future__ import annotations

import dataclasses
import random

import pytest
from allocator_helpers import child, instance, random_council, worker
from hypothesis import given
from test_properties import SETTINGS, brute_force, councils, objectives

from allocator import validator
from allocator.aggregate import classes, count_component, count_stages, counting_stages
from allocator.model import values
from allocator.solve import Options, allocate, solve_component, split
from allocator.supervision import assign_supervisors, contested


def _check_plan(inst, r) -> tuple[int, ...]:
    """The disaggregated plan breaks no hard rule; its validator values (the stages before moves)."""
    worker_of = r.worker_of_child(inst)
    pinned = {c.family_id for c in inst.children if c.fixed_worker}
    problems = validator.check_assignment(inst, worker_of, unsupervised=r.unsupervised, pins_broken=pinned)
    assert problems == [], problems
    assert r.check == r.values  # model.values of the plan agrees with the counts
    return objectives(inst, worker_of, r.unsupervised)


def _prefix(inst, r, full: tuple[int, ...]) -> dict[str, int]:
    names = validator.levels(inst.policy)
    return {n: v for n, v in zip(names, full, strict=False) if n in r.values}


@SETTINGS
@given(councils())
def test_counts_equal_brute_force_full_solver_and_plan(inst):
    plan = allocate(inst, Options(threads=1, time_limit=10))
    r = count_stages(inst, time_limit=10)
    assert r.proven
    assert set(r.values) == {n for n in validator.levels(inst.policy)[:validator.levels(inst.policy).index("moves")]}
    solver = {s.name: s.value for s in plan.solution.stages if s.name in r.values}
    assert all(s.optimal for s in plan.solution.stages if s.name in r.values)
    assert r.values == solver
    best, _, _ = brute_force(inst, plan.solution, soft=True)
    assert _prefix(inst, r, best) == r.values
    assert _prefix(inst, r, _check_plan(inst, r)) == r.values


def _components(inst):
    supervisors, missing = assign_supervisors(inst)
    contest = contested(inst, supervisors, missing)
    never = frozenset(n for n in missing if inst.worker_by_id[n].team not in contest)
    return split(inst, Options(), never, {}, contest, frozenset(missing))


def _waiting_council(seed: int):
    """random_council with days waited on the children awaiting a worker, and over_capacity_for on half."""
    rng = random.Random(seed)
    inst = random_council(rng, (1, 2), (3, 6), (8, 16), children_per_fte=rng.choice([3.0, 5.0]))
    kids = tuple(dataclasses.replace(c, waited_days=rng.choice([0, 3, 10, 40]) if not c.current_worker else 0)
                 for c in inst.children)
    pol = inst.policy
    if seed % 2:
        pol = dataclasses.replace(pol, over_capacity_for=("high",), over_capacity_max=1.0)
    return dataclasses.replace(inst, children=kids, policy=pol)


@pytest.mark.parametrize("seed", range(25))
def test_counts_equal_full_component_solve_with_waits_and_above(seed):
    inst = _waiting_council(seed)
    for c in _components(inst):
        r = count_component(c, seed=0, time_limit=10)
        assert r.all_proven
        full = solve_component(c, 0, 1e6, upto="moves")
        assert all(s.optimal for s in full.stages if s.name in r.values)
        expect = values(c, full.sol, full.joins)
        got = values(c, r.sol, r.joins)
        assert {n: got[n] for n in r.stages} == r.values
        assert {n: expect[n] for n in r.stages} == r.values, (r.stages, r.values)


def test_identical_families_form_one_class_and_the_counts_keep_current_workers():
    """Five interchangeable single children held by two workers, three awaiting: 2 classes, not 8 families;
    the plan keeps everyone with their worker."""
    ws = [worker("W1", max_children=4.0), worker("W2", max_children=4.0)]
    cs = [child(f"h{i}", current_worker="W1" if i < 3 else "W2") for i in range(5)]
    cs += [child(f"a{i}", priority="medium") for i in range(3)]
    inst = instance(ws, cs, manager_max_cases=6.0)
    (c,) = _components(inst)
    assert len(classes(c, counting_stages(c))) == 2
    r = count_stages(inst, time_limit=5)
    assert r.proven and r.values["waiting_medium"] == 0
    assert all(r.assignment[f"~h{i}"] == ("W1" if i < 3 else "W2") for i in range(5))
    _check_plan(inst, r)


def test_the_longest_waiting_are_allocated_first_within_a_class():
    ws = [worker("W1", max_children=2.0)]
    cs = [child(f"a{i}", waited_days=d) for i, d in enumerate([5, 30, 1, 12])]
    inst = instance(ws, cs)
    (c,) = _components(inst)
    r = count_component(c, time_limit=5)
    assert r.values["waiting_medium"] == 2 and r.values["waited_medium"] == 6 and r.all_proven
    placed = {c.families[fi].id for fi, wi in r.sol.items() if wi is not None}
    assert placed == {"~a1", "~a3"}


def test_a_move_budget_is_refused():
    inst = instance([worker("W1")], [child("a0")])
    (c,) = _components(inst)
    with pytest.raises(ValueError):
        count_component(dataclasses.replace(c, max_moves=1))


@pytest.mark.parametrize("seed", range(25))
def test_the_class_model_proves_moves_or_a_fairness_level_only_where_no_plan_does_better(seed, monkeypatch):
    """aggregate.refutes is a relaxation of the full model: given the stages before `moves` or a fairness level
    held at the full solve's proven values, it never proves that no plan does better than a value above the
    optimum (a plan at the optimum does), nor does its linear relaxation's bound (floor_of), nor its search for
    the least moves (best_moves), whose plan moves no fewer; and the plans solved with them
    (solve._fairness_step, solve._moves_step) reach the same proven values as those solved without."""
    from allocator import aggregate
    from allocator import solve as solve_module
    from allocator.aggregate import best_moves, floor_of, refutes
    from allocator.model import REFUTABLE
    inst = _waiting_council(seed)
    at_optimum = floors_at_optimum = moves_at_optimum = 0
    for c in _components(inst):
        monkeypatch.setattr(solve_module, "_worth_counting", lambda c: None)  # the full model alone
        alone = solve_component(c, 0, 1e6)
        monkeypatch.setattr(solve_module, "_worth_counting", classes)  # the class model wherever it can
        monkeypatch.setattr(aggregate, "LP_FIRST", 0)  # and its linear relaxation first, however small
        helped = solve_component(c, 0, 1e6)
        monkeypatch.setattr(aggregate, "LP_FIRST", 10**9)  # and its search for the least moves (best_moves)
        searched = solve_component(c, 0, 1e6)
        for r in (helped, searched):
            assert all(s.optimal for s in alone.stages) and all(s.optimal for s in r.stages)
            assert [s.value for s in r.stages] == [s.value for s in alone.stages]
        held = [(s.name, s.value) for s in alone.stages]
        at = next(i for i, (n, _) in enumerate(held) if n == "moves")
        bound, proven, found, _ = best_moves(c, classes(c), held[:at], (alone.sol, alone.joins, alone.unsupervised),
                                             seed=0, work=100)
        assert bound <= held[at][1] and (found is None or values(c, found[0], found[1])["moves"] >= bound)
        moves_at_optimum += proven and bound == held[at][1]
        for name in REFUTABLE:
            at = next(i for i, (n, _) in enumerate(held) if n == name)
            before, best = held[:at], held[at][1]
            for above in (best + 1, best + 1000):
                assert not refutes(c, classes(c), before, name, above, seed=0, work=100)[0]
            at_optimum += refutes(c, classes(c), before, name, best, seed=0, work=100)[0]
            floor, _ = floor_of(c, classes(c), before, name)  # its linear relaxation's bound, too
            assert floor is None or floor <= best
            floors_at_optimum += floor == best and name == "moves"
    assert at_optimum > 0 or seed % 5  # it proves some (checked on a fifth of the councils)
    assert floors_at_optimum > 0 or seed % 5
    assert moves_at_optimum > 0 or seed % 5


def test_a_fairness_level_is_not_proven_from_days_waited_the_class_model_cannot_count(monkeypatch):
    """A move budget of 0 leaves family B's siblings waiting (days waited: high 2, medium 0) where the class
    model, which leaves a class's members waiting in one order, would leave A's (high 1, medium 10). Held at
    the full plan's days waited, the class model found no plan at all and so 'proved' any fairness value; it
    now holds no days-waited stage, and the plan's fairness values are those the full model proves alone."""
    from allocator import solve as solve_module
    ws = [worker("W1", max_children=4.0), worker("W2", max_children=1.5)]
    cs = [child("a0", family="A", current_worker="W1"),
          child("a1", family="A", priority="high", waited_days=1),
          child("a2", family="A", priority="medium", waited_days=10),
          child("b0", family="B", current_worker="W2"),
          child("b1", family="B", priority="high", waited_days=2),
          child("b2", family="B", priority="medium", waited_days=0),
          child("d", family="D", priority="low", weight=0.5)]
    [c] = _components(instance(ws, cs))
    c = dataclasses.replace(c, max_moves=0)
    helped = solve_component(c, 0, 1e6)
    monkeypatch.setattr(solve_module, "_worth_counting", lambda c: None)  # the full model alone
    alone = solve_component(c, 0, 1e6)
    assert [(s.name, s.value, s.optimal) for s in helped.stages] == [(s.name, s.value, s.optimal)
                                                                    for s in alone.stages]
    assert all(s.optimal for s in helped.stages)
