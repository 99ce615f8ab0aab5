"""Modes: --keep-current and --max-moves, in the library and through the CLI."""
from __future__ import annotations

import json

import pytest
from allocator_helpers import (
    CASE_HEADER,
    WORKER_HEADER,
    assigned,
    child,
    instance,
    read_csv,
    rows,
    run,
    stages,
    statuses,
    worker,
    write_csv,
)
from click.testing import CliRunner

import cli

SUMMARY_KEYS = {"status", "children", "allocated", "unallocated", "moved", "kept", "over_capacity", "by_priority",
                "max_utilisation", "solve_seconds"}
ALLOCATION_COLUMNS = ["child_id", "family_id", "team", "worker_id", "status", "previous_worker", "reason"]
WORKERS_COLUMNS = ["worker_id", "team", "role", "fte", "capacity", "children", "utilisation", "supervisor_id",
                   "nqsw_supervised"]


def overloaded(n_held=18, awaiting=2):
    """A holds n_held against 15; B is empty; some children await."""
    kids = [child(f"a{i:02d}", current_worker="A") for i in range(n_held)]
    kids += [child(f"n{i}", priority="high") for i in range(awaiting)]
    return instance([worker("A"), worker("B")], kids)


# ---- keep_current ----

def test_rebalance_moves_the_excess():
    plan = run(overloaded())
    assert plan.summary.moved == 3 and plan.summary.over_capacity_load == {}


def test_keep_current_moves_nobody_and_still_allocates_awaiting_children():
    plan = run(overloaded(), keep_current=True)
    st = statuses(plan)
    assert plan.summary.moved == 0 and plan.summary.mode == "keep_current"
    assert all(st[f"a{i:02d}"] in ("kept", "over_capacity") for i in range(18))
    assert assigned(plan)["n0"] == assigned(plan)["n1"] == "B"
    assert plan.summary.over_capacity_load == {"A": 3.0}


def test_keep_current_still_moves_a_child_its_worker_may_not_keep():
    ws = [worker("N", role="nqsw", supervisor_id="S"), worker("S", role="senior_social_worker")]
    kids = [child("cp", category="cp", current_worker="N"), child("cin", current_worker="N")]
    plan = run(instance(ws, kids), keep_current=True)
    assert assigned(plan) == {"cp": "S", "cin": "N"}
    assert statuses(plan) == {"cp": "moved", "cin": "kept"}


def test_keep_current_brings_split_siblings_together():
    kids = [child("x", family="F", current_worker="A"), child("y", family="F", current_worker="B")]
    plan = run(instance([worker("A"), worker("B")], kids), keep_current=True)
    got = assigned(plan)
    assert got["x"] == got["y"] in ("A", "B") and plan.summary.moved == 1


# ---- max_moves ----

def test_max_moves_caps_moves():
    plan = run(overloaded(), max_moves=1)
    assert plan.summary.moved == 1
    assert plan.summary.over_capacity_load == {"A": 2.0}
    assert stages(plan)["moves"] == 1 and plan.summary.max_moves == 1


def test_max_moves_zero_equals_no_moves():
    plan = run(overloaded(), max_moves=0)
    st = statuses(plan)
    assert plan.summary.moved == 0
    assert all(st[f"a{i:02d}"] in ("kept", "over_capacity") for i in range(18))
    assert assigned(plan)["n0"] == assigned(plan)["n1"] == "B"
    keep = run(overloaded(), keep_current=True)
    assert assigned(plan) == assigned(keep)


def test_max_moves_zero_leaves_a_child_whose_worker_may_not_keep_it_waiting():
    # the move is forbidden, the NQSW may not lead cp: the child is left without a worker, with a reason
    ws = [worker("N", role="nqsw", supervisor_id="S"), worker("S", role="senior_social_worker")]
    plan = run(instance(ws, [child("cp", category="cp", current_worker="N")]), max_moves=0)
    r = rows(plan)["cp"]
    assert r.status == "unallocated" and "N is an NQSW" in r.reason


def test_max_moves_large_equals_unbounded():
    assert assigned(run(overloaded(), max_moves=100)) == assigned(run(overloaded()))


# ---- the CLI ----

