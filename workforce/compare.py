"""Options appraisal: scenarios side by side, metrics as rows, each with its difference from the first.

One list of rows feeds the table, the JSON and the .xlsx, so the three always carry the same numbers.
Stocks are read at the end of each scenario's horizon; costs are summed over it.
"""
from __future__ import annotations

from pathlib import Path

from files.problems import ValidationError

# (key, label, how to read it from a plan's JSON document)
METRICS = (
    ("extra_fte_needed", "Extra FTE needed now", lambda d: d["extra_fte_needed"]),
    ("required_fte", "FTE needed at the end", lambda d: d["years"][-1]["required_fte"]),
    ("available_fte", "FTE available at the end", lambda d: d["years"][-1]["available_fte"]),
    ("gap_fte", "FTE gap at the end (required - available)", lambda d: d["years"][-1]["gap_fte"]),
    ("caseload_per_fte", "Caseload per FTE at the end", lambda d: d["years"][-1]["caseload_per_fte"]),
    ("children_per_fte", "Caseload cap (children per FTE)", lambda d: d["now"]["children_per_fte"]),
    ("agency_fte", "Agency FTE at the end", lambda d: d["years"][-1]["agency_fte"]),
    ("agency_share", "Agency share at the end", lambda d: d["years"][-1]["agency_share"]),
    ("nqsw_intake_for_target", "Extra NQSWs a year for the agency target",
     lambda d: (d.get("agency_target") or {}).get("nqsw_intake_per_year")),
    ("staff_cost", "Staff cost over the horizon", lambda d: d["totals"]["staff_cost"]),
    ("agency_cost", "of which agency", lambda d: d["totals"]["agency_cost"]),
    ("placements", "Placements at the end", lambda d: d["years"][-1]["placements"]),
    ("placement_cost", "Placement cost over the horizon", lambda d: d["totals"]["placement_cost"]),
    ("investment", "Investment", lambda d: d["totals"]["investment"]),
    ("net_cost", "Net cost over the horizon (staff + placements + investment)", lambda d: d["totals"]["net_cost"]),
    ("placements_to_break_even", "Placements to avoid to break even",
     lambda d: (d.get("payback") or {}).get("placements_to_break_even")),
    ("payback_year", "Payback year", lambda d: (d.get("payback") or {}).get("payback_year")),
    ("required_fte_p50", "FTE needed at the end, P50", lambda d: _band(d, "required_fte", "p50")),
    ("cost_p10", "Cost in the last year, P10", lambda d: _band(d, "cost", "p10")),
    ("cost_p90", "Cost in the last year, P90", lambda d: _band(d, "cost", "p90")),
    ("p_over_cap", "Chance caseloads exceed the cap in the last year",
     lambda d: d["uncertainty"]["p_over_cap"][-1] if "uncertainty" in d else None),
)
SHARES = {"agency_share", "p_over_cap"}
MONEY = {"staff_cost", "agency_cost", "placement_cost", "investment", "net_cost", "cost_p10", "cost_p90"}


def _band(doc: dict, key: str, p: str):
    return doc["uncertainty"][key][-1][p] if "uncertainty" in doc else None


def _difference(value, first):
    if value is None or first is None:
        return None
    d = value - first
    return round(d, 4) if isinstance(d, float) else d


def load_plans(paths, progress=None) -> list:
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


def column_names(docs: list[dict]) -> list[str]:
    """Scenario names as column headers; a name used twice gets its file name added."""
    names = [d["scenario"] for d in docs]
    return [f"{n} ({d['file']})" if names.count(n) > 1 else n for n, d in zip(names, docs)]


def comparison(docs: list[dict]) -> dict:
    """The comparison document: scenarios, and one row a metric with values and differences from the first."""
    rows = []
    for key, label, read in METRICS:
        values = [read(d) for d in docs]
        if all(v is None for v in values):
            continue
        rows.append({"metric": key, "label": label, "values": values,
                     "difference_from_first": [_difference(v, values[0]) for v in values]})
    return {"scenarios": column_names(docs), "first": column_names(docs)[0],
            "files": [d["file"] for d in docs], "metrics": rows, "plans": docs}


def xlsx_sheets(doc: dict) -> dict:
    """The comparison as a sheet: metric, label, a value column per scenario, then the differences."""
    names = doc["scenarios"]
    header = ["metric", "label", *names, *(f"{n} - {names[0]}" for n in names[1:])]
    rows = [[r["metric"], r["label"], *r["values"], *r["difference_from_first"][1:]] for r in doc["metrics"]]
    return {"comparison": (header, rows)}


def write_comparison_xlsx(doc: dict, path: str | Path) -> None:
    """Write the comparison workbook (one sheet, "comparison"; files.write.is_caseload_workbook knows it)."""
    from files.write import publish, xlsx_bytes
    publish(path, xlsx_bytes(xlsx_sheets(doc)), what="comparison")


def _fmt(key: str, v, diff: bool = False) -> str:
    from .show import money, pct
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


def comparison_table(doc: dict):
    """Metrics as rows, scenarios as columns; each value after the first shows its difference."""
    from rich.table import Table
    t = Table(title="Options appraisal", caption=f"differences are from '{doc['first']}'; stocks at the end of "
              "each horizon, costs over it")
    t.add_column("Metric")
    for n in doc["scenarios"]:
        t.add_column(n, justify="right")
    for r in doc["metrics"]:
        cells = [_fmt(r["metric"], r["values"][0])]
        for v, d in zip(r["values"][1:], r["difference_from_first"][1:]):
            cells.append(_fmt(r["metric"], v) + ("" if d is None else f"\n({_fmt(r['metric'], d, diff=True)})"))
        t.add_row(r["label"], *cells)
    return t
