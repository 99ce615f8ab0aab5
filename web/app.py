"""`caseload serve`: the weekly allocation meeting as a local web page (Flask, server-rendered, no script).

Routes (every POST carries the session's CSRF token; ids only in URLs), each a view in web/views.py:
  GET  /                              the meeting: files, plan, teams, waiting, moves, changes, decisions, absences
  POST /upload                        workers / cases (CSV, .xlsx or an Annex A workbook) / policy files
  POST /uploads/<id>/delete           remove an uploaded file from the data folder
  POST /solve                         start a solve in the background (or show the one running)
  GET  /runs, /runs/<id>              the plans made; one plan (a progress page while it solves)
  GET  /runs/<id>/workers/<worker>    one worker's children in that plan
  POST /runs/<id>/accept              accept the plan: the next solve starts from it, and says what changed since
  GET  /runs/<id>/files/<name>        allocation.csv/.xlsx, workers.csv, summary.json, report.html/.xlsx
  GET  /runs/<id>/report              the HTML report, in the browser
  POST /decisions, /decisions/<id>/delete, GET /decisions.csv   standing decisions (pin, keep away)
  POST /absences, /absences/<id>/delete                         absences marked on the page
  GET  /static/caseload.css           the report's CSS and the page's own

The app's own state (data folder's Store, the background Runner, the host names it answers to, the port
and a cache of the inputs read) is kept in `app.extensions["caseload"]`; views reach it by `current_app`.
"""
from __future__ import annotations

import contextlib
import datetime
import hmac
import logging
import secrets
import socket
from pathlib import Path

from flask import Flask, Response, abort, render_template, request, session
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from . import meeting, views
from .jobs import runner_for
from .store import Store, now

log = logging.getLogger("caseload.web")

MAX_UPLOAD = 50 * 1024 * 1024  # bytes in one request (all its files)
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "[::]")  # --host that listens on every address of the machine
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(data: Path, host: str = "127.0.0.1", port: int = 8765) -> Flask:
    """The app over the data folder `data` (made 0700 if missing), answering to `host`:`port` (for a wildcard
    host, 0.0.0.0 or ::, to this machine's names and addresses: see `allowed_hosts`)."""
    store = Store(data)
    app = Flask(__name__, static_folder=None)
    app.config.update(SECRET_KEY=store.secret_key(), MAX_CONTENT_LENGTH=MAX_UPLOAD,
                      SESSION_COOKIE_NAME="caseload_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", MAX_FORM_MEMORY_SIZE=1024 * 1024)
    runner = runner_for(data)
    app.extensions["caseload"] = {"store": store, "runner": runner, "allowed": allowed_hosts(host), "host": host,
                                  "port": port, "cache": {}}
    with store.session() as conn:  # a solve that was running when the server stopped will not finish
        if runner.running() is None:
            conn.execute("UPDATE runs SET status = 'stopped', finished_at = ? WHERE status = 'running'", (now(),))
    app.before_request(check_host_and_token)
    app.after_request(headers)
    app.teardown_appcontext(views.close_db)
    app.register_error_handler(HTTPException, http_error)
    app.jinja_env.globals.update(csrf_token=csrf_token, absence_codes=meeting.ABSENCE_CODES)
    app.jinja_env.filters.update(band=_band, num=_num, when=when, plural=views.plural)
    for rule, methods, view in views.ROUTES:
        app.add_url_rule(rule, view.__name__, view, methods=methods)
    return app


def _bracketed(name: str) -> str:
    """A host name as a Host header gives it: an IPv6 address in brackets, without a zone (%eth0)."""
    name = name.lower().strip("[]").split("%")[0]
    return f"[{name}]" if ":" in name else name


def allowed_hosts(host: str) -> set[str]:
    """The names the page answers to: localhost's and `host`; for a wildcard host also this machine's name, its
    fully qualified name and the addresses they resolve to, and the address it reaches the network by (what
    the standard library can find without asking anyone). `--host` with one address is the stricter choice."""
    names = {*LOCAL_NAMES, _bracketed(host)}
    if host.lower() not in WILDCARDS:
        return names
    hostname = socket.gethostname()
    names |= {hostname.lower(), socket.getfqdn().lower()}
    for name in (hostname, socket.getfqdn()):
        with contextlib.suppress(OSError):  # a name the resolver does not know: the name itself still counts
            names |= {_bracketed(str(info[4][0])) for info in socket.getaddrinfo(name, None)}
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:  # connecting a UDP socket sends nothing: it only picks the interface a packet would leave by
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                names.add(_bracketed(str(s.getsockname()[0])))
        except OSError:
            pass  # no route of that family
    return names


def split_host(value: str) -> tuple[str, str, str]:
    """A Host header as (name, ':', port); an IPv6 name keeps its brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        name, rest = value[:end + 1], value[end + 1:]
        return name, ":" if rest else "", rest[1:]
    name, sep, port = value.rpartition(":")
    return (name, sep, port) if sep else (value, "", "")


# ---------------------------------------------------------------------------- safety, on every request


def check_host_and_token() -> None:
    """Refuse a request to another host name or port (DNS rebinding), too large a body, or a POST without the
    session's CSRF token."""
    state = views.state()
    host, port = state["host"], state["port"]
    name, _, given_port = split_host(request.host)
    if name not in state["allowed"] or (given_port and given_port != str(port)):
        where = ("this computer's name or address" if host.lower() in WILDCARDS else
                 f"http://{'127.0.0.1' if host in ('127.0.0.1', 'localhost') else host}:{port}/")
        abort(400, description=f"This page answers only to the address it was started on ({where}); "
                               "open it by that address.")
    if (request.content_length or 0) > MAX_UPLOAD:
        abort(413)  # before reading the form: said the same way with or without a token
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        kept = session.get("csrf", "")
        if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
            abort(403, description="The form had expired or did not come from this page. Go back, reload "
                                   "the page and try again.")


def headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Cache-Control"] = "no-store"  # children's data: never kept in a browser's cache
    return resp


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


# ---------------------------------------------------------------------------- template filters


def when(stamp: str | None) -> str:
    """A stored time (ISO, UTC) in this computer's local time, as people write it: "26 Nov 2026, 10:03"."""
    if not stamp:
        return ""
    t = datetime.datetime.fromisoformat(stamp).astimezone()
    return f"{t.day} {t:%b %Y, %H:%M}"


def _band(util: float | None) -> Markup:
    from reporting.layout import util_band
    return Markup(util_band(util))  # util_band writes only numbers and band names


def _num(v: float | None) -> str:
    from reporting.layout import num
    return num(v)
