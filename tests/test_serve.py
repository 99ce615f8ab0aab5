"""`caseload serve`: every route and every bad request through Flask's test client, the weekly meeting end to end
(upload, solve, pin, re-solve, accept, download, next week), the database's migration and the data folder's
privacy. Background solves are waited for by joining their thread, never by sleeping.
"""
from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
import sqlite3
import stat
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

pytest.importorskip("flask", reason="caseload serve needs Flask: pip install 'caseload[web]'")

from cli import main  # noqa: E402
from web import create_app  # noqa: E402
from web import meeting as meeting_module  # noqa: E402
from web.store import SCHEMA_V1, SCHEMA_VERSION, Store, default_data_dir, migrate, schema_version  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
WEEK1, WEEK2 = "2026-11-16", "2026-11-23"
NAMES = sorted({r["name"] for r in csv.DictReader((SAMPLE / "workers.csv").open(encoding="utf-8")) if r["name"]})
FAST_POLICY = b"time_limit_seconds = 3\nseed = 0\n"  # a short solve; the work is counted, so the plan repeats


# ---------------------------------------------------------------------------- helpers


def new_app(folder: Path, **kw):
    app = create_app(folder, **kw)
    app.testing = True
    return app


def token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def files(**named: Path | tuple[bytes, str]) -> dict:
    """Form fields for an upload: a path, or (bytes, filename)."""
    out = {}
    for field, v in named.items():
        out[field] = (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else (io.BytesIO(v.read_bytes()), v.name)
    return out


def upload(client, **named):
    return client.post("/upload", data={"csrf_token": token(client), **files(**named)},
                       content_type="multipart/form-data")


def solve(app, client, as_of: str, **form) -> int:
    """Start a solve, wait for it (join) and return the run id."""
    r = client.post("/solve", data={"csrf_token": token(client), "as_of": as_of, **form})
    assert r.status_code == 303, r.get_data(as_text=True)
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    app.extensions["caseload"]["runner"].join(timeout=300)
    with app.extensions["caseload"]["store"].session() as db:
        row = db.execute("SELECT status, error FROM runs WHERE id = ?", (run_id,)).fetchone()
    assert row["status"] == "done", row["error"]
    return run_id


def view(app, run_id: int) -> dict:
    with app.extensions["caseload"]["store"].session() as db:
        return json.loads(db.execute("SELECT view FROM runs WHERE id = ?", (run_id,)).fetchone()["view"])


def text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def plain(resp) -> str:
    """The page's words, tags removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(resp)).split())


def rows_of(data: bytes) -> dict[str, dict[str, str]]:
    return {r["child_id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8")))}


@pytest.fixture
def policy(tmp_path) -> Path:
    p = tmp_path / "policy.toml"
    p.write_bytes(FAST_POLICY)
    return p


@pytest.fixture
def app(tmp_path):
    return new_app(tmp_path / "data")


@pytest.fixture
def loaded_app(tmp_path, policy):
    """An app with the sample workers and cases (and the short policy) uploaded."""
    app = new_app(tmp_path / "data")
    r = upload(app.test_client(), workers=SAMPLE / "workers.csv", cases=SAMPLE / "cases.csv", policy=policy)
    assert r.status_code == 303, text(r)
    return app


# ---------------------------------------------------------------------------- the data folder


def test_data_folder_is_private(tmp_path):
    folder = tmp_path / "new" / "data"
    new_app(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "uploads").stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "caseload.sqlite3").stat().st_mode) == 0o600
    key = (folder / "secret_key").read_bytes()
    assert len(key) == 32 and new_app(folder).config["SECRET_KEY"] == key  # made once, kept
    assert new_app(tmp_path / "other").config["SECRET_KEY"] != key  # random per data folder


def test_default_data_folder(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # not installed: the XDG place
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "caseload"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "caseload"


def test_migration_from_version_1(tmp_path):
    """A version-1 database (no absences, runs without keep_current) is upgraded in place, its rows kept."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    db = sqlite3.connect(folder / "caseload.sqlite3")
    db.executescript(SCHEMA_V1)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO decisions (child_id, fixed_worker, avoid_workers, until, created_at) "
               "VALUES ('C0001', 'W013', '', NULL, '2026-11-09T10:00:00+00:00')")
    db.execute("INSERT INTO runs (status, as_of, started_at, accepted_at) VALUES ('done', '2026-11-09', "
               "'2026-11-09T10:00:00+00:00', '2026-11-09T11:00:00+00:00')")
    db.commit()
    db.close()
    store = Store(folder)
    with store.session() as db:
        assert schema_version(db) == SCHEMA_VERSION == 2
        assert [tuple(r) for r in db.execute("SELECT child_id, fixed_worker FROM decisions")] == [("C0001", "W013")]
        assert db.execute("SELECT keep_current, accepted_at FROM runs").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM absences").fetchone()[0] == 0
        assert migrate(db) == 2  # again: nothing to do
    # the upgraded folder serves, with last week's decision on the page
    page = new_app(folder).test_client().get("/")
    assert page.status_code == 200 and "C0001" in text(page)


