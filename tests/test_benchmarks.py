"""The benchmark scripts stay runnable: the greedy baseline is a valid plan the solver never loses to."""
from __future__ import annotations

from allocator.inputs import load_instance
from allocator.solve import Options, allocate
from benchmarks.bench_allocate import greedy_figures
from benchmarks.generate import generate_council, write_council
from policy.settings import Policy


def test_greedy_baseline_is_valid_and_never_beats_the_solver(tmp_path):
    workers, cases = generate_council(3, 8, 100, seed=3, load=1.15)
    write_council(tmp_path, workers, cases)
    g = greedy_figures(tmp_path)
    assert g["valid"]
    plan = allocate(load_instance(tmp_path / "workers.csv", tmp_path / "cases.csv", Policy()).instance,
                    Options(threads=1))
    bp = plan.summary.by_priority
    high_waiting = bp["high"]["awaiting"] - bp["high"]["allocated"]
    over = sum(plan.summary.over_capacity_load.values())
    # the contract's order: high-priority children waiting first, then over-capacity load
    assert (high_waiting, round(over, 2)) <= (g["waiting"][0], round(g["over_capacity"], 2))


def test_a_tiny_time_limit_still_gives_a_valid_plan_and_says_it_is_unproven(tmp_path):
    from allocator.validator import check
    workers, cases = generate_council(4, 10, 130, seed=5, load=1.15)
    write_council(tmp_path, workers, cases)
    inst = load_instance(tmp_path / "workers.csv", tmp_path / "cases.csv", Policy()).instance
    plan = allocate(inst, Options(time_limit=0.001, threads=1))
    assert check(inst, plan) == []
    assert len(plan.rows) == len(inst.children)
    unproven = [s for s in plan.solution.stages if not s.optimal]
    assert (plan.summary.status == "feasible") == bool(unproven)
