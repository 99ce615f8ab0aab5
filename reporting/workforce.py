"""The workforce plans in the report: each option's answers and charts, the appraisal, the years and bands."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reporting.charts import WIDTH_IN, Chart, pyplot, quiet_fonts, render, slug
from reporting.layout import Column, Section, Table, money, num, pct, whole
from workforce.results import PERCENTILES

if TYPE_CHECKING:
    from workforce.compare import Comparison
    from workforce.results import Plan

COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457")
LINES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")


def _style(i: int) -> dict[str, str]:
    return {"colour": COLOURS[i % len(COLOURS)], "line": LINES[i % len(LINES)], "marker": MARKERS[i % len(MARKERS)],
            "hatch": HATCHES[i % len(HATCHES)]}


def _months(plan: Plan) -> list[int]:
    return list(range(plan.scenario.months + 1))


def _year_axis(ax: Any, plan: Plan) -> None:
    """Ticks at the start of each plan year, labelled YYYY-MM."""
    s = plan.scenario
    ticks = list(range(0, s.months + 1, 12))
    ax.set_xticks(ticks, [s.month_label(t) for t in ticks])
    ax.set_xlim(0, s.months)


def short_money(x: float) -> str:
    """Pounds on a chart axis or label: £1.2m, £350k."""
    return f"£{x / 1e6:,.1f}m" if abs(x) >= 1e6 else f"£{x / 1e3:,.0f}k"


@quiet_fonts()
def fte_chart(plan: Plan) -> Chart:
    """Required FTE against available FTE, month by month; the P10-P90 band of required FTE when uncertain."""
    plt = pyplot()
    p, s = plan.projection, plan.scenario
    x = _months(plan)
    required = [float(v) for v in p.required_fte[0]]
    available = [float(v) for v in p.available_fte[0]]
    permanent = [float(v) for v in p.permanent_fte[0]]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    ax.plot(x, required, color="#c62828", linestyle="-", marker="o", markevery=12, linewidth=2,
            label="required FTE (plan)")
    ax.plot(x, available, color="#1565c0", linestyle="--", marker="s", markevery=12, linewidth=2,
            label="available FTE")
    ax.plot(x, permanent, color="#2e7d32", linestyle=":", marker="^", markevery=12, linewidth=2,
            label="of which permanent (without agency)")
    ax.fill_between(x, permanent, available, color="#1565c0", alpha=0.08, linewidth=0, label="filled by agency")
    ends = [12 * (n + 1) for n in range(s.years)]
    band = plan.uncertainty
    alt_band = ""
    if band:
        lo = [required[0]] + [b.p10 for b in band.required_fte]
        hi = [required[0]] + [b.p90 for b in band.required_fte]
        ax.fill_between([0] + ends, lo, hi, color="#c62828", alpha=0.15, hatch="..", edgecolor="#c62828",
                        linewidth=0, label=f"required FTE, P10-P90 ({band.runs} runs)")
        last = band.required_fte[-1]
        alt_band = (f" Across {band.runs} uncertain runs, FTE required at the end lies between {last.p10:.1f} "
                    f"(P10) and {last.p90:.1f} (P90).")
    ax.text(x[-1], required[-1], f" {required[-1]:.1f} required", va="bottom", fontsize=8, color="#c62828")
    ax.text(x[-1], available[-1], f" {available[-1]:.1f} available", va="top", fontsize=8, color="#1565c0")
    ax.text(x[-1], permanent[-1], f" {permanent[-1]:.1f} permanent", va="center", fontsize=8, color="#2e7d32")
    _year_axis(ax, plan)
    ax.set_xlim(0, s.months * 1.12)
    ax.set_ylabel("FTE (case-holding)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{plan.name}: FTE required against available")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    end = plan.years[-1]
    gap = end.gap_fte
    alt = (f"Line chart, {plan.name}: FTE required rises from {required[0]:.1f} to {end.required_fte:.1f} "
           f"by {plan.end}; available goes from {available[0]:.1f} to {end.available_fte:.1f}, of which "
           f"{permanent[-1]:.1f} permanent and {end.agency_fte:.1f} agency at the end; "
           + (f"a shortfall of {gap:.1f} FTE at the end." if gap > 0 else "no shortfall at the end.") + alt_band)
    return Chart(f"fte-{slug(plan.name)}", f"{plan.name}: FTE required against available", alt, render(fig))


def _option_lines(ax: Any, plans: list[Plan], series: Callable[[Plan], list[float]],
                  bands: Callable[[Plan], tuple[list[float], list[float]] | None], unit: str) -> list[Any]:
    """One line a option, month by month, labelled at its end, with its P10-P90 band by year where uncertain."""
    handles: list[Any] = []
    for i, plan in enumerate(plans):
        st = _style(i)
        values = series(plan)
        x = _months(plan)
        handles += ax.plot(x, values, color=st["colour"], linestyle=st["line"], marker=st["marker"], markevery=12,
                           linewidth=2, label=f"({i + 1}) {plan.name}")
        ax.text(x[-1], values[-1], f" {values[-1]:.{0 if unit == '%' else 1}f}{unit} ({i + 1})", va="center",
                fontsize=8, color=st["colour"])
        band = bands(plan)
        if band:
            ends = [12 * (n + 1) for n in range(plan.scenario.years)]
            ax.fill_between([0] + ends, [values[0], *band[0]], [values[0], *band[1]], color=st["colour"],
                            alpha=0.1, linewidth=0)
    longest = max(plans, key=lambda pl: pl.scenario.months)
    _year_axis(ax, longest)
    ax.set_xlim(0, longest.scenario.months * 1.12)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return handles


@quiet_fonts()
def agency_chart(plans: list[Plan]) -> Chart:
    """Agency share of case-holding FTE, month by month, for each option, against each option's target."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    parts: list[str] = []
    targets_drawn: dict[float, list[str]] = {}
    _option_lines(ax, plans, lambda p: [100 * float(v) for v in p.projection.agency_share[0]],
                  lambda p: ([100 * b.p10 for b in p.uncertainty.agency_share],
                             [100 * b.p90 for b in p.uncertainty.agency_share]) if p.uncertainty else None, "%")
    for i, plan in enumerate(plans):
        share = plan.projection.agency_share[0]
        target = plan.scenario.agency_target_share
        words = f"{plan.name}: {100 * share[0]:.1f}% now, {100 * share[-1]:.1f}% at {plan.end}"
        if target is not None:
            t = 100 * target
            targets_drawn.setdefault(round(t, 4), []).append(str(i + 1))
            met = plan.years[-1].agency_target_met
            words += f" against a target of {t:.0f}% ({'met' if met else 'not met'})"
        parts.append(words)
    for t, who in sorted(targets_drawn.items()):
        ax.axhline(t, color="#333333", linestyle=":", linewidth=1.2)
        ax.text(0.5, t, f"target {t:.0f}% (option {', '.join(who)})", va="bottom", fontsize=8)
    ax.set_ylabel("agency share of social-worker FTE (%)")
    ax.set_ylim(bottom=0)
    ax.set_title("Agency share against its target")
    alt = "Line chart: agency share of social-worker FTE by month. " + "; ".join(parts) + "."
    return Chart("agency-share", "Agency share against its target", alt, render(fig))


