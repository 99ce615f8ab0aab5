"""The hard rules of a placement, one small function each, and the family as the unit of decision.

The model, the greedy baseline and the reasons all ask `blocker(worker, family)`:
None when the worker may hold the family, else the rule that forbids it in words.
(The independent validator re-implements these checks on purpose.)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .instance import Child, Instance, Worker

SCALE = 100  # weights and capacities become whole hundredths for CP-SAT


def scaled(x: float) -> int:
    return int(round(x * SCALE))


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
        out = {"high": 0, "medium": 0, "low": 0}
        for c in self.children:
            if not c.current_worker:
                out[c.priority] += 1
        return out

    def awaiting(self, priority: str) -> int:
        return self._awaiting[priority]

    @cached_property
    def _held(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.children:
            if c.current_worker:
                out[c.current_worker] = out.get(c.current_worker, 0) + 1
        return out

    def held_by(self, worker_id: str) -> int:
        return self._held.get(worker_id, 0)

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



def families(inst: Instance) -> list[Family]:
    """The instance's families, by id (built once per instance: the solve, reasons and checks share them)."""
    cached = inst.__dict__.get("_families")
    if cached is None:
        cached = [Family(fid, cs[0].team, cs) for fid, cs in inst.families().items()]
        object.__setattr__(inst, "_families", cached)
    return list(cached)


def out_of_reach(w: Worker, f: Family, inst: Instance) -> str | None:
    if w.serves(f.team) or inst.policy.cross_team:
        return None
    return f"works in {w.team}, not {f.team}"


def missing_skill(w: Worker, f: Family, inst: Instance) -> str | None:
    if not f.skills:
        return None
    missing = [s for s in f.skills if s not in w.skills]
    return f"lacks the {', '.join(missing)} skill" if missing else None


def nqsw_rule(w: Worker, f: Family, inst: Instance) -> str | None:
    if w.is_nqsw and f.needs_experienced and not inst.policy.nqsw_may_lead_cp:
        return "is an NQSW, who does not lead child-protection or court work"
    return None


def avoided(w: Worker, f: Family, inst: Instance) -> str | None:
    return "is on the family's avoid list" if w.id in f.avoid else None


# each rule answers the common case first: blocker() runs for every (family, worker) pair of a county
HARD_RULES = (out_of_reach, missing_skill, nqsw_rule, avoided)


def blocker(w: Worker, f: Family, inst: Instance, unsupervised: frozenset[str] = frozenset()) -> str | None:
    """Why `w` may not hold `f` (capacity aside), or None.

    A worker who is not accepting, or an NQSW with no supervisor, keeps the
    children they already hold but takes no one new, not even a sibling.
    """
    for rule in HARD_RULES:
        why = rule(w, f, inst)
        if why:
            return why
    is_new = f.held_by(w.id) < f.size  # the worker would get a child who is not theirs now
    if is_new and not w.accepting:
        return "is not accepting new children"
    if is_new and w.id in unsupervised:
        return "is an NQSW with no supervisor available, so takes no new children"
    if is_new and scaled(w.capacity) < f.weight:
        return f"has capacity {w.capacity:g}, less than the family's {f.weight / SCALE:g}"
    return None
