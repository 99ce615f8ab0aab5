"""A proven lower bound on a CP-SAT model's objective from its linear relaxation, solved by GLOP.

CP-SAT proves a stage optimal when its search meets a bound; on a model with tens of thousands of integer
columns (the class model of a council whose teams share workers, say) its own simplex can take seconds to
solve the first relaxation at all, while GLOP solves the same relaxation in a tenth of that. Only the
linear constraints without an enforcement literal are kept and every variable ranges over its domain's hull,
so every plan is a solution of the relaxation and its optimum is a lower bound.

GLOP works in floating point, so its optimum is not itself trusted: its duals y (any y will do) are rounded
to integers scaled by 2**SCALE and the bound is recomputed from them in exact integer arithmetic,

    objective(x) = (c - A'y) x + y (A x)  >=  sum over columns of min over [lower, upper] of (c - A'y)_j x_j
                                            + sum over rows of y_i times the side it pushes against,

which holds for every x within the bounds and constraints (Neumaier and Shcherbina, "Safe bounds in
linear and mixed-integer programming", Math. Programming 2004). The objective is integer, so its ceiling
is a bound too.

    Relaxation(model).floor() -> int | None   (None: no bound, where GLOP found no optimum)
"""
from __future__ import annotations

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

SCALE = 30  # the duals' fixed point: 2**-30 is far below GLOP's tolerances, so rounding loses nothing
INF = 1 << 62  # CP-SAT's domains run to about +-2**63: beyond this a side is open


LP_UNITS_PER_ENTRY = 2.5e-6  # reading the model and setting up GLOP: measured about 10 us an entry (a
# variable or a coefficient), here in CP-SAT's deterministic units (about 4 s each, see solve.SECONDS_PER_UNIT)


class Relaxation:
    """The linear relaxation of a CP-SAT model, kept beside it: `floor()` reads what the model gained since the
    last call (the stages held at their values add constraints), takes its objective, and returns a proven
    lower bound on it. `work` is the deterministic time its reading has cost so far (LP_UNITS_PER_ENTRY)."""

    def __init__(self, model: cp_model.CpModel) -> None:
        self.model = model
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.bounds: list[tuple[int, int]] = []
        self.xs: list[pywraplp.Variable] = []
        self.rows: list[tuple[list[int], list[int], int, int, pywraplp.Constraint]] = []
        self.seen = 0  # the model's constraints read so far
        self.work = 0.0

    def _sync(self) -> None:
        proto, lp = self.model.proto, self.lp
        variables, constraints = proto.variables, proto.constraints
        entries = 0
        for i in range(len(self.bounds), len(variables)):
            dom = variables[i].domain
            lo, hi = dom[0], dom[len(dom) - 1]
            self.bounds.append((lo, hi))
            self.xs.append(lp.NumVar(lo, hi, ""))
            entries += 1
        for i in range(self.seen, len(constraints)):
            ct = constraints[i]
            if not ct.has_linear() or len(ct.enforcement_literal):
                continue
            lin = ct.linear
            dom = lin.domain
            lo, hi, vs, cs = dom[0], dom[len(dom) - 1], [], []
            for ref, coef in zip(lin.vars, lin.coeffs, strict=True):
                if ref < 0:  # not(x) = 1 - x
                    lo, hi = lo - coef, hi - coef
                    ref, coef = -ref - 1, -coef
                vs.append(ref)
                cs.append(coef)
            row = lp.Constraint(lo if lo > -INF else -lp.infinity(), hi if hi < INF else lp.infinity())
            for v, c in zip(vs, cs, strict=True):
                row.SetCoefficient(self.xs[v], c)
            self.rows.append((vs, cs, lo, hi, row))
            entries += len(vs)
        self.seen = len(constraints)
        self.work += LP_UNITS_PER_ENTRY * entries

    def floor(self) -> int | None:
        """A lower bound on the model's minimised objective that every solution meets (see the module's doc), or
        None where there is none to give (no plain integer objective, or no optimum GLOP found: infeasible,
        say, which the search will say)."""
        proto = self.model.proto
        if not proto.has_objective():
            return None
        obj = proto.objective
        if any(ref < 0 for ref in obj.vars) or obj.scaling_factor not in (0, 1) or obj.offset != int(obj.offset):
            return None  # not the plain minimised sums the stages make
        self._sync()
        goal = self.lp.Objective()
        goal.Clear()
        cost = [0] * len(self.bounds)
        for v, c in zip(obj.vars, obj.coeffs, strict=True):
            cost[v] += c
        for v, c in enumerate(cost):
            if c:
                goal.SetCoefficient(self.xs[v], c)
        goal.SetMinimization()
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return _certified(int(obj.offset), cost, self.bounds, self.rows)


def _certified(offset: int, cost: list[int], bounds: list[tuple[int, int]],
               rows: list[tuple[list[int], list[int], int, int, pywraplp.Constraint]]) -> int:
    """The bound from GLOP's duals, recomputed exactly in integers (the module's doc)."""
    total = offset << SCALE
    reduced = [c << SCALE for c in cost]
    for vs, cs, lo, hi, row in rows:
        y = round(row.dual_value() * (1 << SCALE))
        if (y > 0 and lo <= -INF) or (y < 0 and hi >= INF):
            y = 0  # a side that is open pushes nothing back
        if not y:
            continue
        total += y * (lo if y > 0 else hi)
        for v, c in zip(vs, cs, strict=True):
            reduced[v] -= y * c
    for r, (lo, hi) in zip(reduced, bounds, strict=True):
        if r:
            total += r * (lo if r > 0 else hi)
    return -(-total >> SCALE)