@quiet_fonts()
def caseload_chart(plans: list[Plan]) -> Chart:
    """Caseload per FTE at work, month by month, for each option, against the cap."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    _option_lines(ax, plans, lambda p: [v if v < float("inf") else float("nan")
                                        for v in map(float, p.projection.caseload_per_fte[0])],
                  lambda p: ([b.p10 for b in p.uncertainty.caseload_per_fte],
                             [b.p90 for b in p.uncertainty.caseload_per_fte]) if p.uncertainty else None, "")
    caps = sorted({p.now.children_per_fte for p in plans})
    for cap in caps:
        ax.axhline(cap, color="#333333", linestyle=":", linewidth=1.2)
        ax.text(0.5, cap, f"cap {cap:g} per FTE", va="bottom", fontsize=8)
    ax.set_ylabel("children per FTE at work")
    ax.set_ylim(bottom=min(caps) * 0.8)
    ax.set_title("Caseload per FTE against the cap")
    parts = [f"{p.name}: {p.now.caseload_per_fte or 0:.1f} now, {p.years[-1].caseload_per_fte or 0:.1f} at {p.end}, "
             f"{p.years[-1].children_above_cap:,.0f} children above the cap" for p in plans]
    alt = "Line chart: caseload per FTE by month against the cap. " + "; ".join(parts) + "."
    return Chart("caseload", "Caseload per FTE against the cap", alt, render(fig))


@quiet_fonts()
def cost_chart(plans: list[Plan]) -> Chart:
    """Each option's cost year by year (staff plus placements), bars side by side."""
    plt = pyplot()
    years = max(pl.scenario.years for pl in plans)
    n = len(plans)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.4))
    top = 1.0
    parts = []
    for i, plan in enumerate(plans):
        st = _style(i)
        costs = [y.cost for y in plan.years]
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(costs))]
        ax.bar(xs, costs, width=width * 0.95, color=st["colour"], hatch=st["hatch"], edgecolor="#333333",
               linewidth=0.5, label=f"({i + 1}) {plan.name}")
        for xv, c in zip(xs, costs, strict=True):
            ax.text(xv, c, f"{c / 1e6:.1f}", ha="center", va="bottom", fontsize=7, rotation=90)
        top = max([top, *costs])
        investment = plan.totals.investment
        parts.append(f"{plan.name}: {short_money(sum(costs))} over {len(costs)} years"
                     + (f" plus {short_money(investment)} investment" if investment else ""))
    ax.set_xticks(range(years), [f"year {k + 1}" for k in range(years)])
    ax.set_ylim(0, top * 1.2)
    ax.yaxis.set_major_formatter(lambda v, _: f"£{v / 1e6:,.0f}m")
    ax.set_ylabel("staff + placement cost a year (£m)")
    ax.set_title("Cost by option over the horizon")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    alt = "Bar chart: cost a year (staff plus placements) by option. " + "; ".join(parts) + "."
    return Chart("cost-by-option", "Cost by option over the horizon", alt, render(fig))


