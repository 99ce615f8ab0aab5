"""Demand forecasts that have to beat "no change": one council's cases from its own history, chosen by the past.

A forecast from year `origin` reads nothing after `origin` (every series is cut there first), so a backtest
of it is honest by construction. Two knobs, both chosen by how they would have forecast the past
(rolling origins, pooled across councils, every target year <= origin):

- `level_weight`: how far the year-`origin` count is pulled toward the mean of its last three years
  (0 = no change; DfE counts jump about from year to year and partly fall back);
- `trend_weight`: how much of the council's trend is kept, after the trend is shrunk toward no change by
  its own noise (a trend no steadier than its scatter counts for little).

The P10-P90 band comes from the same method's past errors at the same horizon (`calibrate`).
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Series = Mapping[int, float]  # {year: count}; suppressed, zero or missing years are simply absent

LEVEL_YEARS = 3    # the smoothed level: the mean of the last three years
TREND_YEARS = 5    # the trend: the log-linear slope over the last five years
LEVEL_WEIGHTS = tuple(i / 10 for i in range(11))
TREND_WEIGHTS = (0.0, 0.5, 1.0)
MIN_PAIRS = 20     # fewer past forecasts than this: a normal band from their spread, not quantiles
Z80 = 1.2816       # the normal distribution's 90th percentile
DEFAULT_SPREAD = 0.15  # log spread a year**0.5 when there is no past at all to measure (about DfE's 1-year P90)


@dataclass(frozen=True)
class Calibration:
    """The method chosen for forecasts from `origin` to `origin + horizon`, and its band, from the past only."""

    origin: int
    horizon: int
    level_weight: float
    trend_weight: float
    q10: float          # log(actual / forecast) at the 10th and 90th percentiles of past errors
    q90: float
    pairs: int          # past forecasts scored
    scored_on: str      # which series and years they came from

    @property
    def method(self) -> str:
        """The method's name as a head of service would say it."""
        parts = [p for p, on in (("smoothed level", self.level_weight > 0), ("trend", self.trend_weight > 0)) if on]
        return " + ".join(parts) or "no change"


@dataclass(frozen=True)
class Forecast:
    """One council's forecast of cases `horizon` years after `origin`.

    `growth_per_year` is the compound change a year from the year-`origin` count that reaches `value` at the
    horizon: a workforce scenario with `children` = that count and this growth lands on the forecast.
    """

    origin: int
    horizon: int
    value: float
    p10: float
    p90: float
    method: str
    growth_per_year: float
    start: float        # the year-`origin` count the growth is from

    def __post_init__(self) -> None:
        if not self.p10 <= self.value <= self.p90:
            raise ValueError(f"the band {self.p10:g}-{self.p90:g} does not hold the forecast {self.value:g}")


# --------------------------------------------------------------------------- public API

def forecast(history: Series, origin: int, horizon: int, support: Series | None = None,
             calibration: Calibration | None = None) -> Forecast:
    """Cases `horizon` years after `origin` from the council's cases `history` (and `support`, its children in
    need, a longer series), using only years <= `origin`.

    `calibration` is `calibrate` over every council (the better choice: each council's past is short);
    without it the council's own past is used.
    """
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 year, not {horizon}")
    cases, help_ = _upto(history, origin), _upto(support or {}, origin)
    if origin not in cases:
        raise ValueError(f"no cases figure for {origin}, the year the forecast is made from")
    cal = calibration or calibrate([(history, support)], origin, horizon)
    if (cal.origin, cal.horizon) != (origin, horizon):
        raise ValueError(f"the calibration is for {cal.origin} + {cal.horizon} years, not {origin} + {horizon}")
    value = _point(cases, help_, origin, horizon, cal.level_weight, cal.trend_weight)
    start = cases[origin]
    method = _method(cases, help_, origin, cal)
    return Forecast(origin, horizon, value, value * math.exp(min(cal.q10, 0.0)), value * math.exp(max(cal.q90, 0.0)),
                    method, (value / start) ** (1 / horizon) - 1, start)


def calibrate(panel: Iterable[tuple[Series, Series | None]], origin: int, horizon: int) -> Calibration:
    """Choose the method and the band for `origin` -> `origin + horizon` from councils' pasts (years <= origin).

    `panel` holds (cases, support) per council. The past forecasts scored are the cases' own when there are
    at least MIN_PAIRS at this horizon, else the support series' (children in need go back further), with
    the band rescaled from support to cases by their spreads at the longest horizon both have.
    """
    councils = [(_upto(c, origin), _upto(s or {}, origin)) for c, s in panel]
    on_cases = _pairs(councils, origin, horizon, smoothed=True)
    on_support = _pairs([(s, {}) for _, s in councils], origin, horizon, smoothed=True)
    pool, name = ((on_cases, "cases") if len(on_cases) >= MIN_PAIRS or len(on_cases) >= len(on_support)
                  else (on_support, "children in need"))
    level_weight, trend_weight = _choose(pool, horizon)
    errors = _errors(pool, horizon, level_weight, trend_weight)
    q10, q90 = _band(errors, horizon)
    if name != "cases":
        scale = _cases_to_support(councils, origin, horizon, level_weight, trend_weight)
        q10, q90 = q10 * scale, q90 * scale
    if not errors:
        how = (f"no past {horizon}-year forecast to learn from by {origin}: no change, "
               f"with a default band of +-{DEFAULT_SPREAD:.0%} x sqrt(years)")
    else:
        first = min(o for _, _, o in pool)
        how = f"{len(errors)} past {horizon}-year forecasts of {name}, made from {first} to {origin - horizon}"
    return Calibration(origin, horizon, level_weight, trend_weight, q10, q90, len(errors), how)


# --------------------------------------------------------------------------- the method

