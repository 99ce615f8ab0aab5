"""The staged solve: split into independent components, solve each stage to optimality, merge.

Stages follow the contract's order of what makes one plan better: each stage
fixes the value reached by the one before and starts from its solution.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policy.settings import Policy

from .greedy import fill, greedy, move_back
from .instance import Instance, Worker
from .model import Component, Term, Vars, build, hint, stage_names, values
from .rules import Blocked, Family, blocker, families, held_now, scaled
from .supervision import assign_supervisors, contested

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

# The solve's work is counted, never timed, so that where a limit cuts it is the same on every run.
# Work is in estimated seconds of the benchmark machine (2 cores, benchmarks/bench_allocate.py):
# CP-SAT's deterministic time, plus fixed estimates for building a model and for each call.
SECONDS_PER_UNIT = 4.0  # CP-SAT ran about 0.25 units of deterministic time a second on these models
BUILD_SECONDS_PER_CHOICE = 25e-6  # building a model, per (family, worker) pair it may choose
CALL_SECONDS = 0.005  # each call of the solver, and recomputing the plan's values around it
SOLVE_SHARE = 0.35  # of the time left for solving, for each of the two lanes (they share one interpreter)
# What a run does besides solving, per child: reading and checking, splitting, explaining, validating and
# writing (measured: 44 s for 220,000 children), and the part of it that comes after the solve (22 s).
FIXED_SECONDS_PER_CHILD = 2e-4
START_SECONDS = 1.0  # starting the program and loading OR-Tools, counted in the limit too
WALL_MARGIN = 2.0  # the wall-clock safety stop, as a multiple of the limit: only a much slower machine meets it
AFTER_SECONDS_PER_CHILD = 1e-4


class Interrupted(Exception):
    """The solve was stopped from outside (Ctrl-C): no plan."""


class Clock:
    """The wall-clock safety stop and the cancel switch, shared by the lanes.

    The plan never depends on where the clock stops a search: a run the clock cuts short falls back
    to the starting plan of every component, which a repeat would write too (and says it was cut).
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.cut = False  # the wall clock stopped a search
        self.cancelled = False
        self._lock = threading.Lock()
        self._active: set = set()

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def stopped(self) -> bool:
        """Out of wall time (which marks the run cut) or cancelled."""
        if self.left() <= 0:
            self.cut = True
        return self.cut or self.cancelled

    def run(self, solver, model):
        """solver.solve(model), stoppable by cancel(); marks the run cut if the wall clock ended it."""
        with self._lock:
            if self.cancelled:
                raise Interrupted
            self._active.add(solver)
        try:
            solver.parameters.max_time_in_seconds = max(0.001, self.left())
            status = solver.solve(model)
        finally:
            with self._lock:
                self._active.discard(solver)
        if self.cancelled:
            raise Interrupted
        if self.left() <= 0:
            self.cut = True
        return status

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for s in self._active:
                s.stop_search()


@dataclass(frozen=True)
class Options:
    keep_current: bool = False  # allocate only children awaiting allocation; move nobody
    max_moves: int | None = None
    time_limit: float | None = None  # seconds; default: the policy's
    seed: int | None = None  # default: the policy's
    progress: Callable[[str, int, int], None] | None = None  # told (what, done, total) as components finish
    threads: int = 2  # lanes of components solved side by side
    started: float | None = None  # time.perf_counter() when the run began: the limit counts from there


@dataclass
class StageResult:
    name: str
    value: int = 0
    optimal: bool = True

    def to_json(self) -> dict:
        value = self.value / 1000 if self.name == "peak_utilisation" else (
            self.value / 100 if self.name == "over_capacity" else self.value)
        return {"stage": self.name, "value": value, "proven_optimal": self.optimal}  # no timing: repeatable


@dataclass(frozen=True)
class UnmetPin:
    """Why a manager's decision (fixed_worker) could not stand: a hard rule, the worker out of reach,
    the move budget, or else room (what the worker holds in the plan against the family's need)."""

    worker: str
    blocked: Blocked | None = None
    outside: bool = False
    budget: int | None = None
    held: int = 0  # scaled
    need: int = 0  # scaled


