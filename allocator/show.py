"""Rich tables for the terminal: team capacity at a glance, children waiting, moves."""
from __future__ import annotations

from collections import defaultdict

from rich.markup import escape
from rich.table import Table

from policy.bands import band_name

from .instance import Instance


def band(util: float | None) -> str:
    """The utilisation as rich markup, coloured by band; amber and red also say so in words."""
    name = band_name(util)
    if not name:
        return ""
    style = {"green": "green", "amber": "yellow", "red": "red"}[name]
    label = "" if name == "green" else f" {name}"
    return f"[{style}]{util:.0%}{label}[/{style}]"


def team_totals(inst: Instance, load: dict[str, float] | None = None) -> list[dict]:
    """Per team (then "all teams"): workers, FTE, capacity, children, awaiting, load and utilisation.

    `load`: weighted children per worker (default: as the inputs stand, before any plan).
    """
    if load is None:
        load = defaultdict(float)
        for c in inst.children:
            if c.current_worker:
                load[c.current_worker] += c.weight
    teams = inst.teams()
    rows = {team: {"team": team, "workers": 0, "fte": 0.0, "capacity": 0.0, "children": 0, "awaiting": 0,
                   "load": 0.0} for team in teams}
    for w in inst.workers:
        r = rows[w.team]
        r["workers"] += 1
        r["fte"] += w.fte
        r["capacity"] += w.capacity
        r["load"] += load.get(w.id, 0.0)
    for c in inst.children:
        rows[c.team]["children"] += 1
        if not c.current_worker:
            rows[c.team]["awaiting"] += 1
    total = {"team": "all teams", **{k: sum(rows[t][k] for t in teams) for k in
                                    ("workers", "fte", "capacity", "children", "awaiting", "load")}}
    out = [rows[t] for t in teams] + [total]
    for r in out:
        r["fte"], r["capacity"], r["load"] = round(r["fte"], 2), round(r["capacity"], 2), round(r["load"], 2)
        r["utilisation"] = round(r["load"] / r["capacity"], 4) if r["capacity"] else None
    return out


def team_table(inst: Instance, load: dict[str, float] | None = None, title: str = "Teams") -> Table:
    """Workers, FTE, capacity, children, awaiting and load % per team (load: current, or a plan's)."""
    t = Table(title=title)
    for col in ("team", "workers", "FTE", "capacity", "children", "awaiting", "load"):
        t.add_column(col, justify="left" if col == "team" else "right")
    rows = team_totals(inst, load)
    for r in rows:
        if r is rows[-1]:
            t.add_section()
        t.add_row(escape(r["team"]), str(r["workers"]), f"{r['fte']:.1f}", f"{r['capacity']:g}", str(r["children"]),
                  str(r["awaiting"]), band(r["utilisation"]))
    return t


def print_plan(plan, console) -> None:
    inst, s = plan.instance, plan.summary
    console.print(team_table(inst, plan.loads(), title="Caseload by team after the plan"))
    rows = plan.rows
    waiting = [r for r in rows if r.status == "unallocated"]
    prio = {c.id: c.priority for c in inst.children}
    high = [r for r in waiting if prio[r.child_id] == "high"]
    if high:
        t = Table(title=f"High-priority children left waiting ({len(high)})")
        for col in ("child", "team", "reason"):
            t.add_column(col)
        for r in high:
            t.add_row(*map(escape, (r.child_id, r.team, r.reason)))
        console.print(t)
    moves = [r for r in rows if r.status == "moved"]
    if moves:
        t = Table(title=f"Moves ({len(moves)})")
        for col in ("child", "team", "from", "to", "reason"):
            t.add_column(col)
        for r in moves[:50]:
            t.add_row(*map(escape, (r.child_id, r.team, r.previous_worker or "", r.worker_id or "", r.reason)))
        if len(moves) > 50:
            t.add_row("…", "", "", "", f"{len(moves) - 50} more in allocation.csv")
        console.print(t)
    over = s["over_capacity_load"]
    if over:
        console.print("Over-capacity load that could not be moved: "
                      + ", ".join(f"{escape(w)} +{v:g}" for w, v in over.items()))
    bp = s["by_priority"]
    stages = ", ".join(f"{st['stage']} {st['value']:g}{'' if st['proven_optimal'] else ' (not proven)'}"
                       for st in s["stages"])
    console.print(
        f"[bold]{s['status']}[/bold] in {s['solve_seconds']:.1f}s: {s['kept']} kept, {s['moved']} moved, "
        f"{s['allocated']} allocated, {s['unallocated']} waiting, {s['over_capacity']} over capacity. "
        f"Awaiting allocated: high {bp['high']['allocated']}/{bp['high']['awaiting']}, "
        f"medium {bp['medium']['allocated']}/{bp['medium']['awaiting']}, low {bp['low']['allocated']}/{bp['low']['awaiting']}. "
        f"Peak utilisation {s['max_utilisation']:.0%}.")
    console.print(f"[dim]stages: {stages}[/dim]")
    for w, why in s["nqsw_without_supervisor"].items():
        console.print(f"[yellow]NQSW {escape(w)} has no supervisor[/yellow]: {escape(why)}")
    for f, why in s["fixed_worker_not_met"].items():
        console.print(f"[yellow]manager's decision for family {escape(f)} not met[/yellow]: {escape(why)}")
