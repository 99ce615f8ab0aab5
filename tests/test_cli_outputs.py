"""An output that cannot be written is a usage problem: exit 2, one line, no traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

GOOD = Path(__file__).parent / "data" / "good"
SCENARIO = Path(__file__).parent / "data" / "scenarios" / "contract.toml"


@pytest.mark.parametrize("args", [
    ["allocate", "--workers", str(GOOD / "workers.csv"), "--cases", str(GOOD / "cases.csv"), "--out", "{blocked}/out"],
    ["plan", str(SCENARIO), "--out", "{blocked}/out"],
    ["compare", str(SCENARIO), str(SCENARIO), "--xlsx", "{blocked}/options.xlsx"],
])
def test_unwritable_output_exits_2(tmp_path, args):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = CliRunner().invoke(cli.main, [a.format(blocked=blocked) for a in args])
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output and "Traceback" not in result.output
    assert blocked.read_text() == "not a folder"
