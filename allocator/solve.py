"""The staged solve: split into independent components, solve each stage to optimality, merge.

Stages follow the contract's order of what makes one plan better: each stage
fixes the value reached by the one before and starts from its solution.
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from policy.settings import PRIORITIES, Policy

from . import floors
from .budget import Point, split_budget
from .greedy import even_out, fill, move_back, start, trade_sheds
from .instance import Instance, Worker
from .model import FAIRNESS, LATE_RULES, Component, Term, Vars, build, hint, stage_names, stage_order, values
from .packing import PACK_SHARE, pack_all
from .relief import relieve_excess
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
LOAD_SECONDS_PER_CHOICE = 2e-6  # and each call's loading of the full model, per (family, worker) choice: measured
# 0.87 s for 421,724 (20 teams, cross_team)
FAIRNESS_SHARE = 0.2  # of a lane's work, at most, for each fairness level of a team (the last, least important)
AGAIN_SHARE = 0.05  # of a lane's work, at most, taken by a team's first turn at fairness for a second (run_lane)
# Of the time left for solving, for each of the two lanes (they share one interpreter). Measured on 400 teams
# (57,200 children), 26 November 2026: at 0.35 the run ended at 34 s of a 60 s limit, proven up to
# fixed_worker_not_met, 2,646 moves; at 0.5 at 41 s, proven up to waiting_high, 1,558 moves.
SOLVE_SHARE = 0.5
# What a run does besides solving, per child: reading and checking, splitting, explaining, validating and
# writing (measured: 48 s for 220,000 children), and the part of it that comes after the solve (22 s).
FIXED_SECONDS_PER_CHILD = 2.2e-4
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
    bound: int = 0  # no plan does better at this stage (with the stages before held at this plan's values)

    def to_json(self) -> dict:
        """The stage in summary.json: its value, whether it is proven optimal and, where it is not, the bound
        (the gap the limit left). No timing: repeatable."""
        out = {"stage": self.name, "value": self.shown(self.value), "proven_optimal": self.optimal}
        if not self.optimal:
            out["bound"] = self.shown(self.bound)
        return out

    def shown(self, x: int) -> float | int:
        return {"peak_utilisation": x / 1000, "over_capacity": x / 100, "above_headroom": x / 100}.get(self.name, x)


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
    under cross_team, or under --max-moves in a council small enough to solve as one model (COUPLED_CHOICES);
    in a larger one the budget is split between the groups (see budgeted)."""
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
    if inst.policy.cross_team or (opts.max_moves is not None and _choices(inst) <= COUPLED_CHOICES):
        for t in teams[1:]:
            union(teams[0], t)
    return {t: find(t) for t in teams}


# Under --max-moves, a council with at most this many (child, worker who may hold them) choices is solved as one
# model holding the budget (the sample, 8 teams: a few seconds). In a larger one that model grows past what the
# limit proves (50 teams: 73 s), and the budget is split between the groups by their curves instead.
COUPLED_CHOICES = 40_000


def _choices(inst: Instance) -> int:
    """Children times the workers who may hold a child of their team: the size of one model of the council."""
    per_team: dict[str, int] = defaultdict(int)
    for c in inst.children:
        per_team[c.team] += 1
    return sum(n * len(inst.reach(t)) for t, n in per_team.items())


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
    verdicts: dict[tuple, dict] = {}  # what the hard rules read of a family -> (worker, new to them) -> allowed
    for fi, f in enumerate(fs):
        dom, pin = _domain(f, workers, inst, opts, unsupervised, pins_broken, verdicts)
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
    return Component(teams, workers, fs, domains, [held[w.id] for w in workers], None, pins, joins,
                     supervision, waiting_for_place, stage_names(inst.policy.objective_order),
                     frozenset(fi for fi, f in enumerate(fs) if _may_go_above(f, inst.policy)),
                     scaled(inst.policy.over_capacity_max))


def _may_go_above(f: Family, policy: Policy) -> bool:
    """A family wholly awaiting allocation with a child of a priority in over_capacity_for."""
    return not f.with_worker and any(c.priority in policy.over_capacity_for for c in f.children)


