"""`caseload baseline`: DfE workforce statistics -> scenario TOML, checked on the real DfE files.

The DfE rows are read here with the csv module, independently of workforce.baseline.
"""
from __future__ import annotations

import csv
import functools
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from files.problems import ValidationError

DFE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dfe"
CSWW = DFE / "csww_indicators_2017_to_2023.csv"
if not CSWW.exists():
    pytest.skip(f"the DfE workforce file is not at {CSWW} (the repo is expected beside shared/)",
                allow_module_level=True)

from cli import main  # noqa: E402
from workforce.baseline import baseline, baseline_table, councils, scenarios  # noqa: E402
from workforce.plan import make_plan  # noqa: E402
from workforce.scenario import load_scenario, parse_scenario  # noqa: E402

KEYS = {
    "": {"name", "start", "years", "demand", "policy", "workforce", "costs", "placements"},
    "demand": {"children", "growth_per_year"},
    "policy": {"children_per_fte", "nqsw_capacity_share", "non_availability"},
    "workforce": {"case_holder_fte", "nqsw_fte", "agency_fte", "non_case_holding_fte", "turnover_per_year",
                  "experienced_hires_per_year", "agency_cover", "agency_target_share"},
    "costs": {"social_worker", "nqsw", "agency_social_worker"},
    "placements": {"baseline", "growth_per_year", "prevented_per_year", "average_cost"},
}


@functools.cache
def rows(path: Path = CSWW) -> tuple[dict[str, str], ...]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return tuple(csv.DictReader(fh))


def dfe_row(la_name: str, year: int) -> dict[str, str]:
    return next(r for r in rows() if r["la_name"] == la_name and r["time_period"] == str(year))


def run(*args: object) -> Result:
    return CliRunner().invoke(main, ["baseline", *map(str, args)])


# ---------------------------------------------------------------- the contract's mapping

@pytest.mark.parametrize("la", ["Leeds", "Birmingham", "Kent", "Bristol, City of", "Manchester", "Cornwall"])
def test_reproduces_published_caseload_and_maps_columns_exactly(la):
    r = dfe_row(la, 2023)
    b = baseline(CSWW, la, 2023)
    sc = tomllib.loads(b.toml)
    d, w, p = sc["demand"], sc["workforce"], sc["policy"]
    assert d["children"] == int(r["cases"])
    assert w["agency_fte"] == pytest.approx(float(r["agency_fte"]))
    assert w["case_holder_fte"] == pytest.approx(float(r["case_holders_fte"]) - float(r["agency_fte"]), abs=1e-9)
    assert w["turnover_per_year"] == pytest.approx(float(r["turnover_rate_fte"]) / 100)
    assert p["non_availability"] == pytest.approx(float(r["absence_rate_fte"]) / 100)
    caseload = d["children"] / (w["case_holder_fte"] + w["agency_fte"])
    assert caseload == pytest.approx(float(r["caseload_fte"]), abs=0.1)
    assert f"caseload_fte) is {r['caseload_fte']}" in b.toml
    assert f"vacancy_fte) at 30 September 2023: {r['vacancy_fte']} FTE" in b.toml


def test_fixed_keys_and_defaults():
    sc = baseline(CSWW, "Leeds", 2023).scenario
    assert sc["name"] == "Leeds baseline 2023" and sc["start"] == "2023-04" and sc["years"] == 4
    assert sc["policy"]["children_per_fte"] == 15 and sc["workforce"]["nqsw_fte"] == 0
    assert sc["workforce"]["agency_target_share"] == 0.10
    assert sc["costs"] == {"social_worker": 41667, "nqsw": 36000, "agency_social_worker": 60000}
    assert sc["placements"]["average_cost"] == 40000 and sc["placements"]["prevented_per_year"] == [0, 0, 0, 0]


def test_source_and_licence_comments():
    text = baseline(CSWW, "Leeds", 2023).toml
    assert "csww_indicators_2017_to_2023.csv" in text and 'la_name = "Leeds"' in text
    assert "time_period = 2023" in text
    assert "Open Government Licence v3.0" in text and "Department for Education" in text
    assert "30 September 2023" in text


