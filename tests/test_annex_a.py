"""Ofsted Annex A in: lists recognised by their headers, open episodes only, the strictest category, court and
uasc, children awaiting a worker, names matched to the workers file (and never printed), the notes, the CLI
(`caseload import annex-a`, `--cases workbook.xlsx`) and the sample workbook's round trip.

Small workbooks are built here with openpyxl, one list a sheet, the way councils export them.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import cli
from allocator.annex_a import STRICTEST_FIRST, is_annex_a, read_annex_a
from allocator.inputs import load_instance
from files.problems import ValidationError
from files.read import read_table
from policy.settings import Policy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
NBSP = "\u00a0"

START = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
DISABILITY = "Does the Child have a Disability"
ALLOCATED = ["Allocated Team", "Allocated Worker"]
L3 = [*START, "Date of referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", *ALLOCATED]
L4 = [*START, DISABILITY, "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation", *ALLOCATED]
L5 = [*START, DISABILITY, "Strategy discussion initiating Section 47 Enquiry Start Date", *ALLOCATED]
L6 = [*START, DISABILITY, "CIN Start Date", "CIN Closure Date", "Case Status", *ALLOCATED]
L7 = [*START, DISABILITY, "Child Protection Plan Start Date", "Child Protection Plan End Date", *ALLOCATED]
L8 = [*START, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", DISABILITY,
      "Date Started to be Looked After", "Child's Legal Status", "Date Ceased to be Looked After", *ALLOCATED]
L9 = [*START, "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)", DISABILITY,
      *ALLOCATED, "Allocated Personal Advisor", "Eligibility Category"]

WORKERS = [("W1", "Team A", "social_worker", "Alex Smith"), ("W2", "Team A", "senior_social_worker", "Sam Jones"),
           ("W3", "Team B", "social_worker", "Kim Lee"), ("W4", "Team B", "senior_social_worker", "Jo Park")]


def who(cid: str) -> list[object]:
    return [cid, "a) Male", "a) WBRI", date(2014, 3, 1), 12]


def l3(cid, team, worker, referred=date(2026, 9, 1), nfa="b) No"):
    return [*who(cid), referred, "q) 6: Police", nfa, 1, team, worker]


def l4(cid, team, worker, started=date(2026, 10, 1), authorised=None):
    return [*who(cid), "b) No", started, authorised, team, worker]


def l5(cid, team, worker):
    return [*who(cid), "b) No", date(2026, 9, 20), team, worker]


def l6(cid, team, worker, status="c) Child in need plan", closed=None):
    return [*who(cid), "b) No", date(2026, 1, 5), closed, status, team, worker]


def l7(cid, team, worker, ended=None):
    return [*who(cid), "b) No", date(2026, 2, 1), ended, team, worker]


def l8(cid, team, worker, legal="b) Full care orders", uasc="N", ceased=None):
    return [*who(cid), uasc, "b) No", date(2025, 5, 1), legal, ceased, team, worker]


def l9(cid, team, worker, uasc="N", advisor="Pat Helper"):
    return [*who(cid), uasc, "b) No", team, worker, advisor, "b) Former relevant child"]


def workbook(path: Path, sheets: dict[str, tuple[list[object], list[list[object]]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def workers_file(path: Path, workers=WORKERS, header=("worker_id", "team", "role", "fte", "name")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for wid, team, role, name in workers:
            row = {"worker_id": wid, "team": team, "role": role, "fte": "1", "name": name}
            w.writerow([row[h] for h in header])
    return path


def read(tmp_path: Path, sheets, workers=WORKERS):
    """The workbook's cases rows by child id, and the notes."""
    book = workbook(tmp_path / "annex.xlsx", sheets)
    wrows = read_table(workers_file(tmp_path / "workers.csv", workers), "workers", ("worker_id",),
                       ("worker_id", "team", "name"))
    got = read_annex_a(book, wrows, workers_label="workers.csv")
    return {r["child_id"]: r for _, r in got.rows}, got.notes


def problems(tmp_path: Path, sheets, workers=WORKERS) -> list[str]:
    with pytest.raises(ValidationError) as e:
        read(tmp_path, sheets, workers)
    return [str(p) for p in e.value.problems]


