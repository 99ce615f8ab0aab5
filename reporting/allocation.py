"""The allocation in the report: headline counts, children waiting, every team and worker, every change."""
from __future__ import annotations

import html
from dataclasses import asdict
from typing import Any

from allocator.changes import KINDS
from allocator.plan import Plan, Summary, TeamRow, WorkerRow
from allocator.write import summary_rows
from policy.bands import BANDS, band_name, percent
from policy.settings import PRIORITIES
from reporting.charts import BAND_STYLE, WIDTH_IN, Chart, pyplot, quiet_fonts, render, slug
from reporting.layout import Block, Column, Section, Table, num, util_band

SUMMARY_LABELS = {
    "status": "Solver status", "children": "Children", "kept": "Kept with their worker",
    "moved": "Moved to another worker", "allocated": "Awaiting allocation, now allocated",
    "unallocated": "Left waiting (unallocated)", "over_capacity": "Held over capacity",
    "max_utilisation": "Highest utilisation",
    "mode": "Mode (rebalance, or keep current workers)", "max_moves": "Most moves allowed", "seed": "Seed",
    "workers": "Workers", "components": "Independent groups of teams solved",
    "dropped": "Children with a worker left without one",
    **{f"{p} {k}": f"{p.capitalize()} priority: {'awaiting' if k == 'awaiting' else 'allocated by the plan'}"
       for p in PRIORITIES for k in ("awaiting", "allocated")},
}


def allocation_section(plan: Plan, inputs: str = "") -> Section:
    """The allocation: headline counts, children waiting by priority, every team and worker, every change."""
    sec = Section("allocation", "Allocation of children to social workers")
    sec.blocks += [f"Plan date: {plan.instance.policy.today().isoformat()}.", _headline(plan.summary, inputs),
                   *_summary_tables(plan.summary)]
    sec.blocks += _since_last_week(plan.summary)
    sec.blocks += [("h3", "Caseload by team"),
                   "Utilisation is caseload (weighted children) over capacity. Bands: green under 100%, "
                   "amber 100-110%, red over 110%; the band is written beside each figure.",
                   *_caseload_tables(plan)]
    sec.blocks += _change_tables(plan)
    return sec


def _since_last_week(s: Summary) -> list[Block]:
    """With --previous: the children newly allocated, moved and still waiting, and workers whose band changed."""
    if s.changes is None:
        return []
    rows = [{**r, "label": KINDS[r["change"]]} for r in s.changes.rows()]
    cols = [Column("change"), Column("label", "Change", str, numeric=False),
            Column("id", "Child or worker", str, numeric=False),
            Column("was", "Was", lambda v: v or "–", numeric=False),
            Column("now", "Now", lambda v: v or "–", numeric=False),
            Column("detail", "Detail", str, numeric=False)]
    return [("h3", "What changed since last week"),
            s.changes.line() + ", against the previous plan. Newly allocated: children with a worker now who had none "
            "in the previous plan (or were not in it); moved: a different worker from the previous plan's; still "
            "waiting: waiting in both plans, with the number of plans in a row that have left the child waiting; "
            "changed band: workers whose workload band differs from the previous plan's.",
            Table("since_last_week", f"What changed since last week ({len(rows)})", cols, rows,
                  note="Nothing changed since the previous plan.")]


def _headline(s: Summary, inputs: str) -> str:
    high = s.by_priority["high"]
    waiting_high = high["awaiting"] - high["allocated"]
    return (f"{s.children:,} children: {s.kept:,} stay with their worker, {s.moved:,} move, "
            f"{s.allocated:,} awaiting allocation are allocated and {s.unallocated:,} are left waiting"
            + (f" ({waiting_high} of them high priority)" if waiting_high else "") + "; "
            f"{s.over_capacity:,} are held by a worker over capacity. The highest utilisation among case-holding "
            f"workers is {percent(s.max_utilisation)}. The plan is {s.status}"
            + (" (proven best by the contract's order)." if s.status == "optimal" else " (the best found in the time).")
            + (f" Inputs: {inputs}." if inputs else ""))


