"""The page's views, one small function each, registered by `create_app` (web/app.py) from ROUTES under their
own names (so `url_for("home")`). The app's state is `current_app.extensions["caseload"]` (`state()`)."""
from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from files.problems import ValidationError

from . import meeting
from .jobs import Job, Runner
from .store import Store, now, write_private

log = logging.getLogger("caseload.web")

KINDS = ("workers", "cases", "policy")
DOWNLOADS = {"allocation.csv": "text/csv", "workers.csv": "text/csv", "summary.json": "application/json",
             "allocation.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "report.html": "text/html", "report.xlsx":
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "decisions.csv": "text/csv"}


# ---------------------------------------------------------------------------- the app's state


def state() -> dict[str, Any]:
    return current_app.extensions["caseload"]


def store() -> Store:
    return state()["store"]


def runner() -> Runner:
    return state()["runner"]


def db() -> sqlite3.Connection:
    """This request's connection to the data folder's database (closed when the request ends)."""
    if "db" not in g:
        g.db = store().connect()
    return g.db


def close_db(_exc: BaseException | None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def current() -> tuple[meeting.Inputs | None, dict[str, sqlite3.Row]]:
    return meeting.current_inputs(store(), db())


def loaded_now(inputs: meeting.Inputs, as_of: datetime.date | None = None) -> Any:
    """The current inputs read as `validate` reads them, without decisions (cached by upload and date)."""
    cache = state()["cache"]
    key = json.dumps([str(inputs), (as_of or datetime.date.today()).isoformat()])
    if cache.get("key") != key:
        cache.update(key=key, loaded=meeting.load(inputs, as_of))
    return cache["loaded"]


def run_row(run_id: int) -> sqlite3.Row:
    row = db().execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        abort(404, description=f"There is no plan {run_id}.")
    return row


def latest_run() -> sqlite3.Row | None:
    return db().execute("SELECT * FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1").fetchone()


def to(section: str) -> Any:
    """Back to the meeting page, at one of its sections (303: the browser GETs it)."""
    return redirect(url_for("home") + f"#{section}", 303)


# ---------------------------------------------------------------------------- the meeting page


def page(run: sqlite3.Row | None, problems: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    """The meeting page, showing plan `run` (or no plan) and any problems."""
    inputs, rows = current()
    problems = list(problems or [])
    facts = _input_facts(inputs, problems)
    view = json.loads(run["view"]) if run is not None and run["view"] else None
    last = meeting.last_accepted(db())
    shown_date = view["as_of"] if view else None
    return render_template(
        "meeting.html", run=run, view=view, child={c["child_id"]: c for c in view["children"]} if view else {},
        rows=rows, uploads=list(db().execute("SELECT * FROM uploads ORDER BY id DESC")),
        decisions=list(db().execute("SELECT * FROM decisions ORDER BY id")),
        absences=list(db().execute("SELECT * FROM absences ORDER BY absent_from, id")), problems=problems,
        running=runner().running(), last_accepted=last, inputs=inputs,
        next_start=last if meeting.starts_from(last, rows.get("cases")) else None,
        as_of=shown_date or datetime.date.today().isoformat(), as_of_is_plan=bool(shown_date), **facts), status


def _input_facts(inputs: meeting.Inputs | None, problems: list[str]) -> dict[str, Any]:
    """The team table before a plan and the workers and children the forms offer (problems reading: added)."""
    facts: dict[str, Any] = {"before": None, "workers": [], "children": []}
    if inputs is None:
        return facts
    try:
        inst = loaded_now(inputs).instance
    except ValidationError as e:
        problems += [str(p) for p in e.problems]
        return facts
    facts["before"] = meeting.team_table_now(inst)
    facts["workers"] = [(w.id, f"{w.id}, {w.team}, {w.role.replace('_', ' ')}") for w in inst.workers]
    facts["children"] = [c.id for c in inst.children]
    return facts


def home() -> tuple[str, int]:
    return page(latest_run())


def css() -> Response:
    from reporting.page import CSS as REPORT_CSS
    own = resources.files("web").joinpath("static/meeting.css").read_text("utf-8")
    return Response(REPORT_CSS + own, mimetype="text/css")


# ---------------------------------------------------------------------------- files


def upload() -> Any:
    given = {k: f for k in KINDS if (f := request.files.get(k)) is not None and f.filename}
    if not given:
        return page(latest_run(), ["Choose at least one file to upload."], 400)
    _, rows = current()
    tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=store().folder))
    try:
        paths = {k: store().path_of(rows.get(k)) for k in KINDS}
        for kind, f in given.items():
            paths[kind] = _save(f, tmp / kind, kind)
        if paths["workers"] is None or paths["cases"] is None:
            missing = " and ".join(k for k in ("workers", "cases") if paths[k] is None)
            return page(latest_run(), [f"Upload the {missing} file too: a plan needs both."], 400)
        try:
            meeting.load(meeting.Inputs(paths["workers"], paths["cases"], paths["policy"]), None,
                         meeting.decisions_of(db()))
        except ValidationError as e:
            return page(latest_run(), [str(p) for p in e.problems], 400)
        _keep_uploads({k: p for k, p in paths.items() if k in given and p is not None})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    flash("Files checked and saved: " + ", ".join(given) + ".")
    return to("files")


