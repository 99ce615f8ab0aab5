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
               known: tuple[str, ...], label: str | None = None) -> list[tuple[int, dict[str, object]]]:
    """Rows of `table` as (row number, {column: value}); raises ValidationError on a bad file.

    Column names are matched ignoring case and surrounding spaces; values are
    stripped strings, or date/float objects straight from Excel cells.
    """
    path = Path(path)
    name = label or path.name  # how problems name the file
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
    cells = [str(h).strip() if h is not None else "" for h in header]
    # "Worker ID", " FTE ", "worker-id" all read as the contract's worker_id, fte
    columns = ["_".join(c.lower().replace("-", " ").split()) for c in cells]
    problems = []
    if len(cells) == 1 and any(sep in cells[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in cells[0])
        raise ValidationError([Problem(name, header_row, None,
                                       f"columns are separated by {sep!r}; save the file as CSV with commas")])
    missing = [c for c in required if c not in columns]
    if missing:
        problems.append(Problem(name, header_row, ", ".join(missing),
                                f"missing required column{'s' if len(missing) > 1 else ''}; "
                                f"the {table} file needs: {', '.join(required)}"
                                + (f" (found: {', '.join(c for c in columns if c)})" if any(columns) else "")))
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
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ValidationError([Problem(path.name, None, None,
                                       f"cannot be read ({e.strerror or type(e).__name__}); check the file is not open "
                                       "elsewhere and that you may read it")]) from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValidationError([Problem(path.name, None, None,
                                       "is saved as UTF-16 ('Unicode Text'); in Excel use Save As > 'CSV UTF-8 (Comma delimited)'")])
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError([Problem(path.name, None, None,
                                       "is an old-style Excel .xls workbook (or a protected one); save it as .xlsx or CSV UTF-8")])
    if raw[:4] == b"PK\x03\x04":
        raise ValidationError([Problem(path.name, None, None,
                                       "is a zipped file (an .xlsx saved under another name?), not a CSV; "
                                       "give it the .xlsx extension or export it as CSV UTF-8")])
    if b"\x00" in raw[:4096]:
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
    if path.suffix.lower() == ".xlsx" and path.stat().st_size == 0:
        raise ValidationError([Problem(path.name, None, None, f"the file is empty (0 bytes); it needs a sheet named '{table}' "
                                       f"with a header row and one row per {_unit(table)}")])
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a damaged or foreign file
        why = "not a zip-based workbook" if isinstance(e, zipfile.BadZipFile) else type(e).__name__
        raise ValidationError([Problem(path.name, None, None, f"cannot be opened as an Excel workbook ({why}); "
                                       "open it in Excel and save it again as .xlsx")]) from None
    try:
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
        try:
            return [(i + 1, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True))]
        except Exception as e:  # noqa: BLE001 - a damaged sheet inside a valid zip
            raise ValidationError([Problem(path.name, None, None, f"sheet '{ws.title}' cannot be read ({type(e).__name__}); "
                                           "open it in Excel and save it again as .xlsx")]) from None
    finally:
        wb.close()


# ---- cell parsers: each returns (value, None) or (None, message) ----

def show(v) -> str:
    """A cell as a message quotes it: text in quotes, Excel dates as dates, 2.0 as 2."""
    if isinstance(v, datetime):
        return f"'{v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=' ')}' (a date)"
    if isinstance(v, date):
        return f"'{v.isoformat()}' (a date)"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v)


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
    return None, f"{show(v)} is not yes or no; use yes/no, true/false, Y/N or 1/0"


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
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return None, f"{show(v)} is a number, not a date; format the cells as dates or write YYYY-MM-DD or dd/mm/yyyy"
    return None, f"{show(v)} is not a date; use YYYY-MM-DD or dd/mm/yyyy"


def parse_number(v) -> tuple[float | None, str | None]:
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
