"""Running the page: one server per data folder, on 127.0.0.1 unless told otherwise, logging ids only.

The server is Werkzeug's threaded WSGI server (`make_server`), run directly: the page is for one office on one
computer, so there is no "development server" banner, only the line saying where to open it.

`--host 0.0.0.0` (or `::`) listens on every address of the machine and answers to the machine's own names and
addresses (web/app.py `allowed_hosts`); `--host` with one address (the machine's address on the office
network) is the stricter choice: the page then answers to that address and localhost only.
"""
from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

from files.problems import Problem, ValidationError

from .app import LOCAL_NAMES, WILDCARDS, create_app
from .store import default_data_dir, private_folder

log = logging.getLogger("caseload.web")


class IdsOnlyHandler(WSGIRequestHandler):
    """Logs each request as method, path and status: never the query string (URLs hold ids only, and a
    stray query must not carry a name into the log)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s %s", self.command, urlsplit(self.path).path, getattr(code, "value", code))


def url_of(host: str, port: int) -> str:
    name = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{name}:{port}/"


def run(host: str, port: int, data: Path | None, echo: Callable[..., None]) -> None:
    """Serve the meeting page until Ctrl-C; a data folder another `caseload serve` is using is refused (exit 2)."""
    folder = (data or default_data_dir()).expanduser()
    private_folder(folder)
    lock = (folder / "serve.lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise ValidationError([Problem(str(folder), message="another caseload serve is using this data folder; "
                                       "open its page, or stop it first")]) from None
    app = create_app(folder, host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if host.lower() not in (*LOCAL_NAMES, "::1"):
        echo(f"warning: serving on {host}, not 127.0.0.1: other computers can reach this page, and children's "
             "data leaves this machine. Use it only on a network you trust."
             + (" It answers to this computer's names and addresses; --host with one address is stricter."
                if host.lower() in WILDCARDS else ""), err=True)
    if app.extensions["caseload"]["store"].shared:
        echo(f"warning: the data folder {folder} can be read by other users of this computer; "
             "use a private folder (--data)", err=True)
    echo(f"caseload serve: open {url_of(host, port)} (data folder {folder}); Ctrl-C stops it.", err=True)
    server = None
    try:
        server = make_server(host.strip("[]"), port, app, threaded=True, request_handler=IdsOnlyHandler)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.server_close()
        lock.close()
    echo("caseload serve: stopped.", err=True)
