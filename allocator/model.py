"""The CP-SAT model of one component: decision variables, hard rules, objective terms.

Each hard rule and each objective term is one small function over (component,
model, vars), composed by `build`; the staged solve lives in solve.py.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from policy.settings import OBJECTIVE_ORDER, PRIORITIES

from .instance import Worker
from .rules import Family, cached_property, scaled

PERMILLE = 1000
PERCENT = 100
HEADROOM = 90  # per cent of capacity: after the peak, the load evens out below it
Expr = cp_model.LinearExpr | int  # a linear expression over the model's variables, or a plain number


@dataclass
class Component:
    """Teams that share no worker with any other team: an independent problem."""

    teams: tuple[str, ...]
    workers: list[Worker]
    families: list[Family]
    domains: list[list[int]]  # per family: indices into `workers` its core (see Family.core) may go to
    current_load: list[int]  # per worker: scaled weight of the children it holds now
    max_moves: int | None = None
    pins: dict[int, int] = field(default_factory=dict)  # family -> the worker a manager fixed it to
    joins: dict[int, list[int]] = field(default_factory=dict)  # mixed family -> workers its newcomers may join
    supervision: dict[str, tuple[int, list[int]]] = field(default_factory=dict)  # team -> (places, NQSWs)
    unsupervised: frozenset[int] = frozenset()  # NQSWs without a place in the starting plan
    order: tuple[str, ...] = ()  # the stages' names in the policy's order (objective_order); () the default
    above: frozenset[int] = frozenset()  # families (over_capacity_for) that may take a worker above capacity
    allowance: int = 0  # by at most this much (scaled) per worker (over_capacity_max)

    @property
    def names(self) -> tuple[str, ...]:
        """The stages' names, in order (the contract's default unless the policy chose another)."""
        return self.order or STAGE_NAMES

    @property
    def stages(self) -> tuple[tuple[str, Term], ...]:
        """The stages to solve, in order (see stage_order): the internal tie-breaks only where they apply."""
        waits = any(c.waited_days for f in self.families for c in f.newcomers.children)
        return tuple((name, STAGE_TERMS[name]) for name in stage_order(self.names, waits, bool(self.above)))

    def may_go_above(self, wi: int) -> bool:
        """May this worker take children of over_capacity_for above their capacity? (Not one over it now.)"""
        return bool(self.above) and not self.overloaded(wi) and self.capacity(wi) > 0

    def is_new(self, fi: int, wi: int) -> bool:
        """Does placing the family's core with this worker give them a child they do not hold now?"""
        core = self.families[fi].core
        return core.held_by(self.workers[wi].id) < core.size

    @property
    def size(self) -> int:
        return sum(f.size for f in self.families)

    def capacity(self, wi: int) -> int:
        return self.caps[wi]

    @cached_property
    def caps(self) -> list[int]:
        """Per worker: capacity, scaled."""
        return [scaled(w.capacity) for w in self.workers]

    @cached_property
    def index(self) -> dict[str, int]:
        """Worker id -> index into `workers`."""
        return {w.id: wi for wi, w in enumerate(self.workers)}

    @cached_property
    def kept(self) -> list[dict[int, int]]:
        """Per family: worker index -> how many of its children that worker holds now."""
        return [{self.index[n]: k for n, k in f.held_now.items() if n in self.index} for f in self.families]

    def moved(self, fi: int, wi: int) -> int:
        """The family's children who would change worker if it went to this worker."""
        return self.families[fi].with_worker - self.kept[fi].get(wi, 0)

    @cached_property
    def holder(self) -> list[int | None]:
        """Per family: the worker who holds all of its core now and may keep it (None: no one)."""
        out: list[int | None] = []
        for f, dom in zip(self.families, self.domains, strict=True):
            cur = f.core.current_workers
            wi = self.index.get(cur[0]) if len(cur) == 1 else None
            out.append(wi if wi is not None and wi in dom else None)
        return out

    @cached_property
    def over_now(self) -> list[bool]:
        """Per worker: holding more than capacity now (see overloaded)."""
        return [held > cap for held, cap in zip(self.current_load, self.caps, strict=True)]

    @cached_property
    def around(self) -> list[tuple[int, int | None]]:
        """Per worker: the loads (scaled) nearest capacity on either side, the largest sum of the weights of the
        families (and joining newcomers) that may go to them no more than capacity, and the smallest above it
        (None if none is). Loads are such sums, so `load <= within` is the capacity rule made tight (with every
        child weighing 1 a capacity of 13.5 holds 13, which the solver's linear relaxation would not see), and
        a load above capacity is at least the sum above it (see excess_floor)."""
        weights: list[Counter[int]] = [Counter() for _ in self.workers]
        for fi, dom in enumerate(self.domains):
            for wi in dom:
                weights[wi][self.families[fi].core.weight] += 1
            for wi in self.joins.get(fi, ()):
                weights[wi][self.families[fi].newcomers.weight] += 1
        return [sums_around(weights[wi], self.capacity(wi)) for wi in range(len(self.workers))]

    @cached_property
    def within(self) -> list[int]:
        """Per worker: the most (scaled) they can hold within capacity (see around)."""
        return [lo for lo, _ in self.around]

    @cached_property
    def classes(self) -> list:
        """aggregate.classes of this component (its families in classes of interchangeable ones), made once: the
        class model's start and each of its fairness checks ask for them."""
        from .aggregate import classes
        return classes(self)

    def overloaded(self, wi: int) -> bool:
        return self.over_now[wi]

    def free(self, joins: AbstractSet[int]) -> list[int]:
        """The families no one holds now, no pin names and not joining siblings: they change worker without a move
        or a broken pin (packing.pack_all and greedy.even_out repack them)."""
        return [fi for fi, f in enumerate(self.families) if not f.with_worker and fi not in self.pins
                and fi not in joins]

    @cached_property
    def alike(self) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
        """Groups (two or more) of interchangeable workers, each as (the families that may go to them, in order;
        the workers): holding no one now, with the same capacity, the same families and nothing that names one
        of them (a pin, a place to join, supervision). Any plan stays as good with their caseloads swapped, so
        the model may fix their order (add_symmetry)."""
        named = set(self.pins.values()) | {wi for ws in self.joins.values() for wi in ws} | set(self.unsupervised)
        named |= {n for _, nqsws in self.supervision.values() for n in nqsws}
        members: dict[int, list[int]] = {}
        for fi, dom in enumerate(self.domains):
            for wi in dom:
                members.setdefault(wi, []).append(fi)
        groups: dict[tuple, list[int]] = {}
        for wi in range(len(self.workers)):
            if self.current_load[wi] == 0 and wi not in named and wi in members:
                key = (self.capacity(wi), self.may_go_above(wi), tuple(members[wi]))
                groups.setdefault(key, []).append(wi)
        return tuple((key[2], tuple(g)) for key, g in groups.items() if len(g) > 1)


