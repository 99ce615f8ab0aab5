"""The counting stages solved on an aggregated model: interchangeable families grouped into classes.

Before `moves`, no stage asks WHICH family goes where, only how many of each kind go to each worker:
`dropped`, `fixed_worker_not_met`, the `waiting_<priority>` levels (and their `waited_<priority>`
tie-breaks), `over_capacity` and `above_capacity` are sums over families of amounts that depend on the
family only through its kind, and every hard rule of model.py treats two families of one kind alike. So
families of one component (model.Component) with the same

  core / newcomers weight and size, children with a worker now, awaiting counts per priority, mixed flag,
  domain (the workers its core may go to: reach, skills, NQSW lead, avoid, accepting, absence, size,
  --keep-current), join domain, pinned worker (fixed_worker), over_capacity_for flag, and the workers
  among the domain where the family is NOT new (only where that matters: a worker over capacity now,
  or an NQSW contesting a supervision place)

form one class, and the model has integer counts n[class, worker] (and, for a mixed class, how many of
those have their newcomers join) instead of one boolean per (family, worker). The days waited, which do
differ within a class, are handled exactly: whichever members of a class stay waiting, the best choice is
the ones who waited least (in the stage order of the `waited_` levels), so the `waited_` term of a class
is a table of how many of it stay waiting.

The lexicographic optimum of the counting model is therefore the optimum of those stages in the full
model: its proven values are proven stage values, lower bounds the full model cannot beat and
achievable, since a count solution turns into an assignment of actual families (`disaggregate`, which keeps
each family with its current worker where the counts allow, for the `moves` stage after) with the same
stage values, recomputed by model.values (and by validator.objectives in the tests).

Not aggregated: a move budget (`max_moves`: moves depend on which member goes where) - a component with
one is refused; and the stages from `moves` on.

    count_component(c, ...)  -> CountResult  (one component, indices: what solve.py wires in)
    count_stages(inst, ...)  -> AggregateResult  (the whole instance, ids: for benchmarks and tests)
"""
from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from policy.settings import PRIORITIES

from .floors import hold_least_loads
from .lpbound import Relaxation
from .model import FAIRNESS, REFUTABLE, Component, Expr, above_marks, excess_floor, peak_var, values

if TYPE_CHECKING:
    from .instance import Instance
    from .solve import Options

# The stages a class model can decide; the prefix of the component's stages made of these is solved.
COUNTING = frozenset({"dropped", "fixed_worker_not_met", "over_capacity", "above_capacity",
                      *(f"waiting_{p}" for p in PRIORITIES), *(f"waited_{p}" for p in PRIORITIES)})

Run = Callable[[cp_model.CpSolver, cp_model.CpModel], int]  # solves a model: (solver, model) -> status


@dataclass
class Klass:
    """Interchangeable families of one component."""

    members: list[int]  # family indices, least waited first (those stay waiting first)
    domain: tuple[int, ...]
    joins: tuple[int, ...]  # workers a mixed family's newcomers may join
    core_weight: int
    new_weight: int
    core_size: int
    new_size: int
    with_worker: int
    mixed: bool
    awaiting: tuple[int, ...]  # per priority (PRIORITIES order)
    pin: int | None
    above: bool
    not_new: frozenset[int]  # workers (over capacity now, or contesting supervision) who hold it all now
    waited: dict[str, list[int]] = field(default_factory=dict)  # priority -> days waited by the first L members
    held: dict[int, tuple[int, int]] = field(default_factory=dict)  # worker -> (children held now, most by a member)

    @property
    def size(self) -> int:
        return len(self.members)

    def is_new(self, wi: int) -> bool:
        return wi not in self.not_new


def counting_stages(c: Component, names: Sequence[str] | None = None) -> tuple[str, ...]:
    """The stages the class model solves: `names` (default: the component's stages), up to the first that is
    not a counting stage (`moves` in every order the policy allows)."""
    out = []
    for name in (names if names is not None else [name for name, _ in c.stages]):
        if name not in COUNTING:
            break
        out.append(name)
    return tuple(out)


