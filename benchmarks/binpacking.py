"""Public bin-packing benchmarks (Falkenauer 1996) as caseload inputs.

Each stored instance is a set of items with integer sizes and a bin capacity,
with its proven optimal number of bins (see ``data/binpacking/README.md``).
An instance becomes a caseload: one worker per bin of the optimum, one child
per item, the child's weight the item's size and each worker's capacity the
bin's. The allocator can then be measured against a known best answer: every
child can be allocated, and only with every worker full to the brim or close.

Run from the repository root::

    python -m benchmarks.binpacking --list
    python -m benchmarks.binpacking u120_00 --out /tmp/u120_00
    caseload allocate --workers /tmp/u120_00/workers.csv --cases /tmp/u120_00/cases.csv \\
        --policy /tmp/u120_00/policy.toml
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "binpacking"
TEAM = "T1"
WORKER_COLUMNS = ["worker_id", "team", "role", "fte", "employment"]
CASE_COLUMNS = ["child_id", "team", "category", "family_id", "priority", "court", "current_worker", "weight"]
HUNDREDTH = Decimal("0.01")  # the allocator counts weights and capacities in whole hundredths


@dataclass(frozen=True)
class Instance:
    """One bin-packing problem: item sizes, the bin capacity and the optimal number of bins."""

    name: str
    capacity: int
    items: tuple[int, ...]
    optimum: int


def _optima() -> dict[str, int]:
    """The optimal number of bins of every stored instance, by name, in the file's order."""
    with (DATA / "optima.csv").open(newline="", encoding="utf-8") as f:
        return {row["name"]: int(row["optimum"]) for row in csv.DictReader(f)}


def names() -> list[str]:
    """The names of the stored instances (those with both a data file and a known optimum)."""
    return [name for name in _optima() if (DATA / f"{name}.txt").is_file()]


def load(name: str) -> Instance:
    """Read instance `name`: the count of items, the capacity, then one item size a line."""
    path = DATA / f"{name}.txt"
    if not path.is_file():
        raise ValueError(f"no instance {name!r}; stored: {', '.join(names())}")
    numbers = [int(token) for token in path.read_text(encoding="utf-8").split()]
    count, capacity, items = numbers[0], numbers[1], tuple(numbers[2:])
    if len(items) != count:
        raise ValueError(f"{path.name} says {count} items but lists {len(items)}")
    return Instance(name=name, capacity=capacity, items=items, optimum=_optima()[name])


def triplets(bins: int, seed: int) -> Instance:
    """A triplet instance made the way Falkenauer made his (t60 to t501): each of `bins` bins of 1000 is cut in
    three, the first item in [380, 490], the second in [250, half what is left], the third the rest; shuffled
    by `seed`. Its optimum is `bins`, every bin full: for instances larger than those stored."""
    rng = random.Random(seed)
    items: list[int] = []
    for _ in range(bins):
        first = rng.randint(380, 490)
        second = rng.randint(250, (1000 - first) // 2)
        items += [first, second, 1000 - first - second]
    rng.shuffle(items)
    return Instance(name=f"t{3 * bins}_seed{seed}", capacity=1000, items=tuple(items), optimum=bins)


def first_fit_decreasing(items: Sequence[int], capacity: int, bins: int) -> list[int | None]:
    """The bin of each item under first fit decreasing with `bins` bins (None: it fits in none).

    Items go largest first (equal sizes in their original order), each into the
    first bin that still has room for it.
    """
    loads = [0] * bins
    placed: list[int | None] = [None] * len(items)
    for i in sorted(range(len(items)), key=lambda i: (-items[i], i)):
        for b in range(bins):
            if loads[b] + items[i] <= capacity:
                loads[b] += items[i]
                placed[i] = b
                break
    return placed


def _exact(size: int, weight_scale: int) -> str:
    """`size / weight_scale` written exactly, e.g. "0.37" or "10.0"; an error if it needs finer than hundredths."""
    value = Decimal(size) / Decimal(weight_scale)
    if value != value.quantize(HUNDREDTH):
        raise ValueError(f"{size}/{weight_scale} is not a whole number of hundredths; choose another weight_scale")
    text = f"{value.normalize():f}"
    return text if "." in text else f"{text}.0"


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    """Write `rows` under a header of `columns`."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _workers(inst: Instance) -> list[dict[str, str]]:
    """One full-time permanent social worker per bin of the optimum."""
    return [{"worker_id": f"W{k:03d}", "team": TEAM, "role": "social_worker", "fte": "1",
             "employment": "permanent"} for k in range(1, inst.optimum + 1)]


def _cases(inst: Instance, weight_scale: int) -> list[dict[str, str]]:
    """One child awaiting allocation per item, weighing the item's size / `weight_scale`."""
    return [{"child_id": f"C{k:04d}", "team": TEAM, "category": "cin", "family_id": "", "priority": "medium",
             "court": "no", "current_worker": "", "weight": _exact(size, weight_scale)}
            for k, size in enumerate(inst.items, start=1)]


def _policy(inst: Instance, weight_scale: int) -> str:
    """A policy whose capacity per full-time worker is the bin capacity / `weight_scale`."""
    return (f"# Falkenauer bin-packing instance {inst.name}: {len(inst.items)} items, bin capacity "
            f"{inst.capacity}, optimum {inst.optimum} bins.\n"
            f"# Each worker's capacity is one bin ({inst.capacity} / {weight_scale}).\n"
            f"children_per_fte = {_exact(inst.capacity, weight_scale)}\n")


def write_caseload(inst: Instance, folder: str | Path, weight_scale: int = 100) -> None:
    """Write workers.csv, cases.csv and policy.toml in `folder`: `inst` as a caseload at its optimum.

    One team, `inst.optimum` workers whose capacity is the bin capacity, and one
    child per item whose weight is its size, all scaled down by `weight_scale`.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(out / "workers.csv", WORKER_COLUMNS, _workers(inst))
    _write_csv(out / "cases.csv", CASE_COLUMNS, _cases(inst, weight_scale))
    (out / "policy.toml").write_text(_policy(inst, weight_scale), encoding="utf-8")


def _print_list() -> None:
    """Print every stored instance with how many items first fit decreasing places at the optimum."""
    print(f"{'name':<10}{'items':>7}{'capacity':>10}{'optimum':>9}{'ffd_placed':>12}")
    for name in names():
        inst = load(name)
        placed = sum(b is not None for b in first_fit_decreasing(inst.items, inst.capacity, inst.optimum))
        print(f"{name:<10}{len(inst.items):>7}{inst.capacity:>10}{inst.optimum:>9}{placed:>12}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="instance to write, e.g. u120_00")
    parser.add_argument("--out", help="folder for workers.csv, cases.csv and policy.toml")
    parser.add_argument("--weight-scale", type=int, default=100, help="item size per unit of weight")
    parser.add_argument("--list", action="store_true", help="list the stored instances")
    args = parser.parse_args(argv)
    if args.list:
        _print_list()
        return 0
    if not args.name or not args.out:
        parser.error("give NAME and --out DIR, or --list")
    try:
        inst = load(args.name)
        write_caseload(inst, args.out, args.weight_scale)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{inst.name}: {len(inst.items)} children, {inst.optimum} workers -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
