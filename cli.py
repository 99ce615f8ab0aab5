"""`caseload`: the click commands, thin: parse, call, print.

Heavy libraries (OR-Tools, pandas, numpy, matplotlib) are imported inside the
commands that need them, so `caseload --help` stays fast.
"""
from __future__ import annotations

import contextlib
import datetime
import functools
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypedDict, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from allocator.decisions import Decision
    from allocator.inputs import Loaded
    from allocator.plan import Plan as Allocation
    from files.problems import Problem
    from workforce.results import Plan

P = ParamSpec("P")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # told (what, done, total) as work goes on

__version__ = "0.1.0"
HERE = Path(__file__).resolve().parent
RUN_STARTED = time.perf_counter()


def _console(stderr: bool = False) -> Console:
    from rich.console import Console
    return Console(stderr=stderr, highlight=False)


def handled(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn bad input into exit 2 (one line a problem) and surprises into exit 1."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from files.problems import ValidationError
        ctx = click.get_current_context()
        debug = (ctx.find_root().params or {}).get("debug", False)
        try:
            return fn(*args, **kwargs)
        except ValidationError as e:
            from rich.markup import escape
            err = _console(stderr=True)
            for p in e.problems:  # user text (ids, values, file names) may hold [brackets]: never markup
                err.print(f"[red]error[/red]: {escape(str(p))}", markup=True, highlight=False, soft_wrap=True)
            err.print(f"{len(e.problems)} problem{'s' if len(e.problems) != 1 else ''} found; nothing was written.")
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("caseload: interrupted; nothing was written", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if debug:
                raise
            click.echo(f"caseload: unexpected failure: {type(e).__name__}: {e} (run with --debug for details)",
                       err=True)
            sys.exit(1)
    return wrapper


@contextlib.contextmanager
def writing(target: str | Path, what: str) -> Iterator[None]:
    """An output that cannot be written (no such folder, no permission, disk full) is a usage problem: exit 2."""
    from files.problems import Problem, ValidationError
    try:
        yield
    except OSError as e:
        raise ValidationError([Problem(str(target), message=f"cannot write the {what}: {e.strerror or e}")]) from None


BASELINE_HEAD = b"# Baseline workforce scenario:"  # the first line of every scenario `caseload baseline` writes


class OutputCheck(TypedDict, total=False):
    """check_writable's keywords for one kind of output: `owned` for a folder, `own_file` for a file."""

    owned: tuple[str, ...]
    own_file: Callable[[Path], bool]


def _outputs(what: str) -> OutputCheck:
    """How each kind of output is checked: a folder by the files it may replace, a file by what it may replace."""
    from allocator.write import PLAN_FILES
    from files.write import is_caseload_workbook
    from reporting.page import REPORT_FILES
    from workforce.write import PROJECTION_FILES
    checks: dict[str, OutputCheck] = {"plan": {"owned": PLAN_FILES}, "projection": {"owned": PROJECTION_FILES},
            "report": {"owned": REPORT_FILES},
            "demo": {"owned": (*(f"{week}/{n}" for week in ("last_week", "allocation") for n in PLAN_FILES),
                               *REPORT_FILES)},
            "comparison": {"own_file": lambda p: is_caseload_workbook(p, "comparison")},
            "scenario": {"own_file": _is_baseline}}
    return checks[what]


def _is_baseline(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(BASELINE_HEAD)) == BASELINE_HEAD


def _check_out(out: str, what: str, *inputs: tuple[str, str | None], scenarios: Iterable[str] = ()) -> None:
    """Refuse now, before reading or solving, an output that cannot or must not be written (exit 2).

    `inputs`: (what it is, path) of each file the command reads; each scenario's [from] files count too.
    """
    import tomllib

    from files.write import check_writable
    found: list[tuple[str, str | Path | None]] = [i for i in inputs if i[1]] + _overlay_inputs()
    for s in scenarios:
        found.append(("scenario", s))
        try:
            source = tomllib.loads(Path(s).read_text(encoding="utf-8-sig")).get("from")
        except (OSError, ValueError):
            continue  # reading the scenario reports it
        for key in ("workers", "cases"):
            if isinstance(source, dict) and isinstance(source.get(key), str):
                found.append((f"{key} file of {Path(s).name}", str(Path(s).parent / source[key])))
    check_writable(out, what, found, **_outputs(what))


def emit_json(doc: object) -> None:
    from files.write import json_text
    click.echo(json_text(doc), nl=False)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Progress | None]:
    """A progress callback `(what, done, total)` drawing a bar per `what` on stderr (the solve's teams, each
    scenario's Monte Carlo draws); None when quiet or when stderr is not a terminal (so pipes, logs and
    `--json` output stay clean)."""
    if quiet or not _stderr_is_terminal():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True, force_terminal=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def tell(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield tell


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="caseload")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected failures.")
def main(debug: bool) -> None:
    """Caseload allocation and workforce planning for children's social care.

    Allocate children to social workers within a cap of 15 per FTE, and plan the
    workforce (FTE, NQSW intakes, agency, costs) needed to hold it.
    """
    global RUN_STARTED
    RUN_STARTED = time.perf_counter()  # a time limit counts from here: reading and writing included


workers_opt = click.option("--workers", "workers", required=True, type=click.Path(dir_okay=False),
                           help="Workers file (CSV or .xlsx).")
cases_opt = click.option("--cases", "cases", required=True, type=click.Path(dir_okay=False),
                         help="Cases file, one row per child (CSV or .xlsx).")
policy_opt = click.option("--policy", "policy", type=click.Path(dir_okay=False),
                          help="Policy TOML (defaults: CONTRACT.md).")
quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress display.")


def _remember_as_of(ctx: click.Context, param: click.Parameter, value: datetime.datetime | None) -> None:
    from files.read import DATE_MAX, DATE_MIN
    if value is not None and not DATE_MIN <= value.date() <= DATE_MAX:
        raise click.BadParameter(f"{value.date().isoformat()} is outside {DATE_MIN.isoformat()} to "
                                 f"{DATE_MAX.isoformat()}; check the year")
    ctx.meta["as_of"] = value.date() if value else None


as_of_opt = click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), expose_value=False, callback=_remember_as_of,
                         help="The plan date, YYYY-MM-DD (default: the policy's as_of, else today): absences, "
                              "days waiting.")


