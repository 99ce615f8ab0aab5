"""Build ``sample_data/annex_a.xlsx``: the sample council's children as an Ofsted Annex A workbook.

The workbook is what a council exports for an inspection, mess included, so that `caseload import annex-a`
and `--cases annex_a.xlsx` can be tried on something real-looking:

* lists recognised by headers, not sheet names ("List 6", "L8 - CLA", "Assessments", ...), a cover sheet and a
  contacts list that hold no case, and a title row above one list's header;
* header variants: "Date of Referral", "Age" for "Age of Child (Years)", "(Y/N))", trailing spaces, a
  non-breaking space, curly quotes around 'Missing';
* workers by invented name, some with a non-breaking space, odd case or doubled spaces; children awaiting a
  worker marked ``#N/A``, blank or "Unallocated"; a few rows with the team left blank;
* closed episodes (ended plans, authorised assessments, referrals with no further action, "e) Closed
  episode"), children on several lists, and children whose only episodes are closed;
* dates as Excel date cells on some lists and as dd/mm/yyyy text on others.

Each sample worker gets an invented, clearly fake name (``worker_names``); ``make_sample`` writes them into the
workers file's ``name`` column, and this script adds the column when the file lacks it. Deterministic: the same
sample gives the same workbook, byte for byte.

Usage, from the repository root: ``python -m benchmarks.make_annex_a [--data sample_data] [--out FILE]``
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections.abc import Sequence
from datetime import date, timedelta

from files.write import xlsx_bytes

FIRST = ("Ada", "Basil", "Cora", "Dev", "Edie", "Felix", "Gwen", "Hugo", "Iris", "Jude", "Kit", "Lena", "Milo",
         "Nell", "Otto", "Pia", "Quin", "Rosa", "Sol", "Tess", "Uma", "Vik", "Wren", "Xavi", "Yara", "Zeb")
LAST = ("Example", "Sample", "Placeholder", "Testwell", "Mockford", "Dummyson", "Fakeley", "Madeup", "Notreal",
        "Fictitious", "Inventa", "Pretendo")
ADVISOR_LAST = ("Guidewell", "Pathfinder", "Waymark", "Signpost")  # personal advisors: not social workers
NBSP = "\u00a0"
EXPORTED = date(2026, 11, 2)  # the day the sample council exported its lists
CLOSED_ONLY = 12  # invented children whose every episode has ended

AGE = "Age of Child (Years)"
START = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", AGE]
ALLOCATED = ["Allocated Team", "Allocated Worker"]
DISABILITY = "Does the Child have a Disability"
UASC_8 = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"
UASC_9 = "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"
MISSING = "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
HEADERS = {  # each list's header as the template writes it; rows are keyed by these
    1: [*START, "Date of Contact", "Contact Source"],
    3: [*START, "Date of referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months",
        *ALLOCATED],
    4: [*START, DISABILITY, "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?", *ALLOCATED],
    5: [*START, DISABILITY, "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months", *ALLOCATED],
    6: [*START, DISABILITY, "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen", "CIN Closure Date",
        "Reason for Closure", "Case Status", *ALLOCATED],
    7: [*START, DISABILITY, "Child Protection Plan Start Date", "Initial Category of Abuse",
        "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
        "Date of latest review conference", "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans", *ALLOCATED],
    8: [*START, UASC_8, DISABILITY, "Date Started to be Looked After", "Child's Category of Need",
        "Start date of current legal status", "Child's Legal Status", "Date of Last Social Work Visit",
        "Number of Placements in the Last 12 months", "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After", MISSING, *ALLOCATED],
    9: [*START, UASC_9, DISABILITY, *ALLOCATED, "Allocated Personal Advisor", "Eligibility Category",
        "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact"],
}
MESSY = {  # headers as the sample's export writes them: the variants and typos real files have
    3: {"Date of referral": "Date of Referral", AGE: AGE + " "},
    6: {"Gender": "Gender   "},
    7: {"Allocated Worker": f"Allocated{NBSP}Worker"},
    8: {UASC_8: UASC_8 + ")", "Child's Legal Status": "Child\u2019s Legal Status",
        MISSING: MISSING.replace("'", "\u2018", 1).replace("'", "\u2019", 1)},
    9: {AGE: "Age"},
}
SHEETS = {1: "List 1", 3: "List 3", 4: "Assessments", 5: "L5", 6: "List 6", 7: "L7 CP", 8: "L8 - CLA",
          9: "Care leavers"}
TITLED = {5: "List 5: Section 47 enquiries, sample council (every child and name invented)"}
TEXT_DATES = (3, 9)  # lists whose dates are dd/mm/yyyy text; list 6 mixes both; the rest are Excel date cells
AGES = {"care_leaver": (18, 21), "lac": (1, 17), "cp": (0, 15), "cin": (0, 17), "assessment": (0, 17)}

Row = dict[str, object]  # one list row: header -> cell


def worker_names(worker_ids: Sequence[str]) -> dict[str, str]:
    """Invented, clearly fake names, one a worker, unique: the same ids always get the same names."""
    names: dict[str, str] = {}
    for i, wid in enumerate(sorted(worker_ids)):
        name = f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}"
        if name in names.values():  # after 156 workers: a middle initial keeps them apart
            name = f"{FIRST[i % len(FIRST)]} {chr(65 + i // 156)}. {LAST[i % len(LAST)]}"
        names[wid] = name
    return names


def read_rows(path: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


class Export:
    """The workbook's rows, list by list, made child by child from the sample with a seeded random source."""

    def __init__(self, workers: list[dict[str, str]]) -> None:
        self.rng = random.Random(2026)
        self.names = {w["worker_id"]: w["name"] for w in workers}
        self.teams = {w["worker_id"]: w["team"] for w in workers}
        self.lists: dict[int, list[Row]] = {n: [] for n in HEADERS}
        self.awaiting = 0

    def person(self, child_id: str, category: str) -> Row:
        low, high = AGES[category]
        born = EXPORTED - timedelta(days=self.rng.randint(low * 365 + 1, high * 365 + 300))
        return {"Child Unique ID": child_id, "Gender": self.rng.choice(("a) Male", "b) Female")),
                "Ethnicity": self.rng.choice(("a) WBRI", "d) WOTH", "f) MWBC", "j) AIND", "o) BAFR", "q) CHNE")),
                "Date of Birth": born, AGE: (EXPORTED - born).days // 365, DISABILITY: "b) No"}

    def allocated(self, case: dict[str, str], i: int) -> Row:
        """Allocated Team and Worker as the export writes them: names with stray spacing, marks of no worker."""
        wid = case["current_worker"]
        team: str | None = case["team"] + (NBSP if i % 31 == 4 else "")
        if not wid:
            self.awaiting += 1
            mark = ("#N/A", "", "Unallocated", "#N/A", "", "UNALLOCATED ")[self.awaiting % 6]
            return {"Allocated Team": team, "Allocated Worker": mark or None}
        name = self.names[wid]
        if i % 11 == 3:
            name = name.replace(" ", NBSP, 1)
        elif i % 13 == 5:
            name = name.upper()
        elif i % 17 == 7:
            name = name.replace(" ", "  ")
        if i % 29 == 0 and self.teams[wid] == case["team"]:
            team = None  # blank: the worker's team is the child's
        return {"Allocated Team": team, "Allocated Worker": name}

    def add(self, number: int, base: Row, cells: Row) -> None:
        self.lists[number].append({**base, **cells})

    def day(self, back_from: int, back_to: int) -> date:
        return EXPORTED - timedelta(days=self.rng.randint(back_from, back_to))

    def child(self, case: dict[str, str], i: int) -> None:
        """The child's rows on every list its case is on, open and closed."""
        category = case["category"]
        base = {**self.person(case["child_id"], category), **self.allocated(case, i)}
        {"cp": self.cp, "lac": self.lac, "care_leaver": self.care_leaver, "cin": self.cin,
         "assessment": self.assessment}[category](case, base, i)
        if not case["current_worker"] and category in ("cin", "cp"):  # referred, not yet allocated
            self.referral(base)

    def referral(self, base: Row, nfa: bool = False) -> date:
        referred = self.day(3, 75)
        self.add(3, base, {"Date of referral": referred, "Referral Source": "q) 6: Police",
                           "Referral NFA?": "a) Yes" if nfa else "b) No",
                           "Number of Referrals in Last 12 Months": self.rng.randint(1, 3)})
        return referred

    def cin_row(self, base: Row, status: str, closed: date | None = None) -> None:
        self.add(6, base, {"CIN Start Date": self.day(60, 700), "Primary Need Code": "N1 - Abuse or neglect",
                           "Date Child Was Last Seen": self.day(1, 40), "CIN Closure Date": closed,
                           "Reason for Closure": "RC7 - Services ceased" if closed else None, "Case Status": status})

    def cp_row(self, base: Row, ended: date | None = None) -> None:
        self.add(7, base, {"Child Protection Plan Start Date": self.day(120, 500) if ended else self.day(20, 400),
                           "Initial Category of Abuse": "a) Neglect", "Latest Category of Abuse": "a) Neglect",
                           "Date of the Last Statutory Visit": self.day(1, 20), "Was the Child Seen Alone?": "a) Yes",
                           "Child Protection Plan End Date": ended, "Number of Previous Child Protection Plans": 0,
                           "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
                           "Months (Y/N)": "N"})

    def assessment_row(self, base: Row, authorised: date | None = None) -> None:
        self.add(4, base, {"Continuous Assessment Start Date": self.day(5, 40) if not authorised else
                           self.day(200, 400), "Child Seen During Continuous Assessment": "a) Yes",
                           "Continuous Assessment Date of Authorisation": authorised})

    def s47_row(self, base: Row) -> None:
        self.add(5, base, {"Strategy discussion initiating Section 47 Enquiry Start Date": self.day(20, 150),
                           "Number of Section 47 Enquiries in the last 12 months": 1,
                           "Number of ICPCs in the last 12 months": 0})

    def cp(self, case: dict[str, str], base: Row, i: int) -> None:
        self.cp_row(base)
        self.cin_row(base, "b) Child Protection plan")
        if i % 4 == 0:
            self.s47_row(base)
        if i % 6 == 1:
            self.assessment_row(base, authorised=self.day(150, 300))

    def lac(self, case: dict[str, str], base: Row, i: int) -> None:
        legal = ("a) Interim care orders" if case["court"] == "yes"
                 else self.rng.choice(("b) Full care orders", "h) Accommodated under section 20")))
        self.add(8, base, {UASC_8: "Y" if "uasc" in case["required_skill"] else "N",
                           "Date Started to be Looked After": self.day(60, 1500),
                           "Child's Category of Need": "N1 - Abuse or neglect",
                           "Start date of current legal status": self.day(30, 400), "Child's Legal Status": legal,
                           "Date of Last Social Work Visit": self.day(1, 40),
                           "Number of Placements in the Last 12 months": self.rng.randint(1, 3), MISSING: 0})
        if i % 2:
            self.cin_row(base, "a) Looked after child")

    def care_leaver(self, case: dict[str, str], base: Row, i: int) -> None:
        advisor = f"{FIRST[(i * 7) % len(FIRST)]} {ADVISOR_LAST[i % len(ADVISOR_LAST)]}"
        self.add(9, base, {UASC_9: "Y" if "uasc" in case["required_skill"] else "N",
                           "Allocated Personal Advisor": advisor, "Eligibility Category": "b) Former relevant child",
                           "Latest Pathway Plan Review Date": self.day(10, 150), "LA in Touch": "a) Yes",
                           "Latest Date of Contact": self.day(1, 60)})

    def cin(self, case: dict[str, str], base: Row, i: int) -> None:
        self.cin_row(base, "c) Child in need plan")
        if i % 5 == 2:
            self.cp_row(base, ended=self.day(30, 110))  # stepped down from a CP plan

    def assessment(self, case: dict[str, str], base: Row, i: int) -> None:
        self.assessment_row(base)
        self.referral(base)
        if i % 3 == 0:
            self.s47_row(base)

    def closed_only(self, k: int, team: str) -> None:
        """A child whose every episode has ended: on the lists, on nobody's caseload."""
        base = {**self.person(f"C{9001 + k}", "cin"), "Allocated Team": team,
                "Allocated Worker": "Lee Leftearly" if k % 2 else "#N/A"}  # a worker who has left
        ended = self.day(5, 120)
        if k % 5 == 0:
            self.cin_row(base, "e) Closed episode", ended)
        elif k % 5 == 1:
            self.cp_row(base, ended=ended)
        elif k % 5 == 2:
            self.assessment_row(base, authorised=ended)
        elif k % 5 == 3:
            self.referral(base, nfa=True)
        else:
            self.add(8, base, {"Date Started to be Looked After": self.day(400, 900),
                               "Child's Legal Status": "b) Full care orders", "Date Ceased to be Looked After": ended,
                               "Reason Ceased to be Looked After": "e) E4A: Returned home"})

    def contacts(self, cases: list[dict[str, str]]) -> None:
        for case in cases[::40]:
            self.add(1, self.person(case["child_id"], case["category"]),
                     {"Date of Contact": self.day(1, 150), "Contact Source": "e) 2A: Schools"})


def _cell(v: object, number: int, j: int) -> object:
    """Dates as the export writes them: text on some lists (and every other row of list 6), else date cells."""
    if isinstance(v, date) and (number in TEXT_DATES or (number == 6 and j % 2)):
        return v.strftime("%d/%m/%Y")
    return v


def build_workbook(workers: list[dict[str, str]], cases: list[dict[str, str]]) -> bytes:
    """The sample council's Annex A workbook, as bytes."""
    export = Export(workers)
    ordered = sorted(cases, key=lambda c: c["child_id"])
    for i, case in enumerate(ordered):
        export.child(case, i)
    teams = sorted({c["team"] for c in cases})
    for k in range(CLOSED_ONLY):
        export.closed_only(k, teams[k % len(teams)])
    export.contacts(ordered)
    sheets: dict[str, tuple[Sequence[str], list[list[object]]]] = {
        "Cover": (["Ofsted Annex A: children's social care lists"],
                  [["Sample council: every child and every name is invented"],
                   [f"Exported {EXPORTED.strftime('%d/%m/%Y')}"]])}
    for number, title in SHEETS.items():
        header = [MESSY.get(number, {}).get(h, h) for h in HEADERS[number]]
        rows = sorted(export.lists[number], key=lambda r: str(r["Child Unique ID"]))
        body = [[_cell(r.get(h), number, j) for h in HEADERS[number]] for j, r in enumerate(rows)]
        if number in TITLED:  # a title row above the header
            titled: list[list[object]] = [[*header], *body]
            sheets[title] = ([TITLED[number]] + [""] * (len(header) - 1), titled)
        else:
            sheets[title] = (header, body)
    return xlsx_bytes(sheets)


def add_names(workers: list[dict[str, str]]) -> list[dict[str, str]]:
    """The workers with their invented names in `name`."""
    names = worker_names([w["worker_id"] for w in workers])
    return [{**w, "name": names[w["worker_id"]]} for w in workers]


def main(argv: list[str] | None = None) -> int:
    """Write the sample's Annex A workbook (and the workers' names, if the workers file has none)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description="Write the sample council's Annex A workbook.")
    parser.add_argument("--data", default=os.path.join(here, "sample_data"), help="folder of workers.csv, cases.csv")
    parser.add_argument("--out", help="the workbook (default: DATA/annex_a.xlsx)")
    args = parser.parse_args(argv)
    wcols, workers = read_rows(os.path.join(args.data, "workers.csv"))
    _, cases = read_rows(os.path.join(args.data, "cases.csv"))
    if "name" not in wcols:
        workers = add_names(workers)
        with open(os.path.join(args.data, "workers.csv"), "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, [*wcols, "name"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(workers)
        print(f"names added to {os.path.join(args.data, 'workers.csv')}")
    out = args.out or os.path.join(args.data, "annex_a.xlsx")
    with open(out, "wb") as fh:
        fh.write(build_workbook(workers, cases))
    print(f"{len(cases)} children -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
