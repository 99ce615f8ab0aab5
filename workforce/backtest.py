"""`caseload backtest`: every council's forecast of cases from year `from`, scored against year `to`.

Reads the DfE workforce indicators (cases by council, 2017 on) and, beside them, children in need at
31 March (2013 on; the support series). Each forecast is `workforce.forecast` from `from`, which reads
nothing later; the score compares it with "no change" (the `from` count) and counts how often the actual
fell inside the P10-P90 band.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from files.problems import Problem, ValidationError

from .baseline import _load, _span, panel
from .forecast import Calibration, Series, calibrate, forecast


@dataclass(frozen=True)
class CouncilScore:
    """One council's forecast for year `to`, the actual, and "no change"."""

    la_name: str
    start: float        # cases in year `from`
    forecast: float
    p10: float
    p90: float
    actual: float
    method: str
    growth_per_year: float

    @property
    def ape(self) -> float:
        return abs(self.forecast - self.actual) / self.actual

    @property
    def ape_no_change(self) -> float:
        return abs(self.start - self.actual) / self.actual

    @property
    def inside(self) -> bool:
        return self.p10 <= self.actual <= self.p90


@dataclass(frozen=True)
class Backtest:
    """The scores of every council with cases in both years; councils without are counted in `skipped`."""

    origin: int
    target: int
    calibration: Calibration
    by_council: tuple[CouncilScore, ...]
    skipped: dict[str, str] = field(default_factory=dict)  # council -> why

    def __post_init__(self) -> None:
        if not self.by_council:
            raise ValueError(f"no council has cases in both {self.origin} and {self.target}")

    @property
    def mape(self) -> float:
        """Mean absolute percentage error of the forecasts, in percent."""
        return 100 * statistics.fmean(c.ape for c in self.by_council)

    @property
    def mape_no_change(self) -> float:
        return 100 * statistics.fmean(c.ape_no_change for c in self.by_council)

    @property
    def coverage(self) -> float:
        """Share of councils whose actual fell inside P10-P90."""
        return statistics.fmean(c.inside for c in self.by_council)

    def summary(self) -> str:
        verdict = "beats" if self.mape < self.mape_no_change else "does not beat"
        return (f"{self.origin} -> {self.target}, {len(self.by_council)} councils: the forecast misses by "
                f"{self.mape:.1f}% MAPE against {self.mape_no_change:.1f}% for no change ({verdict} no change); "
                f"{self.coverage:.0%} of actuals fell inside P10-P90")

    def to_json(self) -> dict[str, Any]:
        cal = self.calibration
        return {
            "from": self.origin, "to": self.target, "councils": len(self.by_council),
            "mape": round(self.mape, 2), "mape_no_change": round(self.mape_no_change, 2),
            "coverage_p10_p90": round(self.coverage, 3),
            "median_ape": round(100 * statistics.median(c.ape for c in self.by_council), 2),
            "median_ape_no_change": round(100 * statistics.median(c.ape_no_change for c in self.by_council), 2),
            "methods": dict(sorted(Counter(c.method for c in self.by_council).items())),
            "calibration": {"level_weight": cal.level_weight, "trend_weight": cal.trend_weight,
                            "band_log_p10": round(cal.q10, 4), "band_log_p90": round(cal.q90, 4),
                            "scored_on": cal.scored_on},
            "skipped": len(self.skipped),
            "skipped_councils": [{"la_name": n, "why": w} for n, w in sorted(self.skipped.items())],
            "by_council": [{"la_name": c.la_name, "forecast": c.forecast, "p10": c.p10, "p90": c.p90,
                            "actual": c.actual, "no_change": c.start, "method": c.method,
                            "growth_per_year": round(c.growth_per_year, 4), "inside": c.inside}
                           for c in self.by_council],
        }


# --------------------------------------------------------------------------- public API

def backtest(dfe_path: str | Path, origin: int, target: int) -> Backtest:
    """Forecast every council's cases from `origin` for `target` (reading only years <= origin) and score them."""
    panel, name = councils(dfe_path)
    years = sorted({y for cases, _ in panel.values() for y in cases})
    for column, year in (("--from", origin), ("--to", target)):
        if year not in years:
            raise ValidationError([Problem(name, None, "time_period",
                                           f"{column} {year}: no cases for that year in the file; "
                                           f"years available: {_span(years)}")])
    if target <= origin:
        raise ValidationError([Problem(name, None, "time_period",
                                       f"--to {target} must be after --from {origin}")])
    return score(panel, origin, target)


def score(panel: dict[str, tuple[Series, Series]], origin: int, target: int) -> Backtest:
    """The backtest of a panel {council: (cases, support)} already read."""
    horizon = target - origin
    cal = calibrate(panel.values(), origin, horizon)
    scores, skipped = [], {}
    for la, (cases, support) in sorted(panel.items()):
        missing = [str(y) for y in (origin, target) if not cases.get(y)]
        if missing:
            skipped[la] = f"no cases figure for {' and '.join(missing)} (a new, merged or renamed council, " \
                          f"or suppressed)"
            continue
        f = forecast(cases, origin, horizon, support, cal)
        # rounded once here, so the coverage and errors are those of the figures shown
        scores.append(CouncilScore(la, f.start, round(f.value, 1), round(f.p10, 1), round(f.p90, 1), cases[target],
                                   f.method, f.growth_per_year))
    return Backtest(origin, target, cal, tuple(scores), skipped)


def councils(dfe_path: str | Path) -> tuple[dict[str, tuple[Series, Series]], str]:
    """{council: (cases by year, children in need by year)} from the DfE files, and the CSWW file's name
    (see `baseline.panel`)."""
    data = _load(dfe_path)
    found = panel(data)
    if not found:
        raise ValidationError([Problem(data.path.name, None, "geographic_level", "has no local-authority rows")])
    return found, data.path.name
