"""Charts of an allocation for people who read pictures: caseload against capacity, children waiting.

Rendered offline with matplotlib's Agg backend to PNG bytes, byte-for-byte repeatable (no
timestamps or software tag in the file). Matplotlib is imported inside the functions, so
importing this module costs nothing. Colour is never the only signal: the bands are also
hatched and written beside each bar.
"""
from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Probation's workload bands (policy/bands.py): colour, hatch for print and colour blindness.
BAND_STYLE = {"green": ("#2e7d32", ""), "amber": ("#f9a825", "//"), "red": ("#c62828", "xx")}
WIDTH_IN = 8.0  # inches at DPI: 800 px wide, fits a report column and an A4 page
DPI = 100


@dataclass(frozen=True)
class Chart:
    """One rendered chart: an id, a title, words that say what it shows (alt text), and the PNG."""

    name: str
    title: str
    alt: str
    png: bytes


class _NoFindfont(logging.Filter):
    """Drops matplotlib's "findfont: ..." log lines (a font family it looked for and did not find)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("findfont")


@contextlib.contextmanager
def quiet_fonts() -> Iterator[None]:
    """Draw without matplotlib's font chatter on stderr.

    Ids, team and scenario names may hold characters no installed font has (an emoji, say).
    Matplotlib draws those as an empty box either way; what this silences is only its "Glyph ... missing
    from font(s)" warnings and its logged "findfont: ..." lines, which would otherwise land on the
    user's terminal (between the tool's own output) once per chart. Usable as a decorator.
    """
    font_log = logging.getLogger("matplotlib.font_manager")
    quiet = _NoFindfont()
    font_log.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
            yield
    finally:
        font_log.removeFilter(quiet)


def pyplot() -> ModuleType:
    """matplotlib.pyplot on the Agg backend, with settings that make the same figure give the same bytes."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    matplotlib.rcParams.update({
        "svg.hashsalt": "caseload", "font.family": "DejaVu Sans", "font.size": 10,
        "axes.spines.top": False, "axes.spines.right": False, "hatch.linewidth": 0.8,
        # ids and names are drawn as written: "W$1$" is not TeX (and "$\x$" would stop the report)
        "text.parse_math": False,
    })
    return plt


@quiet_fonts()
def render(fig: Figure) -> bytes:
    """The figure as PNG bytes (no metadata, so no dates and no version), then closed."""
    plt = pyplot()
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight",
                    pad_inches=0.15)
    finally:
        plt.close(fig)
    return buf.getvalue()


def slug(text: str) -> str:
    """A name for ids and file names: lower-case letters and digits, joined by single hyphens."""
    import re
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"
