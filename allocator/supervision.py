"""Every NQSW gets a supervisor of a supervisor role in the same team, within the ratio.

Independent of the children, so it is settled before the solve: named
supervisors are kept where valid and within the ratio; the rest go to the
supervisor with the fewest NQSWs. Filling every free place this way is optimal:
within a team all supervisors are alike.
"""
from __future__ import annotations

from collections import defaultdict

from .instance import Instance


def assign_supervisors(inst: Instance) -> tuple[dict[str, str], dict[str, str]]:
    """({nqsw: supervisor}, {nqsw without one: why})."""
    pol = inst.policy
    cap = pol.max_nqsw_per_supervisor
    supervisors: dict[str, list[str]] = defaultdict(list)
    for w in inst.workers:
        if w.role in pol.supervisor_roles:
            supervisors[w.team].append(w.id)
    count: dict[str, int] = defaultdict(int)
    chosen: dict[str, str] = {}
    nqsws = [w for w in inst.workers if w.is_nqsw]
    for w in nqsws:  # named and valid first, in id order
        s = inst.worker_by_id.get(w.supervisor_id or "")
        if s and s.team == w.team and s.role in pol.supervisor_roles and count[s.id] < cap:
            chosen[w.id] = s.id
            count[s.id] += 1
    missing: dict[str, str] = {}
    for w in nqsws:
        if w.id in chosen:
            continue
        options = [s for s in supervisors[w.team] if count[s] < cap]
        if not options:
            n = len(supervisors[w.team])
            missing[w.id] = (f"no supervisor in {w.team} has room: {n} supervisor{'s' if n != 1 else ''} "
                             f"x {cap} NQSWs each" if n else f"{w.team} has no {' / '.join(pol.supervisor_roles)}")
            continue
        s = min(options, key=lambda s: (count[s], s))
        chosen[w.id] = s
        count[s] += 1
    return chosen, missing