def test_every_council_of_2023_gets_a_baseline_that_parses():
    names = councils(CSWW, 2023)
    expected = {r["la_name"] for r in rows()
                if r["time_period"] == "2023" and r["geographic_level"] == "Local authority"}
    assert set(names) == expected and len(names) > 140
    for la in names:
        b = baseline(CSWW, la, 2023)
        sc = tomllib.loads(b.toml)
        assert sc == b.scenario, la
        assert set(sc) <= KEYS[""] and set(sc) >= KEYS[""] - {"placements"}, la
        for section in ("demand", "policy", "workforce", "costs", "placements"):
            if section in sc:
                assert set(sc[section]) == KEYS[section], (la, section)
        w = sc["workforce"]
        assert w["case_holder_fte"] >= 0 and w["agency_fte"] >= 0 and 0 <= sc["policy"]["non_availability"] < 1
        r = dfe_row(la, 2023)
        if float(r["case_holders_fte"]) >= 5:  # Isles of Scilly's 1.5 FTE rounds too coarsely
            assert sc["demand"]["children"] / (w["case_holder_fte"] + w["agency_fte"]) == pytest.approx(
                float(r["caseload_fte"]), abs=0.1), la


def test_every_row_of_every_year_and_level():
    n = 0
    for year in range(2017, 2024):
        table = baseline_table(CSWW, year, levels=("National", "Regional", "Local authority"))
        assert len(table) == sum(r["time_period"] == str(year) for r in rows())
        n += len(table)
    assert n == len(rows())


def test_all_councils_helper_agrees_with_baseline():
    all_ = scenarios(CSWW, 2023)
    assert set(all_) == set(councils(CSWW, 2023))
    for la in ("Leeds", "Isles of Scilly", "Kensington and Chelsea", "Cumberland"):
        assert all_[la] == baseline(CSWW, la, 2023).scenario
    t = baseline_table(CSWW, 2023)
    for col in ("children", "case_holder_fte", "agency_fte", "turnover_per_year", "non_availability",
                "growth_per_year"):
        assert t[col].notna().all() and t[col].dtype.kind in "if", col


# ---------------------------------------------------------------- suppressed figures

def test_agency_suppressed_is_zero_and_said():
    assert dfe_row("Kensington and Chelsea", 2023)["agency_fte"] == "x"
    b = baseline(CSWW, "Kensington and Chelsea", 2023)
    assert b.scenario["workforce"]["agency_fte"] == 0.0
    assert b.values["suppressed"] == {"agency_fte": "x", "agency_rate_fte": "x", "vacancy_agency_cover_rate_fte": "x"}
    assert any("agency_fte" in n and "'x'" in n and "0" in n for n in b.notes)
    assert "# note: agency_fte is suppressed" in b.toml


def test_turnover_and_absence_suppressed_use_the_national_rate():
    r = dfe_row("Isles of Scilly", 2023)
    assert r["turnover_rate_fte"] == "z" and r["absence_rate_fte"] == "z"
    england = next(x for x in rows() if x["geographic_level"] == "National" and x["time_period"] == "2023")
    b = baseline(CSWW, "Isles of Scilly", 2023)
    assert b.scenario["workforce"]["turnover_per_year"] == pytest.approx(float(england["turnover_rate_fte"]) / 100)
    assert b.scenario["policy"]["non_availability"] == pytest.approx(float(england["absence_rate_fte"]) / 100)
    assert sum("national" in n for n in b.notes) == 2
    # agency 3.5 FTE > 1.5 case holders: capped so the caseload still adds up, and said
    assert b.scenario["workforce"]["case_holder_fte"] == 0 and b.scenario["workforce"]["agency_fte"] == 1.5
    assert any("more than case_holders_fte" in n for n in b.notes)


def test_low_reliability_and_rounds_to_zero():
    assert dfe_row("Sefton", 2023)["absence_rate_fte"] == "u"
    assert baseline(CSWW, "Sefton", 2023).scenario["policy"]["non_availability"] == 0.032
    assert dfe_row("Southampton", 2022)["absence_rate_fte"] == "low"
    b = baseline(CSWW, "Southampton", 2022)
    assert b.scenario["policy"]["non_availability"] == 0.0 and any("'low'" in n for n in b.notes)


def test_cases_suppressed_uses_the_nearest_year():
    r = dfe_row("Suffolk", 2018)
    assert r["cases"] == "x" and r["case_holders_fte"] == "x"
    b = baseline(CSWW, "Suffolk", 2018)
    r17 = dfe_row("Suffolk", 2017)
    assert b.scenario["demand"]["children"] == int(r17["cases"])
    assert b.values["case_holders_fte"] == float(r17["case_holders_fte"])
    assert any("cases is suppressed" in n and "2017" in n for n in b.notes)
    assert "caseload_fte) is suppressed" in b.toml


