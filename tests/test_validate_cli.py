"""`caseload validate` (and the CLI's edges) on a corpus of broken and awkward inputs.

tests/data/bad/: one problem a file (a few hold several), each paired with the valid
other file from tests/data/good/. Every one must exit 2 (or 0 for a warning), name
the file, row and column, say what to do, and print no traceback.
tests/data/ok/: the tolerance real exports need; every one must be accepted.
The binary and .xlsx members are written by tests/data/make_bad_xlsx.py.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
BAD, OK, GOOD = DATA / "bad", DATA / "ok", DATA / "good"
SAMPLE = ROOT / "sample_data"
GOOD_W, GOOD_C = GOOD / "workers.csv", GOOD / "cases.csv"

ROLES_LIST = "social_worker, nqsw, senior_social_worker, consultant_social_worker, service_leader"

# file -> fragments its messages must hold (file name, row, column, and the fix in words)
ERRORS: dict[str, list[str]] = {
    # ---- workers: the file itself ----
    "workers_empty.csv": ["workers_empty.csv: the file is empty", "header row and one row per worker"],
    "workers_header_only.csv": ["workers_header_only.csv: has a header but no rows", "add one row per worker"],
    "workers_missing_columns.csv": ["workers_missing_columns.csv, row 1, column 'role, fte'", "missing required columns",
                                    "the workers file needs: worker_id, team, role, fte (found: worker_id, team, employment)"],
    "workers_duplicate_column.csv": ["workers_duplicate_column.csv, row 1, column 'team'", "column appears twice; keep one"],
    "workers_semicolon.csv": ["workers_semicolon.csv, row 1", "separated by ';'", "save the file as CSV with commas"],
    "workers_tab.csv": ["workers_tab.csv, row 1", "separated by '\\t'", "save the file as CSV with commas"],
    "workers_stray_comma.csv": ["workers_stray_comma.csv, row 9", "12 values but the header has 11 columns",
                                "check for stray commas"],
    "workers_binary.csv": ["workers_binary.csv: is not a text CSV file (binary content)", "export it as CSV UTF-8 or .xlsx"],
    "workers_utf16.csv": ["workers_utf16.csv: is saved as UTF-16", "CSV UTF-8 (Comma delimited)"],
    "workers_latin1.csv": ["workers_latin1.csv, row 9: is not UTF-8 text", "CSV UTF-8 (Comma delimited)"],
    "workers_old_excel.xls": ["workers_old_excel.xls: is an old-style Excel .xls workbook", "save it as .xlsx or CSV UTF-8"],
    "workers_zip_named_csv.csv": ["workers_zip_named_csv.csv: is a zipped file", "give it the .xlsx extension"],
    "workers_not_a_workbook.xlsx": ["workers_not_a_workbook.xlsx: cannot be opened as an Excel workbook",
                                    "save it again as .xlsx"],
    "workers_empty.xlsx": ["workers_empty.xlsx: the file is empty (0 bytes)", "a sheet named 'workers'"],
    "workers_no_sheet.xlsx": ["workers_no_sheet.xlsx: has no sheet named 'workers' (sheets: Staff, Summary)",
                              "rename the sheet that holds the workers to 'workers'"],
    # ---- workers: cells ----
    "workers_blank_id.csv": ["workers_blank_id.csv, row 9, column 'worker_id': is empty", "every worker needs a unique id"],
    "workers_duplicate_id.csv": ["workers_duplicate_id.csv, row 9, column 'worker_id': 'W3' is a duplicate of row 4",
                                 "ids must be unique"],
    "workers_unknown_role.csv": ["workers_unknown_role.csv, row 9, column 'role': 'Wizard' is not a role",
                                 f"use one of: {ROLES_LIST}", "'Team Manager'"],
    "workers_fte_out_of_range.csv": ["workers_fte_out_of_range.csv, row 9, column 'fte': '1.5' is out of range",
                                     "FTE must be more than 0 and at most 1"],
    "workers_fte_zero.csv": ["workers_fte_zero.csv, row 9, column 'fte': '0' is out of range", "more than 0"],
    "workers_fte_not_number.csv": ["workers_fte_not_number.csv, row 9, column 'fte': 'full time' is not a number",
                                   "give the FTE as a number like 0.8"],
    "workers_max_children_not_number.csv": ["workers_max_children_not_number.csv, row 9, column 'max_children': "
                                            "'ten' is not a number", "give a personal cap of 0 or more"],
    "workers_accepting_not_yes_no.csv": ["workers_accepting_not_yes_no.csv, row 9, column 'accepting': "
                                         "'maybe' is not yes or no", "use yes/no, true/false, Y/N or 1/0"],
    "workers_bad_employment.csv": ["workers_bad_employment.csv, row 9, column 'employment': 'contractor' is not valid",
                                   "use permanent or agency"],
    "workers_bad_date.csv": ["workers_bad_date.csv, row 9, column 'asye_start': '31/02/2026' is not a date",
                             "use YYYY-MM-DD or dd/mm/yyyy"],
    "workers_future_asye_start.csv": ["workers_future_asye_start.csv, row 9, column 'asye_start': 2099-09-01 is in the future",
                                      "give the date the ASYE year began"],
    "workers_supervisor_nobody.csv": ["workers_supervisor_nobody.csv, row 9, column 'supervisor_id': 'W99' names nobody",
                                      "leave it blank for the allocator to choose"],
    "workers_supervisor_not_supervising.csv": ["workers_supervisor_not_supervising.csv, row 9, column 'supervisor_id': "
                                               "'W3' is a social_worker, who does not supervise NQSWs",
                                               "name one of: senior_social_worker, consultant_social_worker, service_leader"],
    "workers_supervisor_other_team.csv": ["workers_supervisor_other_team.csv, row 9, column 'supervisor_id': "
                                          "'W2' is in team 'North', not 'South'",
                                          "an NQSW's supervisor must be in the same team"],
    "workers_bad_cells.xlsx": ["workers_bad_cells.xlsx, row 4, column 'fte': '2026-01-05' (a date) is not a number",
                               "workers_bad_cells.xlsx, row 5, column 'asye_start': 46027 is a number, not a date",
                               "format the cells as dates",
                               "workers_bad_cells.xlsx, row 7, column 'accepting': 'maybe' is not yes or no"],
    # user text with [brackets] is printed as typed, not read as terminal markup
    "workers_brackets.csv": ["workers_brackets.csv, row 9, column 'role': '[/b]Wizard' is not a role",
                             "workers_brackets.csv, row 10, column 'fte': '[0.8]' is not a number"],
    "workers_three_problems.csv": ["workers_three_problems.csv, row 9, column 'role': 'Wizard' is not a role",
                                   "workers_three_problems.csv, row 10, column 'fte': '2' is out of range",
                                   "workers_three_problems.csv, row 11, column 'accepting': 'maybe' is not yes or no",
                                   "3 problems found"],
    # ---- cases ----
    "cases_empty.csv": ["cases_empty.csv: the file is empty", "one row per child"],
    "cases_only_commas.csv": ["cases_only_commas.csv: the file is empty", "one row per child"],
    "cases_header_only.csv": ["cases_header_only.csv: has a header but no rows", "add one row per child"],
    "cases_missing_columns.csv": ["cases_missing_columns.csv, row 1, column 'category': missing required column",
                                  "the cases file needs: child_id, team, category"],
    "cases_unknown_category.csv": ["cases_unknown_category.csv, row 10, column 'category': 'adoption' is not a category",
                                   "use one of: cin, cp, lac, care_leaver, assessment"],
    "cases_unknown_priority.csv": ["cases_unknown_priority.csv, row 10, column 'priority': 'urgent' is not a priority",
                                   "use high, medium or low"],
    "cases_duplicate_id.csv": ["cases_duplicate_id.csv, row 10, column 'child_id': 'C2' is a duplicate of row 3",
                               "each child appears once"],
    "cases_current_worker_nobody.csv": ["cases_current_worker_nobody.csv, row 10, column 'current_worker': "
                                        "'W99' names nobody in the workers file",
                                        "leave it blank if the child awaits allocation"],
    "cases_fixed_worker_nobody.csv": ["cases_fixed_worker_nobody.csv, row 10, column 'fixed_worker': 'W99' names nobody",
                                      "give an existing worker_id"],
    "cases_siblings_split_teams.csv": ["cases_siblings_split_teams.csv, row 10, column 'team': "
                                       "family 'F1' is split across teams North, South",
                                       "siblings must sit with one team"],
    "cases_siblings_fixed_apart.csv": ["cases_siblings_fixed_apart.csv, row 10, column 'fixed_worker': "
                                       "siblings in family 'F9' are fixed to different workers (W6, W7)",
                                       "fix them to one worker"],
    "cases_weight_not_number.csv": ["cases_weight_not_number.csv, row 10, column 'weight': 'heavy' is not a number",
                                    "give a weight above 0"],
    "cases_court_not_yes_no.csv": ["cases_court_not_yes_no.csv, row 10, column 'court': 'perhaps' is not yes or no",
                                   "use yes/no"],
    # a value and its comma lost: the rest of the row would shift one column left
    "cases_short_row.csv": ["cases_short_row.csv, row 6: has 10 values but the header has 11 columns",
                            "the values after it would land in the wrong columns"],
    # one workbook for both files: each problem names its sheet
    "council_bad.xlsx": ["council_bad.xlsx (sheet workers), row 3, column 'fte': 1.5 is out of range",
                         "council_bad.xlsx (sheet cases), row 5, column 'category': 'adoption' is not a category",
                         "2 problems found"],
    # ---- policy TOML: lines and keys, not rows and columns ----
    "policy_unknown_key.toml": ["policy_unknown_key.toml, key 'caseload_cap': unknown policy key",
                                "policy_unknown_key.toml, key 'seeed': unknown policy key; did you mean 'seed'?",
                                "valid keys are: children_per_fte, manager_max_cases, nqsw_capacity_share", "2 problems"],
    "policy_invalid.toml": ["policy_invalid.toml: not valid TOML", "line 2", "text in quotes"],
    "policy_bad_values.toml": ["policy_bad_values.toml, key 'children_per_fte': 'fifteen' is not valid; use a number more than 0",
                               "policy_bad_values.toml, key 'nqsw_capacity_share': 1.5 is not valid",
                               "policy_bad_values.toml, key 'cross_team': 'yes' is not valid; use true or false"],
    "policy_unknown_weight.toml": ["policy_unknown_weight.toml, key 'weights.adoption': unknown category",
                                   "use one of: cin, cp, lac, care_leaver, assessment"],
    # a key added at the end of the sample policy lands in its last table, [weights]
    "policy_key_after_weights.toml": ["policy_key_after_weights.toml, key 'weights.time_limit_seconds':",
                                      "'time_limit_seconds' is under [weights] (TOML puts every key after",
                                      "move it above the first [table] header"],
}

# exit 0, but the warning is printed: the plan cannot do what the file implies
WARNINGS: dict[str, list[str]] = {
    "cases_skill_nobody_holds.csv": ["warning: cases_skill_nobody_holds.csv, row 10, column 'required_skill': "
                                     "nobody who serves team 'South' holds 'uasc'",
                                     "cannot be allocated until a worker with that skill is added", "1 warning"],
    "cases_nqsw_holds_cp.csv": ["warning: cases_nqsw_holds_cp.csv, row 10, column 'current_worker': "
                                "'W4' is an NQSW leading a child-protection case",
                                "warning: cases_nqsw_holds_cp.csv, row 11, column 'current_worker': "
                                "'W4' is an NQSW leading court work",
                                "the plan will move the child to an experienced worker", "2 warnings"],
}


def args_for(path: Path) -> list[str]:
    """validate's arguments: the bad file in its place, the good file in the other."""
    name = path.name
    if name.startswith("council"):
        return ["--workers", str(path), "--cases", str(path)]
    if name.startswith("policy"):
        return ["--workers", str(GOOD_W), "--cases", str(GOOD_C), "--policy", str(path)]
    if name.startswith("cases"):
        return ["--workers", str(GOOD_W), "--cases", str(path)]
    return ["--workers", str(path), "--cases", str(GOOD_C)]


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_the_corpus_is_all_listed_and_large_enough():
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()}
    assert on_disk == set(ERRORS) | set(WARNINGS)
    assert len(on_disk) >= 25