def _domain(f: Family, workers: list[Worker], inst: Instance, opts: Options, unsupervised: frozenset[str],
            pins_broken: dict[str, UnmetPin], verdicts: dict[tuple, dict[tuple[int, bool], bool]]
            ) -> tuple[list[int], int | None]:
    """The workers a family's core may go to, and the manager's pinned worker when that pin is lawful.

    The hard rules read of a family only its team, skills, NQSW need, avoid list and weight, and whether the
    worker would be new to it: `verdicts` keeps each answer for the families of a component that share them
    (a county has millions of family-worker pairs, and few kinds of family a team)."""
    core = f.core
    held, size = core.held_now, core.size
    known = verdicts.setdefault((core.team, core.skills, core.needs_experienced, core.avoid, core.weight), {})
    allowed = []
    for i, w in enumerate(workers):
        key = (i, held.get(w.id, 0) < size)  # (worker, new to them)
        ok = known.get(key)
        if ok is None:
            ok = known[key] = blocker(w, core, inst, unsupervised) is None
        if ok:
            allowed.append(i)
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
        self.settled: list[tuple[str, Term, int]] = []  # (name, term, bound) of the stages decided so far
        self.late: set[str] = set()  # the stages whose LATE_RULES the model has
        self.least: dict[int, int] = {}  # worker -> the least load the model holds them to (floors.least_loads)

    def settle(self, name: str, term: Term, bound: int) -> None:
        self.settled.append((name, term, bound))
        if self.m is not None and self.v is not None:
            self._hold(term, bound)
            self._hold_least()

    def _hold_least(self) -> None:
        assert self.m is not None and self.v is not None
        floors.hold_least_loads(self.c, self.m, self.v.load, {n: bound for n, _, bound in self.settled}, self.least)

    def _hold(self, term: Term, bound: int) -> None:
        assert self.m is not None and self.v is not None
        expr = term(self.c, self.v)
        if not isinstance(expr, int):
            self.m.add(expr <= bound)

    def floor(self, name: str) -> int:
        """floors.floor of stage `name` with the stages settled so far held at their values."""
        return floors.floor(self.c, name, {n: bound for n, _, bound in self.settled})

    def build(self) -> float:
        """Build the model if not yet built; the estimated seconds that took."""
        if self.m is not None:
            return 0.0
        self.m, self.v = build(self.c)
        for _, term, bound in self.settled:
            self._hold(term, bound)
        self._hold_least()
        return BUILD_SECONDS_PER_CHOICE * sum(len(d) for d in self.c.domains)


def solve_component(c: Component, seed: int, budget: float, clock: Clock | None = None,
                    resume: ComponentResult | None = None, upto: str | None = None,
                    fairness_cap: float | None = None, count: bool = True) -> ComponentResult:
    """Solve the stages in order on one component within `budget` estimated seconds of work (see
    SECONDS_PER_UNIT): the same work, and so the same plan, on every run.

    Starts from `resume` (default: greedy.start's plan); a stage already at its floor (floors.py; 0 for most)
    or proven by `resume` is not solved again. The values reported are those of the plan returned, recomputed
    from it. With `upto`, the stages after that one are left unsolved (and unproven). A fairness level takes at
    most `fairness_cap` of the work, if given. With `count` (and no `resume`), the stages before moves go first
    to the class model (_counted).
    """
    clock = clock or Clock(float("inf"))
    if clock.cancelled:
        raise Interrupted
    plan = (resume.sol, resume.joins, resume.unsupervised) if resume else (*start(c), c.unsupervised)
    # a plan resumed keeps the stages it proved: they lead the order, so they still hold
    known = {r.name: r.value for r in (resume.stages if resume else []) if r.optimal}
    model = _Model(c)
    proven: dict[str, int | None] = {}  # stage -> the optimum the solver proved (None: not proven)
    bounds = {r.name: r.bound for r in (resume.stages if resume else [])}  # stage -> the best bound known
    used = 0.0
    if resume is None and budget > 0:
        packed, used = pack_all(c, plan[0], plan[1], seed, PACK_SHARE * budget, clock)
        plan = plan if packed is None else (packed, *plan[1:])
    if resume is None and count:
        plan, floored = _floored(c, plan, budget > 0)
        counted = None if floored else _counted(c, plan, seed, budget, clock)
        if counted is not None:
            plan, found, counted_bounds, spent = counted
            used += spent
            known.update(found)
            bounds.update(counted_bounds)
    for name, term in c.stages[:upto_end([name for name, _ in c.stages], upto)]:
        plan = _by_hand(model, name, plan, used < budget)
        current, floor = values(c, plan[0], plan[1])[name], model.floor(name)
        bounds[name] = max(bounds.get(name, 0), floor)
        if current <= floor or current == known.get(name):  # at its floor, or proven before: no solve
            model.settle(name, term, current)
            proven[name] = current
            continue
        if used >= budget or clock.stopped():  # out of time: keep the plan we have, unproven
            model.settle(name, term, current)
            proven[name] = None
            continue
        if name in FAIRNESS:
            left = budget - used if fairness_cap is None else min(budget - used, fairness_cap)
            step = _fairness_step(model, name, term, plan, current, seed, left, clock)
        elif name == "moves":
            step = _moves_step(model, name, term, plan, current, seed, budget - used, clock)
        else:
            used += model.build()
            step = _solve_stage(model, name, term, plan, seed, budget - used, clock)
        used += step.used
        model.settle(name, term, current if step.value is None else step.value)
        proven[name] = step.value if step.optimal else None
        bounds[name] = max(bounds.get(name, 0), step.bound)
        if step.plan is not None:
            plan = step.plan
    return ComponentResult(plan[0], plan[1], stage_results(c, plan[0], plan[1], proven, bounds), plan[2], used)


