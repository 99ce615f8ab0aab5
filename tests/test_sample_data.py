"""The sample council, the synthetic-council generator and the sample scenarios.

The sample council is read with the csv module only, so these checks do not
depend on the allocator's own loader.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from benchmarks import generate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"

WORKER_COLUMNS = ["worker_id", "team", "role", "fte", "employment", "skills",
                  "asye_start", "supervisor_id", "extra_teams", "max_children",
                  "accepting"]
SAMPLE_WORKER_COLUMNS = [*WORKER_COLUMNS, "name", "absent_from", "absent_until", "absence"]  # names (Annex A), absences
CASE_COLUMNS = ["child_id", "team", "category", "family_id", "priority", "court",
                "required_skill", "current_worker", "weight", "fixed_worker",
                "avoid_workers"]
ROLES = {"social_worker", "nqsw", "senior_social_worker",
         "consultant_social_worker", "service_leader"}
MANAGERS = {"consultant_social_worker", "service_leader"}
SUPERVISORS = {"senior_social_worker", "consultant_social_worker", "service_leader"}


def tags(value: str) -> set[str]:
    return {t for t in value.split(";") if t}


def cap(w: dict) -> float:
    """Capacity under the contract's default policy."""
    fte = float(w["fte"])
    if w["role"] in MANAGERS:
        c = 6 * fte
    elif w["role"] == "nqsw":
        c = 15 * fte * 0.9
    else:
        c = 15 * fte
    return min(c, float(w["max_children"])) if w["max_children"] else c


def read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def council():
    wcols, workers = read(SAMPLE / "workers.csv")
    ccols, cases = read(SAMPLE / "cases.csv")
    assert wcols == SAMPLE_WORKER_COLUMNS
    assert ccols == CASE_COLUMNS
    held = Counter(c["current_worker"] for c in cases if c["current_worker"])
    return workers, cases, held


# ---------------------------------------------------------------- sample council

def test_sizes_and_mix(council):
    workers, cases, _ = council
    teams = {w["team"] for w in workers}
    assert 5 <= len(teams) <= 7
    assert "Peripatetic" in teams
    assert 60 <= len(workers) <= 80
    assert 800 <= len(cases) <= 1000
    assert {c["category"] for c in cases} == {"cin", "cp", "lac", "care_leaver", "assessment"}
    assert {c["team"] for c in cases} <= teams
    assert len({w["worker_id"] for w in workers}) == len(workers)
    assert len({c["child_id"] for c in cases}) == len(cases)


def test_values_are_valid(council):
    workers, cases, _ = council
    for w in workers:
        assert w["role"] in ROLES
        assert 0 < float(w["fte"]) <= 1
        assert w["employment"] in {"permanent", "agency"}
        assert w["accepting"] in {"yes", "no"}
        assert tags(w["skills"]) <= {"court", "adolescent", "disability", "uasc"}
    for c in cases:
        assert c["priority"] in {"high", "medium", "low"}
        assert c["court"] in {"yes", "no"}
        assert c["weight"] == ""


def test_workforce_shares(council):
    workers, _, _ = council
    n = len(workers)
    roles = Counter(w["role"] for w in workers)
    assert 0.15 <= roles["nqsw"] / n <= 0.18
    assert 0.10 <= sum(w["employment"] == "agency" for w in workers) / n <= 0.20
    assert any(float(w["fte"]) < 1 for w in workers)
    assert any(w["max_children"] for w in workers)
    assert any(w["accepting"] == "no" for w in workers)