def _keep_uploads(paths: dict[str, Path]) -> None:
    """Record the checked files and move them into the data folder: the rows and the files together, or neither."""
    with store().session() as conn:
        for kind in KINDS:
            path = paths.get(kind)
            if path is None:
                continue
            cur = conn.execute("INSERT INTO uploads (kind, filename, size, uploaded_at) VALUES (?, ?, ?, ?)",
                               (kind, path.name, path.stat().st_size, now()))
            upload_id = int(cur.lastrowid or 0)
            target = store().upload_path(upload_id, path.name)
            target.parent.mkdir(mode=0o700)
            os.replace(path, target)
            log.info("upload %d stored: %s, %d bytes", upload_id, kind, target.stat().st_size)


def delete_upload(upload_id: int) -> Any:
    row = db().execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
    if row is None:
        abort(404, description=f"There is no uploaded file {upload_id}.")
    shutil.rmtree(store().path_of(row).parent, ignore_errors=True)  # type: ignore[union-attr]
    with db():
        db().execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
    log.info("upload %d deleted", upload_id)
    flash(f"The {row['kind']} file was deleted from the data folder.")
    return to("files")


# ---------------------------------------------------------------------------- plans


def solve() -> Any:
    inputs, rows = current()
    if inputs is None:
        return page(latest_run(), ["Upload the workers file and the cases file before solving."], 400)
    as_of, err = _date(request.form.get("as_of", ""), "plan date", required=True)
    if err:
        return page(latest_run(), [err], 400)
    keep = request.form.get("keep_current") == "yes"
    folder = store()

    def new_run() -> int:
        last = meeting.last_accepted(db())
        with db():
            cur = db().execute(
                "INSERT INTO runs (status, as_of, started_at, workers_upload, cases_upload, policy_upload, "
                "previous_run, keep_current) VALUES ('running', ?, ?, ?, ?, ?, ?, ?)",
                (str(as_of), now(), rows["workers"]["id"], rows["cases"]["id"],
                 rows["policy"]["id"] if "policy" in rows else None, last["id"] if last else None, int(keep)))
        return int(cur.lastrowid or 0)

    def work(run_id: int, job: Job) -> None:
        log.info("run %d started", run_id)
        meeting.solve(folder, run_id, job.tell)
        log.info("run %d finished", run_id)

    run_id, started = runner().start(new_run, work)
    if started:
        session["solving"] = run_id  # the plan page says how it went when it first shows the plan
    else:
        flash(f"Plan {run_id} is still being solved: one solve at a time. Here it is.")
    return redirect(url_for("show_run", run_id=run_id), 303)


def runs() -> str:
    rows = list(db().execute("SELECT id, status, as_of, started_at, finished_at, accepted_at, summary, "
                             "keep_current FROM runs ORDER BY id DESC"))
    summaries = {r["id"]: json.loads(r["summary"]) for r in rows if r["summary"]}
    return render_template("runs.html", runs=rows, summaries=summaries)


def show_run(run_id: int) -> tuple[str, int]:
    run = run_row(run_id)
    if run["status"] == "running":
        job = runner().running()
        progress = job.progress if job is not None and job.run_id == run_id else {}
        return render_template("progress.html", run=run, progress=sorted(progress.items())), 200
    errors = json.loads(run["error"]) if run["error"] else []
    if run["status"] == "stopped":
        errors = ["The server stopped before this plan was finished. Solve again."]
    if session.get("solving") == run_id and run["status"] == "done":
        session.pop("solving")
        _say_how_it_went(run)
    return page(run, errors)


def _say_how_it_went(run: sqlite3.Row) -> None:
    """The flash when a plan is first shown: the standing decisions it did not keep, by child, or that it kept them."""
    unkept = json.loads(run["view"]).get("unkept", [])
    if unkept:
        flash(f"Plan {run['id']} is ready, but {plural(len(unkept), 'standing decision')} "
              f"{'was' if len(unkept) == 1 else 'were'} not kept: "
              + "; ".join(f"{u['child_id']} ({u['reason']})" for u in unkept) + ".", "warning")
    elif db().execute("SELECT COUNT(*) FROM decisions").fetchone()[0]:
        flash(f"Plan {run['id']} is ready: it keeps every standing decision.")
    else:
        flash(f"Plan {run['id']} is ready.")


