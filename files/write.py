"""Writing outputs safely: whole or not at all, never over an input, Excel-safe, byte-for-byte repeatable.

Every output goes through `publish`: one file (a comparison workbook, a scenario TOML) or a folder of
files (a plan, a projection, a report, the demo) that always holds exactly one run's files. The new
content is written into a fresh hidden folder beside the target (same filesystem, so a rename is one
step), then put in place under an exclusive lock on the target: a file by one rename, a folder by
swapping the two folders (one atomic exchange where the system has it; otherwise old aside, new in,
old removed). A run killed at any point leaves the old output or the new one, whole, and the next run
into that place tidies what it left; two runs into one place leave the last one whole. Files and
folders get the user's umask. `check_writable` refuses, before any work, an output that cannot be
written, that would replace an input, or that would delete files this tool did not write.

Nothing in a cell can be read by Excel as a formula.
"""
from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime
import errno
import functools
import io
import json
import math
import numbers
import os
import re
import secrets
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

from .problems import Problem, ValidationError

if sys.platform != "win32":  # Windows has no fcntl: no lock between runs there
    import fcntl

T = TypeVar("T")
Rows = Iterable[Sequence[object]]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Made by file browsers, not by people: a folder holding them may still be replaced.
CLUTTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def excel_safe(value: T) -> T | str:
    """Neutralise text Excel would run as a formula (CSV injection): prefix it with a quote.

    Numbers stay numbers; negative numbers are numbers, not text, so they are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def _cell(v: object) -> object:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v == v else ""
    return excel_safe(v)


def json_text(doc: object) -> str:
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- workbooks

# Number formats, by what a column holds (`Sheet.formats` takes these or any Excel format code).
MONEY = "£#,##0;-£#,##0"
PERCENT = "0.0%"
ONE_DECIMAL = "0.0"
INTEGER = "0"
DATE = "yyyy-mm-dd"
DATE_TIME = "yyyy-mm-dd hh:mm"

_MONEY_WORDS = frozenset({"cost", "costs", "saving", "savings", "investment", "amount", "spend", "budget",
                          "salary", "price"})
_PERCENT_WORDS = frozenset({"share", "rate", "utilisation", "utilization", "chance", "percent", "pct",
                            "proportion"})
_FTE_WORDS = frozenset({"fte"})


@dataclass(frozen=True)
class Chart:
    """A native Excel chart drawn to the right of its sheet's table, reading the table's cells.

    One series per column in `series`, over the `x` column (default: the first). With `by`, one series per
    block of rows sharing a `by` value (one line per scenario). With `across`, rows are plotted instead:
    each series is the row whose `x` cell is named in `series`, over the `across` columns, with the `label`
    cell as its name (cost per option, from a sheet of metrics by option).
    """

    title: str
    series: tuple[str, ...]
    x: str | None = None
    kind: Literal["line", "column", "bar"] = "line"
    by: str | None = None
    across: tuple[str, ...] = ()
    label: str | None = None
    y_title: str = ""


@dataclass(frozen=True)
class Sheet:
    """A table for a workbook sheet, with how to show it.

    `formats`: an Excel number format by column, for columns whose name says too little (others are
    formatted by name: see `number_format`). `row_names`: the column naming what each row measures (a
    sheet of metric, value rows); the row's numbers are formatted by that name. `charts`: drawn beside.
    """

    header: Sequence[str]
    rows: Rows
    formats: Mapping[str, str] = field(default_factory=dict)
    charts: Sequence[Chart] = ()
    row_names: str | None = None


def number_format(name: str, values: Iterable[object] = ()) -> str | None:
    """The number format for a column (or a metric row) called `name` holding `values`.

    Money for costs, savings, investment and amounts; a percentage for shares, rates, utilisation and
    chances (`p_...`); one decimal for FTE; otherwise one decimal where a value has a fraction (fractional
    projections of children), a whole number where none has; None where no value is a number.
    """
    base = re.sub(r"_p\d+$", "", name.strip().lower())  # quantiles (cost_p90) read as their quantity
    words = [w for w in re.split(r"[^a-z0-9]+", base) if w]
    last = words[-1] if words else ""
    if last in _PERCENT_WORDS:
        return PERCENT
    if last in _MONEY_WORDS or _MONEY_WORDS.intersection(words):
        return MONEY
    if base.startswith("p_") or _PERCENT_WORDS.intersection(words):
        return PERCENT
    if _FTE_WORDS.intersection(words):
        return ONE_DECIMAL
    numbers = [v for v in values if _is_number(v)]
    if not numbers:
        return None
    return INTEGER if all(float(v).is_integer() for v in numbers) else ONE_DECIMAL  # type: ignore[arg-type]


def _is_number(v: object) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def xlsx_bytes(sheets: Mapping[str, Sheet | tuple[Sequence[str], Rows]]) -> bytes:
    """A workbook with one named sheet per table: numbers formatted, bold frozen header, filters, columns
    sized, and each sheet's charts beside its table. A plain (header, rows) pair is a `Sheet` with no
    charts and every format by name.

    Text is always written as text (never a formula, number or link) and made Excel-safe (`excel_safe`).
    Deterministic: XlsxWriter in memory stamps every zip entry 1980-01-01 and the document dates are
    fixed, so the same tables give the same bytes, whenever and wherever they are written.
    """
    import xlsxwriter  # type: ignore[import-untyped]  # no type stubs

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    wb.set_properties({"author": "caseload",  # is_caseload_workbook's marker
                       "created": datetime.datetime(2000, 1, 1)})
    styles: dict[str, Any] = {}

    def style(num_format: str | None) -> Any:
        key = num_format or ""
        if key not in styles:
            styles[key] = wb.add_format({"num_format": num_format} if num_format else {})
        return styles[key]

    bold = wb.add_format({"bold": True})
    for name, given in sheets.items():
        sheet = given if isinstance(given, Sheet) else Sheet(given[0], given[1])
        _write_sheet(wb, name[:31], sheet, style, bold)
    wb.close()
    return out.getvalue()


def _write_sheet(wb: Any, name: str, sheet: Sheet, style: Callable[[str | None], Any], bold: Any) -> None:
    header = list(sheet.header)
    rows = [list(r) for r in sheet.rows]
    ws = wb.add_worksheet(name)
    formats = _formats(sheet, header, rows)
    widths = [len(str(h)) for h in header] + [0] * (max(map(len, rows), default=0) - len(header))
    for c, h in enumerate(header):
        if h != "":
            ws.write_string(0, c, str(excel_safe(h)), bold)
    for r, (row, fmts) in enumerate(zip(rows, formats, strict=True), start=1):
        for c, v in enumerate(row):
            widths[c] = max(widths[c], _write_cell(ws, r, c, v, fmts[c] if c < len(fmts) else None, style))
    ws.freeze_panes(1, 0)
    if rows and header:
        ws.autofilter(0, 0, len(rows), len(header) - 1)
    for c, width in enumerate(widths):
        ws.set_column(c, c, min(max(width + 2, 8), 60))
    for i, chart in enumerate(sheet.charts):
        ws.insert_chart(1 + 16 * i, len(header) + 1, _chart(wb, name, chart, header, rows, formats),
                        {"x_offset": 10, "y_offset": 0})


def _formats(sheet: Sheet, header: list[str], rows: list[list[object]]) -> list[list[str | None]]:
    """Each cell's number format: the column's given one, else by the row's name (`row_names`) or column's."""
    if sheet.row_names is None:
        by_column = [sheet.formats.get(h) or number_format(h, [row[c] for row in rows if c < len(row)])
                     for c, h in enumerate(header)]
        return [by_column] * len(rows)
    names = header.index(sheet.row_names)
    out = []
    for row in rows:
        by_row = number_format(str(row[names]), row)
        out.append([sheet.formats.get(h) or (by_row if _is_number(v) else None) for h, v in zip(header, row,
                                                                                              strict=False)])
    return out


def _write_cell(ws: Any, r: int, c: int, v: object, fmt: str | None, style: Callable[[str | None], Any]) -> int:
    """Write one cell as what it is (text stays text); return the width it shows at."""
    if v is None or v == "" or (isinstance(v, float) and not math.isfinite(v)):
        return 0  # left blank: an empty cell, as Excel keeps one
    if isinstance(v, bool):
        ws.write_boolean(r, c, v)
        return 5
    if _is_number(v):
        ws.write_number(r, c, v, style(fmt))
        return len(_shown(float(v), fmt))  # type: ignore[arg-type]
    if isinstance(v, datetime.date):
        timed = isinstance(v, datetime.datetime)
        ws.write_datetime(r, c, v, style(DATE_TIME if timed else DATE))
        return 16 if timed else 10
    text = str(excel_safe(str(v)))
    ws.write_string(r, c, text)
    return max((len(line) for line in text.splitlines()), default=0)


def _shown(v: float, fmt: str | None) -> str:
    """About what Excel shows for `v` in `fmt` (to size the column)."""
    if fmt == MONEY:
        return f"£{v:,.0f}"
    if fmt == PERCENT:
        return f"{v * 100:.1f}%"
    if fmt == ONE_DECIMAL:
        return f"{v:.1f}"
    if fmt == INTEGER:
        return f"{v:.0f}"
    return f"{v:.4f}".rstrip("0").rstrip(".") if not v.is_integer() else f"{v:.0f}"


def _chart(wb: Any, sheet: str, spec: Chart, header: list[str], rows: list[list[object]],
           formats: list[list[str | None]]) -> Any:
    """The XlsxWriter chart `spec` draws from the table on `sheet` (ValueError: a column it names is missing)."""
    wanted = [spec.x, spec.by, spec.label, *spec.across] + ([] if spec.across else list(spec.series))
    missing = [n for n in wanted if n is not None and n not in header]
    if missing:
        raise ValueError(f"chart {spec.title!r} on sheet {sheet!r}: no column {', '.join(map(repr, missing))}")
    x = header.index(spec.x) if spec.x is not None else 0
    chart = wb.add_chart({"type": spec.kind})
    y_format = None
    if spec.across:
        start = header.index(spec.across[0])
        if tuple(header[start:start + len(spec.across)]) != tuple(spec.across):
            raise ValueError(f"chart {spec.title!r} on sheet {sheet!r}: the columns it plots must be side by side")
        cols = [start, start + len(spec.across) - 1]
        label = header.index(spec.label) if spec.label is not None else x
        for name in spec.series:
            r = next((i for i, row in enumerate(rows) if row[x] == name), None)
            if r is None:
                continue  # a metric no option has: left out of the table, so out of the chart
            chart.add_series({"name": [sheet, r + 1, label], "categories": [sheet, 0, cols[0], 0, cols[-1]],
                              "values": [sheet, r + 1, cols[0], r + 1, cols[-1]]})
            y_format = y_format or formats[r][cols[0]]
    else:
        for name in spec.series:
            c = header.index(name)
            for first, last in _blocks(rows, header.index(spec.by) if spec.by else None, spec.title):
                chart.add_series({"name": [sheet, first + 1, header.index(spec.by)] if spec.by else [sheet, 0, c],
                                  "categories": [sheet, first + 1, x, last + 1, x],
                                  "values": [sheet, first + 1, c, last + 1, c]})
            y_format = y_format or (formats[0][c] if rows else None)
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    chart.set_y_axis({"name": spec.y_title, "num_format": y_format or "General", "major_gridlines":
                      {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": "" if spec.across else header[x]})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 300})
    return chart


def _blocks(rows: list[list[object]], by: int | None, title: str) -> list[tuple[int, int]]:
    """The (first, last) rows of each series: all rows, or each block of rows sharing the `by` column."""
    if not rows:
        return []
    if by is None:
        return [(0, len(rows) - 1)]
    blocks: list[tuple[int, int]] = []
    seen: set[object] = set()
    for i, row in enumerate(rows):
        if i and row[by] == rows[i - 1][by]:
            blocks[-1] = (blocks[-1][0], i)
            continue
        if row[by] in seen:
            raise ValueError(f"chart {title!r}: the rows of {row[by]!r} must be together")
        seen.add(row[by])
        blocks.append((i, i))
    return blocks


def is_caseload_workbook(path: str | Path, sheet: str) -> bool:
    """Whether `path` is a workbook this tool wrote (document creator "caseload") with a sheet `sheet`."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, ValueError):
        return False
    return (re.search(r"<(\w+:)?creator>caseload</(\w+:)?creator>", core) is not None
            and re.search(rf'<(\w+:)?sheet\b[^>]*\bname="{re.escape(sheet)}"', book) is not None)


