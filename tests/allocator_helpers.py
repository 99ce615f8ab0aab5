"""Tiny builders for the allocator tests: hand-made councils whose right answer is known.

`worker` and `child` build the allocator's own typed objects; `instance` wraps
them with a Policy dated 2026-11-01 (so NQSW ramps are reproducible) and fills
in what depends on the policy: each worker's capacity (Policy.capacity) and
each child's weight (the policy's category weight unless the child gives one).
`run` allocates single-threaded and insists that the independent validator
finds nothing wrong with the plan, every time.
"""
from __future__ import annotations

import csv
import dataclasses
from datetime import date
from pathlib import Path

from allocator import validator
from allocator.instance import Child, Instance, Worker
from allocator.solve import Options, allocate
from policy.settings import CATEGORIES, Policy

AS_OF = date(2026, 11, 1)


def policy(**kw) -> Policy:
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("time_limit_seconds", 10)
    if "weights" in kw:
        kw["weights"] = {**{c: 1.0 for c in CATEGORIES}, **kw["weights"]}
    for key in ("supervisor_roles", "nqsw_ramp"):
        if isinstance(kw.get(key), list):
            kw[key] = tuple(tuple(x) if isinstance(x, list) else x for x in kw[key])
    return Policy(**kw)


def _tuple(v) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(s for s in v.split(";") if s)
    return tuple(v)


def worker(id: str, team: str = "T1", role: str = "social_worker", fte: float = 1.0, **kw) -> Worker:
    """A worker; capacity from Policy.capacity (recomputed by `instance` under its policy)."""
    pol = kw.pop("policy", None) or policy()
    for key in ("skills", "extra_teams"):
        if key in kw:
            kw[key] = tuple(s.lower() for s in _tuple(kw[key])) if key == "skills" else _tuple(kw[key])
    cap = pol.capacity(role, fte, kw.get("asye_start"), kw.get("max_children"))
    return Worker(id=id, team=team, role=role, fte=fte, capacity=cap, **kw)


def child(id: str, team: str = "T1", category: str = "cin", family: str | None = None, **kw) -> Child:
    """A child; `family=None` is a family of one. Without `weight`, the policy's category weight applies."""
    if "required_skills" in kw:
        kw["required_skills"] = tuple(s.lower() for s in _tuple(kw["required_skills"]))
    if "skill" in kw:
        kw["required_skills"] = tuple(s.lower() for s in _tuple(kw.pop("skill")))
    if "avoid_workers" in kw:
        kw["avoid_workers"] = _tuple(kw["avoid_workers"])
    kw.setdefault("weight", None)  # filled in by `instance` from the policy
    return Child(id=id, team=team, category=category, family_id=family or f"~{id}", **kw)


def instance(workers, children, **policy_kw) -> Instance:
    pol = policy(**policy_kw)
    ws = tuple(sorted((dataclasses.replace(w, capacity=pol.capacity(w.role, w.fte, w.asye_start, w.max_children))
                       for w in workers), key=lambda w: w.id))
    cs = tuple(sorted((dataclasses.replace(c, weight=round(pol.weight(c.category) if c.weight is None else c.weight, 2))
                       for c in children), key=lambda c: c.id))
    return Instance(ws, cs, pol)


def run(inst: Instance, **opts):
    """allocate(inst, Options(threads=1, **opts)); the plan must pass the independent validator."""
    opts.setdefault("threads", 1)
    plan = allocate(inst, Options(**opts))
    problems = validator.check(inst, plan)
    assert problems == [], problems
    return plan


# ---- reading a plan ----

def rows(plan) -> dict:
    return {r.child_id: r for r in plan.rows}


def assigned(plan) -> dict[str, str | None]:
    return {r.child_id: r.worker_id for r in plan.rows}


def statuses(plan) -> dict[str, str]:
    return {r.child_id: r.status for r in plan.rows}


def stages(plan) -> dict[str, int]:
    return {s.name: s.value for s in plan.solution.stages}


def all_optimal(plan) -> bool:
    return all(s.optimal for s in plan.solution.stages)


# ---- files for the CLI tests ----

WORKER_HEADER = ("worker_id", "team", "role", "fte", "employment", "skills", "asye_start",
                 "supervisor_id", "extra_teams", "max_children", "accepting")
CASE_HEADER = ("child_id", "team", "category", "family_id", "priority", "court", "required_skill",
               "current_worker", "weight", "fixed_worker", "avoid_workers")


def write_csv(path: Path, header, records: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(header))
        w.writeheader()
        for r in records:
            w.writerow({k: r.get(k, "") for k in header})
    return path


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def random_council(rng, teams: tuple[int, int], workers: tuple[int, int], children: tuple[int, int],
                   children_per_fte: float) -> Instance:
    """A random small council for property tests: numbers of teams, workers and children drawn from the
    ranges; families, pins, skills, overloads, weights, NQSWs short of supervision places, pool
    workers, workers not accepting."""
    names = ["T1", "T2", "T3"][:rng.randint(*teams)]
    ids = [f"W{i}" for i in range(rng.randint(*workers))]
    roles = ["social_worker", "social_worker", "nqsw", "nqsw", "senior_social_worker", "consultant_social_worker",
             "service_leader"]
    ws = []
    for wid in ids:
        kw = {"skills": tuple(s for s in ("court", "disability") if rng.random() < 0.5)}
        if rng.random() < 0.2:
            kw["extra_teams"] = (rng.choice(names),)
        if rng.random() < 0.1:
            kw["accepting"] = False
        if rng.random() < 0.3:
            kw["max_children"] = float(rng.choice([1, 2, 3, 5]))
        ws.append(worker(wid, team=rng.choice(names), role=rng.choice(roles), fte=rng.choice([0.5, 0.8, 1.0]), **kw))
    n = rng.randint(*children)
    nf = rng.randint(n // 3, n // 2 + 1)
    fam_team = {f: rng.choice(names) for f in range(nf)}
    fam_pin = {f: (rng.choice(ids) if rng.random() < 0.15 else None) for f in range(nf)}
    cs = []
    for i in range(n):
        f = rng.randrange(nf)
        kw = {"priority": rng.choice(["high", "medium", "low"]), "court": rng.random() < 0.2}
        if rng.random() < 0.2:
            kw["required_skills"] = (rng.choice(["court", "disability"]),)
        if rng.random() < 0.75:
            kw["current_worker"] = rng.choice(ids)
        if rng.random() < 0.2:
            kw["weight"] = rng.choice([0.5, 1.25, 2.0])
        if fam_pin[f] and rng.random() < 0.6:
            kw["fixed_worker"] = fam_pin[f]
        cs.append(child(f"c{i:03d}", team=fam_team[f], category=rng.choice(["cin", "cp", "lac", "assessment"]),
                        family=f"F{f}", **kw))
    return instance(ws, cs, children_per_fte=children_per_fte, manager_max_cases=2.0, max_nqsw_per_supervisor=1,
                    weights={"cp": 1.5, "lac": 0.5})
