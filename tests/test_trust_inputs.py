"""Issue 9 (trust): input files that used to be read wrongly, silently or at any cost.

Each test builds its hostile file in tmp_path (openpyxl, then raw bytes where a program's output
has to be imitated) and checks that `caseload validate` and `caseload allocate` refuse it with
exit 2, one line a problem naming file, row and column, no traceback, nothing written; or, for
files that are fine, that every row and column is read.
"""
from __future__ import annotations

import csv
import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from allocator.inputs import (
    CASE_COLUMNS,
    CASE_REQUIRED,
    WORKER_COLUMNS,
    WORKER_REQUIRED,
)
from files import read
from files.problems import ValidationError
from files.read import read_table

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "data" / "good"
SAMPLE = ROOT / "sample_data"
GOOD_W, GOOD_C = GOOD / "workers.csv", GOOD / "cases.csv"
SECRET = "Zebedee Quartermaine"  # a name planted in a bad cell: it must never be echoed


def run(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_csv(path: Path, table: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    return path


def typed(v):
    """A CSV cell as Excel would hold it: numbers as numbers, blanks as empty cells."""
    if v == "":
        return None
    try:
        return float(v)
    except ValueError:
        return v


def workbook(path: Path, title: str, table: list[list]) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in table:
        ws.append(r)
    wb.save(path)
    return path


def rewrite_part(path: Path, part: str, change) -> None:
    """Rewrite one part of a workbook's zip with change(bytes) -> bytes, as another program might have written it."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = change(data)
            dst.writestr(info.filename, data)
    tmp.replace(path)


def set_dimension(path: Path, ref: str) -> None:
    def change(xml: bytes) -> bytes:
        new, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml)
        assert n == 1
        return new
    rewrite_part(path, "xl/worksheets/sheet1.xml", change)


def refused(workers: Path, cases: Path, tmp_path: Path, *fragments: str, policy: Path | None = None) -> str:
    """validate and allocate both exit 2 naming every fragment, with no traceback, and write nothing."""
    extra = ["--policy", policy] if policy else []
    out = tmp_path / "plan_out"
    for args in (["validate"], ["allocate", "--out", out, "--quiet"]):
        result = run(*args, "--workers", workers, "--cases", cases, *extra)
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        for fragment in fragments:
            assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert lines[-1].endswith("found; nothing was written.")
        assert all(ln.startswith("error: ") for ln in lines[:-1]), result.stderr
        assert SECRET not in result.output
        assert result.stdout == ""
        assert not out.exists()
    return result.stderr


def accepted(workers: Path, cases: Path, n_workers: int, n_children: int) -> None:
    result = run("validate", "--workers", workers, "--cases", cases)
    assert result.exit_code == 0, result.output
    assert f"valid: {n_workers} workers, {n_children} children" in result.stdout
    assert "error" not in result.output


def many_cases(n: int) -> list[list[str]]:
    """The good cases file grown to n children (all awaiting allocation in team North)."""
    table = rows_of(GOOD_C)
    for i in range(len(table), n + 1):
        table.append([f"C{i}", "North", "cin", "", "low", "no", "", "", "", "", ""])
    return table


# ---- 1. the stored <dimension> is not trusted ----

@pytest.mark.parametrize("ref", ["A1:C10", "A1", "A1:XFD1048576", "B2:B2"])
def test_xlsx_rows_and_columns_beyond_a_stale_dimension_are_read(tmp_path, ref):
    book = workbook(tmp_path / "cases.xlsx", "cases", [[typed(v) for v in r] for r in many_cases(120)])
    set_dimension(book, ref)
    got = read_table(book, "cases", CASE_REQUIRED, CASE_COLUMNS)
    assert len(got) == 120 and got[-1][0] == 121  # every child, numbered as Excel shows the rows
    by_id = {r["child_id"]: r for _, r in got}
    assert by_id["C8"]["weight"] == 1.5  # column I, beyond "A1:C10"
    assert by_id["C120"]["priority"] == "low"  # column E of row 121, beyond the stated rows
    accepted(GOOD_W, book, 7, 120)


def test_xlsx_workers_with_a_stale_dimension_give_no_false_errors(tmp_path):
    book = workbook(tmp_path / "workers.xlsx", "workers", [[typed(v) for v in r] for r in rows_of(GOOD_W)])
    set_dimension(book, "A1:D3")  # would cut the optional columns and all but two workers
    got = dict(read_table(book, "workers", WORKER_REQUIRED, WORKER_COLUMNS))
    assert len(got) == 7 and got[8]["accepting"] == "yes" and got[5]["supervisor_id"] == "W2"
    accepted(book, GOOD_C, 7, 8)


def test_a_huge_stated_dimension_is_not_walked(tmp_path):
    """A1:XFD1048576 would make read-only openpyxl yield a million rows of 16,384 cells."""
    import time
    book = workbook(tmp_path / "cases.xlsx", "cases", [[typed(v) for v in r] for r in rows_of(GOOD_C)])
    set_dimension(book, "A1:XFD1048576")
    started = time.perf_counter()
    assert len(read_table(book, "cases", CASE_REQUIRED, CASE_COLUMNS)) == 8
    assert time.perf_counter() - started < 5


# ---- 2. memory: a small file that unpacks to gigabytes is refused before it is opened ----

def _bomb(path: Path, part_size: int, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A cases workbook whose one text cell repeats a letter part_size times: packs about 1000 to 1."""
    book = workbook(path, "cases", [["child_id", "team", "category"], ["C1", "MARKER", "cin"]])
    rewrite_part(book, part, lambda xml: xml.replace(b"MARKER", b"A" * part_size))
    return book


def test_zip_bomb_is_refused_up_front(tmp_path, monkeypatch):
    book = _bomb(tmp_path / "cases.xlsx", 12 * 1024 ** 2)
    assert book.stat().st_size < 100_000

    def never(*a, **k):
        raise AssertionError("the workbook was opened")
    import openpyxl
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    refused(GOOD_W, book, tmp_path, "cases.xlsx: a sheet would unpack from", "times over",
            "refuses more than 100", "save the sheet as CSV UTF-8")


def test_a_part_too_large_to_hold_is_refused_up_front(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "XLSX_MAX_PART", 64 * 1024)  # the real limit (256 MB) would make a slow test
    table = [["child_id", "team", "category"]] + [[f"C{i}", f"T{i * 7919 % 10007}", "cin"] for i in range(3000)]
    book = workbook(tmp_path / "cases.xlsx", "cases", table)
    refused(GOOD_W, book, tmp_path, "cases.xlsx: a sheet unpacks to", "more than the 64 KB this tool reads")


def test_a_workbook_too_large_in_all_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "XLSX_MAX_TOTAL", 16 * 1024)
    book = workbook(tmp_path / "cases.xlsx", "cases", [[typed(v) for v in r] for r in many_cases(300)])
    refused(GOOD_W, book, tmp_path, "cases.xlsx: unpacks to", "this tool reads from one workbook")


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_a_cell_longer_than_excel_allows_is_refused_by_row_and_column(tmp_path, part):
    book = workbook(tmp_path / "cases.xlsx", "cases", [[typed(v) for v in r] for r in rows_of(GOOD_C)])
    if part == "xl/sharedStrings.xml":
        _to_shared_strings(book)

    def change(xml: bytes) -> bytes:
        return xml.replace(b">C6<", b">" + (SECRET * 2000).encode() + b"<", 1)  # 40,000 characters
    rewrite_part(book, part, change)
    refused(GOOD_W, book, tmp_path, "cases.xlsx, row 7, column 'child_id': holds more than 32,767 characters",
            "more than Excel allows in one cell")


def _to_shared_strings(book: Path) -> None:
    """Store the sheet's text as Excel does, in xl/sharedStrings.xml (openpyxl writes it inline)."""
    strings: list[bytes] = []

    def sheet(xml: bytes) -> bytes:
        def one(m):
            strings.append(m.group(2))
            return m.group(1) + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"
        return re.sub(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>([^<]*)</t></is></c>', one, xml)
    rewrite_part(book, "xl/worksheets/sheet1.xml", sheet)
    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    rewrite_part(book, "[Content_Types].xml", lambda x: x.replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    rewrite_part(book, "xl/_rels/workbook.xml.rels", lambda x: x.replace(
        b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)


def test_shared_strings_workbook_reads_as_before(tmp_path):
    book = workbook(tmp_path / "cases.xlsx", "cases", [[typed(v) for v in r] for r in rows_of(GOOD_C)])
    _to_shared_strings(book)
    assert b"<si><t>C6</t></si>" in zipfile.ZipFile(book).read("xl/sharedStrings.xml")
    accepted(GOOD_W, book, 7, 8)


# ---- 3. a CSV row with a value missing ----

def test_short_csv_row_is_an_error_naming_the_row(tmp_path):
    table = rows_of(GOOD_C)
    table[5] = [v for j, v in enumerate(table[5]) if j != 1]  # row 6 (C5) loses its team: the rest shift left
    table[7] = ["C7", SECRET, "cin"]  # row 8: three values
    cases = write_csv(tmp_path / "cases.csv", table)
    refused(GOOD_W, cases, tmp_path,
            "cases.csv, row 6: has 10 values but the header has 11 columns",
            "cases.csv, row 8: has 3 values but the header has 11 columns",
            "the values after it would land in the wrong columns", "2 problems found")


def test_long_csv_row_is_still_an_error_and_trailing_empties_are_tolerated(tmp_path):
    table = rows_of(GOOD_C)
    table[3] = table[3] + [""]  # a trailing comma: harmless
    cases = write_csv(tmp_path / "cases.csv", table)
    accepted(GOOD_W, cases, 7, 8)
    table[4] = table[4] + [SECRET]
    write_csv(cases, table)
    refused(GOOD_W, cases, tmp_path, "cases.csv, row 5: has 12 values but the header has 11 columns",
            "check for stray commas")


def test_short_xlsx_rows_are_blank_cells_not_errors(tmp_path):
    # openpyxl (like Excel) stores no cell for a trailing blank: the rows come back short
    table = [[typed(v) for v in r] for r in rows_of(GOOD_C)]
    book = workbook(tmp_path / "cases.xlsx", "cases", table)
    got = dict(read_table(book, "cases", CASE_REQUIRED, CASE_COLUMNS))
    assert got[2]["avoid_workers"] is None and got[9]["weight"] == 1.5
    accepted(GOOD_W, book, 7, 8)


def test_csv_with_a_trailing_comma_on_the_header_only_is_accepted(tmp_path):
    table = rows_of(GOOD_C)
    table[0] = table[0] + [""]
    accepted(GOOD_W, write_csv(tmp_path / "cases.csv", table), 7, 8)


# ---- 4. NUL bytes anywhere in a CSV ----

def test_nul_byte_after_the_first_4kb_is_refused_naming_row_and_column(tmp_path):
    table = many_cases(300)
    text = "\n".join(",".join(r) for r in table) + "\n"
    at = text.index("C250,North")
    raw = (text[:at] + "C250,No\x00rth" + text[at + len("C250,North"):]).encode()
    assert raw.index(b"\x00") > 4096
    cases = tmp_path / "cases.csv"
    cases.write_bytes(raw)
    refused(GOOD_W, cases, tmp_path, "cases.csv, row 251, column 'team': holds a NUL byte (binary content",
            "export it again as CSV UTF-8 or .xlsx")


def test_nul_row_counts_records_not_lines(tmp_path):
    table = many_cases(300)
    table[2][3] = "line one\nline two"  # a quoted value over two lines: a spreadsheet shows one row
    body = rows_of(GOOD_C)[0]
    cases = write_csv(tmp_path / "cases.csv", table)
    raw = cases.read_bytes().replace(b"C280,North", b"C280\x00,North")
    cases.write_bytes(raw)
    refused(GOOD_W, cases, tmp_path, f"cases.csv, row 281, column '{body[0]}': holds a NUL byte")


def test_nul_byte_at_the_start_is_still_a_binary_file(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_bytes(GOOD_C.read_bytes().replace(b"C1,", b"C\x001,"))
    refused(GOOD_W, cases, tmp_path, "cases.csv: is not a text CSV file (binary content)")


# ---- 5. a CSV value over the csv module's field limit ----

def test_csv_field_over_128k_names_row_column_and_limit(tmp_path):
    table = rows_of(GOOD_W)
    table[4][1] = SECRET * 8000  # 160,000 characters in W4's team
    workers = write_csv(tmp_path / "workers.csv", table)
    limit = csv.field_size_limit()
    err = refused(workers, GOOD_C, tmp_path, "workers.csv, row 5, column 'team': holds more than 131,072 characters",
                  "a quote mark may be missing")
    assert "field larger than field limit" not in err
    assert csv.field_size_limit() == limit  # the csv module's global limit is put back


def test_csv_unclosed_quote_reads_as_one_long_value(tmp_path):
    text = GOOD_C.read_text(encoding="utf-8").replace("C3,North", 'C3,"North')
    text += "".join(f"C{i},North,cin,,low,no,,,,,\n" for i in range(9, 12000))
    cases = tmp_path / "cases.csv"
    cases.write_text(text, encoding="utf-8")
    refused(GOOD_W, cases, tmp_path, "cases.csv, row 4, column 'team': holds more than 131,072 characters")


def test_csv_just_under_the_limit_is_read(tmp_path):
    table = [r + [""] for r in rows_of(GOOD_W)]
    table[0][-1] = "notes"
    table[4][-1] = "x" * (read.CSV_MAX_FIELD - 1)
    got = read_table(write_csv(tmp_path / "workers.csv", table), "workers", WORKER_REQUIRED, WORKER_COLUMNS)
    assert len(got[3][1]["notes"]) == read.CSV_MAX_FIELD - 1


# ---- 6. a formula that was never calculated ----

def test_formula_without_a_saved_value_is_named_with_the_fix(tmp_path):
    table = [[typed(v) for v in r] for r in rows_of(GOOD_W)]
    table[2][3] = "=0.5+0.5"  # W2's fte: openpyxl stores the formula and no value, as a script would
    table[3][3] = "=0.4*2"
    table[5][9] = "=10-2"  # W5's max_children: optional, but blank is not what it says
    book = workbook(tmp_path / "workers.xlsx", "workers", table)
    err = refused(book, GOOD_C, tmp_path,
                  "workers.xlsx, row 3, column 'fte': is a formula with no saved value "
                  "(and so does 1 more cell below it in this column)",
                  "workers.xlsx, row 6, column 'max_children': is a formula with no saved value:",
                  "open the file in Excel and save it", "Paste Special > Values", "2 problems found")
    assert "is empty" not in err and "0.5+0.5" not in err


def test_formula_with_a_saved_value_is_read_as_its_value(tmp_path):
    table = [[typed(v) for v in r] for r in rows_of(GOOD_W)]
    table[2][3] = "=0.5+0.5"
    book = workbook(tmp_path / "workers.xlsx", "workers", table)
    rewrite_part(book, "xl/worksheets/sheet1.xml", lambda x: re.sub(rb"<f>0.5\+0.5</f><v\s*/>",
                                                                    b"<f>0.5+0.5</f><v>1</v>", x))
    assert read_table(book, "workers", WORKER_REQUIRED, WORKER_COLUMNS)[1][1]["fte"] == 1
    accepted(book, GOOD_C, 7, 8)


def test_a_workbook_without_formulas_is_read_once(tmp_path, monkeypatch):
    def never(*a, **k):
        raise AssertionError("second pass over a workbook with no formulas")
    monkeypatch.setattr(read, "_uncalculated", never)
    book = workbook(tmp_path / "workers.xlsx", "workers", [[typed(v) for v in r] for r in rows_of(GOOD_W)])
    accepted(book, GOOD_C, 7, 8)


def test_text_that_looks_like_a_formula_is_text(tmp_path):
    book = workbook(tmp_path / "cases.xlsx", "cases", [[typed(v) for v in r] for r in rows_of(GOOD_C)])
    rewrite_part(book, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"<t>F1</t>", b"<t>=F1</t>", 1))
    got = dict(read_table(book, "cases", CASE_REQUIRED, CASE_COLUMNS))
    assert got[2]["family_id"] == "=F1"


# ---- 7. dates out of any sensible range ----

@pytest.mark.parametrize("cell, shown", [("1900-01-01", "1900-01-01"), ("01/09/0026", "0026-09-01"),
                                         ("9999-12-31", "9999-12-31")])
def test_asye_start_outside_the_date_window_is_refused(tmp_path, cell, shown):
    table = rows_of(GOOD_W)
    table[4][6] = cell  # W4, the NQSW
    workers = write_csv(tmp_path / "workers.csv", table)
    refused(workers, GOOD_C, tmp_path, f"workers.csv, row 5, column 'asye_start': {shown} is outside the dates "
            "this tool accepts, 1990-01-01 to 2100-12-31", "check the year")


def test_excel_zero_date_cell_is_explained(tmp_path):
    table = [[typed(v) for v in r] for r in rows_of(GOOD_W)]
    table[4][6] = datetime(1900, 1, 1)
    book = workbook(tmp_path / "workers.xlsx", "workers", table)
    refused(book, GOOD_C, tmp_path, "workers.xlsx, row 5, column 'asye_start': 1900-01-01 is outside",
            "an Excel date cell holding 0 shows as 1900")


def test_parse_date_window_edges():
    assert read.parse_date("1990-01-01") == (date(1990, 1, 1), None)
    assert read.parse_date("31/12/2100") == (date(2100, 12, 31), None)
    assert read.parse_date("1989-12-31")[0] is None
    assert read.parse_date(datetime(2101, 1, 1))[0] is None


def test_policy_as_of_outside_the_window(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("as_of = 1900-01-01\n", encoding="utf-8")
    refused(GOOD_W, GOOD_C, tmp_path, "policy.toml, key 'as_of': 1900-01-01 is outside the dates", policy=policy)


SCENARIO = SAMPLE / "scenarios" / "nqsw_cohort.toml"


def plan_refused(path: Path, tmp_path: Path, *fragments: str) -> str:
    out = tmp_path / "plan_out"
    result = run("plan", path, "--out", out, "--quiet")
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and not out.exists()
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    assert result.stderr.rstrip().endswith("nothing was written.")
    return result.stderr


def scenario_with(tmp_path: Path, old: str, new: str) -> Path:
    text = SCENARIO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "scenario.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("start", ["0000-04", "9999-04", "1999-12"])
def test_scenario_start_outside_the_years_is_refused(tmp_path, start):
    path = scenario_with(tmp_path, 'start = "2026-04"', f'start = "{start}"')
    plan_refused(path, tmp_path, f"scenario.toml, key 'start': {start} is outside the years this tool plans, "
                 "2000 to 2100")


# ---- 8. a key added at the end of a file lands in the last [table] ----

def test_key_appended_to_the_sample_policy_is_reported_as_misplaced(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text((SAMPLE / "policy.toml").read_text(encoding="utf-8") + "seed = 3\n", encoding="utf-8")
    err = refused(GOOD_W, GOOD_C, tmp_path,
                  "policy.toml, key 'weights.seed': 'seed' is under [weights] (TOML puts every key after a [table] "
                  "header into that table); move it above the first [table] header", policy=policy)
    assert "unknown category" not in err


def test_unknown_weight_is_still_an_unknown_category(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[weights]\nadoption = 2\n", encoding="utf-8")
    refused(GOOD_W, GOOD_C, tmp_path, "key 'weights.adoption': unknown category", policy=policy)


def test_category_weight_at_the_top_of_a_policy_says_where_it_goes(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("cp = 1.5\n", encoding="utf-8")
    refused(GOOD_W, GOOD_C, tmp_path, "key 'cp': 'cp' is a category weight, not a policy key; put it in the "
            "[weights] table", policy=policy)


@pytest.mark.parametrize("line, fragment", [
    ("years = 5", ("key 'uncertainty.years': 'years' is under [uncertainty] (TOML puts every key after a [table] "
                   "header into that table); move it above the first [table] header")),
    ("agency_fte = 3", ("key 'uncertainty.agency_fte': 'agency_fte' is under [uncertainty] (TOML puts every key "
                        "after a [table] header into that table); move it into the [workforce] table")),
    ("children_per_fte = 12", "key 'uncertainty.children_per_fte': 'children_per_fte' is under [uncertainty]"),
])
def test_key_appended_to_a_scenario_is_reported_as_misplaced(tmp_path, line, fragment):
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    err = plan_refused(path, tmp_path, fragment)
    assert "unknown key" not in err


def test_key_under_an_intake_and_under_policy(tmp_path):
    path = scenario_with(tmp_path, "experienced = 0\n", "experienced = 0\nseed = 4\n")
    plan_refused(path, tmp_path, "key 'intake[1].seed': 'seed' is under [[intake]] number 1",
                 "move it into [policy] or [uncertainty], whichever table you meant")
    path = scenario_with(tmp_path, "non_availability = 0.032", "non_availability = 0.032\nagency_fte = 3")
    plan_refused(path, tmp_path, "key 'policy.agency_fte': 'agency_fte' is under [policy]",
                 "move it into the [workforce] table")


# ---- 9. numbers the model cannot compute ----

@pytest.mark.parametrize("old, new, key, bound", [
    ("children = 890 ", "children = 1e308 ", "demand.children", "at most 10,000,000"),
    ("case_holder_fte = 37.9 ", "case_holder_fte = 1e308 ", "workforce.case_holder_fte", "at most 1,000,000"),
    ("nqsw_fte = 11.0", "nqsw_fte = 1e308", "workforce.nqsw_fte", "at most 1,000,000"),
    ("experienced_hires_per_year = 6.0", "experienced_hires_per_year = 1e308",
     "workforce.experienced_hires_per_year", "at most 1,000,000"),
    ("nqsw = 12", "nqsw = 1e308", "intake[1].nqsw", "at most 1,000,000"),
    ("social_worker = 41667", "social_worker = 1e308", "costs.social_worker", "at most 10,000,000"),
    ("baseline = 218", "baseline = 1e308", "placements.baseline", "at most 10,000,000"),
    ("growth_per_year = 11 ", "growth_per_year = -1e308 ", "placements.growth_per_year", "at least -1,000,000"),
    ("average_cost = 40000 ", "average_cost = 1e308 ", "placements.average_cost", "at most 10,000,000"),
    ("prevented_per_year = [0, 0, 0, 0]", "prevented_per_year = [0, 1e308, 0, 0]", "placements.prevented_per_year",
     "at most 10,000,000"),
    ("seed = 0", "seed = 1e308", "uncertainty.seed", "at most 2,147,483,647"),
    ("children_per_fte = 15 ", "children_per_fte = 1e-300 ", "policy.children_per_fte", "from 1 to 100"),
])
def test_scenario_numbers_are_bounded(tmp_path, old, new, key, bound):
    path = scenario_with(tmp_path, old, new)
    plan_refused(path, tmp_path, f"scenario.toml, key '{key}':", bound)


def test_investment_and_history_are_bounded(tmp_path):
    path = scenario_with(tmp_path, "[uncertainty]", "[investment]\namount = 1e308\n\n[uncertainty]")
    plan_refused(path, tmp_path, "key 'investment.amount'", "at most 10,000,000,000")
    path = scenario_with(tmp_path, "growth_per_year = 0.05       # compound", "history = [800, 850, 1e308]")
    plan_refused(path, tmp_path, "key 'demand.history'", "at most 10,000,000")


def test_monte_carlo_too_large_for_memory_is_refused_up_front(tmp_path, monkeypatch):
    import workforce.montecarlo as mc

    def never(*a, **k):
        raise AssertionError("the Monte Carlo ran")
    monkeypatch.setattr(mc, "run_many", never)
    path = scenario_with(tmp_path, "years = 4", "years = 30")
    path.write_text(path.read_text(encoding="utf-8").replace("runs = 1000", "runs = 1000000")
                    .replace("prevented_per_year = [0, 0, 0, 0]", "prevented_per_year = 0"), encoding="utf-8")
    plan_refused(path, tmp_path, "key 'uncertainty.runs': 1,000,000 runs over 30 years (360 months) would hold "
                 "about 10.8 GB", "runs x months may be at most 12,000,000",
                 "over 30 years use at most 33,333 runs, or fewer years")


def test_monte_carlo_at_the_bound_is_accepted():
    import tomllib

    from workforce.scenario import MAX_RUN_MONTHS, parse_scenario
    doc = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    doc["uncertainty"]["runs"] = MAX_RUN_MONTHS // 48  # 4 years
    assert parse_scenario(doc, "s.toml").uncertainty.runs == 250_000
    doc["uncertainty"]["runs"] += 1
    with pytest.raises(ValidationError):
        parse_scenario(doc, "s.toml")


def test_policy_seed_beyond_the_solver_is_refused(tmp_path):
    # CP-SAT's random_seed is 32-bit: 2**31 used to end in a TypeError (exit 1)
    policy = tmp_path / "policy.toml"
    policy.write_text(f"seed = {2**31}\n", encoding="utf-8")
    refused(GOOD_W, GOOD_C, tmp_path, "policy.toml, key 'seed':", "at most 2,147,483,647", policy=policy)


# ---- the corpus still reads ----

def test_sample_data_and_good_pair_still_pass(tmp_path):
    accepted(SAMPLE / "workers.csv", SAMPLE / "cases.csv", *_counts())
    book = tmp_path / "council.xlsx"
    shutil.copy(ROOT / "tests" / "data" / "ok" / "council.xlsx", book)
    accepted(book, book, 7, 8)


def _counts() -> tuple[int, int]:
    return len(rows_of(SAMPLE / "workers.csv")) - 1, len(rows_of(SAMPLE / "cases.csv")) - 1