def invoke(*args) -> object:
    return CliRunner().invoke(cli.main, [str(a) for a in args])


# ---------------------------------------------------------------- recognising the lists

def test_lists_are_recognised_by_their_headers_not_their_sheet_names(tmp_path):
    rows, notes = read(tmp_path, {
        "Cover": (["Annex A for the inspection"], [["nothing to read here"]]),
        "Sheet7": (L6, [l6("C1", "Team A", "Alex Smith")]),
        "L8 - CLA": (L7, [l7("C2", "Team A", "Alex Smith")]),  # a sheet named for list 8 holding list 7
        "Contacts": ([*START, "Date of Contact", "Contact Source"], [[*who("C9"), date(2026, 9, 1), "Police"]]),
    })
    assert {c: r["category"] for c, r in rows.items()} == {"C1": "cin", "C2": "cp"}
    assert "Annex A lists read: list 6 children in need (sheet 'Sheet7'); list 7 child protection (sheet 'L8 - CLA')" in notes
    assert ("Annex A sheets not read: list 1 contacts (sheet 'Contacts'): no social-work case; sheet 'Cover': "
            "not a list") in notes


def test_header_variants_and_typos_are_tolerated(tmp_path):
    """Trailing spaces, odd case, non-breaking spaces, curly quotes, '(Y/N))', 'Age', 'Date of Referral'."""
    l8_messy = ["CHILD UNIQUE ID ", "Gender   ", "Ethnicity", f"Date{NBSP}of Birth", "Age",
                "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))", DISABILITY,
                "Date Started to be Looked After", "Child\u2019s Legal Status", "Date Ceased to be Looked After",
                "Allocated Team ", f"Allocated{NBSP}Worker"]
    l3_messy = [*START[:4], "Age of Child (Years) ", "Date of Referral", "Referral Source", "Referral NFA?",
                "Number of Referrals in Last 12 Months", *ALLOCATED]
    rows, _ = read(tmp_path, {"L8": (l8_messy, [l8("C1", "Team A", "Alex Smith", "a) Interim care orders", "Y")]),
                              "L3": (l3_messy, [l3("C2", "Team A", "#N/A", referred="14/09/2026")])})
    assert {k: rows["C1"][k] for k in ("category", "court", "required_skill", "current_worker")} == {
        "category": "lac", "court": "yes", "required_skill": "uasc", "current_worker": "W1"}
    assert rows["C2"]["awaiting_since"] == "2026-09-14" and rows["C2"]["category"] == "assessment"


def test_a_title_row_above_the_header(tmp_path):
    rows, _ = read(tmp_path, {"List 7": (["List 7: child protection"], [L7, l7("C1", "Team B", "Kim Lee")])})
    assert rows["C1"]["category"] == "cp" and rows["C1"]["current_worker"] == "W3"


def test_is_annex_a_only_for_a_workbook_of_lists_without_a_cases_sheet(tmp_path):
    lists = workbook(tmp_path / "a.xlsx", {"List 7": (L7, [l7("C1", "Team A", "Alex Smith")])})
    with_cases = workbook(tmp_path / "b.xlsx", {"List 7": (L7, []), "cases": (["child_id", "team", "category"], [])})
    other = workbook(tmp_path / "c.xlsx", {"Sheet1": (["child_id", "team", "category"], [["C1", "T", "cin"]])})
    (tmp_path / "d.csv").write_text("child_id,team,category\n")
    assert is_annex_a(lists)
    assert not is_annex_a(with_cases) and not is_annex_a(other) and not is_annex_a(tmp_path / "d.csv")
    assert not is_annex_a(tmp_path / "missing.xlsx")


def test_a_workbook_with_no_list_is_refused(tmp_path):
    found = problems(tmp_path, {"Sheet1": (["child_id", "team"], [["C1", "T"]])})
    assert found == ["annex.xlsx: has no Annex A list: no sheet has a header row beginning Child Unique ID, Gender, "
                     "Ethnicity, Date of Birth, Age of Child (Years) (sheets: Sheet1); give the Annex A workbook as "
                     "exported, or a cases file"]


# ---------------------------------------------------------------- what a child's row says