def classes(c: Component, names: Sequence[str] | None = None) -> list[Klass]:
    """The component's families grouped into classes of interchangeable ones (see the module's doc)."""
    waited_order = [n[7:] for n in counting_stages(c, names) if n.startswith("waited_")]
    index = c.index
    relevant = {wi for wi in range(len(c.workers)) if c.overloaded(wi)}
    relevant |= {n for _, nqsws in c.supervision.values() for n in nqsws}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for fi, f in enumerate(c.families):
        dom = tuple(c.domains[fi])
        not_new = frozenset(wi for wi in dom if wi in relevant and not c.is_new(fi, wi))
        key = (dom, tuple(c.joins.get(fi, ())), f.core.weight, f.newcomers.weight if f.mixed else 0, f.core.size,
               f.newcomers.size if f.mixed else 0, f.with_worker, f.mixed, tuple(f.awaiting(p) for p in PRIORITIES),
               c.pins.get(fi), fi in c.above, not_new)
        groups[key].append(fi)
    out = []
    for key, members in groups.items():
        dom, joins, cw, nw, cs, ns, ww, mixed, awaiting, pin, above, not_new = key
        fams = c.families
        members.sort(key=lambda fi: (tuple(fams[fi].waited(p) for p in waited_order), fi))
        k = Klass(members, dom, joins, cw, nw, cs, ns, ww, mixed, awaiting, pin, above, not_new)
        for p in waited_order:
            table = [0]
            for fi in members:
                table.append(table[-1] + fams[fi].waited(p))
            k.waited[p] = table
        for fi in members:
            for wid, n in fams[fi].held_now.items():
                if wid in index:
                    total, most = k.held.get(index[wid], (0, 0))
                    k.held[index[wid]] = (total + n, max(most, n))
        out.append(k)
    out.sort(key=lambda k: k.members[0])
    return out


@dataclass
class CountResult:
    """One component's counting stages: values in the model's units (as model.values gives them)."""

    stages: tuple[str, ...]
    values: dict[str, int]
    proven: dict[str, bool]  # stage -> proven optimal (a stage after an unproven one is not proven either)
    bounds: dict[str, int]  # stage -> the solver's bound (== value where proven)
    sol: dict[int, int | None]  # family index -> worker index
    joins: set[int]  # mixed families whose newcomers joined
    unsupervised: frozenset[int]  # contesting NQSWs left without a supervision place
    classes: int
    used: float  # CP-SAT deterministic time spent
    seconds: float

    @property
    def all_proven(self) -> bool:
        return all(self.proven.values())


