"""Issue 9 (trust), the outputs: inputs are never overwritten; an output folder always holds one whole run
(even after kill -9 or two runs at once) and only files caseload wrote; files get the user's umask; an
output that cannot be written is found before any reading or solving.

Crashes are made deterministic: a child process replaces one step of allocator.files with one that
SIGKILLs itself at that exact point. Two runs at once: one is held inside the lock until the test says go.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import cli
from files import write as files
from files.problems import ValidationError
from files.write import publish

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "data" / "good"
SCENARIO = ROOT / "tests" / "data" / "scenarios" / "contract.toml"
FROM_SAMPLE = ROOT / "tests" / "data" / "scenarios" / "from_sample.toml"
PLAN = ("allocation.csv", "workers.csv", "summary.json", "allocation.xlsx")


def invoke(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def listing(folder: Path) -> list[str]:
    """Every path under `folder`, relative, sorted (folders end in '/')."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        out += [f"{(rel / d).as_posix()}/" for d in dirnames] + [(rel / f).as_posix() for f in filenames]
    return sorted(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p: (folder / p).read_bytes() for p in listing(folder) if not p.endswith("/")}


def inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("workers.csv", "cases.csv"):
        shutil.copy(GOOD / name, folder / name)
    return folder


def allocate_args(data: Path, out, *more):
    return ["allocate", "--workers", data / "workers.csv", "--cases", data / "cases.csv", "--out", out, "--quiet",
            *more]


@pytest.fixture
def no_work(monkeypatch):
    """Reading or solving anything fails the test: the output must be refused before."""
    def forbidden(*args, **kwargs):
        raise AssertionError("read or solved before the output was checked")
    for name in ("cli._load", "allocator.solve.allocate", "workforce.scenario.load_scenario",
                 "workforce.compare.load_plans", "workforce.plan.make_plan", "workforce.baseline.baseline"):
        monkeypatch.setattr(name, forbidden)


