"""What changed since last week (--previous DIR): summary.json's `changes`, the terminal line, the report.

A two-week (then three-week) sequence: week 1 is allocated; the week 2 export follows it, with one child
still needing a skill nobody has, one whose skill need went away, a new child, a manager's pin moving a
child, and A's personal cap cut to 4 while A holds 5 children only A may hold (green to red).
"""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from allocator.changes import Changes

WORKERS_1 = """worker_id,team,role,fte,skills,max_children
A,T1,social_worker,1,court,
B,T1,social_worker,1,uasc,
"""
WORKERS_2 = """worker_id,team,role,fte,skills,max_children
A,T1,social_worker,1,court,4
B,T1,social_worker,1,uasc,
C,T1,social_worker,1,,
"""
HEADER = "child_id,team,category,priority,required_skill,current_worker,fixed_worker\n"
HELD = "".join(f"k{i},T1,cin,medium,court,A,\n" for i in range(1, 6))  # only A has court
CASES_1 = HEADER + HELD + """n1,T1,cin,high,uasc,,
w1,T1,cin,medium,disability,,
w2,T1,cin,low,disability,,
m1,T1,cin,medium,,B,
"""
CASES_2 = HEADER + HELD + """n1,T1,cin,high,uasc,B,
w1,T1,cin,medium,disability,,
w2,T1,cin,low,,,
m1,T1,cin,medium,,B,C
n2,T1,cin,medium,,,
"""


def _run(tmp_path: Path, command: str, week: int, out: str, *extra: str):
    workers, cases = tmp_path / f"workers{week}.csv", tmp_path / f"cases{week}.csv"
    workers.write_text(WORKERS_1 if week == 1 else WORKERS_2)
    cases.write_text(CASES_1 if week == 1 else CASES_2)
    return CliRunner().invoke(cli.main, [command, "--workers", str(workers), "--cases", str(cases),
                                         "--out", str(tmp_path / out), "-q", *extra])


@pytest.fixture
def week1(tmp_path):
    result = _run(tmp_path, "allocate", 1, "week1")
    assert result.exit_code == 0, result.output
    return tmp_path / "week1"


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


EXPECTED_WEEK_2 = {"newly_allocated": ["n2", "w2"], "moved": {"m1": {"from": "B", "to": "C"}},
                   "still_waiting": {"w1": 2}, "band_changed": {"A": {"from": "green", "to": "red"}}}


def test_changes_on_a_two_week_sequence(tmp_path, week1):
    assert "changes" not in _summary(week1)  # no --previous: no key
    result = _run(tmp_path, "allocate", 2, "week2", "--previous", str(week1))
    assert result.exit_code == 0, result.output
    summary = _summary(tmp_path / "week2")
    assert list(summary)[-1] == "changes"
    changes = summary["changes"]
    assert sorted(changes["newly_allocated"]) == EXPECTED_WEEK_2["newly_allocated"]
    assert set(changes["newly_allocated"].values()) <= {"B", "C"}
    for key in ("moved", "still_waiting", "band_changed"):
        assert changes[key] == EXPECTED_WEEK_2[key], key
    printed = " ".join(result.output.split())  # the terminal wraps long lines
    assert "Since last week: 2 newly allocated, 1 moved, 1 still waiting, 1 worker changed band." in printed


def test_still_waiting_counts_plans_in_a_row(tmp_path, week1):
    assert _run(tmp_path, "allocate", 2, "week2", "--previous", str(week1)).exit_code == 0
    result = _run(tmp_path, "allocate", 2, "week3", "--previous", str(tmp_path / "week2"), "--json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert changes["still_waiting"] == {"w1": 3}
    # the same export again: nothing else changed (week 2's plan is week 3's, child for child)
    assert changes["newly_allocated"] == {} and changes["moved"] == {} and changes["band_changed"] == {}


def test_report_has_the_section(tmp_path, week1):
    result = _run(tmp_path, "report", 2, "report", "--previous", str(week1))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report" / "report.html").read_text()
    assert "<h3>What changed since last week</h3>" in page
    assert "<td>m1</td><td>B</td><td>C</td>" in page
    book = openpyxl.load_workbook(tmp_path / "report" / "report.xlsx", read_only=True)
    rows = list(book["since_last_week"].iter_rows(values_only=True))
    assert rows[0][:5] == ("change", "label", "id", "was", "now")
    assert ("band_changed", "changed band", "A", "green", "red") in [r[:5] for r in rows]
    book.close()


def test_report_without_previous_has_no_section(tmp_path):
    result = _run(tmp_path, "report", 1, "report")
    assert result.exit_code == 0, result.output
    assert "What changed since last week" not in (tmp_path / "report" / "report.html").read_text()


def test_allocation_workbook_gets_a_changes_sheet(tmp_path, week1):
    result = _run(tmp_path, "allocate", 2, "week2", "--previous", str(week1), "--format", "xlsx")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "week2" / "allocation.xlsx", read_only=True)
    rows = list(book["changes"].iter_rows(values_only=True))
    book.close()
    assert rows[0] == ("change", "id", "was", "now", "detail")
    assert rows[-2][:2] == ("still_waiting", "w1") and rows[-1][:4] == ("band_changed", "A", "green", "red")


def _garble(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "workers.csv").unlink(), "workers.csv: file not found"),
    (lambda f: _garble(f, "allocation.csv", "child,worker\nk1,A\n"),
     "allocation.csv, row 1, column 'child_id, worker_id': missing required columns"),
    (lambda f: _garble(f, "summary.json", "{not json"), "summary.json: cannot be read as JSON"),
    (lambda f: _garble(f, "workers.csv", "worker_id,utilisation\nA,lots\n"),
     "workers.csv, row 2, column 'utilisation': 'lots' is not a number"),
])
def test_a_garbled_previous_folder_is_exit_2_naming_the_file(tmp_path, week1, damage, message):
    damage(week1)
    result = _run(tmp_path, "allocate", 2, "week2", "--previous", str(week1))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "week2").exists()


def test_a_missing_previous_folder_is_exit_2(tmp_path):
    result = _run(tmp_path, "allocate", 2, "week2", "--previous", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "nowhere: not found; give the folder of last week's plan" in result.output


def test_the_previous_plan_is_never_overwritten(tmp_path, week1):
    result = _run(tmp_path, "allocate", 2, "week1", "--previous", str(week1))
    assert result.exit_code == 2
    assert "would replace the input previous plan" in result.output


def test_changes_to_json_is_compact_and_sorted():
    c = Changes({"c1": "A"}, {"c2": ("A", "B")}, {"c3": 2}, {"W": ("green", "amber")})
    assert c.to_json() == {"newly_allocated": {"c1": "A"}, "moved": {"c2": {"from": "A", "to": "B"}},
                           "still_waiting": {"c3": 2}, "band_changed": {"W": {"from": "green", "to": "amber"}}}
    assert c.line() == "Since last week: 1 newly allocated, 1 moved, 1 still waiting, 1 worker changed band"