class _CountModel:
    def __init__(self, c: Component, ks: list[Klass]) -> None:
        self.c, self.ks = c, ks
        m = self.m = cp_model.CpModel()
        self.n: dict[tuple[int, int], cp_model.IntVar] = {}
        self.jn: dict[tuple[int, int], cp_model.IntVar] = {}
        self.left: dict[int, Expr] = {}
        self.given: dict[int, Expr] = {}
        by_worker: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        joins_at: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for ki, k in enumerate(ks):
            for wi in k.domain:
                var = self.n[ki, wi] = m.new_int_var(0, k.size, f"n_{ki}_{wi}")
                by_worker[wi].append((ki, var))
            self.given[ki] = cp_model.LinearExpr.sum([self.n[ki, wi] for wi in k.domain]) if k.domain else 0
            if k.domain:
                m.add(self.given[ki] <= k.size)
            if k.mixed:
                for wi in k.joins:
                    var = self.jn[ki, wi] = m.new_int_var(0, k.size, f"j_{ki}_{wi}")
                    m.add(var <= self.n[ki, wi])
                    joins_at[wi].append((ki, var))
                self.left[ki] = k.size - cp_model.LinearExpr.sum([self.jn[ki, wi] for wi in k.joins])
            else:
                self.left[ki] = k.size - self.given[ki]
        self.by_worker, self.joins_at = by_worker, joins_at
        self.load: dict[int, Expr] = {wi: cp_model.LinearExpr.weighted_sum(
            [var for _, var in by_worker[wi]] + [var for _, var in joins_at.get(wi, [])],
            [ks[ki].core_weight for ki, _ in by_worker[wi]] + [ks[ki].new_weight for ki, _ in joins_at.get(wi, [])])
            for wi in by_worker}
        self.excess: dict[int, cp_model.IntVar] = {}
        self.stays_over: dict[int, cp_model.IntVar] = {}
        self.above: dict[int, cp_model.IntVar] = {}
        self.supervised: dict[int, cp_model.IntVar] = {}
        self.made: dict[str, Expr] = {}  # the fairness levels' and moves' terms, made when first asked for
        self._capacity()
        self._supervision()
        self.waited: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for ki, k in enumerate(ks):
            if not any(any(t) for t in k.waited.values()):
                continue
            left = m.new_int_var(0, k.size, f"left_{ki}")
            m.add(left == self.left[ki])
            for p, table in k.waited.items():
                if any(table):
                    cost = m.new_int_var(0, table[-1], f"waited_{p}_{ki}")
                    m.add_element(left, table, cost)
                    self.waited[p].append(cost)

    def _capacity(self) -> None:
        """model.add_capacity, by class."""
        c, m, ks = self.c, self.m, self.ks
        for wi, terms in sorted(self.by_worker.items()):
            cap = c.capacity(wi)
            load = self.load[wi]
            if c.may_go_above(wi) and any(ks[ki].above for ki, _ in terms):
                ordinary = [ks[ki].core_weight * var for ki, var in terms if not ks[ki].above]
                m.add(sum(ordinary) + sum(ks[ki].new_weight * var for ki, var in self.joins_at.get(wi, [])) <= cap)
                self.above[wi] = m.new_int_var(0, c.allowance, f"above_{wi}")
                m.add(load - cap <= self.above[wi])
                excess_floor(c, m, wi, load, self.above[wi])
                continue
            if not c.overloaded(wi):
                m.add(load <= c.within[wi])
                continue
            over = self.stays_over[wi] = m.new_bool_var(f"stays_over_{wi}")
            m.add(load <= c.within[wi] + (c.current_load[wi] - c.within[wi]) * over)
            new = [var for ki, var in terms if ks[ki].is_new(wi)] + [var for _, var in self.joins_at.get(wi, [])]
            if new:
                m.add(sum(new) == 0).only_enforce_if(over)
            ex = self.excess[wi] = m.new_int_var(0, c.current_load[wi] - cap, f"excess_{wi}")
            m.add(ex >= load - cap)
            excess_floor(c, m, wi, load, ex)

    def _supervision(self) -> None:
        """model.add_supervision, by class."""
        c, m, ks = self.c, self.m, self.ks
        for _team, (places, nqsws) in sorted(c.supervision.items()):
            for n in nqsws:
                self.supervised[n] = m.new_bool_var(f"supervised_{n}")
            m.add(sum(self.supervised[n] for n in nqsws) <= places)
        for (ki, wi), var in self.n.items():
            if wi in self.supervised and ks[ki].is_new(wi):
                m.add(var <= ks[ki].size * self.supervised[wi])
        for (ki, wi), var in self.jn.items():
            if wi in self.supervised:
                m.add(var <= ks[ki].size * self.supervised[wi])

    def term(self, name: str) -> Expr:
        ks = self.ks
        if name == "dropped":
            return sum(k.with_worker * (k.size - self.given[ki]) for ki, k in enumerate(ks) if k.with_worker)
        if name == "fixed_worker_not_met":
            total: Expr = 0
            for ki, k in enumerate(ks):
                if k.pin is None:
                    continue
                total += k.core_size * (k.size - self.n[ki, k.pin])
                if k.mixed:
                    total += k.new_size * (k.size - self.jn.get((ki, k.pin), 0))
            return total
        if name == "over_capacity":
            return sum(self.excess.values())
        if name == "above_capacity":
            return sum(self.above.values())
        if name.startswith("waiting_"):
            i = PRIORITIES.index(name[8:])
            return sum(k.awaiting[i] * self.left[ki] for ki, k in enumerate(ks) if k.awaiting[i])
        if name.startswith("waited_"):
            return sum(self.waited.get(name[7:], []))
        if name in FAIRNESS:
            if name not in self.made:
                load = {wi: self.load[wi] for wi in sorted(self.load)}
                self.made[name] = (peak_var(self.c, self.m, load, self.excess) if name == "peak_utilisation"
                                   else sum(above_marks(self.c, self.m, load).values()))
            return self.made[name]
        if name == "moves":
            if name not in self.made:
                self.made[name] = self._moves()
            return self.made[name]
        raise ValueError(f"{name} is neither a counting stage nor a fairness level")

    def _moves(self) -> Expr:
        """At most the children who change worker (model.moves): those of a class with a worker now, placed, less
        what each worker keeps, no more than it holds of the class now nor its most by one member per family
        of the class it is given. A relaxation (exact where each family is held by one worker), for refutes."""
        placed, kept = [], []  # (no `+=` on a class's `given`: that would change the expression in place)
        for ki, k in enumerate(self.ks):
            if not k.with_worker:
                continue
            placed.append(k.with_worker * self.given[ki])
            for wi, (now, most) in sorted(k.held.items()):
                if (ki, wi) in self.n:
                    kept.append(self.m.new_int_var(0, min(now, most * k.size), f"keep_{ki}_{wi}"))
                    self.m.add(kept[-1] <= most * self.n[ki, wi])
        return sum(placed) - sum(kept)

    def hint(self, sol: dict[int, int | None], joins: set[int], unsupervised: frozenset[int]) -> None:
        """A complete hint from a plan of the full component."""
        counts: dict[tuple[int, int], int] = defaultdict(int)
        jcounts: dict[tuple[int, int], int] = defaultdict(int)
        of = {fi: ki for ki, k in enumerate(self.ks) for fi in k.members}
        for fi, wi in sol.items():
            if wi is not None:
                counts[of[fi], wi] += 1
                if fi in joins:
                    jcounts[of[fi], wi] += 1
        self.m.clear_hints()
        for key, var in self.n.items():
            self.m.add_hint(var, counts[key])
        for key, var in self.jn.items():
            self.m.add_hint(var, jcounts[key])
        for n, var in self.supervised.items():
            self.m.add_hint(var, n not in unsupervised)

    def complete_hint(self, seed: int, run: Run, work: float | None = None) -> tuple[float, dict[int, int]]:
        """Fill in the variables the plan's hint leaves out (excess, costs...) by a solve with the hinted ones
        fixed (within `work` units, if given), so that the first stage starts from a whole solution: (its
        deterministic time, that solution by proto index, empty where there was none)."""
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers, p.random_seed, p.fix_variables_to_their_hinted_value = 1, seed, True
        if work is not None:
            p.max_deterministic_time = work
        p.catch_sigint_signal = False  # Ctrl-C is Python's (the caller's clock stops the search)
        if run(solver, self.m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return solver.deterministic_time, {}
        whole = _solution(solver)
        self.hint_from(whole)
        return solver.deterministic_time, whole

    def hint_from(self, solution: dict[int, int]) -> None:
        """Every variable hinted at a solution by proto index (the next stage starts from it)."""
        self.m.clear_hints()
        hint = self.m.proto.solution_hint  # as add_hint writes it, without a variable object per value
        hint.vars.extend(list(solution))
        hint.values.extend(list(solution.values()))


def count_component(c: Component, names: Sequence[str] | None = None, *, seed: int = 0, work: float | None = None,
                    time_limit: float | None = None, workers: int = 1,
                    start: tuple[dict[int, int | None], set[int]] | None = None,
                    start_unsupervised: frozenset[int] | None = None, run: Run | None = None) -> CountResult:
    """Solve the counting stages of one component (`names`, default its own stages up to `moves`) on the class
    model, stage by stage, each held at its value for the next; then turn the counts into a plan.

    `work`: CP-SAT deterministic time for all the stages (repeatable); `time_limit`: wall seconds (a safety
    stop; results then depend on the machine). `start`: a plan to hint first (default: greedy.start's).
    `run(solver, model)` solves (default solver.solve; solve.Clock.run makes it stoppable).
    Returns the values, which of them are proven, the bounds, and the plan (indices into the component)."""
    if c.max_moves is not None:
        raise ValueError("a move budget does not aggregate: moves depend on which family goes where")
    t0 = time.perf_counter()
    stages = counting_stages(c, names)
    ks = classes(c, stages)
    cm = _CountModel(c, ks)
    if start is None:
        from .greedy import start as greedy_start
        start = greedy_start(c)
    cm.hint(start[0], start[1], c.unsupervised if start_unsupervised is None else start_unsupervised)
    run = run or _solve
    used, hinted = cm.complete_hint(seed, run)
    vals, proven, bounds, last, used = _solve_stages(cm, stages, seed, workers, run, work, time_limit, t0, used,
                                                     hinted)
    sol, joins, unsup = disaggregate(c, cm, last)
    return CountResult(stages, vals, proven, bounds, sol, joins, unsup, len(ks), used, time.perf_counter() - t0)


def _solve_stages(cm: _CountModel, stages: Sequence[str], seed: int, workers: int, run: Run, work: float | None,
                  time_limit: float | None, t0: float, used: float, last: dict[int, int]
                  ) -> tuple[dict[str, int], dict[str, bool], dict[str, int], dict[int, int], float]:
    """Each stage minimised and held at its value in turn, from `last` (the hint's whole solution, if any):
    (values, proven, bounds, the last solution by proto index, the deterministic time used in all). A stage
    already at its floor there (0, or the linear relaxation's bound on a large model: relaxation_first) needs
    no search; one the search does not prove may still be at that bound."""
    vals: dict[str, int] = {}
    proven: dict[str, bool] = {}
    bounds: dict[str, int] = {}
    solver = _solver(seed, workers)
    p = solver.parameters
    solved = bool(last)
    ok = True  # every stage so far proven (after one that is not, no later one is either)
    relaxed, first = Relaxation(cm.m), relaxation_first(cm.ks)
    for k, name in enumerate(stages):
        expr = cm.term(name)
        if isinstance(expr, int):
            vals[name], proven[name], bounds[name] = expr, ok, expr
            continue
        cm.m.minimize(expr)
        start = _objective_at(cm, last) if last else None
        floor = 0 if start == 0 else relaxed.floor() if ok and first else None
        if start is not None and floor is not None and start <= floor:  # at its floor: no search
            vals[name], proven[name], bounds[name] = floor, True, floor
            cm.m.add(expr <= floor)
            continue
        left = len(stages) - k
        if work is not None:
            p.max_deterministic_time = max(0.0, work - used - relaxed.work) / left
        if time_limit is not None:
            p.max_time_in_seconds = max(0.001, time_limit - (time.perf_counter() - t0)) / left
        status = run(solver, cm.m)
        used += solver.deterministic_time
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if not found and not solved:
            raise RuntimeError(f"no plan for the class model at {name} (status {solver.status_name(status)})")
        value = int(round(solver.objective_value)) if found else _objective_at(cm, last)  # else keep the last
        bound = value if status == cp_model.OPTIMAL else max(
            0, _ceil(solver.best_objective_bound) if found else 0, floor or 0)
        ok = ok and value <= bound  # at its bound (0, or the relaxation's, say): proven all the same
        vals[name], proven[name], bounds[name] = value, ok, min(bound, value)
        cm.m.add(expr <= value)
        if found:
            solved = True
            last = _solution(solver)
            cm.hint_from(last)
    if not solved:  # every stage constant: one feasibility solve for the counts
        cm.m.clear_objective()
        status = run(solver, cm.m)
        used += solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"no plan for the class model (status {solver.status_name(status)})")
        last = _solution(solver)
    return vals, proven, bounds, last, used + relaxed.work