def test_nqsws_have_asye_and_valid_supervisors(council):
    workers, _, _ = council
    by_id = {w["worker_id"]: w for w in workers}
    named = Counter()
    window_start = dt.date(2025, 11, 1)
    for w in workers:
        if w["role"] != "nqsw":
            continue
        start = dt.date.fromisoformat(w["asye_start"])
        assert window_start <= start < dt.date(2026, 11, 1)
        if w["supervisor_id"]:
            sup = by_id[w["supervisor_id"]]
            assert sup["team"] == w["team"] and sup["role"] in SUPERVISORS
            named[sup["worker_id"]] += 1
    assert named and max(named.values()) <= 3
    # Every team with NQSWs has enough supervisors for all of them.
    for team in {w["team"] for w in workers}:
        nq = sum(w["role"] == "nqsw" and w["team"] == team for w in workers)
        sups = sum(w["role"] in SUPERVISORS and w["team"] == team for w in workers)
        assert nq <= 3 * sups


def test_manager_with_25_children(council):
    workers, _, held = council
    managers = [w for w in workers if w["role"] == "consultant_social_worker"
                and float(w["fte"]) == 1.0 and held[w["worker_id"]] == 25]
    assert len(managers) == 1
    mgr = managers[0]
    # Room in the team or among reachable workers to bring them back to 6.
    reachable = [w for w in workers if w["worker_id"] != mgr["worker_id"]
                 and w["accepting"] == "yes"
                 and (w["team"] == mgr["team"] or mgr["team"] in tags(w["extra_teams"]))]
    room = sum(max(0.0, cap(w) - held[w["worker_id"]]) for w in reachable)
    assert room >= 25 - 6


def test_peripatetic_team(council):
    workers, cases, _ = council
    pool = [w for w in workers if w["team"] == "Peripatetic"]
    teams = {w["team"] for w in workers}
    assert len(pool) >= 3
    for w in pool:
        extra = tags(w["extra_teams"])
        assert len(extra) == 3 and extra <= teams and "Peripatetic" not in extra
    non_pool = [w for w in workers if w["team"] != "Peripatetic"]
    assert not any(w["extra_teams"] for w in non_pool)


def test_families_share_team(council):
    _, cases, _ = council
    fam_teams = defaultdict(set)
    fam_workers = defaultdict(set)
    for c in cases:
        if c["family_id"]:
            fam_teams[c["family_id"]].add(c["team"])
            fam_workers[c["family_id"]].add(c["current_worker"])
    assert all(len(t) == 1 for t in fam_teams.values())
    assert all(len(w) == 1 for w in fam_workers.values())
    per_family = Counter(c["family_id"] for c in cases if c["family_id"])
    assert max(per_family.values()) <= 4
    in_groups = sum(n for n in per_family.values() if n > 1)
    assert 0.3 <= in_groups / len(cases) <= 0.5  # ~60% are only children


def test_current_workers_are_eligible(council):
    workers, cases, _ = council
    by_id = {w["worker_id"]: w for w in workers}
    for c in cases:
        if not c["current_worker"]:
            continue
        w = by_id[c["current_worker"]]  # the worker exists
        assert w["team"] == c["team"] or c["team"] in tags(w["extra_teams"])
        assert tags(c["required_skill"]) <= tags(w["skills"])
        if w["role"] == "nqsw":
            assert c["category"] != "cp" and c["court"] != "yes"
        assert w["worker_id"] not in tags(c["avoid_workers"])
        if c["fixed_worker"]:
            assert c["fixed_worker"] == w["worker_id"]


def test_awaiting_and_over_capacity(council):
    workers, cases, held = council
    awaiting = [c for c in cases if not c["current_worker"]]
    assert 60 <= len(awaiting) <= 80
    by_priority = Counter(c["priority"] for c in awaiting)
    assert set(by_priority) == {"high", "medium", "low"}
    assert 10 <= by_priority["high"] <= 14
    over = [w for w in workers if held[w["worker_id"]] > cap(w)]
    assert 3 <= len(over) <= 5


