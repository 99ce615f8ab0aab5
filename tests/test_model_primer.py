"""A primer on the CP-SAT model (allocator/model.py): each `add_*` rule alone, on a tiny hand-made component.

Every test builds a component of a few workers and families, adds ONLY the rule it is about (and
`add_assignment`, whose variables the others constrain) to a bare `CpModel`, then lets CP-SAT list
every plan the model allows, or push as hard as it can towards what the rule forbids. What the
rule's docstring allows must be among the plans; what it forbids must not be, or must be out of reach.

Plans are tuples with one entry per family: the index of the worker its core goes to, or None.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from allocator.instance import Child, Worker
from allocator.model import (
    PERMILLE,
    Component,
    Vars,
    add_assignment,
    add_capacity,
    add_max_moves,
    add_peak,
    add_supervision,
)
from allocator.rules import Family, scaled

Plan = tuple[int | None, ...]

# ---- building a component by hand (one place to change if the constructors change) ----


def worker(wid: str, capacity: float = 10.0, role: str = "social_worker") -> Worker:
    return Worker(id=wid, team="T1", role=role, fte=1.0, capacity=capacity)


def child(cid: str, current: str | None = None, weight: float = 1.0) -> Child:
    """A child in T1; `current` is the worker who holds them now (None: awaiting allocation)."""
    return Child(id=cid, team="T1", category="cin", family_id="", current_worker=current, weight=weight)


def family(fid: str, *children: Child) -> Family:
    return Family(fid, "T1", tuple(dataclasses.replace(c, family_id=fid) for c in children))


def component(workers: Sequence[Worker], families: Sequence[Family], domains: Sequence[Sequence[int]] | None = None,
              **options: Any) -> Component:
    """A component of one team; every family may go to every worker unless `domains` says otherwise.
    Each worker's current load is the scaled weight of the children who name them as current worker."""
    load = [sum(scaled(c.weight) for f in families for c in f.children if c.current_worker == w.id) for w in workers]
    doms = [list(d) for d in domains] if domains is not None else [list(range(len(workers))) for _ in families]
    return Component(("T1",), list(workers), list(families), doms, load, **options)


def model(c: Component, *rules: Callable[[Component, cp_model.CpModel, Vars], None]) -> tuple[cp_model.CpModel, Vars]:
    """A bare model with add_assignment and then `rules`, in that order."""
    m, v = cp_model.CpModel(), Vars()
    add_assignment(c, m, v)
    for rule in rules:
        rule(c, m, v)
    return m, v


# ---- asking CP-SAT (one worker, fixed seed: the same search every run) ----


def solver() -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.random_seed = 7
    return s


class _Collect(cp_model.CpSolverSolutionCallback):
    def __init__(self, project: Callable[[cp_model.CpSolverSolutionCallback], Hashable]) -> None:
        super().__init__()
        self.project = project
        self.seen: set[Hashable] = set()

    def on_solution_callback(self) -> None:
        self.seen.add(self.project(self))


def enumerate_all(m: cp_model.CpModel, project: Callable[[cp_model.CpSolverSolutionCallback], Hashable]) -> set:
    """Every solution of the model, each seen through `project` (duplicates merged)."""
    s = solver()
    s.parameters.enumerate_all_solutions = True
    collect = _Collect(project)
    status = s.solve(m, collect)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE), s.status_name(status)  # the search was complete
    return collect.seen


def plan_of(c: Component, v: Vars) -> Callable[[cp_model.CpSolverSolutionCallback], Plan]:
    def project(s: cp_model.CpSolverSolutionCallback) -> Plan:
        return tuple(next((wi for wi, var in v.by_family[fi] if s.boolean_value(var)), None)
                     for fi in range(len(c.families)))
    return project


def plans(c: Component, m: cp_model.CpModel, v: Vars) -> set[Plan]:
    return enumerate_all(m, plan_of(c, v))


def every_plan(c: Component) -> set[Plan]:
    """Every plan the domains allow, before any rule: each family to one worker of its domain, or to none."""
    return set(itertools.product(*[[None, *d] for d in c.domains]))


def optimum(m: cp_model.CpModel, expr: cp_model.LinearExprT, maximize: bool = False) -> int:
    if maximize:
        m.maximize(expr)
    else:
        m.minimize(expr)
    s = solver()
    status = s.solve(m)
    assert status == cp_model.OPTIMAL, s.status_name(status)
    return round(s.objective_value)