def refused(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "nothing was written" in result.output
    for w in words:
        assert w in result.output, (w, result.output)


# ============================================================================ 1. inputs are never overwritten


def test_allocate_into_the_input_folder_is_refused(tmp_path, no_work):
    d = inputs(tmp_path / "d")
    before = snapshot(d)
    r = invoke(*allocate_args(d, d))
    refused(r, "would replace the input workers file", str(d / "workers.csv"), "input cases file",
            "write to another folder")
    assert snapshot(d) == before and listing(tmp_path) == ["d/", "d/cases.csv", "d/workers.csv"]


def test_an_input_inside_the_output_folder_is_refused_whatever_its_name(tmp_path, no_work):
    d = inputs(tmp_path / "d")
    out = tmp_path / "out"
    out.mkdir()
    (out / "policy.toml").write_text("seed = 1\n")
    r = invoke(*allocate_args(d, out, "--policy", out / "policy.toml"))
    refused(r, "would replace the input policy", str(out / "policy.toml"))
    assert (out / "policy.toml").read_text() == "seed = 1\n"


def test_a_symlink_to_the_input_folder_is_seen_through(tmp_path, no_work):
    d = inputs(tmp_path / "d")
    (tmp_path / "link").symlink_to(d, target_is_directory=True)
    refused(invoke(*allocate_args(d, tmp_path / "link")), "would replace the input workers file")


def test_a_symlinked_output_folder_stays_a_link(tmp_path):
    d = inputs(tmp_path / "d")
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    r = invoke(*allocate_args(d, tmp_path / "link"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "link").is_symlink()
    assert sorted(os.listdir(tmp_path / "real")) == ["allocation.csv", "summary.json", "workers.csv"]


def test_report_plan_compare_baseline_and_demo_never_replace_an_input(tmp_path, no_work, monkeypatch):
    d = inputs(tmp_path / "d")
    refused(invoke("report", "--workers", d / "workers.csv", "--cases", d / "cases.csv", "--out", d),
            "would replace the input workers file")
    s = tmp_path / "s"
    s.mkdir()
    shutil.copy(SCENARIO, s / "contract.toml")
    refused(invoke("plan", s / "contract.toml", "--out", s), "would replace the input scenario")
    refused(invoke("report", s / "contract.toml", "--out", s), "would replace the input scenario")
    refused(invoke("compare", s / "contract.toml", SCENARIO, "--xlsx", s / "contract.toml"),
            "would replace the input scenario", "write to another file")
    assert (s / "contract.toml").read_bytes() == SCENARIO.read_bytes()
    dfe = tmp_path / "csww.csv"
    dfe.write_text("time_period,la_name\n")
    refused(invoke("baseline", "--dfe", dfe, "--la", "Leeds", "--out", dfe), "would replace the input DfE file")
    assert dfe.read_text() == "time_period,la_name\n"
    # the demo reads ./sample_data when it is there
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path / "sample_data")
    refused(invoke("demo", "--out", "sample_data"), "would replace the input sample file")
    refused(invoke("demo", "--out", "sample_data/scenarios"), "would replace the input scenario")
    assert snapshot(tmp_path / "sample_data") == before


def test_the_files_a_scenario_reads_are_inputs_too(tmp_path, no_work):
    data = inputs(tmp_path / "inputs")
    (tmp_path / "s").mkdir()
    text = FROM_SAMPLE.read_text().replace("../../../sample_data/", "../inputs/")
    (tmp_path / "s" / "from.toml").write_text(text)
    refused(invoke("plan", tmp_path / "s" / "from.toml", "--out", data),
            "would replace the input workers file of from.toml", "cases file of from.toml")


def test_compare_replaces_its_own_workbook_and_nothing_else(tmp_path):
    xlsx = tmp_path / "options.xlsx"
    assert invoke("compare", SCENARIO, SCENARIO, "--xlsx", xlsx, "--quiet").exit_code == 0
    first = xlsx.read_bytes()
    assert files.is_caseload_workbook(xlsx, "comparison")
    assert invoke("compare", SCENARIO, SCENARIO, "--xlsx", xlsx, "--quiet").exit_code == 0  # its own: replaced
    assert xlsx.read_bytes() == first and listing(tmp_path) == ["options.xlsx"]

    theirs = tmp_path / "budget.xlsx"
    wb = Workbook()
    wb.active.title = "comparison"  # the right sheet name, but not a workbook caseload wrote
    wb.save(theirs)
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    d = inputs(tmp_path / "d")
    assert invoke(*allocate_args(d, tmp_path / "plan", "--format", "xlsx")).exit_code == 0
    for path in (theirs, text, tmp_path / "plan" / "allocation.xlsx"):  # the plan's workbook is not a comparison
        before = path.read_bytes()
        refused(invoke("compare", SCENARIO, SCENARIO, "--xlsx", path, "--quiet"),
                "is not a comparison caseload wrote", "give another file name")
        assert path.read_bytes() == before


def test_baseline_replaces_its_own_scenario_and_nothing_else(tmp_path, monkeypatch):
    toml = cli.BASELINE_HEAD.decode() + " Leeds, 2023.\nname = \"Leeds baseline 2023\"\n"
    monkeypatch.setattr("workforce.baseline.baseline", lambda dfe, la, year: SimpleNamespace(
        toml=toml, notes=[], scenario={"name": "Leeds baseline 2023"}))
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "my own scenario"\n')
    refused(invoke("baseline", "--dfe", "csww.csv", "--la", "Leeds", "--out", mine), "is not a scenario caseload wrote")
    assert mine.read_text() == 'name = "my own scenario"\n'
    ours = tmp_path / "leeds.toml"
    for _ in range(2):  # new, then its own: replaced
        r = invoke("baseline", "--dfe", "csww.csv", "--la", "Leeds", "--out", ours)
        assert r.exit_code == 0, r.output
    assert ours.read_text() == toml and listing(tmp_path) == ["leeds.toml", "mine.toml"]


# ============================================================================ 2. a folder is one whole run


def test_a_plan_folder_is_replaced_whole(tmp_path):
    d = inputs(tmp_path / "d")
    out = tmp_path / "out"
    assert invoke(*allocate_args(d, out, "--format", "xlsx")).exit_code == 0
    assert listing(out) == sorted(PLAN)
    assert invoke(*allocate_args(d, out)).exit_code == 0  # csv only: last week's workbook must not stay
    assert listing(out) == ["allocation.csv", "summary.json", "workers.csv"]
    assert sorted(os.listdir(tmp_path)) == ["d", "out"]


@pytest.mark.parametrize("what", ["allocate", "plan", "report"])
@pytest.mark.parametrize("theirs", ["notes.txt", "archive/old.csv"])
def test_an_output_folder_holding_other_files_is_refused(tmp_path, no_work, what, theirs):
    """The safe choice: refuse (naming the files) rather than delete them or carry them across."""
    d = inputs(tmp_path / "d")
    out = tmp_path / "out"
    (out / theirs).parent.mkdir(parents=True)
    (out / theirs).write_text("mine")
    (out / "allocation.csv").write_text("an old plan")
    args = {"allocate": allocate_args(d, out), "plan": ["plan", SCENARIO, "--out", out],
            "report": ["report", SCENARIO, "--out", out]}[what]
    before = listing(tmp_path)
    shown = theirs.split("/")[0] + ("/" if "/" in theirs else "")
    r = invoke(*args)
    refused(r, "holds files caseload did not write", shown, "move them out")
    if what != "allocate":  # a plan's files are not a projection's or a report's to replace
        assert "allocation.csv" in r.output
    assert listing(tmp_path) == before and (out / theirs).read_text() == "mine"


def test_browser_clutter_and_old_temp_files_do_not_block(tmp_path):
    d = inputs(tmp_path / "d")
    out = tmp_path / "out"
    out.mkdir()
    for name in (".DS_Store", "Thumbs.db", ".allocation.csv.k2_x9abc.tmp", ".summary.json.abcdefgh.tmp"):
        (out / name).write_text("x")
    (tmp_path / ".options.xlsx.abcd1234.tmp").write_text("left by an earlier version")
    assert invoke(*allocate_args(d, out)).exit_code == 0
    assert listing(out) == ["allocation.csv", "summary.json", "workers.csv"]
    assert invoke("compare", SCENARIO, "--xlsx", tmp_path / "options.xlsx", "--quiet").exit_code == 0
    assert sorted(os.listdir(tmp_path)) == ["d", "options.xlsx", "out"]


def test_files_appearing_after_the_check_are_still_kept(tmp_path):
    out = tmp_path / "out"
    publish(out, {"allocation.csv": b"1"}, PLAN)
    (out / "mine.txt").write_text("mine")
    with pytest.raises(ValidationError, match="mine.txt"):
        publish(out, {"allocation.csv": b"2"}, PLAN, "plan")
    assert snapshot(out) == {"allocation.csv": b"1", "mine.txt": b"mine"} and os.listdir(tmp_path) == ["out"]


def test_projection_report_and_demo_folders_are_whole_too(tmp_path):
    p, r = tmp_path / "p", tmp_path / "r"
    for _ in range(2):
        assert invoke("plan", SCENARIO, "--out", p, "--quiet").exit_code == 0
        assert invoke("report", SCENARIO, "--out", r, "--quiet").exit_code == 0
    assert listing(p) == ["projection.csv", "projection.xlsx"] and listing(r) == ["report.html", "report.xlsx"]
    # the demo's folder: its plan in allocation/ and the report, written as one
    allocation = cli._solve(cli._load(str(GOOD / "workers.csv"), str(GOOD / "cases.csv"), None), True)
    demo = tmp_path / "demo"
    console = cli._console()
    for _ in range(2):
        cli._write_report(console, demo, allocation, [], demo=True)
    assert listing(demo) == ["allocation/", *(f"allocation/{n}" for n in sorted(PLAN)), "report.html",
                             "report.xlsx"]
    (demo / "allocation" / "mine.csv").write_text("mine")
    with pytest.raises(ValidationError, match="allocation/mine.csv"):
        cli._write_report(console, demo, allocation, [], demo=True)
    assert sorted(os.listdir(tmp_path)) == ["demo", "p", "r"]


def test_a_failed_write_leaves_the_old_run_and_no_temp_files(tmp_path, monkeypatch):
    d = inputs(tmp_path / "d")
    out = tmp_path / "out"
    assert invoke(*allocate_args(d, out, "--format", "xlsx")).exit_code == 0
    xlsx = tmp_path / "options.xlsx"
    assert invoke("compare", SCENARIO, "--xlsx", xlsx, "--quiet").exit_code == 0
    before = snapshot(tmp_path)
    real = files._write_new

    def disk_full(path, data):  # the plan's second file, the comparison's only one
        if path.name in ("workers.csv", "options.xlsx"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)
    monkeypatch.setattr(files, "_write_new", disk_full)
    refused(invoke(*allocate_args(d, out, "--format", "xlsx")), "cannot write the plan", "No space left")
    refused(invoke("compare", SCENARIO, "--xlsx", xlsx, "--quiet"), "cannot write the comparison")
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------- kill -9, deterministically

CHILD = r'''
import json, os, signal, sys
from files import write as files

point, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]

def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "writing":        # the second staged file: half the new run is on disk, beside the old
    real_write, calls = files._write_new, []
    def write(path, data):
        calls.append(path)
        if len(calls) == 2:
            die()
        real_write(path, data)
    files._write_new = write
elif point == "swap":         # all staged, about to swap
    files._exchange = die
elif point == "aside":        # no one-step exchange here: old folder moved aside, the new one not yet in
    files._exchange = lambda a, b: False
    real_move = files._move
    def move(src, dst):
        real_move(src, dst)
        if str(dst).endswith(".old"):
            die()
    files._move = move
elif point == "removing":     # the new folder in place, the old one not yet removed
    files._rmtree = die
elif point == "held":         # inside the lock: say so, then wait for a line on stdin
    real_exchange = files._exchange
    def exchange(a, b):
        print("locked", flush=True)
        sys.stdin.readline()
        return real_exchange(a, b)
    files._exchange = exchange

if mode == "publish":
    target, content = args
    owned = ("allocation.csv", "workers.csv", "summary.json", "allocation.xlsx")
    files.publish(target, {k: v.encode() for k, v in json.loads(content).items()}, owned, "plan")
else:
    import cli
    cli.main(args)
'''


def child(tmp_path: Path, point: str, *args, **popen) -> subprocess.Popen:
    script = tmp_path.parent / f"{tmp_path.name}-child.py"  # outside the folder under test
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, str(script), point, *map(str, args)], env=env, cwd=tmp_path,
                            text=True, **popen)


