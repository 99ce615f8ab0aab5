"""Gates that keep the code small and clear, run with the tests (ruff and mypy run in .ci/run)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted([ROOT / "cli.py", *(p for room in ("allocator", "files", "policy", "reporting", "workforce", "benchmarks", "web")
                                  for p in (ROOT / room).rglob("*.py"))])
MAX_LINES = 60


def long_functions(source: str) -> list[tuple[str, int]]:
    """(name, lines) of every function or method longer than MAX_LINES."""
    return [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno is not None
            and n.end_lineno - n.lineno + 1 > MAX_LINES]


def test_the_gate_finds_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    assert long_functions(f"def f():\n{body}\n") == [("f", MAX_LINES + 1)]
    assert long_functions("def g():\n    return 1\n") == []


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_over_60_lines(path):
    assert long_functions(path.read_text(encoding="utf-8")) == [], f"split these in {path.relative_to(ROOT)}"


def test_rooms_depend_one_way():
    """workforce/ takes from allocator/ only the allocation itself (reading it for a scenario's [from]);
    allocator/ never imports workforce/ or the report; files/ and policy/ import no room above them."""
    def imports(room: str) -> set[str]:
        found = set()
        for p in (ROOT / room).rglob("*.py"):
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
                    found.add(n.module)
                elif isinstance(n, ast.Import):
                    found.update(a.name for a in n.names)
        return found

    assert {m for m in imports("workforce") if m.startswith("allocator")} <= {"allocator.inputs"}
    assert not {m for m in imports("workforce") if m.split(".")[0] in ("reporting", "cli")}
    assert not {m for m in imports("reporting") if m.split(".")[0] == "cli"}
    assert not {m for m in imports("allocator") if m.split(".")[0] in ("workforce", "reporting", "cli")}
    for low in ("files", "policy"):
        assert not {m for m in imports(low) if m.split(".")[0] in ("allocator", "workforce", "reporting", "cli")}, low