def test_cli_reports_suppressed_on_stderr_and_keeps_stdout_toml():
    res = run("--dfe", CSWW, "--la", "Westminster", "--year", 2023)
    assert res.exit_code == 0, res.output
    assert "agency_fte is suppressed" in res.stderr
    assert tomllib.loads(res.stdout)["workforce"]["agency_fte"] == 0.0


# ---------------------------------------------------------------- finding councils

@pytest.mark.parametrize("query, name", [
    ("bristol", "Bristol, City of"), ("City of Bristol", "Bristol, City of"),
    ("kingston upon hull", "Kingston upon Hull, City of"), ("Kingston-upon-Hull", "Kingston upon Hull, City of"),
    ("hull", "Kingston upon Hull, City of"), ("brighton & hove", "Brighton and Hove"),
    ("St Helens", "St. Helens"), ("saint helens", "St. Helens"), ("herefordshire", "Herefordshire, County of"),
    ("Leeds City Council", "Leeds"), ("  LEEDS ", "Leeds"),
    ("Royal Borough of Kensington & Chelsea", "Kensington and Chelsea"),
    ("City of London", "City of London"), ("London, City of", "City of London"), ("London", "London"),
    ("ENGLAND", "England"), ("north west", "North West"), ("Yorkshire & the Humber", "Yorkshire and The Humber"),
    ("Richmond upon Thames", "Kingston upon Thames / Richmond upon Thames"), ("southend", "Southend-on-Sea"),
])
def test_forgiving_names(query, name):
    assert baseline(CSWW, query, 2023).values["name"] == name


def test_joint_return_is_said():
    b = baseline(CSWW, "Richmond upon Thames", 2023)
    assert any("joint" in n for n in b.notes)


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValidationError) as e:
        baseline(CSWW, "Manchestr")
    assert "Manchester" in str(e.value)
    res = run("--dfe", CSWW, "--la", "Birmingam")
    assert res.exit_code == 2 and "close matches: Birmingham" in res.output
    assert "Traceback" not in res.output and res.stdout == ""


def test_ambiguous_name_lists_both():
    res = run("--dfe", CSWW, "--la", "sussex")
    assert res.exit_code == 2 and "East Sussex" in res.output and "West Sussex" in res.output


def test_national_and_regional_rows():
    e = baseline(CSWW, "England", 2023)
    nat = next(x for x in rows() if x["geographic_level"] == "National" and x["time_period"] == "2023")
    assert e.scenario["demand"]["children"] == int(nat["cases"]) and e.values["geographic_level"] == "National"
    assert 'country_name = "England"' in e.toml
    nw = baseline(CSWW, "North West")
    reg = next(x for x in rows() if x["region_name"] == "North West" and x["time_period"] == "2023"
               and x["geographic_level"] == "Regional")
    assert nw.scenario["demand"]["children"] == int(reg["cases"]) and nw.values["geographic_level"] == "Regional"
    assert nw.scenario["demand"]["children"] / (nw.values["case_holder_fte"] + nw.values["agency_fte"]) == \
        pytest.approx(float(reg["caseload_fte"]), abs=0.1)


# ---------------------------------------------------------------- years

def test_default_year_is_the_councils_latest():
    assert baseline(CSWW, "Leeds").values["year"] == 2023
    assert baseline(CSWW, "Cumbria").values["year"] == 2022  # split into Cumberland, Westmorland and Furness
    assert baseline(CSWW, "Leeds", 2019).scenario["start"] == "2019-04"


def test_year_not_in_file_lists_years():
    res = run("--dfe", CSWW, "--la", "Leeds", "--year", 2012)
    assert res.exit_code == 2 and "2017 to 2023" in res.output and "Traceback" not in res.output
    res = run("--dfe", CSWW, "--la", "Cumbria", "--year", 2023)
    assert res.exit_code == 2 and "Cumbria" in res.output and "2017 to 2022" in res.output


# ---------------------------------------------------------------- files beside the CSWW file