def test_good_pair_is_valid():
    result = run("validate", "--workers", str(GOOD_W), "--cases", str(GOOD_C))
    assert result.exit_code == 0, result.output
    assert "valid: 7 workers, 8 children" in result.stdout and "warning" not in result.output
    no_traceback(result)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_input_exits_2_naming_each_problem(name):
    result = run("validate", *args_for(BAD / name))
    assert result.exit_code == 2, result.output
    no_traceback(result)
    for fragment in ERRORS[name]:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines[-1].endswith("found; nothing was written.")
    assert all(ln.startswith("error: ") for ln in lines[:-1]), result.stderr  # one line a problem
    assert result.stdout == ""  # nothing on stdout: no team table for bad input


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_warning_exits_0_and_is_printed(name):
    result = run("validate", *args_for(BAD / name))
    assert result.exit_code == 0, result.output
    no_traceback(result)
    for fragment in WARNINGS[name]:
        assert fragment in result.stdout, f"{fragment!r} not in:\n{result.stdout}"
    assert "valid:" in result.stdout and "Teams" in result.stdout


# ---- tolerance: what real exports look like, accepted ----

ACCEPTED = {
    "workers_bom_spaces.csv": ("workers", 7),   # UTF-8 BOM, spaces around headers and values, header case
    "workers_yes_no.csv": ("workers", 8),       # yes/no/true/false/1/0/Y/N
    "cases_yes_no.csv": ("cases", 7),           # the same for court; header case (CHILD_ID, Current_Worker)
    "workers_dates.csv": ("workers", 7),        # dd/mm/yyyy, d/m/yyyy and ISO dates
    "workers_role_spellings.csv": ("workers", 7),  # also headers Worker-ID, FTE, " Skills "
    "workers_excel_dates.xlsx": ("workers", 7),  # real Excel date, number and boolean cells
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_tolerated_input_is_accepted(name):
    which, n_workers = ACCEPTED[name]
    w, c = (OK / name, GOOD_C) if which == "workers" else (GOOD_W, OK / name)
    result = run("validate", "--workers", str(w), "--cases", str(c))
    assert result.exit_code == 0, result.output
    no_traceback(result)
    assert f"valid: {n_workers} workers, 8 children" in result.stdout
    assert "warning" not in result.output and result.stderr == ""


def test_the_ok_corpus_is_all_tested():
    assert {p.name for p in OK.iterdir()} == set(ACCEPTED) | {"council.xlsx", "policy_bom.toml"}


def test_policy_with_a_bom_is_accepted():
    result = run("validate", "--workers", str(GOOD_W), "--cases", str(GOOD_C), "--policy", str(OK / "policy_bom.toml"))
    assert result.exit_code == 0, result.output
    assert "valid: 7 workers, 8 children" in result.stdout


def test_role_spellings_are_mapped_and_reported_as_notes():
    result = run("validate", "--workers", str(OK / "workers_role_spellings.csv"), "--cases", str(GOOD_C))
    assert result.exit_code == 0, result.output
    for raw, role in (("Team Manager", "service_leader"), ("ASYE", "nqsw"),
                      ("Advanced Practitioner", "senior_social_worker"), ("Senior Practitioner", "senior_social_worker")):
        assert f"note: workers_role_spellings.csv: role '{raw}' read as {role}" in result.stdout


def test_one_workbook_with_workers_and_cases_sheets():
    book = OK / "council.xlsx"  # sheets "Read me", "Workers", "Cases": chosen by name, case ignored
    result = run("validate", "--workers", str(book), "--cases", str(book))
    assert result.exit_code == 0, result.output
    no_traceback(result)
    assert "valid: 7 workers, 8 children" in result.stdout
    assert "note: council.xlsx (sheet workers): role 'Team Manager' read as service_leader (2 rows)" in result.stdout


def test_tolerant_values_are_read_as_meant():
    from allocator.inputs import load_instance
    from policy.settings import Policy
    pol = Policy(as_of=date(2026, 11, 24))

    def workers(path):
        return load_instance(path, GOOD_C, pol).instance.worker_by_id

    dates = workers(OK / "workers_dates.csv")
    assert dates["W3"].asye_start == date(2026, 1, 5)  # 05/01/2026 is 5 January (UK day first)
    assert dates["W4"].asye_start == date(2026, 3, 2)
    assert dates["W6"].asye_start == date(2026, 9, 1)
    assert workers(OK / "workers_excel_dates.xlsx")["W4"].asye_start == date(2026, 1, 5)
    bom = workers(OK / "workers_bom_spaces.csv")
    assert sorted(bom) == [f"W{i}" for i in range(1, 8)] and bom["W1"].team == "North"
    assert bom["W2"].skills == ("court",) and bom["W7"].accepting is False
    yn = workers(OK / "workers_yes_no.csv")
    assert [yn[f"W{i}"].accepting for i in range(1, 9)] == [True, False, True, False, True, False, True, False]
    roles = workers(OK / "workers_role_spellings.csv")
    assert [roles[f"W{i}"].role for i in range(1, 8)] == ["service_leader", "senior_social_worker",
                                                          "senior_social_worker", "nqsw", "service_leader",
                                                          "social_worker", "social_worker"]
    kids = load_instance(GOOD_W, OK / "cases_yes_no.csv", pol).instance.children
    assert [c.court for c in kids] == [False, False, True, False, False, False, False, True]
    assert [c.priority for c in kids][:3] == ["medium", "medium", "high"]


# ---- one pass, untouched inputs, nothing written ----

def test_all_problems_in_one_pass_across_files(tmp_path):
    """Three kinds of error in the workers, one in the policy, and an unreadable cases file: all reported."""
    result = run("validate", "--workers", str(BAD / "workers_three_problems.csv"),
                 "--cases", str(BAD / "cases_missing_columns.csv"), "--policy", str(BAD / "policy_unknown_key.toml"))
    assert result.exit_code == 2
    no_traceback(result)
    for fragment in ("row 9, column 'role'", "row 10, column 'fte'", "row 11, column 'accepting'",
                     "cases_missing_columns.csv, row 1, column 'category'", "key 'seeed'", "6 problems found"):
        assert fragment in result.stderr, result.stderr


def test_a_reference_to_a_worker_with_its_own_error_is_not_called_nobody():
    # W3's fte is bad: the children W3 holds are not also "names nobody"
    result = run("validate", "--workers", str(BAD / "workers_three_problems.csv"), "--cases", str(GOOD_C))
    assert "names nobody" not in result.stderr and "3 problems found" in result.stderr


def _hashes() -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for d in (BAD, OK, GOOD, SAMPLE) for p in sorted(d.iterdir()) if p.is_file()}


