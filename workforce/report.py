"""Reports people look at: one self-contained HTML file and an .xlsx workbook with the same tables.

A report is a list of sections; a section is a list of blocks (paragraphs, charts, tables). One
`Table` feeds both outputs: the workbook gets every column under its JSON key, so its numbers are
the ones `allocate --json`, `plan --json` and `compare --json` print; the HTML shows the columns a
reader needs, formatted, with the workload band in words as well as colour.

The HTML makes no network request: CSS inline, charts as PNG data URIs, no scripts. It reads on a
phone (fluid layout, tables scroll sideways) and prints to A4 (`@page`, `@media print`).
"""
from __future__ import annotations

import base64
import html
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from allocator.charts import Chart

# ----------------------------------------------------------------------------- the report's parts


@dataclass(frozen=True)
class Column:
    """`key`: the JSON key and the workbook header (None: an HTML-only column computed from the row).
    `label`: the HTML header ("": left out of the HTML). `fmt`: how the HTML shows the value (or row)."""

    key: str | None
    label: str = ""
    fmt: Callable[[Any], str] | None = None
    numeric: bool = True


@dataclass
class Table:
    sheet: str  # the workbook sheet's name (unique in a report, at most 31 characters)
    caption: str
    columns: list[Column]
    rows: list[dict]
    html: bool = True  # False: the workbook only (e.g. every child's row)
    note: str = ""

    def xlsx(self) -> tuple[list[str], list[list]]:
        keys = [c.key for c in self.columns if c.key is not None]
        return keys, [[r.get(k) for k in keys] for r in self.rows]


@dataclass
class Section:
    id: str
    heading: str
    blocks: list = field(default_factory=list)  # str (paragraph), ("h3", text), Chart or Table


@dataclass
class Report:
    title: str
    intro: list[str]
    sections: list[Section]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


# ----------------------------------------------------------------------------- formatting


def num(v, nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.{nd}f}"


def whole(v) -> str:
    return "–" if v is None else f"{v:,.0f}"


def pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def money(v) -> str:
    from .show import money as m
    return "–" if v is None else m(v)


def util_text(util: float) -> str:
    from allocator.show import percent
    return percent(util)


def util_band(util) -> str:
    """Utilisation with its band in words (colour is never the only signal); marked up for colour."""
    from allocator.show import BANDS, band_name
    name = band_name(util)
    if not name:
        return "–"
    return (f'<span class="band band-{name}">{util_text(util)} <span class="band-word">{name}</span>'
            f'<span class="visually-hidden"> ({BANDS[name]})</span></span>')


# ----------------------------------------------------------------------------- allocation


SUMMARY_LABELS = {
    "status": "Solver status", "children": "Children", "kept": "Kept with their worker",
    "moved": "Moved to another worker", "allocated": "Awaiting allocation, now allocated",
    "unallocated": "Left waiting (unallocated)", "over_capacity": "Held over capacity",
    "max_utilisation": "Highest utilisation",
    "mode": "Mode (rebalance, or keep current workers)", "max_moves": "Most moves allowed", "seed": "Seed",
    "workers": "Workers", "components": "Independent groups of teams solved",
    "dropped": "Children with a worker left without one",
    **{f"{p} {k}": f"{p.capitalize()} priority: {'awaiting' if k == 'awaiting' else 'allocated by the plan'}"
       for p in ("high", "medium", "low") for k in ("awaiting", "allocated")},
}