def place(m: cp_model.CpModel, v: Vars, plan: Plan) -> None:
    """Fix the model to one plan."""
    for fi, wi in enumerate(plan):
        if wi is None:
            m.add(v.given[fi] == 0)
        else:
            m.add(v.x[fi, wi] == 1)


# ---- add_assignment ----


def test_assignment_gives_each_family_one_worker_of_its_domain_or_none():
    c = component([worker("A"), worker("B")], [family("F0", child("a")), family("F1", child("b"))],
                  domains=[[0, 1], [1]])
    m, v = model(c)
    assert plans(c, m, v) == {(None, None), (0, None), (1, None), (None, 1), (0, 1), (1, 1)}


def test_assignment_given_is_one_exactly_when_the_family_has_a_worker():
    c = component([worker("A"), worker("B")], [family("F0", child("a"))])
    m, v = model(c)
    seen = enumerate_all(m, lambda s: (plan_of(c, v)(s)[0], s.value(v.given[0])))
    assert seen == {(None, 0), (0, 1), (1, 1)}


def test_assignment_newcomers_join_only_the_worker_their_siblings_go_to():
    held, newcomer = child("h", current="A"), child("n")
    c = component([worker("A"), worker("B")], [family("F", held, newcomer)], joins={0: [0, 1]})
    m, v = model(c)

    def worker_and_join(s: cp_model.CpSolverSolutionCallback) -> tuple[int | None, int | None]:
        joined_at = next((wi for (_, wi), var in v.j.items() if s.boolean_value(var)), None)
        return plan_of(c, v)(s)[0], joined_at

    # the newcomer waits (None) or joins the worker the held sibling goes to, never another
    assert enumerate_all(m, worker_and_join) == {(None, None), (0, None), (0, 0), (1, None), (1, 1)}


def test_assignment_load_is_the_weight_of_the_core_and_of_newcomers_who_joined():
    held, newcomer = child("h", current="A", weight=1.0), child("n", weight=1.5)
    c = component([worker("A")], [family("F", held, newcomer), family("G", child("g", weight=0.5))],
                  joins={0: [0]})
    m, v = model(c)

    def load(s: cp_model.CpSolverSolutionCallback) -> tuple[Plan, bool, int]:
        return plan_of(c, v)(s), s.boolean_value(v.joined[0]), s.value(v.load[0])

    # (F's core, G) placed with A or not, and F's newcomer joined or not: load 100 + 150 + 50 at most
    assert enumerate_all(m, load) == {((None, None), False, 0), ((0, None), False, 100), ((0, None), True, 250),
                                      ((None, 0), False, 50), ((0, 0), False, 150), ((0, 0), True, 300)}


# ---- add_capacity ----


def test_capacity_no_allocation_takes_a_worker_within_capacity_over_it():
    c = component([worker("A", capacity=2)], [family(f"F{i}", child(f"c{i}")) for i in range(3)])
    m, v = model(c, add_capacity)
    assert plans(c, m, v) == {p for p in every_plan(c) if sum(w is not None for w in p) <= 2}


def test_capacity_an_overloaded_worker_keeps_what_they_hold_but_takes_no_one_new():
    # A (capacity 1) holds a and b now; c awaits allocation
    c = component([worker("A", capacity=1)],
                  [family("Fa", child("a", current="A")), family("Fb", child("b", current="A")),
                   family("Fc", child("c"))])
    m, v = model(c, add_capacity)
    allowed = plans(c, m, v)
    assert (0, 0, None) in allowed  # keeps both, over capacity
    assert (None, None, 0) in allowed  # within capacity again, A may take c
    assert (0, 0, 0) not in allowed and (0, None, 0) not in allowed and (None, 0, 0) not in allowed
    assert allowed == {(None, None, None), (0, None, None), (None, 0, None), (0, 0, None), (None, None, 0)}


def test_capacity_excess_is_the_load_above_capacity_of_an_overloaded_worker():
    c = component([worker("A", capacity=1)],
                  [family("Fa", child("a", current="A")), family("Fb", child("b", current="A"))])
    m, v = model(c, add_capacity)
    place(m, v, (0, 0))
    assert optimum(m, v.excess[0]) == scaled(1)  # 2 held against capacity 1


# ---- add_supervision ----


def _two_nqsws_one_place(places: int) -> Component:
    """N1 and N2 (NQSWs) each hold a child now; two children await allocation; the team has `places` places."""
    return component([worker("N1", role="nqsw"), worker("N2", role="nqsw")],
                     [family("F1", child("k1", current="N1")), family("F2", child("k2", current="N2")),
                      family("Fx", child("x")), family("Fy", child("y"))],
                     supervision={"T1": (places, [0, 1])})


