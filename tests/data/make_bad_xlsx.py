"""Write the binary and .xlsx members of the input corpus (tests/data/bad/ and tests/data/ok/).

The CSV and TOML members are plain text, written by hand; these need a program.
Run from anywhere: `python tests/data/make_bad_xlsx.py`. The output is committed,
so the tests do not depend on this script (openpyxl stamps a creation time into
each workbook, so re-running changes the bytes, not the content).
"""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
BAD, OK, GOOD = HERE / "bad", HERE / "ok", HERE / "good"


def rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def workbook(sheets: dict[str, list[list]], path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, data in sheets.items():
        ws = wb.create_sheet(title)
        for r in data:
            ws.append(r)
    wb.save(path)


def typed(table: list[list[str]]) -> list[list]:
    """Cells as Excel holds them: numbers as numbers, blanks as empty cells."""
    out = []
    for r in table:
        row = []
        for v in r:
            try:
                row.append(float(v) if "." in v else int(v))
            except ValueError:
                row.append(v or None)
        out.append(row)
    return out


def main() -> None:
    workers, cases = rows(GOOD / "workers.csv"), rows(GOOD / "cases.csv")
    wtext = (GOOD / "workers.csv").read_text(encoding="utf-8")

    # ---- bad: not a CSV at all ----
    (BAD / "workers_binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 2)
    (BAD / "workers_utf16.csv").write_bytes(wtext.encode("utf-16"))
    (BAD / "workers_old_excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    (BAD / "workers_zip_named_csv.csv").write_bytes(buf.getvalue())

    # ---- bad: not a workbook, or the wrong one ----
    (BAD / "workers_not_a_workbook.xlsx").write_text(wtext, encoding="utf-8")
    (BAD / "workers_empty.xlsx").write_bytes(b"")
    workbook({"Staff": typed(workers), "Summary": [["total", 7]]}, BAD / "workers_no_sheet.xlsx")

    # ---- bad: real Excel cells of the wrong kind ----
    header = workers[0]
    bad_cells = typed(workers)
    i_fte, i_asye, i_acc = header.index("fte"), header.index("asye_start"), header.index("accepting")
    bad_cells[3][i_fte] = datetime(2026, 1, 5)      # row 4: a date where the FTE goes
    bad_cells[4][i_asye] = 46027                     # row 5: a date cell formatted as a number
    bad_cells[6][i_acc] = "maybe"                    # row 7
    workbook({"workers": bad_cells}, BAD / "workers_bad_cells.xlsx")

    # one workbook for both files, with a problem on each sheet
    w, c = typed(workers), typed(cases)
    w[2][header.index("fte")] = 1.5                                 # workers sheet row 3
    c[4][cases[0].index("category")] = "adoption"                   # cases sheet row 5
    workbook({"workers": w, "cases": c}, BAD / "council_bad.xlsx")

    # ---- ok: Excel dates, booleans and numbers as real cells; one workbook for both ----
    w = typed(workers)
    nqsw = header.index("role")
    for r in w[1:]:
        if r[nqsw] == "nqsw":
            r[i_asye] = datetime(2026, 1, 5)
        r[i_acc] = True
    w[-1][i_acc] = False
    workbook({"workers": w}, OK / "workers_excel_dates.xlsx")

    w = typed(workers)
    roles = {"service_leader": "Team Manager", "senior_social_worker": "Senior Practitioner", "nqsw": "ASYE"}
    for r in w[1:]:
        r[nqsw] = roles.get(r[nqsw], r[nqsw])
        if r[i_asye]:
            r[i_asye] = datetime(2026, 1, 5)
    workbook({"Read me": [["Exported from the case-management system"]], "Workers": w, "Cases": typed(cases)},
             OK / "council.xlsx")


if __name__ == "__main__":
    main()