Partial = tuple[dict[int, int | None], set[int], frozenset[int]]  # family -> worker, joins, NQSWs without a place
COUNT_SHARE = 0.25  # of a component's work for the counting stages on the class model (aggregate.py)
COUNT_PAIRS = 20_000  # classes x workers above this, and above COUNT_SMALLER of the full model's choices (family,
COUNT_SMALLER = 0.2  # worker): the class model is no smaller than the full one, to gain from
COUNT_RATIO = 0.75  # classes above this share of families: too few alike to gain
COUNT_MIN_SECONDS = 0.025  # less work than this for the class model: it would not find a plan


def _by_hand(model: _Model, name: str, plan: Partial, time_left: bool) -> Partial:
    """The plan bettered by hand before the stage's search, while the component has work left: evened out
    before above_headroom (nearer its bound), relieved before over_capacity where above its floor (often to the
    floor: then no search) and no move budget binds the relief (a budget's search takes what relief fits within
    it, see _relieved)."""
    c = model.c
    if name == "above_headroom" and time_left:
        return (even_out(c, trade_sheds(c, *plan), *plan[1:]), *plan[1:])
    if name == "over_capacity" and time_left and c.max_moves is None:
        floor = model.floor(name)
        if values(c, plan[0], plan[1])[name] > floor:
            sol, joins, _ = _relieved(c, (plan[0], plan[1]), plan[2], 0, floor)
            return (sol, joins, plan[2])
    return plan


def _floored(c: Component, plan: Partial, time_left: bool) -> tuple[Partial, bool]:
    """The plan bettered by hand (_by_hand) at each counting stage in turn (aggregate.counting_stages), and
    whether that brought every one of them to its floor, each with the stages before held at the plan's values:
    then the class model (_counted) has nothing left to prove."""
    from .aggregate import counting_stages
    held, terms = _Model(c), dict(c.stages)
    for name in counting_stages(c):
        plan = _by_hand(held, name, plan, time_left)
        value = values(c, plan[0], plan[1])[name]
        if value > held.floor(name):
            return plan, False
        held.settle(name, terms[name], value)
    return plan, True


def _counted(c: Component, plan: Partial, seed: int, budget: float,
             clock: Clock) -> tuple[Partial, dict[str, int], dict[str, int], float] | None:
    """The counting stages (those before moves) solved on the class model, where families fall into few
    classes of interchangeable ones: (its plan, moved back where it can, the stages it proved, the bounds, the
    work used); None where it would not gain (too few alike families, or too little work to find a plan).

    Under a move budget the class model is a relaxation: its plan (and what it proved, and its bounds) is
    taken only where it keeps to the budget."""
    from dataclasses import replace

    from .aggregate import count_component
    work = COUNT_SHARE * budget
    if not c.families or work < COUNT_MIN_SECONDS or _worth_counting(c) is None:
        return None
    free = replace(c, max_moves=None)
    try:
        counts = count_component(free, seed=seed, work=work / SECONDS_PER_UNIT, start=(plan[0], plan[1]),
                                 start_unsupervised=plan[2], run=clock.run)
    except RuntimeError:  # no plan within the work: carry on from the starting plan
        return None
    used = counts.used * SECONDS_PER_UNIT + CALL_SECONDS
    joins = set(counts.joins)
    sol = move_back(c, counts.sol, joins)
    if c.max_moves is not None and values(c, sol, joins)["moves"] > c.max_moves:
        # nor its bounds: each holds with the stages before it at the class model's values, which the budget
        # may make worse (found in review: a later stage can then go below its bound)
        return plan, {}, {}, used
    found = {n: counts.values[n] for n in counts.stages if counts.proven[n]}
    return (sol, joins, counts.unsupervised), found, dict(counts.bounds), used


