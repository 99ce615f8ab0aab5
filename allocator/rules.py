"""The hard rules of a placement as named objects, and the family as the unit of decision.

The model's domains, the reasons and the input cross-checks all ask the same `Rule`s;
`blocker(worker, family)` is None when the worker may hold the family, else the rule
that forbids it and why. (The independent validator re-implements them on purpose.)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from policy.settings import PRIORITIES, Policy

from .instance import Child, Instance, Worker

SCALE = 100  # weights and capacities become whole hundredths for CP-SAT


def scaled(x: float) -> int:
    return int(round(x * SCALE))


T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 (named as the functools one it stands in for)
    """functools.cached_property without the lock Python 3.11 takes on every first read (3.12 dropped it): the
    solve reads a few properties of every family once, hundreds of thousands of times in a county. Values
    are pure functions of the object, so two threads computing one at once store the same value."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func, self.__doc__ = func, func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]  # read on the class: the descriptor itself
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(frozen=True)
class Family:
    """Siblings decide together: one worker for all, or none."""

    id: str
    team: str
    children: tuple[Child, ...]

    @cached_property
    def size(self) -> int:
        return len(self.children)

    @cached_property
    def weight(self) -> int:
        return sum(scaled(c.weight) for c in self.children)

    @cached_property
    def held(self) -> Family:
        """The siblings who have a worker now (the part that can be kept)."""
        return Family(self.id, self.team, tuple(c for c in self.children if c.current_worker))

    @cached_property
    def newcomers(self) -> Family:
        """The siblings awaiting allocation."""
        return Family(self.id, self.team, tuple(c for c in self.children if not c.current_worker))

    @cached_property
    def mixed(self) -> bool:
        """Some siblings have a worker and some await one: the newcomers may wait to join them."""
        return 0 < self.with_worker < self.size

    @cached_property
    def core(self) -> Family:
        """What the family's worker variable places: the held siblings of a mixed family, else all."""
        return self.held if self.mixed else self

    @cached_property
    def current_workers(self) -> tuple[str, ...]:
        return tuple(sorted({c.current_worker for c in self.children if c.current_worker}))

    @cached_property
    def with_worker(self) -> int:
        return sum(1 for c in self.children if c.current_worker)

    @cached_property
    def _awaiting(self) -> dict[str, int]:
        out = dict.fromkeys(PRIORITIES, 0)
        for c in self.children:
            if not c.current_worker:
                out[c.priority] += 1
        return out

    def awaiting(self, priority: str) -> int:
        return self._awaiting[priority]

    @cached_property
    def urgency(self) -> int:
        """The rank of its most urgent child awaiting allocation (0 high, 1 medium...; len(PRIORITIES): none)."""
        return min((PRIORITIES.index(c.priority) for c in self.children if not c.current_worker),
                   default=len(PRIORITIES))

    @cached_property
    def _waited(self) -> dict[str, int]:
        out = dict.fromkeys(PRIORITIES, 0)
        for c in self.children:
            if not c.current_worker:
                out[c.priority] += c.waited_days
        return out

    def waited(self, priority: str) -> int:
        """Days waited up to the plan date by the siblings awaiting allocation at this priority."""
        return self._waited[priority]

    @cached_property
    def held_now(self) -> dict[str, int]:
        """Worker id -> how many of the siblings they hold now."""
        out: dict[str, int] = {}
        for c in self.children:
            if c.current_worker:
                out[c.current_worker] = out.get(c.current_worker, 0) + 1
        return out

    def held_by(self, worker_id: str) -> int:
        return self.held_now.get(worker_id, 0)

    @cached_property
    def skills(self) -> tuple[str, ...]:
        return tuple(sorted({s for c in self.children for s in c.required_skills}))

    @cached_property
    def needs_experienced(self) -> bool:
        return any(c.needs_experienced for c in self.children)

    @cached_property
    def fixed_worker(self) -> str | None:
        pins = {c.fixed_worker for c in self.children if c.fixed_worker}
        return pins.pop() if len(pins) == 1 else None

    @cached_property
    def avoid(self) -> frozenset[str]:
        return frozenset(w for c in self.children for w in c.avoid_workers)



def held_now(inst: Instance) -> dict[str, int]:
    """Scaled weight each worker holds as the inputs stand, before any plan (built once per instance)."""
    cached = inst.__dict__.get("_held_now")
    if cached is None:
        cached = dict.fromkeys(inst.worker_by_id, 0)
        for c in inst.children:
            if c.current_worker in cached:
                cached[c.current_worker] += scaled(c.weight)
        object.__setattr__(inst, "_held_now", cached)
    return cached