def _remember(key: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    """A callback keeping an option's value in the context, for _load and _solve (the command never sees it)."""
    def remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        ctx.meta[key] = value
    return remember


decisions_opt = click.option("--decisions", type=click.Path(dir_okay=False), expose_value=False,
                             callback=_remember("decisions"),
                             help="The manager's standing decisions (child_id, fixed_worker, avoid_workers, until; "
                                  "CSV or .xlsx), laid over the cases file.")
previous_opt = click.option("--previous", type=click.Path(file_okay=False), expose_value=False,
                            callback=_remember("previous"),
                            help="Last week's plan folder: say what changed since (summary.json's changes).")


def _meta() -> dict:
    """The options a command keeps in its context (--as-of, --decisions, --previous); none outside a command."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta if ctx is not None else {}


def _overlay_inputs() -> list[tuple[str, str | Path | None]]:
    """The files --decisions and --previous name: inputs, which no output may replace."""
    meta = _meta()
    found: list[tuple[str, str | Path | None]] = [("decisions file", meta.get("decisions")),
                                                  ("previous plan", meta.get("previous"))]
    return [f for f in found if f[1]]


def _read_overlays(errors: list[Problem]) -> tuple[Decision, ...] | None:
    """Read --decisions and --previous with the other inputs (their problems join `errors`): the decisions, and
    the previous plan kept in the context for _solve."""
    from allocator.changes import read_previous
    from allocator.decisions import read_decisions
    from files.problems import ValidationError
    meta = _meta()
    decisions = None
    try:
        decisions = read_decisions(meta["decisions"]) if meta.get("decisions") else None
    except ValidationError as e:
        errors += e.problems
    try:
        meta["previous_plan"] = read_previous(meta["previous"]) if meta.get("previous") else None
    except ValidationError as e:
        errors += e.problems
    return decisions


def _load(workers: str, cases: str, policy: str | None) -> Loaded:
    from allocator.inputs import load_with_policy
    errors: list[Problem] = []
    decisions = _read_overlays(errors)
    loaded = load_with_policy(workers, cases, policy, _meta().get("as_of"), errors)
    if decisions is not None:  # laid over the export on the plan date (--as-of, the policy's as_of, else today)
        from allocator.decisions import lay_over
        loaded = lay_over(loaded, decisions)
    return loaded


def _print_warnings(loaded: Loaded, console: Console) -> None:
    from rich.markup import escape
    for note in loaded.notes:
        console.print(f"[cyan]note[/cyan]: {escape(str(note))}", soft_wrap=True)
    for w in loaded.warnings:
        console.print(f"[yellow]warning[/yellow]: {escape(str(w))}", soft_wrap=True)


@main.command()
@workers_opt
@cases_opt
@policy_opt
@as_of_opt
@decisions_opt
@handled
def validate(workers: str, cases: str, policy: str | None) -> None:
    """Check the inputs: every problem with file, row and column."""
    from allocator.plan import current_loads, team_rows
    from allocator.show import team_table
    loaded = _load(workers, cases, policy)
    console = _console()
    _print_warnings(loaded, console)
    console.print(team_table(team_rows(loaded.instance, current_loads(loaded.instance))))
    n = len(loaded.warnings)
    nw, nc = len(loaded.instance.workers), len(loaded.instance.children)
    console.print(f"[green]valid[/green]: {nw} worker{'s' if nw != 1 else ''}, {nc} child{'ren' if nc != 1 else ''}"
                  + (f", {n} warning{'s' if n != 1 else ''}" if n else ""))


@main.command()
@workers_opt
@cases_opt
@policy_opt
@as_of_opt
@decisions_opt
@previous_opt
@click.option("--out", "out", type=click.Path(file_okay=False), default="allocation", show_default=True,
              help="Folder for allocation.csv, workers.csv, summary.json.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json on stdout and nothing else.")
@click.option("--keep-current", is_flag=True, help="Allocate only children awaiting allocation; move nobody.")
@click.option("--max-moves", type=click.IntRange(min=0), help="At most this many children change worker.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True,
              help="xlsx also writes allocation.xlsx with the same tables.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds; overrides the policy.")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), help="Overrides the policy's seed (0 to 2147483647).")
@quiet_opt
@handled
def allocate(workers: str, cases: str, policy: str | None, out: str, as_json: bool, keep_current: bool,
             max_moves: int | None, fmt: str, time_limit: float | None, seed: int | None, quiet: bool) -> None:
    """Allocate children to workers: the best plan by the contract's order, with reasons."""
    from allocator.show import print_plan
    from allocator.write import write_plan
    _check_out(out, "plan", ("workers file", workers), ("cases file", cases), ("policy", policy))
    loaded = _load(workers, cases, policy)
    console = _console(stderr=as_json)
    if not as_json:
        _print_warnings(loaded, console)
    plan = _solve(loaded, quiet or as_json, keep_current=keep_current, max_moves=max_moves, time_limit=time_limit,
                  seed=seed)
    with writing(out, "plan"):
        write_plan(plan, out, xlsx=(fmt == "xlsx"))
    if as_json:
        emit_json(plan.summary.to_json())
    else:
        print_plan(plan, console)
        console.print(f"Plan written to {out}/")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Write the monthly projection (CSV and .xlsx) here.")
@click.option("--json", "as_json", is_flag=True, help="Print the projection as JSON on stdout and nothing else.")
@quiet_opt
@handled
def plan(scenario: str, out: str | None, as_json: bool, quiet: bool) -> None:
    """Workforce projection for one scenario: FTE, NQSWs, agency, costs, payback."""
    from workforce.plan import make_plan
    from workforce.scenario import load_scenario
    from workforce.show import print_plan
    from workforce.write import write_projection
    if out:
        _check_out(out, "projection", scenarios=[scenario])
    loaded = load_scenario(scenario)
    with _progress(quiet) as progress:
        result = make_plan(loaded, progress=progress)
    if out:
        with writing(out, "projection"):
            write_projection(result, out)
    if as_json:
        emit_json(result.to_json())
        return
    console = _console()
    print_plan(result, console)
    if out:
        console.print(f"Monthly projection written to {out}/ (projection.csv, projection.xlsx)")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON on stdout and nothing else.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), help="Also write the table to this .xlsx file.")