def run_of(run: str, names=("allocation.csv", "workers.csv", "summary.json")) -> dict[str, str]:
    return {n: f"{run}:{n}" for n in names}


def state(folder: Path):
    """The run a folder holds, if it holds exactly one run's files; 'missing'; else the mixture, to fail on."""
    if not folder.exists():
        return "missing"
    got = {p: b.decode() for p, b in snapshot(folder).items()}
    runs = {v.split(":")[0] for v in got.values()}
    if len(runs) == 1 and got == run_of(next(iter(runs)), tuple(got)):
        return next(iter(runs))
    return got


@pytest.mark.parametrize("point, after", [("writing", "old"), ("swap", "old"), ("aside", "missing"),
                                          ("removing", "new")])
def test_kill_9_leaves_one_whole_run_and_the_next_run_tidies(tmp_path, point, after):
    out = tmp_path / "out"
    publish(out, {k: v.encode() for k, v in run_of("old", PLAN).items()}, PLAN)
    p = child(tmp_path, point, "publish", out, json.dumps(run_of("new")))
    assert p.wait() == -signal.SIGKILL
    assert state(out) == after
    if point == "removing":  # the new run is whole in place; the old one is left beside it, hidden
        assert any(n.startswith(".caseload-out.") for n in os.listdir(tmp_path))
    publish(out, {k: v.encode() for k, v in run_of("next").items()}, PLAN)
    assert state(out) == "next" and os.listdir(tmp_path) == ["out"]