def test_migration_is_all_or_nothing_and_refuses_a_newer_database(tmp_path):
    db = sqlite3.connect(tmp_path / "v1.sqlite3")
    db.executescript(SCHEMA_V1 + "CREATE TABLE absences (id INTEGER);")  # step 2 will fail half way
    db.execute("PRAGMA user_version = 1")
    with pytest.raises(sqlite3.OperationalError):
        migrate(db)
    assert schema_version(db) == 1
    assert "keep_current" not in [r[1] for r in db.execute("PRAGMA table_info(runs)")]
    db.execute("PRAGMA user_version = 99")
    with pytest.raises(RuntimeError, match="newer than this caseload"):
        migrate(db)


# ---------------------------------------------------------------------------- safety


POSTS = ["/upload", "/solve", "/decisions", "/absences", "/uploads/1/delete", "/decisions/1/delete",
         "/absences/1/delete", "/runs/1/accept"]


@pytest.mark.parametrize("url", POSTS)
def test_every_post_needs_the_session_token(app, url):
    c = app.test_client()
    assert c.post(url, data={}).status_code == 403
    token(c)  # the session now has a token; a wrong one is refused too
    r = c.post(url, data={"csrf_token": "forged"})
    assert r.status_code == 403 and "did not come from this page" in text(r)
    other = app.test_client()  # another browser's token is not this session's
    assert c.post(url, data={"csrf_token": token(other)}).status_code == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "localhost:9999", "127.0.0.2:8765",
                                  "localhost.evil.example"])
def test_a_foreign_host_is_refused(app, host):
    r = app.test_client().get("/", headers={"Host": host})
    assert r.status_code == 400 and "answers only to the address" in text(r)


@pytest.mark.parametrize("host", ["localhost", "localhost:8765", "127.0.0.1:8765", "[::1]:8765"])
def test_the_local_names_are_served(app, host):
    assert app.test_client().get("/", headers={"Host": host}).status_code == 200


def test_a_host_given_by_host_is_served(tmp_path):
    app = new_app(tmp_path / "data", host="meeting.council.local", port=9000)
    c = app.test_client()
    assert c.get("/", headers={"Host": "meeting.council.local:9000"}).status_code == 200
    assert c.get("/", headers={"Host": "meeting.council.local:8765"}).status_code == 400