def test_every_high_priority_child_can_be_allocated(council):
    """A greedy plan (moving over-capacity excess first) places every high child."""
    workers, cases, held = council
    free = {w["worker_id"]: cap(w) - held[w["worker_id"]] for w in workers}
    fams = defaultdict(list)
    for c in cases:
        fams[c["family_id"] or c["child_id"]].append(c)

    def eligible(w, fam):
        team = fam[0]["team"]
        return ((w["team"] == team or team in tags(w["extra_teams"]))
                and w["accepting"] == "yes"
                and all(tags(c["required_skill"]) <= tags(w["skills"]) for c in fam)
                and not (w["role"] == "nqsw"
                         and any(c["category"] == "cp" or c["court"] == "yes" for c in fam))
                and all(w["worker_id"] not in tags(c["avoid_workers"]) for c in fam)
                and all(c["fixed_worker"] in ("", w["worker_id"]) for c in fam))

    def place(fam, exclude=""):
        options = [w for w in workers if w["worker_id"] != exclude
                   and eligible(w, fam) and free[w["worker_id"]] >= len(fam)]
        if not options:
            return False
        best = max(options, key=lambda w: (free[w["worker_id"]], w["worker_id"]))
        free[best["worker_id"]] -= len(fam)
        return True

    for wid in sorted(k for k, v in free.items() if v < 0):
        for fam in sorted((f for f in fams.values() if f[0]["current_worker"] == wid
                           and not f[0]["fixed_worker"]), key=len):
            if free[wid] >= 0:
                break
            if place(fam, exclude=wid):
                free[wid] += len(fam)
    highs = [f for f in fams.values() if not f[0]["current_worker"]
             and any(c["priority"] == "high" for c in f)]
    assert highs
    assert all(place(f) for f in sorted(highs, key=len, reverse=True))