# --------------------------------------------------------------------------- publishing


def publish(target: str | Path, content: bytes | Mapping[str, bytes], owned: Iterable[str] = (),
            what: str = "output") -> None:
    """Put `content` at `target` in one step: bytes make a file; {relative path: bytes} a folder.

    A folder replaces the old one whole (files of an earlier run that this run does not write go too),
    but only if every file in it is one of `owned` (relative paths, '/'-separated, the files this kind
    of output can have): otherwise ValidationError, and nothing is touched. OSError when the disk says no.
    """
    target = Path(os.path.realpath(target))  # a symlinked folder: replace what it points at, keep the link
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, (bytes, bytearray)):
        folder, files = False, {target.name: bytes(content)}
    else:
        folder, files = True, dict(content)
    with _locked(target):
        _tidy(target)
        stage, held = _new_stage(target)
    try:
        for rel, data in files.items():
            _write_new(stage / rel, data)
        for d in sorted({(stage / rel).parent for rel in files}, key=lambda p: -len(p.parts)):
            _fsync_dir(d)
        with _locked(target):
            if folder:
                _refuse_foreign(target, owned, what)
                old = _swap(stage, target)
                if old is not None:
                    _rmtree(old)
            else:
                if os.path.isdir(target):
                    raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
                _move(stage / target.name, target)
            _fsync_dir(target.parent)
    finally:
        if os.path.lexists(stage):  # after a failure: the staged files; for a file: its emptied folder
            _rmtree(stage)
        os.close(held)