@quiet_opt
@handled
def compare(scenarios: tuple[str, ...], as_json: bool, xlsx: str | None, quiet: bool) -> None:
    """Scenarios side by side (options appraisal)."""
    from workforce.compare import comparison, load_plans, print_comparison, write_comparison_xlsx
    if xlsx:
        _check_out(xlsx, "comparison", scenarios=scenarios)
    with _progress(quiet) as progress:
        doc = comparison(load_plans(scenarios, progress))
    if xlsx:
        with writing(xlsx, "comparison"):
            write_comparison_xlsx(doc, xlsx)
    if as_json:
        emit_json(doc.to_json())
        return
    console = _console()
    print_comparison(doc, console)
    if xlsx:
        console.print(f"Comparison written to {xlsx}")


@main.command()
@click.option("--dfe", "dfe", type=click.Path(dir_okay=False), help="DfE CSWW indicators CSV (with --la).")
@click.option("--csww", "csww", type=click.Path(dir_okay=False),
              help="The council's own worker-level CSWW census return (XML), instead of --dfe.")
@click.option("--la", "la", help="Council name (or a region, or England); with --csww, the name to call it.")
@click.option("--year", "year", type=int, help="Year (default: the latest in the file; --dfe only).")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the scenario here (default: stdout).")
@handled
def baseline(dfe: str | None, csww: str | None, la: str | None, year: int | None, out: str | None) -> None:
    """Write a scenario TOML from the DfE's children's social work workforce statistics (--dfe CSV --la NAME),
    or from the council's own CSWW census return (--csww RETURN.xml).

    Notes (suppressed figures and what was assumed) go to stderr; the TOML to --out or stdout.
    """
    from rich.text import Text

    from files.write import publish
    if (dfe is None) == (csww is None):
        raise click.UsageError("give one of --dfe CSV (with --la) or --csww RETURN.xml")
    if dfe is not None and not la:
        raise click.UsageError("--dfe needs --la: the council, region or England to take from the file")
    if csww is not None and year is not None:
        raise click.UsageError("--year goes with --dfe; a CSWW return holds one census year")
    if out:
        _check_out(out, "scenario", ("DfE file", dfe) if dfe else ("CSWW return", csww))
    if csww is not None:
        from workforce.csww import baseline_from_return
        b = baseline_from_return(csww, la)
    else:
        from workforce.baseline import baseline as build
        assert dfe is not None and la is not None
        b = build(dfe, la, year)
    err = _console(stderr=True)
    for note in b.notes:
        err.print(Text.assemble(("note", "cyan"), f": {note}"), soft_wrap=True)
    if not out:
        click.echo(b.toml, nl=False)
        return
    with writing(out, "scenario"):
        publish(out, b.toml.encode("utf-8"), what="scenario")
    err.print(Text(f"Scenario written to {out}: {b.scenario['name']}"), soft_wrap=True)