REFUTE_SHARE = 0.25  # of a fairness level's work, at most, for the class model to prove the plan's value first


def _worth_counting(c: Component) -> list | None:
    """The component's classes where the class model gains (enough alike families, and smaller than the full
    model), else None."""
    ks = c.classes
    pairs = len(ks) * len(c.workers)
    big = pairs > COUNT_PAIRS and pairs > COUNT_SMALLER * sum(len(dom) for dom in c.domains)
    return None if ks and (len(ks) > COUNT_RATIO * len(c.families) or big) else ks


def _refuted(model: _Model, name: str, value: int, seed: int, work: float, clock: Clock) -> tuple[bool, float]:
    """Does the class model prove no plan does better than `value` at the fairness level `name`, given the
    stages settled so far (aggregate.refutes)? (The answer, the work used: none where it would not gain.)"""
    from .aggregate import refutes
    ks = _worth_counting(model.c)
    if not ks or work < COUNT_MIN_SECONDS:
        return False, 0.0
    held = [(stage, bound) for stage, _, bound in model.settled]
    refuted, det = refutes(model.c, ks, held, name, value, seed=seed, work=work / SECONDS_PER_UNIT, run=clock.run)
    return refuted, CALL_SECONDS + det * SECONDS_PER_UNIT


def _fairness_step(model: _Model, name: str, term: Term, plan: Partial, current: int, seed: int, work: float,
                   clock: Clock) -> _Step:
    """A fairness level within `work`: the class model first tries to prove the plan's value (_refuted); where it
    cannot, the full model searches, and if it does not prove what it finds, the class model tries again (the
    full model often finds the best plan long before it can prove it)."""
    refuted, used = _refuted(model, name, current, seed, REFUTE_SHARE * work, clock)
    if refuted:
        return _Step(current, True, None, used, current)
    # kept for the second try: about what the first took, and enough for the class model to run at all
    reserve = max(COUNT_MIN_SECONDS, min(REFUTE_SHARE * work, 2 * used + CALL_SECONDS))
    used += model.build()
    step = _solve_stage(model, name, term, plan, seed, work - used - reserve, clock)
    used += step.used
    if step.plan is not None and not step.optimal:
        value = values(model.c, step.plan[0], step.plan[1])[name]
        refuted, spent = _refuted(model, name, value, seed, max(reserve, work - used), clock)
        used += spent
        if refuted:
            step = replace(step, value=value, optimal=True, bound=value)
    return replace(step, used=used)


def _moves_step(model: _Model, name: str, term: Term, plan: Partial, current: int, seed: int, work: float,
                clock: Clock) -> _Step:
    """`moves` within `work`. Where the class model gains (_worth_counting), it goes first: on a large one (
    aggregate.LP_FIRST), as is the full model, whose search is then slow to prove anything, its linear
    relaxation bounds the moves; else it searches (aggregate.best_moves, MOVES_CLASS_SHARE of the work), and
    the plan its counts make is taken where it moves fewer and keeps every stage before. A plan at either
    bound needs no more search; one the full model's search finds but does not prove may still meet it."""
    from .aggregate import best_moves, floor_of, relaxation_first
    c, floor, used = model.c, 0, 0.0
    ks = _worth_counting(c)
    held = [(stage, bound) for stage, _, bound in model.settled]
    if ks and relaxation_first(ks):
        lp, det = floor_of(c, ks, held, name)
        floor, used = lp or 0, CALL_SECONDS + det * SECONDS_PER_UNIT
    elif ks:
        floor, _, found, det = best_moves(c, ks, held, plan, seed=seed, run=clock.run,
                                          work=MOVES_CLASS_SHARE * work / SECONDS_PER_UNIT)
        used = CALL_SECONDS + det * SECONDS_PER_UNIT
        if found is not None:
            sol, joins = move_back(c, found[0], found[1]), found[1]
            now = values(c, sol, joins)
            if now[name] < current and all(now[n] <= bound for n, bound in held):
                plan, current = (sol, joins, found[2]), now[name]
    if current <= floor:
        return _Step(current, True, plan, used, current)
    used += model.build()
    step = _solve_stage(model, name, term, plan, seed, work - used, clock)
    used += step.used
    if step.plan is None:
        step = replace(step, plan=plan, value=current)
    if not step.optimal:
        assert step.plan is not None
        value = values(c, step.plan[0], step.plan[1])[name]
        step = replace(step, value=value, optimal=True, bound=value) if value <= floor else \
            replace(step, bound=max(step.bound, floor))
    return replace(step, used=used)


