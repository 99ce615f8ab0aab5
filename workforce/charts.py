"""Charts of workforce plans: FTE required against available (with the uncertainty band), agency
share against its target, and cost by option over the horizon.

Each takes `workforce.plan.Plan` objects and draws the numbers the plan already produced (the
monthly projection and the JSON document); nothing is recomputed. Options are told apart by line
style, marker and hatch as well as colour, and lines are labelled at their ends.
"""
from __future__ import annotations

from allocator.charts import WIDTH_IN, Chart, pyplot, quiet_fonts, render, slug

COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457")
LINES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")


def _style(i: int) -> dict:
    return {"colour": COLOURS[i % len(COLOURS)], "line": LINES[i % len(LINES)], "marker": MARKERS[i % len(MARKERS)],
            "hatch": HATCHES[i % len(HATCHES)]}


def _months(plan) -> list[int]:
    return list(range(plan.scenario.months + 1))


def _year_axis(ax, plan) -> None:
    """Ticks at the start of each plan year, labelled YYYY-MM."""
    s = plan.scenario
    ticks = list(range(0, s.months + 1, 12))
    ax.set_xticks(ticks, [s.month_label(t) for t in ticks])
    ax.set_xlim(0, s.months)


def money(x: float) -> str:
    return f"£{x / 1e6:,.1f}m" if abs(x) >= 1e6 else f"£{x / 1e3:,.0f}k"


@quiet_fonts()
def fte_chart(plan) -> Chart:
    """Required FTE against available FTE, month by month; the P10-P90 band of required FTE when uncertain."""
    plt = pyplot()
    doc, p, s = plan.doc, plan.projection, plan.scenario
    x = _months(plan)
    required = [float(v) for v in p.required_fte[0]]
    available = [float(v) for v in p.available_fte[0]]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    ax.plot(x, required, color="#c62828", linestyle="-", marker="o", markevery=12, linewidth=2,
            label="required FTE (plan)")
    ax.plot(x, available, color="#1565c0", linestyle="--", marker="s", markevery=12, linewidth=2,
            label="available FTE")
    permanent = [a - float(g) for a, g in zip(available, p.agency_fte[0])]
    ax.plot(x, permanent, color="#2e7d32", linestyle=":", marker="^", markevery=12, linewidth=2,
            label="of which permanent (without agency)")
    ax.fill_between(x, permanent, available, color="#1565c0", alpha=0.08, linewidth=0, label="filled by agency")
    ends = [12 * (n + 1) for n in range(s.years)]
    band = doc.get("uncertainty")
    alt_band = ""
    if band:
        lo = [required[0]] + [b["p10"] for b in band["required_fte"]]
        hi = [required[0]] + [b["p90"] for b in band["required_fte"]]
        ax.fill_between([0] + ends, lo, hi, color="#c62828", alpha=0.15, hatch="..", edgecolor="#c62828",
                        linewidth=0, label=f"required FTE, P10-P90 ({band['runs']} runs)")
        last = band["required_fte"][-1]
        alt_band = (f" Across {band['runs']} uncertain runs, FTE required at the end lies between {last['p10']:.1f} "
                    f"(P10) and {last['p90']:.1f} (P90).")
    ax.text(x[-1], required[-1], f" {required[-1]:.1f} required", va="bottom", fontsize=8, color="#c62828")
    ax.text(x[-1], available[-1], f" {available[-1]:.1f} available", va="top", fontsize=8, color="#1565c0")
    ax.text(x[-1], permanent[-1], f" {permanent[-1]:.1f} permanent", va="center", fontsize=8, color="#2e7d32")
    _year_axis(ax, plan)
    ax.set_xlim(0, s.months * 1.12)
    ax.set_ylabel("FTE (case-holding)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{doc['scenario']}: FTE required against available")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    end = doc["years"][-1]
    gap = end["gap_fte"]
    alt = (f"Line chart, {doc['scenario']}: FTE required rises from {required[0]:.1f} to {end['required_fte']:.1f} "
           f"by {doc['end']}; available goes from {available[0]:.1f} to {end['available_fte']:.1f}, of which "
           f"{permanent[-1]:.1f} permanent and {end['agency_fte']:.1f} agency at the end; "
           + (f"a shortfall of {gap:.1f} FTE at the end." if gap > 0 else "no shortfall at the end.") + alt_band)
    return Chart(f"fte-{slug(doc['scenario'])}", f"{doc['scenario']}: FTE required against available", alt,
                 render(fig))


