"""Which contract column each header cell of a workers or cases file is, and which columns are not used.

Exports name their columns their own way ("Allocated Worker", "Child Unique ID", "WTE"). A header cell is
read as a contract column when it is

1. the header the policy's `[columns]` table gives for that column (`current_worker = "Allocated SW"`),
2. the column's contract name, or
3. one of the spellings in SPELLINGS below,

in that order, and only for the columns the reader knows (allocator/inputs.py's WORKER_COLUMNS and
CASE_COLUMNS), so a column added there is read by its name at once and by its spellings once they are listed
here. Headers are compared by their letters and digits only, case-folded, after Unicode compatibility folding
(a non-breaking space is a space): "Child Unique ID", "child_unique_id" and "CHILD-UNIQUE-ID" are one header.

A column read by a spelling or the policy is told in a note, and so is every column that is not used: nothing
in a file is dropped without a word. Two headers read as one column is an error naming both.
"""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .problems import Problem

# Header spellings seen in council exports and returns, by table and contract column: our own list, written
# from the public Annex A template, the CSWW and SSDA903 returns and case-management exports. A contract
# name needs no entry ("Worker ID", "FTE", "Awaiting Since" are worker_id, fte, awaiting_since already), and
# no spelling may stand for two columns of one table (tests/test_columns.py checks both). Every column the
# contract names is listed, so the policy's [columns] table can name it.
SPELLINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "workers": {
        "worker_id": ("Staff ID", "Staff Number", "Employee ID", "Employee Number", "Payroll Number",
                      "SWE Number", "SWE No", "SWE Registration Number", "Social Work England Number", "SW ID"),
        "team": ("Team Name", "Worker Team"),
        "role": ("Job Title", "Job Role", "Post Title"),
        "fte": ("Contracted FTE", "WTE", "Whole Time Equivalent", "Full Time Equivalent"),
        "employment": ("Employment Type", "Contract Type", "Employment Status"),
        "skills": ("Skill", "Skill Tags"),
        "asye_start": ("ASYE Start Date",),
        "supervisor_id": ("ASYE Supervisor ID", "Supervisor Staff ID"),
        "extra_teams": ("Additional Teams", "Other Teams"),
        "max_children": ("Max Caseload", "Maximum Caseload", "Caseload Cap", "Personal Cap"),
        "accepting": ("Accepting New Cases", "Taking New Cases", "Open to New Cases"),
        "absent_from": ("Absence Start", "Absence Start Date", "Absent Since"),
        "absent_until": ("Absence End", "Absence End Date", "Expected Return Date", "Return Date"),
        "absence": ("Absence Reason", "Absence Type", "Reason for Absence"),
        "name": ("Worker Name", "Full Name", "Staff Name", "Social Worker Name"),
    },
    "cases": {
        "child_id": ("Child Unique ID", "Child Unique Identifier", "Person ID", "LCS ID", "Child Reference",
                     "Child Ref", "Child Reference Number"),
        "team": ("Allocated Team", "Team Name", "Case Team"),
        "category": ("Case Category", "Child Category"),
        "family_id": ("Family Identifier", "Sibling Group", "Sibling Group ID", "Family Reference"),
        "priority": ("Risk", "Risk Level", "RAG", "RAG Rating", "Priority Level"),
        "court": ("Court Proceedings", "In Proceedings", "Care Proceedings"),
        "required_skill": ("Required Skills", "Skills Required"),
        "current_worker": ("Allocated Worker", "Allocated Worker ID", "Allocated Social Worker", "Allocated SW",
                           "Worker ID", "Key Worker", "Lead Worker", "Current Worker ID", "SW ID"),
        "weight": ("Case Weight", "Case Weighting", "Weighting"),
        "fixed_worker": (),
        "avoid_workers": ("Avoid Worker", "Workers to Avoid"),
        "awaiting_since": ("Date of Referral", "Referral Date", "Waiting Since", "Awaiting Allocation Since"),
    },
}

# The columns the policy's [columns] table may name: every contract column, workers' first.
CONTRACT_COLUMNS = tuple(dict.fromkeys(c for table in SPELLINGS.values() for c in table))


