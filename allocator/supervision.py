"""Every NQSW gets a supervisor of a supervisor role in the same team, within the ratio.

Named supervisors are kept where valid and within the ratio; the rest go to the
supervisor with the fewest NQSWs. Filling every free place this way leaves the
fewest NQSWs without a supervisor (within a team all supervisors are alike).
Where places run short, who gets one decides who may take new children, so the
solver chooses (model.add_supervision); this module's choice (most room first)
is only its starting point.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet

from .instance import Instance
from .rules import held_now, scaled


def assign_supervisors(inst: Instance, first: AbstractSet[str] = frozenset()) -> tuple[dict[str, str], dict[str, int]]:
    """({nqsw: supervisor}, {nqsw without one: how many supervisors their team has, all full}).

    `first`: NQSWs to give the free places to before any other (the solver's choice).
    """
    pol = inst.policy
    cap = pol.max_nqsw_per_supervisor
    supervisors: dict[str, list[str]] = defaultdict(list)
    for w in inst.workers:
        if w.role in pol.supervisor_roles and not w.is_nqsw:  # an NQSW is supervised, never a supervisor
            supervisors[w.team].append(w.id)
    count: dict[str, int] = defaultdict(int)
    chosen: dict[str, str] = {}
    nqsws = [w for w in inst.workers if w.is_nqsw]
    for w in nqsws:  # named and valid first, in id order
        named = inst.worker_by_id.get(w.supervisor_id or "")
        if (named and named.team == w.team and named.role in pol.supervisor_roles and not named.is_nqsw
                and count[named.id] < cap):
            chosen[w.id] = named.id
            count[named.id] += 1
    held = held_now(inst)
    missing: dict[str, int] = {}
    # where places run short, those with the most room go first: an NQSW without a supervisor
    # keeps their children but takes no one new, so a place is worth most to one who can
    for w in sorted(nqsws, key=lambda w: (w.id not in first, -(scaled(w.capacity) - held[w.id]), w.id)):
        if w.id in chosen:
            continue
        options = [s for s in supervisors[w.team] if count[s] < cap]
        if not options:
            missing[w.id] = len(supervisors[w.team])
            continue
        s = min(options, key=lambda s: (count[s], s))
        chosen[w.id] = s
        count[s] += 1
    return chosen, missing


def contested(inst: Instance, chosen: dict[str, str], missing: dict[str, int]) -> dict[str, tuple[int, list[str]]]:
    """Teams with more NQSWs than free supervision places: {team: (places, NQSWs who may get one)}.

    Who gets a place decides who may take new children, so the solver chooses there.
    """
    out = {}
    for team in sorted({inst.worker_by_id[n].team for n in missing}):
        named = {n for n, s in chosen.items() if inst.worker_by_id[n].supervisor_id == s}
        candidates = sorted(w.id for w in inst.workers if w.is_nqsw and w.team == team and w.id not in named)
        places = sum(1 for n in candidates if n in chosen)
        if places:
            out[team] = (places, candidates)
    return out
