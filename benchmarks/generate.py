"""Deterministic generator of synthetic councils for `caseload`.

The generator writes the two input tables of the contract (`workers.csv` and
`cases.csv`) for an imaginary council.  Everything is drawn from one
``random.Random(seed)``: the same arguments always give byte-identical files.

The figures follow ``DOMAIN.md`` and ``CONTRACT.md``:

* each team has one ``service_leader`` (who sometimes holds a few children),
  one or two ``consultant_social_worker`` / ``senior_social_worker`` and
  social workers, about 16.5% of them NQSWs in their ASYE year, about 15%
  agency staff and about 15% part-timers;
* children come in sibling groups (about 60% of children are only children
  in the caseload, the rest in groups of 2-4) that share a team, a worker and
  usually a category;
* most children already have an eligible worker of their team; the rest
  (``awaiting_share``) await allocation.  With ``load=1.0`` the preset sizes
  fill case holders to roughly three quarters of capacity, with a few workers
  slightly over it.  ``load`` multiplies the number of children (demand)
  against the same workforce, so ``load=1.3`` gives a council near or over
  its capacity.

Run from the repository root::

    python -m benchmarks.generate --size medium --seed 1 --out /tmp/medium
    python -m benchmarks.generate --teams 50 --workers-per-team 11.4 \\
        --children-per-team 130 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import math
import os
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

WORKER_COLUMNS = [
    "worker_id", "team", "role", "fte", "employment", "skills", "asye_start",
    "supervisor_id", "extra_teams", "max_children", "accepting",
]
CASE_COLUMNS = [
    "child_id", "team", "category", "family_id", "priority", "court",
    "required_skill", "current_worker", "weight", "fixed_worker",
    "avoid_workers",
]

CATEGORIES = ("cin", "cp", "lac", "care_leaver", "assessment")
DEFAULT_MIX = {"cin": 0.35, "cp": 0.20, "lac": 0.25, "care_leaver": 0.10,
               "assessment": 0.10}
PRIORITY_MIX = {"high": 0.15, "medium": 0.65, "low": 0.20}
SKILLS = ("court", "adolescent", "disability", "uasc")
# Share of experienced practitioners holding each skill tag.
SKILL_SHARE = {"court": 0.35, "adolescent": 0.12, "disability": 0.08,
               "uasc": 0.06}
MANAGER_ROLES = ("consultant_social_worker", "service_leader")
SUPERVISOR_ROLES = ("senior_social_worker", "consultant_social_worker",
                    "service_leader")
PART_TIME_FTE = ("0.5", "0.6", "0.7", "0.8")

# Contract defaults used to size the synthetic workload.
CHILDREN_PER_FTE = 15
MANAGER_MAX_CASES = 6
NQSW_CAPACITY_SHARE = 0.9
MAX_NQSW_PER_SUPERVISOR = 3

# ASYE years started within the 11 months before this date.
ASYE_WINDOW_END = dt.date(2026, 11, 1)
ASYE_WINDOW_START = dt.date(2025, 12, 1)

PRESETS = {
    # size: (teams, workers per team, children per team)
    "small": (8, 11.25, 119.0),
    "medium": (50, 11.4, 130.0),
    "large": (100, 11.5, 130.0),
}


@dataclass
class TeamSpec:
    """What to build for one team.

    ``extra_teams`` only matters for a pool team (``pool=True``): when given,
    every pool worker lists exactly these teams; when ``None``, each pool
    worker lists 2-3 teams drawn at random.  ``mix`` is the category mix of
    the team's children (shares summing to about 1).
    """

    name: str
    workers: int
    children: int
    mix: dict = field(default_factory=lambda: dict(DEFAULT_MIX))
    pool: bool = False
    extra_teams: tuple | None = None
    pool_fill: float = 0.5


# --------------------------------------------------------------------------
# Helpers shared with make_sample.py and the tests
# --------------------------------------------------------------------------

def split_tags(value: str) -> list[str]:
    """Split a ``;``-separated cell into clean tags (blank -> [])."""
    return [t.strip() for t in (value or "").split(";") if t.strip()]


def capacity(worker: dict) -> float:
    """A worker's capacity in children under the contract's default policy."""
    fte = float(worker["fte"])
    role = worker["role"]
    if role in MANAGER_ROLES:
        cap = MANAGER_MAX_CASES * fte
    elif role == "nqsw":
        cap = CHILDREN_PER_FTE * fte * NQSW_CAPACITY_SHARE
    else:
        cap = CHILDREN_PER_FTE * fte
    if worker.get("max_children"):
        cap = min(cap, float(worker["max_children"]))
    return cap


def families(cases: Iterable[dict]) -> dict[str, list[dict]]:
    """Group case rows by family (a blank family id is a family of one)."""
    groups: dict[str, list[dict]] = {}
    for case in cases:
        key = case["family_id"] or "child:" + case["child_id"]
        groups.setdefault(key, []).append(case)
    return groups


def family_needs(fam: Sequence[dict]) -> tuple[set, bool]:
    """Skills a family's worker must hold, and whether an NQSW is barred."""
    skills: set[str] = set()
    barred = False
    for case in fam:
        skills.update(split_tags(case["required_skill"]))
        if case["category"] == "cp" or case["court"] == "yes":
            barred = True
    return skills, barred