def _method(cases: Series, support: Series, origin: int, cal: Calibration) -> str:
    """What `_point` did for this council, which can be less than the calibration's method: the level is
    smoothed over the years it has of the last LEVEL_YEARS (one year: nothing to smooth), and the trend is
    only followed when there are enough years to measure one."""
    window = range(origin - LEVEL_YEARS + 1, origin + 1)
    recent = [y for y in window if y in cases]
    parts = []
    if cal.level_weight > 0 and len(recent) > 1:
        gaps = [str(y) for y in window if y not in cases and y > min(cases)]  # inside the history, not before
        parts.append("smoothed level" if len(recent) == LEVEL_YEARS else
                     f"smoothed level over {' and '.join(map(str, recent))}"
                     + (f" (no {' or '.join(gaps)} figure)" if gaps else ""))
    if cal.trend_weight > 0 and _shrunk_trend(support or cases, origin) != 0:
        parts.append("trend")
    if parts:
        return " + ".join(parts)
    if cal.method == "no change":
        return "no change"
    return "no change (one year of history)" if len(recent) == 1 else "no change (too short a history for a trend)"


def _point(cases: Series, support: Series, origin: int, horizon: int, level_weight: float,
           trend_weight: float) -> float:
    """The smoothed level, carried forward by the kept share of the noise-shrunk trend."""
    now = cases[origin]
    recent = [cases[y] for y in range(origin - LEVEL_YEARS + 1, origin + 1) if y in cases]
    level = (1 - level_weight) * now + level_weight * statistics.fmean(recent)
    if not trend_weight:
        return level
    return level * math.exp(trend_weight * _shrunk_trend(support or cases, origin) * horizon)


def _shrunk_trend(series: Series, origin: int) -> float:
    """The log-linear slope a year over the last TREND_YEARS, times slope^2 / (slope^2 + its standard error^2)."""
    years = [y for y in range(origin - TREND_YEARS + 1, origin + 1) if y in series]
    if len(years) < 3:
        return 0.0
    logs = [math.log(series[y]) for y in years]
    mx, my = statistics.fmean(years), statistics.fmean(logs)
    sxx = sum((x - mx) ** 2 for x in years)
    slope = sum((x - mx) * (v - my) for x, v in zip(years, logs, strict=True)) / sxx
    scatter = sum((v - my - slope * (x - mx)) ** 2 for x, v in zip(years, logs, strict=True)) / (len(years) - 2)
    se2 = scatter / sxx
    return slope * slope * slope / (slope * slope + se2) if slope else 0.0


Pair = tuple[Series, Series, int]  # (series, its support, origin of a past forecast)


def _pairs(councils: Sequence[tuple[Series, Series]], origin: int, horizon: int, smoothed: bool) -> list[Pair]:
    """Every past forecast at this horizon whose target year is <= origin (with two years to smooth, if asked)."""
    return [(c, s, o) for c, s in councils for o in sorted(c)
            if o + horizon <= origin and o + horizon in c and (not smoothed or o - 1 in c)]


def _choose(pool: Sequence[Pair], horizon: int) -> tuple[float, float]:
    """The (level_weight, trend_weight) with the lowest mean absolute percentage error on the pool; the simpler
    one (nearer no change) on a tie."""
    best = (math.inf, 0.0, 0.0)
    for w in LEVEL_WEIGHTS:
        for k in TREND_WEIGHTS:
            errors = _errors(pool, horizon, w, k)
            if not errors:
                return 0.0, 0.0
            mape = statistics.fmean(abs(math.expm1(e)) / math.exp(e) for e in errors)
            if mape < best[0] - 1e-12:
                best = (mape, w, k)
    return best[1], best[2]


def _errors(pool: Sequence[Pair], horizon: int, level_weight: float, trend_weight: float) -> list[float]:
    """log(actual / forecast) of each past forecast, the forecast cut at its own origin."""
    out = []
    for c, s, o in pool:
        past, help_ = _upto(c, o), _upto(s, o)
        out.append(math.log(c[o + horizon] / _point(past, help_, o, horizon, level_weight, trend_weight)))
    return out


def _band(errors: Sequence[float], horizon: int) -> tuple[float, float]:
    """The 10th and 90th percentiles of log errors; a normal band from their spread when they are few."""
    if len(errors) >= MIN_PAIRS:
        q = statistics.quantiles(errors, n=10, method="inclusive")
        return q[0], q[-1]
    spread = (math.sqrt(statistics.fmean(e * e for e in errors)) if errors
              else DEFAULT_SPREAD * math.sqrt(horizon))
    return -Z80 * spread, Z80 * spread


def _cases_to_support(councils: Sequence[tuple[Series, Series]], origin: int, horizon: int,
                      level_weight: float, trend_weight: float) -> float:
    """How much wider cases' past errors are than the support's, at the longest horizon (<= `horizon`) where
    both have past forecasts; 1 when cases have none."""
    for h in range(horizon, 0, -1):
        cases = _errors(_pairs(councils, origin, h, smoothed=False), h, level_weight, trend_weight)
        support = _errors(_pairs([(s, {}) for _, s in councils], origin, h, smoothed=False), h,
                          level_weight, trend_weight)
        if len(cases) >= 2 and len(support) >= 2:
            width = _width(support)
            return _width(cases) / width if width > 0 else 1.0
    return 1.0


def _width(errors: Sequence[float]) -> float:
    lo, hi = _band(errors, 1)
    return hi - lo


def _upto(series: Series, origin: int) -> dict[int, float]:
    """The series up to `origin`, without missing, zero or negative counts: nothing later is ever read."""
    return {int(y): float(v) for y, v in series.items()
            if y <= origin and v is not None and not math.isnan(v) and v > 0}