def header_key(cell: str) -> str:
    """A header as compared: compatibility-folded, case-folded, letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", cell).casefold() if ch.isalnum())


@dataclass(frozen=True)
class Header:
    """How one table's header row was read: each cell's contract column, and how it was found."""

    file: str  # the file as messages name it
    row: int  # the header's spreadsheet row
    table: str  # "workers" or "cases"
    known: tuple[str, ...]  # the columns the reader uses
    cells: tuple[str, ...]  # the header cells as written (spacing made single)
    columns: tuple[str, ...]  # each cell's contract column; "" when the column is not used
    how: tuple[str, ...]  # each cell: "name", "spelling", "policy", or "" when not used
    ignored: tuple[str, ...] = ()  # the columns not used, as written

    def header_of(self, column: str) -> tuple[str, str] | None:
        """The header cell read as `column` and how it was found, or None when the file has none."""
        return next(((c, h) for c, col, h in zip(self.cells, self.columns, self.how, strict=True) if col == column),
                    None)

    def notes(self) -> list[str]:
        """One line a column read by another name or not used, in the header's order."""
        out = []
        for cell, col, how in zip(self.cells, self.columns, self.how, strict=True):
            if how == "spelling":
                out.append(f"{self.file}: column '{cell}' read as {col}")
            elif how == "policy":
                out.append(f"{self.file}: column '{cell}' read as {col} (the policy's [columns])")
        for cell in self.ignored:
            out.append(f"{self.file}: column '{cell}' is not used (ignored){self._hint(cell)}")
        return out

    def _close(self, cell: str) -> str | None:
        """The column the file lacks that a header not used is close to (a typo), if any."""
        free = {header_key(c): c for c in self.known if c not in self.columns}
        close = difflib.get_close_matches(header_key(cell), list(free), n=1, cutoff=0.8)
        return free[close[0]] if close else None

    def _hint(self, cell: str) -> str:
        col = self._close(cell)
        return f"; did you mean {col}? rename the header, or map it in the policy's [columns]" if col else ""

    def typos(self) -> list[Problem]:
        """A warning for each header not used that looks like a typo of a column the file lacks: without it a
        column such as current_worker is silently empty, and every child would be read as awaiting."""
        return [Problem(self.file, 1, cell, f"is not used, so its values are not read; did you mean {col}? "
                        "rename the header, or map it in the policy's [columns]", "warning")
                for cell in self.ignored if (col := self._close(cell))]


def read_header(file: str, row: int, cells: Sequence[str], table: str, known: Sequence[str],
                local: Mapping[str, str]) -> tuple[Header, list[Problem]]:
    """Each header cell's contract column, and the problems: two cells read as one column.

    `local` is the policy's [columns] table (contract column -> header); it applies to the known columns only.
    """
    lookup: dict[str, tuple[str, str]] = {}
    for col in known:
        for spelling in SPELLINGS.get(table, {}).get(col, ()):
            lookup.setdefault(header_key(spelling), (col, "spelling"))
    lookup.update({header_key(col): (col, "name") for col in known})
    lookup.update({header_key(h): (col, "policy") for col, h in local.items() if col in known and header_key(h)})
    shown = tuple(" ".join(c.split()) for c in cells)
    found = [lookup.get(header_key(c), ("", "")) if header_key(c) else ("", "") for c in shown]
    header = Header(file, row, table, tuple(known), shown, tuple(c for c, _ in found), tuple(h for _, h in found),
                    tuple(c for c, (col, _) in zip(shown, found, strict=True) if c and not col))
    return header, _twice(header)


def _twice(header: Header) -> list[Problem]:
    """Two or more header cells read as one column: an error at the header naming them all."""
    cells_of: dict[str, list[str]] = {}
    for cell, col in zip(header.cells, header.columns, strict=True):
        if col:
            cells_of.setdefault(col, []).append(cell)
    problems = []
    for col, cells in cells_of.items():
        if len(cells) < 2:
            continue
        if len({header_key(c) for c in cells}) == 1:
            message = "column appears twice; keep one"
        else:
            named = ", ".join(f"'{c}'" for c in cells[:-1]) + f" and '{cells[-1]}'"
            message = (f"columns {named} are {'both' if len(cells) == 2 else 'all'} read as {col}; keep one of "
                       "them: delete the other, or rename it so that it is not read as a column of the contract")
        problems.append(Problem(header.file, header.row, col, message))
    return problems


def unmatched(local: Mapping[str, str], headers: Iterable[Header]) -> list[Problem]:
    """A warning for each [columns] header found in no file that has that column."""
    headers = list(headers)
    problems = []
    for col, wanted in local.items():
        holders = [h for h in headers if col in h.known]
        if not holders or any(header_key(wanted) in map(header_key, h.cells) for h in holders):
            continue
        first = holders[0]
        cells = [c for c in first.cells if c]
        close = difflib.get_close_matches(wanted, cells, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(Problem(first.file, first.row, col, f"the policy's [columns] reads a column headed "
                                f"'{wanted}' as {col}, but the file has no such column; {hint}check the header "
                                "in the policy against the file's", "warning"))
    return problems


def ignored_columns(headers: Iterable[Header]) -> dict[str, tuple[str, ...]]:
    """summary.json's ignored_columns: {file: columns not used}, for the files that have any."""
    return {h.file: h.ignored for h in headers if h.ignored}