MOVES_CLASS_SHARE = 0.5  # of the moves stage's work, at most, for the class model's search (best_moves)


@dataclass(frozen=True)
class _Step:
    value: int | None  # the stage's value in the new plan (None: no plan found in the time)
    optimal: bool
    plan: Partial | None
    used: float
    bound: int = 0  # the solver's bound: no plan does better


def _solve_stage(model: _Model, name: str, term: Term, plan: Partial, seed: int, budget: float,
                 clock: Clock) -> _Step:
    """Minimise one stage from `plan` within `budget` estimated seconds; the new plan, filled and moved back."""
    from ortools.sat.python import cp_model

    c, m, v = model.c, model.m, model.v
    assert m is not None and v is not None
    if name in LATE_RULES and name not in model.late:
        LATE_RULES[name](c, m, v)
        model.late.add(name)
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
    call = CALL_SECONDS + LOAD_SECONDS_PER_CHOICE * len(v.x)
    p.max_deterministic_time = max(0.0, budget - call) / SECONDS_PER_UNIT
    status = clock.run(solver, m)
    used = call + solver.deterministic_time * SECONDS_PER_UNIT
    if clock.cut or status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Step(None, False, None, used, _bound(solver))  # out of time: keep the plan we have
    sol = {fi: next((wi for wi, var in v.by_family[fi] if solver.boolean_value(var)), None)
           for fi in range(len(c.families))}
    joins = {fi for fi, var in v.joined.items() if solver.boolean_value(var)}
    unsup = frozenset(n for n, var in v.supervised.items() if not solver.boolean_value(var))
    sol, joins = _kept(c, name, (sol, joins), fill(c, sol, joins, unsup))
    if name not in FAIRNESS:  # fairness comes last: moving back could only undo it
        sol, joins = _kept(c, name, (sol, joins), (move_back(c, sol, joins), joins))
    value = int(round(solver.objective_value))
    if name == "over_capacity" and status != cp_model.OPTIMAL:  # the exchanges one search misses
        sol, joins, value = _relieved(c, (sol, joins), unsup, value, _bound(solver))
    return _Step(value, status == cp_model.OPTIMAL, (sol, joins, unsup), used, _bound(solver))


def _relieved(c: Component, plan: tuple[dict[int, int | None], set[int]], unsup: frozenset[int],
              value: int, goal: int = 0) -> tuple[dict[int, int | None], set[int], int]:
    """relief.relieve_excess on the plan before the over_capacity search (_by_hand) or after one that did not
    prove it, then the room left given to children waiting (greedy.fill); taken where it lowers over_capacity,
    leaves every stage before it no worse (each is held at its value for the stages after) and keeps to a move
    budget: (the plan, its joins, over_capacity). Relief stops at `goal`, a bound no plan beats."""
    upto = _upto(c, "over_capacity")
    may_wait = frozenset(p for p in PRIORITIES if f"waiting_{p}" not in upto and f"waited_{p}" not in upto)
    sol, joins = fill(c, relieve_excess(c, plan[0], plan[1], unsup, may_wait, goal), plan[1], unsup)
    was, now = values(c, *plan), values(c, sol, joins)
    if (now["over_capacity"] < was["over_capacity"] and all(now[n] <= was[n] for n in upto)
            and (c.max_moves is None or now["moves"] <= c.max_moves)):
        return sol, joins, now["over_capacity"]
    return *plan, value


def _kept(c: Component, name: str, plan: tuple[dict[int, int | None], set[int]],
          touched: tuple[dict[int, int | None], set[int]]) -> tuple[dict[int, int | None], set[int]]:
    """`touched` (the solver's plan filled, or moved back) unless it is worse by the stages up to `name`, in
    order. Filling and moving back never worsen a stage but fairness; under a policy that ranks a fairness level
    before a waiting stage, filling the room the peak's optimum left would raise the peak behind the solver."""
    upto = _upto(c, name)
    if not any(stage in FAIRNESS for stage in upto):
        return touched
    was, now = values(c, *plan), values(c, *touched)
    return touched if [now[n] for n in upto] <= [was[n] for n in upto] else plan


def _upto(c: Component, name: str) -> list[str]:
    """The component's stages up to `name`, that one included, in order."""
    names = [stage for stage, _ in c.stages]
    return names[:names.index(name) + 1]


def _bound(solver: cp_model.CpSolver) -> int:
    """The solver's lower bound on the stage, rounded up to a whole value (0 where it has none)."""
    bound = solver.best_objective_bound
    return max(0, math.ceil(bound - 1e-6)) if math.isfinite(bound) else 0


