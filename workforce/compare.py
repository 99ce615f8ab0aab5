"""Options appraisal: scenarios side by side, metrics as rows, each with its difference from the first.

One frozen `Comparison` feeds the table, the JSON and the .xlsx, so the three always carry the same numbers.
Stocks are read at the end of each scenario's horizon; costs are summed over it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from files.numbers import money, pct
from files.problems import ValidationError
from files.write import Chart, Sheet

from .results import Json, Plan

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from .montecarlo import Progress

Value = int | float | None

# (key, label, how to read it from a plan)
METRICS: tuple[tuple[str, str, Callable[[Plan], Value]], ...] = (
    ("extra_fte_needed", "Extra FTE needed now", lambda p: p.extra_fte_needed),
    ("required_fte", "FTE needed at the end", lambda p: p.years[-1].required_fte),
    ("available_fte", "FTE available at the end", lambda p: p.years[-1].available_fte),
    ("gap_fte", "FTE gap at the end (required - available)", lambda p: p.years[-1].gap_fte),
    ("caseload_per_fte", "Caseload per FTE at the end", lambda p: p.years[-1].caseload_per_fte),
    ("children_per_fte", "Caseload cap (children per FTE)", lambda p: p.now.children_per_fte),
    ("children_above_cap", "Children above the cap at the end (more than the FTE at work can hold at the cap)",
     lambda p: p.years[-1].children_above_cap),
    ("worst_caseload_per_fte", "Highest year-end caseload per FTE",
     lambda p: max((y.caseload_per_fte for y in p.years if y.caseload_per_fte is not None), default=None)),
    ("years_over_cap", "Years ending above the cap",
     lambda p: sum(1 for y in p.years if y.caseload_per_fte is None or y.caseload_per_fte > p.now.children_per_fte)),
    ("agency_fte", "Agency FTE at the end", lambda p: p.years[-1].agency_fte),
    ("agency_share", "Agency share at the end", lambda p: p.years[-1].agency_share),
    ("nqsw_intake_for_target", "Extra NQSWs a year for the agency target",
     lambda p: p.agency_target.nqsw_intake_per_year if p.agency_target else None),
    ("staff_cost", "Staff cost over the horizon", lambda p: p.totals.staff_cost),
    ("agency_cost", "of which agency", lambda p: p.totals.agency_cost),
    ("placements", "Placements at the end", lambda p: p.years[-1].placements),
    ("placement_cost", "Placement cost over the horizon", lambda p: p.totals.placement_cost),
    ("investment", "Investment", lambda p: p.totals.investment),
    ("investment_in_staff_cost", "of which already in the staff cost (the staff it pays for)",
     lambda p: p.totals.investment_in_staff_cost if p.totals.investment else None),
    ("net_cost", "Net cost over the horizon (staff + placements + investment not in staff cost)",
     lambda p: p.totals.net_cost),
    ("net_cost_discounted", "Net cost, discounted", lambda p: p.totals.net_cost_discounted),
    ("placements_to_break_even", "Placements to avoid to break even",
     lambda p: p.payback.placements_to_break_even if p.payback else None),
    ("payback_year", "Payback year", lambda p: p.payback.payback_year if p.payback else None),
    ("required_fte_p50", "FTE needed at the end, P50",
     lambda p: p.uncertainty.required_fte[-1].p50 if p.uncertainty else None),
    ("cost_p10", "Cost in the last year, P10", lambda p: p.uncertainty.cost[-1].p10 if p.uncertainty else None),
    ("cost_p90", "Cost in the last year, P90", lambda p: p.uncertainty.cost[-1].p90 if p.uncertainty else None),
    ("caseload_p10", "Caseload per FTE at the end, P10",
     lambda p: p.uncertainty.caseload_per_fte[-1].p10 if p.uncertainty else None),
    ("caseload_p90", "Caseload per FTE at the end, P90",
     lambda p: p.uncertainty.caseload_per_fte[-1].p90 if p.uncertainty else None),
    ("p_over_cap", "Chance caseloads exceed the cap in the last year",
     lambda p: p.uncertainty.p_over_cap[-1] if p.uncertainty else None),
)
SHARES = {"agency_share", "p_over_cap"}
MONEY = {"staff_cost", "agency_cost", "placement_cost", "investment", "investment_in_staff_cost", "net_cost",
         "net_cost_discounted", "cost_p10", "cost_p90"}


@dataclass(frozen=True)
class MetricRow:
    """One metric: its value in each scenario and the difference from the first."""

    metric: str
    label: str
    values: tuple[Value, ...]
    difference_from_first: tuple[Value, ...]

    def to_json(self) -> Json:
        return {"metric": self.metric, "label": self.label, "values": list(self.values),
                "difference_from_first": list(self.difference_from_first)}


@dataclass(frozen=True)
class Comparison:
    """The options appraisal (`compare --json` is `to_json()`); the first plan is the baseline."""

    scenarios: tuple[str, ...]  # column headers: the names, with the file added to a name used twice
    metrics: tuple[MetricRow, ...]
    plans: tuple[Plan, ...]

    @property
    def first(self) -> str:
        return self.scenarios[0]

    def to_json(self) -> Json:
        return {"scenarios": list(self.scenarios), "first": self.first, "files": [p.file for p in self.plans],
                "metrics": [r.to_json() for r in self.metrics], "plans": [p.to_json() for p in self.plans]}


def _difference(value: Value, first: Value) -> Value:
    if value is None or first is None:
        return None
    d = value - first
    return round(d, 4) if isinstance(d, float) else d


def load_plans(paths: Iterable[str | Path], progress: Progress | None = None) -> list[Plan]:
    """Plans for every scenario file; problems in every file are reported together.

    `progress`: a `montecarlo.Progress` callback for the uncertainty runs."""
    from .plan import make_plan
    from .scenario import load_scenario
    scenarios, problems = [], []
    for p in paths:
        try:
            scenarios.append(load_scenario(p))
        except ValidationError as e:
            problems += e.problems
    if problems:
        raise ValidationError(problems)
    return [make_plan(s, progress=progress) for s in scenarios]


def column_names(plans: Sequence[Plan]) -> list[str]:
    """Scenario names as column headers; a name used twice, or one of the sheet's own headers (metric, label),
    gets its file name added."""
    names = [p.name for p in plans]
    return [f"{n} ({p.file})" if names.count(n) > 1 or n in ("metric", "label") else n
            for n, p in zip(names, plans, strict=True)]


def _caseload_in(n: int) -> Callable[[Plan], Value]:
    return lambda p: p.years[n].caseload_per_fte if n < len(p.years) else None


def _with_path(years: int) -> list[tuple[str, str, Callable[[Plan], Value]]]:
    """The metrics with the caseload path (each year's end) after the caseload at the end."""
    path = [(f"caseload_per_fte_year_{n + 1}", f"Caseload per FTE, end of year {n + 1}", _caseload_in(n))
            for n in range(years)]
    at = next(k for k, (key, _, _) in enumerate(METRICS) if key == "children_per_fte")
    return [*METRICS[:at], *path, *METRICS[at:]]


def comparison(plans: Sequence[Plan]) -> Comparison:
    """The comparison: one row a metric (left out where no plan has it), with differences from the first."""
    rows = []
    for key, label, read in _with_path(max(len(p.years) for p in plans)):
        values = tuple(read(p) for p in plans)
        if all(v is None for v in values):
            continue
        rows.append(MetricRow(key, label, values, tuple(_difference(v, values[0]) for v in values)))
    return Comparison(tuple(column_names(plans)), tuple(rows), tuple(plans))


def xlsx_sheets(doc: Comparison) -> dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]:
    """The comparison as a sheet: metric, label, a value column per scenario, then the differences."""
    names = doc.scenarios
    header = ["metric", "label", *names, *(f"{n} - {names[0]}" for n in names[1:])]
    rows: list[list[Value | str]] = [[r.metric, r.label, *r.values, *r.difference_from_first[1:]]
                                     for r in doc.metrics]
    return {"comparison": (header, rows)}