def _side(target: Path, kind: str) -> Path:
    """A hidden name beside `target` for a staging folder ("tmp") or the old folder being swapped out ("old")."""
    return target.parent / f".caseload-{target.name}.{secrets.token_hex(8)}.{kind}"


def _side_kind(name: str, target: Path) -> str | None:
    m = re.fullmatch(re.escape(f".caseload-{target.name}.") + r"[0-9a-f]{16}\.(tmp|old)", name)
    if m:
        return m.group(1)
    # the temp files earlier versions wrote beside a file (mkstemp: ".NAME.XXXXXXXX.tmp")
    if re.fullmatch(re.escape(f".{target.name}.") + r"[a-z0-9_]{8}\.tmp", name):
        return "legacy"
    return None


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of `target`: a hidden lock file beside it, removed again on release."""
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    path = target.parent / f".caseload-{target.name}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            mine = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(fd)
            raise
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(fd)  # the holder before us removed that lock file: lock the one there now
    try:
        yield
    finally:
        try:
            os.unlink(path)  # still holding it: a waiter on this file sees it gone and tries again
        finally:
            os.close(fd)


def _new_stage(target: Path) -> tuple[Path, int]:
    """A fresh staging folder beside `target`, locked for as long as this run lives (see `_tidy`)."""
    while True:
        stage = _side(target, "tmp")
        try:
            os.mkdir(stage, 0o777)
            break
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue
    fd = os.open(stage, os.O_RDONLY | _O_DIRECTORY)
    if sys.platform != "win32":
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return stage, fd


def _tidy(target: Path) -> None:
    """Remove what killed runs left beside `target` (called holding its lock).

    A staging folder whose lock is free belongs to a dead run; one still locked is a live run's. An
    old folder exists only inside a swap, which holds the target's lock, so any seen here is left over:
    if the run died with the old folder aside and the new not yet in, the old one goes back.
    """
    olds = []
    for entry in sorted(os.scandir(target.parent), key=lambda e: e.name):
        kind = _side_kind(entry.name, target)
        if kind == "old":
            olds.append(Path(entry.path))
        elif kind == "tmp":
            _remove_abandoned(Path(entry.path))
        elif kind == "legacy" and entry.is_file(follow_symlinks=False):
            os.unlink(entry.path)
    if olds and not os.path.lexists(target):
        _move(olds.pop(), target)
    for old in olds:
        _rmtree(old)


def _remove_abandoned(stage: Path) -> None:
    try:
        fd = os.open(stage, os.O_RDONLY | _O_DIRECTORY)
    except NotADirectoryError:
        os.unlink(stage)
        return
    except FileNotFoundError:
        return
    try:
        if sys.platform != "win32":
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # a run still writing there
        _rmtree(stage)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """A new file (mode 0666 less the umask), flushed to disk before it is ever renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | _O_DIRECTORY)
    except OSError:  # pragma: no cover - a system that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def _swap(stage: Path, target: Path) -> Path | None:
    """Put the folder `stage` at `target`; return where the old folder now is (to remove), if any."""
    if not os.path.lexists(target):
        _move(stage, target)
        return None
    if _exchange(stage, target):
        return stage
    old = _side(target, "old")
    _move(target, old)
    try:
        _move(stage, target)
    except BaseException:
        _move(old, target)
        raise
    return old