def allocation_section(plan, inputs: str = "") -> Section:
    """The allocation: headline counts, children waiting by priority, every team and worker, every change."""
    from allocator.charts import awaiting_chart, caseload_charts
    from allocator.show import team_totals
    from allocator.write import ALLOCATION_COLUMNS, summary_rows
    s = plan.summary
    workers = plan.worker_rows()
    bp = s["by_priority"]
    waiting_high = bp["high"]["awaiting"] - bp["high"]["allocated"]
    sec = Section("allocation", "Allocation of children to social workers")
    sec.blocks.append(
        f"{s['children']:,} children: {s['kept']:,} stay with their worker, {s['moved']:,} move, "
        f"{s['allocated']:,} awaiting allocation are allocated and {s['unallocated']:,} are left waiting"
        + (f" ({waiting_high} of them high priority)" if waiting_high else "") + "; "
        f"{s['over_capacity']:,} are held by a worker over capacity. The highest utilisation among case-holding "
        f"workers is {util_text(s['max_utilisation'])}. The plan is {s['status']}"
        + (" (proven best by the contract's order)." if s["status"] == "optimal" else " (the best found in the time).")
        + (f" Inputs: {inputs}." if inputs else ""))
    rows = [{"measure": k, "label": SUMMARY_LABELS.get(k, k.replace("_", " ")), "value": v}
            for k, v in summary_rows(s)]
    sec.blocks.append(Table("summary", "Allocation summary (summary.json)", [
        Column("measure"), Column("label", "Measure", str, numeric=False), Column("value"),
        Column(None, "Value", _summary_value)], rows))
    sec.blocks.append(awaiting_chart(bp))
    sec.blocks.append(Table("by_priority", "Children awaiting allocation, by priority", [
        Column("priority", "Priority", str, numeric=False), Column("awaiting", "Awaiting", num),
        Column("allocated", "Allocated by the plan", num), Column("waiting", "Still waiting", num)],
        [{"priority": p, **d, "waiting": d["awaiting"] - d["allocated"]} for p, d in bp.items()]))
    sec.blocks.append(("h3", "Caseload by team"))
    sec.blocks.append("Utilisation is caseload (weighted children) over capacity. Bands: green under 100%, "
                      "amber 100-110%, red over 110%; the band is written beside each figure.")
    teams = team_totals(plan.instance, plan.loads())
    for t in teams:
        t["band"] = _band_name(t["utilisation"])
    sec.blocks.append(Table("teams", "Caseload by team after the plan", [
        Column("team", "Team", str, numeric=False), Column("workers", "Workers", num), Column("fte", "FTE", num),
        Column("capacity", "Capacity", lambda v: num(v, 1)), Column("children", "Children", num),
        Column("awaiting", "Awaiting before the plan", num), Column("load", "Caseload", lambda v: num(v, 1)),
        Column("utilisation", "Utilisation (band)", util_band), Column("band")], teams))
    sec.blocks.extend(caseload_charts(workers))
    for w in workers:
        w["band"] = _band_name(w["utilisation"])
    sec.blocks.append(Table("workers", "Every worker after the plan (workers.csv)", [
        Column("worker_id", "Worker", str, numeric=False), Column("team", "Team", str, numeric=False),
        Column("role", "Role", lambda v: v.replace("_", " "), numeric=False), Column("fte", "FTE", lambda v: num(v, 2)),
        Column("capacity", "Capacity", lambda v: num(v, 1)), Column("children", "Children", num),
        Column("load", "Caseload", lambda v: num(v, 1)), Column("utilisation", "Utilisation (band)", util_band),
        Column("band"), Column("supervisor_id", "Supervisor", lambda v: v or "–", numeric=False),
        Column("nqsw_supervised"), Column("employment", "Employment", str, numeric=False),
        Column("over_capacity_load")], workers))
    order = {"unallocated": 0, "over_capacity": 1, "moved": 2}
    changes = sorted((r for r in plan.rows if r.status in order), key=lambda r: (order[r.status], r.team, r.child_id))
    cols = [Column("child_id", "Child", str, numeric=False), Column("family_id"),
            Column("team", "Team", str, numeric=False),
            Column("status", "Status", lambda v: v.replace("_", " "), numeric=False),
            Column("previous_worker", "Was with", lambda v: v or "–", numeric=False),
            Column("worker_id", "Now with", lambda v: v or "–", numeric=False),
            Column("reason", "Reason", str, numeric=False)]
    sec.blocks.append(("h3", "Children left waiting, held over capacity, or moved"))
    sec.blocks.append(Table("changes", f"Children left waiting, over capacity or moved ({len(changes)})", cols,
                            [{c: getattr(r, c) for c in ALLOCATION_COLUMNS} for r in changes],
                            note="" if changes else "No child is left waiting, held over capacity or moved."))
    sec.blocks.append(Table("allocation", "Every child (allocation.csv)", cols,
                            [{c: getattr(r, c) for c in ALLOCATION_COLUMNS} for r in plan.rows], html=False))
    return sec