def test_inputs_are_never_modified(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _hashes()
    for name in list(ERRORS) + list(WARNINGS):
        run("validate", *args_for(BAD / name))
    for name in ACCEPTED:
        run("validate", *args_for(OK / name))
    run("validate", "--workers", str(OK / "council.xlsx"), "--cases", str(OK / "council.xlsx"))
    run("allocate", *args_for(BAD / "workers_three_problems.csv"), "--out", str(tmp_path / "out"))
    assert _hashes() == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["workers_three_problems.csv", "cases_siblings_split_teams.csv",
                                  "policy_invalid.toml", "workers_empty.xlsx"])
def test_allocate_writes_nothing_for_bad_input(tmp_path, name):
    out = tmp_path / "plan"
    result = run("allocate", *args_for(BAD / name), "--out", str(out), "--quiet")
    assert result.exit_code == 2, result.output
    no_traceback(result)
    assert "nothing was written" in result.stderr
    assert not out.exists()
    result = run("allocate", *args_for(BAD / name), "--out", str(out), "--json")
    assert result.exit_code == 2 and result.stdout == "" and not out.exists()


def test_missing_file_and_folder_are_usage_errors(tmp_path):
    result = run("validate", "--workers", str(tmp_path / "nope.csv"), "--cases", str(GOOD_C))
    assert result.exit_code == 2 and "nope.csv: file not found" in result.stderr
    no_traceback(result)
    result = run("validate", "--workers", str(tmp_path), "--cases", str(GOOD_C))
    assert result.exit_code == 2 and "is a directory" in result.stderr
    result = run("validate", "--workers", str(GOOD_W), "--cases", str(GOOD_C), "--policy", str(tmp_path / "p.toml"))
    assert result.exit_code == 2 and "p.toml: file not found" in result.stderr