def workbook_sheets(doc: Comparison) -> dict[str, Sheet]:
    """The comparison workbook: the "comparison" sheet (`xlsx_sheets`) with a chart of cost by option, and a
    "years" sheet (each option's years, one block of rows an option) with a line per option of caseload per
    FTE, agency share and staff cost by year."""
    header, rows = xlsx_sheets(doc)["comparison"]
    costs = Chart("Cost over the horizon by option", ("staff_cost", "placement_cost", "investment", "net_cost"),
                  x="metric", kind="column", across=tuple(doc.scenarios), label="label")
    years = [(name, y.to_json()) for name, p in zip(doc.scenarios, doc.plans, strict=True) for y in p.years]
    year_cols = list(dict.fromkeys(k for _, y in years for k in y))
    by_year = [Chart(title, (col,), x="year", by="scenario", y_title=y_title)
               for title, col, y_title in (("Caseload per FTE by year", "caseload_per_fte", "children per FTE"),
                                           ("Agency share by year", "agency_share", ""),
                                           ("Staff cost by year", "staff_cost", ""))
               if col in year_cols]
    return {"comparison": Sheet(header, rows, charts=[costs], row_names="metric"),
            "years": Sheet(["scenario", *year_cols], [[name, *(y.get(c) for c in year_cols)] for name, y in years],
                           charts=by_year)}


def write_comparison_xlsx(doc: Comparison, path: str | Path) -> None:
    """Write the comparison workbook (sheets "comparison" and "years"; files.write.is_caseload_workbook knows it)."""
    from files.write import publish, xlsx_bytes
    publish(path, xlsx_bytes(workbook_sheets(doc)), what="comparison")


def metric_text(key: str, v: Value, diff: bool = False) -> str:
    """A metric's value (or, with `diff`, a signed difference) as the table shows it; "-" when unknown."""
    if v is None:
        return "-"
    sign = "+" if diff and v > 0 else ""
    if key in MONEY:
        return sign + money(v)
    if key in SHARES:
        return sign + pct(v)
    if isinstance(v, int):
        return f"{sign}{v}"
    return f"{sign}{v:,.1f}"


def comparison_table(doc: Comparison) -> Table:
    """Metrics as rows, scenarios as columns; each value after the first shows its difference."""
    from rich.table import Table
    t = Table(title="Options appraisal", caption=f"differences are from '{doc.first}'; stocks at the end of "
              "each horizon, costs over it")
    t.add_column("Metric")
    for n in doc.scenarios:
        t.add_column(n, justify="right")
    for r in doc.metrics:
        cells = [metric_text(r.metric, r.values[0])]
        for v, d in zip(r.values[1:], r.difference_from_first[1:], strict=True):
            cells.append(metric_text(r.metric, v) + ("" if d is None else f"\n({metric_text(r.metric, d, diff=True)})"))
        t.add_row(r.label, *cells)
    return t


def print_comparison(doc: Comparison, console: Console) -> None:
    """The comparison on the terminal: the table, then each plan's uncertainty bands."""
    from .show import band_table
    console.print(comparison_table(doc))
    for plan in doc.plans:
        if plan.uncertainty is not None:
            console.print(band_table(plan.name, plan.uncertainty))