def _summary_tables(s: Summary) -> list[Block]:
    rows = [{"measure": k, "label": SUMMARY_LABELS.get(k, k.replace("_", " ")), "value": v}
            for k, v in summary_rows(s)]
    bp = s.by_priority
    return [Table("summary", "Allocation summary (summary.json)", [
                Column("measure"), Column("label", "Measure", str, numeric=False), Column("value"),
                Column(None, "Value", _summary_value)], rows),
            awaiting_chart(bp),
            Table("by_priority", "Children awaiting allocation, by priority", [
                Column("priority", "Priority", str, numeric=False), Column("awaiting", "Awaiting", num),
                Column("allocated", "Allocated by the plan", num), Column("waiting", "Still waiting", num)],
                [{"priority": p, **d, "waiting": d["awaiting"] - d["allocated"]} for p, d in bp.items()])]


def _banded(row: WorkerRow | TeamRow) -> dict[str, Any]:
    return {**asdict(row), "band": row.band}


def _caseload_tables(plan: Plan) -> list[Block]:
    def one_place(v: float) -> str:
        return num(v, 1)

    teams = Table("teams", "Caseload by team after the plan", [
        Column("team", "Team", str, numeric=False), Column("workers", "Workers", num), Column("fte", "FTE", num),
        Column("capacity", "Capacity", one_place), Column("children", "Children", num),
        Column("awaiting", "Awaiting before the plan", num), Column("load", "Caseload", one_place),
        Column("utilisation", "Utilisation (band)", util_band), Column("band")], [_banded(t) for t in plan.teams])
    workers = Table("workers", "Every worker after the plan (workers.csv)", [
        Column("worker_id", "Worker", str, numeric=False), Column("team", "Team", str, numeric=False),
        Column("role", "Role", lambda v: v.replace("_", " "), numeric=False), Column("fte", "FTE", lambda v: num(v, 2)),
        Column("capacity", "Capacity", one_place), Column("children", "Children", num),
        Column("load", "Caseload", one_place), Column("utilisation", "Utilisation (band)", util_band),
        Column("band"), Column("supervisor_id", "Supervisor", lambda v: v or "–", numeric=False),
        Column("nqsw_supervised"), Column("employment", "Employment", str, numeric=False),
        Column("over_capacity_load")], [_banded(w) for w in plan.workers])
    return [teams, *caseload_charts(plan.workers), workers]


def _change_tables(plan: Plan) -> list[Block]:
    order = {"unallocated": 0, "over_capacity": 1, "moved": 2}
    changes = sorted((r for r in plan.rows if r.status in order), key=lambda r: (order[r.status], r.team, r.child_id))
    cols = [Column("child_id", "Child", str, numeric=False), Column("family_id"),
            Column("team", "Team", str, numeric=False),
            Column("status", "Status", lambda v: v.replace("_", " "), numeric=False),
            Column("previous_worker", "Was with", lambda v: v or "–", numeric=False),
            Column("worker_id", "Now with", lambda v: v or "–", numeric=False),
            Column("reason", "Reason", str, numeric=False)]
    cover = plan.needs_cover
    cover_blocks: list[Block] = [("h3", "Children who need cover"), Table(
        "cover", f"Children kept with a worker absent on the plan date, who need cover ({len(cover)})", cols,
        [asdict(r) for r in cover])] if cover else []
    return [("h3", "Children left waiting, held over capacity, or moved"),
            Table("changes", f"Children left waiting, over capacity or moved ({len(changes)})", cols,
                  [asdict(r) for r in changes],
                  note="" if changes else "No child is left waiting, held over capacity or moved."),
            *cover_blocks,
            Table("allocation", "Every child (allocation.csv)", cols, [asdict(r) for r in plan.rows], html=False)]


def _summary_value(row: dict[str, Any]) -> str:
    v = row["value"]
    if row["measure"] == "max_utilisation":
        return html.escape(percent(v))
    return html.escape(v if isinstance(v, str) else num(v, 3) if isinstance(v, float) else num(v))