def worker(run_id: int, worker_id: str) -> str:
    run = run_row(run_id)
    view = json.loads(run["view"]) if run["view"] else None
    row = next((w for w in view["workers"] if w["worker_id"] == worker_id), None) if view else None
    if view is None or row is None:
        abort(404, description=f"Plan {run_id} has no worker {worker_id}.")
    theirs = [c for c in view["children"] if c["worker_id"] == worker_id]
    left = [c for c in view["children"] if c["previous_worker"] == worker_id and c["worker_id"] != worker_id]
    supervised = [w for w in view["workers"] if w["supervisor_id"] == worker_id]
    return render_template("worker.html", run=run, view=view, w=row, theirs=theirs, left=left, supervised=supervised)


def accept(run_id: int) -> Any:
    run = run_row(run_id)
    if run["status"] != "done":
        abort(400, description=f"Plan {run_id} is not finished; only a finished plan can be accepted.")
    with db():
        db().execute("UPDATE runs SET accepted_at = ? WHERE id = ?", (now(), run_id))
    log.info("run %d accepted", run_id)
    flash(f"Plan {run_id} accepted: the next plan starts from it (until this week's export is uploaded) and says "
          "what changed since it.")
    return redirect(url_for("show_run", run_id=run_id), 303)


def download(run_id: int, name: str) -> Response:
    run_row(run_id)
    found = db().execute("SELECT data FROM run_files WHERE run_id = ? AND name = ?", (run_id, name)).fetchone()
    if name not in DOWNLOADS or found is None:
        abort(404, description=f"Plan {run_id} has no file {name}.")
    resp = Response(found["data"], mimetype=DOWNLOADS[name])
    resp.headers["Content-Disposition"] = f'attachment; filename="plan-{run_id}-{name}"'
    return resp


def report(run_id: int) -> Response:
    run_row(run_id)
    found = db().execute("SELECT data FROM run_files WHERE run_id = ? AND name = 'report.html'", (run_id,)).fetchone()
    if found is None:
        abort(404, description=f"Plan {run_id} has no report.")
    resp = Response(found["data"], mimetype="text/html")
    resp.headers["Content-Security-Policy"] = _report_csp()
    return resp


def _report_csp() -> str:
    """The report as the browser shows it: its one inline <style> by hash, its charts as data: images."""
    import base64
    import hashlib

    from reporting.page import CSS
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    return f"default-src 'none'; img-src data:; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; " \
           "frame-ancestors 'none'"


# ---------------------------------------------------------------------------- standing decisions


def add_decision() -> Any:
    inputs, _ = current()
    if inputs is None:
        return page(latest_run(), ["Upload the workers file and the cases file before deciding."], 400)
    action = request.form.get("action", "")
    child = request.form.get("child_id", "").strip()
    worker_id = request.form.get("worker_id", "").strip()
    until, err = _date(request.form.get("until", ""), "until")
    problems = [err] if err else []
    if action not in ("pin", "avoid"):
        problems.append("Choose whether to pin the child to the worker or keep the child away from them.")
    if not child or not worker_id:
        problems.append("Give the child and the worker.")
    if problems:
        return page(latest_run(), problems, 400)
    try:
        laid = _save_decision(inputs, action, child, worker_id, until)
    except ValidationError as e:
        return page(latest_run(), [p.message for p in e.problems], 400)
    log.info("decision for child %s: %s %s", child, action, worker_id)
    saved = (f"Decision saved for {child}: it stands for every plan from now"
             + (f" until {until.isoformat()}." if until else " until you remove it."))
    blocked = meeting.pin_blocked(laid, child, worker_id) if action == "pin" else None
    if blocked:
        flash(f"{saved} But {worker_id} cannot hold {child}: {blocked}. A plan will not keep this pin until "
              "that changes; remove it, or leave it if you mean to change the worker's details.", "warning")
    else:
        flash(saved)
    return to("decisions")


def _save_decision(inputs: meeting.Inputs, action: str, child: str, worker_id: str,
                   until: datetime.date | None) -> Any:
    """Pin or keep away, merged with the child's standing decision; saved only if the whole set can be laid over
    the inputs (ValidationError otherwise). The inputs with the decisions laid over."""
    conn = db()
    existing = conn.execute("SELECT * FROM decisions WHERE child_id = ?", (child,)).fetchone()
    fixed = existing["fixed_worker"] if existing else None
    avoid = [a for a in (existing["avoid_workers"] if existing else "").split(";") if a]
    if action == "pin":
        fixed = worker_id
        avoid = [a for a in avoid if a != worker_id]
    else:
        avoid = sorted({*avoid, worker_id})
        fixed = None if fixed == worker_id else fixed
    values = (fixed, ";".join(avoid), until.isoformat() if until else None)
    with conn:
        if existing:
            conn.execute("UPDATE decisions SET fixed_worker = ?, avoid_workers = ?, until = ? WHERE id = ?",
                         (*values, existing["id"]))
        else:
            conn.execute("INSERT INTO decisions (child_id, fixed_worker, avoid_workers, until, created_at) "
                         "VALUES (?, ?, ?, ?, ?)", (child, *values, now()))
        return meeting.check_decision(loaded_now(inputs), meeting.decisions_of(conn), child)


