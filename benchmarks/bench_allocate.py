"""Allocator benchmark: generated councils near capacity, the CP-SAT plan against a manager's greedy.

    python -m benchmarks.bench_allocate [--sizes small medium large] [--runs 3] [--load 1.1]

For each size it prints the median wall time of `caseload allocate` (a fresh process each run),
its peak memory, whether every stage was proven optimal, children left waiting by priority,
moves and peak utilisation, and the same figures for the greedy baseline (keep everyone, relieve
the overloaded, then the lowest caseload first within the team: what a manager does by hand).
It then times `--keep-current` on the 50-team council with 100 children awaiting allocation.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import PRESETS, generate_council, write_council

HERE = Path(__file__).resolve().parent

RUNNER = """
import json, resource, sys, time
from allocator.inputs import load_instance
from policy.settings import Policy
from allocator.solve import Options, allocate
from allocator.write import write_plan
t = time.perf_counter()
loaded = load_instance(sys.argv[1] + "/workers.csv", sys.argv[1] + "/cases.csv", Policy())
plan = allocate(loaded.instance, Options(keep_current=sys.argv[3] == "keep"))
write_plan(plan, sys.argv[2])
s = plan.summary.to_json()
s["wall_seconds"] = time.perf_counter() - t
s["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(s))
"""


def run_once(folder: Path, keep: bool) -> dict[str, Any]:
    """summary.json of one `caseload allocate`-like run in a fresh process, with its wall time and peak memory."""
    with tempfile.TemporaryDirectory() as out:
        r = subprocess.run([sys.executable, "-c", RUNNER, str(folder), out, "keep" if keep else "full"],
                           capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(r.stdout)


def greedy_figures(folder: Path, files: tuple[Path, Path, Path | None] | None = None) -> dict[str, Any]:
    """The greedy baseline's plan for the council in `folder` (or the workers, cases and policy `files`):
    whether it is valid, and its figures."""
    from allocator.greedy import greedy
    from allocator.inputs import load_instance
    from allocator.solve import Options, split
    from allocator.supervision import assign_supervisors
    from allocator.validator import check_assignment, levels, objectives
    from policy.settings import PRIORITIES, load_policy

    workers, cases, policy_file = files or (folder / "workers.csv", folder / "cases.csv", None)
    inst = load_instance(workers, cases, load_policy(policy_file)[0]).instance
    supervisors, missing = assign_supervisors(inst)
    t = time.perf_counter()
    worker_of: dict[str, str | None] = {}
    for comp in split(inst, Options(), frozenset(missing), {}):
        sol, joins = greedy(comp)
        for fi, wi in sol.items():
            f = comp.families[fi]
            for ch in f.children:
                waits = f.mixed and not ch.current_worker and fi not in joins
                worker_of[ch.id] = None if wi is None or waits else comp.workers[wi].id
    seconds = time.perf_counter() - t
    breaches = check_assignment(inst, worker_of, supervisors=supervisors, unsupervised=set(missing))
    obj = objectives(inst, worker_of, frozenset(missing))
    load = {w.id: 0.0 for w in inst.workers}
    for c in inst.children:
        w = worker_of.get(c.id)
        if w:
            load[w] += c.weight
    peak = max(load[w.id] / w.capacity for w in inst.workers if w.capacity > 0)
    value = dict(zip(levels(inst.policy), obj, strict=True))  # the stages by name, in the policy's order
    return {"seconds": seconds, "valid": not breaches, "moves": value["moves"], "peak": peak,
            "waiting": tuple(value[f"waiting_{p}"] for p in PRIORITIES), "over_capacity": value["over_capacity"] / 100}


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as fh:
        model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    return f"{os.cpu_count()} cores, {model or platform.processor()}, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["small", "medium", "large"], choices=sorted(PRESETS))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--load", type=float, default=1.1, help="demand against capacity (1.1: about 100%%)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"machine: {machine()}; load {args.load}, seed {args.seed}, median of {args.runs} runs")
    header = ("size", "teams", "workers", "children", "awaiting h/m/l", "wall s", "peak MB", "proven",
              "waiting h/m/l", "moves", "excess", "peak util", "| greedy waiting h/m/l", "moves", "excess", "peak util")
    print(" | ".join(header))
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            teams, wpt, cpt = PRESETS[size]
            folder = Path(tmp) / size
            workers, cases = generate_council(teams, wpt, cpt, seed=args.seed, load=args.load)
            write_council(folder, workers, cases)
            runs = [run_once(folder, keep=False) for _ in range(args.runs)]
            s = runs[0]
            bp = s["by_priority"]
            g = greedy_figures(folder)
            waiting = "/".join(str(bp[p]["awaiting"] - bp[p]["allocated"]) for p in ("high", "medium", "low"))
            awaiting_hml = "/".join(str(bp[p]["awaiting"]) for p in ("high", "medium", "low"))
            print(" | ".join(map(str, (
                size, teams, s["workers"], s["children"], awaiting_hml,
                f"{statistics.median(r['wall_seconds'] for r in runs):.2f}", f"{max(r['peak_mb'] for r in runs):.0f}",
                "all" if all(st["proven_optimal"] for st in s["stages"]) else
                ",".join(st["stage"] for st in s["stages"] if not st["proven_optimal"]) + " not proven",
                waiting, s["moved"], f"{sum(s['over_capacity_load'].values()):g}", f"{s['max_utilisation']:.0%}",
                "| " + "/".join(map(str, g["waiting"])) + ("" if g["valid"] else " (INVALID)"), g["moves"],
                f"{g['over_capacity']:g}", f"{g['peak']:.0%}"))))
        teams, wpt, cpt = PRESETS["medium"]
        workers, cases = generate_council(teams, wpt, cpt, seed=args.seed, load=args.load,
                                          awaiting_share=100 / (teams * cpt * args.load))
        folder = Path(tmp) / "keep"
        write_council(folder, workers, cases)
        runs = [run_once(folder, keep=True) for _ in range(args.runs)]
        s = runs[0]
        awaiting = sum(v["awaiting"] for v in s["by_priority"].values())
        wall = statistics.median(r["wall_seconds"] for r in runs)
        print(f"--keep-current, 50 teams, {awaiting} awaiting: median {wall:.2f} s "
              f"(solve {statistics.median(r['solve_seconds'] for r in runs):.2f} s), allocated {s['allocated']}, "
              f"moved {s['moved']}, peak {max(r['peak_mb'] for r in runs):.0f} MB, "
              f"{'all stages proven' if all(st['proven_optimal'] for st in s['stages']) else 'NOT all proven'}")


if __name__ == "__main__":
    main()
