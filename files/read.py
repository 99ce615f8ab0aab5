"""Read a table (CSV or one sheet of .xlsx) the way real case-management exports need.

Tolerant of a UTF-8 BOM, surrounding spaces, Excel date cells and header case;
strict about everything else: each problem names file, row and column.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""
from __future__ import annotations

import csv
import io
import re
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .columns import Header, read_header
from .problems import Problem, ValidationError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

TRUE = {"yes", "y", "true", "t", "1"}
FALSE = {"no", "n", "false", "f", "0"}

# Limits on what a file may hold, so a damaged or hostile file is refused with a reason, not read until memory runs out.
XLSX_MAX_CELL = 32_767  # characters in one .xlsx cell: Excel's own limit, so only a program writes more
CSV_MAX_FIELD = 131_072  # characters in one CSV value (128 K): the csv module's default field limit
XLSX_MAX_PART = 256 * 1024 ** 2  # bytes one part of a workbook (a sheet, its shared text) may unpack to
XLSX_MAX_TOTAL = 512 * 1024 ** 2  # bytes the whole workbook may unpack to
XLSX_MAX_RATIO = 100  # unpacked / packed size of a part above XLSX_RATIO_FROM bytes (Apache POI's zip-bomb rule)
XLSX_RATIO_FROM = 10 * 1024 ** 2
DATE_MIN, DATE_MAX = date(1990, 1, 1), date(2100, 12, 31)  # dates outside are typos (0026, 1900, 9999)

# a formula element in sheet XML: <f>, <f t="shared" .../>, or with a namespace prefix (<x:f>)
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")

Record = dict[str, object]  # one row of a table: column -> cell (a stripped string, number, date or None)
Grid = list[tuple[int, Sequence[object]]]  # (spreadsheet row number, the row's cells as read)
Flag = tuple[int, int, str]  # a cell the grid reader flagged: (row, 0-based column, kind)


def read_table(path: str | Path, table: str, required: tuple[str, ...],
               known: tuple[str, ...], label: str | None = None,
               allow_empty: bool = False) -> list[tuple[int, Record]]:
    """Rows of `table` as (row number, {column: value}); raises ValidationError on a bad file.

    Only the `known` columns are in the rows: see read_columns. `allow_empty`: a header
    with no rows is no rows (a list that may be empty, like a manager's standing decisions).
    """
    return read_columns(path, table, required, known, label, allow_empty=allow_empty).rows


@dataclass(frozen=True)
class Table:
    """A table's rows, and how its header was read (the columns used, by which name, and those not used)."""

    rows: list[tuple[int, Record]]
    header: Header


def read_columns(path: str | Path, table: str, required: tuple[str, ...], known: tuple[str, ...],
                 label: str | None = None, local: Mapping[str, str] | None = None,
                 allow_empty: bool = False) -> Table:
    """The rows of `table` (its `known` columns by name, known spelling or `local` name) and its header.

    Headers are matched as files/columns.py says (case, spacing and punctuation aside); `local` is the
    policy's [columns] table. A column not used stays in the rows by its header in snake case, as read_table
    always gave it, and is listed in the header's `ignored`. Values are stripped strings, or date/float
    objects straight from Excel cells.
    """
    path = Path(path)
    name = label or path.name  # how problems name the file
    grid, flagged, xlsx = _filled_grid(path, name, table)
    header_row, header = grid[0]
    cells = [str(h).strip() if h is not None else "" for h in header]
    spelled = ["_".join(c.lower().replace("-", " ").split()) for c in cells]  # a header as a problem names it
    _refuse_other_separator(name, header_row, cells)
    head, problems = read_header(name, header_row, cells, table, known, local or {})
    columns = list(head.columns)  # each cell's contract column; "" when not used
    keys = [c or (s if s not in head.columns else "") for c, s in zip(columns, spelled, strict=True)]
    problems = _flagged_problems(name, flagged, header_row, keys) + problems
    problems += _header_problems(name, table, header_row, columns, spelled, required, local or {})
    if problems:
        raise ValidationError(problems)
    if len(grid) == 1 and not allow_empty:
        raise ValidationError([Problem(name, None, None, f"has a header but no rows; add one row per {_unit(table)}")])
    width = max((j + 1 for j, c in enumerate(cells) if c), default=0)
    rows, problems = _records(name, grid[1:], keys, xlsx, width)
    if problems:
        raise ValidationError(problems)
    return Table(rows, replace(head, ignored=head.ignored + _unnamed(grid[1:], cells)))


def _unnamed(body: Grid, cells: list[str]) -> tuple[str, ...]:
    """Columns with no header that hold a value, by letter: not used, so said to be ignored."""
    from openpyxl.utils import get_column_letter
    blank = [j for j, c in enumerate(cells) if not c]
    filled = {j for j in blank for _, values in body if j < len(values) and _blank(values[j]) is not None}
    return tuple(f"column {get_column_letter(j + 1)} (no header)" for j in sorted(filled))


def _filled_grid(path: Path, name: str, table: str) -> tuple[Grid, list[Flag], bool]:
    """The file's rows that hold a value, the cells its reader flagged, and whether it is a workbook."""
    if not path.exists():
        raise ValidationError([Problem(name, None, None, f"file not found: {path}")])
    if path.is_dir():
        raise ValidationError([Problem(name, None, None, "is a folder; give the CSV or .xlsx file")])
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    grid, flagged = _xlsx_grid(path, table) if xlsx else _csv_grid(path)
    grid = [r for r in grid if any(_blank(v) is not None for v in r[1])]
    if not grid:
        raise ValidationError([Problem(name, None, None,
                                       f"the file is empty; it needs a header row and one row per {_unit(table)}")])
    return grid, flagged, xlsx


def _refuse_other_separator(name: str, header_row: int, cells: list[str]) -> None:
    """A header read as one cell holding ; or tab or |: the file is not comma-separated."""
    if len(cells) == 1 and any(sep in cells[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in cells[0])
        raise ValidationError([Problem(name, header_row, None,
                                       f"columns are separated by {sep!r}; save the file as CSV with commas")])


def _header_problems(name: str, table: str, header_row: int, columns: list[str], spelled: list[str],
                     required: tuple[str, ...], local: Mapping[str, str]) -> list[Problem]:
    """Required columns the header lacks (a column named twice is files/columns.py's to find)."""
    missing = [c for c in required if c not in columns]
    if not missing:
        return []
    mapped = "".join(f"; the policy's [columns] reads a column headed '{local[c]}' as {c}, and there is none"
                     for c in missing if c in local)
    return [Problem(name, header_row, ", ".join(missing),
                    f"missing required column{'s' if len(missing) > 1 else ''}; "
                    f"the {table} file needs: {', '.join(required)}"
                    + (f" (found: {', '.join(c for c in spelled if c)})" if any(spelled) else "") + mapped)]


def _records(name: str, body: Grid, columns: list[str], xlsx: bool,
             width: int) -> tuple[list[tuple[int, Record]], list[Problem]]:
    """The rows under the header as (row number, {column: value}), and the rows whose values do not fit it.

    `columns`: each header cell's key in a record ("" for none); `width`: the cells up to the last named one.
    A CSV row short of the last named column has lost a value, and the values after it would sit in the wrong
    columns. An .xlsx row holds its cells by position: a short one there is only blank cells at its end.
    """
    rows: list[tuple[int, Record]] = []
    problems = []
    for number, values in body:
        if len(values) > len(columns) and any(_blank(v) is not None for v in values[len(columns):]):
            fix = ("a value sits in a column with no header; give the column a header or clear the cell" if xlsx
                   else "check for stray commas")
            problems.append(Problem(name, number, None,
                                    f"has {len(values)} values but the header has {len(columns)} columns; {fix}"))
            continue
        if not xlsx and len(values) < width:
            problems.append(Problem(name, number, None,
                                    f"has {len(values)} values but the header has {len(columns)} columns; a value or "
                                    "its comma is missing, so the values after it would land in the wrong columns; "
                                    "give every row one value a column (an empty value still needs its comma)"))
            continue
        record: Record = {}
        for col, v in zip(columns, values, strict=False):  # a row may end early, or run on into blank cells
            if col:
                record[col] = _blank(v)
        for col in columns[len(values):]:
            if col:
                record[col] = None
        rows.append((number, record))
    return rows, problems


def _unit(table: str) -> str:
    return {"cases": "child", "allocation": "child", "decisions": "decision"}.get(table, "worker")


def _blank(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _flagged_problems(name: str, flagged: list[Flag], header_row: int,
                      columns: list[str]) -> list[Problem]:
    """Cells the grid reader flagged as (row, 0-based column, kind): one problem a kind and column, at its first row.

    Cells in or above the header row are reported one by one, by column letter.
    """
    first: dict[tuple[str, int] | tuple[str, int, int], list[int]] = {}
    for row, j, kind in sorted(flagged):
        key = (kind, j) if row > header_row else (kind, j, row)
        first.setdefault(key, [row, 0])[1] += 1
    out = []
    for (kind, j, *_), (row, count) in first.items():
        col = columns[j] if row > header_row and j < len(columns) and columns[j] else None
        out.append(_flag_message(name, row, j, kind, col, count))
    return out


def _flag_message(name: str, row: int, j: int, kind: str, col: str | None, count: int) -> Problem:
    from openpyxl.utils import get_column_letter
    where = col or get_column_letter(j + 1)  # a column with no header: by its letter, as Excel shows it
    more = ("" if count == 1 else " (and so does 1 more cell below it in this column)" if count == 2
            else f" (and so do {count - 1:,} more cells below it in this column)")
    if kind == "formula":
        return Problem(name, row, where,
                       f"is a formula with no saved value{more}: the workbook was written by a program and never "
                       "opened in Excel, so the result was never calculated; open the file in Excel and save it, "
                       "or copy the column and paste it back with Paste Special > Values")
    if kind == "xlsx_long":
        return Problem(name, row, where,
                       f"holds more than {XLSX_MAX_CELL:,} characters, more than Excel allows in one cell{more}; "
                       "the file was not saved by Excel or is damaged: clear the cell, or export the sheet again")
    return Problem(name, row, where,
                   f"holds more than {CSV_MAX_FIELD:,} characters (128 K) in one value{more}, the most this tool "
                   "reads; a quote mark may be missing so that the rest of the file reads as one value: check the "
                   "quotes on that row, or remove the long text")


def _csv_grid(path: Path) -> tuple[Grid, list[Flag]]:
    """The CSV's records as (row, values), and the values over CSV_MAX_FIELD as (row, column, kind).

    Problems with the file as a whole name it by its own name: one file given for both tables is told once.
    """
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ValidationError([Problem(name, None, None,
                                       f"cannot be read ({e.strerror or type(e).__name__}); check the file is not open "
                                       "elsewhere and that you may read it")]) from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValidationError([Problem(name, None, None, "is saved as UTF-16 ('Unicode Text'); in Excel use "
                                       "Save As > 'CSV UTF-8 (Comma delimited)'")])
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError([Problem(name, None, None, "is an old-style Excel .xls workbook (or a protected one); "
                                       "save it as .xlsx or CSV UTF-8")])
    if raw[:4] == b"PK\x03\x04":
        raise ValidationError([Problem(name, None, None,
                                       "is a zipped file (an .xlsx saved under another name?), not a CSV; "
                                       "give it the .xlsx extension or export it as CSV UTF-8")])
    nul = raw.find(b"\x00")
    if 0 <= nul < 4096:
        raise ValidationError([Problem(name, None, None,
                                       "is not a text CSV file (binary content); export it as CSV UTF-8 or .xlsx")])
    if nul >= 0:  # a text file with binary inside: the byte would pass into ids and outputs
        row, col = _locate(raw[:nul])
        raise ValidationError([Problem(name, row, col,
                                       "holds a NUL byte (binary content; the first one is here), which no text CSV "
                                       "has; the export is damaged: export it again as CSV UTF-8 or .xlsx")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ValidationError([Problem(name, line, None, "is not UTF-8 text; in Excel use Save As > "
                                       "'CSV UTF-8 (Comma delimited)'")]) from None
    del raw
    grid: Grid = []
    flagged: list[Flag] = []
    # The csv module's own limit would stop at the first long value with a bare message; read every value
    # and name the long ones by row and column instead. (A value cannot be longer than the text.)
    old_limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        # csv's line_num counts physical lines; a spreadsheet counts records.
        for number, values in enumerate(reader, start=1):
            if values and max(map(len, values)) > CSV_MAX_FIELD:
                flagged += [(number, j, "csv_long") for j, v in enumerate(values) if len(v) > CSV_MAX_FIELD]
                values = [v if len(v) <= CSV_MAX_FIELD else "" for v in values]
            grid.append((number, values))
    except csv.Error as e:
        raise ValidationError([Problem(name, len(grid) + 1, None, f"cannot be read as CSV: {e}")]) from None
    finally:
        csv.field_size_limit(old_limit)
    return grid, flagged


def _locate(before: bytes) -> tuple[int, str | None]:
    """The row (as a spreadsheet counts records) and column of the position just after `before`."""
    text = before.decode("utf-8-sig", errors="replace")
    old_limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 2))
    try:
        records = list(csv.reader(io.StringIO(text + "\x01", newline="")))  # \x01 marks the spot
    except csv.Error:
        return before.count(b"\n") + 1, None
    finally:
        csv.field_size_limit(old_limit)
    row, here = len(records), records[-1]
    j = len(here) - 1
    header = ["_".join(c.strip().lower().replace("-", " ").split()) for c in records[0]] if row > 1 else []
    col = header[j] if j < len(header) and header[j] else None
    return row, col


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:,.0f} MB" if n >= 10 * 1024 ** 2 else f"{n / 1024 ** 2:.1f} MB" if n >= 1024 ** 2 \
        else f"{max(n, 1) / 1024:.0f} KB"


def _check_zip(path: Path) -> None:
    """Refuse a workbook whose parts would unpack to more than this tool should hold, before opening it.

    A 1 MB workbook can unpack to gigabytes (one repeated text packs a thousand times over); openpyxl
    holds all of a workbook's shared text, and a whole cell, in memory. Python's zipfile never unpacks
    more than a part's stated size, so checking the stated sizes is enough.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except Exception:  # noqa: BLE001 - not a readable zip: load_workbook says so in its own words
        return
    fix = "open it in Excel and save it again, or save the sheet as CSV UTF-8 and give that"
    for i in infos:
        what = ("its shared text table (xl/sharedStrings.xml)" if i.filename.lower().endswith("sharedstrings.xml")
                else "a sheet" if "worksheets/" in i.filename.lower() else "one of its parts")
        if i.file_size > XLSX_MAX_PART:
            raise ValidationError([Problem(path.name, None, None,
                                           f"{what} unpacks to {_size(i.file_size)}, more than the "
                                           f"{_size(XLSX_MAX_PART)} this tool reads from one part of a workbook "
                                           f"(100,000 rows of cases take about 40 MB); {fix}")])
        if i.file_size > XLSX_RATIO_FROM and i.file_size > XLSX_MAX_RATIO * max(i.compress_size, 1):
            raise ValidationError([Problem(path.name, None, None,
                                           f"{what} would unpack from {_size(i.compress_size)} to "
                                           f"{_size(i.file_size)}, {i.file_size // max(i.compress_size, 1):,} times "
                                           f"over; a workbook saved by Excel packs about 5 to 20 times, and this "
                                           f"tool refuses more than {XLSX_MAX_RATIO}, so it is not opened (damaged, "
                                           f"or built to exhaust memory); {fix}")])
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_TOTAL:
        raise ValidationError([Problem(path.name, None, None,
                                       f"unpacks to {_size(total)}, more than the {_size(XLSX_MAX_TOTAL)} this tool "
                                       f"reads from one workbook; {fix}")])


def _xlsx_grid(path: Path, table: str) -> tuple[Grid, list[Flag]]:
    """The sheet's rows as (row, values), and the cells flagged as (row, column, kind).

    A cell is flagged when it is too long, or holds a formula that was never calculated.

    Every row and column is read, whatever the sheet's stored dimension claims: a program that
    wrote the file may have left it stale, and openpyxl's read-only mode would trust it.
    """
    if path.suffix.lower() == ".xlsx" and path.stat().st_size == 0:
        raise ValidationError([Problem(path.name, None, None, f"the file is empty (0 bytes); it needs a sheet "
                                       f"named '{table}' with a header row and one row per {_unit(table)}")])
    wb = _open_workbook(path)
    try:
        return _read_sheet(path, _sheet(wb, path, table))
    finally:
        wb.close()


def _open_workbook(path: Path) -> Workbook:
    """The workbook, read-only with saved values, once its zip is checked (_check_zip); else ValidationError."""
    from openpyxl import load_workbook
    _check_zip(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a damaged or foreign file
        why = "not a zip-based workbook" if isinstance(e, zipfile.BadZipFile) else type(e).__name__
        raise ValidationError([Problem(path.name, None, None, f"cannot be opened as an Excel workbook ({why}); "
                                       "open it in Excel and save it again as .xlsx")]) from None


def _read_sheet(path: Path, ws: ReadOnlyWorksheet) -> tuple[Grid, list[Flag]]:
    """One sheet's rows and flagged cells (see _xlsx_grid); a damaged sheet is a ValidationError."""
    try:
        grid, flagged = _sheet_rows(ws)
        if _may_hold_formulas(path, ws) and any(v is None for _, r in grid if any(r) for v in r):
            flagged += _uncalculated(path, ws.title, grid)
    except ValidationError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged sheet inside a valid zip
        raise ValidationError([Problem(path.name, None, None,
                                       f"sheet '{ws.title}' cannot be read ({type(e).__name__}); "
                                       "open it in Excel and save it again as .xlsx")]) from None
    return grid, flagged


def workbook_sheets(path: str | Path, label: str | None = None) -> list[tuple[str, Grid, list[Problem]]]:
    """Every sheet of a workbook as (title, its rows that hold a value, problems with its cells).

    For a workbook of several tables whose sheets are told apart by their content (Ofsted Annex A). The guards
    are read_table's: the zip is checked before opening, every row is read whatever the stored dimension
    claims, and over-long cells and formulas with no saved value are problems, named by sheet and column
    letter; the caller keeps those of the sheets it uses. Chart sheets are left out.
    """
    path = Path(path)
    name = label or path.name
    if not path.is_file():
        raise ValidationError([Problem(name, None, None, "is a folder; give the .xlsx workbook" if path.is_dir()
                                       else f"file not found: {path}")])
    if path.stat().st_size == 0:
        raise ValidationError([Problem(name, None, None, "the file is empty (0 bytes); give the .xlsx workbook")])
    wb = _open_workbook(path)
    try:
        out: list[tuple[str, Grid, list[Problem]]] = []
        for ws in wb.worksheets:
            grid, flagged = _read_sheet(path, ws)
            grid = [r for r in grid if any(_blank(v) is not None for v in r[1])]
            out.append((ws.title, grid, _flagged_problems(f"{name} (sheet '{ws.title}')", flagged, 0, [])))
        return out
    finally:
        wb.close()


def sheet_heads(path: str | Path, rows: int = 10) -> dict[str, list[tuple[object, ...]]] | None:
    """The first `rows` rows of every sheet of an .xlsx workbook, by title; None when it is not a readable one.

    Cheap (read-only, a few rows a sheet): for telling what a workbook holds before reading it.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        wb = _open_workbook(path)
    except ValidationError:
        return None
    try:
        heads: dict[str, list[tuple[object, ...]]] = {}
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            heads[ws.title] = [tuple(r) for r in ws.iter_rows(max_row=rows, values_only=True)]
        return heads
    except Exception:  # noqa: BLE001 - a damaged sheet: not readable, so not recognised
        return None
    finally:
        wb.close()


def _sheet(wb: Workbook, path: Path, table: str) -> ReadOnlyWorksheet:
    names = {n.strip().lower(): n for n in wb.sheetnames}
    if table in names:
        ws = wb[names[table]]
    elif len(wb.sheetnames) == 1:
        ws = wb[wb.sheetnames[0]]
    else:
        raise ValidationError([Problem(path.name, None, None,
                                       f"has no sheet named '{table}' (sheets: {', '.join(wb.sheetnames)}); "
                                       f"rename the sheet that holds the {table} to '{table}'")])
    if not hasattr(ws, "iter_rows"):
        raise ValidationError([Problem(path.name, None, None, f"sheet '{ws.title}' is a chart, not a table; "
                                       f"give the {table} as a sheet of rows")])
    return ws


def _sheet_rows(ws: ReadOnlyWorksheet) -> tuple[Grid, list[Flag]]:
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # read to the last row and column there are, not to the stored <dimension>
    grid: Grid = []
    flagged: list[Flag] = []
    for number, r in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(r)
        for j, v in enumerate(values):
            if type(v) is str and len(v) > XLSX_MAX_CELL:
                flagged.append((number, j, "xlsx_long"))
                values[j] = ""  # reported, and not held: blank, yet not "empty" to the formula check
        grid.append((number, values))
    return grid, flagged


def _may_hold_formulas(path: Path, ws: ReadOnlyWorksheet) -> bool:
    """Whether the sheet's XML has a formula element: a scan of the raw part, far cheaper than parsing it."""
    part = getattr(ws, "_worksheet_path", None)
    if not part:
        return True
    try:
        with zipfile.ZipFile(path) as z, z.open(part) as fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    return True
                tail = chunk[-64:]
    except Exception:  # noqa: BLE001 - cannot tell: look
        return True
    return False


def _uncalculated(path: Path, title: str, grid: Grid) -> list[Flag]:
    """Cells that are blank as Excel last saved them but hold a formula: one never calculated (no cached value)."""
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[title]
        ws.reset_dimensions()
        out: list[Flag] = []
        for (number, values), r in zip(grid, ws.iter_rows(values_only=True), strict=False):
            for j, v in enumerate(r):
                if v is not None and (j >= len(values) or values[j] is None):
                    out.append((number, j, "formula"))
        return out
    finally:
        wb.close()


# ---- cell parsers: each returns (value, None) or (None, message) ----

_WORDS = re.compile(r"\w\s+\w")


def as_id(v: object) -> str:
    """An id as a message quotes it. A value with words separated by spaces is a name or free text, not an id:
    it is not printed (names and free text about children and staff are never logged)."""
    if isinstance(v, str) and _WORDS.search(v):
        return "the value (not shown: it looks like a name or free text, not an id)"
    return show(v)


def show(v: object) -> str:
    """A cell as a message quotes it: text in quotes, Excel dates as dates, 2.0 as 2."""
    if isinstance(v, datetime):
        return f"'{v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=' ')}' (a date)"
    if isinstance(v, date):
        return f"'{v.isoformat()}' (a date)"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v)


def parse_bool(v: object) -> tuple[bool | None, str | None]:
    if isinstance(v, bool):
        return v, None
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v), None
    s = str(v).strip().lower()
    if s in TRUE:
        return True, None
    if s in FALSE:
        return False, None
    return None, f"{show(v)} is not yes or no; use yes/no, true/false, Y/N or 1/0"