def remove(table: str, row: int) -> Any:
    """Delete one decision or absence by id (404 when there is none), then back to its section."""
    what = table[:-1]  # "decisions" -> "decision"
    with db():
        gone = db().execute(f"DELETE FROM {table} WHERE id = ?", (row,)).rowcount
    if not gone:
        abort(404, description=f"There is no {what} {row}.")
    log.info("%s %d removed", what, row)
    flash(f"{what.capitalize()} removed.")
    return to(table)


def delete_decision(decision_id: int) -> Any:
    return remove("decisions", decision_id)


def decisions_file() -> Response:
    resp = Response(meeting.decisions_csv(meeting.decisions_of(db())), mimetype="text/csv")
    resp.headers["Content-Disposition"] = 'attachment; filename="decisions.csv"'
    return resp


# ---------------------------------------------------------------------------- absences


def add_absence() -> Any:
    inputs, _ = current()
    if inputs is None:
        return page(latest_run(), ["Upload the workers file before marking an absence."], 400)
    worker_id = request.form.get("worker_id", "").strip()
    code = request.form.get("absence", "")
    start, err1 = _date(request.form.get("absent_from", ""), "from", required=True)
    end, err2 = _date(request.form.get("absent_until", ""), "until")
    problems = [e for e in (err1, err2) if e]
    try:
        known = worker_id in loaded_now(inputs).instance.worker_by_id
    except ValidationError:
        known = False
    if not known:
        problems.append("Choose a worker from the workers file.")
    if code not in meeting.ABSENCE_CODES:
        problems.append("Choose the type of absence: " + ", ".join(meeting.ABSENCE_CODES) + ".")
    if start and end and end < start:
        problems.append(f"The absence ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
    if problems or start is None:
        return page(latest_run(), problems, 400)
    with db():
        cur = db().execute("INSERT INTO absences (worker_id, absent_from, absent_until, absence, created_at) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (worker_id, start.isoformat(), end.isoformat() if end else None, code, now()))
    log.info("absence %d marked for worker %s", cur.lastrowid, worker_id)
    flash(f"Absence marked for {worker_id}: it applies to every plan whose date it covers.")
    return to("absences")


def delete_absence(absence_id: int) -> Any:
    return remove("absences", absence_id)


# ---------------------------------------------------------------------------- form helpers


def plural(n: int, one: str, many: str | None = None) -> str:
    """"1 worker", "2 workers" (`many` for an irregular plural: "children")."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def _save(f: FileStorage, folder: Path, kind: str) -> Path:
    """An uploaded file, written 0600 under `folder` with a safe form of its own name (messages name it)."""
    folder.mkdir(mode=0o700)
    default = "policy.toml" if kind == "policy" else f"{kind}.csv"
    name = secure_filename(f.filename or "") or default
    path = folder / name
    write_private(path, f.read())
    return path


def _date(raw: str, what: str, required: bool = False) -> tuple[datetime.date | None, str | None]:
    """A date from a form field (YYYY-MM-DD, or dd/mm/yyyy as the files take), or a message saying what to give."""
    from files.read import parse_date
    raw = raw.strip()
    if not raw:
        return None, (f"Give the {what} date (YYYY-MM-DD)." if required else None)
    day, msg = parse_date(raw)
    if msg or day is None:
        return None, f"The {what} date: {msg or 'not a date'}; give it as YYYY-MM-DD."
    return day, None


GET, POST = ["GET"], ["POST"]
ROUTES: list[tuple[str, list[str], Callable[..., Any]]] = [
    ("/", GET, home), ("/static/caseload.css", GET, css), ("/upload", POST, upload),
    ("/uploads/<int:upload_id>/delete", POST, delete_upload), ("/solve", POST, solve), ("/runs", GET, runs),
    ("/runs/<int:run_id>", GET, show_run), ("/runs/<int:run_id>/workers/<worker_id>", GET, worker),
    ("/runs/<int:run_id>/accept", POST, accept), ("/runs/<int:run_id>/files/<name>", GET, download),
    ("/runs/<int:run_id>/report", GET, report), ("/decisions", POST, add_decision),
    ("/decisions/<int:decision_id>/delete", POST, delete_decision), ("/decisions.csv", GET, decisions_file),
    ("/absences", POST, add_absence), ("/absences/<int:absence_id>/delete", POST, delete_absence),
]