def test_growth_and_placements_from_the_files_beside():
    from workforce.backtest import backtest
    scored = {c.la_name: c for c in backtest(CSWW, 2019, 2023).by_council}
    b = baseline(CSWW, "Leeds", 2023)
    # demand grows as the forecast `caseload backtest` scores: the same method, from the same year
    for la in ("Leeds", "Rotherham", "Portsmouth"):
        then = baseline(CSWW, la, 2019)
        assert then.scenario["demand"]["children"] == scored[la].start
        assert then.scenario["demand"]["growth_per_year"] == pytest.approx(scored[la].growth_per_year, abs=1e-4)
    assert baseline(CSWW, "Rotherham", 2019).scenario["demand"]["growth_per_year"] < 0.02  # not CIN's 9.3% a year
    with open(DFE / "cla_number_and_rate_per_10k_children.csv", encoding="utf-8-sig", newline="") as fh:
        cla = [r for r in csv.DictReader(fh) if r["la_name"] == "Leeds" and "at 31 March" in r["population_count"]]
    by_year = {int(r["time_period"]): int(r["number"]) for r in cla}
    assert b.scenario["placements"]["baseline"] == by_year[2023]
    assert b.scenario["placements"]["growth_per_year"] == round((by_year[2023] - by_year[2019]) / 4)
    assert "children in need at 31 March" in b.toml and "cases forecast 4 years ahead" in b.toml


def test_csww_alone_gives_zero_growth_and_no_placements(tmp_path):
    shutil.copy(CSWW, tmp_path / "csww.csv")
    b = baseline(tmp_path / "csww.csv", "Leeds")
    assert "placements" not in b.scenario and "children in need" not in b.toml  # cases alone
    assert abs(b.scenario["demand"]["growth_per_year"]) < 0.1 and "cases forecast 4 years ahead" in b.toml
    assert any("[placements] left out" in n for n in b.notes)
    tomllib.loads(b.toml)


def test_council_missing_from_side_files_is_said():
    b = baseline(CSWW, "Cumberland", 2023)  # new in 2023; the b1 and cla files still have Cumbria
    assert b.scenario["demand"]["growth_per_year"] == 0.0 and "placements" not in b.scenario
    assert "no change (one year of history)" in b.toml  # one year of cases: nothing to forecast a change from
    assert any("looked-after" in n for n in b.notes)


# ---------------------------------------------------------------- files and the CLI

def test_cli_writes_out_atomically(tmp_path):
    out = tmp_path / "sub" / "leeds.toml"
    res = run("--dfe", CSWW, "--la", "leeds", "--out", out)
    assert res.exit_code == 0 and res.stdout == "" and "written" in res.stderr
    assert tomllib.loads(out.read_text(encoding="utf-8"))["name"] == "Leeds baseline 2023"
    assert [p.name for p in out.parent.iterdir()] == ["leeds.toml"]


def test_cli_stdout_is_the_toml_and_repeatable():
    a, b = run("--dfe", CSWW, "--la", "Kent"), run("--dfe", CSWW, "--la", "Kent")
    assert a.exit_code == 0 and a.stdout == b.stdout == baseline(CSWW, "Kent").toml


def test_missing_file(tmp_path):
    res = run("--dfe", tmp_path / "nope.csv", "--la", "Leeds")
    assert res.exit_code == 2 and "file not found" in res.output and "Traceback" not in res.output


def test_not_the_csww_file():
    with pytest.raises(ValidationError) as e:
        baseline(DFE / "b1_children_in_need_2013_to_2023.csv", "Leeds")
    msg = str(e.value)
    assert "b1_children_in_need_2013_to_2023.csv" in msg and "cases" in msg and "case_holders_fte" in msg
    res = run("--dfe", DFE / "cla_number_and_rate_per_10k_children.csv", "--la", "Leeds")
    assert res.exit_code == 2 and "missing columns" in res.output


@pytest.mark.parametrize("content", [b"", b"\x50\x4b\x03\x04\xff\xfe\x00binary", b"time_period,la_name\n"])
def test_empty_binary_or_headless_files_exit_2(tmp_path, content):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    res = run("--dfe", p, "--la", "Leeds")
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "bad.csv" in res.output


def test_bad_year_values_exit_2(tmp_path):
    text = CSWW.read_text(encoding="utf-8-sig").replace("\n2023,", "\n2023/24,", 1)
    (tmp_path / "c.csv").write_text(text, encoding="utf-8")
    res = run("--dfe", tmp_path / "c.csv", "--la", "Leeds")
    assert res.exit_code == 2 and "time_period" in res.output


# ---------------------------------------------------------------- agency share, starters, agency cover (issue 13)