def _summary_value(row: dict) -> str:
    v = row["value"]
    if row["measure"] == "max_utilisation":
        return html.escape(util_text(v))
    return html.escape(v if isinstance(v, str) else num(v, 3) if isinstance(v, float) else num(v))


def _band_name(util) -> str:
    from allocator.show import band_name
    return band_name(util)


# ----------------------------------------------------------------------------- workforce plans

YEAR_COLUMNS = [
    Column("scenario", "Scenario", str, numeric=False), Column("year", "Year", str, numeric=False),
    Column("from"), Column("to", "To", str, numeric=False), Column("children", "Children", whole),
    Column("required_fte", "Required FTE", num), Column("available_fte", "Available FTE", num),
    Column("gap_fte", "Gap FTE", lambda v: "–" if v is None else f"{v:+.1f}"), Column("case_holder_fte"),
    Column("nqsw_fte"), Column("agency_fte", "Agency FTE", num), Column("agency_share", "Agency share", pct),
    Column("agency_target_met", "Agency target met", lambda v: "–" if v is None else "yes" if v else "no",
           numeric=False),
    Column("caseload_per_fte"), Column("service_leaders"), Column("service_leaders_needed"),
    Column("staff_cost", "Staff cost", money), Column("agency_cost"), Column("placements", "Placements", whole),
    Column("placement_cost", "Placement cost", money), Column("placement_saving"),
]

BAND_KEYS = (("required_fte", "Required FTE", num), ("gap_fte", "Gap FTE", num),
             ("agency_share", "Agency share", pct), ("cost", "Cost", money))


def years_table(docs: list[dict]) -> Table:
    """Every scenario's years (plan --json `years`), with the scenario's name on each row."""
    rows = [{"scenario": d["scenario"], **y} for d in docs for y in d["years"]]
    return Table("years", "Year by year: figures at each year's end, costs over the year", YEAR_COLUMNS, rows)


def bands_table(docs: list[dict]) -> Table | None:
    """P10 / P50 / P90 by year for the scenarios with [uncertainty], and the chance caseloads exceed the cap."""
    rows = []
    for d in docs:
        u = d.get("uncertainty")
        if not u:
            continue
        for n in range(len(u["p_over_cap"])):
            row = {"scenario": d["scenario"], "year": n + 1, "runs": u["runs"], "seed": u["seed"]}
            for k, _, _ in BAND_KEYS:
                row.update({f"{k}_p{p}": u[k][n][f"p{p}"] for p in u["percentiles"]})
            row["p_over_cap"] = u["p_over_cap"][n]
            rows.append(row)
    if not rows:
        return None
    cols = [Column("scenario", "Scenario", str, numeric=False), Column("year", "Year", str, numeric=False),
            Column("runs"), Column("seed")]
    for k, label, f in BAND_KEYS:
        cols += [Column(f"{k}_p{p}") for p in (10, 50, 90)]
        cols.append(Column(None, f"{label} P10 / P50 / P90",
                           lambda r, k=k, f=f: html.escape(" / ".join(f(r[f"{k}_p{p}"]) for p in (10, 50, 90)))))
    cols.append(Column("p_over_cap", "Chance caseloads exceed the cap", pct))
    return Table("uncertainty", "Uncertainty: P10 / P50 / P90 by year (Monte Carlo)", cols, rows)


def comparison_table(doc: dict) -> Table:
    """The options appraisal, as `compare --json` and `compare --xlsx` give it."""
    from .compare import _fmt, xlsx_sheets
    header, values = xlsx_sheets(doc)["comparison"]
    rows = [dict(zip(header, v)) for v in values]
    names = doc["scenarios"]
    cols = [Column("metric"), Column("label", "Measure", str, numeric=False)]
    for i, n in enumerate(names):
        cols.append(Column(n, ""))
        if i:
            cols.append(Column(f"{n} - {names[0]}", ""))
        cols.append(Column(None, n, lambda r, n=n, i=i: html.escape(_fmt(r["metric"], r[n])) + (
            "" if not i or r[f"{n} - {names[0]}"] is None
            else f' <span class="diff">({html.escape(_fmt(r["metric"], r[f"{n} - {names[0]}"], diff=True))})</span>')))
    return Table("comparison", "Options appraisal: stocks at the end of each horizon, costs over it; "
                 f"differences (in brackets) from '{names[0]}'", cols, rows)