def can_hold(worker: dict, fam: Sequence[dict], *, new: bool = True) -> bool:
    """Whether ``worker`` may hold every child of ``fam`` under the hard rules.

    ``new=True`` also applies the rules that only bind new allocations
    (``accepting=no``); fixed and avoided workers are always honoured.
    """
    team = fam[0]["team"]
    if worker["team"] != team and team not in split_tags(worker["extra_teams"]):
        return False
    skills, barred = family_needs(fam)
    if not skills <= set(split_tags(worker["skills"])):
        return False
    if barred and worker["role"] == "nqsw":
        return False
    if new and worker["accepting"] == "no":
        return False
    for case in fam:
        if worker["worker_id"] in split_tags(case["avoid_workers"]):
            return False
        if case["fixed_worker"] and case["fixed_worker"] != worker["worker_id"]:
            return False
    return True


def loads(workers: Iterable[dict], cases: Iterable[dict]) -> dict[str, int]:
    """Children currently held by each worker (0 for those holding none)."""
    held = {w["worker_id"]: 0 for w in workers}
    for case in cases:
        if case["current_worker"]:
            held[case["current_worker"]] = held.get(case["current_worker"], 0) + 1
    return held


def _pick(rng: random.Random, mix: dict) -> str:
    """Draw a key of ``mix`` with probability proportional to its value."""
    keys = list(mix)
    return rng.choices(keys, weights=[mix[k] for k in keys])[0]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


# --------------------------------------------------------------------------
# Building a council from team specs
# --------------------------------------------------------------------------

def _blank_worker(wid: str, team: str, role: str) -> dict:
    row = {c: "" for c in WORKER_COLUMNS}
    row.update(worker_id=wid, team=team, role=role, fte="1.0",
               employment="permanent", accepting="yes")
    return row


def _id_sequence(prefix: str, width: int) -> Callable[[], str]:
    """A function returning ``prefix`` + 1, 2, 3, ... zero-padded to ``width``."""
    numbers = itertools.count(1)
    return lambda: f"{prefix}{next(numbers):0{width}d}"


def _plan_team_posts(rng: random.Random, regular: Sequence[TeamSpec], total: int,
                     nqsw_share: float) -> tuple[dict[str, int], dict[str, int]]:
    """Senior posts per regular team, then NQSW numbers spread over the teams."""
    seniors = {s.name: (1 if s.workers < 9 else rng.choice((1, 2)))
               for s in regular}
    nqsw_left = round(total * nqsw_share)
    nqsw = {s.name: 0 for s in regular}
    room = {s.name: min(MAX_NQSW_PER_SUPERVISOR * (1 + seniors[s.name]),
                        max(0, s.workers - 1 - seniors[s.name] - 2))
            for s in regular}
    order = [s.name for s in regular]
    while nqsw_left > 0 and any(nqsw[t] < room[t] for t in order):
        # Larger teams first in each round, then the name.
        for s in sorted(regular, key=lambda s: (-s.workers, s.name)):
            if nqsw_left and nqsw[s.name] < room[s.name]:
                nqsw[s.name] += 1
                nqsw_left -= 1
    return seniors, nqsw