def test_after_a_kill_between_the_renames_the_old_run_comes_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    publish(out, {k: v.encode() for k, v in run_of("old").items()}, PLAN)
    assert child(tmp_path, "aside", "publish", out, json.dumps(run_of("new"))).wait() == -signal.SIGKILL
    assert state(out) == "missing"

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(files, "_write_new", disk_full)  # the next run fails: the last whole run is back
    with pytest.raises(OSError):
        publish(out, {"allocation.csv": b"x"}, PLAN)
    assert state(out) == "old" and os.listdir(tmp_path) == ["out"]


def test_without_a_one_step_exchange_the_two_renames_give_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    for run in ("one", "two"):
        publish(out, {k: v.encode() for k, v in run_of(run).items()}, PLAN)
        assert state(out) == run and os.listdir(tmp_path) == ["out"]


def test_kill_9_during_caseload_allocate_keeps_the_last_plan(tmp_path):
    d = inputs(tmp_path / "d")
    out = tmp_path / "out"
    assert invoke(*allocate_args(d, out, "--format", "xlsx")).exit_code == 0
    before = snapshot(out)
    p = child(tmp_path, "writing", "cli", *allocate_args(d, out), stdout=subprocess.DEVNULL,
              stderr=subprocess.DEVNULL)
    assert p.wait() == -signal.SIGKILL
    assert snapshot(out) == before
    assert invoke(*allocate_args(d, out)).exit_code == 0
    assert listing(out) == ["allocation.csv", "summary.json", "workers.csv"]
    assert sorted(os.listdir(tmp_path)) == ["d", "out"]


