"""The manager's standing decisions (--decisions): pins and avoids laid over each week's export.

A decision's fixed_worker replaces the export's, its avoid_workers join the export's; a decision whose
`until` is before the plan date is dropped with a note; an unknown child or worker is a warning; a
malformed file, or siblings left fixed to different workers, is an error (exit 2).
"""
from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from allocator_helpers import child, instance, worker
from click.testing import CliRunner

import cli
from allocator.decisions import Decision, apply, read_decisions
from files.problems import ValidationError

WORKERS = """worker_id,team,role,fte
A,T1,social_worker,1
B,T1,social_worker,1
C,T1,social_worker,1
"""
# c1 and c2 are siblings awaiting allocation; c3 waits alone; c4 is with A and pinned to A by the export;
# c5 must avoid A (the export)
CASES = """child_id,team,category,family_id,current_worker,fixed_worker,avoid_workers
c1,T1,cin,F1,,,
c2,T1,cin,F1,,,
c3,T1,cin,,,,
c4,T1,cin,,A,A,
c5,T1,cin,,,,A
"""
AS_OF = "2026-11-24"


def _files(tmp_path: Path, decisions: str, name: str = "decisions.csv") -> dict[str, Path]:
    paths = {"workers": tmp_path / "workers.csv", "cases": tmp_path / "cases.csv", "decisions": tmp_path / name}
    paths["workers"].write_text(WORKERS)
    paths["cases"].write_text(CASES)
    paths["decisions"].write_text(decisions)
    return paths


def _allocate(tmp_path: Path, decisions: str, *extra: str, name: str = "decisions.csv"):
    f = _files(tmp_path, decisions, name)
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(f["workers"]), "--cases", str(f["cases"]),
                                           "--decisions", str(f["decisions"]), "--as-of", AS_OF, "--out", str(out),
                                           "-q", *extra])
    return result, out


def _workers_of(out: Path) -> dict[str, str]:
    with open(out / "allocation.csv", encoding="utf-8", newline="") as fh:
        return {r["child_id"]: r["worker_id"] for r in csv.DictReader(fh)}


def test_pins_and_avoids_are_applied_and_honoured(tmp_path):
    decisions = ("child_id,fixed_worker,avoid_workers,until\n"
                 "c1,B,,2026-12-31\n"  # pins the family F1: c2 goes to B too
                 "c4,C,,\n"  # replaces the export's pin to A
                 "c3,,A;B,31/12/2026\n"  # c3 may only go to C
                 "c5,,B,\n")  # united with the export's A: c5 may only go to C
    result, out = _allocate(tmp_path, decisions)
    assert result.exit_code == 0, result.output
    got = _workers_of(out)
    assert got["c1"] == got["c2"] == "B"
    assert got["c3"] == got["c4"] == got["c5"] == "C"
    assert "4 of 4 decisions in force applied (2 fixed_worker, 2 avoid_workers)" in result.output
    assert "replaces the fixed_worker given in cases.csv for c4" in result.output
    with open(out / "allocation.csv", encoding="utf-8", newline="") as fh:
        reasons = {r["child_id"]: r["reason"] for r in csv.DictReader(fh)}
    assert reasons["c2"].startswith("manager's decision (fixed_worker)")


def test_expired_decision_is_dropped_with_a_note(tmp_path):
    decisions = ("child_id,fixed_worker,avoid_workers,until\n"
                 "c3,A,,2026-11-23\n"  # ended the day before the plan date
                 "c5,,B;C,2026-11-24\n")  # stands on its last day: c5 has nobody left (A by the export)
    result, out = _allocate(tmp_path, decisions)
    assert result.exit_code == 0, result.output
    assert "1 decision ended before 2026-11-24 (until) and is not applied: c3" in result.output
    got = _workers_of(out)
    assert got["c5"] == ""  # every worker avoided
    assert "1 of 1 decisions in force applied" in result.output


def test_unknown_child_or_worker_is_a_warning_not_fatal(tmp_path):
    decisions = ("child_id,fixed_worker,avoid_workers,until\n"
                 "zz,A,,\n"
                 "c3,Q,X;C,\n")
    result, out = _allocate(tmp_path, decisions, "--json")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert ("decisions.csv, row 2, column 'child_id': 'zz' names no child in the cases file (cases.csv); "
            "the decision is not applied") in warnings
    assert ("decisions.csv, row 3, column 'fixed_worker': 'Q' names nobody in the workers file (workers.csv); "
            "the pin is not applied") in warnings
    assert any("row 3, column 'avoid_workers': 'X' names nobody" in w for w in warnings)
    assert _workers_of(out)["c3"] in ("A", "B")  # the known part (avoid C) is applied


