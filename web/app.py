"""`caseload serve`: the weekly allocation meeting as a local web page (Flask, server-rendered, no script).

Routes (every POST carries the session's CSRF token; ids only in URLs):
  GET  /                              the meeting: files, plan, teams, waiting, moves, changes, decisions, absences
  POST /upload                        workers / cases (CSV, .xlsx or an Annex A workbook) / policy files
  POST /uploads/<id>/delete           remove an uploaded file from the data folder
  POST /solve                         start a solve in the background (or show the one running)
  GET  /runs, /runs/<id>              the plans made; one plan (a progress page while it solves)
  GET  /runs/<id>/workers/<worker>    one worker's children in that plan
  POST /runs/<id>/accept              accept the plan: next week's changes are counted from it
  GET  /runs/<id>/files/<name>        allocation.csv/.xlsx, workers.csv, summary.json, report.html/.xlsx
  GET  /runs/<id>/report              the HTML report, in the browser
  POST /decisions, /decisions/<id>/delete, GET /decisions.csv   standing decisions (pin, keep away)
  POST /absences, /absences/<id>/delete                         absences marked on the page
  GET  /static/caseload.css           the report's CSS and the page's own
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import sqlite3
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, flash, g, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.utils import secure_filename

from files.problems import ValidationError

from . import meeting
from .jobs import Job, runner_for
from .store import Store, now, write_private

log = logging.getLogger("caseload.web")

MAX_UPLOAD = 50 * 1024 * 1024  # bytes in one request (all its files)
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
KINDS = ("workers", "cases", "policy")
DOWNLOADS = {"allocation.csv": "text/csv", "workers.csv": "text/csv", "summary.json": "application/json",
             "allocation.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "report.html": "text/html", "report.xlsx":
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "decisions.csv": "text/csv"}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _report_csp() -> str:
    """The report as the browser shows it: its one inline <style> by hash, its charts as data: images."""
    from reporting.page import CSS
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    return f"default-src 'none'; img-src data:; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; " \
           "frame-ancestors 'none'"


def create_app(data: Path, host: str = "127.0.0.1", port: int = 8765) -> Flask:
    """The app over the data folder `data` (made 0700 if missing), answering to `host`:`port`."""
    store = Store(data)
    app = Flask(__name__, static_folder=None)
    app.config.update(SECRET_KEY=store.secret_key(), MAX_CONTENT_LENGTH=MAX_UPLOAD,
                      SESSION_COOKIE_NAME="caseload_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", MAX_FORM_MEMORY_SIZE=1024 * 1024)
    runner = runner_for(data)
    app.extensions["caseload"] = {"store": store, "runner": runner}
    allowed = {*LOCAL_NAMES, host.lower() if ":" not in host else f"[{host.lower().strip('[]')}]"}
    with store.session() as conn:  # a solve that was running when the server stopped will not finish
        if runner.running() is None:
            conn.execute("UPDATE runs SET status = 'stopped', finished_at = ? WHERE status = 'running'", (now(),))
    cache: dict[str, Any] = {}

    def db() -> sqlite3.Connection:
        if "db" not in g:
            g.db = store.connect()
        return g.db

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    # ------------------------------------------------------------------ safety

    @app.before_request
    def check_host_and_token() -> None:
        name, _, given_port = _split_host(request.host)
        if name not in allowed or (given_port and given_port != str(port)):
            abort(400, description="This page answers only to the address it was started on "
                                   f"(http://{'127.0.0.1' if host in ('127.0.0.1', 'localhost') else host}:{port}/); "
                                   "open it by that address.")
        if (request.content_length or 0) > MAX_UPLOAD:
            abort(413)  # before reading the form: said the same way with or without a token
        if request.method == "POST":
            sent = request.form.get("csrf_token", "")
            kept = session.get("csrf", "")
            if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
                abort(403, description="The form had expired or did not come from this page. Go back, reload "
                                       "the page and try again.")

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cache-Control"] = "no-store"  # children's data: never kept in a browser's cache
        return resp

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> tuple[str, int]:
        code = e.code or 500
        if code == 413:
            message = (f"The upload is larger than {MAX_UPLOAD // (1024 * 1024)} MB, the most this page takes. "
                       "Nothing was saved. Check that it is the right file; a council's export is far smaller.")
        else:
            message = e.description or ""
        return render_template("error.html", code=code, title=e.name, message=message), code

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return str(session["csrf"])

    app.jinja_env.globals.update(csrf_token=csrf_token, absence_codes=meeting.ABSENCE_CODES)
    app.jinja_env.filters["band"] = _band
    app.jinja_env.filters["num"] = _num

    # ------------------------------------------------------------------ reading the current inputs

    def current() -> tuple[meeting.Inputs | None, dict[str, sqlite3.Row]]:
        return meeting.current_inputs(store, db())

    def loaded_now(inputs: meeting.Inputs, as_of: datetime.date | None = None) -> Any:
        """The current inputs read as `validate` reads them, without decisions (cached by upload and date)."""
        key = json.dumps([str(inputs), (as_of or datetime.date.today()).isoformat()])
        if cache.get("key") != key:
            cache.update(key=key, loaded=meeting.load(inputs, as_of))
        return cache["loaded"]

    def uploads_list() -> list[sqlite3.Row]:
        return list(db().execute("SELECT * FROM uploads ORDER BY id DESC"))

    def run_row(run_id: int) -> sqlite3.Row:
        row = db().execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            abort(404, description=f"There is no plan {run_id}.")
        return row

    def page(run: sqlite3.Row | None, problems: list[str] | None = None, status: int = 200) -> tuple[str, int]:
        inputs, rows = current()
        decisions = list(db().execute("SELECT * FROM decisions ORDER BY id"))
        absences = list(db().execute("SELECT * FROM absences ORDER BY absent_from, id"))
        view = json.loads(run["view"]) if run is not None and run["view"] else None
        child = {c["child_id"]: c for c in view["children"]} if view else {}
        before = None
        workers: list[tuple[str, str]] = []
        children: list[str] = []
        if inputs is not None:
            try:
                loaded = loaded_now(inputs)
            except ValidationError as e:
                problems = (problems or []) + [str(p) for p in e.problems]
            else:
                from allocator.plan import current_loads, team_rows
                inst = loaded.instance
                before = team_rows(inst, current_loads(inst))
                workers = [(w.id, f"{w.id}, {w.team}, {w.role.replace('_', ' ')}") for w in inst.workers]
                children = [c.id for c in inst.children]
        running = runner.running()
        last = meeting.last_accepted(db())
        return render_template("meeting.html", run=run, view=view, child=child, rows=rows, uploads=uploads_list(),
                               decisions=decisions, absences=absences, problems=problems or [], before=before,
                               workers=workers, children=children, running=running, last_accepted=last,
                               today=datetime.date.today().isoformat(), inputs=inputs), status

    def latest_run() -> sqlite3.Row | None:
        return db().execute("SELECT * FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1").fetchone()

    # ------------------------------------------------------------------ pages

    @app.get("/")
    def home() -> tuple[str, int]:
        return page(latest_run())

    @app.get("/static/caseload.css")
    def css() -> Response:
        from reporting.page import CSS as REPORT_CSS
        own = resources.files("web").joinpath("static/meeting.css").read_text("utf-8")
        return Response(REPORT_CSS + own, mimetype="text/css")

    @app.post("/upload")
    def upload() -> Any:
        given = {k: f for k in KINDS if (f := request.files.get(k)) is not None and f.filename}
        if not given:
            return page(latest_run(), ["Choose at least one file to upload."], 400)
        inputs, rows = current()
        tmp = Path(tempfile.mkdtemp(prefix="upload-", dir=store.folder))
        try:
            paths = {k: store.path_of(rows.get(k)) for k in KINDS}
            for kind, f in given.items():
                paths[kind] = _save(f, tmp / kind, kind)
            if paths["workers"] is None or paths["cases"] is None:
                missing = " and ".join(k for k in ("workers", "cases") if paths[k] is None)
                return page(latest_run(), [f"Upload the {missing} file too: a plan needs both."], 400)
            check = meeting.Inputs(paths["workers"], paths["cases"], paths["policy"])
            try:
                meeting.load(check, None, meeting.decisions_of(db()))
            except ValidationError as e:
                return page(latest_run(), [str(p) for p in e.problems], 400)
            with store.session() as conn:  # the rows and the files together, or neither
                for kind in KINDS:
                    path = paths[kind]
                    if kind not in given or path is None:
                        continue
                    cur = conn.execute("INSERT INTO uploads (kind, filename, size, uploaded_at) VALUES (?, ?, ?, ?)",
                                       (kind, path.name, path.stat().st_size, now()))
                    upload_id = int(cur.lastrowid or 0)
                    target = store.upload_path(upload_id, path.name)
                    target.parent.mkdir(mode=0o700)
                    os.replace(path, target)
                    log.info("upload %d stored: %s, %d bytes", upload_id, kind, target.stat().st_size)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        flash("Files checked and saved: " + ", ".join(given) + ".")
        return redirect(url_for("home") + "#files", 303)

    @app.post("/uploads/<int:upload_id>/delete")
    def delete_upload(upload_id: int) -> Any:
        row = db().execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
        if row is None:
            abort(404, description=f"There is no uploaded file {upload_id}.")
        shutil.rmtree(store.path_of(row).parent, ignore_errors=True)  # type: ignore[union-attr]
        with db():
            db().execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
        log.info("upload %d deleted", upload_id)
        flash(f"The {row['kind']} file was deleted from the data folder.")
        return redirect(url_for("home") + "#files", 303)

    @app.post("/solve")
    def solve() -> Any:
        inputs, rows = current()
        if inputs is None:
            return page(latest_run(), ["Upload the workers file and the cases file before solving."], 400)
        as_of, err = _date(request.form.get("as_of", ""), "plan date", required=True)
        if err:
            return page(latest_run(), [err], 400)
        keep = request.form.get("keep_current") == "yes"

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
            meeting.solve(store, run_id, job.tell)
            log.info("run %d finished", run_id)

        run_id, started = runner.start(new_run, work)
        if not started:
            flash(f"Plan {run_id} is still being solved: one solve at a time. Here it is.")
        return redirect(url_for("show_run", run_id=run_id), 303)

    @app.get("/runs")
    def runs() -> str:
        rows = list(db().execute("SELECT id, status, as_of, started_at, finished_at, accepted_at, summary, "
                                 "keep_current FROM runs ORDER BY id DESC"))
        summaries = {r["id"]: json.loads(r["summary"]) for r in rows if r["summary"]}
        return render_template("runs.html", runs=rows, summaries=summaries)

    @app.get("/runs/<int:run_id>")
    def show_run(run_id: int) -> tuple[str, int]:
        run = run_row(run_id)
        if run["status"] == "running":
            job = runner.running()
            progress = job.progress if job is not None and job.run_id == run_id else {}
            return render_template("progress.html", run=run, progress=sorted(progress.items())), 200
        errors = json.loads(run["error"]) if run["error"] else []
        if run["status"] == "stopped":
            errors = ["The server stopped before this plan was finished. Solve again."]
        return page(run, errors)

    @app.get("/runs/<int:run_id>/workers/<worker_id>")
    def worker(run_id: int, worker_id: str) -> str:
        run = run_row(run_id)
        view = json.loads(run["view"]) if run["view"] else None
        row = next((w for w in view["workers"] if w["worker_id"] == worker_id), None) if view else None
        if view is None or row is None:
            abort(404, description=f"Plan {run_id} has no worker {worker_id}.")
        theirs = [c for c in view["children"] if c["worker_id"] == worker_id]
        left = [c for c in view["children"] if c["previous_worker"] == worker_id and c["worker_id"] != worker_id]
        supervised = [w for w in view["workers"] if w["supervisor_id"] == worker_id]
        return render_template("worker.html", run=run, view=view, w=row, theirs=theirs, left=left,
                               supervised=supervised)

    @app.post("/runs/<int:run_id>/accept")
    def accept(run_id: int) -> Any:
        run = run_row(run_id)
        if run["status"] != "done":
            abort(400, description=f"Plan {run_id} is not finished; only a finished plan can be accepted.")
        with db():
            db().execute("UPDATE runs SET accepted_at = ? WHERE id = ?", (now(), run_id))
        log.info("run %d accepted", run_id)
        flash(f"Plan {run_id} accepted: next week's plan will say what changed since it.")
        return redirect(url_for("show_run", run_id=run_id), 303)

    @app.get("/runs/<int:run_id>/files/<name>")
    def download(run_id: int, name: str) -> Response:
        run_row(run_id)
        found = db().execute("SELECT data FROM run_files WHERE run_id = ? AND name = ?", (run_id, name)).fetchone()
        if name not in DOWNLOADS or found is None:
            abort(404, description=f"Plan {run_id} has no file {name}.")
        resp = Response(found["data"], mimetype=DOWNLOADS[name])
        resp.headers["Content-Disposition"] = f'attachment; filename="plan-{run_id}-{name}"'
        return resp

    @app.get("/runs/<int:run_id>/report")
    def report(run_id: int) -> Response:
        run_row(run_id)
        found = db().execute("SELECT data FROM run_files WHERE run_id = ? AND name = 'report.html'",
                             (run_id,)).fetchone()
        if found is None:
            abort(404, description=f"Plan {run_id} has no report.")
        resp = Response(found["data"], mimetype="text/html")
        resp.headers["Content-Security-Policy"] = _report_csp()
        return resp

    # ------------------------------------------------------------------ standing decisions

    @app.post("/decisions")
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
        existing = db().execute("SELECT * FROM decisions WHERE child_id = ?", (child,)).fetchone()
        fixed = existing["fixed_worker"] if existing else None
        avoid = [a for a in (existing["avoid_workers"] if existing else "").split(";") if a]
        if action == "pin":
            fixed = worker_id
            avoid = [a for a in avoid if a != worker_id]
        else:
            avoid = sorted({*avoid, worker_id})
            fixed = None if fixed == worker_id else fixed
        values = (fixed, ";".join(avoid), until.isoformat() if until else None)
        conn = db()
        try:
            with conn:  # saved only if the whole set can be laid over the inputs
                if existing:
                    conn.execute("UPDATE decisions SET fixed_worker = ?, avoid_workers = ?, until = ? WHERE id = ?",
                                 (*values, existing["id"]))
                else:
                    conn.execute("INSERT INTO decisions (child_id, fixed_worker, avoid_workers, until, created_at) "
                                 "VALUES (?, ?, ?, ?, ?)", (child, *values, now()))
                meeting.check_decision(loaded_now(inputs), meeting.decisions_of(conn), child)
        except ValidationError as e:
            return page(latest_run(), [str(p) for p in e.problems], 400)
        log.info("decision for child %s: %s %s", child, action, worker_id)
        flash(f"Decision saved for {child}: it stands for every plan from now"
              + (f" until {until.isoformat()}." if until else " until you remove it."))
        return redirect(url_for("home") + "#decisions", 303)

    @app.post("/decisions/<int:decision_id>/delete")
    def delete_decision(decision_id: int) -> Any:
        with db():
            gone = db().execute("DELETE FROM decisions WHERE id = ?", (decision_id,)).rowcount
        if not gone:
            abort(404, description=f"There is no decision {decision_id}.")
        log.info("decision %d removed", decision_id)
        flash("Decision removed.")
        return redirect(url_for("home") + "#decisions", 303)

    @app.get("/decisions.csv")
    def decisions_file() -> Response:
        resp = Response(meeting.decisions_csv(meeting.decisions_of(db())), mimetype="text/csv")
        resp.headers["Content-Disposition"] = 'attachment; filename="decisions.csv"'
        return resp

    # ------------------------------------------------------------------ absences

    @app.post("/absences")
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
        return redirect(url_for("home") + "#absences", 303)

    @app.post("/absences/<int:absence_id>/delete")
    def delete_absence(absence_id: int) -> Any:
        with db():
            gone = db().execute("DELETE FROM absences WHERE id = ?", (absence_id,)).rowcount
        if not gone:
            abort(404, description=f"There is no absence {absence_id}.")
        log.info("absence %d removed", absence_id)
        flash("Absence removed.")
        return redirect(url_for("home") + "#absences", 303)

    return app


def _save(f: FileStorage, folder: Path, kind: str) -> Path:
    """An uploaded file, written 0600 under `folder` with a safe form of its own name (messages name it)."""
    folder.mkdir(mode=0o700)
    default = "policy.toml" if kind == "policy" else f"{kind}.csv"
    name = secure_filename(f.filename or "") or default
    path = folder / name
    write_private(path, f.read())
    return path


def _split_host(value: str) -> tuple[str, str, str]:
    """A Host header as (name, ':', port); an IPv6 name keeps its brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        name, rest = value[:end + 1], value[end + 1:]
        return name, ":" if rest else "", rest[1:]
    name, sep, port = value.rpartition(":")
    return (name, sep, port) if sep else (value, "", "")


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


def _band(util: float | None) -> Markup:
    from reporting.layout import util_band
    return Markup(util_band(util))  # util_band writes only numbers and band names


def _num(v: float | None) -> str:
    from reporting.layout import num
    return num(v)
