"""The allocator off the default shape (issue 12): weighted caseloads, bin-packing benchmarks, pools,
an NQSW ramp, a move budget and a large council.

    python -m benchmarks.bench_cliffs [--runs 1] [--cases weighted u120_00 ...]

Each case is `caseload allocate` in a fresh process, timed from outside, with its peak memory. For
each it prints the median wall time, the peak memory, the stages proven optimal (or the ones that were
not), the children allocated and left waiting, and the same for the manager's greedy on the same
instance (bench_allocate.greedy_figures); the label gives the number of children first-fit-decreasing
places for the bin-packing cases, and the free plan's moves for the move budget (half of them).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_allocate import greedy_figures, machine
from benchmarks.bench_scale import measure
from benchmarks.binpacking import Instance, first_fit_decreasing, load, names, triplets, write_caseload
from benchmarks.generate import generate_council, write_council

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def policy_file(folder: Path, extra: str) -> Path:
    """The sample policy with the `extra` key = value line in place of the sample's own (or added before the
    first table)."""
    lines = (SAMPLE / "policy.toml").read_text(encoding="utf-8").splitlines()
    key = extra.split("=")[0].strip()
    at = next((i for i, line in enumerate(lines) if key and line.split("=")[0].strip() == key), None)
    if at is not None:
        lines[at] = extra
    elif extra:
        lines.insert(next(i for i, line in enumerate(lines) if line.startswith("[")), extra)
    path = folder / "policy.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def weighted(folder: Path) -> tuple[list[str], str]:
    text = (SAMPLE / "policy.toml").read_text(encoding="utf-8")
    text = text.replace("\ncp = 1.0", "\ncp = 1.5").replace("\nlac = 1.0", "\nlac = 1.2")
    (folder / "policy.toml").write_text(text, encoding="utf-8")
    files = ["--workers", str(SAMPLE / "workers.csv"), "--cases", str(SAMPLE / "cases.csv"),
             "--policy", str(folder / "policy.toml")]
    return files, "sample, weights cp 1.5 / lac 1.2"


def packing(name: str, made: Instance | None = None) -> Callable[[Path], tuple[list[str], str]]:
    def make(folder: Path) -> tuple[list[str], str]:
        inst = made or load(name)
        write_caseload(inst, folder)
        placed = sum(b is not None for b in first_fit_decreasing(list(inst.items), inst.capacity, inst.optimum))
        return (["--workers", str(folder / "workers.csv"), "--cases", str(folder / "cases.csv"),
                 "--policy", str(folder / "policy.toml")],
                f"{len(inst.items)} items in {inst.optimum} workers; FFD places {placed}")
    return make


def council(teams: int, extra: str = "") -> Callable[[Path], tuple[list[str], str]]:
    def make(folder: Path) -> tuple[list[str], str]:
        workers, cases = generate_council(teams, 11.4, 130, seed=1, load=1.1)
        write_council(folder, workers, cases)
        pol = policy_file(folder, extra)
        return ["--workers", str(folder / "workers.csv"), "--cases", str(folder / "cases.csv"),
                "--policy", str(pol)], f"{teams} teams {extra}".strip()
    return make


def half_moves(folder: Path) -> tuple[list[str], str]:
    files, _ = council(50)(folder)
    _, _, text = measure(["allocate", *files, "--quiet", "--json", "--out", str(folder / "free")])
    moves = json.loads(text)["moved"]
    return [*files, "--max-moves", str(moves // 2)], f"50 teams, --max-moves {moves // 2} (free plan: {moves})"


CASES: dict[str, Callable[[Path], tuple[list[str], str]]] = {
    "weighted": weighted,
    **{name: packing(name) for name in names()},  # every stored Falkenauer instance (u120, u250, t60, t120)
    **{f"t{3 * bins}_made": packing("", triplets(bins, seed=1)) for bins in (83, 167)},  # as t249 and t501
    "cross20": council(20, "cross_team = true"),
    "ramp50": council(50, "nqsw_ramp = [[0, 0.4], [6, 0.7], [12, 0.9]]"),
    "moves50": half_moves,
    "teams400": council(400),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    args = ap.parse_args()
    print(f"machine: {machine()}; median of {args.runs} fresh processes, default time limit (60 s)")
    print("case | instance | wall s | peak MB | proven | allocated | left waiting h/m/l | greedy: left waiting h/m/l")
    for name in args.cases:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            files, label = CASES[name](folder)
            runs = [measure(["allocate", *files, "--quiet", "--json", "--out", str(folder / "plan")])
                    for _ in range(args.runs)]
            given = dict(zip(files[0:6:2], files[1:6:2], strict=True))
            g = greedy_figures(folder, (Path(given["--workers"]), Path(given["--cases"]), Path(given["--policy"])))
            s = json.loads(runs[0][2])
            bp = s["by_priority"]
            proven = [st["stage"] for st in s["stages"] if not st["proven_optimal"]]
            waiting = "/".join(str(bp[p]["awaiting"] - bp[p]["allocated"]) for p in ("high", "medium", "low"))
            print(" | ".join((name, label, f"{statistics.median(r[0] for r in runs):.1f}",
                              f"{max(r[1] for r in runs):.0f}", "all" if not proven else "not " + ",".join(proven),
                              f"{s['allocated']}", waiting, "/".join(map(str, g["waiting"])))),
                  flush=True)


if __name__ == "__main__":
    main()