def plan_sections(plans: list) -> list[Section]:
    """One scenario: its answers, charts and tables. Several: the options appraisal, then each option."""
    from .charts import agency_chart, cost_chart, fte_chart
    from .compare import comparison
    from .show import headlines
    docs = [p.doc for p in plans]
    out = []
    if len(plans) > 1:
        doc = comparison(docs)
        sec = Section("options", "Options appraisal")
        sec.blocks.append(f"{len(plans)} options compared with '{doc['first']}': "
                          + "; ".join(f"{d['scenario']} ({d['file']})" for d in docs) + ".")
        sec.blocks.append(comparison_table(doc))
        sec.blocks += [cost_chart(plans), agency_chart(plans)]
        out.append(sec)
    for i, plan in enumerate(plans):
        d = plan.doc
        sec = Section(f"scenario-{i + 1}", d["scenario"] if len(plans) == 1 else f"({i + 1}) {d['scenario']}")
        sec.blocks.append(f"{d['start']} to {d['end']} ({d['horizon_years']} years), from {d['file']}.")
        sec.blocks += [_plain(line) for line in headlines(d)]
        sec.blocks.append(fte_chart(plan))
        out.append(sec)
    if len(plans) == 1:
        out[0].blocks += [agency_chart(plans), cost_chart(plans)]
    tables = Section("years", "Year by year")
    tables.blocks.append(years_table(docs))
    band = bands_table(docs)
    if band:
        tables.blocks.append(band)
    else:
        tables.blocks.append("No scenario gives an [uncertainty] section, so no P10-P90 bands are shown.")
    out.append(tables)
    return out


def _plain(markup: str) -> str:
    """The terminal's headline without its style tags ([bold], [cyan]...); other brackets are kept."""
    return re.sub(r"\[/?(?:bold|dim|italic|red|green|yellow|cyan)\]", "", markup)


# ----------------------------------------------------------------------------- the report


def build_report(allocation=None, plans: list | None = None, inputs: str = "", title: str | None = None) -> Report:
    """A report of an allocation run, a scenario, several scenarios (a comparison), or an allocation and plans."""
    if allocation is None and not plans:
        raise ValueError("a report needs an allocation or at least one scenario")
    sections = []
    if allocation is not None:
        sections.append(allocation_section(allocation, inputs))
    if plans:
        sections += plan_sections(plans)
    if title is None:
        parts = (["Caseload allocation"] if allocation is not None else []) + (
            ["options appraisal" if len(plans) > 1 else f"workforce plan: {plans[0].doc['scenario']}"]
            if plans else [])
        title = " and ".join(parts)
        title = title[0].upper() + title[1:]
    intro = ["Produced by caseload: caseloads are counted in weighted children against a cap per FTE "
             "(see the policy); workload bands are green under 100% of capacity, amber 100-110%, red over 110%."]
    return Report(title, intro, sections)


CSS = """
:root { --fg: #1a1a1a; --muted: #555; --line: #c8c8c8; --head: #f0f0f0; --green: #1b5e20; --amber: #7a4f00;
  --red: #b71c1c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
  background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.75rem; padding-top: 0.5rem; border-top: 3px solid var(--fg); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
p { margin: 0.5rem 0; max-width: 45rem; }
nav ul { padding-left: 1.25rem; }
a { color: #0b4f9c; }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 0.25rem; }
.table-wrap { position: relative; overflow-x: auto; margin: 1rem 0; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: 0.9rem; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; vertical-align: top; }
thead th { background: var(--head); text-align: left; }
tbody th { text-align: left; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.band { font-weight: 600; white-space: nowrap; }
.band-green { color: var(--green); }
.band-amber { color: var(--amber); background: #fff3cd; padding: 0 0.2rem; }
.band-red { color: #fff; background: var(--red); padding: 0 0.2rem; }
.diff { color: var(--muted); font-size: 0.85em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.note { color: var(--muted); }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  main { padding: 0.5rem; }
  table { font-size: 0.8rem; }
}
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  section + section > h2 { break-before: page; page-break-before: always; }
  h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; width: 100%; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  figure img { max-height: 24cm; width: auto; border: none; }
  a { color: inherit; text-decoration: none; }
  .band-red { color: var(--red); background: none; border: 1px solid var(--red); }
}
"""