def _ceil(bound: float) -> int:
    """The solver's bound rounded up to a whole value, with its float's slack (as solve._bound); 0 if none."""
    return math.ceil(bound - 1e-6) if math.isfinite(bound) else 0


LP_FIRST = 5_000  # class-model counts from this many: its linear relaxation bounds a stage before the search
# (on smaller ones the search proves most stages in less time than reading the model for GLOP takes; measured:
# asking it after each search that did not prove its stage cost the 50-team move budget case 2-4 s, for nothing)


def relaxation_first(ks: list[Klass]) -> bool:
    """Is the class model of these classes large enough (LP_FIRST counts) to ask its linear relaxation for a
    stage's bound before searching?"""
    return sum(len(k.domain) for k in ks) >= LP_FIRST


def refutes(c: Component, ks: list[Klass], held: Sequence[tuple[str, int]], name: str, value: int, *, seed: int,
            work: float, run: Run | None = None) -> tuple[bool, float]:
    """Does the class model prove that no plan keeping each stage in `held` at or below its value does better
    than `value` at stage `name` (`moves` or a fairness level)? See _held_model: a relaxation of the full
    model. (The answer, its deterministic time, at most `work`.) `ks`: classes(c)."""
    cm = _held_model(c, ks, held)
    expr = cm.term(name)
    if isinstance(expr, int):
        return expr >= value, 0.0
    cm.m.add(expr <= value - 1)
    solver = _solver(seed)
    solver.parameters.max_deterministic_time = work
    status = (run or _solve)(solver, cm.m)
    return status == cp_model.INFEASIBLE, solver.deterministic_time


