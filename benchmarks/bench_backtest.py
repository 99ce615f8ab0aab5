"""Score the demand forecast on the DfE files for several origin/target pairs: MAPE against no change,
P10-P90 coverage and time (the table in the README's backtest section).

    python -m benchmarks.bench_backtest [--dfe ../shared/data/dfe/csww_indicators_2017_to_2023.csv]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from workforce.backtest import councils, score

DFE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe" / "csww_indicators_2017_to_2023.csv"
PAIRS = ((2019, 2023), (2018, 2022), (2017, 2020), (2020, 2023), (2019, 2021), (2021, 2023), (2022, 2023))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dfe", type=Path, default=DFE)
    args = ap.parse_args()
    panel, _ = councils(args.dfe)
    print("| from → to | councils | MAPE forecast | MAPE no change | inside P10-P90 | method | seconds |")
    print("|---|---|---|---|---|---|---|")
    for origin, target in PAIRS:
        t = time.perf_counter()
        b = score(panel, origin, target)
        print(f"| {origin} → {target} | {len(b.by_council)} | {b.mape:.1f}% | {b.mape_no_change:.1f}% | "
              f"{b.coverage:.0%} | {b.calibration.method} | {time.perf_counter() - t:.2f} |")


if __name__ == "__main__":
    main()