def _pool_team_workers(rng: random.Random, spec: TeamSpec,
                       regular_names: Sequence[str],
                       new_id: Callable[[], str]) -> list[dict]:
    """Rows of a pool team: one senior, then social workers, each with extra teams."""
    rows: list[dict] = []
    for i in range(spec.workers):
        row = _blank_worker(new_id(), spec.name,
                            "senior_social_worker" if i == 0
                            else "social_worker")
        if spec.extra_teams is not None:
            extra = list(spec.extra_teams)
        else:
            extra = sorted(rng.sample(regular_names,
                                      min(len(regular_names),
                                          rng.choice((2, 3)))))
        row["extra_teams"] = ";".join(extra)
        rows.append(row)
    return rows


def _regular_team_workers(rng: random.Random, spec: TeamSpec, seniors: int,
                          nqsw: int, new_id: Callable[[], str]) -> list[dict]:
    """Rows of a regular team: service leader, senior posts, NQSWs, social workers."""
    team_rows = [_blank_worker(new_id(), spec.name, "service_leader")]
    for _ in range(seniors):
        role = ("consultant_social_worker" if rng.random() < 0.5
                else "senior_social_worker")
        team_rows.append(_blank_worker(new_id(), spec.name, role))
    for i in range(spec.workers - len(team_rows)):
        role = "nqsw" if i < nqsw else "social_worker"
        team_rows.append(_blank_worker(new_id(), spec.name, role))
    return team_rows


def _assign_employment(rng: random.Random, rows: list[dict], total: int,
                       agency_share: float, part_time_share: float) -> None:
    """Agency and part-time staff: exact counts drawn without replacement."""
    agency_pool = [r for r in rows if r["role"] in ("social_worker",
                                                   "senior_social_worker")]
    for r in rng.sample(agency_pool, min(len(agency_pool),
                                         round(total * agency_share))):
        r["employment"] = "agency"
    pt_pool = [r for r in rows if r["role"] != "service_leader"]
    for r in rng.sample(pt_pool, min(len(pt_pool),
                                     round(total * part_time_share))):
        r["fte"] = rng.choice(PART_TIME_FTE)


def _assign_skills_and_limits(rng: random.Random, rows: list[dict]) -> None:
    """Skill tags, the odd personal ``max_children`` and ``accepting=no``."""
    for r in rows:
        share = 0.3 if r["role"] == "nqsw" else 1.0
        tags = [s for s in SKILLS if rng.random() < SKILL_SHARE[s] * share]
        r["skills"] = ";".join(tags)
        if r["role"] not in MANAGER_ROLES and rng.random() < 0.03:
            r["max_children"] = str(max(3, int(capacity(r) * 0.6)))
        if r["role"] != "service_leader" and rng.random() < 0.03:
            r["accepting"] = "no"


def _assign_asye(rng: random.Random, rows: list[dict]) -> None:
    """ASYE start dates and (for about half) a named supervisor in the team."""
    named: dict[str, int] = {}
    window = (ASYE_WINDOW_END - ASYE_WINDOW_START).days
    for r in rows:
        if r["role"] != "nqsw":
            continue
        start = ASYE_WINDOW_START + dt.timedelta(days=rng.randrange(window))
        r["asye_start"] = start.isoformat()
        if rng.random() < 0.5:
            options = [s["worker_id"] for s in rows
                       if s["team"] == r["team"] and s["role"] in SUPERVISOR_ROLES
                       and named.get(s["worker_id"], 0) < MAX_NQSW_PER_SUPERVISOR]
            if options:
                sup = rng.choice(options)
                r["supervisor_id"] = sup
                named[sup] = named.get(sup, 0) + 1


def _make_workers(rng: random.Random, specs: Sequence[TeamSpec], width: int,
                  nqsw_share: float, agency_share: float,
                  part_time_share: float) -> list[dict]:
    """Create the worker rows: roles, FTE, employment, skills, ASYE, supervisors."""
    regular = [s for s in specs if not s.pool]
    regular_names = [s.name for s in regular]
    total = sum(s.workers for s in specs)
    new_id = _id_sequence("W", width)
    seniors, nqsw = _plan_team_posts(rng, regular, total, nqsw_share)
    rows: list[dict] = []
    for spec in specs:
        if spec.pool:
            rows.extend(_pool_team_workers(rng, spec, regular_names, new_id))
        else:
            rows.extend(_regular_team_workers(rng, spec, seniors[spec.name],
                                              nqsw[spec.name], new_id))
    _assign_employment(rng, rows, total, agency_share, part_time_share)
    _assign_skills_and_limits(rng, rows)
    _assign_asye(rng, rows)
    return rows


