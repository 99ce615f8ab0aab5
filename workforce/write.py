"""The monthly projection as files: projection.csv and projection.xlsx (with a yearly sheet)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from files.write import Chart, Sheet, csv_text, publish, xlsx_bytes

from .results import Plan

MONTH_COLUMNS = ("month", "children", "required_fte", "case_holder_fte", "nqsw_fte", "nqsw_capacity_fte",
                 "agency_fte", "available_fte", "gap_fte", "agency_share", "caseload_per_fte", "children_above_cap",
                 "service_leaders", "service_leaders_needed", "placements", "staff_cost", "agency_cost",
                 "placement_cost")
FLOWS = ("staff_cost", "agency_cost", "placement_cost")
STATES = MONTH_COLUMNS[1:-len(FLOWS)]
# Every file a projection folder can hold: writing one replaces the folder whole, and only if it holds no others.
PROJECTION_FILES = ("projection.csv", "projection.xlsx")


def month_rows(plan: Plan) -> list[list[str | float | None]]:
    """One row per month: the position at the month's start; the month's costs (blank on the closing row)."""
    p, s = plan.projection, plan.scenario
    rows = []
    for t in range(s.months + 1):
        row: list[str | float | None] = [s.month_label(t)]
        for k in STATES:
            row.append(round(float(getattr(p, k)[0, t]), 4))
        for k in FLOWS:
            row.append(round(float(getattr(p, k)[0, t]), 2) if t < s.months else None)
        rows.append(row)
    return rows


def projection_files(plan: Plan) -> dict[str, bytes]:
    """projection.csv (monthly) and projection.xlsx (monthly and yearly sheets: the plan's years), by name.

    Each sheet of the workbook has line charts beside it (caseload per FTE against the cap, children, FTE
    available and required, agency FTE); it adds the cap, `children_per_fte`, as a column for the first.
    """
    charts = (("Caseload per FTE against the cap", ("caseload_per_fte", "children_per_fte"), "children per FTE"),
              ("Children needing a social worker", ("children",), "children"),
              ("FTE available and required", ("available_fte", "required_fte"), "FTE"),
              ("Agency FTE", ("agency_fte",), "FTE"))

    def sheet(header: list[str], rows: list[list[Any]], x: str) -> Sheet:
        if "children_per_fte" not in header:
            header, rows = [*header, "children_per_fte"], [[*r, plan.now.children_per_fte] for r in rows]
        return Sheet(header, rows, charts=[Chart(title, cols, x=x, y_title=y) for title, cols, y in charts
                                           if all(c in header for c in (x, *cols))])

    rows = month_rows(plan)
    years = [y.to_json() for y in plan.years]
    year_cols = list(years[0])
    return {"projection.csv": csv_text(MONTH_COLUMNS, rows).encode(),
            "projection.xlsx": xlsx_bytes({
                "monthly": sheet(list(MONTH_COLUMNS), [list(r) for r in rows], "month"),
                "yearly": sheet(year_cols, [[y[c] for c in year_cols] for y in years], "year"),
            })}


def write_projection(plan: Plan, out: str | Path) -> list[Path]:
    """Write the projection folder `out` as one whole run (see files.write.publish)."""
    publish(out, projection_files(plan), PROJECTION_FILES, "projection")
    return [Path(out) / name for name in PROJECTION_FILES]
