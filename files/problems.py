"""Problems found in a user's files, carried to the CLI as one line each (exit 2)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input: where it is and what to do about it."""

    file: str
    row: int | None = None  # spreadsheet row: the header is row 1
    column: str | None = None
    message: str = ""
    severity: str = "error"  # "error" stops the run; "warning" is printed only

    def __str__(self) -> str:
        toml = self.file.lower().endswith(".toml")  # a TOML file has lines and keys, not rows and columns
        where = [self.file]
        if self.row is not None:
            where.append(f"{'line' if toml else 'row'} {self.row}")
        if self.column:
            where.append(f"{'key' if toml else 'column'} '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ValidationError(Exception):
    """Raised at the edge with every problem found in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_order)  # one workbook read twice: say it once
        super().__init__("\n".join(str(p) for p in self.problems))


def _order(p: Problem) -> tuple[str, int, str, str]:
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.message)