@dataclass(frozen=True)
class Solution:
    """What the solver decided, as facts: the plan's words are the explainer's (plan.py)."""

    worker_of: dict[str, str | None]  # family id -> worker id
    stages: list[StageResult]
    supervisors: dict[str, str]
    unsupervised: dict[str, int]  # NQSW -> supervisors in their team, all full
    pins_broken: dict[str, UnmetPin]  # family id -> why the manager's decision could not stand
    seconds: float
    time_limit: float
    components: int = 0
    newcomers_wait: frozenset[str] = frozenset()  # mixed families whose awaiting siblings wait
    cut_short: bool = False  # the wall clock stopped the search: the starting plan was kept

    def worker_of_child(self, child, family_id: str) -> str | None:
        if not child.current_worker and family_id in self.newcomers_wait:
            return None
        return self.worker_of[family_id]


def _linked_teams(inst: Instance, opts: Options) -> dict[str, str]:
    """Team -> the first team of its group: teams linked by a shared worker (extra_teams), or all of them
    where one budget couples everything (cross_team, --max-moves)."""
    teams = inst.teams()
    parent = {t: t for t in teams}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for w in inst.workers:
        for t in w.extra_teams:
            if t in parent:
                union(w.team, t)
    if inst.policy.cross_team or opts.max_moves is not None:
        for t in teams[1:]:
            union(teams[0], t)
    return {t: find(t) for t in teams}


def split(inst: Instance, opts: Options, unsupervised: frozenset[str], pins_broken: dict[str, UnmetPin],
          contest: dict[str, tuple[int, list[str]]] | None = None,
          start_unsupervised: frozenset[str] = frozenset()) -> list[Component]:
    """Independent components: the groups of linked teams, each with its workers and families."""
    root = _linked_teams(inst, opts)
    groups: dict[str, list[str]] = defaultdict(list)
    workers_of: dict[str, list[Worker]] = defaultdict(list)
    families_of: dict[str, list[Family]] = defaultdict(list)
    for t in inst.teams():
        groups[root[t]].append(t)
    for w in inst.workers:
        workers_of[root[w.team]].append(w)
    for f in families(inst):
        families_of[root[f.team]].append(f)
    held = held_now(inst)  # what each worker holds now, whichever team the child is in
    comps = []
    for r, members in sorted(groups.items()):
        if families_of[r]:
            comps.append(_component(inst, opts, tuple(members), workers_of[r], families_of[r], held, unsupervised,
                                    pins_broken, contest or {}, start_unsupervised))
    return comps


def _component(inst: Instance, opts: Options, teams: tuple[str, ...], workers: list[Worker], fs: list[Family],
               held: dict[str, int], unsupervised: frozenset[str], pins_broken: dict[str, UnmetPin],
               contest: dict[str, tuple[int, list[str]]], start_unsupervised: frozenset[str]) -> Component:
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
    supervision = {t: (places, [index[n] for n in nqsws]) for t, (places, nqsws) in contest.items() if t in teams}
    waiting_for_place = frozenset(index[n] for n in start_unsupervised if n in index
                                  and inst.worker_by_id[n].team in supervision)
    return Component(teams, workers, fs, domains, [held[w.id] for w in workers], opts.max_moves, pins, joins,
                     supervision, waiting_for_place, stage_names(inst.policy.objective_order),
                     frozenset(fi for fi, f in enumerate(fs) if _may_go_above(f, inst.policy)),
                     scaled(inst.policy.over_capacity_max))


def _may_go_above(f: Family, policy: Policy) -> bool:
    """A family wholly awaiting allocation with a child of a priority in over_capacity_for."""
    return not f.with_worker and any(c.priority in policy.over_capacity_for for c in f.children)


def _domain(f: Family, workers: list[Worker], inst: Instance, opts: Options, unsupervised: frozenset[str],
            pins_broken: dict[str, UnmetPin]) -> tuple[list[int], int | None]:
    """The workers a family's core may go to, and the manager's pinned worker when that pin is lawful."""
    allowed = [i for i, w in enumerate(workers) if blocker(w, f.core, inst, unsupervised) is None]
    pin = None
    if f.fixed_worker:
        idx = next((i for i, w in enumerate(workers) if w.id == f.fixed_worker), None)
        w = inst.worker_by_id[f.fixed_worker]
        if idx is not None and idx in allowed and blocker(w, f, inst, unsupervised) is None:
            pin = idx  # lawful for the whole family, newcomers included
        else:
            why = blocker(w, f, inst, unsupervised) or blocker(w, f.core, inst, unsupervised)
            pins_broken[f.id] = UnmetPin(w.id, blocked=why, outside=why is None)
    if opts.keep_current and len(f.core.current_workers) == 1:  # split siblings must move anyway
        kept = [i for i in allowed if workers[i].id in f.current_workers or i == pin]
        if kept:
            return kept, pin
    return allowed, pin


