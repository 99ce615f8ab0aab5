"""Build ``sample_data/csww_return.xml``: the sample council's Children's social work workforce census return.

The council's own worker-level return to the DfE (ANNEXA.md), as `caseload baseline --csww` reads it, made
from ``sample_data/workers.csv`` and ``cases.csv`` so that both describe the same council:

* every worker in post at the census date, 30 September 2026, with their FTE, agency flag and role
  (``social_worker`` -> OrgRole 5 case holder, ``senior_social_worker`` -> 4 senior practitioner,
  ``consultant_social_worker`` and ``service_leader`` -> 3 first-line manager), NQSWs in the ASYE
  (CFKSSstatus 1, StartOrigin 1, RoleStartDate their ``asye_start``), and Cases30 = the children the cases
  file gives them. Two NQSWs start their ASYE after 30 September (W018, W032): a snapshot at 30 September
  does not hold them;
* invented history around them: permanent leavers in the year (FTE30 0, RoleEndDate, ReasonLeave), a few
  experienced starters, days lost to sickness (more for the worker on sick leave), and the council's
  vacancies with the agency FTE covering them;
* invented Social Work England numbers of the right shape (``SW`` and six digits); no name, no date of birth.

Deterministic: the same sample gives the same file, byte for byte.

Usage, from the repository root: ``python -m benchmarks.make_csww [--data sample_data] [--out FILE]``
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections import Counter
from datetime import date, timedelta
from xml.sax.saxutils import escape

CENSUS = date(2026, 9, 30)
YEAR_START = date(2025, 10, 1)
SEED = 2026
ROLE = {"social_worker": 5, "nqsw": 5, "senior_social_worker": 4, "consultant_social_worker": 3,
        "service_leader": 3}
CFKSS = {"social_worker": 2, "nqsw": 1, "senior_social_worker": 2, "consultant_social_worker": 3,
         "service_leader": 3}
LEAVERS = ((1.0, 5, 1), (1.0, 5, 1), (0.8, 5, 1), (1.0, 5, 5), (1.0, 4, 1), (1.0, 5, 7), (0.6, 5, 1),
           (1.0, 3, 1), (1.0, 5, 8))  # (FTE, OrgRole, ReasonLeave): nine permanent leavers in the year
EXPERIENCED_STARTERS = 4  # permanent social workers who joined in the year from elsewhere
VACANCIES, AGENCY_COVER_FTE, AGENCY_COVER_HEADCOUNT = 11.0, 9.4, 10


def read_rows(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _swe(rng: random.Random, used: set[str]) -> str:
    while True:
        swe = f"SW{rng.randrange(100000, 1000000)}"
        if swe not in used:
            used.add(swe)
            return swe


def _worker(fields: list[tuple[str, object]]) -> str:
    inner = "".join(f"    <{k}>{escape(str(v))}</{k}>\n" for k, v in fields if v is not None and v != "")
    return f"  <CSWWWorker>\n{inner}  </CSWWWorker>\n"


def build_return(workers: list[dict[str, str]], cases: list[dict[str, str]]) -> str:
    """The return's XML text."""
    rng = random.Random(SEED)
    used: set[str] = set()
    held = Counter(c["current_worker"] for c in cases if c.get("current_worker"))
    permanent = [w for w in workers if w.get("employment", "permanent") != "agency" and w["role"] != "nqsw"]
    starters = {w["worker_id"] for w in rng.sample(sorted(permanent, key=lambda w: w["worker_id"]),
                                                   EXPERIENCED_STARTERS)}
    sick = {w["worker_id"] for w in workers if w.get("absence") == "sickness"}
    out = []
    for w in sorted(workers, key=lambda w: w["worker_id"]):
        agency = w.get("employment", "permanent") == "agency"
        nqsw = w["role"] == "nqsw"
        asye = date.fromisoformat(w["asye_start"]) if nqsw and w.get("asye_start") else None
        if asye and asye > CENSUS:
            continue
        fte = f"{float(w['fte']):.6f}"
        if nqsw:
            start, origin = asye or _day(rng, YEAR_START, CENSUS), 1
        elif w["worker_id"] in starters:
            start, origin = _day(rng, YEAR_START, CENSUS), rng.choice((2, 2, 4, 5))
        else:
            start, origin = _day(rng, date(2012, 1, 1), date(2025, 9, 30)), rng.choice((1, 2, 2, 4, 9))
        days = 0.0 if agency else round(rng.choice((0, 0, 0, 1, 2, 3, 4, 6, 9)) + rng.random(), 2)
        if w["worker_id"] in sick:
            days = 42.5
        out.append(_worker([
            ("AgencyWorker", int(agency)), ("SWENo", _swe(rng, used)), ("FTE", fte),
            ("QualInst", None if agency else "Sample University"),
            ("QualLevel", None if agency else rng.choice((1, 2))),
            ("OrgRole", ROLE[w["role"]]), ("RoleStartDate", None if agency else start.isoformat()),
            ("StartOrigin", None if agency else origin), ("FTE30", fte), ("Cases30", held.get(w["worker_id"], 0)),
            ("WorkingDaysLost", None if agency else f"{days:.2f}"),
            ("Absat30Sept", None if agency else int(w["worker_id"] in sick)),
            ("ReasonAbsence", "SIC" if w["worker_id"] in sick else None), ("CFKSSstatus", CFKSS[w["role"]]),
        ]))
    for fte_, role, reason in LEAVERS:
        end = _day(rng, YEAR_START, CENSUS)
        out.append(_worker([
            ("AgencyWorker", 0), ("SWENo", _swe(rng, used)), ("FTE", f"{fte_:.6f}"), ("QualInst", "Sample University"),
            ("QualLevel", rng.choice((1, 2))), ("OrgRole", role),
            ("RoleStartDate", _day(rng, date(2014, 1, 1), date(2024, 9, 30)).isoformat()),
            ("StartOrigin", rng.choice((1, 2, 4))), ("RoleEndDate", end.isoformat()),
            ("LeaverDestination", rng.choice((1, 3, 6))), ("ReasonLeave", reason), ("FTE30", f"{0:.6f}"),
            ("Cases30", 0), ("WorkingDaysLost", f"{round(rng.choice((0, 2, 5, 11)) + rng.random(), 2):.2f}"),
            ("CFKSSstatus", 2),
        ]))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n    <CollectionDetails>\n'
            f"      <Collection>CSWW</Collection>\n      <Year>{CENSUS.year}</Year>\n"
            f"      <ReferenceDate>{CENSUS.isoformat()}</ReferenceDate>\n    </CollectionDetails>\n"
            "    <Source>\n      <SourceLevel>L</SourceLevel>\n      <LEA>999</LEA>\n"
            "      <SoftwareCode>caseload sample</SoftwareCode>\n"
            f"      <DateTime>{CENSUS.isoformat()}T17:00:00</DateTime>\n    </Source>\n  </Header>\n"
            f"  <LALevelVacancies>\n    <NumberOfVacancies>{VACANCIES:.2f}</NumberOfVacancies>\n"
            f"    <NoAgencyFTE>{AGENCY_COVER_FTE:.2f}</NoAgencyFTE>\n"
            f"    <NoAgencyHeadcount>{AGENCY_COVER_HEADCOUNT}</NoAgencyHeadcount>\n  </LALevelVacancies>\n"
            + "".join(out) + "</Message>\n")


def main(argv: list[str] | None = None) -> int:
    """Write the sample council's CSWW census return."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description="Write the sample council's CSWW census return (XML).")
    parser.add_argument("--data", default=os.path.join(here, "sample_data"), help="folder of workers.csv, cases.csv")
    parser.add_argument("--out", help="the return (default: DATA/csww_return.xml)")
    args = parser.parse_args(argv)
    workers = read_rows(os.path.join(args.data, "workers.csv"))
    cases = read_rows(os.path.join(args.data, "cases.csv"))
    out = args.out or os.path.join(args.data, "csww_return.xml")
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(build_return(workers, cases))
    print(f"{len(workers)} workers -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