@quiet_fonts()
def agency_chart(plans: list) -> Chart:
    """Agency share of case-holding FTE, month by month, for each option, against each option's target."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2))
    parts, targets_drawn, handles = [], {}, []
    for i, plan in enumerate(plans):
        st, doc = _style(i), plan.doc
        share = [100 * float(v) for v in plan.projection.agency_share[0]]
        x = _months(plan)
        handles += ax.plot(x, share, color=st["colour"], linestyle=st["line"], marker=st["marker"], markevery=12,
                           linewidth=2, label=f"({i + 1}) {doc['scenario']}")
        ends = [12 * (n + 1) for n in range(plan.scenario.years)]
        ax.text(x[-1], share[-1], f" {share[-1]:.0f}% ({i + 1})", va="center", fontsize=8, color=st["colour"])
        band = doc.get("uncertainty")
        if band:
            ax.fill_between([0] + ends, [share[0]] + [100 * b["p10"] for b in band["agency_share"]],
                            [share[0]] + [100 * b["p90"] for b in band["agency_share"]], color=st["colour"],
                            alpha=0.1, linewidth=0)
        target = plan.scenario.agency_target_share
        words = f"{doc['scenario']}: {share[0]:.1f}% now, {share[-1]:.1f}% at {doc['end']}"
        if target is not None:
            t = 100 * target
            targets_drawn.setdefault(round(t, 4), []).append(str(i + 1))
            met = share[-1] <= t + 1e-6
            words += f" against a target of {t:.0f}% ({'met' if met else 'not met'})"
        parts.append(words)
    for t, who in sorted(targets_drawn.items()):
        ax.axhline(t, color="#333333", linestyle=":", linewidth=1.2)
        ax.text(0.5, t, f"target {t:.0f}% (option {', '.join(who)})", va="bottom", fontsize=8)
    _year_axis(ax, max(plans, key=lambda pl: pl.scenario.months))
    ax.set_xlim(0, max(pl.scenario.months for pl in plans) * 1.12)
    ax.set_ylabel("agency share of case-holding FTE (%)")
    ax.set_ylim(bottom=0)
    ax.set_title("Agency share against its target")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    alt = "Line chart: agency share of case-holding FTE by month. " + "; ".join(parts) + "."
    return Chart("agency-share", "Agency share against its target", alt, render(fig))


@quiet_fonts()
def cost_chart(plans: list) -> Chart:
    """Each option's cost year by year (staff plus placements), bars side by side."""
    plt = pyplot()
    years = max(pl.scenario.years for pl in plans)
    n = len(plans)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.4))
    top = 1.0
    parts = []
    for i, plan in enumerate(plans):
        st, doc = _style(i), plan.doc
        costs = [y["staff_cost"] + y["placement_cost"] for y in doc["years"]]
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(costs))]
        ax.bar(xs, costs, width=width * 0.95, color=st["colour"], hatch=st["hatch"], edgecolor="#333333",
               linewidth=0.5, label=f"({i + 1}) {doc['scenario']}")
        for xv, c in zip(xs, costs):
            ax.text(xv, c, f"{c / 1e6:.1f}", ha="center", va="bottom", fontsize=7, rotation=90)
        top = max([top] + costs)
        parts.append(f"{doc['scenario']}: {money(sum(costs))} over {len(costs)} years"
                     + (f" plus {money(doc['totals']['investment'])} investment" if doc["totals"]["investment"] else ""))
    ax.set_xticks(range(years), [f"year {k + 1}" for k in range(years)])
    ax.set_ylim(0, top * 1.2)
    ax.yaxis.set_major_formatter(lambda v, _: f"£{v / 1e6:,.0f}m")
    ax.set_ylabel("staff + placement cost a year (£m)")
    ax.set_title("Cost by option over the horizon")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    alt = "Bar chart: cost a year (staff plus placements) by option. " + "; ".join(parts) + "."
    return Chart("cost-by-option", "Cost by option over the horizon", alt, render(fig))