def parse_date(v: object) -> tuple[date | None, str | None]:
    """A date from a cell, within DATE_MIN..DATE_MAX: a year outside is a typo (0026, 1900, 9999), not a date."""
    d, msg = _parse_date(v)
    if d is not None and not DATE_MIN <= d <= DATE_MAX:
        hint = " (an Excel date cell holding 0 shows as 1900)" if d.year in (1899, 1900) else ""
        return None, (f"{d.isoformat()} is outside the dates this tool accepts, {DATE_MIN.isoformat()} to "
                      f"{DATE_MAX.isoformat()}{hint}; check the year")
    return d, msg


def _parse_date(v: object) -> tuple[date | None, str | None]:
    if isinstance(v, datetime):
        return v.date(), None
    if isinstance(v, date):
        return v, None
    s = str(v).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(s, fmt).date(), None
        except ValueError:
            continue
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return None, f"{show(v)} is a number, not a date; format the cells as dates or write YYYY-MM-DD or dd/mm/yyyy"
    return None, f"{as_id(v)} is not a date; use YYYY-MM-DD or dd/mm/yyyy"


def parse_number(v: object) -> tuple[float | None, str | None]:
    if isinstance(v, bool):
        return None, f"{show(v)} is not a number"
    if isinstance(v, (int, float)):
        return float(v), None
    s = str(v).strip()
    try:
        f = float(s)
    except ValueError:
        return None, f"{show(v)} is not a number"
    if f != f or f in (float("inf"), float("-inf")):
        return None, f"{show(v)} is not a number"
    return f, None


