"""The plan's files, per the contract: allocation.csv, workers.csv, summary.json (and .xlsx)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from files.write import Chart, csv_text, json_text, publish, xlsx_bytes
from files.write import Sheet as XlsxSheet

from .plan import Plan, Summary

ALLOCATION_COLUMNS = ("child_id", "family_id", "team", "worker_id", "status", "previous_worker", "reason")
WORKER_COLUMNS = ("worker_id", "team", "role", "fte", "capacity", "children", "utilisation", "supervisor_id",
                  "nqsw_supervised", "load", "employment", "over_capacity_load")
TEAM_COLUMNS = ("team", "workers", "fte", "capacity", "children", "awaiting", "load", "utilisation")
# Every file a plan folder can hold: writing a plan replaces the folder whole, and only if it holds no others.
PLAN_FILES = ("allocation.csv", "workers.csv", "summary.json", "allocation.xlsx")


Sheet = tuple[Sequence[str], Iterable[Sequence[Any]]]


def tables(plan: Plan) -> dict[str, Sheet]:
    alloc = [[getattr(r, c) for c in ALLOCATION_COLUMNS] for r in plan.rows]
    workers = [[getattr(w, c) for c in WORKER_COLUMNS] for w in plan.workers]
    return {"allocation": (ALLOCATION_COLUMNS, alloc), "workers": (WORKER_COLUMNS, workers)}


def summary_rows(s: Summary) -> list[list[Any]]:
    """summary.json as (measure, value) rows: every single value, then `<priority> awaiting|allocated`."""
    # solve_seconds varies run to run; the workbook must not (the timing stays in summary.json)
    rows = [[k, v] for k, v in s.to_json().items() if not isinstance(v, dict | list) and k != "solve_seconds"]
    return rows + [[f"{p} {k}", v] for p, d in s.by_priority.items() for k, v in d.items()]


def plan_files(plan: Plan, xlsx: bool = False) -> dict[str, bytes]:
    """The plan folder's files by name: allocation.csv, workers.csv, summary.json (and allocation.xlsx)."""
    t = tables(plan)
    files = {f"{name}.csv": csv_text(*t[name]).encode() for name in t}
    files["summary.json"] = json_text(plan.summary.to_json()).encode()
    if xlsx:
        sheets: dict[str, Sheet | XlsxSheet] = dict(t)
        sheets["teams"] = XlsxSheet(TEAM_COLUMNS, [[getattr(r, c) for c in TEAM_COLUMNS] for r in plan.teams],
                                    charts=[Chart("Utilisation by team", ("utilisation",), x="team", kind="bar",
                                                  y_title="caseload / capacity")])
        sheets["summary"] = XlsxSheet(("measure", "value"), summary_rows(plan.summary), row_names="measure")
        sheets["stages"] = (("stage", "value", "proven_optimal"),
                            [[st["stage"], st["value"], st["proven_optimal"]] for st in plan.summary.stages])
        if plan.summary.changes is not None:  # with --previous: what changed since last week, one row a change
            keys = ("change", "id", "was", "now", "detail")
            sheets["changes"] = (keys, [[r[k] for k in keys] for r in plan.summary.changes.rows()])
        files["allocation.xlsx"] = xlsx_bytes(sheets)
    return files


def write_plan(plan: Plan, out: str | Path, xlsx: bool = False) -> None:
    """Write the plan folder `out` as one whole run (see files.publish)."""
    publish(out, plan_files(plan, xlsx), PLAN_FILES, "plan")
