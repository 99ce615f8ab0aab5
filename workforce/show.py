"""Rich tables for a plan: one row a year, the headline answers, and the uncertainty bands."""
from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from files.numbers import money, pct

from .results import Band, Bands, Plan


def year_table(plan: Plan) -> Table:
    """Each year: demand, FTE, agency and costs (stocks at the year's end, costs over the year)."""
    t = Table(title=f"{plan.name}: {plan.start} to {plan.end}", caption="figures at each year's end; "
              "costs over the year")
    for c in ("Year", "Children", "Required FTE", "Available FTE", "Gap FTE", "Agency FTE", "Agency share",
              "Staff cost", "Placements", "Placement cost"):
        t.add_column(c, justify="left" if c == "Year" else "right")
    for y in plan.years:
        share = pct(y.agency_share)
        if y.agency_target_met is False:
            share = f"[red]{share}[/red]"
        t.add_row(str(y.year), f"{y.children:,.0f}", f"{y.required_fte:.1f}", f"{y.available_fte:.1f}",
                  f"{y.gap_fte:+.1f}", f"{y.agency_fte:.1f}", share, money(y.staff_cost),
                  f"{y.placements:,.0f}", money(y.placement_cost))
    return t


def workforce_table(plan: Plan) -> Table:
    """Each year's workforce at its end: permanent, NQSW, agency, caseload, service leaders."""
    first = plan.years[0]
    t = Table(title="Workforce at each year's end", caption=f"year 1 runs {first.start} to {first.end}")
    for c in ("Year", "Permanent FTE", "NQSW FTE", "Agency FTE", "Caseload per FTE", "Children above cap",
              "Service leaders", "needed"):
        t.add_column(c, justify="left" if c == "Year" else "right")
    for y in plan.years:
        load = y.caseload_per_fte  # None when no FTE is available at all
        over = load is None or load > plan.now.children_per_fte + 1e-9
        caseload = "no FTE" if load is None else f"{load:.1f}"
        t.add_row(str(y.year), f"{y.case_holder_fte:.1f}", f"{y.nqsw_fte:.1f}",
                  f"{y.agency_fte:.1f}", f"[red]{caseload}[/red]" if over else caseload,
                  f"{y.children_above_cap:,.0f}", f"{y.service_leaders:.0f}", str(y.service_leaders_needed))
    return t


def headlines(plan: Plan) -> list[str]:
    """The answers a head of service asks for, one line each."""
    now = plan.now
    lines = [f"Now: {now.children:,.0f} children need {now.required_fte:.1f} FTE at "
             f"{now.children_per_fte:g} per FTE; {now.available_fte:.1f} FTE available"
             + (f" (caseload {now.caseload_per_fte:.1f} per FTE)." if now.caseload_per_fte is not None else "."),
             f"Extra FTE needed now: [bold]{plan.extra_fte_needed:.1f}[/bold]."]
    tr = plan.trend
    if tr.history:
        lines.append(f"Demand trend fitted to {len(tr.history)} years: {tr.kind} "
                     f"(RMSE linear {tr.rmse_linear:.1f}, log-linear {tr.rmse_log_linear:.1f}); "
                     + (f"{tr.per_year:+.1f} children a year" if tr.kind == "linear"
                        else f"{100 * tr.growth_per_year:+.1f}% a year") + ".")
    at = plan.agency_target
    if at and not at.reached:
        lines.append(f"Agency target {pct(at.target_share)} by {at.by}: not reachable ({at.reason}).")
    elif at:
        lines.append(f"Agency target {pct(at.target_share)} by {at.by}: needs "
                     f"[bold]{at.nqsw_intake_per_year}[/bold] more NQSWs a year (joining in month "
                     f"{at.intake_month}) on top of planned intakes; share {pct(at.share_without_extra)} "
                     f"without, {pct(at.share_with_intake)} with.")
    eff = plan.intake_effect
    if eff:
        lines.append(f"Planned intakes cut agency by {eff.agency_fte_reduction_at_end:.1f} FTE by the end and "
                     f"save {money(eff.agency_cost_saved)} of agency cost.")
    over = [y for y in plan.years if y.children_above_cap > 0.5]
    if over:
        worst = max(over, key=lambda y: y.children_above_cap)
        lines.append(f"[red]Supply falls short[/red]: caseloads end above the cap in {len(over)} of "
                     f"{len(plan.years)} years; at worst (year {worst.year}) {worst.children_above_cap:,.0f} children "
                     f"more than the FTE at work can hold at {plan.now.children_per_fte:g} per FTE.")
    tot = plan.totals
    paid = (f" ({money(tot.investment_in_staff_cost)} of it pays for the intakes' staff, counted once)"
            if tot.investment_in_staff_cost else "")
    lines.append(f"Over {plan.scenario.years} years: staff {money(tot.staff_cost)} (agency "
                 f"{money(tot.agency_cost)}), placements {money(tot.placement_cost)}, investment "
                 f"{money(tot.investment)}{paid}; net {money(tot.net_cost)}"
                 + (f", discounted at {pct(tot.discount_rate)} a year {money(tot.net_cost_discounted or 0)}"
                    if tot.discount_rate is not None else "") + ".")
    pb = plan.payback
    if pb:
        when = f"repaid in year {pb.payback_year}" if pb.payback_year else "not repaid within the horizon"
        lines.append(f"Invest-to-save {money(pb.investment)}: breaks even at [bold]{pb.placements_to_break_even}"
                     f"[/bold] placements avoided ({money(pb.average_cost)} each); {when}.")
    lines += [f"[cyan]note[/cyan]: {note}" for note in plan.scenario.notes]
    return lines


BAND_FORMATS: dict[str, Callable[[float], str]] = {
    "required_fte": lambda v: f"{v:.1f}", "gap_fte": lambda v: f"{v:+.1f}", "caseload_per_fte": lambda v: f"{v:.1f}",
    "agency_share": pct, "cost": money}


def band_table(name: str, bands: Bands) -> Table:
    """P10 / P50 / P90 a year, and the chance caseloads exceed the cap."""
    t = Table(title=f"{name}: uncertainty ({bands.runs} runs, seed {bands.seed}), P10 / P50 / P90")
    for c in ("Year", "Required FTE", "Gap FTE", "Caseload per FTE", "Agency share", "Cost", "P(over cap)"):
        t.add_column(c, justify="left" if c == "Year" else "right")
    for n, p_over in enumerate(bands.p_over_cap):
        cells = [_band_text(getattr(bands, k)[n], fmt) for k, fmt in BAND_FORMATS.items()]
        t.add_row(str(n + 1), *cells, pct(p_over))
    return t


def _band_text(b: Band, fmt: Callable[[float], str]) -> str:
    return " / ".join(fmt(v) for v in (b.p10, b.p50, b.p90))


def print_plan(plan: Plan, console: Console) -> None:
    """The plan on the terminal: the year and workforce tables, the headlines, the bands."""
    console.print(year_table(plan))
    console.print(workforce_table(plan))
    for line in headlines(plan):
        console.print(line, soft_wrap=True)
    if plan.uncertainty is not None:
        console.print(band_table(plan.name, plan.uncertainty))
