"""Scenario checks: bad scenarios exit 2 naming the key, with no traceback; good ones read as written."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from workforce_helpers import BAD, SCENARIOS, TEST_SCENARIOS, scenario

from cli import main
from files.problems import ValidationError
from workforce.scenario import load_scenario

BAD_CASES = {
    "negative_fte.toml": ["workforce.case_holder_fte", "at least 0"],
    "growth_minus_150.toml": ["demand.growth_per_year", "-1.5"],
    "missing_demand.toml": ["'demand'", "section is missing"],
    "missing_workforce.toml": ["'workforce'", "section is missing"],
    "intake_before_start.toml": ["intake[1].month", "before the start 2027-04"],
    "text_for_number.toml": ["workforce.agency_fte", "'eight'"],
    "unknown_keys.toml": ["workforce.turnover_rate", "costs.agency", "turnover_per_year", "agency_social_worker"],
    "bad_month.toml": ["'start'", "YYYY-MM"],
    "bad_policy.toml": ["policy.caseload_cap", "policy.children_per_fte", "valid keys are"],
    "prevented_wrong_length.toml": ["placements.prevented_per_year", "3 years"],
    "bad_uncertainty.toml": ["uncertainty.growth_per_year", "uncertainty.runs"],
    "not_toml.toml": ["not valid TOML", "line 2"],
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_scenario_exits_2_naming_the_key(name):
    result = CliRunner().invoke(main, ["plan", str(BAD / name)])
    assert result.exit_code == 2, result.output
    text = result.output + (result.stderr or "")
    for expected in BAD_CASES[name]:
        assert expected in text
    assert "Traceback" not in text
    assert "problem" in text


def test_bad_scenario_with_json_prints_nothing_on_stdout():
    result = CliRunner().invoke(main, ["plan", str(BAD / "negative_fte.toml"), "--json"])
    assert result.exit_code == 2 and result.stdout == ""


def test_every_bad_file_is_covered():
    assert sorted(p.name for p in BAD.glob("*.toml")) == sorted(BAD_CASES)


def test_missing_file_exits_2():
    result = CliRunner().invoke(main, ["plan", str(BAD / "no_such_file.toml")])
    assert result.exit_code == 2 and "file not found" in result.output + result.stderr


def test_all_problems_are_listed_in_one_pass():
    with pytest.raises(ValidationError) as e:
        scenario(workforce={"case_holder_fte": -1, "agency_fte": "x", "turnover_per_year": 2},
                 demand={"growth_per_year": -1.5})
    columns = {p.column for p in e.value.problems}
    assert {"workforce.case_holder_fte", "workforce.agency_fte", "workforce.turnover_per_year",
            "demand.growth_per_year"} <= columns


@pytest.mark.parametrize("changes, key", [
    ({"demand": {"history": [100, 110], "growth_per_year": None}}, "demand.history"),  # too short
    ({"demand": {"history": [100, 110, 120]}}, "demand.history"),  # with growth_per_year too
    ({"demand": {"mix": {"cp": 0.5, "cin": 0.2}}}, "demand.mix"),
    ({"intake": [{"month": "2031-01", "nqsw": 3}]}, "intake[1].month"),
    ({"intake": [{"month": "2027-05", "nqsw": -3}]}, "intake[1].nqsw"),
    ({"targets": {"agency_share_by": "2028-03"}}, "targets.agency_share_by"),  # needs agency_target_share
    ({"investment": {"amount": 100000}}, "investment"),  # needs placements
    ({"placements": {"baseline": 10}}, "placements.average_cost"),
    ({"policy": {"non_availability": 1.5}}, "policy.non_availability"),
    ({"years": 0}, "years"),
    ({"from": {"workers": "w.csv"}}, "from.cases"),
])
def test_each_rule_names_its_key(changes, key):
    with pytest.raises(ValidationError) as e:
        scenario(**changes)
    assert key in {p.column for p in e.value.problems}


def test_contract_example_reads_as_written():
    s = load_scenario(TEST_SCENARIOS / "contract.toml")
    assert (s.name, str(s.start), s.years, s.children) == ("Option 1: peripatetic units", "2017-04", 4, 1280)
    assert s.policy.children_per_fte == 15 and s.non_availability == 0.035
    assert (s.case_holder_fte, s.nqsw_fte, s.agency_fte, s.turnover_per_year) == (76.8, 0, 3, 0.127)
    assert s.intakes[0].nqsw == 22 and str(s.intakes[0].month) == "2017-10"
    assert s.placements.prevented_per_year == (52, 61, 70, 70) and s.investment == 500000


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_sample_scenarios_load(path):
    assert load_scenario(path).years >= 1


def test_policy_keys_mean_what_the_allocator_means():
    s = scenario(policy={"nqsw_capacity_share": 0.6, "max_nqsw_per_supervisor": 2})
    assert s.policy.nqsw_capacity_share == 0.6 and s.policy.capacity("nqsw", 1.0) == 15 * 0.6


def test_missing_turnover_uses_england_rate_with_a_note():
    s = scenario(workforce={"turnover_per_year": None})
    assert s.turnover_per_year == 0.159 and any("turnover" in n for n in s.notes)