def floor_of(c: Component, ks: list[Klass], held: Sequence[tuple[str, int]], name: str) -> tuple[int | None, float]:
    """A bound on stage `name` (`moves` or a fairness level) no plan keeping each stage in `held` at or below
    its value goes under: the linear relaxation's (lpbound.py) of the class model held so (_held_model). (The
    bound, or None; the deterministic time reading the model for it took.) `ks`: classes(c)."""
    cm = _held_model(c, ks, held)
    expr = cm.term(name)
    if isinstance(expr, int):
        return expr, 0.0
    cm.m.minimize(expr)
    relaxed = Relaxation(cm.m)
    return relaxed.floor(), relaxed.work


def best_moves(c: Component, ks: list[Klass], held: Sequence[tuple[str, int]], start: tuple[dict[int, int | None],
               set[int], frozenset[int]], *, seed: int, work: float, run: Run | None = None
               ) -> tuple[int, bool, tuple[dict[int, int | None], set[int], frozenset[int]] | None, float]:
    """`moves` minimised on the class model held so (_held_model), from the plan `start`: (its bound, whether
    proven, the plan its counts make (disaggregate: each worker keeps the members they hold now first), the
    deterministic time used, at most `work`). The class model counts no more moves than a plan makes, so its
    optimum bounds the full model's; a plan making no more moves than that is optimal. `ks`: classes(c)."""
    cm = _held_model(c, ks, held)
    expr = cm.term("moves")
    if isinstance(expr, int):
        return expr, True, None, 0.0
    cm.hint(*start)
    used, _ = cm.complete_hint(seed, run or _solve, work)  # the hint made whole (excess, what each worker keeps)
    cm.m.minimize(expr)
    solver = _solver(seed)
    p = solver.parameters
    # measured on the weighted sample: the default linearization and presolve found and proved the least moves
    # in 0.6 units of work, where the counting stages' settings took 3.6 to 4.4
    p.linearization_level, p.cp_model_presolve = 1, True
    p.max_deterministic_time = max(0.0, work - used)
    status = (run or _solve)(solver, cm.m)
    used += solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0, False, None, used
    bound = int(round(solver.objective_value)) if status == cp_model.OPTIMAL else _ceil(solver.best_objective_bound)
    return bound, status == cp_model.OPTIMAL, disaggregate(c, cm, _solution(solver)), used


