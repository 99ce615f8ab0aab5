"""The late stages' bounds from totals (allocator/floors.py): never above what a plan can reach, and on the
teams councils have, often reached by the plan the earlier stages leave, so those stages need no model.

(a) On small random councils, against every feasible plan enumerated: for the values of any feasible plan
held at the stages before, no plan keeping them does better than the bound. (b) On generated councils, the
bound at the earlier stages' optimum is at most the optimum the solver proves without the bounds, and meets
it for most of the teams."""
from __future__ import annotations

from hypothesis import assume, given
from test_aggregate import _components
from test_properties import SETTINGS, councils, feasible_plans, soft_pins

from allocator import floors, validator
from allocator.inputs import load_instance
from allocator.rules import scaled
from allocator.solve import Options, allocate, solve_component
from benchmarks import generate
from policy.settings import Policy


@SETTINGS
@given(councils())
def test_no_plan_keeping_the_stages_before_goes_below_the_bound(inst):
    comps = _components(inst)
    assume(len(comps) == 1)
    plan = allocate(inst, Options(threads=1, time_limit=10))
    names = validator.levels(inst.policy)
    plans = [obj for obj, _ in feasible_plans(inst, plan.solution, soft_pins(plan))]
    for i, name in enumerate(names):
        if name not in floors.FLOORED:
            continue
        for before in sorted({obj[:i] for obj in plans}):
            best = min(obj[i] for obj in plans if all(q <= p for q, p in zip(obj[:i], before, strict=True)))
            held = dict(zip(names[:i], before, strict=True))
            assert floors.floor(comps[0], name, held) <= best, (name, held, best)


def test_bounds_meet_the_proven_optimum_on_most_teams(tmp_path, monkeypatch):
    workers, cases = generate.generate_council(12, 11, 140, 5)
    generate.write_council(tmp_path, workers, cases)
    inst = load_instance(tmp_path / "workers.csv", tmp_path / "cases.csv", Policy()).instance
    comps = _components(inst)
    monkeypatch.setattr(floors, "floor", lambda c, name, held: 0)  # the optimum, proven without the bounds
    results = [solve_component(c, 0, 1e6) for c in comps]
    monkeypatch.undo()
    met = 0
    for c, r in zip(comps, results, strict=True):
        held = {}
        for s in r.stages:
            assert s.optimal
            if s.name in floors.FLOORED:
                bound = floors.floor(c, s.name, held)
                assert bound <= s.value, (s.name, bound, s.value)
                met += bound == s.value
            held[s.name] = s.value
    assert met >= 2 * len(comps)  # of three stages a team


@SETTINGS
@given(councils())
def test_no_plan_keeping_the_stages_before_leaves_a_worker_below_their_least_load(inst):
    """floors.least_loads, which the later stages' models hold every worker to: no plan keeping the stages
    before (from `over_capacity` on) gives a worker less."""
    comps = _components(inst)
    assume(len(comps) == 1)
    c = comps[0]
    plan = allocate(inst, Options(threads=1, time_limit=10))
    names = validator.levels(inst.policy)
    assume("over_capacity" in names)
    weight = {k.id: scaled(k.weight) for k in inst.children}
    plans = []
    for obj, worker_of in feasible_plans(inst, plan.solution, soft_pins(plan)):
        load = dict.fromkeys(range(len(c.workers)), 0)
        for kid, wid in worker_of.items():
            if wid in c.index:
                load[c.index[wid]] += weight[kid]
        plans.append((obj, load))
    start = names.index("over_capacity") + 1
    for i in range(start, len(names) + 1):
        for before in sorted({obj[:i] for obj, _ in plans}):
            held = dict(zip(names[:i], before, strict=True))
            least = floors.least_loads(c, held)
            for obj, load in plans:
                if all(q <= p for q, p in zip(obj[:i], before, strict=True)):
                    assert all(load[wi] >= x for wi, x in least.items()), (held, least, load)