YEAR_COLUMNS = [
    Column("scenario", "Scenario", str, numeric=False), Column("year", "Year", str, numeric=False),
    Column("from"), Column("to", "To", str, numeric=False), Column("children", "Children", whole),
    Column("required_fte", "Required FTE", num), Column("available_fte", "Available FTE", num),
    Column("gap_fte", "Gap FTE", lambda v: "–" if v is None else f"{v:+.1f}"), Column("case_holder_fte"),
    Column("nqsw_fte"), Column("agency_fte", "Agency FTE", num), Column("agency_share", "Agency share", pct),
    Column("agency_target_met", "Agency target met", lambda v: "–" if v is None else "yes" if v else "no",
           numeric=False),
    Column("caseload_per_fte", "Caseload per FTE", num), Column("children_above_cap", "Children above cap", whole),
    Column("service_leaders"), Column("service_leaders_needed"),
    Column("staff_cost", "Staff cost", money), Column("agency_cost"), Column("placements", "Placements", whole),
    Column("placement_cost", "Placement cost", money), Column("placement_saving"),
]

BAND_KEYS = (("required_fte", "Required FTE", num), ("gap_fte", "Gap FTE", num),
             ("caseload_per_fte", "Caseload per FTE", num),
             ("agency_share", "Agency share", pct), ("cost", "Cost", money))


def years_table(plans: list[Plan]) -> Table:
    """Every scenario's years (plan --json `years`), with the scenario's name on each row."""
    rows = [{"scenario": p.name, **y.to_json()} for p in plans for y in p.years]
    return Table("years", "Year by year: figures at each year's end, costs over the year", YEAR_COLUMNS, rows)