def _make_cases(rng: random.Random, specs: Sequence[TeamSpec],
                widths: tuple[int, int]) -> list[dict]:
    """Create the children, in sibling groups, with category, priority, court and skills."""
    cwidth, fwidth = widths
    rows: list[dict] = []
    fam_no = 0
    for spec in specs:
        left = spec.children
        while left > 0:
            # ~80% of families are only children -> ~60% of children.
            size = 1 if rng.random() < 0.8 else rng.choices((2, 3, 4), (5, 3, 2))[0]
            size = min(size, left)
            left -= size
            fam_no += 1
            fid = f"F{fam_no:0{fwidth}d}"
            main = _pick(rng, spec.mix)
            priority = _pick(rng, PRIORITY_MIX)
            court = main in ("cp", "lac") and rng.random() < 0.30
            skills: list[str] = []
            if court and rng.random() < 0.5:
                skills.append("court")
            roll = rng.random()
            if roll < 0.03:
                skills.append("adolescent")
            elif roll < 0.05:
                skills.append("disability")
            elif roll < 0.065 and size == 1 and main in ("lac", "care_leaver"):
                skills.append("uasc")
            for k in range(size):
                cat = main if (k == 0 or rng.random() < 0.9) else _pick(rng, spec.mix)
                row = {c: "" for c in CASE_COLUMNS}
                row.update(
                    child_id=f"C{len(rows) + 1:0{cwidth}d}", team=spec.name,
                    category=cat, family_id=fid, priority=priority,
                    court="yes" if court and cat in ("cp", "lac") else "no",
                    required_skill=";".join(s for s in SKILLS if s in skills),
                )
                rows.append(row)
    return rows


def _ensure_skill_holders(rng: random.Random, workers: list[dict],
                          cases: list[dict]) -> None:
    """Give a team practitioner any skill combination the team's children need."""
    serving: dict[str, list[dict]] = {}  # team -> workers who may hold its children (can_hold's first test)
    for w in workers:
        for t in dict.fromkeys([w["team"], *split_tags(w["extra_teams"])]):
            serving.setdefault(t, []).append(w)
    for fam in families(cases).values():
        team = fam[0]["team"]
        if any(can_hold(w, fam, new=False) for w in serving.get(team, ())):
            continue
        skills, _ = family_needs(fam)
        options = [w for w in workers if w["team"] == team
                   and w["role"] in ("social_worker", "senior_social_worker")
                   and w["accepting"] == "yes"]
        if not options:
            options = [w for w in workers if w["team"] == team
                       and w["role"] != "nqsw"]
        chosen = rng.choice(options)
        have = set(split_tags(chosen["skills"])) | skills
        chosen["skills"] = ";".join(s for s in SKILLS if s in have)


def _team_fill(fams: dict[str, list[dict]], awaiting: set[str],
               workers: Sequence[dict], caps: dict[str, float],
               pool_fill: dict[str, float]) -> dict[str, float]:
    """Share of its capacity each team's own workers are expected to fill."""
    team_children: dict[str, int] = {}
    for key, fam in fams.items():
        if key not in awaiting:
            team_children[fam[0]["team"]] = team_children.get(fam[0]["team"], 0) + len(fam)
    team_cap: dict[str, float] = {}
    for w in workers:
        if w["team"] in pool_fill:
            extra = split_tags(w["extra_teams"])
            for t in extra:
                team_cap[t] = team_cap.get(t, 0.0) + caps[w["worker_id"]] * pool_fill[w["team"]] / len(extra)
        elif w["role"] != "service_leader":
            team_cap[w["team"]] = team_cap.get(w["team"], 0.0) + caps[w["worker_id"]]
    return {t: team_children.get(t, 0) / c if c else 0.0 for t, c in team_cap.items()}