def _move(src: Path, dst: Path) -> None:
    os.replace(src, dst)


@functools.cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # not on this file system: swap in two renames
    raise OSError(err, os.strerror(err), str(b))


def _rmtree(path: Path) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _refuse_foreign(target: Path, owned: Iterable[str], what: str) -> None:
    if not os.path.lexists(target):
        return
    if not os.path.isdir(target):
        raise ValidationError([Problem(str(target), message=f"cannot write the {what} here: it is a file, not a "
                                                            "folder; give a folder")])
    found = foreign_files(target, owned)
    if found:
        raise ValidationError([Problem(str(target), message=_foreign_message(what, found))])


def foreign_files(folder: str | Path, owned: Iterable[str]) -> list[str]:
    """What in `folder` is not one of `owned` (relative '/' paths): the files replacing it would lose."""
    owned = set(owned)
    dirs = {str(p) for o in owned for p in PurePosixPath(o).parents if str(p) != "."}
    found: list[str] = []

    def ours(rel: str, name: str) -> bool:
        if rel in owned or name in CLUTTER:
            return True
        m = re.fullmatch(r"(.*/)?\.(.+)\.[a-z0-9_]{8}\.tmp", rel)  # an earlier version's temp file
        return m is not None and (m.group(1) or "") + m.group(2) in owned

    def walk(d: str, prefix: str) -> None:
        for e in sorted(os.scandir(d), key=lambda e: e.name):
            rel = prefix + e.name
            if e.is_dir(follow_symlinks=False):
                if rel in dirs:
                    walk(e.path, rel + "/")
                else:
                    found.append(rel + "/")
            elif not ours(rel, e.name):
                found.append(rel)

    walk(str(folder), "")
    return found


