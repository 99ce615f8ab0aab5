"""The allocation's typed objects: workers, children and the instance they make with the policy.

Read and checked at the edge (allocator/inputs.py); the solver never re-checks them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from policy.settings import Policy


@dataclass(frozen=True)
class Worker:
    id: str
    team: str
    role: str
    fte: float
    capacity: float  # weighted children, per the policy
    employment: str = "permanent"
    skills: tuple[str, ...] = ()
    asye_start: date | None = None
    supervisor_id: str | None = None
    extra_teams: tuple[str, ...] = ()
    max_children: float | None = None
    accepting: bool = True
    row: int = 0
    absent_from: date | None = None
    absent_until: date | None = None  # None: no known end
    absence: str = ""  # sickness, maternity, leave, training, other
    away: str = ""  # set when absent on the plan date: "absent (sickness) until 2027-03-01"
    reallocate: bool = False  # absent on the plan date for longer than reallocate_after_weeks: capacity 0

    @property
    def is_nqsw(self) -> bool:
        return self.role == "nqsw"

    def serves(self, team: str) -> bool:
        return team == self.team or team in self.extra_teams


@dataclass(frozen=True)
class Child:
    id: str
    team: str
    category: str
    family_id: str
    priority: str = "medium"
    court: bool = False
    required_skills: tuple[str, ...] = ()
    current_worker: str | None = None
    weight: float = 1.0
    fixed_worker: str | None = None
    avoid_workers: tuple[str, ...] = ()
    row: int = 0
    awaiting_since: date | None = None
    waited_days: int = 0  # from awaiting_since up to the plan date, for a child awaiting allocation

    @property
    def needs_experienced(self) -> bool:
        """CP and court work are not led by an NQSW (ASYE practice)."""
        return self.category == "cp" or self.court


@dataclass(frozen=True)
class Instance:
    workers: tuple[Worker, ...]
    children: tuple[Child, ...]
    policy: Policy
    workers_file: str = "workers"
    cases_file: str = "cases"
    # the input columns not used, by file (summary.json's ignored_columns; files/columns.py)
    ignored_columns: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    worker_by_id: dict[str, Worker] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "worker_by_id", {w.id: w for w in self.workers})

    def families(self) -> dict[str, tuple[Child, ...]]:
        fams: dict[str, list[Child]] = defaultdict(list)
        for c in self.children:
            fams[c.family_id].append(c)
        return {f: tuple(cs) for f, cs in sorted(fams.items())}

    def teams(self) -> list[str]:
        return sorted({w.team for w in self.workers} | {c.team for c in self.children})

    def reach(self, team: str) -> tuple[Worker, ...]:
        """The workers who may hold a child of `team`: its own and those listing it in extra_teams
        (everyone, with cross_team), in input order."""
        if self.policy.cross_team:
            return self.workers
        index = self.__dict__.get("_reach")
        if index is None:
            index = serving(self.workers)
            object.__setattr__(self, "_reach", index)
        return index.get(team, ())


def serving(workers) -> dict[str, tuple[Worker, ...]]:
    """Team -> the workers who serve it (their own team or extra_teams), in input order."""
    out: dict[str, list[Worker]] = defaultdict(list)
    for w in workers:
        for t in dict.fromkeys((w.team, *w.extra_teams)):
            out[t].append(w)
    return {t: tuple(ws) for t, ws in out.items()}