def _target_loads(rng: random.Random, workers: Sequence[dict],
                  caps: dict[str, float], fill: dict[str, float],
                  pool_fill: dict[str, float]) -> dict[str, float]:
    """Each worker's target load: capacity x team (or pool) fill x noise."""
    target: dict[str, float] = {}
    for w in workers:
        wid = w["worker_id"]
        noise = math.exp(rng.gauss(0.0, 0.12))
        if w["team"] in pool_fill:
            target[wid] = caps[wid] * pool_fill[w["team"]] * noise
        elif w["role"] == "service_leader":
            target[wid] = caps[wid] * 0.5 * noise if rng.random() < 0.4 else 0.0
        else:
            target[wid] = caps[wid] * fill.get(w["team"], 0.0) * noise
    return target


def _workers_by_team(workers: Sequence[dict]) -> dict[str, list[dict]]:
    """Team -> workers of the team or listing it in ``extra_teams``."""
    by_team: dict[str, list[dict]] = {}
    for w in workers:
        for t in [w["team"], *split_tags(w["extra_teams"])]:
            by_team.setdefault(t, []).append(w)
    return by_team


def _place_families(rng: random.Random, fams: dict[str, list[dict]],
                    awaiting: set[str], workers: Sequence[dict],
                    caps: dict[str, float], target: dict[str, float]) -> None:
    """Give each family not awaiting the eligible worker furthest below target."""
    held = {w["worker_id"]: 0 for w in workers}
    by_team = _workers_by_team(workers)
    # Constrained families (skills, no NQSW) first, so the general ones fill round them.
    keys = sorted(fams, key=lambda k: (-len(family_needs(fams[k])[0]), fams[k][0]["child_id"]))
    for key in keys:
        if key in awaiting:
            continue
        fam = fams[key]
        options = [w for w in by_team.get(fam[0]["team"], []) if can_hold(w, fam, new=False)]
        if not options:
            continue
        size = len(fam)

        def score(w: dict, size: int = size) -> tuple:
            wid = w["worker_id"]
            # Only a worker whose target is above capacity may go over it.
            fits = held[wid] + size <= max(caps[wid], target[wid])
            return (fits, target[wid] - held[wid] + rng.random() * 0.5, wid)

        best = max(options, key=score)
        held[best["worker_id"]] += len(fam)
        for case in fam:
            case["current_worker"] = best["worker_id"]


def _allocate_current(rng: random.Random, specs: Sequence[TeamSpec],
                      workers: list[dict], cases: list[dict],
                      awaiting_share: float) -> None:
    """Give most families a current worker, spreading load unevenly but plausibly.

    Each worker gets a target fill (capacity x team fill x noise); families go
    one by one to the eligible worker furthest below target.  A worker whose
    noise is high ends above capacity, as happens in practice.
    """
    fams = families(cases)
    awaiting = {k for k in fams if rng.random() < awaiting_share}
    pool_fill = {s.name: s.pool_fill for s in specs if s.pool}
    caps = {w["worker_id"]: capacity(w) for w in workers}
    fill = _team_fill(fams, awaiting, workers, caps, pool_fill)
    target = _target_loads(rng, workers, caps, fill, pool_fill)
    _place_families(rng, fams, awaiting, workers, caps, target)


def _add_decisions(rng: random.Random, workers: list[dict],
                   cases: list[dict]) -> None:
    """A few managers' decisions: fixed workers and workers to avoid (all valid)."""
    held = loads(workers, cases)
    by_id = {w["worker_id"]: w for w in workers}
    for fam in families(cases).values():
        cur = fam[0]["current_worker"]
        roll = rng.random()
        if cur and roll < 0.01 and held[cur] <= capacity(by_id[cur]):
            for case in fam:
                case["fixed_worker"] = cur
        elif roll > 0.99:
            others = sorted(w["worker_id"] for w in workers
                            if w["team"] == fam[0]["team"] and w["worker_id"] != cur)
            if others:
                fam[0]["avoid_workers"] = rng.choice(others)


def build_council(specs: Sequence[TeamSpec], seed: int, *,
                  awaiting_share: float = 0.08, nqsw_share: float = 0.165,
                  agency_share: float = 0.15, part_time_share: float = 0.15,
                  id_widths: tuple[int, int, int] = (4, 5, 5),
                  decisions: bool = True) -> tuple[list[dict], list[dict]]:
    """Build worker and case rows for the given team specs.

    ``id_widths`` are the zero-padded widths of worker, child and family ids.
    """
    rng = random.Random(seed)
    workers = _make_workers(rng, specs, id_widths[0], nqsw_share,
                            agency_share, part_time_share)
    cases = _make_cases(rng, specs, id_widths[1:])
    _ensure_skill_holders(rng, workers, cases)
    _allocate_current(rng, specs, workers, cases, awaiting_share)
    if decisions:
        _add_decisions(rng, workers, cases)
    return workers, cases


