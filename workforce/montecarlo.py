"""Uncertainty: Monte Carlo over the scenario's `[uncertainty]` ranges, all draws in one computation.

Each uncertain input (growth, turnover, prevention achieved, intake filled, placement cost) is drawn
uniformly, or triangularly with the scenario's own value as the mode, from `numpy.random.default_rng(seed)`.
The same seed gives the same numbers; a zero-width range gives the deterministic plan.
`run_many` stacks many scenarios x draws along the draws axis and projects them at once.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .model import Inputs, base_values, build_inputs, project, yearly
from .results import PERCENTILES, Band, Bands
from .scenario import DEFAULT_RUNS, UNCERTAIN, Scenario, Uncertainty

BANDED = ("required_fte", "gap_fte", "caseload_per_fte", "children_above_cap", "agency_share", "cost")
CHUNK_ROWS = 20_000  # rows projected at a time: bounds memory, keeps each step vectorised
CHUNK_CELLS = 1_000_000  # row-months projected at a time: long horizons take fewer rows a chunk

# Told how far a run has got: (what is running, rows projected so far, rows in all). The CLI draws a bar.
Progress = Callable[[str, int, int], None]


def draw_values(s: Scenario, runs: int, seed: int) -> dict[str, np.ndarray]:
    """One value per run for every input with a range; inputs without a range keep the scenario's value."""
    rng = np.random.default_rng(seed)
    draws = rng.random((runs, len(UNCERTAIN)))  # one column per input, always drawn: same seed, same numbers
    u = s.uncertainty or Uncertainty({})
    triangular = u.distribution == "triangular"
    base = base_values(s)
    out: dict[str, np.ndarray] = {}
    for j, key in enumerate(UNCERTAIN):
        if key not in u.ranges:
            continue
        lo, hi = u.ranges[key]
        if not triangular or hi == lo:
            out[key] = lo + (hi - lo) * draws[:, j]
        else:
            mode = min(max(base[key], lo), hi)
            cut = (mode - lo) / (hi - lo)
            x = draws[:, j]
            out[key] = np.where(x < cut, lo + np.sqrt(x * (hi - lo) * (mode - lo)),
                                hi - np.sqrt((1 - x) * (hi - lo) * (hi - mode)))
    if not out:  # no ranges: every run is the plan
        out["intake_filled"] = np.ones(runs)
    return out


def _summaries(inputs: Inputs, years: int, progress: Progress | None = None,
               label: str = "Monte Carlo") -> dict[str, np.ndarray]:
    """Yearly figures for every row, projected in chunks of at most CHUNK_ROWS rows and CHUNK_CELLS
    row-months (a 30-year horizon would otherwise hold 1.5 GB at once)."""
    parts: list[dict[str, np.ndarray]] = []
    if progress:
        progress(label, 0, inputs.draws)
    chunk = max(1_000, min(CHUNK_ROWS, CHUNK_CELLS // (12 * years + 1)))
    for lo in range(0, inputs.draws, chunk):
        y = yearly(project(inputs.rows(lo, lo + chunk)), years)
        y["cost"] = y["staff_cost"] + y["placement_cost"]
        parts.append({k: y[k] for k in BANDED + ("over_cap",)})
        if progress:
            progress(label, min(lo + chunk, inputs.draws), inputs.draws)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _bands(s: Scenario, y: dict[str, np.ndarray], runs: int, seed: int) -> Bands:
    """P10/P50/P90 a year of each banded figure, and the probability that caseloads exceed the cap."""
    years = s.years
    u = s.uncertainty or Uncertainty({})

    def by_year(k: str) -> tuple[Band, ...]:
        q = np.percentile(y[k][:, :years], PERCENTILES, axis=0)  # (3, Y)
        nd = 4 if k == "agency_share" else (0 if k == "cost" else 2)
        return tuple(Band(*(round(float(v), nd) for v in q[:, n])) for n in range(years))

    p_over_cap = tuple(round(float(v), 4) for v in y["over_cap"][:, :years].mean(axis=0))
    return Bands(required_fte=by_year("required_fte"), gap_fte=by_year("gap_fte"),
                 caseload_per_fte=by_year("caseload_per_fte"), children_above_cap=by_year("children_above_cap"),
                 agency_share=by_year("agency_share"), cost=by_year("cost"), p_over_cap=p_over_cap,
                 runs=runs, seed=seed, distribution=u.distribution, ranges=u.ranges)


def bands(s: Scenario, progress: Progress | None = None) -> Bands:
    """The scenario's uncertainty bands by year (its own runs and seed)."""
    u = s.uncertainty or Uncertainty({})
    return run_many([s], runs=u.runs, seed=u.seed, progress=progress, label=f"Monte Carlo: {s.name}")[0]


def run_many(scenarios: Sequence[Scenario], runs: int = DEFAULT_RUNS, seed: int = 0,
             progress: Progress | None = None, label: str = "Monte Carlo") -> list[Bands]:
    """Bands for many scenarios, all scenarios x runs x months projected as one stacked computation.

    Scenario i draws from default_rng(seed + i); shorter horizons are padded to the longest and cut back.
    `progress`, if given, is told after each chunk of rows.
    """
    years = max(s.years for s in scenarios)
    stacked = Inputs.stack([build_inputs(s, draw_values(s, runs, seed + i), years=years)
                            for i, s in enumerate(scenarios)])
    y = _summaries(stacked, years, progress, label)
    return [_bands(s, {k: v[i * runs:(i + 1) * runs] for k, v in y.items()}, runs, seed + i)
            for i, s in enumerate(scenarios)]