@dataclass
class ComponentResult:
    sol: dict[int, int | None]  # family -> worker index
    joins: set[int]  # mixed families whose newcomers joined
    stages: list[StageResult]
    unsupervised: frozenset[int]  # NQSWs (worker index) left without a supervision place where places ran short
    used: float = 0.0  # work done, in estimated seconds

    def placed(self, c: Component) -> set[str]:
        """Ids of the NQSWs given a supervision place where places ran short."""
        return {c.workers[n].id for _, nqsws in c.supervision.values() for n in nqsws if n not in self.unsupervised}


class _Model:
    """The component's CP-SAT model, built the first time a stage needs the solver, with the stages
    decided so far held at their values."""

    def __init__(self, c: Component) -> None:
        self.c = c
        self.m: cp_model.CpModel | None = None
        self.v: Vars | None = None
        self.settled: list[tuple[Term, int]] = []  # (term, bound) of the stages decided so far

    def settle(self, term: Term, bound: int) -> None:
        self.settled.append((term, bound))
        if self.m is not None and self.v is not None:
            self._hold(term, bound)

    def _hold(self, term: Term, bound: int) -> None:
        assert self.m is not None and self.v is not None
        expr = term(self.c, self.v)
        if not isinstance(expr, int):
            self.m.add(expr <= bound)

    def build(self) -> float:
        """Build the model if not yet built; the estimated seconds that took."""
        if self.m is not None:
            return 0.0
        self.m, self.v = build(self.c)
        for term, bound in self.settled:
            self._hold(term, bound)
        return BUILD_SECONDS_PER_CHOICE * sum(len(d) for d in self.c.domains)


def solve_component(c: Component, seed: int, budget: float, clock: Clock | None = None,
                    start: ComponentResult | None = None) -> ComponentResult:
    """Solve the stages in order on one component within `budget` estimated seconds of work (see
    SECONDS_PER_UNIT): the same work, and so the same plan, on every run.

    Starts from `start` (default: the greedy plan); a stage whose value in that plan is already 0 (its
    floor), or that `start` proved, is not solved again. The values reported are those of the plan returned,
    recomputed from it, whatever the solver claimed on the way.
    """
    clock = clock or Clock(float("inf"))
    if clock.cancelled:
        raise Interrupted
    plan = (start.sol, start.joins, start.unsupervised) if start else (*greedy(c, c.max_moves), c.unsupervised)
    # a plan resumed keeps the stages it proved: they lead the order, so they still hold
    known = {r.name: r.value for r in (start.stages if start else []) if r.optimal}
    model = _Model(c)
    proven: dict[str, int | None] = {}  # stage -> the optimum the solver proved (None: not proven)
    used = 0.0
    for name, term in c.stages:
        current = values(c, plan[0], plan[1])[name]
        if current == 0 or current == known.get(name):  # at its floor, or proven before: no solve
            model.settle(term, current)
            proven[name] = current
            continue
        if used >= budget or clock.stopped():  # out of time: keep the plan we have, unproven
            model.settle(term, current)
            proven[name] = None
            continue
        used += model.build()
        step = _solve_stage(model, name, term, plan, seed, budget - used, clock)
        used += step.used
        model.settle(term, current if step.value is None else step.value)
        proven[name] = step.value if step.optimal else None
        if step.plan is not None:
            plan = step.plan
    return ComponentResult(plan[0], plan[1], stage_results(c, plan[0], plan[1], proven), plan[2], used)


Partial = tuple[dict[int, int | None], set[int], frozenset[int]]  # family -> worker, joins, NQSWs without a place


@dataclass(frozen=True)
class _Step:
    value: int | None  # the stage's value in the new plan (None: no plan found in the time)
    optimal: bool
    plan: Partial | None
    used: float


