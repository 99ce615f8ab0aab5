"""`caseload backtest` and `workforce.forecast`: a demand forecast that beats "no change", honestly.

The real DfE files are expected beside the repository (as in test_baseline.py); the synthetic councils at
the end need no files.
"""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from workforce.backtest import councils, score
from workforce.forecast import calibrate, forecast

DFE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dfe"
CSWW = DFE / "csww_indicators_2017_to_2023.csv"
real = pytest.mark.skipif(not CSWW.exists(), reason=f"the DfE workforce file is not at {CSWW}")
PAIRS = [(2019, 2023), (2018, 2022), (2017, 2020), (2020, 2023), (2019, 2021)]


@pytest.fixture(scope="module")
def panel():
    return councils(CSWW)[0]


# --------------------------------------------------------------------------- on the real DfE figures

@real
def test_beats_no_change_from_2019_to_2023_and_the_band_holds_about_80_percent(panel):
    b = score(panel, 2019, 2023)
    assert len(b.by_council) >= 140
    assert b.mape < b.mape_no_change
    assert 0.7 <= b.coverage <= 0.9


@real
@pytest.mark.parametrize(("origin", "target"), PAIRS)
def test_never_worse_than_no_change_on_other_years(panel, origin, target):
    b = score(panel, origin, target)
    assert b.mape <= b.mape_no_change + 1e-9, b.summary()
    assert 0.6 <= b.coverage <= 0.95, b.summary()


@real
@pytest.mark.parametrize(("origin", "target"), PAIRS)
def test_no_peeking_the_years_after_the_origin_change_nothing(panel, origin, target):
    """Every year after `origin` deleted, or scrambled: the method, the forecasts and the bands stay the same."""
    horizon = target - origin
    cut = {la: ({y: v for y, v in c.items() if y <= origin}, {y: v for y, v in s.items() if y <= origin})
           for la, (c, s) in panel.items()}
    scrambled = {la: ({y: v * (7 if y > origin else 1) for y, v in c.items()},
                      {y: (v / 3 if y > origin else v) for y, v in s.items()}) for la, (c, s) in panel.items()}
    cals = [calibrate(p.values(), origin, horizon) for p in (panel, cut, scrambled)]
    assert cals[0] == cals[1] == cals[2]
    for la, (c, _) in panel.items():
        if origin in c:
            made = [forecast(p[la][0], origin, horizon, p[la][1], cal)
                    for p, cal in zip((panel, cut, scrambled), cals, strict=True)]
            assert made[0] == made[1] == made[2], la


@real
def test_councils_without_both_years_are_skipped_and_counted(panel):
    doc = score(panel, 2019, 2023).to_json()
    skipped = {s["la_name"] for s in doc["skipped_councils"]}
    assert doc["skipped"] == len(skipped) >= 5
    assert {"Cumberland", "Northamptonshire", "Poole"} <= skipped
    assert not skipped & {c["la_name"] for c in doc["by_council"]}