def num(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


def test_every_council_of_every_year_loads_runs_and_gives_the_published_agency_rate():
    """Each baseline runs through the loader's checks and the plan; its first-month agency share is the DfE's."""
    worst, runs = 0.0, 0
    for year in range(2017, 2024):
        published = {r["la_name"]: num(r["agency_rate_fte"]) for r in rows()
                     if r["time_period"] == str(year) and r["geographic_level"] == "Local authority"}
        docs = scenarios(CSWW, year)
        assert set(docs) == set(published)
        for name, doc in sorted(docs.items()):
            plan = make_plan(parse_scenario(doc, f"{name}.toml"), uncertainty=False)
            runs += 1
            if published[name] is not None:
                gap = abs(100 * plan.now.agency_share - published[name])
                assert gap <= 0.5, (year, name, plan.now.agency_share, published[name])
                worst = max(worst, gap)
    assert runs > 1000 and worst < 0.1


def test_rotherham_2017_agency_share_is_the_published_18_2_percent(tmp_path):
    r = dfe_row("Rotherham", 2017)
    out = tmp_path / "rotherham.toml"
    assert run("--dfe", CSWW, "--la", "Rotherham", "--year", 2017, "--out", out).exit_code == 0
    s = load_scenario(out)
    w = tomllib.loads(out.read_text(encoding="utf-8"))["workforce"]
    assert w["non_case_holding_fte"] == pytest.approx(
        float(r["inpost_fte"]) + float(r["agency_fte"]) - float(r["case_holders_fte"]), abs=0.05)
    assert make_plan(s, uncertainty=False).now.agency_share == pytest.approx(0.182, abs=0.001)
    assert "agency_rate_fte, agency / (in post + agency)) is 18.2%" in out.read_text(encoding="utf-8")


def test_more_agency_than_case_holders_keeps_the_published_rate():
    r = dfe_row("Halton", 2022)  # 65.8 agency FTE, 58.9 case holders
    assert float(r["agency_fte"]) > float(r["case_holders_fte"])
    b = baseline(CSWW, "Halton", 2022)
    w = b.scenario["workforce"]
    share = w["agency_fte"] / (w["case_holder_fte"] + w["agency_fte"] + w["non_case_holding_fte"])
    assert share == pytest.approx(float(r["agency_rate_fte"]) / 100, abs=0.005)
    assert any("same proportion" in n for n in b.notes)


def test_starters_are_the_hires_at_the_councils_starter_rate():
    r = dfe_row("Leeds", 2023)
    b = baseline(CSWW, "Leeds", 2023)
    w = b.scenario["workforce"]
    rate = float(r["starters_fte"]) / float(r["inpost_fte"])
    assert w["experienced_hires_per_year"] == pytest.approx(rate * w["case_holder_fte"], abs=0.05)
    assert "starters used: DfE starters_fte" in b.toml


def test_starters_suppressed_use_englands_rate():
    row = next(r for r in rows() if r["starters_fte"] == "x")
    b = baseline(CSWW, row["la_name"], int(row["time_period"]))
    nat = next(x for x in rows() if x["geographic_level"] == "National" and x["time_period"] == row["time_period"])
    rate = float(nat["starters_fte"]) / float(nat["inpost_fte"])
    w = b.scenario["workforce"]
    assert w["experienced_hires_per_year"] == pytest.approx(rate * w["case_holder_fte"], abs=0.05)
    assert any("starters_fte is suppressed" in n and "England" in n for n in b.notes)


def test_agency_cover_from_vacancies_national_where_suppressed_and_at_most_1():
    r = dfe_row("Leeds", 2023)
    assert baseline(CSWW, "Leeds", 2023).scenario["workforce"]["agency_cover"] == pytest.approx(
        float(r["vacancy_agency_cover_rate_fte"]) / 100)
    b = baseline(CSWW, "Kensington and Chelsea", 2023)  # 'x'
    assert b.scenario["workforce"]["agency_cover"] == 0.744
    assert any("vacancy_agency_cover_rate_fte is suppressed" in n for n in b.notes)
    over = next(r for r in rows() if r["geographic_level"] == "Local authority"
                and (num(r["vacancy_agency_cover_rate_fte"]) or 0) > 100)
    b = baseline(CSWW, over["la_name"], int(over["time_period"]))
    assert b.scenario["workforce"]["agency_cover"] == 1.0 and any("exceed the vacancies" in n for n in b.notes)


def test_isles_of_scilly_turnover_of_100_percent_becomes_englands(tmp_path):
    assert dfe_row("Isles of Scilly", 2019)["turnover_rate_fte"] == "100"
    out = tmp_path / "scilly.toml"
    res = run("--dfe", CSWW, "--la", "Isles of Scilly", "--year", 2019, "--out", out)
    assert res.exit_code == 0, res.output
    assert "more than a projection can take" in res.stderr
    s = load_scenario(out)
    assert s.turnover_per_year == pytest.approx(0.15)
    plan = make_plan(s, uncertainty=False)
    assert plan.now.agency_share == pytest.approx(0.5, abs=0.005)