@pytest.mark.parametrize("decisions, where", [
    ("child,fixed_worker\nc1,A\n", "decisions.csv, row 1, column 'child_id': missing required column"),
    ("child_id,fixed_worker,until\nc1,A,next week\n",
     "decisions.csv, row 2, column 'until': the value (not shown: it looks like a name or free text, not an id) "
     "is not a date; use YYYY-MM-DD or dd/mm/yyyy"),
    ("child_id,fixed_worker\n,A\n", "decisions.csv, row 2, column 'child_id': is empty"),
    ("child_id,fixed_worker\nc3,A\nc3,B\n", "decisions.csv, row 3, column 'child_id': 'c3' has another decision in force (row 2)"),
])
def test_malformed_decisions_file_is_exit_2(tmp_path, decisions, where):
    result, out = _allocate(tmp_path, decisions)
    assert result.exit_code == 2, result.output
    assert where in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_siblings_fixed_to_different_workers_is_a_clear_problem(tmp_path):
    result, _ = _allocate(tmp_path, "child_id,fixed_worker\nc1,A\nc2,B\n")
    assert result.exit_code == 2
    assert ("decisions.csv, row 2, column 'fixed_worker': siblings in family 'F1' are fixed to different workers "
            "(A: c1 (row 2); B: c2 (row 3)); fix them to one worker") in result.output


def test_a_pin_against_a_siblings_export_pin_names_both(tmp_path):
    f = _files(tmp_path, "child_id,fixed_worker\nc1,A\n")
    f["cases"].write_text(CASES.replace("c2,T1,cin,F1,,,", "c2,T1,cin,F1,,B,"))
    result = CliRunner().invoke(cli.main, ["validate", "--workers", str(f["workers"]), "--cases", str(f["cases"]),
                                           "--decisions", str(f["decisions"])])
    assert result.exit_code == 2
    assert "(A: c1 (row 2); B: c2 (cases.csv row 3))" in result.output


def test_an_expired_duplicate_is_not_a_duplicate(tmp_path):
    result, out = _allocate(tmp_path, "child_id,fixed_worker,until\nc3,A,2026-01-31\nc3,B,\n")
    assert result.exit_code == 0, result.output
    assert _workers_of(out)["c3"] == "B"


def test_workbook_decisions_with_excel_dates(tmp_path):
    book = tmp_path / "decisions.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "decisions"
    ws.append(["Child ID", "Fixed Worker", "Avoid Workers", "Until"])
    ws.append(["c3", "B", None, datetime(2026, 12, 1)])
    ws.append(["c4", "C", None, datetime(2026, 11, 1)])  # expired: the export's pin to A stands
    wb.save(book)
    f = _files(tmp_path, "")
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(f["workers"]), "--cases", str(f["cases"]),
                                           "--decisions", str(book), "--as-of", AS_OF, "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    got = _workers_of(out)
    assert (got["c3"], got["c4"]) == ("B", "A")


def test_a_header_without_rows_is_no_decisions(tmp_path):
    result, out = _allocate(tmp_path, "child_id,fixed_worker,avoid_workers,until\n")
    assert result.exit_code == 0, result.output
    assert _workers_of(out)["c4"] == "A"


def test_report_takes_decisions_only_with_workers_and_cases(tmp_path):
    f = _files(tmp_path, "child_id,fixed_worker\nc3,B\n")
    ok = CliRunner().invoke(cli.main, ["report", "--workers", str(f["workers"]), "--cases", str(f["cases"]),
                                       "--decisions", str(f["decisions"]), "--out", str(tmp_path / "r"), "-q"])
    assert ok.exit_code == 0, ok.output
    assert "1 of 1 decisions in force applied" in ok.output
    scenario = tmp_path / "s.toml"
    scenario.write_text("")
    bad = CliRunner().invoke(cli.main, ["report", str(scenario), "--decisions", str(f["decisions"]),
                                        "--out", str(tmp_path / "r2")])
    assert bad.exit_code == 2 and "--decisions and --previous go with --workers and --cases" in bad.output


# ---- the module itself ----

def test_read_decisions_types_each_row(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("child_id,fixed_worker,avoid_workers,until\nc1,A,B; C,01/12/2026\nc2,,,\n")
    assert read_decisions(path) == (Decision("c1", "A", ("B", "C"), date(2026, 12, 1), "d.csv", 2),
                                    Decision("c2", None, (), None, "d.csv", 3))


def test_apply_returns_a_new_instance_and_leaves_the_old_one():
    inst = instance([worker("A"), worker("B"), worker("C")],
                    [child("x", family="F", fixed_worker="A", avoid_workers="C"), child("y", family="F")])
    new, warnings, notes = apply(inst, [Decision("y", "B", ("A",), date(2026, 12, 1), row=2),
                                        Decision("x", "B", (), None, row=3)], date(2026, 11, 24))
    kids = {c.id: c for c in new.children}
    assert (kids["x"].fixed_worker, kids["y"].fixed_worker) == ("B", "B")
    assert (kids["x"].avoid_workers, kids["y"].avoid_workers) == (("C",), ("A",))
    assert {c.id: c.fixed_worker for c in inst.children} == {"x": "A", "y": None}
    assert warnings == [] and notes[0] == "decisions: 2 of 2 decisions in force applied (2 fixed_worker, 1 avoid_workers)"
    with pytest.raises(ValidationError, match="fixed to different workers"):
        apply(inst, [Decision("y", "B", row=2)], date(2026, 11, 24))  # x stays pinned to A by the export