def test_only_open_episodes_hold_a_child(tmp_path):
    ended = date(2026, 8, 1)
    rows, notes = read(tmp_path, {
        "L3": (L3, [l3("C1", "Team A", "Alex Smith", nfa="a) Yes")]),
        "L4": (L4, [l4("C2", "Team A", "Alex Smith", authorised=ended)]),
        "L6": (L6, [l6("C3", "Team A", "Alex Smith", closed="01/08/2026"),
                    l6("C4", "Team A", "Alex Smith", status="e) Closed episode"),
                    l6("C6", "Team A", "Alex Smith")]),
        "L7": (L7, [l7("C5", "Team A", "Alex Smith", ended=ended), l7("C6", "Team A", "Alex Smith", ended=ended)]),
        "L8": (L8, [l8("C7", "Team A", "Alex Smith", ceased=ended), l8("C8", "Team A", "Alex Smith", ceased="#N/A")]),
    })
    assert {c: r["category"] for c, r in rows.items()} == {"C6": "cin", "C8": "lac"}  # C6's CP plan has ended
    assert notes[0].startswith("Annex A: 2 children from 5 lists; 7 closed episodes skipped (6 children with no "
                               "open episode left out); 0 on several lists")


def test_an_end_date_that_is_not_a_date_is_an_error(tmp_path):
    found = problems(tmp_path, {"List 7": (L7, [l7("C1", "Team A", "Alex Smith", ended="soon")])})
    assert found == ["annex.xlsx (sheet 'List 7', list 7), row 2, column 'Child Protection Plan End Date': 'soon' is "
                     "not a date; use YYYY-MM-DD or dd/mm/yyyy; leave it blank while the episode is open, or give "
                     "the date it ended"]


def test_the_strictest_category_wins(tmp_path):
    rows, notes = read(tmp_path, {
        "L3": (L3, [l3("R", "Team A", "Alex Smith")]),
        "L4": (L4, [l4("IN", "Team A", "Alex Smith"), l4("A", "Team A", "Alex Smith")]),
        "L5": (L5, [l5("S", "Team A", "Alex Smith"), l5("A", "Team A", "Alex Smith")]),
        "L6": (L6, [l6("CP", "Team A", "Sam Jones", "b) Child Protection plan"), l6("LAC", "Team A", "Sam Jones"),
                    l6("CL", "Team A", "Sam Jones"), l6("IN", "Team A", "Alex Smith"),
                    l6("OA", "Team A", "Alex Smith", "d) Open assessment"), l6("L6", "Team A", "Sam Jones",
                                                                                 "a) Looked after child")]),
        "L7": (L7, [l7("CP", "Team A", "Sam Jones")]),
        "L8": (L8, [l8("CP", "Team A", "Sam Jones"), l8("LAC", "Team A", "Sam Jones")]),
        "L9": (L9, [l9("CL", "Team A", "Sam Jones")]),
    })
    assert {c: r["category"] for c, r in rows.items()} == {
        "CP": "cp", "LAC": "lac", "CL": "care_leaver", "IN": "cin", "OA": "assessment", "A": "assessment",
        "R": "assessment", "S": "assessment", "L6": "lac"}
    assert "on several lists (strictest category kept)" in notes[0] and "; 5 on several lists" in notes[0]
    assert ("Annex A categories (strictest list wins): cp 1, lac 2, care_leaver 1, cin 1, assessment 4; 2 on a "
            "referral or section 47 list only, read as assessment") in notes
    assert STRICTEST_FIRST == ("cp", "lac", "care_leaver", "cin", "assessment")


def test_court_from_interim_care_orders_and_uasc_from_the_flags(tmp_path):
    rows, notes = read(tmp_path, {
        "L8": (L8, [l8("ICO", "Team A", "Alex Smith", "a) Interim care orders"),
                    l8("FCO", "Team A", "Alex Smith", "b) Full care orders", uasc="Y"),
                    l8("S20", "Team A", "Alex Smith", "Accommodated under section 20", uasc="N")]),
        "L9": (L9, [l9("CL", "Team A", "Alex Smith", uasc="Y"), l9("CL2", "Team A", "Alex Smith", uasc="N")]),
    })
    assert {c: (r["court"], r["required_skill"]) for c, r in rows.items()} == {
        "ICO": ("yes", None), "FCO": ("no", "uasc"), "S20": ("no", None), "CL": ("no", "uasc"), "CL2": ("no", None)}
    assert "; 1 court (interim care order); 2 uasc; 0 awaiting" in notes[0]
    assert "Annex A: list 9's Allocated Personal Advisor is not a social worker and is not read" in notes