# ---- the CLI's own edges ----

def test_validate_sample_data_shows_the_team_table():
    result = run("validate", "--workers", str(SAMPLE / "workers.csv"), "--cases", str(SAMPLE / "cases.csv"),
                 "--policy", str(SAMPLE / "policy.toml"))
    assert result.exit_code == 0, result.output
    no_traceback(result)
    assert "Teams" in result.stdout and "Assessment North" in result.stdout and "Children in Care" in result.stdout
    assert re.search(r"valid: \d+ workers, \d+ children", result.stdout)


def test_a_county_team_table_lists_the_most_loaded_teams(tmp_path):
    """60 teams: the terminal lists the 50 most loaded (a county's 1,400 would scroll out of sight), then the
    totals of all of them."""
    from allocator.inputs import load_instance
    from allocator.plan import current_loads, team_rows
    from benchmarks.generate import generate_council, write_council
    from policy.settings import Policy
    write_council(tmp_path, *generate_council(60, 4, 60, seed=2, load=1.1))
    rows = team_rows(inst := load_instance(tmp_path / "workers.csv", tmp_path / "cases.csv", Policy()).instance,
                     current_loads(inst))
    by_load = sorted(rows[:-1], key=lambda r: (-(r.utilisation or 0), r.team))
    result = CliRunner().invoke(cli.main, ["validate", "--workers", str(tmp_path / "workers.csv"), "--cases",
                                           str(tmp_path / "cases.csv")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "the 50 most loaded of 60 teams" in result.stdout
    listed = [t for t in (r.team for r in rows[:-1]) if re.search(rf"│ {re.escape(t)} +│", result.stdout)]
    assert sorted(listed) == sorted(r.team for r in by_load[:50])
    assert re.search(rf"│ all teams +│ +{rows[-1].workers} ", result.stdout)


def test_help_lists_every_contract_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "allocate", "plan", "compare", "baseline", "demo"):
        assert command in result.stdout
    assert "--workers" in run("validate", "--help").stdout


def test_help_does_not_import_heavy_libraries():
    code = ("import sys, cli; from click.testing import CliRunner; CliRunner().invoke(cli.main, ['--help']); "
            "print('ortools' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"caseload, version {cli.__version__}"


def _boom(*args, **kwargs):
    raise RuntimeError("boom [/x] inside")


def test_unexpected_failure_is_exit_1_with_a_short_message(monkeypatch):
    import allocator.inputs
    monkeypatch.setattr(allocator.inputs, "load_instance", _boom)
    result = run("validate", "--workers", str(GOOD_W), "--cases", str(GOOD_C))
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr.strip() == ("caseload: unexpected failure: RuntimeError: boom [/x] inside "
                                     "(run with --debug for details)")


def test_debug_shows_the_traceback(monkeypatch):
    import allocator.inputs
    monkeypatch.setattr(allocator.inputs, "load_instance", _boom)
    result = run("--debug", "validate", "--workers", str(GOOD_W), "--cases", str(GOOD_C))
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    code = ("import cli, allocator.inputs as i\n"
            "def boom(*a, **k): raise RuntimeError('boom')\n"
            "i.load_instance = boom\n"
            f"cli.main(['--debug', 'validate', '--workers', {str(GOOD_W)!r}, '--cases', {str(GOOD_C)!r}])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" in out.stderr and "RuntimeError: boom" in out.stderr


def test_brackets_in_a_problem_are_printed_as_typed(monkeypatch):
    """The error printer escapes rich markup: '[abc]' survives, '[/x]' does not crash."""
    from files.problems import Problem, ValidationError

    def bad(*args, **kwargs):
        raise ValidationError([Problem("w[abc].csv", 3, "team", "'[red]North[/red]' and [/x] and [bold]")])
    monkeypatch.setattr(cli, "_load", bad)
    result = run("validate", "--workers", str(GOOD_W), "--cases", str(GOOD_C))
    assert result.exit_code == 2
    no_traceback(result)
    assert "error: w[abc].csv, row 3, column 'team': '[red]North[/red]' and [/x] and [bold]" in result.stderr


def test_brackets_in_a_warning_are_printed_as_typed(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text(GOOD_C.read_text(encoding="utf-8").replace("C8,South,cp,,high,no,,,1.5,,",
                                                                "C8,South,cp,,high,no,,,1.5,,[/x]"), encoding="utf-8")
    result = run("validate", "--workers", str(GOOD_W), "--cases", str(cases))
    assert result.exit_code == 0, result.output
    assert "column 'avoid_workers': '[/x]' names nobody" in result.stdout