def families(inst: Instance) -> list[Family]:
    """The instance's families, by id (built once per instance: the solve, reasons and checks share them)."""
    cached = inst.__dict__.get("_families")
    if cached is None:
        cached = [Family(fid, cs[0].team, cs) for fid, cs in inst.families().items()]
        object.__setattr__(inst, "_families", cached)
    return list(cached)


@dataclass(frozen=True)
class Rule:
    """A hard rule of a placement: its name, the rule in words, and the test that finds a breach.

    `test(worker, family, policy, unsupervised)` says why the worker may not hold the family, or None.
    The model's domains, the reasons and the input cross-checks all ask the same objects.
    """

    name: str
    description: str  # the rule in words
    ruled_out: str  # what the workers it rules out are, as a reason says it: "2 of 3 lack the skill"
    test: Callable[[Worker, Family, Policy, frozenset[str]], str | None]


@dataclass(frozen=True)
class Blocked:
    """A rule that forbids a worker a family, with the reason in words."""

    rule: Rule
    why: str

    def __str__(self) -> str:
        return self.why


def _reach(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    if w.serves(f.team) or policy.cross_team:
        return None
    return f"works in {w.team}, not {f.team}"


def _skill(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    if not f.skills:
        return None
    missing = [s for s in f.skills if s not in w.skills]
    return f"lacks the {', '.join(missing)} skill" if missing else None


def _nqsw(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    if w.is_nqsw and f.needs_experienced and not policy.nqsw_may_lead_cp:
        return "is an NQSW, who does not lead child-protection or court work"
    return None


def _avoid(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    return "is on the family's avoid list" if w.id in f.avoid else None


def _takes_new(w: Worker, f: Family) -> bool:
    """Would the worker get a child who is not theirs now?"""
    return f.held_by(w.id) < f.size


def _accepting(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    return "is not accepting new children" if not w.accepting and _takes_new(w, f) else None


def _absent(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    return f"is {w.away}, so takes no new children" if w.away and _takes_new(w, f) else None


def _supervised(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    if w.id in unsupervised and _takes_new(w, f):
        return "is an NQSW with no supervisor available, so takes no new children"
    return None


def _size(w: Worker, f: Family, policy: Policy, unsupervised: frozenset[str]) -> str | None:
    if scaled(w.capacity) < f.weight and _takes_new(w, f):
        return f"has capacity {w.capacity:g}, less than the family's {f.weight / SCALE:g}"
    return None


REACH = Rule("reach", "a worker holds children of their own team and of their extra_teams (any team with "
             "cross_team)", "work in other teams", _reach)
SKILL = Rule("skill", "a child who needs a skill is held by a worker who has it", "lack the skill", _skill)
NQSW = Rule("nqsw", "an NQSW does not lead child-protection or court work (unless nqsw_may_lead_cp)",
            "are NQSWs, who do not lead child-protection or court work", _nqsw)
AVOID = Rule("avoid", "no child goes to a worker on the family's avoid list", "are on the family's avoid list",
             _avoid)
ACCEPTING = Rule("accepting", "a worker who is not accepting keeps their children but takes no one new, "
                 "not even a sibling", "are not accepting new children", _accepting)
ABSENT = Rule("absent", "a worker absent on the plan date takes no new child", "are absent on the plan date",
              _absent)
SUPERVISED = Rule("supervised", "an NQSW with no supervisor keeps their children but takes no one new",
                  "are NQSWs with no supervisor available", _supervised)
SIZE = Rule("size", "a family goes whole to one worker, so not to a worker whose capacity is less than its "
            "weight (unless they hold it all now)", "have less capacity than the family needs", _size)

# in this order: each answers the common case first, as blocker() runs for every (family, worker) pair
HARD_RULES = (REACH, SKILL, NQSW, AVOID, ACCEPTING, ABSENT, SUPERVISED, SIZE)


def blocker(w: Worker, f: Family, inst: Instance, unsupervised: frozenset[str] = frozenset()) -> Blocked | None:
    """The first hard rule that forbids `w` the family `f` (capacity left aside), or None."""
    for rule in HARD_RULES:
        why = rule.test(w, f, inst.policy, unsupervised)
        if why:
            return Blocked(rule, why)
    return None
