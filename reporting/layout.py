"""The parts of a report: sections of paragraphs, charts and tables, and how cells are formatted.

One `Table` feeds both outputs: the workbook gets every column under its JSON key, so its numbers are
the ones the `--json` outputs print; the HTML shows the columns a reader needs, formatted.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from files import numbers
from policy.bands import BANDS, band_name, percent
from reporting.charts import Chart

# ----------------------------------------------------------------------------- the report's parts


@dataclass(frozen=True)
class Column:
    """`key`: the JSON key and the workbook header (None: an HTML-only column computed from the row).
    `label`: the HTML header ("": left out of the HTML). `fmt`: how the HTML shows the value (or row)."""

    key: str | None
    label: str = ""
    fmt: Callable[[Any], str] | None = None  # takes the cell's value, or (key None) the whole row
    numeric: bool = True


@dataclass
class Table:
    sheet: str  # the workbook sheet's name (unique in a report, at most 31 characters)
    caption: str
    columns: list[Column]
    rows: Sequence[Mapping[str, object]]
    html: bool = True  # False: the workbook only (e.g. every child's row)
    note: str = ""

    def xlsx(self) -> tuple[list[str], list[list[object]]]:
        keys = [c.key for c in self.columns if c.key is not None]
        return keys, [[r.get(k) for k in keys] for r in self.rows]


Block = str | tuple[str, str] | Chart | Table  # a paragraph, ("h3", heading), a chart or a table


@dataclass
class Section:
    id: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    intro: list[str]
    sections: list[Section]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


# ----------------------------------------------------------------------------- formatting


def num(v: float | None, nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.{nd}f}"


def whole(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def pct(v: float | None) -> str:
    return numbers.pct(v, missing="–")


def money(v: float | None) -> str:
    return numbers.money(v, missing="–")


def util_band(util: float | None) -> str:
    """Utilisation with its band in words (colour is never the only signal); marked up for colour."""
    if util is None:  # no capacity: no band
        return "–"
    name = band_name(util)
    return (f'<span class="band band-{name}">{percent(util)} <span class="band-word">{name}</span>'
            f'<span class="visually-hidden"> ({BANDS[name]})</span></span>')


