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
from dataclasses import dataclass

# Probation's workload bands (allocator.show.band_name): colour, hatch for print and colour blindness.
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
def quiet_fonts():
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


def pyplot():
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
def render(fig) -> bytes:
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


@quiet_fonts()
def caseload_charts(worker_rows: list[dict]) -> list[Chart]:
    """One chart a team: each case-holding worker's caseload (weighted children) against capacity, banded."""
    teams = sorted({w["team"] for w in worker_rows})
    return [_team_chart(team, [w for w in worker_rows if w["team"] == team]) for team in teams]


def _team_chart(team: str, workers: list[dict]) -> Chart:
    from .show import BANDS, band_name, percent
    plt = pyplot()
    from matplotlib.patches import Patch
    workers = sorted(workers, key=lambda w: w["worker_id"], reverse=True)  # first id at the top
    n = len(workers)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.2 + 0.32 * n))
    top = max([w["capacity"] for w in workers] + [w["load"] for w in workers] + [1.0])
    counts = {"green": 0, "amber": 0, "red": 0}
    for i, w in enumerate(workers):
        util = w["utilisation"]
        name = band_name(util) or "green"
        counts[name] += bool(band_name(util))
        colour, hatch = BAND_STYLE[name]
        ax.barh(i, w["load"], color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.5, height=0.7)
        ax.plot([w["capacity"], w["capacity"]], [i - 0.45, i + 0.45], color="black", linewidth=2)
        label = f"{w['load']:g} / {w['capacity']:g}"
        if util is not None:
            label += f"  {percent(util)} {name}"
        ax.text(max(w["load"], w["capacity"]) + top * 0.01, i, label, va="center", fontsize=8)
    ax.set_yticks(range(n), [f"{w['worker_id']} ({_role(w['role'])})" for w in workers], fontsize=8)
    ax.set_xlim(0, top * 1.3)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("caseload (weighted children); black tick = capacity")
    ax.set_title(f"{team}: caseload against capacity", pad=24)
    handles = [Patch(facecolor=BAND_STYLE[b][0], hatch=BAND_STYLE[b][1], edgecolor="#333333",
                     label=f"{b} ({BANDS[b]})") for b in ("green", "amber", "red")]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    util = [w["utilisation"] for w in workers if w["utilisation"] is not None]
    alt = (f"Bar chart, {team}: caseload against capacity for {n} worker{'s' if n != 1 else ''}. "
           f"{counts['green']} green (under 100%), {counts['amber']} amber (100-110%), {counts['red']} red "
           f"(over 110%)" + (f"; highest utilisation {percent(max(util))}." if util else "."))
    return Chart(f"caseload-{slug(team)}", f"{team}: caseload against capacity", alt, render(fig))


def _role(role: str) -> str:
    return {"social_worker": "SW", "nqsw": "NQSW", "senior_social_worker": "senior SW",
            "consultant_social_worker": "consultant SW", "service_leader": "team manager"}.get(role, role)


@quiet_fonts()
def awaiting_chart(by_priority: dict) -> Chart:
    """Children awaiting allocation by priority: how many the plan allocates and how many still wait."""
    plt = pyplot()
    prios = ("high", "medium", "low")
    allocated = [by_priority[p]["allocated"] for p in prios]
    waiting = [by_priority[p]["awaiting"] - by_priority[p]["allocated"] for p in prios]
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.2))
    y = range(len(prios))
    ax.barh(y, allocated, color="#1565c0", edgecolor="#333333", linewidth=0.5, label="allocated by the plan")
    ax.barh(y, waiting, left=allocated, color="#e0e0e0", hatch="..", edgecolor="#333333", linewidth=0.5,
            label="still waiting")
    top = max([a + w for a, w in zip(allocated, waiting)] + [1])
    for i, (a, w) in enumerate(zip(allocated, waiting)):
        ax.text(a + w + top * 0.01, i, f"{a} allocated, {w} waiting", va="center", fontsize=9)
    ax.set_yticks(list(y), [f"{p} priority" for p in prios])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel("children awaiting allocation")
    ax.set_title("Children awaiting allocation, by priority")
    ax.legend(loc="lower right", fontsize=8)
    alt = "Bar chart: children awaiting allocation by priority. " + "; ".join(
        f"{p}: {a} of {a + w} allocated, {w} still waiting" for p, a, w in zip(prios, allocated, waiting)) + "."
    return Chart("awaiting", "Children awaiting allocation, by priority", alt, render(fig))