def test_children_awaiting_a_worker_and_since_when(tmp_path):
    rows, notes = read(tmp_path, {
        "L3": (L3, [l3("A1", "Team A", "#N/A", referred=datetime(2026, 8, 3)),
                    l3("A2", "Team A", None, referred="20/08/2026"),
                    l3("A2", "Team A", None, referred="01/09/2026")]),
        "L4": (L4, [l4("A3", "Team A", "Unallocated", started=date(2026, 10, 2)),
                    l4("A4", "Team A", "UNALLOCATED ", started="05/10/2026"), l4("A1", "Team A", "#N/A")]),
        "L6": (L6, [l6("A5", "Team B", f"unallocated{NBSP}")]),
    })
    assert {c: (r["current_worker"], r["awaiting_since"]) for c, r in rows.items()} == {
        "A1": (None, "2026-08-03"), "A2": (None, "2026-08-20"), "A3": (None, "2026-10-02"),
        "A4": (None, "2026-10-05"), "A5": (None, None)}
    assert notes[0].endswith("5 awaiting (#N/A 1, blank 1, 'Unallocated' 3)")
    assert ("Annex A: awaiting_since from the referral date for 2 children, the assessment start for 2; 1 have "
            "neither (left blank)") in notes


def test_team_from_another_list_or_from_the_worker(tmp_path):
    rows, notes = read(tmp_path, {"L7": (L7, [l7("C1", None, "Kim Lee"), l7("C2", None, "Kim Lee")]),
                                  "L6": (L6, [l6("C1", "Team A", "Kim Lee")])})
    assert rows["C1"]["team"] == "Team A" and rows["C2"]["team"] == "Team B"
    assert ("Annex A: Allocated Team blank on the strictest list: the team taken from another of the child's "
            "lists for 1, from the allocated worker's team for 1") in notes


def test_no_team_and_no_worker_is_an_error_naming_list_row_and_column(tmp_path):
    found = problems(tmp_path, {"L7 CP": (L7, [l7("C1", "Team A", "Kim Lee"), l7("C2", None, "#N/A")])})
    assert found == ["annex.xlsx (sheet 'L7 CP', list 7), row 3, column 'Allocated Team': is blank and no worker "
                     "is allocated, so the child's team is not known; give the team the child's case sits with"]


# ---------------------------------------------------------------- names

def test_names_match_whatever_the_case_and_spacing(tmp_path):
    rows, _ = read(tmp_path, {"L6": (L6, [l6("C1", "Team A", f"alex{NBSP}smith"), l6("C2", "Team A", "ALEX  SMITH"),
                                          l6("C3", "Team A", f" Alex Smith{NBSP}"), l6("C4", "Team B", "kim lee")])})
    assert {c: r["current_worker"] for c, r in rows.items()} == {"C1": "W1", "C2": "W1", "C3": "W1", "C4": "W3"}


def test_a_personal_advisor_is_never_matched_or_checked(tmp_path):
    rows, _ = read(tmp_path, {"L9": (L9, [l9("C1", "Team A", "#N/A", advisor="Alex Smith"),
                                          l9("C2", "Team A", "Sam Jones", advisor="Nobody Known")])})
    assert rows["C1"]["current_worker"] is None and rows["C2"]["current_worker"] == "W2"