@main.command()
@click.option("--dfe", "dfe", required=True, type=click.Path(dir_okay=False), help="DfE CSWW indicators CSV.")
@click.option("--from", "origin", required=True, type=int, help="Forecast from this year, using data up to it only.")
@click.option("--to", "target", required=True, type=int, help="Score the forecasts against this later year.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON on stdout and nothing else.")
@handled
def backtest(dfe: str, origin: int, target: int, as_json: bool) -> None:
    """Forecast every council's cases from one year and score them against what happened (and "no change")."""
    from rich.table import Table

    from workforce.backtest import backtest as run
    result = run(dfe, origin, target)
    if as_json:
        emit_json(result.to_json())
        return
    table = Table(title=f"Cases: forecast from {origin} for {target}")
    for col in ("council", f"{origin}", "forecast", "P10", "P90", f"actual {target}", "error", "method"):
        table.add_column(col, justify="left" if col in ("council", "method") else "right")
    for c in result.by_council:
        table.add_row(c.la_name, f"{c.start:,.0f}", f"{c.forecast:,.0f}", f"{c.p10:,.0f}", f"{c.p90:,.0f}",
                      f"{c.actual:,.0f}", f"{c.ape:.0%}" + ("" if c.inside else " *"), c.method)
    console = _console()
    console.print(table)
    console.print("* the actual fell outside P10-P90", markup=False)
    if result.skipped:
        console.print(f"{len(result.skipped)} councils skipped (no cases in {origin} or {target}: new, merged or "
                      f"renamed): {', '.join(sorted(result.skipped))}", markup=False, soft_wrap=True)
    console.print(f"Method: {result.calibration.method}, chosen on {result.calibration.scored_on}",
                  markup=False, soft_wrap=True)
    console.print(result.summary(), markup=False, soft_wrap=True)


@main.group("import")
def import_group() -> None:
    """Read a council's own export as a cases file."""


