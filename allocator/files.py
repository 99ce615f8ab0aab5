"""Writing outputs safely: atomic (temp file + rename), Excel-safe, byte-for-byte repeatable.

Every file the tool writes goes through here, so nothing is ever left half-written
and no cell can be read by Excel as a formula.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value):
    """Neutralise text Excel would run as a formula (CSV injection): prefix it with a quote.

    Numbers stay numbers; negative numbers are numbers, not text, so they are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temp file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v == v else ""
    return excel_safe(v)


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    atomic_write_text(path, csv_text(header, rows))


def json_text(doc) -> str:
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def write_json(path: str | Path, doc) -> None:
    atomic_write_text(path, json_text(doc))


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook with one named sheet per table: bold frozen header, sensible widths, filters.

    Deterministic: fixed document dates and zip timestamps, so the same tables give the same bytes.
    """
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append(list(header))
        widths = [len(str(h)) for h in header]
        for r in rows:
            vals = [excel_safe(v) for v in r]
            ws.append(vals)
            for i, v in enumerate(vals):
                widths[i] = max(widths[i], len(str(v)) if v is not None else 0)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        if ws.max_row > 1:
            ws.auto_filter.ref = ws.dimensions
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    fixed = datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "caseload"
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the save time as "modified"
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(info, data)
    return out.getvalue()


def write_xlsx(path: str | Path, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> None:
    atomic_write_bytes(path, xlsx_bytes(sheets))


def write_all(files: dict[str | Path, bytes]) -> None:
    """Write several outputs as one step: every temp file first, then the renames.

    A failure while preparing or writing any of them leaves none of them touched.
    """
    staged = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            staged.append((tmp, path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