def test_an_unknown_name_is_an_error_that_never_prints_the_name(tmp_path):
    book = workbook(tmp_path / "annex.xlsx", {"L7 CP": (L7, [l7("C1", "Team A", "Alex Smith"),
                                                             l7("C2", "Team A", "Hidden Person"),
                                                             l7("C3", "Team A", "hidden  person"),
                                                             l7("C4", "Team A", "Another Stranger")])})
    workers = workers_file(tmp_path / "workers.csv")
    for args in (["import", "annex-a", book, "--workers", workers],
                 ["validate", "--workers", workers, "--cases", book]):
        r = invoke(*args)
        assert r.exit_code == 2, r.output
        fix = ("names someone who is not in the workers file's name column{}; add the worker's name to the workers "
               "file's name column (as the export writes it), or write Unallocated if the child awaits a worker")
        assert f"annex.xlsx (sheet 'L7 CP', list 7), row 3, column 'Allocated Worker': {fix.format(' (so does row 4)')}" \
            in r.output.replace("\n", " ")
        assert f"annex.xlsx (sheet 'L7 CP', list 7), row 5, column 'Allocated Worker': {fix.format('')}" \
            in r.output.replace("\n", " ")
        assert "2 problems found; nothing was written." in r.output
        assert "hidden" not in r.output.lower() and "stranger" not in r.output.lower() and "Traceback" not in r.output


def test_two_workers_under_one_name_is_an_error_naming_both(tmp_path):
    twins = [*WORKERS, ("W9", "Team B", "social_worker", f"sam{NBSP}JONES")]
    found = problems(tmp_path, {"L6": (L6, [l6("C1", "Team A", "Kim Lee")])}, workers=twins)
    assert found == ["workers.csv, row 6, column 'name': is the same name as worker W2's (row 3): workers W2, W9 "
                     "share one name, so Annex A's Allocated Worker cannot tell them apart; make the names differ "
                     "as the case-management system writes them (a middle initial, say)"]
    assert not any("jones" in p.lower() for p in found)


def test_a_workers_file_without_names_says_so_once(tmp_path):
    book = workbook(tmp_path / "annex.xlsx", {"L6": (L6, [l6(f"C{i}", "Team A", "Alex Smith") for i in range(5)])})
    workers = workers_file(tmp_path / "workers.csv", header=("worker_id", "team", "role", "fte"))
    r = invoke("import", "annex-a", book, "--workers", workers)
    assert r.exit_code == 2
    assert ("workers.csv, row 1, column 'name': no worker has a name, so Annex A's Allocated Worker cannot be matched "
            "to anyone; add a name column") in r.output.replace("\n", " ")
    assert "1 problem found" in r.output


# ---------------------------------------------------------------- the CLI

def council(tmp_path: Path) -> tuple[Path, Path]:
    book = workbook(tmp_path / "annex.xlsx", {
        "List 3": (L3, [l3("C5", "Team B", "#N/A", referred="02/10/2026")]),
        "List 6": (L6, [l6("C1", "Team A", "Alex Smith"), l6("C2", "Team A", "Unallocated"),
                        l6("C3", "Team B", f"Kim{NBSP}Lee"), l6("C5", "Team B", None)]),
        "L7": (L7, [l7("C4", "Team A", "Sam Jones")]),
        "L8 - CLA": (L8, [l8("C6", "Team B", "Jo Park", "a) Interim care orders")]),
    })
    return book, workers_file(tmp_path / "workers.csv")


def test_import_writes_the_cases_csv_to_stdout_and_the_notes_to_stderr(tmp_path):
    book, workers = council(tmp_path)
    r = invoke("import", "annex-a", book, "--workers", workers)
    assert r.exit_code == 0, r.output
    assert r.stdout == ("child_id,team,category,family_id,priority,court,required_skill,current_worker,awaiting_since\n"
                        "C1,Team A,cin,,,no,,W1,\n"
                        "C2,Team A,cin,,,no,,,\n"
                        "C3,Team B,cin,,,no,,W3,\n"
                        "C4,Team A,cp,,,no,,W2,\n"
                        "C5,Team B,cin,,,no,,,2026-10-02\n"
                        "C6,Team B,lac,,,yes,,W4,\n")
    assert r.stderr.startswith("note: Annex A: 6 children from 4 lists; 0 closed episodes skipped; 1 on several "
                               "lists (strictest category kept); 1 court (interim care order); 0 uasc; 2 awaiting "
                               "(blank 1, 'Unallocated' 1)\n")
    for name in ("Alex", "Smith", "Kim", "Sam", "Jo Park"):
        assert name not in r.output


