"""The meeting's memory between weeks: one SQLite database (and the uploaded files) in the data folder.

The folder is private (0700; the database, the files and the secret key 0600) and holds everything the
page keeps: uploads (kept only here, deletable from the page), plan runs with their files, which plan was
accepted, the manager's standing decisions and the absences marked on the page. `PRAGMA user_version`
is the schema version; `migrate` brings an older database up to SCHEMA_VERSION, one step at a time.
"""
from __future__ import annotations

import contextlib
import datetime
import importlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

SCHEMA_VERSION = 2
DB_NAME = "caseload.sqlite3"
SECRET_NAME = "secret_key"
UPLOADS = "uploads"

# Version 1: uploads, runs (with their files) and standing decisions.
SCHEMA_V1 = """
CREATE TABLE uploads (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, filename TEXT NOT NULL, size INTEGER NOT NULL,
                      uploaded_at TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY, status TEXT NOT NULL, as_of TEXT NOT NULL, started_at TEXT NOT NULL,
                   finished_at TEXT, workers_upload INTEGER, cases_upload INTEGER, policy_upload INTEGER,
                   previous_run INTEGER, summary TEXT, view TEXT, error TEXT, accepted_at TEXT);
CREATE TABLE run_files (run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, data BLOB NOT NULL,
                        PRIMARY KEY (run_id, name));
CREATE TABLE decisions (id INTEGER PRIMARY KEY, child_id TEXT NOT NULL UNIQUE, fixed_worker TEXT,
                        avoid_workers TEXT NOT NULL DEFAULT '', until TEXT, created_at TEXT NOT NULL);
"""


# Version 2: absences marked on the page; a run remembers whether it moved nobody.
TO_V2 = """
CREATE TABLE absences (id INTEGER PRIMARY KEY, worker_id TEXT NOT NULL, absent_from TEXT NOT NULL,
                       absent_until TEXT, absence TEXT NOT NULL, created_at TEXT NOT NULL);
ALTER TABLE runs ADD COLUMN keep_current INTEGER NOT NULL DEFAULT 0;
"""

MIGRATIONS = {0: SCHEMA_V1, 1: TO_V2}  # from version N (0: a new database) to N + 1


def now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> int:
    """Bring the database up to SCHEMA_VERSION, each step in its own transaction; the version reached."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"the data folder's database is schema version {version}, newer than this caseload "
                           f"({SCHEMA_VERSION}); upgrade caseload")
    while version < SCHEMA_VERSION:
        try:  # each step commits with its version, or not at all (SQLite's DDL is transactional)
            db.executescript(f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;")
        except sqlite3.Error:
            db.rollback()
            raise
        version += 1
    return version


def default_data_dir() -> Path:
    """The user's data folder for caseload: platformdirs' when installed, else ~/.local/share/caseload."""
    try:
        platformdirs = importlib.import_module("platformdirs")  # optional: not a dependency
    except ImportError:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "caseload"
    return Path(platformdirs.user_data_dir("caseload", appauthor=False))


def private_folder(path: Path) -> None:
    """Make `path` (and its parents) if missing, the folder itself 0700."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)  # the umask may have narrowed mkdir's mode, never widened it: set it exactly


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by the user only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    path.chmod(0o600)


class Store:
    """The data folder: its database, uploads and secret key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        private_folder(folder)
        private_folder(folder / UPLOADS)
        self.db_path = folder / DB_NAME
        with contextlib.closing(self.connect()) as db:
            migrate(db)
        self.db_path.chmod(0o600)

    @property
    def shared(self) -> bool:
        """Others may read the folder (an existing folder given as --data): worth a warning."""
        return bool(self.folder.stat().st_mode & 0o077)

    def connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        return db

    @contextlib.contextmanager
    def session(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and rolls back on failure."""
        db = self.connect()
        try:
            with db:
                yield db
        finally:
            db.close()

    def secret_key(self) -> bytes:
        """The session-signing key: random, made once per data folder, kept there 0600."""
        path = self.folder / SECRET_NAME
        if not path.exists():
            write_private(path, secrets.token_bytes(32))
        return path.read_bytes()

    # ------------------------------------------------------------------ uploads

    def upload_path(self, upload_id: int, filename: str) -> Path:
        return self.folder / UPLOADS / str(upload_id) / filename

    def current_uploads(self, db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
        """The latest upload of each kind (workers, cases, policy)."""
        rows = db.execute("SELECT * FROM uploads WHERE id IN (SELECT MAX(id) FROM uploads GROUP BY kind)")
        return {r["kind"]: r for r in rows}

    def path_of(self, row: sqlite3.Row | None) -> Path | None:
        return self.upload_path(row["id"], row["filename"]) if row is not None else None