def test_too_big_an_upload_is_refused_with_a_message(app):
    c = app.test_client()
    big = b"x" * (50 * 1024 * 1024 + 1)
    r = c.post("/upload", data={"csrf_token": token(c), "cases": (io.BytesIO(big), "cases.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 413
    assert "larger than 50 MB" in text(r) and "Nothing was saved" in text(r)
    r = c.post("/upload", data={"cases": (io.BytesIO(big), "cases.csv")}, content_type="multipart/form-data")
    assert r.status_code == 413  # said before the token is looked for
    assert_nothing_saved(app)


def test_headers_keep_the_page_to_itself(app):
    r = app.test_client().get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    assert "<script" not in page and "http://" not in page and "https://" not in page and "style=" not in page
    css = app.test_client().get("/static/caseload.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and ".band-amber" in css.get_data(as_text=True)


# ---------------------------------------------------------------------------- uploads


def validate_lines(workers: Path, cases: Path) -> list[str]:
    result = CliRunner().invoke(main, ["validate", "--workers", str(workers), "--cases", str(cases)])
    assert result.exit_code == 2
    return [line.removeprefix("error: ") for line in result.output.splitlines() if line.startswith("error: ")]


def assert_nothing_saved(app):
    store = app.extensions["caseload"]["store"]
    with store.session() as db:
        assert db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0
    assert list((store.folder / "uploads").iterdir()) == []
    assert not list(store.folder.glob("upload-*"))  # no temporary file left behind


def test_a_bad_upload_shows_validates_messages_and_saves_nothing(app, tmp_path):
    bad = tmp_path / "workers.csv"
    lines = (SAMPLE / "workers.csv").read_text("utf-8").splitlines()
    lines[2] = lines[2].replace(",1.0,", ",2.5,", 1)  # fte above 1
    lines[3] = lines[3].replace(",senior_social_worker,", ",wizard,", 1)
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    expected = validate_lines(bad, SAMPLE / "cases.csv")
    assert len(expected) >= 2
    r = upload(app.test_client(), workers=bad, cases=SAMPLE / "cases.csv")
    assert r.status_code == 400
    page = text(r)
    assert f"{len(expected)} problems found; nothing was saved" in page
    for line in expected:
        assert line in page
    assert_nothing_saved(app)


def test_a_wrong_file_is_refused_like_validate(app, tmp_path):
    png = tmp_path / "cases.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40))
    expected = validate_lines(SAMPLE / "workers.csv", png)
    r = upload(app.test_client(), workers=SAMPLE / "workers.csv", cases=png)
    assert r.status_code == 400
    for line in expected:
        assert line in text(r)
    assert_nothing_saved(app)


def test_an_upload_needs_a_file_and_both_tables(app):
    c = app.test_client()
    r = c.post("/upload", data={"csrf_token": token(c)}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Choose at least one file" in text(r)
    r = upload(c, workers=SAMPLE / "workers.csv")
    assert r.status_code == 400 and "Upload the cases file too" in text(r)
    assert_nothing_saved(app)


def test_annex_a_workbook_as_the_cases(app):
    c = app.test_client()
    r = upload(c, workers=SAMPLE / "workers.csv", cases=SAMPLE / "annex_a.xlsx")
    assert r.status_code == 303, text(r)
    page = text(c.get("/"))
    assert "annex_a.xlsx" in page and "Caseload by team as the files stand" in page
    assert re.search(r"\d+\.\d% (green|amber|red)", re.sub(r"<[^>]+>", "", page))  # bands in words


def test_a_file_can_be_deleted_from_the_data_folder(loaded_app):
    c = loaded_app.test_client()
    store = loaded_app.extensions["caseload"]["store"]
    with store.session() as db:
        row = db.execute("SELECT * FROM uploads WHERE kind = 'workers'").fetchone()
    path = store.path_of(row)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    r = c.post(f"/uploads/{row['id']}/delete", data={"csrf_token": token(c)})
    assert r.status_code == 303 and not path.exists() and not path.parent.exists()
    assert c.post(f"/uploads/{row['id']}/delete", data={"csrf_token": token(c)}).status_code == 404
    assert "Upload the workers and cases files first" in text(c.get("/"))
    r = c.post("/solve", data={"csrf_token": token(c), "as_of": WEEK1})
    assert r.status_code == 400 and "before solving" in text(r)


# ---------------------------------------------------------------------------- decisions and absences


def test_decisions_are_checked_before_they_are_saved(loaded_app):
    c = loaded_app.test_client()
    t = token(c)
    cases = [({"action": "pin", "child_id": "C9999", "worker_id": "W013"}, "child C9999 is not in the cases file"),
             ({"action": "pin", "child_id": "C0001", "worker_id": "W999"}, "worker W999 is not in the workers file"),
             ({"action": "pin", "child_id": "C0001", "worker_id": "W013", "until": "31/02/2026"}, "until date"),
             ({"action": "maybe", "child_id": "C0001", "worker_id": "W013"}, "Choose whether"),
             ({"action": "pin", "child_id": "", "worker_id": ""}, "Give the child and the worker")]
    for form, message in cases:
        r = c.post("/decisions", data={"csrf_token": t, **form})
        assert r.status_code == 400 and message in text(r), (form, text(r)[:400])
        assert "decisions.csv" not in plain(r).split("Standing decisions")[0]  # a file the user never saw
    # siblings pinned to two workers: the decisions module's error, at the decision's row
    assert c.post("/decisions", data={"csrf_token": t, "action": "pin", "child_id": "C0001",
                                      "worker_id": "W013"}).status_code == 303
    r = c.post("/decisions", data={"csrf_token": t, "action": "pin", "child_id": "C0002", "worker_id": "W012"})
    assert r.status_code == 400 and "are fixed to different workers" in text(r)
    assert c.get("/decisions.csv").get_data(as_text=True).splitlines() == [
        "child_id,fixed_worker,avoid_workers,until", "C0001,W013,,"]
    assert c.post("/decisions/999/delete", data={"csrf_token": t}).status_code == 404


def test_absences_are_checked_before_they_are_saved(loaded_app):
    c = loaded_app.test_client()
    t = token(c)
    cases = [({"worker_id": "W999", "absent_from": WEEK1, "absence": "leave"}, "Choose a worker"),
             ({"worker_id": "W020", "absent_from": "", "absence": "leave"}, "Give the from date"),
             ({"worker_id": "W020", "absent_from": WEEK2, "absent_until": WEEK1, "absence": "leave"}, "ends"),
             ({"worker_id": "W020", "absent_from": WEEK1, "absence": "Broken leg"}, "Choose the type")]
    for form, message in cases:
        r = c.post("/absences", data={"csrf_token": t, **form})
        assert r.status_code == 400 and message in text(r), form
    assert "Broken leg" not in text(c.post("/absences", data={"csrf_token": t, "worker_id": "W020",
                                                               "absent_from": WEEK1, "absence": "Broken leg"}))
    r = c.post("/absences", data={"csrf_token": t, "worker_id": "W020", "absent_from": WEEK1, "absence": "leave"})
    assert r.status_code == 303
    with loaded_app.extensions["caseload"]["store"].session() as db:
        (absence_id,) = db.execute("SELECT id FROM absences").fetchone()
    assert c.post(f"/absences/{absence_id}/delete", data={"csrf_token": t}).status_code == 303
    assert c.post(f"/absences/{absence_id}/delete", data={"csrf_token": t}).status_code == 404


def test_decisions_and_absences_need_the_files_first(app):
    c = app.test_client()
    t = token(c)
    assert c.post("/decisions", data={"csrf_token": t, "action": "pin"}).status_code == 400
    assert c.post("/absences", data={"csrf_token": t}).status_code == 400


# ---------------------------------------------------------------------------- solving in the background


def test_two_clicks_start_one_solve_and_the_page_never_waits(loaded_app, monkeypatch):
    release = threading.Event()
    calls = []

    def slow(store, run_id, progress=None):
        calls.append(run_id)
        if progress:
            progress("team Assessment North", 1, 3)
        release.wait(60)
        meeting_module._finish(store, run_id, "failed", error=json.dumps(["stopped by the test"]))

    monkeypatch.setattr(meeting_module, "solve", slow)
    c = loaded_app.test_client()
    first = c.post("/solve", data={"csrf_token": token(c), "as_of": WEEK1})
    second = c.post("/solve", data={"csrf_token": token(c), "as_of": WEEK1})
    try:
        assert first.headers["Location"] == second.headers["Location"] == "/runs/1"
        page = c.get("/runs/1")
        assert page.status_code == 200
        assert '<meta http-equiv="refresh" content="2">' in page.get_data(as_text=True)
        assert "still being solved" in text(page) and "1 of 3" in text(page)
        assert "Plan 1 is being solved" in text(c.get("/"))
        bad = c.post("/runs/1/accept", data={"csrf_token": token(c)})
        assert bad.status_code == 400 and "not finished" in text(bad)
    finally:
        release.set()
        loaded_app.extensions["caseload"]["runner"].join(60)
    assert calls == [1]
    assert "stopped by the test" in text(c.get("/runs/1"))
    with loaded_app.extensions["caseload"]["store"].session() as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_a_run_left_running_by_a_stopped_server_says_so(loaded_app, tmp_path):
    store = loaded_app.extensions["caseload"]["store"]
    with store.session() as db:
        db.execute("INSERT INTO runs (status, as_of, started_at) VALUES ('running', ?, '2026-11-16T09:00:00')",
                   (WEEK1,))
    again = new_app(store.folder)
    assert "server stopped before this plan was finished" in text(again.test_client().get("/runs/1"))


def test_unknown_things_are_404(loaded_app):
    c = loaded_app.test_client()
    for url in ("/runs/7", "/runs/7/workers/W001", "/runs/7/files/allocation.csv", "/runs/7/report", "/nowhere"):
        r = c.get(url)
        assert r.status_code == 404, url
    r = c.post("/runs/7/accept", data={"csrf_token": token(c)})
    assert r.status_code == 404 and "There is no plan 7" in text(r)
    assert c.get("/static/other.css").status_code == 404
    assert c.get("/runs").status_code == 200 and "No plan yet" in text(c.get("/runs"))


# ---------------------------------------------------------------------------- the meeting, two weeks


def pin_candidate(v: dict) -> tuple[str, str]:
    """A child kept with its worker, alone in its family, with no skill need and no CP/court work, and another
    practitioner of the same team with room: a pin the hard rules allow."""
    cases = {r["child_id"]: r for r in csv.DictReader((SAMPLE / "cases.csv").open(encoding="utf-8"))}
    family_size: dict[str, int] = {}
    for r in cases.values():
        family_size[r["family_id"] or r["child_id"]] = family_size.get(r["family_id"] or r["child_id"], 0) + 1
    room = {w["worker_id"]: w for w in v["workers"] if w["role"] in ("social_worker", "senior_social_worker")
            and w["capacity"] - w["load"] >= 1 and not w["away"]}
    for c in v["children"]:
        src = cases[c["child_id"]]
        if (c["status"] == "kept" and family_size[src["family_id"] or c["child_id"]] == 1 and not src["required_skill"]
                and src["category"] != "cp" and src["court"] != "yes"):
            other = [w for w, row in sorted(room.items()) if row["team"] == c["team"] and w != c["worker_id"]]
            if other:
                return c["child_id"], other[0]
    raise AssertionError("no child to pin in the sample")


def test_the_weekly_meeting_end_to_end(tmp_path, policy, caplog):
    caplog.set_level(logging.DEBUG)
    app = new_app(tmp_path / "data")
    c = app.test_client()
    assert upload(c, workers=SAMPLE / "workers.csv", cases=SAMPLE / "cases.csv", policy=policy).status_code == 303
    page = text(c.get("/"))
    assert "Caseload by team as the files stand (before a plan)" in page and "Assessment North" in page

    # week 1: the plan as the files stand
    run1 = solve(app, c, WEEK1)
    page = text(c.get(f"/runs/{run1}"))
    v1 = view(app, run1)
    assert f"Plan {run1}" in page and "Children waiting" in page and "Proposed moves" in page
    assert re.search(r"\d+\.\d% (green|amber|red)", re.sub(r"<[^>]+>", "", page))
    for cid in v1["waiting"][:3]:  # priority, days waiting and the reason
        row = next(ch for ch in v1["children"] if ch["child_id"] == cid)
        assert cid in page and row["reason"] in page and row["priority"] in page
    for cid in v1["moves"][:3]:
        row = next(ch for ch in v1["children"] if ch["child_id"] == cid)
        assert row["previous_worker"] in page and row["worker_id"] in page
    assert "What changed since" not in page  # nothing accepted yet

    # one worker's children on their own page
    worker = v1["workers"][10]["worker_id"]
    wpage = c.get(f"/runs/{run1}/workers/{worker}")
    assert wpage.status_code == 200
    theirs = [ch["child_id"] for ch in v1["children"] if ch["worker_id"] == worker]
    assert all(cid in text(wpage) for cid in theirs) and f"({len(theirs)})" in text(wpage)
    assert c.get(f"/runs/{run1}/workers/W999").status_code == 404

    # the manager pins one child to another worker and keeps another away from their worker
    child, to = pin_candidate(v1)
    team = next(x["team"] for x in v1["children"] if x["child_id"] == child)
    kept = next(ch for ch in v1["children"] if ch["status"] == "kept" and ch["team"] != team)
    t = token(c)
    assert c.post("/decisions", data={"csrf_token": t, "action": "pin", "child_id": child,
                                      "worker_id": to}).status_code == 303
    assert c.post("/decisions", data={"csrf_token": t, "action": "avoid", "child_id": kept["child_id"],
                                      "worker_id": kept["worker_id"], "until": "2026-12-31"}).status_code == 303
    page = text(c.get("/"))
    assert child in page and to in page and "2026-12-31" in page
    run2 = solve(app, c, WEEK1)
    plan2 = rows_of(c.get(f"/runs/{run2}/files/allocation.csv").get_data())
    assert plan2[child]["worker_id"] == to and plan2[child]["status"] == "moved"  # the pin holds
    assert plan2[kept["child_id"]]["worker_id"] not in ("", kept["worker_id"])  # kept away, still allocated

    # downloads: the same bytes `caseload allocate --format xlsx` writes from the same inputs and decisions
    decisions = tmp_path / "decisions.csv"
    decisions.write_bytes(c.get("/decisions.csv").get_data())
    assert c.get(f"/runs/{run2}/files/decisions.csv").get_data() == decisions.read_bytes()
    out = tmp_path / "cli-plan"
    result = CliRunner().invoke(main, ["allocate", "--workers", str(SAMPLE / "workers.csv"), "--cases",
                                       str(SAMPLE / "cases.csv"), "--policy", str(policy), "--decisions",
                                       str(decisions), "--as-of", WEEK1, "--format", "xlsx", "--out", str(out),
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    for name in ("allocation.csv", "workers.csv", "allocation.xlsx"):
        got = c.get(f"/runs/{run2}/files/{name}")
        assert got.status_code == 200 and f'filename="plan-{run2}-{name}"' in got.headers["Content-Disposition"]
        assert got.get_data() == (out / name).read_bytes(), name
    summary = json.loads(c.get(f"/runs/{run2}/files/summary.json").get_data())
    assert summary["allocated"] == json.loads((out / "summary.json").read_text("utf-8"))["allocated"]
    report = c.get(f"/runs/{run2}/files/report.html")
    assert report.mimetype == "text/html" and b"Caseload allocation" in report.get_data()
    assert load_workbook(io.BytesIO(c.get(f"/runs/{run2}/files/report.xlsx").get_data()), read_only=True).sheetnames
    shown = c.get(f"/runs/{run2}/report")
    assert shown.status_code == 200 and "style-src 'sha256-" in shown.headers["Content-Security-Policy"]
    assert c.get(f"/runs/{run2}/files/secret.txt").status_code == 404

    # accept; the plan list shows it
    r = c.post(f"/runs/{run2}/accept", data={"csrf_token": token(c)})
    assert r.status_code == 303 and "Accepted" in text(c.get(f"/runs/{run2}"))
    runs = text(c.get("/runs"))
    assert f"Plan {run1}" in runs and f"Plan {run2}" in runs

    # week 2, as a restarted server: the export now shows last week's plan carried out, one worker off sick
    app2 = new_app(tmp_path / "data")
    c2 = app2.test_client()
    page = plain(c2.get("/"))
    assert child in page and kept["child_id"] in page  # last week's standing decisions open the week
    assert f"Last accepted plan: plan {run2} (plan date {WEEK1}, accepted " in page
    week2 = tmp_path / "export" / "cases.csv"
    week2.parent.mkdir()
    source = list(csv.DictReader((SAMPLE / "cases.csv").open(encoding="utf-8")))
    with week2.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(source[0]))
        w.writeheader()
        for r in source:
            w.writerow({**r, "current_worker": plan2[r["child_id"]]["worker_id"] or ""})
    assert upload(c2, cases=week2).status_code == 303  # only the new export: the workers file stays
    sick = next(w["worker_id"] for w in v1["workers"] if w["team"] != kept["team"] and w["worker_id"] != to
                and w["children"] > 0 and w["role"] == "social_worker")
    t = token(c2)
    assert c2.post("/absences", data={"csrf_token": t, "worker_id": sick, "absent_from": WEEK2,
                                      "absence": "sickness"}).status_code == 303
    run3 = solve(app2, c2, WEEK2)
    page = plain(c2.get(f"/runs/{run3}"))
    v3 = view(app2, run3)
    assert f"What changed since the last accepted plan (plan {run2})" in page and f"(against plan {run2})" in page
    assert v3["summary"]["changes"] is not None and v3["changes_line"].startswith("Since last week")
    plan3 = rows_of(c2.get(f"/runs/{run3}/files/allocation.csv").get_data())
    assert plan3[child]["worker_id"] == to and plan3[child]["status"] == "kept"  # the pin still stands
    assert next(w for w in v3["workers"] if w["worker_id"] == sick)["away"].startswith("absent (sickness)")
    # off sick with no end: the children are reallocated, or held over capacity saying why
    had = [cid for cid, r in plan2.items() if r["worker_id"] == sick]
    assert had and any(plan3[cid]["status"] == "moved" for cid in had)
    for cid in had:
        assert plan3[cid]["status"] == "moved" or (plan3[cid]["status"] == "over_capacity"
                                                   and f"{sick} absent (sickness)" in plan3[cid]["reason"]), cid
    assert set(v3["summary"]["changes"]["moved"]) >= {cid for cid in had if plan3[cid]["status"] == "moved"}

    # nothing but ids in the log
    assert caplog.records, "the app logs what it does (by id)"
    logged = caplog.text
    for name in NAMES:
        assert name not in logged and name.split()[-1] not in logged, "a worker's name reached the log"
    assert f"run {run3} finished" in logged and "upload" in logged


def test_the_progress_callback_reaches_the_page(loaded_app):
    """The solve reports progress to the job the page reads (the real engine, not a stand-in)."""
    c = loaded_app.test_client()
    run_id = solve(loaded_app, c, WEEK1, keep_current="yes")
    job = loaded_app.extensions["caseload"]["runner"].job
    assert job.run_id == run_id and job.progress  # (what, done, total) as components finished
    assert all(done <= total for done, total in job.progress.values())
    v = view(loaded_app, run_id)
    assert v["summary"]["mode"] != "rebalance" and v["moves"] == []  # move nobody


# ---------------------------------------------------------------------------- the command


def test_serve_without_flask_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "flask", None)
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "d")])
    assert result.exit_code == 2 and "pip install 'caseload[web]'" in result.output


def test_serve_warns_when_it_leaves_the_machine_and_holds_its_folder(monkeypatch, tmp_path):
    import fcntl

    import web.serve
    seen = {}

    class Server:  # werkzeug's make_server, served until Ctrl-C
        def serve_forever(self):
            seen["served"] = True
            raise KeyboardInterrupt

        def server_close(self):
            seen["closed"] = True

    def make_server(host, port, app, **kw):
        seen.update(host=host, port=port, kw=kw)
        return Server()

    monkeypatch.setattr(web.serve, "make_server", make_server)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "9001", "--data", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "children's data leaves this machine" in result.output and "--host with one address is stricter" in result.output
    assert seen["host"] == "0.0.0.0" and seen["port"] == 9001 and seen["kw"]["threaded"]
    assert seen["kw"]["request_handler"] is web.serve.IdsOnlyHandler and seen["served"] and seen["closed"]
    assert "development server" not in result.output and result.output.count("caseload serve: open") == 1
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "d")])
    assert result.exit_code == 0 and "leaves this machine" not in result.output
    assert "http://127.0.0.1:8765/" in result.output
    with (tmp_path / "d" / "serve.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "d")])
    assert result.exit_code == 2 and "another caseload serve is using this data folder" in result.output


def test_the_request_log_holds_no_query_string(caplog):
    from web.serve import IdsOnlyHandler
    handler = IdsOnlyHandler.__new__(IdsOnlyHandler)
    handler.command, handler.path = "GET", "/runs/3?who=Ada+Example"
    caplog.set_level(logging.INFO)
    handler.log_request(200)
    assert caplog.messages == ["GET /runs/3 200"]


# ---------------------------------------------------------------------------- what a new user's trial found


def follow(client, resp):
    """Follow a 303 as the browser does."""
    assert resp.status_code == 303, text(resp)
    return client.get(resp.headers["Location"])


def test_a_pin_the_plan_cannot_keep_is_said_when_saved_and_after_solving(loaded_app):
    c = loaded_app.test_client()
    r = c.post("/decisions", data={"csrf_token": token(c), "action": "pin", "child_id": "C0720", "worker_id": "W004"})
    page = plain(follow(c, r))  # saved (a manager may pin anyway), with the rule that forbids it at once
    assert "Decision saved for C0720" in page
    assert "But W004 cannot hold C0720: W004 works in Assessment North, not Family Support West" in page
    assert c.get("/decisions.csv").get_data(as_text=True).splitlines()[1] == "C0720,W004,,"
    run_id = solve(loaded_app, c, WEEK1)
    reason = "fixed to W004, but W004 works in Assessment North, not Family Support West"
    assert reason in rows_of(c.get(f"/runs/{run_id}/files/allocation.csv").get_data())["C0720"]["reason"]
    first = c.get(f"/runs/{run_id}")  # the page the progress page lands on: the flash says so
    flash = re.search(r'<div class="flash flash-warning"[^>]*><p>(.*?)</p>', text(first)).group(1)
    assert f"Plan {run_id} is ready, but 1 standing decision was not kept: C0720 ({reason})" in flash
    assert "flash-warning" not in text(c.get(f"/runs/{run_id}"))  # said once
    for shown in (text(first), text(c.get("/"))):  # and on the page, beside the plan's summary, every time
        unkept = shown[shown.index('id="unkept"'):shown.index("</div>", shown.index('id="unkept"'))]
        assert "1 standing decision not kept by this plan" in unkept and "C0720" in unkept and reason in unkept
        assert shown.index("headline") < shown.index('id="unkept"') < shown.index('id="teams"')
    v = view(loaded_app, run_id)
    assert v["unkept"] == [{"child_id": "C0720", "decision": "pinned to W004", "reason": reason}]


def test_a_pin_the_rules_allow_gives_no_warning(loaded_app):
    c = loaded_app.test_client()
    r = c.post("/decisions", data={"csrf_token": token(c), "action": "pin", "child_id": "C0720", "worker_id": "W004"})
    assert "cannot hold" in plain(follow(c, r))
    r = c.post("/decisions", data={"csrf_token": token(c), "action": "avoid", "child_id": "C0720",
                                   "worker_id": "W004"})
    page = follow(c, r)
    assert "cannot hold" not in plain(page) and "flash-warning" not in text(page)


def test_solving_after_accept_starts_from_the_accepted_plan(loaded_app):
    c = loaded_app.test_client()
    run1 = solve(loaded_app, c, WEEK1)
    v1 = view(loaded_app, run1)
    assert v1["moves"] and v1["started_from"] is None  # the plan moves children: week 2 must not undo that
    assert "The next plan starts from the cases file uploaded" in plain(c.get("/"))
    follow(c, c.post(f"/runs/{run1}/accept", data={"csrf_token": token(c)}))
    with loaded_app.extensions["caseload"]["store"].session() as db:
        accepted = db.execute("SELECT accepted_at FROM runs WHERE id = ?", (run1,)).fetchone()[0]
    from web.app import when
    page = plain(c.get("/"))
    assert f"The next plan starts from plan {run1}, accepted {when(accepted)}" in page
    assert "Upload this week's export to start from it instead" in page
    run2 = solve(loaded_app, c, WEEK2, keep_current="yes")
    v2 = view(loaded_app, run2)
    assert v2["started_from"] == {"run": run1, "accepted_at": accepted}
    given = {ch["child_id"]: ch["worker_id"] for ch in v1["children"]}
    for ch in v2["children"]:  # each child starts with the worker the accepted plan gave them
        assert ch["previous_worker"] == (given[ch["child_id"]] or ch["previous_worker"]), ch["child_id"]
    changes = v2["summary"]["changes"]
    assert changes["moved"] == {} and v2["moves"] == []  # nothing accepted is undone (and this plan moves nobody)
    assert not set(changes["newly_allocated"]) & {cid for cid, w in given.items() if w}
    page = plain(c.get(f"/runs/{run2}"))
    assert f"Started from plan {run1}, accepted {when(accepted)}" in page
    assert f"What changed since the last accepted plan (plan {run1})" in page
    # this week's export uploaded: the next plan starts from it
    assert upload(c, cases=SAMPLE / "cases.csv").status_code == 303
    assert "The next plan starts from the cases file uploaded" in plain(c.get("/"))


def test_after_a_plan_the_teams_cover_and_newly_allocated_are_the_plans(loaded_app):
    c = loaded_app.test_client()
    cases = list(csv.DictReader((SAMPLE / "cases.csv").open(encoding="utf-8")))
    away = sorted({r["current_worker"] for r in cases if r["current_worker"]})[5]
    r = c.post("/absences", data={"csrf_token": token(c), "worker_id": away, "absent_from": WEEK1,
                                  "absent_until": "2026-11-20", "absence": "leave"})  # a short absence: cover
    assert r.status_code == 303
    run_id = solve(loaded_app, c, WEEK1)
    v = view(loaded_app, run_id)
    page = text(c.get(f"/runs/{run_id}"))
    words = plain(c.get(f"/runs/{run_id}"))
    workers = list(csv.DictReader(io.StringIO(c.get(f"/runs/{run_id}/files/workers.csv").get_data(as_text=True))))
    summary = json.loads(c.get(f"/runs/{run_id}/files/summary.json").get_data())
    teams = {t["team"]: t for t in v["teams"]}
    for team, t in teams.items():  # every column from the plan: held by the holder's team, waiting by the child's
        mine = [w for w in workers if w["team"] == team or team == "all teams"]
        assert t["children"] == sum(int(w["children"]) for w in mine), team
        assert t["load"] == pytest.approx(sum(float(w["load"]) for w in mine), abs=0.01), team
        assert t["waiting"] == sum(1 for ch in v["children"] if ch["status"] == "unallocated"
                                   and (team == "all teams" or ch["team"] == team)), team
    assert teams["all teams"]["waiting"] == summary["unallocated"]
    assert teams["all teams"]["children"] + summary["unallocated"] == summary["children"]
    assert teams["Peripatetic"]["children"] > 0 and teams["Peripatetic"]["load"] > 0
    table = page[page.index(f"Caseload by team after plan {run_id}"):page.index("</table>", page.index('id="teams"'))]
    assert "Left waiting" in table and "Awaiting allocation" not in table and "Children held" in table
    # children who need cover: kept with the worker on short leave, as the report lists them
    theirs = [ch["child_id"] for ch in v["children"] if ch["worker_id"] == away and ch["status"] == "kept"]
    assert theirs and v["cover"] == theirs
    cover = words[words.index(f"Children who need cover ({len(theirs)})"):]
    assert all(cid in cover for cid in theirs) and "needs cover" in cover
    report = c.get(f"/runs/{run_id}/files/report.html").get_data(as_text=True)
    assert all(cid in report[report.index("Children who need cover"):] for cid in theirs)
    # newly allocated: who was waiting and now has a worker
    newly = [ch for ch in v["children"] if ch["status"] == "allocated"]
    assert newly and sorted(v["newly"]) == sorted(ch["child_id"] for ch in newly)
    section = page[page.index('id="newly"'):page.index("</section>", page.index('id="newly"'))]
    assert f"Newly allocated ({len(newly)})" in section and "Days waited" in section
    for ch in newly:
        assert ch["child_id"] in section and ch["worker_id"] in section


def test_times_are_local_and_the_plan_date_says_where_it_came_from(loaded_app, monkeypatch):
    from web.app import when
    monkeypatch.setenv("TZ", "Europe/London")
    import time
    time.tzset()
    try:
        assert when("2026-11-26T10:03:00+00:00") == "26 Nov 2026, 10:03"
        assert when("2026-07-01T09:05:00+00:00") == "1 Jul 2026, 10:05"  # British Summer Time
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    c = loaded_app.test_client()
    page = text(c.get("/"))
    assert re.search(r'id="as-of" name="as_of" type="date" required value="(\d{4}-\d\d-\d\d)"', page).group(1) == \
        __import__("datetime").date.today().isoformat()
    assert "Today." in plain(c.get("/"))
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", plain(c.get("/")))  # no ISO time stamps on the page
    with loaded_app.extensions["caseload"]["store"].session() as db:
        db.execute("INSERT INTO runs (status, as_of, started_at, finished_at, view) VALUES ('done', ?, "
                   "'2026-11-26T10:03:00+00:00', '2026-11-26T10:04:00+00:00', ?)",
                   (WEEK1, json.dumps({"as_of": WEEK1, "summary": {"status": "optimal", "allocated": 0,
                                       "unallocated": 0, "moved": 0, "kept": 0, "over_capacity": 0,
                                       "max_utilisation": 0}, "teams": [], "workers": [], "children": [],
                                       "waiting": [], "moves": [], "over_capacity": [], "changes": None,
                                       "changes_line": "", "notes": [], "warnings": []})))
    page = text(c.get("/"))
    assert f'required value="{WEEK1}"' in page and "The date of plan 1" in plain(c.get("/"))


def test_counts_say_one_worker_and_one_child():
    from web.views import plural
    assert plural(1, "worker") == "1 worker" and plural(2, "worker") == "2 workers"
    assert plural(1, "child", "children") == "1 child" and plural(0, "child", "children") == "0 children"


@pytest.mark.parametrize("wildcard", ["0.0.0.0", "::"])
def test_a_wildcard_host_answers_to_this_machines_names(tmp_path, wildcard):
    import socket
    app = new_app(tmp_path / "data", host=wildcard, port=9002)
    c = app.test_client()
    for name in (socket.gethostname(), socket.getfqdn(), "localhost", "127.0.0.1"):
        assert c.get("/", headers={"Host": f"{name}:9002"}).status_code == 200, name
    for info in socket.getaddrinfo(socket.gethostname(), None):
        address = str(info[4][0]).split("%")[0]
        shown = f"[{address}]" if ":" in address else address
        assert c.get("/", headers={"Host": f"{shown}:9002"}).status_code == 200, address
    for bad in ("evil.example", "evil.example:9002", f"{socket.gethostname()}:9003"):
        r = c.get("/", headers={"Host": bad})
        assert r.status_code == 400 and "this computer's name or address" in text(r), bad
    # a specific address stays strict: the machine's name is not enough
    strict = new_app(tmp_path / "data2", host="127.0.0.1", port=9002).test_client()
    assert strict.get("/", headers={"Host": f"{socket.gethostname()}:9002"}).status_code == 400