def stage_results(c: Component, sol, joins, proven: dict[str, int | None],
                  bounds: dict[str, int] | None = None) -> list[StageResult]:
    """Each stage's value in this plan; proven optimal where the solver proved exactly that value; else the
    best bound known (0, the floor, where the stage was not searched)."""
    final = values(c, sol, joins)
    out = []
    for name in c.names:
        optimal = final[name] == 0 or proven.get(name) == final[name]
        out.append(StageResult(name, final[name], optimal,
                               final[name] if optimal else min(final[name], (bounds or {}).get(name, 0))))
    return out


def starting_plan(c: Component) -> ComponentResult:
    """The starting plan, unproven: what a run cut short by the wall clock writes (a repeat writes it too)."""
    sol, joins = start(c)
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
             done: Callable[[int, ComponentResult], None], upto: str | None = None,
             resume: dict[int, ComponentResult] | None = None) -> float:
    """Solve a lane's components (their stages up to `upto`, from `resume`'s plans where given) within `work`
    estimated seconds, the same way every run; the work left over.

    First pass: each component gets a share of what the lane has left (by size, at least an equal
    share), so the easy ones finish and leave their time. Second pass: what is left goes to those
    not yet proven, in turn, each starting from its first-pass plan. Where fairness comes last (the
    default order), both passes stop before it and two more passes, the same way, give it what the lane
    has left: the least important levels never take time from a more important one in another team.
    """
    stop = upto or (_before_fairness(comps[lane[0]]) if lane else None)
    left_work, left_size = work, sum(comps[i].size for i in lane)
    results: dict[int, ComponentResult] = {}
    for k, i in enumerate(lane):
        share = left_work * max(comps[i].size / max(1, left_size), 1 / (len(lane) - k))
        results[i] = solve_component(comps[i], seed, share, clock, (resume or {}).get(i), stop)
        left_work = max(0.0, left_work - results[i].used)
        left_size -= comps[i].size
        done(i, results[i])
    left_work = _again(comps, lane, results, seed, left_work, clock, done, stop)
    if upto is None and stop is not None:
        cap = FAIRNESS_SHARE * work
        before = {i: {r.name: r.value for r in results[i].stages} for i in lane}
        # shared among the teams whose plan is not already at the fairness levels' floors (floors.py): the
        # others need none, and the easy teams at the head of the lane would otherwise get a share too small
        needy = [i for i in lane if not _at_floors(comps[i], results[i])]
        for i in lane:
            share = left_work / max(1, len(needy))
            results[i] = solve_component(comps[i], seed, share, clock, results[i], fairness_cap=cap)
            needy = [j for j in needy if j != i]
            left_work = max(0.0, left_work - results[i].used)
            done(i, results[i])
        # a team's fairness takes at most `cap` a level in all: what it took in that pass comes off. A second
        # turn where the first bettered a level it could not prove, or took little (AGAIN_SHARE of the lane): a
        # longer search may prove a small team's level (400 teams: three, with 0.5-1.3 s more); one that took
        # much and bettered nothing would take as much again for nothing (u120's peak: 5.5 s more)
        spent = {i: results[i].used for i in lane}
        again = [i for i in lane if spent[i] <= AGAIN_SHARE * work
                 or any(not r.optimal and r.value != before[i][r.name] for r in results[i].stages)]
        left_work = _again(comps, again, results, seed, left_work, clock, done, None,
                           lambda i: max(0.0, len(FAIRNESS) * cap - spent[i]))
    return left_work


def _at_floors(c: Component, r: ComponentResult) -> bool:
    """Is the plan at the floor (floors.py) of each fairness level, the stages before held at its values?"""
    held = {s.name: s.value for s in r.stages if s.name not in FAIRNESS}
    for s in r.stages:
        if s.name in FAIRNESS:
            if s.value > floors.floor(c, s.name, held):
                return False
            held[s.name] = s.value
    return True


def _again(comps: list[Component], lane: list[int], results: dict[int, ComponentResult], seed: int, work: float,
           clock: Clock, done: Callable[[int, ComponentResult], None], upto: str | None,
           fairness_cap: Callable[[int], float] | None = None) -> float:
    """What is left of the lane's work to its components not yet proven (up to `upto`), in turn, each from its
    plan so far (a fairness level of component i taking at most fairness_cap(i)); the work left over."""
    unproven = [i for i in lane if not proven(results[i], upto)]
    for k, i in enumerate(unproven):
        if work <= 0:
            break
        cap = None if fairness_cap is None else fairness_cap(i)
        if cap is not None and cap <= 0:
            continue
        results[i] = solve_component(comps[i], seed, work / (len(unproven) - k), clock, results[i], upto, cap)
        work = max(0.0, work - results[i].used)
        done(i, results[i])
    return work


