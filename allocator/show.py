"""Rich tables for the terminal: team capacity at a glance, children waiting, moves."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from policy.bands import band_name, percent
from policy.settings import PRIORITIES

from .plan import Plan, TeamRow


def band(util: float | None) -> str:
    """The utilisation as rich markup, coloured by band; amber and red also say so in words."""
    name = band_name(util)
    if not name or util is None:
        return ""
    style = {"green": "green", "amber": "yellow", "red": "red"}[name]
    label = "" if name == "green" else f" {name}"
    return f"[{style}]{percent(util)}{label}[/{style}]"


MOST_ROWS = 50  # a terminal table lists at most this many children or teams; the files have them all


def team_table(rows: tuple[TeamRow, ...], title: str = "Teams") -> Table:
    """Workers, FTE, capacity, children, awaiting and load % per team, then all teams (the last row). Where there
    are more than MOST_ROWS teams, the most loaded of them (a county's table would scroll out of sight)."""
    teams, total = list(rows[:-1]), rows[-1]
    if len(teams) > MOST_ROWS:
        teams = sorted(teams, key=lambda r: (-(r.utilisation or 0.0), r.team))[:MOST_ROWS]
        title += f": the {MOST_ROWS} most loaded of {len(rows) - 1:,} teams"
    t = Table(title=title)
    for col in ("team", "workers", "FTE", "capacity", "children", "awaiting", "load"):
        t.add_column(col, justify="left" if col == "team" else "right", no_wrap=col == "team")
    for r in [*teams, total]:
        if r is total:
            t.add_section()
        t.add_row(escape(r.team), str(r.workers), f"{r.fte:.1f}", f"{r.capacity:g}", str(r.children),
                  str(r.awaiting), band(r.utilisation))
    return t


def print_plan(plan: Plan, console: Console) -> None:
    """The teams after the plan, high-priority children left waiting, moves, and the summary in a few lines."""
    s = plan.summary
    console.print(team_table(plan.teams, title="Caseload by team after the plan"))
    _print_waiting(plan, console)
    _print_moves(plan, console)
    if s.over_capacity_load:
        console.print("Over-capacity load that could not be moved: "
                      + ", ".join(f"{escape(w)} +{v:g}" for w, v in s.over_capacity_load.items()))
    bp = s.by_priority
    stages = ", ".join(f"{st['stage']} {st['value']:g}{'' if st['proven_optimal'] else ' (not proven)'}"
                       for st in s.stages)
    console.print(
        f"[bold]{s.status}[/bold] in {s.solve_seconds:.1f}s: {s.kept} kept, {s.moved} moved, "
        f"{s.allocated} allocated, {s.unallocated} waiting, {s.over_capacity} over capacity. "
        "Awaiting allocated: " + ", ".join(f"{p} {bp[p]['allocated']}/{bp[p]['awaiting']}" for p in PRIORITIES)
        + f". Peak utilisation {percent(s.max_utilisation)}.")
    console.print(f"[dim]stages: {stages}[/dim]")
    if s.changes is not None:  # with --previous
        console.print(escape(s.changes.line()) + ".")
    for w, why in s.nqsw_without_supervisor.items():
        console.print(f"[yellow]NQSW {escape(w)} has no supervisor[/yellow]: {escape(why)}")
    for f, why in s.fixed_worker_not_met.items():
        console.print(f"[yellow]manager's decision for family {escape(f)} not met[/yellow]: {escape(why)}")


def _print_waiting(plan: Plan, console: Console) -> None:
    priority = {c.id: c.priority for c in plan.instance.children}
    high = [r for r in plan.rows if r.status == "unallocated" and priority[r.child_id] == "high"]
    if high:
        t = Table(title=f"High-priority children left waiting ({len(high)})")
        for col in ("child", "team", "reason"):
            t.add_column(col)
        for r in high[:MOST_ROWS]:
            t.add_row(*map(escape, (r.child_id, r.team, r.reason)))
        if len(high) > MOST_ROWS:
            t.add_row("…", "", f"{len(high) - MOST_ROWS} more in allocation.csv")
        console.print(t)


def _print_moves(plan: Plan, console: Console) -> None:
    moves = [r for r in plan.rows if r.status == "moved"]
    if moves:
        t = Table(title=f"Moves ({len(moves)})")
        for col in ("child", "team", "from", "to", "reason"):
            t.add_column(col)
        for r in moves[:MOST_ROWS]:
            t.add_row(*map(escape, (r.child_id, r.team, r.previous_worker or "", r.worker_id or "", r.reason)))
        if len(moves) > MOST_ROWS:
            t.add_row("…", "", "", "", f"{len(moves) - MOST_ROWS} more in allocation.csv")
        console.print(t)
