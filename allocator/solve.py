"""The staged solve: split into independent components, solve each stage to optimality, merge.

Stages follow the contract's order of what makes one plan better: each stage
fixes the value reached by the one before and starts from its solution.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .instance import Instance
from .greedy import fill, greedy, move_back
from .model import STAGES, Component, build, hint, values
from .rules import Family, blocker, families, scaled
from .supervision import assign_supervisors, contested


# CP-SAT's deterministic time ran at about 0.4 units a second of solving on the benchmark machine
# (2 cores), and building the models takes about as long again: a second of limit buys 0.2 units.
# Budgets are set in those units so that a time-limited solve ends at the same point every run.
DETERMINISTIC_PER_SECOND = 0.2
FLOOR_SECONDS = 10.0  # the least any component may use (within the limit): a few teams are much harder
WALL_MARGIN = 2.0  # the wall-clock stop, as a multiple of the time limit, for machines slower than that


@dataclass(frozen=True)
class Options:
    keep_current: bool = False  # allocate only children awaiting allocation; move nobody
    max_moves: int | None = None
    time_limit: float | None = None  # seconds; default: the policy's
    seed: int | None = None  # default: the policy's
    progress: bool = False
    threads: int = 2  # components solved side by side


@dataclass
class StageResult:
    name: str
    value: int = 0
    optimal: bool = True
    seconds: float = 0.0

    def to_json(self) -> dict:
        value = self.value / 1000 if self.name == "peak_utilisation" else (
            self.value / 100 if self.name == "over_capacity" else self.value)
        return {"stage": self.name, "value": value, "proven_optimal": self.optimal,
                "seconds": round(self.seconds, 3)}


@dataclass
class Solution:
    """What the solver decided, before statuses and reasons are attached."""

    worker_of: dict[str, str | None]  # family id -> worker id
    stages: list[StageResult]
    supervisors: dict[str, str]
    unsupervised: dict[str, str]
    pins_broken: dict[str, str]  # family id -> why the manager's decision could not stand
    seconds: float
    components: int = 0
    newcomers_wait: set[str] = field(default_factory=set)  # mixed families whose awaiting siblings wait

    def worker_of_child(self, child, family_id: str) -> str | None:
        if not child.current_worker and family_id in self.newcomers_wait:
            return None
        return self.worker_of[family_id]


def split(inst: Instance, opts: Options, unsupervised: frozenset[str], pins_broken: dict[str, str],
          contest: dict[str, tuple[int, list[str]]] | None = None,
          start_unsupervised: frozenset[str] = frozenset()) -> list[Component]:
    """Group teams linked by a shared worker (extra_teams) into independent components."""
    teams = inst.teams()
    parent = {t: t for t in teams}

    def find(t):
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for w in inst.workers:
        for t in w.extra_teams:
            if t in parent:
                union(w.team, t)
    if inst.policy.cross_team or opts.max_moves is not None:  # one budget of moves couples everything
        for t in teams[1:]:
            union(teams[0], t)
    groups: dict[str, list[str]] = {}
    for t in teams:
        groups.setdefault(find(t), []).append(t)
    comps = []
    fams = families(inst)
    held = {w.id: 0 for w in inst.workers}  # what each worker holds now, whichever team the child is in
    for ch in inst.children:
        if ch.current_worker in held:
            held[ch.current_worker] += scaled(ch.weight)
    for root, members in sorted(groups.items()):
        ts = set(members)
        workers = [w for w in inst.workers if w.team in ts]
        fs = [f for f in fams if f.team in ts]
        if not fs:
            continue
        domains, pins, joins = [], {}, {}
        for fi, f in enumerate(fs):
            dom, pin = _domain(f, workers, inst, opts, unsupervised, pins_broken)
            domains.append(dom)
            if pin is not None:
                pins[fi] = pin
            if f.mixed:  # newcomers may join only a worker who may hold the whole family
                joins[fi] = [i for i in dom if blocker(workers[i], f.newcomers, inst, unsupervised) is None
                             and blocker(workers[i], f, inst, unsupervised) is None]
        index = {w.id: i for i, w in enumerate(workers)}
        supervision = {t: (places, [index[n] for n in nqsws]) for t, (places, nqsws) in (contest or {}).items()
                       if t in ts}
        waiting_for_place = frozenset(index[n] for n in start_unsupervised if n in index
                                      and inst.worker_by_id[n].team in supervision)
        comps.append(Component(tuple(members), workers, fs, domains, [held[w.id] for w in workers],
                               opts.max_moves, pins, joins, supervision, waiting_for_place))
    return comps


def _domain(f: Family, workers, inst: Instance, opts: Options, unsupervised,
            pins_broken) -> tuple[list[int], int | None]:
    """The workers a family's core may go to, and the manager's pinned worker when that pin is lawful."""
    allowed = [i for i, w in enumerate(workers) if blocker(w, f.core, inst, unsupervised) is None]
    pin = None
    if f.fixed_worker:
        idx = next((i for i, w in enumerate(workers) if w.id == f.fixed_worker), None)
        w = inst.worker_by_id[f.fixed_worker]
        if idx is not None and idx in allowed and blocker(w, f, inst, unsupervised) is None:
            pin = idx  # lawful for the whole family, newcomers included
        else:
            why = (blocker(w, f, inst, unsupervised) or blocker(w, f.core, inst, unsupervised)
                   or f"works in {w.team}, outside the family's reach")
            pins_broken[f.id] = f"fixed to {w.id}, but {w.id} {why}"
    if opts.keep_current and len(f.core.current_workers) == 1:  # split siblings must move anyway
        kept = [i for i in allowed if workers[i].id in f.current_workers or i == pin]
        if kept:
            return kept, pin
    return allowed, pin


def solve_component(c: Component, seed: int, budget: float, deadline: float | None = None):
    """Solve the stages in order on one component within `budget` units of CP-SAT's deterministic time
    (so that where a time limit cuts the search is the same every run); `deadline` is a wall-clock stop.

    Starts from the greedy plan; a stage whose value in the current plan is
    already 0 (its floor) is proven without calling the solver.
    Returns (family -> worker index, mixed families whose newcomers joined, stage results,
    ids of the NQSWs given a supervision place where places ran short).
    """
    from ortools.sat.python import cp_model

    sol, joins = greedy(c, c.max_moves)
    unsup = c.unsupervised
    m = v = None  # the model is built only when a stage needs the solver
    settled: list[tuple] = []  # (term, bound) of the stages decided so far

    def settle(term, bound: int) -> None:
        settled.append((term, bound))
        if m is not None:
            expr = term(c, v)
            if not isinstance(expr, int):
                m.add(expr <= bound)

    results = []
    used = 0.0  # deterministic time spent so far
    if deadline is None:
        deadline = time.perf_counter() + 10 * budget / DETERMINISTIC_PER_SECOND
    for name, term in STAGES:
        started = time.perf_counter()
        current = values(c, sol, joins)[name]
        if current == 0:  # at its floor: proven without the solver
            settle(term, 0)
            results.append(StageResult(name, 0, True, 0.0))
            continue
        if used >= budget or started >= deadline:  # out of time: keep the plan we have, unproven
            settle(term, current)
            results.append(StageResult(name, current, False, 0.0))
            continue
        if m is None:
            m, v = build(c)
            for t, bound in settled:
                e = t(c, v)
                if not isinstance(e, int):
                    m.add(e <= bound)
        expr = term(c, v)
        if isinstance(expr, int):  # nothing the plan can change
            results.append(StageResult(name, expr, True, 0.0))
            continue
        hint(m, c, v, sol, joins, unsup)
        m.minimize(expr)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.linearization_level = 2  # cuts prove bin-packing bounds fast
        p.cp_model_presolve = False  # these models are already tight; presolve cost more than it saved
        p.random_seed = seed
        p.max_deterministic_time = budget - used
        p.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
        status = solver.solve(m)
        used += solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            results.append(StageResult(name, current, False, time.perf_counter() - started))
            settle(term, current)  # out of time: keep the plan we have
            continue
        value = int(round(solver.objective_value))
        settle(term, value)
        sol = {fi: next((wi for wi, var in v.by_family[fi] if solver.boolean_value(var)), None)
               for fi in range(len(c.families))}
        joins = {fi for fi, var in v.joined.items() if solver.boolean_value(var)}
        unsup = frozenset(n for n, var in v.supervised.items() if not solver.boolean_value(var))
        sol, joins = fill(c, sol, joins, unsup)
        if name != "peak_utilisation":  # fairness is the last level: moving back could only undo it
            sol = move_back(c, sol, joins)
        results.append(StageResult(name, value, status == cp_model.OPTIMAL, time.perf_counter() - started))
    placed = {c.workers[n].id for _, nqsws in c.supervision.values() for n in nqsws if n not in unsup}
    return sol, joins, results, placed


def solve(inst: Instance, opts: Options) -> Solution:
    started = time.perf_counter()
    pol = inst.policy
    seed = pol.seed if opts.seed is None else opts.seed
    limit = pol.time_limit_seconds if opts.time_limit is None else opts.time_limit
    supervisors, missing = assign_supervisors(inst)
    contest = contested(inst, supervisors, missing)
    never = frozenset(n for n in missing if inst.worker_by_id[n].team not in contest)  # no place at all
    pins_broken: dict[str, str] = {}
    comps = split(inst, opts, never, pins_broken, contest, frozenset(missing))
    placed: set[str] = set()
    total = sum(c.size for c in comps) or 1
    worker_of: dict[str, str | None] = {f.id: None for f in families(inst)}
    newcomers_wait: set[str] = set()
    stage_totals = {name: StageResult(name) for name, _ in STAGES}
    order = sorted(range(len(comps)), key=lambda i: (-comps[i].size, comps[i].teams))

    threads = max(1, min(opts.threads, len(comps)))
    deadline = started + limit * WALL_MARGIN  # a safety stop only: budgets below are deterministic

    def run(i):
        """A fair share of the limit by size, at least a floor for the hard ones, fixed in advance
        so that a cut-short plan repeats."""
        c = comps[i]
        share = max(limit * threads * c.size / total, FLOOR_SECONDS)
        return i, solve_component(c, seed, min(limit, share) * DETERMINISTIC_PER_SECOND, deadline)

    progress = _progress(opts, len(comps))
    with progress as bar:
        task = bar.add_task("Solving teams", total=len(comps)) if bar else None
        with ThreadPoolExecutor(max_workers=max(1, opts.threads)) as pool:
            for i, (sol, joins, results, chosen) in pool.map(run, order):
                c = comps[i]
                placed |= chosen
                for fi, wi in sol.items():
                    f = c.families[fi]
                    worker_of[f.id] = None if wi is None else c.workers[wi].id
                    if f.mixed and wi is not None and fi not in joins:
                        newcomers_wait.add(f.id)
                for r in results:
                    t = stage_totals[r.name]
                    t.value = max(t.value, r.value) if r.name == "peak_utilisation" else t.value + r.value
                    t.optimal &= r.optimal
                    t.seconds += r.seconds
                if bar:
                    bar.advance(task)
    supervisors, missing = assign_supervisors(inst, first=placed)  # the solver's choice of who gets a place
    _unmet_pins(inst, comps, worker_of, newcomers_wait, pins_broken)
    return Solution(worker_of, list(stage_totals.values()), supervisors, missing, pins_broken,
                    time.perf_counter() - started, len(comps), newcomers_wait)


def _unmet_pins(inst: Instance, comps: list[Component], worker_of: dict, newcomers_wait: set[str],
                pins_broken: dict) -> None:
    """A lawful pin the plan could not keep is reported with what stood in the way: room, or the move budget."""
    load: dict[str, int] = {}
    moves = 0
    for f in families(inst):
        w = worker_of[f.id]
        if w:
            load[w] = load.get(w, 0) + (f.core.weight if f.id in newcomers_wait else f.weight)
            moves += f.with_worker - f.held_by(w)
    for c in comps:
        for fi, wi in c.pins.items():
            f, w = c.families[fi], c.workers[wi]
            if worker_of[f.id] != w.id or f.id in newcomers_wait:
                at_pin = worker_of[f.id] == w.id
                room = load.get(w.id, 0) + (f.newcomers.weight if at_pin else f.weight) <= scaled(w.capacity)
                budget_spent = c.max_moves is not None and moves >= c.max_moves
                pins_broken[f.id] = (
                    f"fixed to {w.id}, but the move budget (--max-moves {c.max_moves}) is used up"
                    if room and budget_spent and not at_pin else
                    f"fixed to {w.id}, but {w.id} has no room for the family "
                    f"({load.get(w.id, 0) / 100:g}/{w.capacity:g}, family needs {f.weight / 100:g})")


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(opts: Options, n: int):
    import sys
    if not opts.progress or n < 2 or not sys.stderr.isatty():
        return _NoProgress()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def allocate(inst: Instance, opts: Options = Options()):
    """Solve, then explain: the plan with a status and reason for every child, validated."""
    from .plan import make_plan
    from .validator import check
    solution = solve(inst, opts)
    plan = make_plan(inst, solution, opts)
    problems = check(inst, plan)
    if problems:
        raise RuntimeError("the plan failed independent validation: " + "; ".join(problems[:5]))
    return plan