def _held_model(c: Component, ks: list[Klass], held: Sequence[tuple[str, int]]) -> _CountModel:
    """The class model with each stage of `held` it can count at or below its value, and the move budget. It
    ignores days waited and counts no more moves than a plan makes (_CountModel._moves), so it is a relaxation
    of the full model: a plan the full model could find, it could too."""
    cm = _CountModel(c, ks)
    if c.max_moves is not None:
        cm.m.add(cm.term("moves") <= c.max_moves)
    for stage, bound in held:
        # not the days-waited tie-breaks: a class's table leaves its members waiting in one fixed order, the
        # best only where the stages before it are at the class model's own optimum (under a move budget the
        # full plan may leave another member waiting, which the table cannot count)
        if (stage in COUNTING and not stage.startswith("waited_")) or stage in REFUTABLE:
            expr = cm.term(stage)
            if not isinstance(expr, int):
                cm.m.add(expr <= bound)
    hold_least_loads(c, cm.m, cm.load, dict(held), {})
    return cm


def _solver(seed: int, workers: int = 1) -> cp_model.CpSolver:
    """The class model's solver, as every stage and check uses it."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers, p.random_seed, p.linearization_level = workers, seed, 2  # level 2: cuts for the packing bound
    p.cp_model_presolve = False  # measured: presolve's dual reductions lost the hint (a worse first solution)
    p.catch_sigint_signal = False  # Ctrl-C is Python's (the caller's clock stops the search)
    return solver


def _solution(solver: cp_model.CpSolver) -> dict[int, int]:
    """The solver's last solution, by proto index."""
    return dict(enumerate(solver.response_proto.solution))  # every variable's value, in proto order


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel) -> int:
    return int(solver.solve(model))


