"""Rich tables for the terminal: team capacity at a glance, children waiting, moves."""
from __future__ import annotations

from collections import defaultdict

from rich.table import Table

from .instance import Instance


def band(util: float | None) -> str:
    """Probation's workload bands: green under 100%, amber 100-110%, red above 110%."""
    if util is None:
        return ""
    style = "green" if util < 1.0 else "yellow" if util <= 1.10 else "red"
    label = "" if util < 1.0 else " amber" if util <= 1.10 else " red"
    return f"[{style}]{util:.0%}{label}[/{style}]"


def team_table(inst: Instance, load: dict[str, float] | None = None, title: str = "Teams") -> Table:
    """Workers, FTE, capacity, children, awaiting and load % per team (load: current, or a plan's)."""
    if load is None:
        load = defaultdict(float)
        for c in inst.children:
            if c.current_worker:
                load[c.current_worker] += c.weight
    t = Table(title=title)
    for col in ("team", "workers", "FTE", "capacity", "children", "awaiting", "load"):
        t.add_column(col, justify="left" if col == "team" else "right")
    teams = inst.teams()
    rows = {team: [0, 0.0, 0.0, 0, 0, 0.0] for team in teams}
    for w in inst.workers:
        r = rows[w.team]
        r[0] += 1
        r[1] += w.fte
        r[2] += w.capacity
        r[5] += load.get(w.id, 0.0)
    for c in inst.children:
        rows[c.team][3] += 1
        if not c.current_worker:
            rows[c.team][4] += 1
    total = [0, 0.0, 0.0, 0, 0, 0.0]
    for team in teams:
        r = rows[team]
        total = [a + b for a, b in zip(total, r)]
        t.add_row(team, str(r[0]), f"{r[1]:.1f}", f"{r[2]:g}", str(r[3]), str(r[4]), band(r[5] / r[2] if r[2] else None))
    t.add_section()
    t.add_row("all teams", str(total[0]), f"{total[1]:.1f}", f"{total[2]:g}", str(total[3]), str(total[4]),
              band(total[5] / total[2] if total[2] else None))
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
            t.add_row(r.child_id, r.team, r.reason)
        console.print(t)
    moves = [r for r in rows if r.status == "moved"]
    if moves:
        t = Table(title=f"Moves ({len(moves)})")
        for col in ("child", "team", "from", "to", "reason"):
            t.add_column(col)
        for r in moves[:50]:
            t.add_row(r.child_id, r.team, r.previous_worker or "", r.worker_id or "", r.reason)
        if len(moves) > 50:
            t.add_row("…", "", "", "", f"{len(moves) - 50} more in allocation.csv")
        console.print(t)
    over = s["over_capacity_load"]
    if over:
        console.print("Over-capacity load that could not be moved: "
                      + ", ".join(f"{w} +{v:g}" for w, v in over.items()))
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
        console.print(f"[yellow]NQSW {w} has no supervisor[/yellow]: {why}")
    for f, why in s["fixed_worker_not_met"].items():
        console.print(f"[yellow]manager's decision for family {f} not met[/yellow]: {why}")
