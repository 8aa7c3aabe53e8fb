"""``callscope kpi``, ``callscope agent-report`` and ``callscope report``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli import app as a
from callscope.cli.app import (
    DbOpt,
    EngineOpt,
    FromOpt,
    IntervalOpt,
    OutputOpt,
    PresetOpt,
    SettingsOpt,
    SlThresholdOpt,
    ToOpt,
    app,
    console,
    say,
)

__all__ = ["agent_report_cmd", "kpi_cmd", "report_cmd"]


class KpiFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def _print_kpis(table: Any, keys: tuple[str, ...], caption: str) -> None:
    from rich.table import Table

    from callscope.services.kpi import format_kpi, kpi_title

    t = Table()
    for c in table.column_names:
        head = c if c in keys else kpi_title(c)
        t.add_column(a.text(head), justify="left" if c in keys else "right")
    for row in table.to_pylist():
        # a comparison has one KPI per row: its presets' values take that KPI's unit
        name = row.get("kpi") if "kpi" in keys else None
        t.add_row(
            *[a.text(format_kpi(name if name and c not in keys else c, v)) for c, v in row.items()]
        )
    console.print(t)
    console.print(a.text(caption, "dim"), highlight=False)


def _emit(table: Any, fmt: KpiFormat, output: Path | None, meta: dict[str, Any]) -> None:
    """Write ``table`` to ``output`` or stdout in ``fmt`` (not ``table``)."""
    from callscope.export.tables import write_table

    text = write_table(table, fmt.value, output, meta, sheet="kpis")
    if text is not None:
        sys.stdout.write(text)
    else:
        say(f"wrote {table.num_rows:,} rows to {output}")


@app.command("kpi")
def kpi_cmd(
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="Group keys: month, week, day, interval, queue, channel, agent, team, "
            "weekday (1 = Monday), hour (comma-separated); empty for totals.",
        ),
    ] = "",
    start: FromOpt = None,
    end: ToOpt = None,
    interval: IntervalOpt = None,
    sl_threshold: SlThresholdOpt = None,
    short_abandon: Annotated[
        str | None,
        typer.Option(
            "--short-abandon",
            help="Abandons this fast are short abandons, e.g. 5s [settings, 5 s].",
            show_default=False,
        ),
    ] = None,
    sl_variant: Annotated[
        str | None,
        typer.Option(
            "--sl-variant",
            help="offered | short-abandon-excluded | answered | abandons-neutral | "
            "removed-within-threshold | answered-plus-abandoned [preset's].",
            show_default=False,
        ),
    ] = None,
    fcr_window: Annotated[
        str | None,
        typer.Option(
            "--fcr-window",
            help="FCR repeat window, e.g. 7d or 48h [settings, 7d].",
            show_default=False,
        ),
    ] = None,
    preset: PresetOpt = None,
    compare: Annotated[
        bool,
        typer.Option("--compare-presets", help="The KPIs under every vendor preset side by side."),
    ] = False,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="KPI columns to keep (comma-separated); the table shows the main ones.",
            show_default=False,
        ),
    ] = None,
    engine: EngineOpt = "duckdb",
    fmt: Annotated[KpiFormat, typer.Option("--format", help="Output format.")] = KpiFormat.table,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Contact-center KPIs (KPIS.md) by time, queue, channel, agent or team."""
    from callscope.services.common import check_output_file
    from callscope.services.kpi import KpiRequest, compare_presets, kpi, table_columns

    s = a.load(settings, db)
    if output is not None:
        check_output_file(output, "output")
    elif fmt in (KpiFormat.parquet, KpiFormat.xlsx):
        from callscope.errors import CallscopeError

        raise CallscopeError(f"{fmt.value} is a binary format: give --output FILE", field="output")
    req = KpiRequest(
        by=tuple(k.strip() for k in by.split(",") if k.strip()),
        start=start,
        end=end,
        engine=engine,
        interval_s=a.duration(interval, "interval_s"),
        sl_threshold_s=a.duration(sl_threshold, "sl_threshold_s", bare="s"),
        short_abandon_s=a.duration(short_abandon, "short_abandon_s", bare="s"),
        sl_variant=sl_variant,
        fcr_window_s=a.duration(fcr_window, "fcr_window_s"),
        preset=preset,
        columns=tuple(c.strip() for c in columns.split(",") if c.strip()) if columns else None,
    )
    if compare:
        cmp = compare_presets(s, req)
        if fmt is KpiFormat.table:
            _print_kpis(cmp.table, cmp.keys, cmp.caption)
            for name, p in cmp.params.items():
                a.console.print(
                    a.text(
                        f"  {name}: sl_variant={p['sl_variant']}, "
                        f"occupancy={p['occupancy_variant']}, "
                        f"abandon rate excludes short={p['abandon_rate_excludes_short']}"
                    ),
                    highlight=False,
                )
            return
        _emit(cmp.table, fmt, output, {"presets": cmp.params})
        return
    res = kpi(s, req)
    if fmt is KpiFormat.table:
        table = table_columns(res) if req.columns is None else res.table
        if table.num_rows == 0:
            from callscope.errors import CallscopeError

            raise CallscopeError(
                f"no contacts from {start or 'the start of the data'} to {end or 'its end'}; "
                "widen the period",
                field="start",
            )
        _print_kpis(table, res.keys, res.caption)
        return
    say(f"# {res.caption}")
    _emit(res.table, fmt, output, res.meta)


class AgentFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("agent-report")
def agent_report_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    preset: PresetOpt = None,
    aht_target: Annotated[
        str | None,
        typer.Option(
            "--aht-target", help="AHT target, e.g. 300s or 5m [settings].", show_default=False
        ),
    ] = None,
    utilization_target: Annotated[
        str | None,
        typer.Option(
            "--utilization-target",
            help="Utilization target, e.g. 75% [settings].",
            show_default=False,
        ),
    ] = None,
    engine: EngineOpt = "duckdb",
    fmt: Annotated[
        AgentFormat, typer.Option("--format", help="Output format.")
    ] = AgentFormat.table,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Per-agent indicators and a total row, each target marked ok / near / miss."""
    from callscope.services.kpi import AgentReportRequest, agent_report, agent_table

    s = a.load(settings, db)
    req = AgentReportRequest(
        start=start,
        end=end,
        engine=engine,
        preset=preset,
        aht_target_s=a.duration(aht_target, "aht_target_s", bare="s"),
        utilization_target=a.share(utilization_target, "utilization_target"),
    )
    rep = agent_report(s, req)
    if fmt is AgentFormat.table:
        from rich.table import Table

        cols, rows = agent_table(rep)
        colors = {"met": "green", "near": "yellow", "missed": "red"}
        t = Table()
        for key, title in cols:
            t.add_column(a.text(title), justify="left" if key == "agent" else "right")
        for r in rows:
            cells = []
            for key, _ in cols:
                word = r.get(f"{key}_status")
                cells.append(a.text(f"{r[key]} {word}" if word else r[key], colors.get(word or "")))
            t.add_row(*cells)
        console.print(t)
        console.print(a.text(rep.caption, "dim"), highlight=False)
        return
    import pyarrow as pa

    table = pa.Table.from_pylist(rep.rows)
    _emit(table, KpiFormat(fmt.value), output, {"targets": rep.caption})


@app.command("report")
def report_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "callscope-report.html"
    ),
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="today, yesterday, week, month, data (the last 7 days with data) or custom "
            "(with --from/--to) [data; custom when a day is given].",
        ),
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (a custom period).")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")
    ] = None,
    queue: Annotated[
        list[str] | None, typer.Option("--queue", help="Keep this queue (repeatable).")
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Keep this channel (repeatable).")
    ] = None,
    team: Annotated[
        list[str] | None, typer.Option("--team", help="Keep this team's agents (repeatable).")
    ] = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """The Overview (with its table by queue), Service and Agents pages of `callscope
    serve` for one period as one self-contained HTML file: same figures, charts and
    colours, styles and chart code inlined; it opens offline."""
    from datetime import datetime

    from callscope.web.report import write_report

    s = a.load(settings, db)
    r = write_report(
        s,
        output,
        datetime.now().astimezone(),
        period=period,
        first=first,
        last=last,
        channels=tuple(channel or ()),
        queues=tuple(queue or ()),
        teams=tuple(team or ()),
    )
    console.print(f"wrote {r.path} ({r.bytes / 1024:,.0f} KiB): {r.period}")