def _objective_at(cm: _CountModel, last: dict[int, int]) -> int:
    """The value of the model's objective (the stage being minimised) at a stored solution (proto index -> value)."""
    obj = cm.m.proto.objective
    return int(obj.offset) + sum(a * last[i] for i, a in zip(obj.vars, obj.coeffs, strict=True))


def disaggregate(c: Component, cm: _CountModel, value: dict[int, int]
                 ) -> tuple[dict[int, int | None], set[int], frozenset[int]]:
    """Counts -> a plan of actual families: in each class, those who stay waiting are the least waited (as the
    `waited_` tables count them), and each worker's count is filled first with the members they hold now
    (most children first), so the `moves` stage after starts close to where it ends."""
    sol: dict[int, int | None] = {}
    joins: set[int] = set()
    for ki, k in enumerate(cm.ks):
        n = {wi: value[cm.n[ki, wi].index] for wi in k.domain}
        jn = {wi: value[cm.jn[ki, wi].index] for wi in k.joins if (ki, wi) in cm.jn}
        for fi in k.members:
            sol[fi] = None
        ordered = any(any(t) for t in k.waited.values())  # which members stay waiting matters
        if k.mixed:
            stay = k.size - sum(jn.values())
            if ordered:
                waiting, going = k.members[:stay], k.members[stay:]
                placed = _place(c, going, jn)
                placed.update(_place(c, waiting, {wi: n[wi] - jn.get(wi, 0) for wi in n}))
                joins.update(fi for fi in going)
            else:
                placed = _place(c, k.members, n)
                at: dict[int, list[int]] = defaultdict(list)
                for fi, wi in placed.items():
                    at[wi].append(fi)
                for wi, fis in at.items():
                    joins.update(fis[:jn.get(wi, 0)])
        else:
            stay = k.size - sum(n.values())
            placed = _place(c, k.members[stay:] if ordered else k.members, n)
        sol.update(placed)
    unsup = frozenset(w for w, var in cm.supervised.items() if not value[var.index])
    return sol, joins, unsup


def _place(c: Component, members: list[int], slots: dict[int, int]) -> dict[int, int]:
    """Members to workers, `slots[wi]` each: first each member to the worker holding most of it now (where
    that worker has a slot left), then the rest in order. Members beyond the slots get none."""
    left = dict(slots)
    out: dict[int, int] = {}
    for fi in members:
        f = c.families[fi]
        best = max((wi for wi in left if left[wi] > 0 and f.held_by(c.workers[wi].id)),
                   key=lambda wi: (f.held_by(c.workers[wi].id), -wi), default=None)
        if best is not None:
            out[fi] = best
            left[best] -= 1
    rest = [fi for fi in members if fi not in out]
    for wi in sorted(left):
        while left[wi] > 0:
            out[rest.pop(0)] = wi
            left[wi] -= 1
    return out


@dataclass
class AggregateResult:
    """The counting stages of a whole instance, summed over its components."""

    values: dict[str, int]  # model units (over_capacity in hundredths)
    proven: bool
    stage_proven: dict[str, bool]
    bounds: dict[str, int]
    assignment: dict[str, str | None]  # family id -> worker id
    newcomers_wait: frozenset[str]  # mixed families whose awaiting siblings wait
    unsupervised: frozenset[str]  # contesting NQSWs left without a supervision place
    classes: int
    families: int
    seconds: float
    check: dict[str, int] = field(default_factory=dict)  # the values recomputed by model.values from the plan

    def worker_of_child(self, inst: Instance) -> dict[str, str | None]:
        """Child id -> worker id (None: waiting), as the validator reads a plan."""
        out: dict[str, str | None] = {}
        for ch in inst.children:
            waits = not ch.current_worker and ch.family_id in self.newcomers_wait
            out[ch.id] = None if waits else self.assignment[ch.family_id]
        return out


