"""Rich tables for a plan: one row a year, the headline answers, and the uncertainty bands."""
from __future__ import annotations

from rich.table import Table


def money(x) -> str:
    if x is None:
        return ""
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x) / 1e6:,.2f}m" if abs(x) >= 1e6 else f"{sign}£{abs(x):,.0f}"


def pct(x) -> str:
    return "" if x is None else f"{100 * x:.1f}%"


def year_table(doc: dict) -> Table:
    """Each year: demand, FTE, agency and costs (stocks at the year's end, costs over the year)."""
    t = Table(title=f"{doc['scenario']}: {doc['start']} to {doc['end']}", caption="figures at each year's end; "
              "costs over the year")
    for c in ("Year", "Children", "Required FTE", "Available FTE", "Gap FTE", "Agency FTE", "Agency share",
              "Staff cost", "Placements", "Placement cost"):
        t.add_column(c, justify="left" if c == "Year" else "right")
    for y in doc["years"]:
        share = pct(y["agency_share"])
        if y.get("agency_target_met") is False:
            share = f"[red]{share}[/red]"
        t.add_row(str(y["year"]), f"{y['children']:,.0f}", f"{y['required_fte']:.1f}", f"{y['available_fte']:.1f}",
                  f"{y['gap_fte']:+.1f}", f"{y['agency_fte']:.1f}", share, money(y["staff_cost"]),
                  f"{y['placements']:,.0f}", money(y["placement_cost"]))
    return t


def workforce_table(doc: dict) -> Table:
    """Each year's workforce at its end: permanent, NQSW, agency, caseload, service leaders."""
    first = doc["years"][0] if doc["years"] else {"from": "", "to": ""}
    t = Table(title="Workforce at each year's end", caption=f"year 1 runs {first['from']} to {first['to']}")
    for c in ("Year", "Permanent FTE", "NQSW FTE", "Agency FTE", "Caseload per FTE", "Service leaders",
              "needed"):
        t.add_column(c, justify="left" if c == "Year" else "right")
    for y in doc["years"]:
        load = y["caseload_per_fte"]  # None when no FTE is available at all
        over = load is None or load > doc["now"]["children_per_fte"] + 1e-9
        caseload = "no FTE" if load is None else f"{load:.1f}"
        t.add_row(str(y["year"]), f"{y['case_holder_fte']:.1f}", f"{y['nqsw_fte']:.1f}",
                  f"{y['agency_fte']:.1f}", f"[red]{caseload}[/red]" if over else caseload,
                  f"{y['service_leaders']:.0f}", str(y["service_leaders_needed"]))
    return t


def headlines(doc: dict) -> list[str]:
    """The answers a head of service asks for, one line each."""
    now = doc["now"]
    lines = [f"Now: {now['children']:,.0f} children need {now['required_fte']:.1f} FTE at "
             f"{now['children_per_fte']:g} per FTE; {now['available_fte']:.1f} FTE available"
             + (f" (caseload {now['caseload_per_fte']:.1f} per FTE)." if now["caseload_per_fte"] is not None else "."),
             f"Extra FTE needed now: [bold]{doc['extra_fte_needed']:.1f}[/bold]."]
    tr = doc["demand_trend"]
    if tr.get("history"):
        lines.append(f"Demand trend fitted to {len(tr['history'])} years: {tr['kind']} "
                     f"(RMSE linear {tr['rmse_linear']:.1f}, log-linear {tr['rmse_log_linear']:.1f}); "
                     + (f"{tr['per_year']:+.1f} children a year" if tr["kind"] == "linear"
                        else f"{100 * tr['growth_per_year']:+.1f}% a year") + ".")
    at = doc.get("agency_target")
    if at:
        if at.get("nqsw_intake_per_year") is None:
            lines.append(f"Agency target {pct(at['target_share'])} by {at['by']}: not reachable ({at['reason']}).")
        else:
            lines.append(f"Agency target {pct(at['target_share'])} by {at['by']}: needs "
                         f"[bold]{at['nqsw_intake_per_year']}[/bold] more NQSWs a year (joining in month "
                         f"{at['intake_month']}) on top of planned intakes; share {pct(at['share_without_extra'])} "
                         f"without, {pct(at['share_with_intake'])} with.")
    eff = doc.get("intake_effect")
    if eff:
        lines.append(f"Planned intakes cut agency by {eff['agency_fte_reduction_at_end']:.1f} FTE by the end and "
                     f"save {money(eff['agency_cost_saved'])} of agency cost.")
    tot = doc["totals"]
    lines.append(f"Over {doc['horizon_years']} years: staff {money(tot['staff_cost'])} (agency "
                 f"{money(tot['agency_cost'])}), placements {money(tot['placement_cost'])}, investment "
                 f"{money(tot['investment'])}; net {money(tot['net_cost'])}.")
    pb = doc.get("payback")
    if pb:
        when = f"repaid in year {pb['payback_year']}" if pb["payback_year"] else "not repaid within the horizon"
        lines.append(f"Invest-to-save {money(pb['investment'])}: breaks even at [bold]{pb['placements_to_break_even']}"
                     f"[/bold] placements avoided ({money(pb['average_cost'])} each); {when}.")
    for note in doc.get("notes", []):
        lines.append(f"[cyan]note[/cyan]: {note}")
    return lines


def band_table(name: str, bands: dict) -> Table:
    """P10 / P50 / P90 a year, and the chance caseloads exceed the cap."""
    t = Table(title=f"{name}: uncertainty ({bands.get('runs', '?')} runs, seed {bands.get('seed', '?')}), "
                    "P10 / P50 / P90")
    for c in ("Year", "Required FTE", "Gap FTE", "Agency share", "Cost", "P(over cap)"):
        t.add_column(c, justify="left" if c == "Year" else "right")
    fmt = {"required_fte": lambda v: f"{v:.1f}", "gap_fte": lambda v: f"{v:+.1f}", "agency_share": pct, "cost": money}
    for n in range(len(bands["p_over_cap"])):
        cells = [" / ".join(fmt[k](bands[k][n][f"p{p}"]) for p in bands["percentiles"]) for k in fmt]
        t.add_row(str(n + 1), *cells, pct(bands["p_over_cap"][n]))
    return t


def print_plan(doc: dict, console) -> None:
    console.print(year_table(doc))
    console.print(workforce_table(doc))
    for line in headlines(doc):
        console.print(line, soft_wrap=True)
    if "uncertainty" in doc:
        console.print(band_table(doc["scenario"], doc["uncertainty"]))
