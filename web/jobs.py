"""Solves in the background: one thread, one solve at a time per data folder; the page never waits for it."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Job:
    run_id: int
    thread: threading.Thread
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)  # what -> (done, total)

    def tell(self, what: str, done: int, total: int) -> None:
        """The solve's progress callback."""
        self.progress[what] = (done, total)


class Runner:
    """The background solve of one data folder."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.job: Job | None = None

    def running(self) -> Job | None:
        with self.lock:
            return self.job if self.job is not None and self.job.thread.is_alive() else None

    def start(self, new_run: Callable[[], int], work: Callable[[int, Job], None]) -> tuple[int, bool]:
        """Start a solve unless one is running: (run id, started). `new_run` records the run (under the lock,
        so two clicks cannot both record one); `work(run_id, job)` solves it in the background."""
        with self.lock:
            if self.job is not None and self.job.thread.is_alive():
                return self.job.run_id, False
            run_id = new_run()
            thread = threading.Thread(name=f"caseload-solve-{run_id}", daemon=True,
                                      target=lambda: work(run_id, job))
            job = Job(run_id, thread)
            self.job = job
            job.thread.start()
            return run_id, True

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running solve (tests; a clean shutdown)."""
        job = self.job
        if job is not None:
            job.thread.join(timeout)


_RUNNERS: dict[Path, Runner] = {}
_RUNNERS_LOCK = threading.Lock()


def runner_for(folder: Path) -> Runner:
    """The one Runner of a data folder in this process: two apps on one folder share it."""
    key = folder.resolve()
    with _RUNNERS_LOCK:
        return _RUNNERS.setdefault(key, Runner())
