"""`caseload baseline --csww RETURN.xml`: a council's own worker-level census return -> scenario TOML.

Figures are checked against a small return written here and computed by hand.
"""
from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.make_csww import build_return
from cli import main
from workforce.csww import baseline_from_return
from workforce.plan import make_plan
from workforce.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "csww_return.xml"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header><CollectionDetails><Collection>CSWW</Collection><Year>2023</Year>
    <ReferenceDate>2023-09-30</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>999</LEA></Source></Header>
"""
VACANCIES = """  <LALevelVacancies><NumberOfVacancies>4.00</NumberOfVacancies><NoAgencyFTE>3.00</NoAgencyFTE>
    <NoAgencyHeadcount>3</NoAgencyHeadcount></LALevelVacancies>
"""


def worker(agency: int = 0, swe: str = "SW100001", fte30: str | None = "1.000000", fte: str | None = None,
           role: int | None = 5, cfkss: int | None = 2, start: str | None = "2015-01-05", end: str | None = None,
           origin: int | None = None, cases: int | None = 0, days: str | None = "0.00", extra: str = "") -> str:
    fields = [("AgencyWorker", agency), ("SWENo", swe), ("FTE", fte if fte is not None else fte30),
              ("OrgRole", role), ("RoleStartDate", start), ("StartOrigin", origin), ("RoleEndDate", end),
              ("FTE30", fte30), ("Cases30", cases), ("WorkingDaysLost", days), ("CFKSSstatus", cfkss)]
    return "  <CSWWWorker>" + "".join(f"<{k}>{v}</{k}>" for k, v in fields if v is not None) + extra + \
        "</CSWWWorker>\n"


SMALL = [
    worker(swe="SW100001", cases=18, days="5.06"),                                   # case holder
    worker(swe="SW100002", fte30="0.500000", role=4, start="2023-03-01", cases=9),   # senior practitioner, starter
    worker(swe="SW100003", cfkss=1, start="2022-10-03", origin=1, cases=12, days="2.00"),  # ASYE, starter
    worker(swe="SW100004", role=3, cfkss=3, cases=2),                                # team manager holding 2
    worker(agency=1, swe="SW100005", start=None, cases=20, days=None),               # agency case holder
    worker(agency=1, swe="SW100006", fte30="0.500000", role=2, start=None, days=None),  # agency manager
    worker(swe="SW100007", fte30="0.000000", fte="0.800000", end="2023-05-31", days="3.00"),  # leaver in the year
    worker(swe="SW100008", fte30="0.000000", fte="1.000000", end="2022-08-31"),      # left the year before
]


def write(tmp_path: Path, workers: list[str], head: str = HEAD, vacancies: str = VACANCIES,
          name: str = "return.xml") -> Path:
    p = tmp_path / name
    p.write_text(head + vacancies + "".join(workers) + "</Message>\n", encoding="utf-8")
    return p


def run(*args: object) -> Result:
    return CliRunner().invoke(main, ["baseline", *map(str, args)])


# ---------------------------------------------------------------- the mapping, by hand

def test_small_return_maps_to_hand_computed_figures(tmp_path):
    b = baseline_from_return(write(tmp_path, SMALL), "Testshire")
    sc = b.scenario
    assert sc["name"] == "Testshire baseline 2023 (CSWW return)" and sc["start"] == "2023-04"
    assert sc["demand"]["children"] == 18 + 9 + 12 + 2 + 20  # every Cases30 of workers in post
    w = sc["workforce"]
    assert w["case_holder_fte"] == 1.5            # OrgRole 5 (1.0) and 4 (0.5), not ASYE
    assert w["nqsw_fte"] == 1.0                   # CFKSSstatus 1
    assert w["agency_fte"] == 1.0                 # the agency case holder
    assert w["non_case_holding_fte"] == 1.5       # the team manager 1.0 and the agency manager 0.5
    assert w["turnover_per_year"] == round(0.8 / 3.5, 4)   # leavers in the year / permanent FTE in post
    assert w["experienced_hires_per_year"] == 1.5          # starters in the year into case-holding roles
    assert w["agency_cover"] == 0.75                        # 3 agency FTE over 4 vacancies
    assert sc["policy"]["non_availability"] == round((5.06 + 2 + 3) / (3.5 * 253), 4)
    assert tomllib.loads(b.toml) == sc
    assert b.values["agency_rate"] == pytest.approx(1.5 / (3.5 + 1.5))
    assert any("2 cases are held by workers outside case-holding roles" in n for n in b.notes)
    assert any("agency FTE hold no cases" in n for n in b.notes)


def test_output_loads_and_runs_through_caseload_plan(tmp_path):
    out = tmp_path / "scenario.toml"
    res = run("--csww", write(tmp_path, SMALL), "--la", "Testshire", "--out", out)
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("# Baseline workforce scenario: Testshire, 2023.")
    plan = make_plan(load_scenario(out), uncertainty=False)
    assert plan.now.agency_share == pytest.approx(1.0 / (1.5 + 1.0 + 1.0 + 1.5), abs=1e-4)
    res = CliRunner().invoke(main, ["plan", str(out), "--json"])
    assert res.exit_code == 0, res.output


def test_no_identifying_value_is_printed_or_written(tmp_path):
    res = run("--csww", write(tmp_path, SMALL))
    assert res.exit_code == 0
    assert "SW1000" not in res.stdout + res.stderr
    res = run("--csww", SAMPLE)
    text = SAMPLE.read_text(encoding="utf-8")
    swes = [line.split(">")[1].split("<")[0] for line in text.splitlines() if "<SWENo>" in line]
    assert len(swes) > 60 and not any(s in res.stdout + res.stderr for s in swes)


# ---------------------------------------------------------------- the sample return

def test_sample_return_is_the_sample_council():
    with open(ROOT / "sample_data" / "workers.csv", encoding="utf-8", newline="") as fh:
        workers = list(csv.DictReader(fh))
    with open(ROOT / "sample_data" / "cases.csv", encoding="utf-8", newline="") as fh:
        cases = list(csv.DictReader(fh))
    assert SAMPLE.read_text(encoding="utf-8") == build_return(workers, cases)  # regenerated, deterministic
    b = baseline_from_return(SAMPLE)
    w = b.scenario["workforce"]
    agency = sum(float(x["fte"]) for x in workers if x["employment"] == "agency")
    assert w["agency_fte"] == pytest.approx(agency)
    later = {"W018", "W032"}  # start their ASYE after the census date
    nqsw = sum(float(x["fte"]) for x in workers
               if x["role"] == "nqsw" and x["employment"] != "agency" and x["worker_id"] not in later)
    assert w["nqsw_fte"] == pytest.approx(nqsw)
    held = sum(1 for c in cases if c["current_worker"] and c["current_worker"] not in later)
    assert b.scenario["demand"]["children"] == held
    assert 0.05 < w["turnover_per_year"] < 0.3 and 0.005 < b.scenario["policy"]["non_availability"] < 0.06
    make_plan(load_scenario_text(b.toml), uncertainty=False)


def load_scenario_text(text: str):  # noqa: ANN201 - a Scenario
    from workforce.scenario import parse_scenario
    return parse_scenario(tomllib.loads(text), "sample.toml")


# ---------------------------------------------------------------- bad files: exit 2, file + worker + field

BAD = {
    "not_xml": ("<Message><CSWWWorker>", "is not well-formed XML"),
    "doctype": ('<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
                "<Message><CSWWWorker>&b;</CSWWWorker></Message>", "DOCTYPE or ENTITY"),
    "not_csww": ("<Workbook><Row/></Workbook>", "is not a CSWW census return"),
    "empty": ("", "the file is empty"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_exit_2(tmp_path, name):
    content, message = BAD[name]
    p = tmp_path / f"{name}.xml"
    p.write_text(content, encoding="utf-8")
    res = run("--csww", p, "--out", tmp_path / "out.toml")
    assert res.exit_code == 2, res.output
    assert f"{name}.xml" in res.stderr and message in res.stderr and "Traceback" not in res.output
    assert not (tmp_path / "out.toml").exists() and res.stdout == ""


@pytest.mark.parametrize("index, bad, message", [
    (2, worker(swe="SW100002", fte30=None, fte=None), "CSWWWorker 2, FTE30: is missing"),
    (3, worker(swe="SW100003", fte30="1.5"), "CSWWWorker 3, FTE30: '1.5' is not valid"),
    (2, worker(swe="SW100002", role=9), "CSWWWorker 2, OrgRole: '9' is not valid"),
    (3, worker(swe="SW100003", agency=None), "CSWWWorker 3, AgencyWorker: is missing"),  # type: ignore[arg-type]
    (2, worker(swe="SW100002", start="03/04/2023"), "CSWWWorker 2, RoleStartDate: is not a date"),
    (3, worker(swe="SW100003", cases="lots"), "CSWWWorker 3, Cases30: 'lots' is not valid"),  # type: ignore[arg-type]
    (2, worker(swe="SW100002", end="2023-06-30"), "CSWWWorker 2, FTE30: is 1 but RoleEndDate"),
    (3, worker(swe="SW100003", days="-4"), "CSWWWorker 3, WorkingDaysLost: '-4' is not valid"),
])
def test_bad_worker_fields_name_the_worker_and_field(tmp_path, index, bad, message):
    workers = list(SMALL)
    workers[index - 1] = bad
    res = run("--csww", write(tmp_path, workers))
    assert res.exit_code == 2, res.output
    assert "return.xml" in res.stderr and message in res.stderr and res.stdout == ""


def test_bad_swe_number_is_named_but_not_shown(tmp_path):
    workers = list(SMALL)
    workers[4] = worker(agency=1, swe="XQ12345678901234", start=None, days=None)
    res = run("--csww", write(tmp_path, workers))
    assert res.exit_code == 2 and "CSWWWorker 5, SWENo" in res.stderr and "XQ12345678901234" not in res.output


def test_missing_vacancies_and_census_date(tmp_path):
    res = run("--csww", write(tmp_path, SMALL, vacancies=""))
    assert res.exit_code == 2 and "LALevelVacancies is missing" in res.stderr
    res = run("--csww", write(tmp_path, SMALL, head="<Message>\n"))
    assert res.exit_code == 2 and "ReferenceDate" in res.stderr


def test_exactly_one_of_dfe_and_csww(tmp_path):
    p = write(tmp_path, SMALL)
    assert run("--la", "Leeds").exit_code == 2
    res = run("--csww", p, "--dfe", "x.csv", "--la", "Leeds")
    assert res.exit_code == 2 and "one of --dfe" in res.output
    assert run("--csww", p, "--year", 2023).exit_code == 2
    assert run("--csww", tmp_path / "missing.xml").exit_code == 2


# ---------------------------------------------------------------- missing fields: required stop, optional noted

def drop(xml: str, field: str) -> str:
    """The CSWWWorker without its `field` element (as a user deleting it from the file)."""
    cut = re.sub(rf"<{field}>[^<]*</{field}>", "", xml)
    assert cut != xml, f"{field} not in the worker"
    return cut


@pytest.mark.parametrize("index, field, why", [
    (1, "Cases30", "case-holding role"),          # a case holder in post: demand would drop silently
    (2, "Cases30", "case-holding role"),          # senior practitioner
    (5, "Cases30", "case-holding role"),          # the agency case holder counts in demand too
    (3, "CFKSSstatus", "ASYE"),                   # an ASYE worker would count as experienced
    (1, "CFKSSstatus", "ASYE"),
    (1, "WorkingDaysLost", "non_availability"),   # an employee in post: absence would change silently
    (1, "RoleStartDate", "starters"),             # every employee, in post or not
    (7, "RoleStartDate", "starters"),
    (7, "RoleEndDate", "turnover"),               # FTE30 0 without a leaving date
    (7, "FTE", "turnover"),                       # a leaver's FTE is their turnover
])
def test_missing_required_field_stops_naming_file_worker_and_field(tmp_path, index, field, why):
    workers = list(SMALL)
    workers[index - 1] = drop(workers[index - 1], field)
    out = tmp_path / "out.toml"
    res = run("--csww", write(tmp_path, workers), "--out", out)
    assert res.exit_code == 2, res.output
    assert "return.xml" in res.stderr and f"CSWWWorker {index}, {field}: is missing" in res.stderr, res.stderr
    assert why in res.stderr and res.stdout == "" and not out.exists() and "Traceback" not in res.output


def test_missing_cases_without_org_role_stops(tmp_path):
    workers = list(SMALL)
    workers[0] = worker(swe="SW100001", role=None, cases=None)
    res = run("--csww", write(tmp_path, workers))
    assert res.exit_code == 2 and "CSWWWorker 1, Cases30: is missing" in res.stderr


def test_fields_the_figures_do_not_need_may_be_missing_without_a_note(tmp_path):
    """Agency workers give no RoleStartDate or WorkingDaysLost (the DfE does not collect them), a manager no
    CFKSSstatus: nothing is defaulted into a figure, so nothing to note."""
    workers = list(SMALL)
    workers[3] = drop(workers[3], "CFKSSstatus")      # the team manager
    workers[4] = drop(workers[4], "CFKSSstatus")      # the agency case holder: no ASYE split for agency
    workers[5] = drop(workers[5], "Cases30")          # the agency manager
    b = baseline_from_return(write(tmp_path, workers))
    assert b.scenario["demand"]["children"] == 61
    assert not [n for n in b.notes if "missing" in n and "Cases30" not in n]
    assert any(n.startswith("Cases30 missing for 1 worker in post outside case-holding roles: counted as 0")
               for n in b.notes)


def test_missing_optional_fields_are_counted_in_a_named_note(tmp_path):
    workers = list(SMALL)
    workers[6] = drop(workers[6], "WorkingDaysLost")  # the leaver in the year
    workers[7] = drop(workers[7], "WorkingDaysLost")  # the leaver the year before
    workers[3] = drop(workers[3], "Cases30")          # the team manager's 2 cases
    workers[0] = drop(workers[0], "OrgRole")          # 18 cases: counted as a case holder
    res = run("--csww", write(tmp_path, workers), "--out", tmp_path / "out.toml")
    assert res.exit_code == 0, res.output
    b = baseline_from_return(write(tmp_path, workers))
    assert "WorkingDaysLost missing for 2 workers employed by the council and not in post: counted as 0 days " \
           "lost" in b.notes
    assert any(n.startswith("Cases30 missing for 1 worker in post outside case-holding roles") for n in b.notes)
    assert any(n.startswith("OrgRole missing for 1 worker in post: counted in a case-holding role") for n in b.notes)
    assert b.scenario["policy"]["non_availability"] == round((5.06 + 2) / (3.5 * 253), 4)
    assert b.scenario["demand"]["children"] == 18 + 9 + 12 + 20
    assert b.scenario["workforce"]["case_holder_fte"] == 1.5
    text = (tmp_path / "out.toml").read_text(encoding="utf-8")
    assert "# note: WorkingDaysLost missing for 2 workers" in text


def test_small_return_has_no_missing_field_note(tmp_path):
    b = baseline_from_return(write(tmp_path, SMALL))
    assert not [n for n in b.notes if " missing for " in n]


def test_counts_in_messages_are_singular_when_one(tmp_path):
    workers = [*SMALL[:3], worker(swe="SW100004", role=3, cfkss=3, cases=1), *SMALL[4:],
               worker(swe="SW100009", cases=0)]
    b = baseline_from_return(write(tmp_path, workers))
    assert any(n.startswith("1 worker in case-holding roles held no case") for n in b.notes), b.notes
    assert any(n.startswith("1 case is held by workers outside") for n in b.notes), b.notes
    assert "(census date 2023-09-30; 9 CSWWWorker records, 7 employed" in b.toml
    workers.append(worker(swe="SW100010", cases=0))
    b = baseline_from_return(write(tmp_path, workers))
    assert any(n.startswith("2 workers in case-holding roles held no case") for n in b.notes), b.notes
    assert not any("1 workers" in n or "1 cases" in n for n in b.notes)
