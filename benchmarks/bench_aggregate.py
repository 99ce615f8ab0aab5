"""The counting stages on the aggregated (class) model against the full solver (allocator/aggregate.py).

    python -m benchmarks.bench_aggregate [--cases weighted ramp50 ...] [--time-limit 20] [--no-full]

For each case (bench_cliffs' instances, and the default sample) it prints the classes against the
families, the class model's wall time and its value of every stage before `moves` (with `*` where proven,
else `value [bound]`), whether its plan's values recomputed by model.values agree, and the full solver's
values and bounds from `caseload allocate --json` on the same files (a fresh process, default limit).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from allocator.aggregate import count_stages
from allocator.inputs import load_instance
from benchmarks.bench_allocate import machine
from benchmarks.bench_cliffs import CASES as CLIFFS
from benchmarks.bench_scale import measure
from policy.settings import load_policy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SHOWN = {"over_capacity": 100, "above_capacity": 100}  # hundredths of a weighted child


def sample(folder: Path) -> tuple[list[str], str]:
    return (["--workers", str(SAMPLE / "workers.csv"), "--cases", str(SAMPLE / "cases.csv"),
             "--policy", str(SAMPLE / "policy.toml")], "sample, default policy")


CASES: dict[str, Callable[[Path], tuple[list[str], str]]] = {
    "weighted": CLIFFS["weighted"], "ramp50": CLIFFS["ramp50"], "u120_00": CLIFFS["u120_00"],
    "t120_00": CLIFFS["t120_00"], "cross20": CLIFFS["cross20"], "sample": sample}


def shown(name: str, x: float) -> str:
    return f"{x / SHOWN[name]:g}" if name in SHOWN else f"{x:g}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--time-limit", type=float, default=20.0, help="wall seconds for the class model, per case")
    ap.add_argument("--workers", type=int, default=1, help="CP-SAT workers for the class model")
    ap.add_argument("--no-full", action="store_true", help="skip the full solver's run")
    args = ap.parse_args()
    print(f"machine: {machine()}; class model: {args.time_limit:g} s limit, {args.workers} CP-SAT worker(s)")
    print("case | families | classes | class model wall s | class model stages (* proven, else [bound]) | "
          "plan check | full solver wall s | full solver stages")
    for name in args.cases:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            files, label = CASES[name](folder)
            given = dict(zip(files[0:6:2], files[1:6:2], strict=True))
            pol, _ = load_policy(given["--policy"])
            inst = load_instance(given["--workers"], given["--cases"], pol).instance
            t = time.perf_counter()
            r = count_stages(inst, time_limit=args.time_limit, workers=args.workers)
            wall = time.perf_counter() - t
            agg = ", ".join(f"{s} {shown(s, v)}" + ("*" if r.stage_proven[s] else f" [{shown(s, r.bounds[s])}]")
                            for s, v in r.values.items())
            check = "same" if r.check == r.values else f"differs: {r.check}"
            full_wall, full = "-", "-"
            if not args.no_full:
                w, _, text = measure(["allocate", *files, "--quiet", "--json", "--out", str(folder / "plan")])
                stages = json.loads(text)["stages"]
                full_wall = f"{w:.1f}"
                full = ", ".join(f"{s['stage']} {s['value']:g}" + ("*" if s["proven_optimal"] else f" [{s['bound']:g}]")
                                 for s in stages if s["stage"] in r.values)
            print(" | ".join((f"{name} ({label})", str(r.families), str(r.classes), f"{wall:.1f}", agg, check,
                              full_wall, full)), flush=True)


if __name__ == "__main__":
    main()