def test_supervision_gives_no_more_places_than_the_team_has():
    c = _two_nqsws_one_place(1)
    m, v = model(c, add_supervision)
    assert optimum(m, sum(v.supervised.values()), maximize=True) == 1


def test_supervision_an_nqsw_without_a_place_keeps_their_children_but_takes_no_one_new():
    c = _two_nqsws_one_place(1)
    m, v = model(c, add_supervision)

    def takes_someone_new(p: Plan) -> set[int]:
        return {wi for fi, wi in enumerate(p) if wi is not None and c.is_new(fi, wi)}

    allowed = plans(c, m, v)
    assert (0, 1, None, None) in allowed  # both keep their own children
    assert (0, 1, 0, 0) in allowed  # one NQSW, with the place, takes both newcomers
    assert (0, 1, 0, 1) not in allowed  # two NQSWs take someone new: one of them has no place
    assert allowed == {p for p in every_plan(c) if len(takes_someone_new(p)) <= 1}


def test_supervision_newcomers_may_not_join_an_nqsw_without_a_place():
    c = component([worker("N", role="nqsw")], [family("F", child("h", current="N"), child("n"))],
                  joins={0: [0]}, supervision={"T1": (0, [0])})
    m, v = model(c, add_supervision)
    assert enumerate_all(m, lambda s: (plan_of(c, v)(s), s.boolean_value(v.joined[0]))) == {
        ((None,), False), ((0,), False)}


# ---- add_max_moves ----


def _moves_council(max_moves: int | None) -> Component:
    """A holds the two siblings of F; B holds g; h awaits allocation."""
    return component([worker("A"), worker("B")],
                     [family("F", child("f1", current="A"), child("f2", current="A")),
                      family("G", child("g", current="B")), family("H", child("h"))], max_moves=max_moves)


def moves(c: Component, p: Plan) -> int:
    """Children whose worker changes (dropping a child or placing an awaiting one is no move)."""
    return sum(c.families[fi].with_worker - c.families[fi].held_by(c.workers[wi].id)
               for fi, wi in enumerate(p) if wi is not None)


def test_max_moves_allows_exactly_the_plans_within_the_budget():
    c = _moves_council(1)
    m, v = model(c, add_max_moves)
    allowed = plans(c, m, v)
    assert (0, 0, 1) in allowed  # g moves to A: one move
    assert (1, 1, 1) not in allowed  # F's two children move to B
    assert allowed == {p for p in every_plan(c) if moves(c, p) <= 1}


def test_max_moves_zero_still_drops_and_allocates():
    c = _moves_council(0)
    m, v = model(c, add_max_moves)
    allowed = plans(c, m, v)
    assert (None, None, 0) in allowed and (None, None, 1) in allowed
    assert allowed == {p for p in every_plan(c) if moves(c, p) == 0}


def test_max_moves_none_leaves_every_plan_allowed():
    c = _moves_council(None)
    m, v = model(c, add_max_moves)
    assert plans(c, m, v) == every_plan(c)


# ---- add_peak ----


def peak(v: Vars) -> cp_model.IntVar:
    assert v.peak is not None  # add_peak made it
    return v.peak


def test_peak_is_at_least_every_case_holding_workers_utilisation_rounded_up():
    # A holds 1 of 4 (250 per mille), B 1 of 3 (333.3, so 334)
    c = component([worker("A", capacity=4), worker("B", capacity=3)],
                  [family("Fa", child("a")), family("Fb", child("b"))])
    m, v = model(c, add_peak)
    place(m, v, (0, 1))
    assert optimum(m, peak(v)) == 334


def test_peak_leaves_out_workers_without_capacity():
    c = component([worker("A", capacity=4), worker("Z", capacity=0)],
                  [family("Fa", child("a")), family("Fz", child("z"))])
    m, v = model(c, add_peak)
    place(m, v, (0, 1))
    assert optimum(m, peak(v)) == PERMILLE // 4


def test_peak_leaves_out_the_excess_an_overloaded_worker_cannot_move_aside():
    # A (capacity 1) keeps the 2 children it holds: 1 above capacity is excess, the rest is 1000 per mille
    c = component([worker("A", capacity=1)],
                  [family("Fa", child("a", current="A")), family("Fb", child("b", current="A"))])
    m, v = model(c, add_capacity, add_peak)
    place(m, v, (0, 0))
    assert optimum(m, peak(v)) == PERMILLE