def render_html(report: Report) -> str:
    """The report as one HTML document: no scripts, no external resources."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="caseload">',
           '<link rel="icon" href="data:,">',
           f"<title>{e(report.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
           f"<h1>{e(report.title)}</h1>"]
    out += [f"<p>{e(p)}</p>" for p in report.intro]
    out.append('<nav aria-labelledby="contents-h"><h2 id="contents-h">Contents</h2><ul>')
    out += [f'<li><a href="#{e(s.id)}">{e(s.heading)}</a></li>' for s in report.sections]
    out.append("</ul></nav>")
    for s in report.sections:
        out.append(f'<section id="{e(s.id)}" aria-labelledby="{e(s.id)}-h">')
        out.append(f'<h2 id="{e(s.id)}-h">{e(s.heading)}</h2>')
        for b in s.blocks:
            if isinstance(b, str):
                out.append(f"<p>{e(b)}</p>")
            elif isinstance(b, tuple):
                out.append(f"<h3>{e(b[1])}</h3>")
            elif isinstance(b, Chart):
                out.append(_figure(b))
            elif isinstance(b, Table) and b.html:
                out.append(_table(b))
        out.append("</section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _figure(c: Chart) -> str:
    w, h = struct.unpack(">II", c.png[16:24])  # the PNG's size (IHDR), so the page does not jump as it loads
    data = base64.b64encode(c.png).decode("ascii")
    e = html.escape
    return (f'<figure id="chart-{e(c.name)}"><img src="data:image/png;base64,{data}" width="{w}" height="{h}" '
            f'alt="{e(c.alt)}"><figcaption>{e(c.title)}</figcaption></figure>')


def _table(t: Table) -> str:
    e = html.escape
    if not t.rows:
        return f'<p class="note">{e(t.note or t.caption + ": none.")}</p>'
    shown = [c for c in t.columns if c.label]
    out = [f'<div class="table-wrap" role="region" aria-label="{e(t.caption)}" tabindex="0">', "<table>",
           f"<caption>{e(t.caption)}</caption>", "<thead><tr>"]
    out += [f'<th scope="col">{e(c.label)}</th>' for c in shown]
    out.append("</tr></thead><tbody>")
    for r in t.rows:
        cells = []
        for i, c in enumerate(shown):
            v = r if c.key is None else r.get(c.key)
            text = _cell(c, v)
            if i == 0:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f'<td class="num">{text}</td>' if c.numeric else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody></table>", "</div>"]
    return "\n".join(out)


SAFE_MARKUP = (util_band,)


def _cell(c: Column, v) -> str:
    """The HTML for one cell: formatted and escaped (formatters that write markup escape their own text)."""
    f = c.fmt or num
    text = f(v)
    if f in SAFE_MARKUP or c.key is None:  # computed cells escape their own text
        return text
    return html.escape(text)


def xlsx_sheets(report: Report) -> dict:
    """The report's tables, one named sheet each (header row = JSON keys)."""
    sheets = {}
    for t in report.tables():
        name = t.sheet[:31]
        k = 2
        while name in sheets:
            name = f"{t.sheet[:28]} {k}"
            k += 1
        sheets[name] = t.xlsx()
    return sheets


REPORT_FILES = ("report.html", "report.xlsx")  # every file a report folder can hold


def report_files(report: Report, stem: str = "report") -> dict[str, bytes]:
    """<stem>.html and <stem>.xlsx, by name."""
    from allocator.files import xlsx_bytes
    return {f"{stem}.html": render_html(report).encode("utf-8"), f"{stem}.xlsx": xlsx_bytes(xlsx_sheets(report))}


def write_report(report: Report, out: str | Path, stem: str = "report") -> list[Path]:
    """Write the report folder OUT (<stem>.html and <stem>.xlsx) as one whole run (allocator.files.publish)."""
    from allocator.files import publish
    files = report_files(report, stem)
    publish(out, files, files, "report")
    return [Path(out) / name for name in files]