@import_group.command("annex-a")
@click.argument("workbook", type=click.Path(dir_okay=False))
@workers_opt
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the cases CSV here (default: stdout).")
@handled
def import_annex_a(workbook: str, workers: str, out: str | None) -> None:
    """An Ofsted Annex A workbook (.xlsx) to a cases CSV: one row per child with an open case.

    Lists are recognised by their headers. Allocated Worker names are matched to the workers file's name
    column and never printed. Notes (each mapping decision, counted) go to stderr; the CSV to --out or stdout.
    --cases of validate, allocate and report also takes the workbook itself.
    """
    from rich.text import Text

    from allocator.annex_a import import_workbook
    from files.write import check_writable, publish
    if out:
        check_writable(out, "cases file", [("Annex A workbook", workbook), ("workers file", workers)])
    csv, read = import_workbook(workbook, workers)
    err = _console(stderr=True)
    for note in read.notes:
        err.print(Text.assemble(("note", "cyan"), f": {note}"), soft_wrap=True)
    if not out:
        click.echo(csv, nl=False)
        return
    with writing(out, "cases file"):
        publish(out, csv.encode("utf-8"), what="cases file")
    err.print(Text(f"Cases written to {out}: {len(read.rows)} children"), soft_wrap=True)


@main.command()
@click.argument("scenarios", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--workers", "workers", type=click.Path(dir_okay=False),
              help="Workers file: report an allocation run.")
@click.option("--cases", "cases", type=click.Path(dir_okay=False), help="Cases file (with --workers).")
@policy_opt
@as_of_opt
@decisions_opt
@previous_opt
@click.option("--out", "out", type=click.Path(file_okay=False), default="report", show_default=True,
              help="Folder for report.html and report.xlsx.")
@click.option("--title", "title", help="The report's title (default: from what it covers).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds; overrides the policy.")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), help="Overrides the policy's seed (0 to 2147483647).")
@quiet_opt
@handled
def report(scenarios: tuple[str, ...], workers: str | None, cases: str | None, policy: str | None, out: str,
           title: str | None, time_limit: float | None, seed: int | None, quiet: bool) -> None:
    """Write OUT/report.html (one self-contained page: charts, tables) and OUT/report.xlsx (the same tables).

    \b
    caseload report --workers W.csv --cases C.csv [--policy P.toml]   an allocation run
    caseload report SCENARIO.toml                                   one workforce scenario
    caseload report S1.toml S2.toml ...                             options appraisal (first = baseline)
    Scenarios and --workers/--cases together give one report of both.
    """
    if not scenarios and not (workers or cases):
        raise click.UsageError("give scenario files, or --workers and --cases, or both")
    if bool(workers) != bool(cases):
        raise click.UsageError("--workers and --cases go together")
    if policy and not workers:
        raise click.UsageError("--policy goes with --workers and --cases (a scenario carries its own [policy])")
    meta = click.get_current_context().meta
    if (meta.get("decisions") or meta.get("previous")) and not workers:
        raise click.UsageError("--decisions and --previous go with --workers and --cases")
    _check_out(out, "report", ("workers file", workers), ("cases file", cases), ("policy", policy),
               scenarios=scenarios)
    console = _console()
    allocation: Allocation | None = None
    inputs = ""
    if workers and cases:  # given together (checked above)
        loaded = _load(workers, cases, policy)
        _print_warnings(loaded, console)
        allocation = _solve(loaded, quiet, time_limit=time_limit, seed=seed)
        inputs = ", ".join(Path(f).name for f in (workers, cases, policy) if f)
    _write_report(console, out, allocation, _plans(scenarios, quiet), inputs, title)


def _solve(loaded: Loaded, quiet: bool, *, keep_current: bool = False, max_moves: int | None = None,
           time_limit: float | None = None, seed: int | None = None) -> Allocation:
    from allocator.solve import Options
    from allocator.solve import allocate as run
    with _progress(quiet) as progress:
        options = Options(keep_current=keep_current, max_moves=max_moves, time_limit=time_limit, seed=seed,
                          progress=progress, started=RUN_STARTED)
        plan = run(loaded.instance, options, tuple(str(w) for w in loaded.warnings))
    previous = _meta().get("previous_plan")  # --previous, read by _load
    if previous is None:
        return plan
    from allocator.changes import with_changes
    return with_changes(plan, previous)


def _plans(scenarios: Sequence[str], quiet: bool) -> list[Plan]:
    from workforce.compare import load_plans
    if not scenarios:
        return []
    with _progress(quiet) as progress:
        return load_plans(scenarios, progress)