@quiet_fonts()
def caseload_charts(worker_rows: tuple[WorkerRow, ...]) -> list[Chart]:
    """One chart a team: each case-holding worker's caseload (weighted children) against capacity, banded."""
    teams = sorted({w.team for w in worker_rows})
    return [_team_chart(team, [w for w in worker_rows if w.team == team]) for team in teams]


def _team_chart(team: str, workers: list[WorkerRow]) -> Chart:
    plt = pyplot()
    from matplotlib.patches import Patch
    workers = sorted(workers, key=lambda w: w.worker_id, reverse=True)  # first id at the top
    n = len(workers)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.2 + 0.32 * n))
    top = max([w.capacity for w in workers] + [w.load for w in workers] + [1.0])
    counts = {"green": 0, "amber": 0, "red": 0}
    for i, w in enumerate(workers):
        util = w.utilisation
        name = band_name(util) or "green"
        counts[name] += bool(band_name(util))
        colour, hatch = BAND_STYLE[name]
        ax.barh(i, w.load, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.5, height=0.7)
        ax.plot([w.capacity, w.capacity], [i - 0.45, i + 0.45], color="black", linewidth=2)
        label = f"{w.load:g} / {w.capacity:g}"
        if util is not None:
            label += f"  {percent(util)} {name}"
        ax.text(max(w.load, w.capacity) + top * 0.01, i, label, va="center", fontsize=8)
    ax.set_yticks(range(n), [f"{w.worker_id} ({_role(w.role)})" for w in workers], fontsize=8)
    ax.set_xlim(0, top * 1.3)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("caseload (weighted children); black tick = capacity")
    ax.set_title(f"{team}: caseload against capacity", pad=24)
    handles = [Patch(facecolor=BAND_STYLE[b][0], hatch=BAND_STYLE[b][1], edgecolor="#333333",
                     label=f"{b} ({BANDS[b]})") for b in ("green", "amber", "red")]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    utils = [w.utilisation for w in workers if w.utilisation is not None]
    alt = (f"Bar chart, {team}: caseload against capacity for {n} worker{'s' if n != 1 else ''}. "
           f"{counts['green']} green (under 100%), {counts['amber']} amber (100-110%), {counts['red']} red "
           f"(over 110%)" + (f"; highest utilisation {percent(max(utils))}." if utils else "."))
    return Chart(f"caseload-{slug(team)}", f"{team}: caseload against capacity", alt, render(fig))


def _role(role: str) -> str:
    return {"social_worker": "SW", "nqsw": "NQSW", "senior_social_worker": "senior SW",
            "consultant_social_worker": "consultant SW", "service_leader": "team manager"}.get(role, role)


@quiet_fonts()
def awaiting_chart(by_priority: dict[str, dict[str, int]]) -> Chart:
    """Children awaiting allocation by priority: how many the plan allocates and how many still wait."""
    plt = pyplot()
    prios = PRIORITIES
    allocated = [by_priority[p]["allocated"] for p in prios]
    waiting = [by_priority[p]["awaiting"] - by_priority[p]["allocated"] for p in prios]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.2))
    y = range(len(prios))
    ax.barh(y, allocated, color="#1565c0", edgecolor="#333333", linewidth=0.5, label="allocated by the plan")
    ax.barh(y, waiting, left=allocated, color="#e0e0e0", hatch="..", edgecolor="#333333", linewidth=0.5,
            label="still waiting")
    top = max([a + w for a, w in zip(allocated, waiting, strict=True)] + [1])
    for i, (a, w) in enumerate(zip(allocated, waiting, strict=True)):
        ax.text(a + w + top * 0.01, i, f"{a} allocated, {w} waiting", va="center", fontsize=9)
    ax.set_yticks(list(y), [f"{p} priority" for p in prios])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel("children awaiting allocation")
    ax.set_title("Children awaiting allocation, by priority")
    ax.legend(loc="lower right", fontsize=8)
    alt = "Bar chart: children awaiting allocation by priority. " + "; ".join(
        f"{p}: {a} of {a + w} allocated, {w} still waiting"
        for p, a, w in zip(prios, allocated, waiting, strict=True)) + "."
    return Chart("awaiting", "Children awaiting allocation, by priority", alt, render(fig))