def _foreign_message(what: str, found: list[str]) -> str:
    shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    return (f"cannot write the {what} here: the folder holds files caseload did not write ({shown}), and "
            "writing would replace the whole folder; move them out, or write to a new or empty folder")


# --------------------------------------------------------------------------- checking first


def check_writable(path: str | Path, what: str, inputs: Iterable[tuple[str, str | Path | None]] = (),
                   owned: Iterable[str] | None = None,
                   own_file: Callable[[Path], bool] | None = None) -> None:
    """Refuse now, before any reading or solving, an output `publish` could not or must not write.

    `owned`: for a folder output, the files (relative paths) it may replace; None for a file output.
    `inputs`: (what it is, path) of every file the command reads; none may be replaced.
    `own_file`: for a file output, whether an existing file there is one this tool wrote (None: any file
    may be replaced). ValidationError lists every problem found.
    """
    folder = owned is not None
    target = Path(os.path.realpath(path))
    problems: list[str] = []
    if os.path.isdir(target) and not folder:
        problems.append("it is a folder; give a file name")
    elif os.path.lexists(target) and folder and not os.path.isdir(target):
        problems.append("it is a file, not a folder; give a folder")
    base = target.parent
    while not os.path.lexists(base) and base != base.parent:
        base = base.parent
    if not os.path.isdir(base):
        problems.append(f"{base} is a file, not a folder")
    else:
        probe = base / f".caseload-{target.name}.{secrets.token_hex(8)}.tmp"
        try:
            os.mkdir(probe)
            os.rmdir(probe)
        except OSError as e:
            problems.append(f"cannot create files in {base} ({e.strerror or e})")
    cwd = Path(os.path.realpath(os.getcwd()))
    if folder and (target == cwd or target in cwd.parents):
        problems.append("it is the current folder (or holds it); write to a folder of its own")
    for label, inp in inputs:
        if inp and _would_replace(target, Path(inp), folder):
            problems.append(f"it would replace the input {label} {inp}; write to another "
                            f"{'folder' if folder else 'file'} (inputs are never overwritten)")
    try:
        if not problems and owned is not None and os.path.isdir(target):  # a folder output
            found = foreign_files(target, owned)
            if found:
                problems.append(_foreign_message(what, found).removeprefix(f"cannot write the {what} here: "))
        if not problems and not folder and own_file is not None and os.path.isfile(target) and not own_file(target):
            problems.append(f"a file of that name exists and is not a {what} caseload wrote; writing would "
                            "replace it: give another file name, or move that file away first")
    except OSError as e:  # cannot look inside what is there: so cannot know it is safe to replace
        problems.append(f"cannot read what is there ({e.strerror or e})")
    if problems:
        raise ValidationError([Problem(str(path), message=f"cannot write the {what} here: {p}") for p in problems])


def _would_replace(target: Path, inp: Path, folder: bool) -> bool:
    """Whether writing `target` replaces `inp`: the same file, or (a folder) a file inside it."""
    if not inp.exists():
        return False
    real = Path(os.path.realpath(inp))
    if real == target or (folder and target in real.parents):
        return True
    if not os.path.exists(target):
        return False
    # the same file under another name: a case-insensitive file system, a bind mount, a hard link
    return any(_same(target, p) for p in ([real, *real.parents] if folder else [real]))


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