def write_council(tmp_path, extra_cases=()):
    w = write_csv(tmp_path / "workers.csv", WORKER_HEADER, [
        {"worker_id": "A", "team": "T1", "role": "social_worker", "fte": "1"},
        {"worker_id": "B", "team": "T1", "role": "senior_social_worker", "fte": "1", "skills": "court"},
        {"worker_id": "N", "team": "T1", "role": "nqsw", "fte": "1", "supervisor_id": "B"},
        {"worker_id": "M", "team": "T2", "role": "service_leader", "fte": "1"},
        {"worker_id": "C", "team": "T2", "role": "social_worker", "fte": "0.5", "max_children": "5"},
    ])
    cases = [{"child_id": f"a{i:02d}", "team": "T1", "category": "cin", "current_worker": "A"} for i in range(17)]
    cases += [{"child_id": "f1", "team": "T1", "category": "cp", "family_id": "F", "priority": "high"},
              {"child_id": "f2", "team": "T1", "category": "cin", "family_id": "F", "priority": "high"},
              {"child_id": "ct", "team": "T1", "category": "lac", "court": "yes", "required_skill": "court"},
              {"child_id": "m1", "team": "T2", "category": "cin", "current_worker": "M"},
              {"child_id": "t2", "team": "T2", "category": "care_leaver", "priority": "low"}]
    cases += list(extra_cases)
    c = write_csv(tmp_path / "cases.csv", CASE_HEADER, cases)
    return w, c


def invoke(args):
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_cli_allocate_json_and_files(tmp_path):
    w, c = write_council(tmp_path)
    out = tmp_path / "out"
    result = invoke(["allocate", "--workers", str(w), "--cases", str(c), "--out", str(out), "--json"])
    doc = json.loads(result.stdout)
    assert set(doc) >= SUMMARY_KEYS
    assert set(doc["by_priority"]) == {"high", "medium", "low"}
    assert all(set(v) >= {"awaiting", "allocated"} for v in doc["by_priority"].values())
    assert doc["status"] in ("optimal", "feasible") and doc["children"] == 22
    for name in ("allocation.csv", "workers.csv", "summary.json"):
        assert (out / name).exists()
    assert json.loads((out / "summary.json").read_text()).keys() == doc.keys()
    header, alloc = read_csv(out / "allocation.csv")
    assert header[:7] == ALLOCATION_COLUMNS
    assert sorted(r["child_id"] for r in alloc) == sorted([f"a{i:02d}" for i in range(17)] + ["f1", "f2", "ct", "m1", "t2"])
    assert {r["status"] for r in alloc} <= {"kept", "moved", "allocated", "unallocated", "over_capacity"}
    got = {r["child_id"]: r for r in alloc}
    assert got["f1"]["worker_id"] == got["f2"]["worker_id"] in ("A", "B")  # cp: never the NQSW
    assert got["ct"]["worker_id"] == "B"
    assert sum(1 for r in alloc if r["status"] == "moved") == doc["moved"] >= 2  # A's 17 brought to 15
    header, wrows = read_csv(out / "workers.csv")
    assert [h for h in header if h in WORKERS_COLUMNS] == WORKERS_COLUMNS
    by_id = {r["worker_id"]: r for r in wrows}
    assert by_id["N"]["supervisor_id"] == "B" and by_id["B"]["nqsw_supervised"] == "1"
    assert by_id["C"]["capacity"] == "5" and by_id["M"]["capacity"] == "6"


def test_cli_keep_current_and_max_moves(tmp_path):
    w, c = write_council(tmp_path)
    base = ["allocate", "--workers", str(w), "--cases", str(c), "--json"]
    doc = json.loads(invoke(base + ["--out", str(tmp_path / "k"), "--keep-current"]).stdout)
    assert doc["moved"] == 0 and doc["mode"] == "keep_current"
    assert doc["by_priority"]["high"] == {"awaiting": 2, "allocated": 2}
    doc = json.loads(invoke(base + ["--out", str(tmp_path / "m0"), "--max-moves", "0"]).stdout)
    assert doc["moved"] == 0 and doc["max_moves"] == 0
    doc = json.loads(invoke(base + ["--out", str(tmp_path / "m1"), "--max-moves", "1"]).stdout)
    assert doc["moved"] == 1


def test_cli_bad_max_moves_is_a_usage_error(tmp_path):
    w, c = write_council(tmp_path)
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(w), "--cases", str(c), "--max-moves", "-1"])
    assert result.exit_code == 2