def generate_council(teams: int, workers_per_team: float,
                     children_per_team: float, seed: int, load: float = 1.0,
                     awaiting_share: float = 0.08, peripatetic: int = 0,
                     nqsw_share: float = 0.165, agency_share: float = 0.15,
                     part_time_share: float = 0.15
                     ) -> tuple[list[dict], list[dict]]:
    """Generate a synthetic council of ``teams`` teams named T01, T02, ...

    ``workers_per_team`` and ``children_per_team`` are averages; teams vary by
    about +-15%.  ``load`` multiplies the number of children against the same
    workforce.  ``peripatetic`` adds a pool team named ``Peripatetic`` of that
    many workers, each listing 2-3 other teams in ``extra_teams``.  Returns
    ``(workers, cases)`` as lists of dicts of strings keyed by contract column.
    """
    if teams < 1:
        raise ValueError("teams must be at least 1")
    rng = random.Random(seed)
    width = max(2, len(str(teams)))
    names = [f"T{i:0{width}d}" for i in range(1, teams + 1)]
    jitter = [rng.uniform(0.85, 1.15) for _ in names]
    n_workers = _apportion(max(teams * 5, round(teams * workers_per_team)), jitter)
    n_workers = [max(5, n) for n in n_workers]
    n_children = _apportion(round(teams * children_per_team * load),
                            [n * rng.uniform(0.95, 1.05) for n in n_workers])
    specs = [TeamSpec(name, w, c) for name, w, c in zip(names, n_workers, n_children, strict=True)]
    if peripatetic:
        specs.append(TeamSpec("Peripatetic", peripatetic, 0, pool=True))
    return build_council(specs, seed, awaiting_share=awaiting_share,
                         nqsw_share=nqsw_share, agency_share=agency_share,
                         part_time_share=part_time_share)


def write_council(directory: str | os.PathLike, workers: Sequence[dict],
                  cases: Sequence[dict], worker_columns: Sequence[str] = WORKER_COLUMNS) -> None:
    """Write ``workers.csv`` and ``cases.csv`` (UTF-8, header, ``\\n`` endings)."""
    os.makedirs(directory, exist_ok=True)
    for name, columns, rows in (("workers.csv", worker_columns, workers),
                                ("cases.csv", CASE_COLUMNS, cases)):
        with open(os.path.join(directory, name), "w", encoding="utf-8",
                  newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([row.get(c, "") for c in columns])


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(PRESETS),
                        help="preset: small (8 teams), medium (50), large (100)")
    parser.add_argument("--teams", type=int)
    parser.add_argument("--workers-per-team", type=float)
    parser.add_argument("--children-per-team", type=float)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--load", type=float, default=1.0)
    parser.add_argument("--awaiting-share", type=float, default=0.08)
    parser.add_argument("--peripatetic", type=int, default=0,
                        help="number of pool workers in a 'Peripatetic' team")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)
    teams, wpt, cpt = PRESETS[args.size] if args.size else (None, None, None)
    teams = args.teams if args.teams is not None else teams
    wpt = args.workers_per_team if args.workers_per_team is not None else wpt
    cpt = args.children_per_team if args.children_per_team is not None else cpt
    if teams is None or wpt is None or cpt is None:
        parser.error("give --size or all of --teams, --workers-per-team, --children-per-team")
    workers, cases = generate_council(teams, wpt, cpt, args.seed, load=args.load,
                                      awaiting_share=args.awaiting_share,
                                      peripatetic=args.peripatetic)
    write_council(args.out, workers, cases)
    held = loads(workers, cases)
    over = sum(1 for w in workers if held[w["worker_id"]] > capacity(w) + 1e-9)
    print(f"{len(workers)} workers in {teams} teams, {len(cases)} children "
          f"({sum(1 for c in cases if not c['current_worker'])} awaiting), "
          f"{over} workers over capacity -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