def _before_fairness(c: Component) -> str | None:
    """The stage before the fairness levels where they come last in the order (else None)."""
    names = [name for name, _ in c.stages]
    tail = len(FAIRNESS)
    return names[-tail - 1] if len(names) > tail and tuple(names[-tail:]) == FAIRNESS else None


def proven(r: ComponentResult, upto: str | None = None) -> bool:
    """Is every stage proven optimal (up to `upto`)?"""
    return all(s.optimal for s in r.stages[:upto_end([s.name for s in r.stages], upto)])


def upto_end(names: Sequence[str], upto: str | None) -> int | None:
    """Where a slice of stages up to and including the one named `upto` ends (None: all, if none is)."""
    return names.index(upto) + 1 if upto in names else None


def _limit(inst: Instance, opts: Options) -> float:
    return inst.policy.time_limit_seconds if opts.time_limit is None else opts.time_limit


def solve(inst: Instance, opts: Options) -> Solution:
    """Split, solve each component's stages in lanes side by side, merge; see Clock for the wall stop.

    Under --max-moves every group is solved free first; if their moves add up to more than the budget,
    the budget is split between them by their curves (see budget.py)."""
    started = time.perf_counter() if opts.started is None else opts.started
    pol = inst.policy
    seed = pol.seed if opts.seed is None else opts.seed
    limit = _limit(inst, opts)
    supervisors, missing = assign_supervisors(inst)
    contest = contested(inst, supervisors, missing)
    never = frozenset(n for n in missing if inst.worker_by_id[n].team not in contest)  # no place at all
    pins_broken: dict[str, UnmetPin] = {}
    comps = split(inst, opts, never, pins_broken, contest, frozenset(missing))
    run = _Run(comps, max(1, min(opts.threads, len(comps))), seed, opts.progress,
               Clock(started + max(0.0, WALL_MARGIN * limit - AFTER_SECONDS_PER_CHILD * len(inst.children))))
    work = max(0.0, limit - START_SECONDS - FIXED_SECONDS_PER_CHILD * len(inst.children)) * SOLVE_SHARE  # a lane
    if opts.max_moves is None:
        results: dict[int, ComponentResult] = {}
        run.lanes(lambda k, lane: run_lane(comps, lane, seed, work, run.clock, run.done(results)))
    else:
        results = budgeted(run, opts.max_moves, work)
    if run.clock.cut:  # where the clock stopped varies run to run: write what a repeat would write
        results = starting_plans(comps, opts.max_moves)
    return _merge(inst, comps, results, pins_broken, time.perf_counter() - started, run.clock.cut, limit,
                  opts.max_moves)


class _Run:
    """The components of one solve, the lanes they are solved in and the wall clock they share."""

    def __init__(self, comps: list[Component], threads: int, seed: int,
                 progress: Callable[[str, int, int], None] | None, clock: Clock) -> None:
        self.comps, self.threads, self.seed, self.progress, self.clock = comps, threads, seed, progress, clock
        self._lock = threading.Lock()

    def done(self, results: dict[int, ComponentResult]) -> Callable[[int, ComponentResult], None]:
        """A callback keeping each component's latest result in `results`, telling progress."""
        def record(i: int, result: ComponentResult) -> None:
            with self._lock:
                results[i] = result
                if self.progress:
                    self.progress("Solving teams", len(results), len(self.comps))
        return record

    def lanes(self, job: Callable[[int, list[int]], object]) -> None:
        """job(k, lane) for every lane k, side by side; Ctrl-C (or a failure) stops every search first."""
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            futures = [pool.submit(job, k, lane) for k, lane in enumerate(lanes(self.comps, self.threads))]
            try:
                for f in futures:
                    f.result()
            except BaseException:
                self.clock.cancel()
                raise


FREE_SHARE = 0.5  # under --max-moves, of each lane's work: every group solved free, up to `moves`
CURVE_SHARE = 0.7  # then, of what is left, the groups' curves (if the free plans' moves exceed the budget)