def _write_report(console: Console, out: str, allocation: Allocation | None, plans: list[Plan], inputs: str = "",
                  title: str | None = None, demo: bool = False, last_week: Allocation | None = None) -> None:
    """Write the report folder OUT as one whole run; for the demo, with the plan in OUT/allocation/."""
    from files.write import publish
    from reporting.page import build_report, report_files
    files = report_files(build_report(allocation, plans, inputs=inputs, title=title))
    paths = [Path(out) / name for name in files]
    what = "demo" if demo else "report"
    if demo and allocation is not None:  # the demo always has this week's plan, and last week's
        from allocator.write import plan_files
        files.update({f"allocation/{name}": data for name, data in plan_files(allocation, xlsx=True).items()})
        if last_week is not None:
            files.update({f"last_week/{name}": data for name, data in plan_files(last_week).items()})
    with writing(out, what):
        publish(out, files, _outputs(what)["owned"], what)
    if demo:
        console.print(f"Plan written to {Path(out) / 'allocation'}/")
    console.print(f"Report written to {paths[0]} and {paths[1]}", soft_wrap=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but 127.0.0.1 lets other computers reach children's data.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--data", type=click.Path(file_okay=False),
              help="Folder for uploads, plans and decisions (default: caseload in your data folder; made 0700).")
@handled
def serve(host: str, port: int, data: str | None) -> None:
    """The allocation meeting in a local web page: upload, solve, decide, accept, download.

    Needs the web extra: pip install 'caseload[web]'.
    """
    try:
        import flask  # noqa: F401 - only to say what to install
    except ImportError:
        click.echo("caseload serve needs Flask: pip install 'caseload[web]'", err=True)
        sys.exit(2)
    from web.serve import run
    run(host, port, Path(data) if data else None, echo=click.echo)


@main.command()
@click.option("--out", "out", type=click.Path(file_okay=False), default="demo", show_default=True)
@quiet_opt
@handled
def demo(out: str, quiet: bool) -> None:
    """Run the weekly allocation meeting on sample_data/, then the options appraisal, and report.

    \b
    Last week (16 November 2026): the plan from the cases in the Ofsted Annex A workbook
    (annex_a.xlsx), written to OUT/last_week/. This week (23 November): one worker off sick until
    February and one on a week's leave, the manager's standing decisions (decisions.csv), and what
    changed since last week: OUT/allocation/. Then the sample scenarios
    side by side, and one report of both: OUT/report.html and OUT/report.xlsx.
    """
    from allocator.changes import previous_of, with_changes
    from allocator.show import print_plan
    from workforce.compare import comparison, comparison_table
    sample = _sample_dir()
    workers, cases, policy, annex, decisions = (str(sample / n) for n in (
        "workers.csv", "cases.csv", "policy.toml", "annex_a.xlsx", "decisions.csv"))
    first = sample / "scenarios" / "status_quo.toml"
    scenarios = [str(p) for p in [first] + sorted(p for p in (sample / "scenarios").glob("*.toml") if p != first)]
    _check_out(out, "demo", *(("sample file", f) for f in (workers, cases, policy, annex, decisions)),
               scenarios=scenarios)
    console, meta = _console(), _meta()
    console.rule("last week's meeting (16 November 2026): the plan from the Annex A export")
    meta["as_of"] = DEMO_WEEKS[0]
    last_week = _solve(_load(workers, annex, policy), quiet=True)
    console.print(f"last week: {last_week.summary.allocated} allocated, {last_week.summary.unallocated} waiting")
    console.rule("this week (23 November): Annex A in, an absence, standing decisions, what changed")
    meta.update(as_of=DEMO_WEEKS[1], decisions=decisions)
    loaded = _carried_out(_load(workers, annex, policy), last_week)
    _print_warnings(loaded, console)
    allocation = with_changes(_solve(loaded, quiet), previous_of(last_week, "last_week"))
    print_plan(allocation, console)
    console.rule("options appraisal: sample scenarios")
    plans = _plans(scenarios, quiet)
    console.print(comparison_table(comparison(plans)))
    _write_report(console, out, allocation, plans, inputs="sample_data/: workers.csv, annex_a.xlsx, decisions.csv, "
                  "policy.toml; last week's plan", demo=True, last_week=last_week)


DEMO_WEEKS = (datetime.date(2026, 11, 16), datetime.date(2026, 11, 23))  # the demo's two Mondays


def _carried_out(loaded: Loaded, plan: Allocation) -> Loaded:
    """This week's export as it would read once last week's plan was carried out: each child with the
    worker that plan gave them (the demo has one workbook for both weeks)."""
    from allocator.carry import carried_out
    return carried_out(loaded, plan.worker_of)


def _sample_dir() -> Path:
    for base in (Path.cwd(), HERE):
        if (base / "sample_data" / "workers.csv").exists():
            return base / "sample_data"
    raise click.UsageError("sample_data/ not found; run from the project folder (or install with pip install -e .)")


if __name__ == "__main__":
    main()