def test_import_out_writes_the_file_and_never_over_an_input(tmp_path):
    book, workers = council(tmp_path)
    out = tmp_path / "cases.csv"
    r = invoke("import", "annex-a", book, "--workers", workers, "--out", out)
    assert r.exit_code == 0, r.output
    assert r.stdout == "" and "Cases written to" in r.stderr and "6 children" in r.stderr
    assert out.read_text().startswith("child_id,team,category,")
    before = book.read_bytes()
    r = invoke("import", "annex-a", book, "--workers", workers, "--out", book)
    assert r.exit_code == 2 and "it would replace the input Annex A workbook" in r.output.replace("\n", " ")
    assert book.read_bytes() == before
    assert load_instance(workers, out, Policy()).instance.children[5].court  # the file is a cases file


def test_validate_and_allocate_take_the_workbook_as_cases(tmp_path):
    book, workers = council(tmp_path)
    r = invoke("validate", "--workers", workers, "--cases", book)
    assert r.exit_code == 0, r.output
    assert "note: Annex A: 6 children from 4 lists" in r.output and "valid: 4 workers, 6 children" in r.output
    r = invoke("allocate", "--workers", workers, "--cases", book, "--out", tmp_path / "plan", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["children"] == 6 and summary["allocated"] == 2 and summary["unallocated"] == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "plan" / "allocation.csv").read_text())))
    assert sorted(r["child_id"] for r in rows) == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert all(r["worker_id"] for r in rows)


def test_a_warning_about_a_workbook_child_names_the_imported_row(tmp_path):
    """An NQSW holding a CP child: the warning points at the row `caseload import annex-a` writes."""
    workers = [*WORKERS[:3], ("W4", "Team B", "nqsw", "Jo Park"), ("W5", "Team B", "senior_social_worker", "Ed Bo")]
    book = workbook(tmp_path / "annex.xlsx", {"L7": (L7, [l7("C1", "Team B", "Kim Lee"), l7("C2", "Team B", "Jo Park")])})
    w = workers_file(tmp_path / "workers.csv", workers)
    r = invoke("validate", "--workers", w, "--cases", book)
    assert r.exit_code == 0, r.output
    assert "annex.xlsx (read as cases), row 3, column 'current_worker': 'W4' is an NQSW" in r.output.replace("\n", " ")


# ---------------------------------------------------------------- the sample workbook

RANK = {c: i for i, c in enumerate(STRICTEST_FIRST)}


def test_the_sample_workbook_gives_back_the_sample_children():
    r = invoke("import", "annex-a", SAMPLE / "annex_a.xlsx", "--workers", SAMPLE / "workers.csv")
    assert r.exit_code == 0, r.output
    got = {c["child_id"]: c for c in csv.DictReader(io.StringIO(r.stdout))}
    with (SAMPLE / "cases.csv").open(encoding="utf-8") as fh:
        sample = {c["child_id"]: c for c in csv.DictReader(fh)}
    assert got.keys() == sample.keys()
    for cid, c in sample.items():
        g = got[cid]
        assert (g["team"], g["current_worker"]) == (c["team"], c["current_worker"]), cid
        assert RANK[g["category"]] <= RANK[c["category"]], cid
        assert (g["court"] == "yes") == (c["court"] == "yes" and c["category"] == "lac"), cid  # ICOs: list 8 only
        assert (g["required_skill"] == "uasc") == ("uasc" in c["required_skill"]), cid
        assert (g["awaiting_since"] != "") <= (c["current_worker"] == ""), cid
    notes = [line for line in r.stderr.splitlines() if line.startswith("note: ")]
    assert notes[0] == ("note: Annex A: 890 children from 7 lists; 102 closed episodes skipped (12 children with no "
                        "open episode left out); 419 on several lists (strictest category kept); 67 court (interim "
                        "care order); 5 uasc; 77 awaiting (#N/A 25, blank 26, 'Unallocated' 26)")
    with (SAMPLE / "workers.csv").open(encoding="utf-8") as fh:
        names = [w["name"] for w in csv.DictReader(fh)]
    assert all(name and name not in r.output for name in names)


def test_make_annex_a_reproduces_the_sample_workbook(tmp_path):
    subprocess.run([sys.executable, "-m", "benchmarks.make_annex_a", "--out", str(tmp_path / "annex_a.xlsx")],
                   cwd=ROOT, check=True, capture_output=True)
    assert (tmp_path / "annex_a.xlsx").read_bytes() == (SAMPLE / "annex_a.xlsx").read_bytes()
