"""The sample run's outputs, saved once and compared byte for byte.

Every file the commands write on the sample council and every `--json` and
terminal output they print is kept in tests/data/golden/. A change that moves a
single byte of a plan, a projection, a report or a message fails here; a change
that is meant to (a new column, a new reason) regenerates them with

    CASELOAD_GOLDEN=write python -m pytest tests/test_golden.py

and the diff is reviewed like code. Only `solve_seconds` (wall time) is masked.
"""
from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
DFE = ROOT.parent / "shared" / "data" / "dfe" / "csww_indicators_2017_to_2023.csv"
WRITE = os.environ.get("CASELOAD_GOLDEN") == "write"

W, C, P = str(SAMPLE / "workers.csv"), str(SAMPLE / "cases.csv"), str(SAMPLE / "policy.toml")
SCEN = sorted(str(p) for p in (SAMPLE / "scenarios").glob("*.toml"))
INPUTS = ["--workers", W, "--cases", C, "--policy", P, "--as-of", "2026-11-23"]  # the sample's absences have dates

# name -> (arguments, expected exit status). "{out}" is a fresh folder per case.
RUNS: dict[str, tuple[list[str], int]] = {
    "demo": (["demo", "--out", "{out}/demo", "-q"], 0),
    "validate": (["validate", *INPUTS], 0),
    "allocate": (["allocate", *INPUTS, "--out", "{out}/plan", "-q"], 0),
    "allocate_json": (["allocate", *INPUTS, "--out", "{out}/plan", "--json"], 0),
    "allocate_keep": (["allocate", *INPUTS, "--out", "{out}/plan", "--keep-current", "--json"], 0),
    "allocate_moves": (["allocate", *INPUTS, "--out", "{out}/plan", "--max-moves", "2", "--format", "xlsx",
                        "--json"], 0),
    "allocate_good": (["allocate", "--workers", str(DATA / "good" / "workers.csv"), "--cases",
                       str(DATA / "good" / "cases.csv"), "--out", "{out}/plan", "--json"], 0),
    "plan": (["plan", SCEN[0], "--out", "{out}/projection", "-q"], 0),
    "plan_json": (["plan", str(DATA / "scenarios" / "contract.toml"), "--json"], 0),
    **{f"plan_{Path(s).stem}": (["plan", s, "-q"], 0) for s in SCEN},
    "compare": (["compare", *SCEN, "--xlsx", "{out}/options.xlsx", "-q"], 0),
    "compare_json": (["compare", *SCEN, "--json"], 0),
    "report_plans": (["report", *SCEN, "--out", "{out}/report", "-q"], 0),
    "report_allocation": (["report", *INPUTS, "--out", "{out}/report", "-q"], 0),
    "import_annex_a": (["import", "annex-a", str(SAMPLE / "annex_a.xlsx"), "--workers", W], 0),
    "allocate_week": (["allocate", *INPUTS, "--decisions", str(SAMPLE / "decisions.csv"), "--out", "{out}/plan",
                       "--json"], 0),
    "baseline": (["baseline", "--dfe", str(DFE), "--la", "Camden", "--year", "2023"], 0),
    "baseline_england": (["baseline", "--dfe", str(DFE), "--la", "England"], 0),
    "bad_workers": (["validate", "--workers", str(DATA / "bad" / "workers_three_problems.csv"), "--cases",
                     str(DATA / "good" / "cases.csv")], 2),
    **{f"bad_{name}": (["validate", "--workers", str(DATA / "good" / "workers.csv"), "--cases",
                         str(DATA / "bad" / f"cases_{name}.csv")], status)
       for name, status in (("nqsw_holds_cp", 0), ("skill_nobody_holds", 0), ("siblings_split_teams", 2),
                            ("siblings_fixed_apart", 2))},
    "bad_policy": (["validate", "--workers", W, "--cases", C, "--policy",
                    str(DATA / "bad" / "policy_bad_values.toml")], 2),
    "bad_scenario": (["plan", str(DATA / "bad_scenarios" / "bad_uncertainty.toml")], 2),
}

SECONDS = re.compile(r'("solve_seconds": )[0-9.eE+-]+')
SECONDS_TEXT = re.compile(r"(in )[0-9.]+( ?s\b)")


def _mask(text: str) -> str:
    return SECONDS_TEXT.sub(r"\1#\2", SECONDS.sub(r"\1#", text))


def _outputs(out: Path, printed: str) -> dict[str, bytes]:
    found = {"stdout.txt": _mask(printed.replace(str(out), "{out}")).encode()}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".json":
            data = _mask(data.decode()).encode()
        found[path.relative_to(out).as_posix()] = data
    return found


def _describe(name: str, data: bytes) -> str:
    """A readable first difference for a failing file (workbooks by member)."""
    if name.endswith(".xlsx"):
        with zipfile.ZipFile(GOLDEN / name) as old, zipfile.ZipFile(io.BytesIO(data)) as new:
            changed = [m for m in sorted(set(old.namelist()) | set(new.namelist()))
                       if m not in old.namelist() or m not in new.namelist() or old.read(m) != new.read(m)]
        return f"members changed: {changed}"
    return "see the diff of the saved file"


NEEDS_DFE = pytest.mark.skipif(not DFE.exists(), reason="needs ../shared/data/dfe")


@pytest.mark.parametrize("name", [pytest.param(n, marks=NEEDS_DFE) if n.startswith("baseline") else n
                                  for n in sorted(RUNS)])
def test_saved_outputs_unchanged(tmp_path, monkeypatch, name):
    args, status = RUNS[name]
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")
    result = CliRunner().invoke(cli.main, [a.format(out=out) for a in args])
    assert result.exit_code == status, result.output
    found = _outputs(out, result.output.replace(str(ROOT), "{root}"))
    folder = GOLDEN / name
    if WRITE:
        for rel, data in found.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
    saved = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert saved == sorted(found), f"{name}: files written differ from the saved ones"
    for rel, data in found.items():
        expected = (folder / rel).read_bytes()
        if data != expected:
            if rel.endswith(".json") or rel.endswith(".txt") or rel.endswith(".csv"):
                assert data.decode() == expected.decode(), f"{name}/{rel} changed"
            pytest.fail(f"{name}/{rel} changed: {_describe(f'{name}/{rel}', data)}")


def test_golden_json_is_json():
    """The saved --json outputs are JSON documents (the mask keeps them parseable)."""
    for path in GOLDEN.glob("*json*/stdout.txt"):
        json.loads(path.read_text().replace('"solve_seconds": #', '"solve_seconds": 0'))