def _solve_stage(model: _Model, name: str, term: Term, plan: Partial, seed: int, budget: float,
                 clock: Clock) -> _Step:
    """Minimise one stage from `plan` within `budget` estimated seconds; the new plan, filled and moved back."""
    from ortools.sat.python import cp_model

    c, m, v = model.c, model.m, model.v
    assert m is not None and v is not None
    expr = term(c, v)
    if isinstance(expr, int):  # nothing the plan can change
        return _Step(expr, True, None, 0.0)
    hint(m, c, v, *plan)
    m.minimize(expr)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.linearization_level = 2  # cuts prove bin-packing bounds fast
    p.cp_model_presolve = False  # these models are already tight; presolve cost more than it saved
    p.random_seed = seed
    p.catch_sigint_signal = False  # Ctrl-C is Python's to handle (Clock.cancel stops the search)
    p.max_deterministic_time = max(0.0, budget - CALL_SECONDS) / SECONDS_PER_UNIT
    status = clock.run(solver, m)
    used = CALL_SECONDS + solver.deterministic_time * SECONDS_PER_UNIT
    if clock.cut or status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Step(None, False, None, used)  # out of time: keep the plan we have
    sol = {fi: next((wi for wi, var in v.by_family[fi] if solver.boolean_value(var)), None)
           for fi in range(len(c.families))}
    joins = {fi for fi, var in v.joined.items() if solver.boolean_value(var)}
    unsup = frozenset(n for n, var in v.supervised.items() if not solver.boolean_value(var))
    sol, joins = fill(c, sol, joins, unsup)
    if name != "peak_utilisation":  # fairness is the last level: moving back could only undo it
        sol = move_back(c, sol, joins)
    return _Step(int(round(solver.objective_value)), status == cp_model.OPTIMAL, (sol, joins, unsup), used)


def stage_results(c: Component, sol, joins, proven: dict[str, int | None]) -> list[StageResult]:
    """Each stage's value in this plan; proven optimal where the solver proved exactly that value."""
    final = values(c, sol, joins)
    return [StageResult(name, final[name], final[name] == 0 or proven.get(name) == final[name])
            for name in c.names]


def starting_plan(c: Component) -> ComponentResult:
    """The greedy plan, unproven: what a run cut short by the wall clock writes (a repeat writes it too)."""
    sol, joins = greedy(c, c.max_moves)
    return ComponentResult(sol, joins, stage_results(c, sol, joins, {}), c.unsupervised)


def lanes(comps: list[Component], threads: int) -> list[list[int]]:
    """Components dealt to `threads` lanes, largest first to the lightest lane; each lane then runs
    smallest first, so time the easy ones leave flows on to the larger ones. Fixed in advance."""
    weight = [0] * threads
    out: list[list[int]] = [[] for _ in range(threads)]
    for i in sorted(range(len(comps)), key=lambda i: (-comps[i].size, comps[i].teams)):
        k = min(range(threads), key=lambda k: (weight[k], k))
        out[k].append(i)
        weight[k] += comps[i].size
    return [sorted(lane, key=lambda i: (comps[i].size, comps[i].teams)) for lane in out if lane]


def run_lane(comps: list[Component], lane: list[int], seed: int, work: float, clock: Clock,
             done: Callable[[int, ComponentResult], None]) -> None:
    """Solve a lane's components within `work` estimated seconds, the same way every run.

    First pass: each component gets a share of what the lane has left (by size, at least an equal
    share), so the easy ones finish and leave their time. Second pass: what is left goes to those
    not yet proven, in turn, each starting from its first-pass plan.
    """
    left_work, left_size = work, sum(comps[i].size for i in lane)
    results: dict[int, ComponentResult] = {}
    for k, i in enumerate(lane):
        share = left_work * max(comps[i].size / max(1, left_size), 1 / (len(lane) - k))
        results[i] = solve_component(comps[i], seed, share, clock)
        left_work = max(0.0, left_work - results[i].used)
        left_size -= comps[i].size
        done(i, results[i])
    unproven = [i for i in lane if not all(s.optimal for s in results[i].stages)]
    for k, i in enumerate(unproven):
        if left_work <= 0:
            break
        share = left_work / (len(unproven) - k)
        again = solve_component(comps[i], seed, share, clock, start=results[i])
        left_work = max(0.0, left_work - again.used)
        done(i, again)


def _limit(inst: Instance, opts: Options) -> float:
    return inst.policy.time_limit_seconds if opts.time_limit is None else opts.time_limit