# ---------------------------------------------------------------------------- two runs into one folder


def test_two_runs_at_once_give_the_last_one_whole(tmp_path):
    import fcntl
    out = tmp_path / "out"
    a_run, b_run = run_of("a", PLAN), run_of("b")
    publish(out, {k: v.encode() for k, v in run_of("old").items()}, PLAN)
    a = child(tmp_path, "held", "publish", out, json.dumps(a_run), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert a.stdout.readline() == "locked\n"  # a is inside the lock, about to swap
    fd = os.open(tmp_path / ".caseload-out.lock", os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    b = child(tmp_path, "none", "publish", out, json.dumps(b_run), stdout=subprocess.PIPE)  # must wait for a
    a.stdin.write("\n")
    a.stdin.close()
    assert a.wait() == 0 and b.wait() == 0
    a.stdout.close()
    b.stdout.close()
    assert state(out) == "b" and os.listdir(tmp_path) == ["out"]


def test_a_reader_never_sees_two_runs_mixed(tmp_path):
    """Writers race into one folder; a reader holding the folder open reads one run's files, never a mixture
    (a run being removed may show fewer files, never another run's)."""
    out = tmp_path / "out"
    done, seen, errors = threading.Event(), [], []

    def writer(k: int) -> None:
        try:
            for j in range(6):
                names = PLAN if (k + j) % 2 else PLAN[:3]
                publish(out, {n: v.encode() for n, v in run_of(f"{k}.{j}", names).items()}, PLAN)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def reader() -> None:
        while not done.is_set():
            try:
                fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue
            try:
                got = {}
                for name in os.listdir(fd):
                    f = os.open(name, os.O_RDONLY, dir_fd=fd)
                    with os.fdopen(f, "rb") as fh:
                        got[name] = fh.read().decode()
            except FileNotFoundError:  # this run was just replaced and removed: read the next one
                continue
            finally:
                os.close(fd)
            if not got:  # a replaced run being removed
                continue
            runs = {v.split(":")[0] for v in got.values()}
            if len(runs) != 1 or got != run_of(runs.pop(), tuple(got)):
                errors.append(got)
            seen.append(len(got))

    writers = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    r = threading.Thread(target=reader)
    r.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    done.set()
    r.join()
    assert errors == []
    assert isinstance(state(out), str) and state(out) != "missing"
    assert os.listdir(tmp_path) == ["out"]


# ============================================================================ 3. the umask is respected


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_files_and_folders_follow_the_umask(tmp_path, umask):
    d = inputs(tmp_path / "d")
    old = os.umask(umask)
    try:
        out = tmp_path / "new" / "out"
        assert invoke(*allocate_args(d, out, "--format", "xlsx")).exit_code == 0
        assert invoke("compare", SCENARIO, "--xlsx", tmp_path / "options.xlsx", "--quiet").exit_code == 0
        publish(tmp_path / "demo", {"allocation/summary.json": b"{}", "report.html": b""}, ())
    finally:
        os.umask(old)
    for folder in (tmp_path / "new", out, tmp_path / "demo", tmp_path / "demo" / "allocation"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask, folder
    for f in [*(out / n for n in PLAN), tmp_path / "options.xlsx", tmp_path / "demo" / "report.html"]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~umask, f
    if umask == 0o022:
        assert stat.S_IMODE((out / "allocation.csv").stat().st_mode) == 0o644


# ============================================================================ 4. checked before any work


@pytest.fixture
def a_file(tmp_path) -> Path:
    f = tmp_path / "somefile.txt"
    f.write_text("not a folder")
    return f


COMMANDS = {
    "allocate": ["allocate", "--workers", GOOD / "workers.csv", "--cases", GOOD / "cases.csv", "--out", "{out}"],
    "report": ["report", "--workers", GOOD / "workers.csv", "--cases", GOOD / "cases.csv", "--out", "{out}"],
    "report-scenario": ["report", SCENARIO, "--out", "{out}"],
    "demo": ["demo", "--out", "{out}"],
    "plan": ["plan", SCENARIO, "--out", "{out}"],
    "compare": ["compare", SCENARIO, SCENARIO, "--xlsx", "{out}"],
    "baseline": ["baseline", "--dfe", "csww.csv", "--la", "Leeds", "--out", "{out}"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("out", ["{file}/sub", "{file}/sub/deeper", "/proc/nope", "/proc/nope/deeper", "/sys/nope"])
def test_an_unwritable_output_stops_before_reading_or_solving(command, out, a_file, no_work):
    target = out.format(file=a_file)
    r = invoke(*[str(a).format(out=target) for a in COMMANDS[command]])
    refused(r, f"{target}: cannot write the ")
    assert a_file.read_text() == "not a folder" and sorted(os.listdir(a_file.parent)) == ["somefile.txt"]


def test_check_writable_says_what_is_wrong(tmp_path, a_file):
    with pytest.raises(ValidationError, match="somefile.txt is a file, not a folder"):
        files.check_writable(a_file / "out", "plan", owned=PLAN)
    with pytest.raises(ValidationError, match="it is a file, not a folder"):
        files.check_writable(a_file, "plan", owned=PLAN)
    with pytest.raises(ValidationError, match="it is a folder; give a file name"):
        files.check_writable(tmp_path, "comparison")
    with pytest.raises(ValidationError, match=r"cannot create files in /proc"):
        files.check_writable("/proc/nope", "report", owned=())
    files.check_writable(tmp_path / "new" / "deeper" / "out", "plan", owned=PLAN)  # can be created: fine
    assert sorted(os.listdir(tmp_path)) == ["somefile.txt"]  # and checking made nothing


def test_the_current_folder_is_never_replaced(tmp_path, monkeypatch, no_work):
    monkeypatch.chdir(tmp_path)
    refused(invoke(*COMMANDS["plan"][:-1], "."), "it is the current folder")
    assert os.listdir(tmp_path) == []