def test_make_sample_reproduces_sample_data(tmp_path):
    subprocess.run([sys.executable, "-m", "benchmarks.make_sample", "--out", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True)
    for name in ("workers.csv", "cases.csv", "annex_a.xlsx", "decisions.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes()


def test_sample_workers_have_unique_invented_names(council):
    workers, _, _ = council
    names = [w["name"] for w in workers]
    assert all(names) and len({" ".join(n.split()).casefold() for n in names}) == len(names)


def test_policy_has_every_key_at_default():
    policy = tomllib.loads((SAMPLE / "policy.toml").read_text(encoding="utf-8"))
    assert policy["children_per_fte"] == 15
    assert policy["manager_max_cases"] == 6
    assert policy["nqsw_capacity_share"] == 0.9
    assert policy["nqsw_may_lead_cp"] is False
    assert policy["max_nqsw_per_supervisor"] == 3
    assert set(policy["supervisor_roles"]) == SUPERVISORS
    assert policy["cross_team"] is False
    assert policy["time_limit_seconds"] == 60
    assert policy["seed"] == 0
    assert policy["weights"] == {k: 1.0 for k in ("cin", "cp", "lac", "care_leaver", "assessment")}


# ---------------------------------------------------------------- scenarios

SCENARIOS = ["status_quo", "extra_units", "nqsw_cohort", "peripatetic_units"]


@pytest.mark.parametrize("stem", SCENARIOS)
def test_scenarios_parse_with_contract_sections(stem, council):
    _, cases, _ = council
    text = (SAMPLE / "scenarios" / f"{stem}.toml").read_text(encoding="utf-8")
    assert text.startswith("#")
    s = tomllib.loads(text)
    assert s["name"] and s["start"] == "2026-04" and s["years"] == 4
    for section in ("demand", "policy", "workforce", "costs", "placements"):
        assert isinstance(s[section], dict)
    assert abs(s["demand"]["children"] - len(cases)) <= 0.1 * len(cases)
    for key in ("case_holder_fte", "nqsw_fte", "agency_fte", "turnover_per_year",
                "agency_target_share"):
        assert key in s["workforce"]
    assert s["workforce"]["turnover_per_year"] == 0.159
    assert s["policy"]["non_availability"] == 0.032
    assert s["costs"] == {"social_worker": 41667, "nqsw": 36000, "agency_social_worker": 60000, "pay_award": 0.03,
                          "inflation": 0.03, "discount_rate": 0.035}
    assert s["workforce"]["agency_cover"] == 0.744
    lac = sum(c["category"] == "lac" for c in cases)
    assert abs(s["placements"]["baseline"] - lac) <= 0.1 * lac
    assert s["placements"]["average_cost"] == 40000
    for intake in s.get("intake", []):
        assert {"month", "nqsw", "experienced"} <= set(intake)


def test_scenarios_differ_as_named():
    load = {k: tomllib.loads((SAMPLE / "scenarios" / f"{k}.toml").read_text("utf-8"))
            for k in SCENARIOS}
    assert "intake" not in load["status_quo"]
    assert load["extra_units"]["intake"][0]["experienced"] == 8
    assert load["extra_units"]["intake"][0]["service_leaders"] == 3
    assert load["nqsw_cohort"]["intake"][0]["nqsw"] == 12
    assert load["nqsw_cohort"]["workforce"]["agency_target_share"] == 0.10
    assert load["peripatetic_units"]["intake"][0]["nqsw"] == 22
    assert load["peripatetic_units"]["investment"]["amount"] == 500000
    assert len(load["peripatetic_units"]["placements"]["prevented_per_year"]) == 4
    base = {k: v for k, v in load["status_quo"]["workforce"].items()
            if k != "agency_target_share"}
    for s in load.values():
        assert s["demand"] == load["status_quo"]["demand"]
        assert {k: v for k, v in s["workforce"].items() if k != "agency_target_share"} == base


# ---------------------------------------------------------------- generator

def test_generator_is_deterministic(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        w, c = generate.generate_council(4, 10, 110, seed, peripatetic=3)
        generate.write_council(tmp_path / name, w, c)
    for f in ("workers.csv", "cases.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "cases.csv").read_bytes() != (tmp_path / "c" / "cases.csv").read_bytes()
    raw = (tmp_path / "a" / "workers.csv").read_bytes()
    assert b"\r\n" not in raw and raw.startswith(",".join(WORKER_COLUMNS).encode())


def test_generator_cli_small_preset(tmp_path):
    subprocess.run([sys.executable, "-m", "benchmarks.generate", "--size", "small",
                    "--seed", "1", "--out", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    wcols, workers = read(tmp_path / "workers.csv")
    ccols, cases = read(tmp_path / "cases.csv")
    assert wcols == WORKER_COLUMNS and ccols == CASE_COLUMNS
    assert len({w["team"] for w in workers}) == 8
    assert 80 <= len(workers) <= 100
    assert 850 <= len(cases) <= 1050
    assert {w["worker_id"] for w in workers} >= {c["current_worker"] for c in cases} - {""}
    held = Counter(c["current_worker"] for c in cases if c["current_worker"])
    over = sum(held[w["worker_id"]] > cap(w) for w in workers)
    assert 1 <= over <= 0.1 * len(workers)


def test_generator_rows_follow_the_rules():
    workers, cases = generate.generate_council(6, 11, 120, 3, peripatetic=4)
    by_id = {w["worker_id"]: w for w in workers}
    assert all(list(w) == WORKER_COLUMNS for w in workers)
    assert all(list(c) == CASE_COLUMNS for c in cases)
    pool = [w for w in workers if w["team"] == "Peripatetic"]
    assert len(pool) == 4 and all(2 <= len(tags(w["extra_teams"])) <= 3 for w in pool)
    for c in cases:
        if c["current_worker"]:
            w = by_id[c["current_worker"]]
            assert w["team"] == c["team"] or c["team"] in tags(w["extra_teams"])
            assert tags(c["required_skill"]) <= tags(w["skills"])
            assert not (w["role"] == "nqsw" and (c["category"] == "cp" or c["court"] == "yes"))
    # load scales demand against the same workforce
    w2, c2 = generate.generate_council(6, 11, 120, 3, load=1.3, peripatetic=4)
    assert len(w2) == len(workers) and len(c2) > 1.25 * len(cases)