def test_cli_bad_input_exit_2_and_nothing_written(tmp_path):
    w, c = write_council(tmp_path, extra_cases=[{"child_id": "bad", "team": "T1", "category": "nonsense"}])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(w), "--cases", str(c), "--out", str(out)])
    assert result.exit_code == 2
    assert "category" in result.output and "Traceback" not in result.output
    assert not out.exists()


# ---- regression: --keep-current crashed when a new sibling needs what the current worker lacks ----
# Found 2026-11-24 (fixed the same morning). x is held by A; its new sibling y needs the disability
# skill (or avoids A, or is cp and A is an NQSW). --keep-current moves nobody: x stays where it is and
# y waits to join its sibling, with the reason; a full rebalance moves both to a worker who may hold
# the whole family, because allocating a waiting child ranks above continuity.

def sibling_needs(kind):
    ws = [worker("A"), worker("B", skills="disability"), worker("N", role="nqsw", supervisor_id="B")]
    extra = {"skill": {"skill": "disability"}, "avoid": {"avoid_workers": "A"}, "nqsw": {"category": "cp"}}[kind]
    holder = "N" if kind == "nqsw" else "A"
    return instance(ws, [child("x", family="F", current_worker=holder), child("y", family="F", **extra)])


@pytest.mark.parametrize("kind", ["skill", "avoid", "nqsw"])
def test_keep_current_keeps_the_child_and_the_new_sibling_waits(kind):
    plan = run(sibling_needs(kind), keep_current=True)
    holder = "N" if kind == "nqsw" else "A"
    assert assigned(plan) == {"x": holder, "y": None}
    assert statuses(plan) == {"x": "kept", "y": "unallocated"}
    assert f"waits to join siblings with {holder}" in rows(plan)["y"].reason


@pytest.mark.parametrize("kind", ["skill", "avoid", "nqsw"])
def test_rebalance_moves_the_family_to_a_worker_who_may_hold_it_all(kind):
    plan = run(sibling_needs(kind))
    got = assigned(plan)
    assert got["x"] == got["y"] in (("A", "B") if kind == "nqsw" else ("B",))
    assert statuses(plan) == {"x": "moved", "y": "allocated"}


def test_regression_keep_current_with_a_new_sibling_via_cli(tmp_path):
    w = write_csv(tmp_path / "workers.csv", WORKER_HEADER, [
        {"worker_id": "A", "team": "T1", "role": "social_worker", "fte": "1"},
        {"worker_id": "B", "team": "T1", "role": "social_worker", "fte": "1", "skills": "disability"}])
    c = write_csv(tmp_path / "cases.csv", CASE_HEADER, [
        {"child_id": "x", "team": "T1", "category": "cin", "family_id": "F", "current_worker": "A"},
        {"child_id": "y", "team": "T1", "category": "cin", "family_id": "F", "required_skill": "disability"}])
    result = CliRunner().invoke(cli.main, ["allocate", "--workers", str(w), "--cases", str(c),
                                           "--out", str(tmp_path / "out"), "--keep-current", "--json"])
    assert result.exit_code == 0, result.output


def test_cli_json_stdout_is_only_json_even_with_warnings(tmp_path):
    w = write_csv(tmp_path / "workers.csv", WORKER_HEADER, [
        {"worker_id": "N", "team": "T1", "role": "ASYE", "fte": "1", "supervisor_id": "S"},
        {"worker_id": "S", "team": "T1", "role": "Team Manager", "fte": "1"}])
    c = write_csv(tmp_path / "cases.csv", CASE_HEADER, [
        {"child_id": "x", "team": "T1", "category": "Child Protection", "current_worker": "N"},  # NQSW leading cp: a warning
        {"child_id": "y", "team": "T1", "category": "cin", "family_id": "F", "current_worker": "N"},
        {"child_id": "z", "team": "T1", "category": "cin", "family_id": "F", "current_worker": "S"}])  # split family
    result = invoke(["allocate", "--workers", str(w), "--cases", str(c), "--out", str(tmp_path / "o"), "--json"])
    doc = json.loads(result.stdout)  # nothing but the document on stdout
    assert doc["children"] == 3
    _, alloc = read_csv(tmp_path / "o" / "allocation.csv")
    got = {r["child_id"]: r for r in alloc}
    assert got["x"]["worker_id"] == "S" and got["y"]["worker_id"] == got["z"]["worker_id"]