def bands_table(plans: list[Plan]) -> Table | None:
    """P10 / P50 / P90 by year for the scenarios with [uncertainty], and the chance caseloads exceed the cap."""
    rows = []
    for plan in plans:
        u = plan.uncertainty
        if not u:
            continue
        for n, p_over in enumerate(u.p_over_cap):
            row: dict[str, Any] = {"scenario": plan.name, "year": n + 1, "runs": u.runs, "seed": u.seed}
            for k, _, _ in BAND_KEYS:
                row.update({f"{k}_{p}": v for p, v in getattr(u, k)[n].to_json().items()})
            row["p_over_cap"] = p_over
            rows.append(row)
    if not rows:
        return None
    cols = [Column("scenario", "Scenario", str, numeric=False), Column("year", "Year", str, numeric=False),
            Column("runs"), Column("seed")]
    for k, label, f in BAND_KEYS:
        cols += [Column(f"{k}_p{p}") for p in PERCENTILES]
        cols.append(Column(None, f"{label} P10 / P50 / P90", _band_cell(k, f)))
    cols.append(Column("p_over_cap", "Chance caseloads exceed the cap", pct))
    return Table("uncertainty", "Uncertainty: P10 / P50 / P90 by year (Monte Carlo)", cols, rows)


def _band_cell(key: str, fmt: Callable[[Any], str]) -> Callable[[dict], str]:
    """An HTML cell: the row's P10 / P50 / P90 of `key`."""
    return lambda r: html.escape(" / ".join(fmt(r[f"{key}_p{p}"]) for p in PERCENTILES))


def comparison_table(doc: Comparison) -> Table:
    """The options appraisal, as `compare --json` and `compare --xlsx` give it."""
    from workforce.compare import xlsx_sheets
    header, values = xlsx_sheets(doc)["comparison"]
    rows = [dict(zip(header, v, strict=True)) for v in values]
    names = doc.scenarios
    cols = [Column("metric"), Column("label", "Measure", str, numeric=False)]
    for i, n in enumerate(names):
        cols.append(Column(n, ""))
        diff = f"{n} - {names[0]}" if i else None
        if diff:
            cols.append(Column(diff, ""))
        cols.append(Column(None, n, _option_cell(n, diff)))
    return Table("comparison", "Options appraisal: stocks at the end of each horizon, costs over it; "
                 f"differences (in brackets) from '{names[0]}'", cols, rows)


def _option_cell(name: str, diff: str | None) -> Callable[[dict], str]:
    """An HTML cell: the row's value for option `name`, and its difference from the first (column `diff`)."""
    from workforce.compare import metric_text

    def cell(r: dict) -> str:
        text = html.escape(metric_text(r["metric"], r[name]))
        if diff is None or r[diff] is None:
            return text
        return text + f' <span class="diff">({html.escape(metric_text(r["metric"], r[diff], diff=True))})</span>'
    return cell


def plan_sections(plans: list[Plan]) -> list[Section]:
    """One scenario: its answers, charts and tables. Several: the options appraisal, then each option."""
    from workforce.compare import comparison
    from workforce.show import headlines
    out = []
    if len(plans) > 1:
        doc = comparison(plans)
        sec = Section("options", "Options appraisal")
        sec.blocks.append(f"{len(plans)} options compared with '{doc.first}': "
                          + "; ".join(f"{p.name} ({p.file})" for p in plans) + ".")
        sec.blocks.append(comparison_table(doc))
        sec.blocks += [caseload_chart(plans), cost_chart(plans), agency_chart(plans)]
        out.append(sec)
    for i, plan in enumerate(plans):
        sec = Section(f"scenario-{i + 1}", plan.name if len(plans) == 1 else f"({i + 1}) {plan.name}")
        sec.blocks.append(f"{plan.start} to {plan.end} ({plan.scenario.years} years), from {plan.file}.")
        sec.blocks += [_plain(line) for line in headlines(plan)]
        sec.blocks.append(fte_chart(plan))
        out.append(sec)
    if len(plans) == 1:
        out[0].blocks += [caseload_chart(plans), agency_chart(plans), cost_chart(plans)]
    tables = Section("years", "Year by year")
    tables.blocks.append(years_table(plans))
    band = bands_table(plans)
    if band:
        tables.blocks.append(band)
    else:
        tables.blocks.append("No scenario gives an [uncertainty] section, so no P10-P90 bands are shown.")
    out.append(tables)
    return out


def _plain(markup: str) -> str:
    """The terminal's headline without its style tags ([bold], [cyan]...); other brackets are kept."""
    return re.sub(r"\[/?(?:bold|dim|italic|red|green|yellow|cyan)\]", "", markup)


