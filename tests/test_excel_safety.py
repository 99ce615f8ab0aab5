"""Text Excel would run as a formula is written with a leading quote (CSV/formula injection)."""
from __future__ import annotations

import io

import pytest
from allocator_helpers import CASE_HEADER, WORKER_HEADER, read_csv, write_csv
from click.testing import CliRunner

import cli

NASTY = ['=HYPERLINK("http://evil.example","click")', "+1", "@x", "-2+3", "=1+1"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    d = tmp_path_factory.mktemp("excel")
    w = write_csv(d / "workers.csv", WORKER_HEADER, [
        {"worker_id": "=W1", "team": "T1", "role": "social_worker", "fte": "1"},
        {"worker_id": "W2", "team": "T1", "role": "social_worker", "fte": "1", "max_children": "0"},
    ])
    cases = [{"child_id": cid, "team": "T1", "category": "cin"} for cid in NASTY]
    cases.append({"child_id": "fam1", "team": "T1", "category": "cin", "family_id": "@FAM", "current_worker": "=W1"})
    c = write_csv(d / "cases.csv", CASE_HEADER, cases)
    out = d / "out"
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(w), "--cases", str(c), "--out", str(out),
                                           "--format", "xlsx", "--json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return out


def test_allocation_csv_quotes_formula_like_ids(written):
    _, rows = read_csv(written / "allocation.csv")
    ids = {r["child_id"] for r in rows}
    for cid in NASTY:
        assert "'" + cid in ids, f"{cid!r} not neutralised in allocation.csv"
        assert cid not in ids
    fam = next(r for r in rows if r["child_id"] == "fam1")
    assert fam["family_id"] == "'@FAM"
    assert fam["previous_worker"] == "'=W1" and fam["worker_id"] == "'=W1"


def test_no_cell_in_allocation_csv_starts_with_a_formula_character(written):
    for name in ("allocation.csv", "workers.csv"):
        header, rows = read_csv(written / name)
        for r in rows:
            for col, v in r.items():
                if col in ("fte", "capacity", "children", "utilisation", "load", "nqsw_supervised", "over_capacity_load"):
                    continue
                assert not v.startswith(("=", "+", "@", "-", "\t", "\r")), (name, col, v)


def test_workers_csv_quotes_formula_like_worker_ids(written):
    _, rows = read_csv(written / "workers.csv")
    assert {r["worker_id"] for r in rows} == {"'=W1", "W2"}


def test_xlsx_cells_quoted_too(written):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO((written / "allocation.xlsx").read_bytes()))
    ws = wb["allocation"]
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    # and no cell was stored as a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
