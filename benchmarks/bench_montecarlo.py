"""Time the vectorised Monte Carlo: one scenario x 10,000 draws, and every council in the DfE
workforce file x 1,000 draws x 60 months stacked into one computation (target: <= 10 s on 2 cores).
Median of 3 runs. Without the DfE file, 150 synthetic councils of DfE-like size stand in.

    python -m benchmarks.bench_montecarlo [--dfe ../shared/data/dfe/csww_indicators_2017_to_2023.csv] [--runs 1000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from workforce.montecarlo import run_many
from workforce.scenario import parse_scenario

DFE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe" / "csww_indicators_2017_to_2023.csv"

UNCERTAINTY = {"growth_per_year": [0.0, 0.08], "turnover_per_year": [0.10, 0.20],
               "prevention_achieved": [0.5, 1.0], "intake_filled": [0.6, 1.0], "placement_cost": [35000, 45000]}


def council(n: int, rng: random.Random) -> dict:
    """A synthetic council of DfE-like size (150 to 5,000 children), 5 years from 2026-04."""
    children = rng.randint(150, 5000)
    fte = children / rng.uniform(13, 20)
    agency = fte * rng.uniform(0.05, 0.3)
    return {
        "name": f"Council {n:03d}", "start": "2026-04", "years": 5,
        "demand": {"children": children, "growth_per_year": rng.uniform(0.0, 0.06)},
        "policy": {"children_per_fte": 15, "non_availability": 0.03},
        "workforce": {"case_holder_fte": round(fte - agency, 1), "nqsw_fte": round(fte * 0.1, 1),
                      "agency_fte": round(agency, 1), "turnover_per_year": rng.uniform(0.1, 0.2),
                      "agency_target_share": 0.1},
        "intake": [{"month": "2026-09", "nqsw": round(fte * 0.08)}, {"month": "2027-09", "nqsw": round(fte * 0.08)}],
        "placements": {"baseline": children // 4, "growth_per_year": children // 100,
                       "prevented_per_year": [2, 4, 6, 6, 6], "average_cost": 40000},
        "uncertainty": UNCERTAINTY,
    }


def five_years(doc: dict) -> dict:
    """A DfE baseline run over 60 months, with the same uncertainty ranges as the synthetic councils."""
    doc = {**doc, "years": 5, "uncertainty": UNCERTAINTY}
    if "placements" in doc:
        doc["placements"] = {**doc["placements"], "prevented_per_year": [0] * 5}
    return doc


def median_seconds(fn: Callable[[], object], repeats: int = 3) -> float:
    """Median wall seconds of `repeats` calls of `fn`."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dfe", type=Path, default=DFE, help="DfE CSWW indicators CSV (default: ../shared/data/dfe/)")
    ap.add_argument("--councils", type=int, default=150, help="synthetic councils when the DfE file is absent")
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args()
    if args.dfe.exists():
        from workforce.baseline import scenarios as dfe_scenarios
        docs = dfe_scenarios(args.dfe, 2023)
        scenarios = [parse_scenario(five_years(doc), f"{name}.toml") for name, doc in sorted(docs.items())]
        label = f"{len(scenarios)} councils (DfE 2023)"
    else:
        rng = random.Random(1)
        scenarios = [parse_scenario(council(n, rng), f"council_{n:03d}.toml") for n in range(args.councils)]
        label = f"{len(scenarios)} synthetic councils"
    args.councils = label
    one = median_seconds(lambda: run_many(scenarios[:1], runs=10_000, seed=0))
    print(f"1 scenario x 10,000 draws x 60 months: {one:.2f} s (median of 3)")
    many = median_seconds(lambda: run_many(scenarios, runs=args.runs, seed=0))
    print(f"{args.councils} x {args.runs:,} draws x 60 months: {many:.2f} s (median of 3; target <= 10 s)")


if __name__ == "__main__":
    main()