def solve(inst: Instance, opts: Options) -> Solution:
    """Split, solve each component's stages in lanes side by side, merge; see Clock for the wall stop."""
    started = time.perf_counter() if opts.started is None else opts.started
    pol = inst.policy
    seed = pol.seed if opts.seed is None else opts.seed
    limit = _limit(inst, opts)
    supervisors, missing = assign_supervisors(inst)
    contest = contested(inst, supervisors, missing)
    never = frozenset(n for n in missing if inst.worker_by_id[n].team not in contest)  # no place at all
    pins_broken: dict[str, UnmetPin] = {}
    comps = split(inst, opts, never, pins_broken, contest, frozenset(missing))
    threads = max(1, min(opts.threads, len(comps)))
    n = len(inst.children)
    clock = Clock(started + max(0.0, WALL_MARGIN * limit - AFTER_SECONDS_PER_CHILD * n))  # room to write after
    work = max(0.0, limit - START_SECONDS - FIXED_SECONDS_PER_CHILD * n) * SOLVE_SHARE  # per lane, counted
    results: dict[int, ComponentResult] = {}
    lock = threading.Lock()

    def done(i: int, result: ComponentResult) -> None:
        with lock:
            results[i] = result
            if opts.progress:
                opts.progress("Solving teams", len(results), len(comps))

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(run_lane, comps, lane, seed, work, clock, done)
                   for lane in lanes(comps, threads)]
        try:
            for f in futures:
                f.result()
        except BaseException:
            clock.cancel()  # Ctrl-C (or a failure): stop every search, then let the lanes end
            raise
    if clock.cut:  # where the clock stopped varies run to run: write what a repeat would write
        results = {i: starting_plan(c) for i, c in enumerate(comps)}
    return _merge(inst, comps, results, pins_broken, time.perf_counter() - started, clock.cut, limit)


def _merge(inst: Instance, comps: list[Component], results: dict[int, ComponentResult],
           pins_broken: dict[str, UnmetPin], seconds: float, cut: bool, limit: float) -> Solution:
    worker_of: dict[str, str | None] = {f.id: None for f in families(inst)}
    newcomers_wait: set[str] = set()
    totals = {name: StageResult(name) for name in stage_names(inst.policy.objective_order)}
    placed: set[str] = set()
    for i, c in enumerate(comps):
        r = results[i]
        placed |= r.placed(c)
        for fi, wi in r.sol.items():
            f = c.families[fi]
            worker_of[f.id] = None if wi is None else c.workers[wi].id
            if f.mixed and wi is not None and fi not in r.joins:
                newcomers_wait.add(f.id)
        for s in r.stages:
            t = totals[s.name]
            t.value = max(t.value, s.value) if s.name == "peak_utilisation" else t.value + s.value
            t.optimal &= s.optimal
    supervisors, missing = assign_supervisors(inst, first=placed)  # the solver's choice of who gets a place
    _unmet_pins(inst, comps, worker_of, newcomers_wait, pins_broken)
    return Solution(worker_of, list(totals.values()), supervisors, missing, pins_broken, seconds, limit, len(comps),
                    frozenset(newcomers_wait), cut)


def _unmet_pins(inst: Instance, comps: list[Component], worker_of: dict[str, str | None], newcomers_wait: set[str],
                pins_broken: dict[str, UnmetPin]) -> None:
    """A lawful pin the plan could not keep is reported with what stood in the way: room, or the move budget."""
    load: dict[str, int] = {}
    moves = 0
    for f in families(inst):
        holder = worker_of[f.id]
        if holder:
            load[holder] = load.get(holder, 0) + (f.core.weight if f.id in newcomers_wait else f.weight)
            moves += f.with_worker - f.held_by(holder)
    for c in comps:
        for fi, wi in c.pins.items():
            f, w = c.families[fi], c.workers[wi]
            if worker_of[f.id] != w.id or f.id in newcomers_wait:
                at_pin = worker_of[f.id] == w.id
                room = load.get(w.id, 0) + (f.newcomers.weight if at_pin else f.weight) <= scaled(w.capacity)
                budget_spent = c.max_moves is not None and moves >= c.max_moves
                pins_broken[f.id] = (UnmetPin(w.id, budget=c.max_moves) if room and budget_spent and not at_pin
                                     else UnmetPin(w.id, held=load.get(w.id, 0), need=f.weight))


def allocate(inst: Instance, opts: Options = Options(), warnings: tuple[str, ...] = ()):
    """Solve, then explain: the plan with a status and reason for every child, validated.

    `warnings`: what reading the inputs found (one line each), carried into the summary."""
    from .plan import make_plan
    from .validator import check
    solution = solve(inst, opts)
    plan = make_plan(inst, solution, opts, warnings)
    problems = check(inst, plan)
    if problems:
        raise RuntimeError("the plan failed independent validation: " + "; ".join(problems[:5]))
    return plan
