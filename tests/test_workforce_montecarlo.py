"""Monte Carlo bands: reproducible, ordered, probabilities in [0, 1], zero-width ranges give the plan."""
from __future__ import annotations

from typing import Any

import pytest
from workforce_helpers import TEST_SCENARIOS, scenario

from workforce.montecarlo import bands, draw_values, run_many
from workforce.plan import make_plan
from workforce.scenario import Scenario, load_scenario

RANGES = {"growth_per_year": [0.0, 0.08], "turnover_per_year": [0.1, 0.2], "prevention_achieved": [0.5, 1.0],
          "intake_filled": [0.6, 1.0], "placement_cost": [35000, 45000]}
PLACEMENTS = {"baseline": 200, "growth_per_year": 10, "prevented_per_year": [5, 8, 10], "average_cost": 40000}


def uncertain(ranges: dict = RANGES, **more: Any) -> Scenario:
    return scenario(demand={"children": 1100, "growth_per_year": 0.04}, placements=PLACEMENTS,
                    workforce={"turnover_per_year": 0.15, **more.pop("workforce", {})},
                    intake=[{"month": "2027-09", "nqsw": 10}],
                    uncertainty={**ranges, "runs": 400, "seed": 3, **more})


def test_same_seed_same_numbers_other_seed_other_numbers():
    assert bands(uncertain()) == bands(uncertain())
    assert bands(uncertain()) != bands(uncertain(seed=4))


def test_bands_are_ordered():
    b = bands(uncertain())
    for key in ("required_fte", "gap_fte", "agency_share", "cost"):
        for year in getattr(b, key):
            assert year.p10 <= year.p50 <= year.p90
    assert b.required_fte[-1].p10 < b.required_fte[-1].p90  # the ranges do spread the outcomes


def test_zero_width_ranges_reproduce_the_deterministic_plan():
    zero = {"growth_per_year": [0.04, 0.04], "turnover_per_year": [0.15, 0.15], "prevention_achieved": [1.0, 1.0],
            "intake_filled": [1.0, 1.0], "placement_cost": [40000, 40000]}
    s = uncertain(zero)
    b, years = bands(s), make_plan(s, uncertainty=False).years
    for n, y in enumerate(years):
        for p in ("p10", "p50", "p90"):
            assert getattr(b.required_fte[n], p) == pytest.approx(y.required_fte, abs=0.01)
            assert getattr(b.agency_share[n], p) == pytest.approx(y.agency_share, abs=1e-4)
            assert getattr(b.cost[n], p) == pytest.approx(y.cost, abs=2)
    assert b.p_over_cap == (0.0,) * 3


def test_probability_of_exceeding_the_cap_is_a_probability():
    b = bands(uncertain(workforce={"agency_max_fte": 20.0}))
    assert all(0 <= p <= 1 for p in b.p_over_cap)
    assert b.p_over_cap[-1] > 0  # agency capped at 20 FTE cannot fill the gap in every draw
    capped_hard = bands(uncertain(workforce={"agency_max_fte": 0.0}, ranges={"growth_per_year": [0.05, 0.08]}))
    assert capped_hard.p_over_cap == (1.0,) * 3


def test_draws_lie_in_their_ranges_and_triangular_peaks_at_the_plan():
    v = draw_values(uncertain(distribution="triangular"), 20000, 0)
    for key, (lo, hi) in RANGES.items():
        assert v[key].min() >= lo and v[key].max() <= hi
    # growth range 0 to 0.10 with the scenario's 0.04 as the mode: mean (0 + 0.04 + 0.10) / 3, not 0.05
    skewed = draw_values(uncertain({"growth_per_year": [0.0, 0.10]}, distribution="triangular"), 20000, 0)
    assert skewed["growth_per_year"].mean() == pytest.approx(0.14 / 3, abs=0.001)
    flat = draw_values(uncertain({"growth_per_year": [0.0, 0.10]}), 20000, 0)
    assert flat["growth_per_year"].mean() == pytest.approx(0.05, abs=0.001)


def test_stacked_scenarios_give_the_same_bands_as_alone():
    a, b = uncertain(), load_scenario(TEST_SCENARIOS / "contract.toml")
    together = run_many([a, b], runs=300, seed=11)
    assert together[0] == run_many([a], runs=300, seed=11)[0]
    assert together[1] == run_many([b], runs=300, seed=12)[0]  # scenario i draws from seed + i
    assert len(together[0].p_over_cap) == 3 and len(together[1].p_over_cap) == 4


def test_plan_json_carries_the_bands():
    doc = make_plan(load_scenario(TEST_SCENARIOS / "contract.toml")).to_json()
    assert doc["uncertainty"]["runs"] == 500 and len(doc["uncertainty"]["cost"]) == 4
