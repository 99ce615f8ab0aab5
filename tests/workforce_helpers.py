"""Small scenarios for the workforce tests, built as TOML-like dicts."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from workforce.scenario import Scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "sample_data" / "scenarios"
TEST_SCENARIOS = ROOT / "tests" / "data" / "scenarios"
BAD = ROOT / "tests" / "data" / "bad_scenarios"

FLAT = {
    "name": "Flat",
    "start": "2027-04",
    "years": 3,
    "demand": {"children": 900, "growth_per_year": 0.0},
    "policy": {"children_per_fte": 15, "nqsw_capacity_share": 0.9, "non_availability": 0.0},
    "workforce": {"case_holder_fte": 50.0, "nqsw_fte": 0.0, "agency_fte": 10.0, "turnover_per_year": 0.0,
                  "agency_cover": 1.0},  # agency fills every vacancy: the other mechanisms alone
    "costs": {"social_worker": 40000, "nqsw": 36000, "agency_social_worker": 60000, "service_leader": 0},
}


def scenario(**changes: Any) -> Scenario:
    """FLAT with `section={key: value}` updates merged in (a value of None deletes the key)."""
    doc = copy.deepcopy(FLAT)
    for section, value in changes.items():
        if isinstance(value, dict) and isinstance(doc.get(section), dict):
            for k, v in value.items():
                if v is None:
                    doc[section].pop(k, None)
                else:
                    doc[section][k] = v
        else:
            doc[section] = value
    return parse_scenario(doc, "test.toml")