def parse_list(v: object) -> tuple[str, ...]:
    """A `;`-separated list (commas tolerated), trimmed, lower-cased tags, sorted and unique."""
    if v is None:
        return ()
    parts = str(v).replace(",", ";").split(";")
    return tuple(sorted({p.strip() for p in parts if p.strip()}))


def text(v: object) -> str | None:
    """A cell as an id string: Excel's 1234.0 becomes '1234'."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning a syntax error into a Problem with its line.

    The values are whatever the file holds (tables, arrays, text, numbers, dates): each reader checks its own.
    """
    path = Path(path)
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))  # Notepad's BOM is tolerated
    except FileNotFoundError:
        raise ValidationError([Problem(path.name, None, None, "file not found")]) from None
    except tomllib.TOMLDecodeError as e:
        raise ValidationError([Problem(path.name, None, None, f"not valid TOML: {e}; check that line: text in "
                                       "quotes, true/false in lower case, numbers without units, one key = value "
                                       "a line")]) from None
    except IsADirectoryError:
        raise ValidationError([Problem(path.name, None, None, "is a folder; give the .toml file")]) from None
    except OSError as e:
        raise ValidationError([Problem(path.name, None, None,
                                       f"cannot be read ({e.strerror or type(e).__name__})")]) from None
    except UnicodeDecodeError:
        raise ValidationError([Problem(path.name, None, None, "not a text file; save it as UTF-8 TOML")]) from None


def misplaced(key: str, table: str, homes: list[str]) -> str:
    """The message for `key`, read by TOML into [table], that belongs in one of `homes` ("" is the top level).

    TOML puts every key after a [table] header into that table, so a key added at the end of a file
    lands in its last table: say so, rather than calling the key unknown.
    """
    name, _, n = table.partition("[")
    shown = f"[[{name}]] number {n.rstrip(']')}" if n else f"[{table}]"
    tables = [f"[[{h}]]" if h == "intake" else f"[{h}]" for h in homes if h]
    if "" in homes:
        fix = "move it above the first [table] header"
    elif len(tables) == 1:
        fix = f"move it into the {tables[0]} table"
    else:
        fix = f"move it into {', '.join(tables[:-1])} or {tables[-1]}, whichever table you meant"
    return f"'{key}' is under {shown} (TOML puts every key after a [table] header into that table); {fix}"


