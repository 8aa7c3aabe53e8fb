"""``callscope schedule cover`` and ``callscope adherence``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli.app import (
    DbOpt,
    FromOpt,
    OutputOpt,
    SettingsOpt,
    ToOpt,
    app,
    clean,
    duration,
    load,
    say,
)
from callscope.cli.render import number, pct, print_rows

__all__ = ["adherence_cmd", "cover_cmd"]

schedule_app = typer.Typer(
    help="Shift schedules: cover the interval requirement with shifts at the lowest cost.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(schedule_app, name="schedule")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def _kind(fmt: Format, output: Path | None) -> str | None:
    """The file format to write (``None``: print), checked before any work."""
    from callscope.errors import CallscopeError
    from callscope.services.common import check_output_file

    if output is None:
        if fmt in (Format.parquet, Format.xlsx):
            raise CallscopeError(
                f"format {fmt.value} is binary: give --output FILE", field="output"
            )
        return None
    check_output_file(output, "output")
    if fmt is not Format.table:
        return fmt.value
    kind = output.suffix.lstrip(".").lower()
    if kind not in ("csv", "json", "parquet", "xlsx"):
        raise CallscopeError(
            f"cannot tell the file type of {output.name}: end it in .csv, .json, .parquet or "
            ".xlsx, or give --format",
            field="output",
        )
    return kind


@schedule_app.command("cover")
def cover_cmd(
    requirement: Annotated[
        Path,
        typer.Option(
            "--requirement",
            help="CSV of agents needed per interval: interval_start and scheduled_agents, "
            "agents or required (e.g. `callscope staff --format csv` output); rows are "
            "matched to the shifts by time of day.",
            show_default=False,
        ),
    ],
    shifts: Annotated[
        Path,
        typer.Option(
            "--shifts",
            help="Shift templates (.toml: starts, lengths, days, costs, limits, breaks) or a "
            "0/1 coverage matrix (.csv: one row per hour or slot of the day from 00:00, one "
            "column per shift).",
            show_default=False,
        ),
    ],
    costs: Annotated[
        str | None,
        typer.Option(
            "--costs",
            help="Cost of one shift of each template or matrix column, in file order, e.g. "
            "252,288,180 [the file's costs, else paid hours].",
            show_default=False,
        ),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option(
            "--column",
            help="Requirement column of agents [scheduled_agents, else agents, else required].",
            show_default=False,
        ),
    ] = None,
    time_limit: Annotated[
        str | None,
        typer.Option(
            "--time-limit",
            help="Stop the solver after this long and report the gap, e.g. 60s or 5m [60s].",
            show_default=False,
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Draw required against scheduled agents per interval (.png, .svg or .pdf).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            help="table (summary), json (cost, lp_bound, gap, counts, coverage), or the "
            "schedule, one row per shift: csv, parquet, xlsx.",
        ),
    ] = Format.table,
    output: OutputOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """The cheapest shifts (and their breaks) that cover the requirement per interval,
    with the LP bound, the gap and any interval left short."""
    from callscope.services.scheduling import CoverRequest, cover

    s = load(settings)
    kind = _kind(fmt, output)
    limit_s = duration(time_limit, "time_limit_s", bare="s")
    req = CoverRequest(
        requirement=requirement,
        shifts=shifts,
        costs=costs,
        column=column,
        time_limit_s=60.0 if limit_s is None else limit_s,
        chart=chart,
    )
    r = cover(s, req)
    for note in r.notes:
        say(note)
    meta = {k: v for k, v in r.as_dict().items() if k in ("cost", "lp_bound", "gap", "source")}
    if kind == "json" or (fmt is Format.json and output is None):
        import json

        text = json.dumps(clean(r.as_dict()), default=str, indent=2, allow_nan=False) + "\n"
        if output is not None:
            output.write_text(text, encoding="utf-8")
            say(f"wrote the schedule summary to {output}")
        else:
            import sys

            sys.stdout.write(text)
    elif kind is not None or fmt is Format.csv:
        from callscope.export.tables import write_table

        written = write_table(r.schedule, kind or "csv", output, meta, sheet="schedule")
        if output is None:
            import sys

            sys.stdout.write(written or "")
        else:
            say(f"wrote {r.schedule.num_rows:,} shifts to {output}")
    else:
        _print_cover(r)
    if chart is not None:
        say(f"wrote the coverage chart to {chart}")
    if r.result.unmet.size and fmt is not Format.table:
        say(f"{r.result.unmet.size:,} interval(s) left short of the requirement (unmet in JSON)")


def _print_cover(r: Any) -> None:
    res = r.result
    d = r.as_dict()
    rows = [
        {"what": "shifts", "value": number(d["shifts"])},
        {"what": "cost", "value": number(d["cost"], 2)},
        {"what": "objective (cost + weighted short/extra)", "value": number(d["objective"], 2)},
        {"what": "LP bound", "value": number(d["lp_bound"], 2)},
        {"what": "gap to the proven bound", "value": pct(d["gap"], 2)},
        {
            "what": "agent-hours short / extra",
            "value": f"{d['under_agent_hours']:,.1f} / {d['over_agent_hours']:,.1f}",
        },
        {"what": "solver", "value": f"{d['status']}, {d['seconds']:.2f} s"},
    ]
    print_rows(
        rows,
        (("what", "", str), ("value", "", str)),
        title=f"shift cover of {r.source} ({r.requirement_column})",
        left=("what",),
    )
    print_rows(
        [{"shift": k, "count": v} for k, v in d["counts"].items()],
        (("shift", "shift", str), ("count", "shifts", number)),
        left=("shift",),
    )
    if res.required.size <= 48:
        print_rows(
            r.coverage.to_pylist(),
            (
                ("interval_start", "interval", str),
                ("required", "required", lambda v: number(v, 1)),
                ("scheduled", "scheduled", lambda v: number(v, 2)),
                ("under", "short", lambda v: number(v, 2)),
                ("over", "extra", lambda v: number(v, 2)),
            ),
            left=("interval_start",),
        )
    unmet = r.unmet
    if unmet:
        shown = ", ".join(f"{u['interval_start']} ({u['short']:g})" for u in unmet[:12])
        more = f" and {len(unmet) - 12:,} more" if len(unmet) > 12 else ""
        say(f"{len(unmet):,} interval(s) left short (agents missing): {shown}{more}")
    else:
        say("every interval is covered")


_ADH_COLUMNS = (
    ("scheduled_s", "scheduled h", lambda v: number(v / 3600, 1)),
    ("worked_s", "worked h", lambda v: number(v / 3600, 1)),
    ("exception_s", "exceptions h", lambda v: number(v / 3600, 2)),
    ("exceptions", "exceptions", number),
    ("adherence", "adherence", pct),
    ("conformance", "conformance", pct),
    ("planned_shrinkage", "planned shrinkage", pct),
    ("actual_shrinkage", "actual shrinkage", pct),
)


@app.command("adherence")
def adherence_cmd(
    by: Annotated[
        str, typer.Option("--by", help="Group by agent, team and/or day, joined by commas.")
    ] = "agent,day",
    start: FromOpt = None,
    end: ToOpt = None,
    tolerance: Annotated[
        str | None,
        typer.Option(
            "--tolerance",
            help="Out of adherence this long or less is no exception, e.g. 5m "
            "[settings schedule.adherence_tolerance, 5m].",
            show_default=False,
        ),
    ] = None,
    exceptions: Annotated[
        bool,
        typer.Option(
            "--exceptions",
            help="Output the exceptions (late start, early end, long break, unscheduled "
            "aux ...) instead of the grouped figures.",
        ),
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Adherence (Genesys Cloud's definition), conformance, planned and actual shrinkage
    and exceptions of each agent against the schedule in the store."""
    from callscope.services.scheduling import AdherenceRequest, adherence

    s = load(settings, db)
    kind = _kind(fmt, output)
    keys = tuple(k.strip() for k in by.split(",") if k.strip())
    req = AdherenceRequest(
        by=keys,
        start=start,
        end=end,
        tolerance_s=duration(tolerance, "tolerance_s"),
    )
    r = adherence(s, req)
    table = r.exceptions if exceptions else r.table
    meta = {"tolerance_s": r.tolerance_s, "outside_shift_exception": r.outside_shift_exception}
    if kind is not None or fmt is not Format.table:
        from callscope.export.tables import write_table

        text = write_table(table, kind or fmt.value, output, meta)
        if output is None:
            import sys

            sys.stdout.write(text or "")
        else:
            say(f"wrote {table.num_rows:,} rows to {output}")
        return
    tol = f"tolerance {r.tolerance_s / 60:g} min"
    if exceptions:
        print_rows(
            table.to_pylist(),
            (
                ("agent", "agent", str),
                ("kind", "exception", str),
                ("start_ts", "from", lambda v: f"{v:%Y-%m-%d %H:%M}"),
                ("end_ts", "to", lambda v: f"{v:%H:%M}"),
                ("minutes", "minutes", lambda v: number(v, 1)),
                ("activity", "scheduled", lambda v: v or "-"),
                ("reason", "reason", lambda v: v or "-"),
            ),
            title=f"adherence exceptions ({tol})",
            left=("agent", "kind", "activity", "reason"),
        )
        return
    cols: list[Any] = [(k, k, str) for k in keys] + list(_ADH_COLUMNS)
    print_rows(
        table.to_pylist(),
        cols,
        title=f"adherence by {', '.join(keys)} ({tol}; outside-shift work "
        f"{'counts' if r.outside_shift_exception else 'does not count'})",
        left=keys,
    )