@real
def test_cli_json_is_one_document_with_the_contract_keys():
    r = CliRunner().invoke(main, ["backtest", "--dfe", str(CSWW), "--from", "2019", "--to", "2023", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"from", "to", "councils", "mape", "mape_no_change", "coverage_p10_p90", "by_council"} <= set(doc)
    assert (doc["from"], doc["to"]) == (2019, 2023)
    assert doc["councils"] == len(doc["by_council"])
    assert doc["mape"] < doc["mape_no_change"]
    row = doc["by_council"][0]
    assert {"la_name", "forecast", "p10", "p90", "actual"} <= set(row)
    share = sum(c["p10"] <= c["actual"] <= c["p90"] for c in doc["by_council"]) / doc["councils"]
    assert doc["coverage_p10_p90"] == pytest.approx(share, abs=1e-3)
    ape = [abs(c["forecast"] - c["actual"]) / c["actual"] for c in doc["by_council"]]
    assert doc["mape"] == pytest.approx(100 * sum(ape) / len(ape), abs=0.01)


@real
def test_cli_table_ends_with_the_summary_line():
    r = CliRunner().invoke(main, ["backtest", "--dfe", str(CSWW), "--from", "2019", "--to", "2023"])
    assert r.exit_code == 0, r.output
    assert "beats no change" in r.output and "P10-P90" in r.output


@pytest.mark.parametrize(("args", "says"), [
    (["--dfe", "no/such.csv", "--from", "2019", "--to", "2023"], "file not found"),
    (["--from", "2012", "--to", "2023"], "--from 2012: no cases for that year"),
    (["--from", "2019", "--to", "2031"], "--to 2031: no cases for that year"),
    (["--from", "2021", "--to", "2019"], "must be after --from 2021"),
])
def test_bad_input_exits_2_with_one_line_and_no_traceback(args, says):
    if not CSWW.exists() and "--dfe" not in args:
        pytest.skip("needs the DfE file")
    full = args if "--dfe" in args else ["--dfe", str(CSWW), *args]
    r = CliRunner().invoke(main, ["backtest", *full])
    assert r.exit_code == 2
    assert says in r.output and "Traceback" not in r.output


@real
def test_a_folder_with_only_the_workforce_file_still_runs(tmp_path):
    """Without the children-in-need file beside it: no support series, the cases' own past only."""
    shutil.copy(CSWW, tmp_path / CSWW.name)
    b = score(councils(tmp_path / CSWW.name)[0], 2021, 2023)
    assert b.mape <= b.mape_no_change + 1e-9


# --------------------------------------------------------------------------- synthetic councils, known answers

def steady(start: float, rate: float, first: int, last: int) -> dict[int, float]:
    return {y: start * (1 + rate) ** (y - first) for y in range(first, last + 1)}


def test_a_steadily_growing_council_is_forecast_on_its_trend():
    cases, cin = steady(1000, 0.05, 2017, 2019), steady(1500, 0.05, 2013, 2019)
    f = forecast(cases, 2019, 4, cin)
    assert f.value == pytest.approx(cases[2019] * 1.05 ** 4, rel=0.01)
    assert f.growth_per_year == pytest.approx(0.05, abs=0.002)
    assert "trend" in f.method
    assert f.p10 <= f.value <= f.p90


def test_a_noisy_council_shrinks_toward_no_change():
    cin = {2013: 1000, 2014: 1400, 2015: 900, 2016: 1450, 2017: 1000, 2018: 1500, 2019: 1050}
    cases = {2017: 700, 2018: 710, 2019: 720}
    raw = (cin[2019] / cin[2015]) ** (1 / 4) - 1  # +4% a year, end to end
    f = forecast(cases, 2019, 4, cin)
    assert abs(f.growth_per_year) < raw / 4
    assert "trend" not in f.method


def test_a_single_year_of_history_is_no_change():
    f = forecast({2019: 800}, 2019, 2)
    assert f.value == 800 and f.growth_per_year == 0 and f.method.startswith("no change")
    assert f.p10 < 800 < f.p90


def test_suppressed_zero_and_missing_years_are_left_out():
    clean = forecast({2017: 900, 2019: 1000}, 2019, 2, {2015: 1, 2016: 1.1, 2019: 1.2})
    dirty = forecast({2017: 900, 2018: math.nan, 2019: 1000, 2020: 0}, 2019, 2,
                     {2014: 0, 2015: 1, 2016: 1.1, 2019: 1.2})
    assert clean == dirty


def test_the_origin_year_must_have_a_figure():
    with pytest.raises(ValueError, match="no cases figure for 2019"):
        forecast({2017: 900, 2018: 950}, 2019, 2)
    with pytest.raises(ValueError, match="horizon"):
        forecast({2019: 900}, 2019, 0)


def test_a_calibration_for_another_horizon_is_refused():
    cal = calibrate([({2017: 1, 2018: 2, 2019: 3}, None)], 2019, 2)
    with pytest.raises(ValueError, match="calibration"):
        forecast({2019: 900}, 2019, 3, calibration=cal)


def test_the_label_says_what_was_done_when_a_year_is_missing():
    """A missing year inside the level's window: the level is smoothed over the years there are, and the
    label says so (it is not "no change": the forecast differs from the start)."""
    cal = calibrate([({2015: 1000, 2016: 1100, 2017: 900, 2018: 1200, 2019: 1000}, None)] * 25, 2019, 1)
    assert cal.level_weight > 0 and cal.trend_weight == 0
    gap = forecast({2017: 800, 2019: 1000}, 2019, 1, calibration=cal)
    assert gap.value != gap.start and gap.method == "smoothed level over 2017 and 2019 (no 2018 figure)"
    short = forecast({2018: 800, 2019: 1000}, 2019, 1, calibration=cal)
    assert short.method == "smoothed level over 2018 and 2019"  # the history starts in 2018: nothing missing
    full = forecast({2017: 700, 2018: 800, 2019: 1000}, 2019, 1, calibration=cal)
    assert full.method == "smoothed level"
    one = forecast({2019: 1000}, 2019, 1, calibration=cal)
    assert one.method == "no change (one year of history)" and one.value == one.start


@real
def test_suffolk_2019_is_labelled_as_smoothed_not_no_change(panel):
    suffolk = next(c for c in score(panel, 2019, 2023).by_council if c.la_name == "Suffolk")
    assert suffolk.forecast != suffolk.start
    assert suffolk.method == "smoothed level over 2017 and 2019 (no 2018 figure)"
    for c in score(panel, 2019, 2023).by_council:  # "no change" only where the forecast is the start
        assert not c.method.startswith("no change") or c.forecast == c.start, c