def count_stages(inst: Instance, stage_names: Sequence[str] | None = None, time_limit: float | None = 60.0, *,
                 opts: Options | None = None, work: float | None = None, workers: int = 1) -> AggregateResult:
    """The counting stages of `inst` (default: every stage before `moves`, in the policy's order) on the class
    model, component by component as solve.solve splits them; `time_limit` wall seconds in all (shared by the
    components in proportion to their size), `work` deterministic time in all (repeatable)."""
    from .solve import Options, split
    from .supervision import assign_supervisors, contested

    opts = opts or Options()
    t0 = time.perf_counter()
    seed = inst.policy.seed if opts.seed is None else opts.seed
    supervisors, missing = assign_supervisors(inst)
    contest = contested(inst, supervisors, missing)
    never = frozenset(n for n in missing if inst.worker_by_id[n].team not in contest)
    comps = split(inst, opts, never, {}, contest, frozenset(missing))
    total = sum(c.size for c in comps) or 1
    results: list[CountResult] = []
    for c in comps:  # first pass: a share by size; what an easy component leaves goes to the unproven after
        share = c.size / total
        results.append(count_component(c, stage_names, seed=seed, workers=workers,
                                       time_limit=None if time_limit is None else time_limit * share,
                                       work=None if work is None else work * share))
    unproven = [i for i, r in enumerate(results) if not r.all_proven]
    for k, i in enumerate(unproven):
        wall_left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        work_left = None if work is None else work - sum(r.used for r in results)
        if (wall_left is not None and wall_left <= 0.5) or (work_left is not None and work_left <= 0):
            break
        r = results[i]
        again = count_component(comps[i], stage_names, seed=seed, workers=workers, start=(r.sol, r.joins),
                                start_unsupervised=r.unsupervised,
                                time_limit=None if wall_left is None else wall_left / (len(unproven) - k),
                                work=None if work_left is None else work_left / (len(unproven) - k))
        again.used += r.used
        for n in again.stages:  # a bound holds given the stages before it: keep the better one while they agree
            if again.values[n] != r.values[n]:
                break
            again.bounds[n] = max(again.bounds[n], r.bounds[n])
            again.proven[n] = again.proven[n] or r.proven[n]
        if [again.values[n] for n in again.stages] <= [r.values[n] for n in r.stages]:
            results[i] = again
    return _combined(comps, results, never, time.perf_counter() - t0)


def _combined(comps: list[Component], results: list[CountResult], never: frozenset[str],
              seconds: float) -> AggregateResult:
    """The components' count results as one for the whole instance."""
    vals: dict[str, int] = defaultdict(int)
    check: dict[str, int] = defaultdict(int)
    stage_proven: dict[str, bool] = {}
    bounds: dict[str, int] = defaultdict(int)
    assignment: dict[str, str | None] = {}
    waits: set[str] = set()
    unsup: set[str] = set(never)
    n_classes = 0
    for c, r in zip(comps, results, strict=True):
        plan_values = values(c, r.sol, r.joins)
        for name in r.stages:
            vals[name] += r.values[name]
            bounds[name] += r.bounds[name]
            check[name] += plan_values[name]
            stage_proven[name] = stage_proven.get(name, True) and r.proven[name]
        for fi, wi in r.sol.items():
            f = c.families[fi]
            assignment[f.id] = None if wi is None else c.workers[wi].id
            if f.mixed and wi is not None and fi not in r.joins:
                waits.add(f.id)
        unsup |= {c.workers[n].id for n in r.unsupervised}
        n_classes += r.classes
    return AggregateResult(dict(vals), all(stage_proven.values()), stage_proven, dict(bounds), assignment,
                           frozenset(waits), frozenset(unsup), n_classes, sum(len(c.families) for c in comps),
                           seconds, dict(check))
