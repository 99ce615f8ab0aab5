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
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from files.write import Chart as XlsxChart
from files.write import Sheet as XlsxSheet
from reporting.charts import Chart
from reporting.layout import Column, Report, Section, Table, num, util_band

if TYPE_CHECKING:
    from allocator.plan import Plan as Allocation
    from workforce.results import Plan


def build_report(allocation: Allocation | None = None, plans: list[Plan] | None = None, inputs: str = "",
                 title: str | None = None) -> Report:
    """A report of an allocation run, a scenario, several scenarios (a comparison), or an allocation and plans."""
    if allocation is None and not plans:
        raise ValueError("a report needs an allocation or at least one scenario")
    sections: list[Section] = []
    if allocation is not None:
        from reporting.allocation import allocation_section
        sections.append(allocation_section(allocation, inputs))
    if plans:
        from reporting.workforce import plan_sections
        sections += plan_sections(plans)
    if title is None:
        parts = (["Caseload allocation"] if allocation is not None else []) + (
            ["options appraisal" if len(plans) > 1 else f"workforce plan: {plans[0].name}"]
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


def _cell(c: Column, v: object) -> str:
    """The HTML for one cell: formatted and escaped (formatters that write markup escape their own text)."""
    f: Callable[[Any], str] = c.fmt or num  # a column without a formatter holds numbers
    text = f(v)
    if f in SAFE_MARKUP or c.key is None:  # computed cells escape their own text
        return text
    return html.escape(text)


def xlsx_sheets(report: Report) -> dict[str, XlsxSheet]:
    """The report's tables, one named sheet each (header row = JSON keys), with charts beside some."""
    sheets: dict[str, XlsxSheet] = {}
    for t in report.tables():
        name = t.sheet[:31]
        k = 2
        while name in sheets:
            name = f"{t.sheet[:28]} {k}"
            k += 1
        sheets[name] = _xlsx_sheet(*t.xlsx())
    return sheets


def _xlsx_sheet(header: list[str], rows: list[list[object]]) -> XlsxSheet:
    """A table as a sheet: metric or measure rows formatted by their name; team utilisation as bars, and
    a line per scenario by year, drawn beside the table."""
    charts = []
    if header[:1] == ["team"] and "utilisation" in header:
        charts.append(XlsxChart("Utilisation by team", ("utilisation",), x="team", kind="bar",
                                y_title="caseload / capacity"))
    if header[:2] == ["scenario", "year"]:
        charts += [XlsxChart(title, (col,), x="year", by="scenario", y_title=y_title)
                   for title, col, y_title in (("Caseload per FTE by year", "caseload_per_fte", "children per FTE"),
                                               ("Agency share by year", "agency_share", ""),
                                               ("Staff cost by year", "staff_cost", ""))
                   if col in header]
    row_names = header[0] if header[:1] in (["metric"], ["measure"]) else None
    return XlsxSheet(header, rows, charts=charts, row_names=row_names)


REPORT_FILES = ("report.html", "report.xlsx")  # every file a report folder can hold


def report_files(report: Report, stem: str = "report") -> dict[str, bytes]:
    """<stem>.html and <stem>.xlsx, by name."""
    from files.write import xlsx_bytes
    return {f"{stem}.html": render_html(report).encode("utf-8"), f"{stem}.xlsx": xlsx_bytes(xlsx_sheets(report))}