@dataclass
class Vars:
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # family (core) -> worker
    given: dict[int, cp_model.IntVar] = field(default_factory=dict)  # family has a worker
    j: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # newcomers join the family's worker
    joined: dict[int, cp_model.IntVar] = field(default_factory=dict)  # a mixed family's newcomers are allocated
    by_family: dict[int, list[tuple[int, cp_model.IntVar]]] = field(default_factory=dict)
    by_worker: dict[int, list[tuple[int, cp_model.IntVar]]] = field(default_factory=dict)
    load: dict[int, Expr] = field(default_factory=dict)
    excess: dict[int, cp_model.IntVar] = field(default_factory=dict)
    stays_over: dict[int, cp_model.IntVar] = field(default_factory=dict)
    peak: cp_model.IntVar | None = None
    joins_at: dict[int, list[tuple[int, cp_model.IntVar]]] = field(default_factory=dict)
    supervised: dict[int, cp_model.IntVar] = field(default_factory=dict)  # NQSW -> has a supervision place
    above: dict[int, cp_model.IntVar] = field(default_factory=dict)  # load above capacity (over_capacity_for)
    above_mark: dict[int, cp_model.IntVar] = field(default_factory=dict)  # load above the headroom mark


def assigned(v: Vars, fi: int) -> Expr:
    return v.given.get(fi, 0)