def budgeted(run: _Run, budget: int, work: float) -> dict[int, ComponentResult]:
    """Every group solved free up to `moves`; if their moves add up to more than the budget, each group's
    curve and the split (budget.split_budget); then each group solved on from its plan, with its share of
    the budget as its own."""
    comps, seed, clock = run.comps, run.seed, run.clock
    if len(comps) == 1:  # nothing to split: one model holds the budget
        one = [replace(comps[0], max_moves=budget)]
        out: dict[int, ComponentResult] = {}
        run.lanes(lambda k, lane: run_lane(one, lane, seed, work, clock, run.done(out)))
        return out
    free: dict[int, ComponentResult] = {}
    left: dict[int, float] = {}

    def solve_free(k: int, lane: list[int]) -> None:
        left[k] = work * (1 - FREE_SHARE) + run_lane(comps, lane, seed, work * FREE_SHARE, clock, run.done(free),
                                                     upto="moves")

    run.lanes(solve_free)
    picks = {i: Point(moves_of(c, free[i]), (), free[i]) for i, c in enumerate(comps)}
    if sum(p.moves for p in picks.values()) > budget:
        curves: dict[int, list[Point[ComponentResult]]] = {}

        def trace(k: int, lane: list[int]) -> None:
            spend = left[k] * CURVE_SHARE
            for n, i in enumerate(lane):
                curves[i], used = curve(comps[i], free[i], budget, seed, spend / (len(lane) - n), clock)
                spend, left[k] = max(0.0, spend - used), max(0.0, left[k] - used)

        run.lanes(trace)
        picks = dict(enumerate(split_budget([curves[i] for i in range(len(comps))], budget)))
    out = {}
    within = [replace(c, max_moves=picks[i].moves) for i, c in enumerate(comps)]
    run.lanes(lambda k, lane: run_lane(within, lane, seed, left[k], clock, run.done(out),
                                       resume={i: picks[i].plan for i in lane}))
    return out


def moves_of(c: Component, r: ComponentResult) -> int:
    return values(c, r.sol, r.joins)["moves"]


def curve(c: Component, free: ComponentResult, budget: int, seed: int, share: float,
          clock: Clock) -> tuple[list[Point[ComponentResult]], float]:
    """The group's curve within `share` of work, from the free plan (or the whole budget) down to 0 moves:
    at each step the best plan within one move fewer than the last point (stages up to `moves`), with half
    the work left (all of it for 0 moves)."""
    order = stage_order(c.names, True, True)
    before = order[:order.index("moves")]

    def point(r: ComponentResult) -> Point[ComponentResult]:
        v = values(c, r.sol, r.joins)
        return Point(v["moves"], tuple(v[name] for name in before), r)

    points = [point(free)] if moves_of(c, free) <= budget else []
    most, used = (points[0].moves - 1 if points else budget), 0.0
    while most >= 0:
        # half of what is left: the first points (the most moves) are the likeliest picks and the hardest
        r = solve_component(replace(c, max_moves=most), seed, (share - used) / (2 if most else 1), clock, upto="moves",
                            count=False)  # the class model would ignore the binding budget: no gain
        used += r.used
        points.append(point(r))
        most = points[-1].moves - 1
    return points, used


def starting_plans(comps: list[Component], budget: int | None) -> dict[int, ComponentResult]:
    """Every group's starting plan, unproven, the budget handed out in order: what a run the clock cut writes."""
    out: dict[int, ComponentResult] = {}
    for i, c in enumerate(comps):
        out[i] = starting_plan(c if budget is None else replace(c, max_moves=budget))
        budget = None if budget is None else budget - moves_of(c, out[i])
    return out


def _merge(inst: Instance, comps: list[Component], results: dict[int, ComponentResult],
           pins_broken: dict[str, UnmetPin], seconds: float, cut: bool, limit: float, budget: int | None) -> Solution:
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
            peak = s.name == "peak_utilisation"
            t.value = max(t.value, s.value) if peak else t.value + s.value
            t.bound = max(t.bound, s.bound) if peak else t.bound + s.bound
            t.optimal &= s.optimal
    supervisors, missing = assign_supervisors(inst, first=placed)  # the solver's choice of who gets a place
    _unmet_pins(inst, comps, worker_of, newcomers_wait, pins_broken, budget)
    return Solution(worker_of, list(totals.values()), supervisors, missing, pins_broken, seconds, limit, len(comps),
                    frozenset(newcomers_wait), cut)


def _unmet_pins(inst: Instance, comps: list[Component], worker_of: dict[str, str | None], newcomers_wait: set[str],
                pins_broken: dict[str, UnmetPin], budget: int | None) -> None:
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
                budget_spent = budget is not None and moves >= budget
                pins_broken[f.id] = (UnmetPin(w.id, budget=budget) if room and budget_spent and not at_pin
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
