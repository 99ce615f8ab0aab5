"""Scale benchmark: `caseload validate` and `caseload allocate` on a county of about 200,000 children.

    python -m benchmarks.bench_scale [--teams 1400] [--runs 3] [--time-limit 60]

Each run is the real command in a fresh process, timed from outside, with its peak memory (the
process's maximum resident set). The baseline, measured in the same run, is the
100-team council (14,300 children): the ratio of seconds per child shows whether time grows in line
with the council. It also says whether the run stayed within the time limit, and whether the clock
cut the solve (a cut run writes the starting plan, the same every time).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_allocate import machine
from benchmarks.generate import generate_council, write_council

HERE = Path(__file__).resolve().parent

RUNNER = """
import resource, sys
from cli import main
try:
    main(sys.argv[1:])
finally:
    print("peak_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def measure(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak MB, stdout) of one fresh `caseload` process."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=HERE.parent, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"caseload {args[0]} failed ({r.returncode}): {r.stderr[-2000:]}")
    peak_kb = int(r.stderr.rsplit("peak_kb", 1)[1].split()[0])
    return wall, peak_kb / 1024, r.stdout


def bench(folder: Path, runs: int, limit: float) -> tuple[dict[str, list[tuple[float, float]]], dict[str, Any]]:
    """(wall seconds, peak MB) of each run of `validate` and `allocate`, by command, and the last summary.json."""
    files = ["--workers", str(folder / "workers.csv"), "--cases", str(folder / "cases.csv")]
    out: dict[str, list[tuple[float, float]]] = {"validate": [], "allocate": []}
    summary: dict[str, Any] = {}
    for _ in range(runs):
        out["validate"].append(measure(["validate", *files])[:2])
        with tempfile.TemporaryDirectory() as tmp:
            wall, peak, text = measure(["allocate", *files, "--time-limit", str(limit), "--quiet", "--json",
                                        "--out", str(Path(tmp) / "plan")])
        out["allocate"].append((wall, peak))
        summary = json.loads(text)
    return out, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teams", type=int, default=1400, help="1400 teams of 11.4 workers: about 220,000 children")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"machine: {machine()}; load 1.1, seed {args.seed}, median of {args.runs} fresh processes, "
          f"--time-limit {args.time_limit:g}")
    print("council | children | command | median wall s | s per 1,000 children | ratio to baseline | "
          "peak MB | within limit | cut by clock")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name, teams, per_team in (("baseline", 100, 130.0), ("county", args.teams, 143.0)):
            folder = Path(tmp) / name
            write_council(folder, *generate_council(teams, 11.4, per_team, seed=args.seed, load=1.1))
            figures, summary = bench(folder, args.runs, args.time_limit)
            n = summary["children"]
            rows = {}
            for cmd in ("validate", "allocate"):
                wall = statistics.median(w for w, _ in figures[cmd])
                rows[cmd] = (wall, wall / n * 1000, max(p for _, p in figures[cmd]))
            results[name] = (teams, n, rows, summary)
    base = results["baseline"][2]
    for name in ("baseline", "county"):
        teams, n, rows, s = results[name]
        for cmd, (wall, per, peak) in rows.items():
            within = "" if cmd == "validate" else ("yes" if wall <= args.time_limit else "NO")
            cut = s["cut_short"] if cmd == "allocate" else ""
            print(f"{teams} teams | {n:,} | {cmd} | {wall:.1f} | {per:.3f} | {per / base[cmd][1]:.2f} | {peak:.0f} | "
                  f"{within} | {cut}")
        print(f"  {name} stages:", ", ".join(f"{st['stage']} {st['value']}"
                                             f"{'' if st['proven_optimal'] else ' (not proven)'}"
                                             for st in s["stages"]))


if __name__ == "__main__":
    main()