def add_assignment(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    """One boolean per allowed (family, worker); a family gets one worker or none.

    In a mixed family the newcomers either join the worker of their siblings or wait.
    """
    for fi, dom in enumerate(c.domains):
        v.by_family[fi] = []
        for wi in dom:
            var = m.new_bool_var(f"x_{fi}_{wi}")
            v.x[fi, wi] = var
            v.by_family[fi].append((wi, var))
            v.by_worker.setdefault(wi, []).append((fi, var))
        if dom:
            # an explicit 0/1 per family keeps each objective's trivial bound visible to the solver
            v.given[fi] = m.new_bool_var(f"given_{fi}")
            m.add(cp_model.LinearExpr.sum([var for _, var in v.by_family[fi]]) == v.given[fi])
    for fi, dom in sorted(c.joins.items()):
        if not dom:
            continue
        for wi in dom:
            var = v.j[fi, wi] = m.new_bool_var(f"join_{fi}_{wi}")
            m.add_implication(var, v.x[fi, wi])
        v.joined[fi] = m.new_bool_var(f"joined_{fi}")
        m.add(cp_model.LinearExpr.sum([v.j[fi, wi] for wi in dom]) == v.joined[fi])
    joins_at: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    for (fi, wi), var in v.j.items():
        joins_at.setdefault(wi, []).append((fi, var))
    for wi in range(len(c.workers)):
        terms = [(var, c.families[fi].core.weight) for fi, var in v.by_worker.get(wi, [])]
        terms += [(var, c.families[fi].newcomers.weight) for fi, var in joins_at.get(wi, [])]
        v.load[wi] = cp_model.LinearExpr.weighted_sum([var for var, _ in terms], [w for _, w in terms])
    v.joins_at = joins_at


def add_capacity(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    """No new allocation takes a worker over capacity.

    A worker already over capacity may keep what they hold (never more), but
    then takes no child they do not hold now; the load above capacity is `excess`.
    """
    for wi, terms in sorted(v.by_worker.items()):
        cap = c.capacity(wi)
        if c.may_go_above(wi) and any(fi in c.above for fi, _ in terms):
            ordinary = [var * c.families[fi].core.weight for fi, var in terms if fi not in c.above]
            m.add(sum(ordinary) + sum(c.families[fi].newcomers.weight * var for fi, var in v.joins_at.get(wi, []))
                  <= cap)  # only children of over_capacity_for go above capacity
            v.above[wi] = m.new_int_var(0, c.allowance, f"above_{wi}")
            m.add(v.load[wi] - cap <= v.above[wi])
            excess_floor(c, m, wi, v.load[wi], v.above[wi])
            continue
        if not c.overloaded(wi):
            m.add(v.load[wi] <= c.within[wi])
            continue
        over = v.stays_over[wi] = m.new_bool_var(f"stays_over_{wi}")
        m.add(v.load[wi] <= c.within[wi] + (c.current_load[wi] - c.within[wi]) * over)
        new = [var for fi, var in terms if c.is_new(fi, wi)] + [var for _, var in v.joins_at.get(wi, [])]
        if new:
            m.add(sum(new) == 0).only_enforce_if(over)
        ex = m.new_int_var(0, c.current_load[wi] - cap, f"excess_{wi}")
        m.add(ex >= v.load[wi] - cap)
        excess_floor(c, m, wi, v.load[wi], ex)
        v.excess[wi] = ex


def add_supervision(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    """Where a team has fewer supervision places than NQSWs, the plan chooses who gets one;
    an NQSW without a place keeps their children but is given no one new."""
    for _team, (places, nqsws) in sorted(c.supervision.items()):
        for n in nqsws:
            v.supervised[n] = m.new_bool_var(f"supervised_{n}")
        m.add(sum(v.supervised[n] for n in nqsws) <= places)
    for (fi, wi), var in v.x.items():
        if wi in v.supervised and c.is_new(fi, wi):
            m.add_implication(var, v.supervised[wi])
    for (_fi, wi), var in v.j.items():
        if wi in v.supervised:
            m.add_implication(var, v.supervised[wi])


def add_symmetry(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    """Interchangeable workers (Component.alike) take families in order: the k-th family that may go to the
    group goes to one of its first k+1 workers, or elsewhere. Every plan has a relabelling of the group that
    meets this (order the workers by the first family each holds; see canonical), so no value is lost."""
    for fams, group in c.alike:
        for k, fi in enumerate(fams):
            for wi in group[k + 1:]:
                m.add(v.x[fi, wi] == 0)


def canonical(c: Component, sol: dict[int, int | None]) -> dict[int, int | None]:
    """The plan with each group of interchangeable workers relabelled to meet add_symmetry: the group's
    caseloads in the order of the first family each holds (empty ones last). Every value is unchanged."""
    out = dict(sol)
    for fams, group in c.alike:
        order = {fi: k for k, fi in enumerate(fams)}
        first = {wi: min((order[fi] for fi, w in sol.items() if w == wi), default=len(order)) for wi in group}
        relabel = dict(zip(sorted(group, key=lambda wi: (first[wi], wi)), group, strict=True))
        for fi, wi in sol.items():
            if wi in relabel:
                out[fi] = relabel[wi]
    return out


def add_max_moves(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    if c.max_moves is not None:
        m.add(moves(c, v) <= c.max_moves)


def add_peak(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    v.peak = peak_var(c, m, {wi: v.load[wi] for wi in sorted(v.by_worker)}, v.excess)


def peak_var(c: Component, m: cp_model.CpModel, load: dict[int, Expr], excess: dict[int, cp_model.IntVar]
             ) -> cp_model.IntVar:
    """peak >= every case-holding worker's utilisation (per mille), excess that cannot move aside; `load` and
    `excess` by worker index (the full model's, or the class model's in aggregate.py)."""
    peak = m.new_int_var(0, peak_top(c), "peak")
    for wi, held in load.items():
        cap = c.capacity(wi)
        if cap <= 0:
            continue
        movable = held - excess[wi] if wi in excess else held
        m.add(PERMILLE * movable <= peak * cap)
    return peak


def peak_top(c: Component) -> int:
    """Above the highest utilisation (per mille) any plan can give a worker (see top_load)."""
    return max([PERMILLE] + [PERMILLE * max(held, cap + c.allowance) // max(1, cap) + 1
                             for held, cap in zip(c.current_load, c.caps, strict=True)])


def top_load(c: Component, wi: int) -> int:
    """The most (scaled) a worker can hold in any plan: what they hold now if over capacity, else capacity
    (and the allowance above it, for over_capacity_for)."""
    return max(c.current_load[wi], c.capacity(wi) + (c.allowance if c.may_go_above(wi) else 0))


def add_evenness(c: Component, m: cp_model.CpModel, v: Vars) -> None:
    v.above_mark = above_marks(c, m, {wi: v.load[wi] for wi in sorted(v.by_worker)})


def above_marks(c: Component, m: cp_model.CpModel, load: dict[int, Expr]) -> dict[int, cp_model.IntVar]:
    """Per case-holding worker, the load above the headroom mark (HEADROOM per cent of capacity): what evens
    out the load after the peak; `load` by worker index, as for peak_var."""
    out = {}
    for wi, held in load.items():
        cap = c.capacity(wi)
        if cap <= 0:
            continue
        mark = headroom_mark(cap)
        out[wi] = m.new_int_var(0, max(0, top_load(c, wi) - mark), f"above_mark_{wi}")
        m.add(out[wi] >= held - mark)
    return out


def headroom_mark(cap: int) -> int:
    """The load (scaled) above which a worker has less than the headroom left."""
    return HEADROOM * cap // PERCENT


def sums_around(weights: Counter[int], cap: int) -> tuple[int, int | None]:
    """The largest sum of items (weight -> how many) no more than `cap`, and the smallest above it (None if
    none is): subset sums on a bitset, up to `cap` plus the largest weight (any sum above `cap` drops items
    down to one no more than that above it)."""
    if cap < 0:
        return cap, None
    reach = net_sums(Counter(), weights, cap + max((w for w, n in weights.items() if n), default=0)).bits
    below = reach & ((1 << (cap + 1)) - 1)
    above = reach >> (cap + 1)
    return below.bit_length() - 1, None if not above else cap + 1 + (above & -above).bit_length() - 1


@dataclass(frozen=True)
class Sums:
    """The net loads a worker can take from items in (weight > 0) and items out (weight < 0), each used once:
    bit `offset + s` of `bits` is set where some of them net s; `steps` lists each item with the bits before it,
    in the order added (items out first, so sums in are never cut off), to read back which items make a sum."""
    bits: int
    offset: int
    steps: tuple[tuple[int, int], ...]

    def best(self, room: int) -> int:
        """The largest net no more than `room` (at least 0 where `room` is: no item at all); `room` itself where
        no net is that small (nothing to gain)."""
        top = self.offset + room
        return room if top < 0 else (self.bits & ((1 << (top + 1)) - 1)).bit_length() - 1 - self.offset

    def unfilled(self, room: int) -> int:
        return room - self.best(room)

    def picks(self, room: int) -> Counter[int]:
        """Items (signed weight -> how many) making that net."""
        at, out = self.offset + self.best(room), Counter[int]()
        if at < 0:
            return out
        for w, before in reversed(self.steps):
            if not before >> at & 1:
                out[w] += 1
                at -= w
        return out


def net_sums(items_out: Counter[int], items_in: Counter[int], top: int) -> Sums:
    """The Sums of these items (weight -> how many, each weight > 0), up to `top` in all."""
    offset = sum(w * n for w, n in items_out.items())
    mask, bits, steps = (1 << (offset + top + 1)) - 1, 1 << offset, []
    for w, n in sorted(items_out.items()):
        for _ in range(n if w > 0 else 0):
            grown = bits | bits >> w
            if grown == bits:
                break
            steps.append((-w, bits))
            bits = grown
    for w, n in sorted(items_in.items()):
        for _ in range(min(n, (offset + top) // w) if w > 0 else 0):
            grown = (bits | bits << w) & mask
            if grown == bits:
                break
            steps.append((w, bits))
            bits = grown
    return Sums(bits, offset, tuple(steps))


def excess_floor(c: Component, m: cp_model.CpModel, wi: int, load: Expr, excess: Expr) -> None:
    """`excess >= load - capacity` made tight: no load lies strictly between `within` and the sum above it
    (Component.around), so excess is at least the line through (within, 0) and (that sum, that sum - capacity).
    With every child weighing 1 and a capacity of 13.5, a load of 13.5 and no excess is then not a solution of
    the linear relaxation either (it left whole children waiting in the relaxation that no plan can place)."""
    lo, hi = c.around[wi]
    cap = c.capacity(wi)
    if hi is not None and lo < cap:
        m.add((hi - lo) * excess >= (hi - cap) * (load - lo))


# ---- objective terms, in the contract's order ----

def pins_missed(c: Component, v: Vars) -> Expr:
    """Children whose manager's decision (fixed_worker) the plan does not keep."""
    total: Expr = 0
    for fi, wi in sorted(c.pins.items()):
        f = c.families[fi]
        total += f.core.size * (1 - v.x[fi, wi])
        if f.mixed:  # the pin is met when the newcomers join too
            total += f.newcomers.size * (1 - v.j[fi, wi])
    return total


def dropped(c: Component, v: Vars) -> Expr:
    """Children who have a worker now but none in the plan."""
    return sum(f.with_worker * (1 - assigned(v, fi)) for fi, f in enumerate(c.families) if f.with_worker)


def excess(c: Component, v: Vars) -> Expr:
    return sum(v.excess.values())


def _left_waiting(name: str, amount: Callable[[Family], int]) -> Term:
    """A term summing `amount` over the families whose awaiting children stay waiting (a mixed family's
    newcomers wait unless they join their siblings' worker)."""
    def term(c: Component, v: Vars) -> Expr:
        return sum(amount(f) * (1 - (v.joined.get(fi, 0) if f.mixed else assigned(v, fi)))
                   for fi, f in enumerate(c.families) if amount(f))
    term.__name__ = name
    return term


def waiting(priority: str) -> Term:
    """Children awaiting allocation at this priority who stay waiting."""
    return _left_waiting(f"waiting_{priority}", lambda f: f.awaiting(priority))


def waited(priority: str) -> Term:
    """Days waited, up to the plan date, by the children awaiting allocation at this priority who stay waiting."""
    return _left_waiting(f"waited_{priority}", lambda f: f.waited(priority))


def above_capacity(c: Component, v: Vars) -> Expr:
    """Load placed above capacity for children of over_capacity_for (each goes where it overloads least)."""
    return sum(v.above.values())


def moves(c: Component, v: Vars) -> Expr:
    """Children whose worker changes (a child who is dropped is counted by `dropped`)."""
    changed = [(var, n) for (fi, wi), var in v.x.items() if (n := c.moved(fi, wi))]
    return cp_model.LinearExpr.weighted_sum([var for var, _ in changed], [n for _, n in changed]) if changed else 0


def peak(c: Component, v: Vars) -> Expr:
    assert v.peak is not None
    return v.peak


def above_headroom(c: Component, v: Vars) -> Expr:
    """Load above HEADROOM per cent of capacity, summed over case-holding workers: smaller when it is even."""
    return sum(v.above_mark.values())


def values(c: Component, sol: dict[int, int | None], joins: AbstractSet[int] = frozenset()) -> dict[str, int]:
    """The stage terms for a plan (family -> worker index; mixed families whose newcomers joined),
    computed without the solver."""
    load = loads(c, sol, joins)
    out = {"fixed_worker_not_met": sum(c.families[fi].core.size * (sol.get(fi) != wi)
                                       + c.families[fi].mixed * c.families[fi].newcomers.size
                                       * (sol.get(fi) != wi or fi not in joins) for fi, wi in c.pins.items()),
           "dropped": 0, "over_capacity": 0, "moves": 0,
           **{f"wait{s}_{p}": 0 for p in PRIORITIES for s in ("ing", "ed")}}
    dropped = moves = 0
    for fi, (f, kept) in enumerate(zip(c.families, c.kept, strict=True)):
        wi = sol.get(fi)
        if wi is None:
            dropped += f.with_worker
        else:
            moves += f.with_worker - kept.get(wi, 0)  # Component.moved, inlined: a solve's hottest loop
        if fi not in joins if f.mixed else wi is None:
            for p in PRIORITIES:
                out[f"waiting_{p}"] += f.awaiting(p)
                out[f"waited_{p}"] += f.waited(p)
    out["dropped"], out["moves"] = dropped, moves
    peak, out["above_capacity"], out["above_headroom"] = 0, 0, 0
    for cap, held, over in zip(c.caps, load, c.over_now, strict=True):
        if cap > 0:
            out["above_headroom"] += max(0, held - headroom_mark(cap))
        if over:
            out["over_capacity"] += max(0, held - cap)
            held = min(held, cap)
        else:
            out["above_capacity"] += max(0, held - cap)
        if cap > 0:
            peak = max(peak, -(-PERMILLE * held // cap))
    out["peak_utilisation"] = peak
    return out


def loads(c: Component, sol: dict[int, int | None], joins: AbstractSet[int] = frozenset()) -> list[int]:
    """Scaled weight each worker holds in a plan (a mixed family's newcomers only where they joined)."""
    load = [0] * len(c.workers)
    for fi, wi in sol.items():
        if wi is not None:
            f = c.families[fi]
            load[wi] += f.core.weight + (f.newcomers.weight if fi in joins else 0)
    return load


Term = Callable[[Component, Vars], Expr]  # a stage's objective: a linear expression, or an int nothing changes

STAGE_TERMS: dict[str, Term] = {
    "dropped": dropped, "fixed_worker_not_met": pins_missed, "over_capacity": excess,
    "waiting_high": waiting("high"), "waiting_medium": waiting("medium"), "waiting_low": waiting("low"),
    "moves": moves, "peak_utilisation": peak, "above_headroom": above_headroom, "above_capacity": above_capacity,
    **{f"waited_{p}": waited(p) for p in PRIORITIES}}
FAIRNESS = ("peak_utilisation", "above_headroom")  # the contract's fairness, level by level
REFUTABLE = ("moves", *FAIRNESS)  # the stages after the counting ones the class model can bound (aggregate.refutes)


def stage_names(order: tuple[str, ...]) -> tuple[str, ...]:
    """The policy's objective_order as the stages' names (its `fairness` is FAIRNESS, in that order)."""
    return tuple(stage for name in order for stage in (FAIRNESS if name == "fairness" else (name,)))


STAGE_NAMES = stage_names(OBJECTIVE_ORDER)


def stage_order(names: tuple[str, ...], waits: bool, above: bool) -> tuple[str, ...]:
    """The stages to solve, in order: each waiting level followed, where children have waited (awaiting_since),
    by its tie-break, the days waited by those left waiting (so within a priority the longest-waiting go
    first, after the count, never instead of it); and where children may go above capacity
    (over_capacity_for), after the last waiting level, the load placed above capacity."""
    out: list[str] = []
    for name in names:
        out.append(name)
        if waits and name.startswith("waiting_"):
            out.append(f"waited_{name[8:]}")
    if above:
        last = max(i for i, name in enumerate(out) if name.startswith("wait"))
        out.insert(last + 1, "above_capacity")
    return tuple(out)


def hint(m: cp_model.CpModel, c: Component, v: Vars, sol: dict[int, int | None], joins: AbstractSet[int],
         unsupervised: AbstractSet[int]) -> None:
    """A complete hint (every variable) from a plan, so the solver starts from it at once."""
    m.clear_hints()
    sol = canonical(c, sol)
    pairs = [(var.index, int(sol.get(fi) == wi)) for (fi, wi), var in v.x.items()]
    pairs += [(var.index, int(sol.get(fi) is not None)) for fi, var in v.given.items()]
    pairs += [(var.index, int(sol.get(fi) == wi and fi in joins)) for (fi, wi), var in v.j.items()]
    pairs += [(var.index, int(fi in joins)) for fi, var in v.joined.items()]
    load = loads(c, sol, joins)
    for wi, var in v.above.items():
        pairs.append((var.index, max(0, load[wi] - c.capacity(wi))))
    for wi, var in v.excess.items():
        over = load[wi] - c.capacity(wi)
        pairs += [(var.index, max(0, over)), (v.stays_over[wi].index, int(over > 0))]
    pairs += [(var.index, int(n not in unsupervised)) for n, var in v.supervised.items()]
    assert v.peak is not None
    pairs.append((v.peak.index, values(c, sol, joins)["peak_utilisation"]))
    pairs += [(var.index, max(0, load[wi] - headroom_mark(c.capacity(wi)))) for wi, var in v.above_mark.items()]
    h = m.proto.solution_hint
    h.vars.extend(i for i, _ in pairs)
    h.values.extend(x for _, x in pairs)


def build(c: Component) -> tuple[cp_model.CpModel, Vars]:
    m, v = cp_model.CpModel(), Vars()
    for rule in (add_assignment, add_capacity, add_supervision, add_symmetry, add_max_moves, add_peak):
        rule(c, m, v)
    return m, v


# Variables a stage needs that only it uses, added when it is reached: present from the start they slow the
# search of the earlier stages (measured: the sample's second week no longer proved over_capacity).
LATE_RULES: dict[str, Callable[[Component, cp_model.CpModel, Vars], None]] = {"above_headroom": add_evenness}
