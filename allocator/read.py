"""Read a table (CSV or one sheet of .xlsx) the way real case-management exports need.

Tolerant of a UTF-8 BOM, surrounding spaces, Excel date cells and header case;
strict about everything else: each problem names file, row and column.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from .errors import Problem, ValidationError

TRUE = {"yes", "y", "true", "t", "1"}
FALSE = {"no", "n", "false", "f", "0"}


def read_table(path: str | Path, table: str, required: tuple[str, ...],
               known: tuple[str, ...]) -> list[tuple[int, dict[str, object]]]:
    """Rows of `table` as (row number, {column: value}); raises ValidationError on a bad file.

    Column names are matched ignoring case and surrounding spaces; values are
    stripped strings, or date/float objects straight from Excel cells.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise ValidationError([Problem(name, None, None, f"file not found: {path}")])
    if path.is_dir():
        raise ValidationError([Problem(name, None, None, "is a folder; give the CSV or .xlsx file")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        grid = _xlsx_grid(path, table)
    else:
        grid = _csv_grid(path)
    grid = [r for r in grid if any(_blank(v) is not None for v in r[1])]
    if not grid:
        raise ValidationError([Problem(name, None, None, f"the file is empty; it needs a header row and one row per {_unit(table)}")])
    header_row, header = grid[0]
    columns = [str(h).strip().lower().replace(" ", "_") if h is not None else "" for h in header]
    problems = []
    if len(columns) == 1 and any(sep in columns[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in columns[0])
        raise ValidationError([Problem(name, header_row, None,
                                       f"columns are separated by {sep!r}; save the file as CSV with commas")])
    missing = [c for c in required if c not in columns]
    if missing:
        problems.append(Problem(name, header_row, ", ".join(missing),
                                f"missing required column{'s' if len(missing) > 1 else ''}; "
                                f"the {table} file needs: {', '.join(required)}"))
    seen = set()
    for c in columns:
        if c and c in seen:
            problems.append(Problem(name, header_row, c, "column appears twice; keep one"))
        seen.add(c)
    if problems:
        raise ValidationError(problems)
    if len(grid) == 1:
        raise ValidationError([Problem(name, None, None, f"has a header but no rows; add one row per {_unit(table)}")])
    rows = []
    for number, values in grid[1:]:
        if len(values) > len(columns) and any(_blank(v) is not None for v in values[len(columns):]):
            problems.append(Problem(name, number, None,
                                    f"has {len(values)} values but the header has {len(columns)} columns; check for stray commas"))
            continue
        record = {}
        for col, v in zip(columns, values):
            if col:
                record[col] = _blank(v)
        for col in columns[len(values):]:
            record[col] = None
        rows.append((number, record))
    if problems:
        raise ValidationError(problems)
    return rows


def _unit(table: str) -> str:
    return "child" if table == "cases" else "worker"


def _blank(v):
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _csv_grid(path: Path) -> list[tuple[int, list]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] or raw[:4] == b"PK\x03\x04":
        raise ValidationError([Problem(path.name, None, None,
                                       "is not a text CSV file (binary content); export it as CSV UTF-8 or .xlsx")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ValidationError([Problem(path.name, line, None,
                                       "is not UTF-8 text; in Excel use Save As > 'CSV UTF-8 (Comma delimited)'")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    grid = []
    try:
        for values in reader:
            grid.append((reader.line_num, values))
    except csv.Error as e:
        raise ValidationError([Problem(path.name, reader.line_num, None, f"cannot be read as CSV: {e}")]) from None
    # csv's line_num counts physical lines; a spreadsheet counts records.
    return [(i + 1, values) for i, (_, values) in enumerate(grid)]


def _xlsx_grid(path: Path, table: str) -> list[tuple[int, list]]:
    import zipfile

    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ValidationError([Problem(path.name, None, None, f"cannot be opened as an Excel workbook ({type(e).__name__}); save it again as .xlsx")]) from None
    try:
        names = {n.strip().lower(): n for n in wb.sheetnames}
        if table in names:
            ws = wb[names[table]]
        elif len(wb.sheetnames) == 1:
            ws = wb[wb.sheetnames[0]]
        else:
            raise ValidationError([Problem(path.name, None, None,
                                           f"has no sheet named '{table}' (sheets: {', '.join(wb.sheetnames)}); rename the sheet")])
        return [(i + 1, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True))]
    finally:
        wb.close()


# ---- cell parsers: each returns (value, None) or (None, message) ----

def parse_bool(v) -> tuple[bool | None, str | None]:
    if isinstance(v, bool):
        return v, None
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v), None
    s = str(v).strip().lower()
    if s in TRUE:
        return True, None
    if s in FALSE:
        return False, None
    return None, f"{v!r} is not yes or no; use yes/no, true/false, Y/N or 1/0"


def parse_date(v) -> tuple[date | None, str | None]:
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
    return None, f"{v!r} is not a date; use YYYY-MM-DD or dd/mm/yyyy"


def parse_number(v) -> tuple[float | None, str | None]:
    if isinstance(v, bool):
        return None, f"{v!r} is not a number"
    if isinstance(v, (int, float)):
        return float(v), None
    s = str(v).strip()
    try:
        f = float(s)
    except ValueError:
        return None, f"{v!r} is not a number"
    if f != f or f in (float("inf"), float("-inf")):
        return None, f"{v!r} is not a number"
    return f, None


def parse_list(v) -> tuple[str, ...]:
    """A `;`-separated list (commas tolerated), trimmed, lower-cased tags, sorted and unique."""
    if v is None:
        return ()
    parts = str(v).replace(",", ";").split(";")
    return tuple(sorted({p.strip() for p in parts if p.strip()}))


def text(v) -> str | None:
    """A cell as an id string: Excel's 1234.0 becomes '1234'."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None
