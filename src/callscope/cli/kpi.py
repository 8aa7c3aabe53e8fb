"""``callscope kpi`` and ``callscope report``: parse options, compute, print."""

from __future__ import annotations

import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from callscope.cli.app import (
    DbOption,
    app,
    check_output,
    console,
    err_console,
    print_json,
    resolve_db,
)
from callscope.errors import CallscopeError

__all__ = ["kpi", "report"]

EngineOption = Annotated[str, typer.Option("--engine", help="duckdb (default) or spark.")]
FromOption = Annotated[
    datetime | None, typer.Option("--from", help="First day/time of the period (inclusive).")
]
ToOption = Annotated[datetime | None, typer.Option("--to", help="End of the period (exclusive).")]
IntervalOption = Annotated[str, typer.Option("--interval", help="Interval length: 15m, 30m, 60m.")]
SlThresholdOption = Annotated[
    float | None,
    typer.Option("--sl-threshold", help="Service-level threshold T in seconds [default 20]."),
]
PresetOption = Annotated[
    str | None,
    typer.Option("--preset", help="default | amazon-connect | genesys-cloud | queuemetrics."),
]


def _interval_minutes(text: str) -> int:
    t = text.strip().lower()
    for suffix, mult in (("min", 1), ("m", 1), ("h", 60)):
        if t.endswith(suffix) and t[: -len(suffix)].isdigit():
            return int(t[: -len(suffix)]) * mult
    if t.isdigit():
        return int(t)
    raise CallscopeError(f"--interval must look like 15m, 30m or 60m, not {text!r}")


def _params(
    preset_name: str | None,
    interval: str,
    sl_threshold: float | None,
    short_abandon: float | None,
    sl_variant: str | None,
    fcr_window: float | None,
):
    from callscope.kpi.presets import preset

    p = preset(preset_name or "default")
    changes: dict[str, Any] = {"interval_minutes": _interval_minutes(interval)}
    if sl_threshold is not None:
        changes["sl_threshold_s"] = sl_threshold
    if short_abandon is not None:
        changes["short_abandon_s"] = short_abandon
    if sl_variant is not None:
        changes["sl_variant"] = sl_variant
    if fcr_window is not None:
        changes["fcr_window_days"] = fcr_window
    return p.with_(**changes)


def _check_period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and start >= end:
        raise CallscopeError(
            f"--from {start} is not before --to {end}; --to is the exclusive end of the period"
        )


def _check_fraction(name: str, value: float, example: str) -> None:
    if not 0.0 < value <= 1.0:
        raise CallscopeError(f"{name} is a fraction in (0, 1], e.g. {example}; got {value:g}")


@contextmanager
def _source(db: Path | None, engine: str):
    """The canonical tables on the chosen engine (Spark reads a Parquet export)."""
    from callscope.kpi.engine import duckdb_source, spark_session, spark_source
    from callscope.store import Store

    path = resolve_db(db)
    if not Path(path).exists():
        raise CallscopeError(f"no store at {path}; run `callscope ingest` first or pass --db")
    if engine not in ("duckdb", "spark"):
        raise CallscopeError(f"unknown --engine {engine!r}; use duckdb or spark")
    store = Store(path, read_only=True)
    try:
        if store.count("contacts") == 0:
            raise CallscopeError(
                f"the store {path} has no contacts: load some with `callscope ingest` "
                "(or `callscope demo` for a sample center) or pass --db"
            )
        if engine == "duckdb":
            yield duckdb_source(store)
        elif engine == "spark":
            with tempfile.TemporaryDirectory(prefix="callscope-spark-") as tmp:
                store.export_parquet(Path(tmp))
                yield spark_source(spark_session(), Path(tmp))
        else:
            raise CallscopeError(f"unknown --engine {engine!r}; use duckdb or spark")
    finally:
        store.close()


def _print_rich(table: Any, keys: tuple[str, ...], caption: str) -> None:
    from callscope.kpi.output import format_value

    t = Table(caption=caption, caption_justify="left")
    for c in table.column_names:
        t.add_column(c, justify="left" if c in keys else "right")
    for row in table.to_pylist():
        t.add_row(*[format_value(c, v) for c, v in row.items()])
    console.print(t)


@app.command()
def kpi(
    db: DbOption = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="Group keys: month, week, day, interval, queue, channel, agent, team "
            "(comma-separated); empty for totals.",
        ),
    ] = "",
    engine: EngineOption = "duckdb",
    interval: IntervalOption = "30m",
    sl_threshold: SlThresholdOption = None,
    short_abandon: Annotated[
        float | None,
        typer.Option(
            "--short-abandon", help="Abandons this fast (s) are short abandons [default 5]."
        ),
    ] = None,
    sl_variant: Annotated[
        str | None,
        typer.Option(
            "--sl-variant",
            help="offered | short-abandon-excluded | answered | abandons-neutral | "
            "removed-within-threshold | answered-plus-abandoned [default offered].",
        ),
    ] = None,
    fcr_window: Annotated[
        float | None, typer.Option("--fcr-window", help="FCR repeat window in days [default 7].")
    ] = None,
    preset_name: PresetOption = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare-presets", help="Show the period's totals under every preset side by side."
        ),
    ] = False,
    start: FromOption = None,
    end: ToOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table | json | csv | parquet | xlsx.")
    ] = "table",
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns", help="KPI columns to keep (comma-separated); table shows the main ones."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Compute contact-center KPIs (KPIS.md) grouped by time, queue, channel, agent, team."""
    from callscope.kpi.grouping import parse_by
    from callscope.kpi.output import TABLE_COLUMNS, describe, select_columns, write_table

    keys = parse_by(by)
    params = _params(preset_name, interval, sl_threshold, short_abandon, sl_variant, fcr_window)
    _check_period(start, end)
    if output is not None:
        check_output(output, "--output")
    with _source(db, engine) as src:
        if compare:
            _compare(src, params, start, end, fmt, output, sl_threshold, short_abandon, fcr_window)
            return
        from callscope.kpi.engine import compute_kpis

        result = compute_kpis(src, keys, params, start, end)
    meta = result.metadata()
    if start or end:
        meta["period"] = [str(start) if start else None, str(end) if end else None]
    cols = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    if fmt == "table":
        if cols is None:
            present = set(result.kpi_columns)
            cols = [c for c in TABLE_COLUMNS if c in present]
        table = select_columns(result.table, keys, cols)
        if table.num_rows == 0:
            raise CallscopeError(
                f"no contacts in the period {start or 'start'} - {end or 'end'}; widen --from/--to"
            )
        _print_rich(table, keys, describe(meta))
        return
    table = select_columns(result.table, keys, cols)
    text = write_table(table, fmt, meta, output)
    err_console.print(f"# {describe(meta)}", highlight=False, soft_wrap=True)
    if text is not None:
        sys.stdout.write(text)
    else:
        err_console.print(f"wrote {table.num_rows} rows to {output}")


def _compare(
    src: Any,
    params: Any,
    start: datetime | None,
    end: datetime | None,
    fmt: str,
    output: Path | None,
    sl_threshold: float | None,
    short_abandon: float | None,
    fcr_window: float | None,
) -> None:
    from callscope.kpi.comparison import compare_presets
    from callscope.kpi.output import format_value, write_table

    def adjust(p: Any) -> Any:
        return p.with_(
            interval_minutes=params.interval_minutes,
            sl_threshold_s=params.sl_threshold_s,
            short_abandon_s=params.short_abandon_s,
            fcr_window_days=params.fcr_window_days,
        )

    cmp = compare_presets(src, start, end, adjust)
    if fmt == "table":
        t = Table(
            caption=f"T = {params.sl_threshold_s:g} s, short abandon <= "
            f"{params.short_abandon_s:g} s; period {start or 'all'} - {end or 'all'}",
            caption_justify="left",
        )
        t.add_column("kpi")
        for name in cmp.presets:
            t.add_column(name, justify="right")
        for k in cmp.kpis:
            t.add_row(k, *[format_value(k, cmp.values[k][n]) for n in cmp.presets])
        console.print(t)
        for name in cmp.presets:
            p = cmp.params[name]
            console.print(
                f"  {name}: sl_variant={p['sl_variant']}, occupancy="
                f"{p['occupancy_variant']}, abandon rate excludes short="
                f"{p['abandon_rate_excludes_short']}",
                highlight=False,
            )
        return
    if fmt == "json" and output is None:
        print_json(cmp.rows())
        return
    text = write_table(cmp.table(), fmt, {"presets": cmp.params}, output)
    if text is not None:
        sys.stdout.write(text)


@app.command()
def report(
    db: DbOption = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "callscope-report.html"
    ),
    interval: IntervalOption = "30m",
    sl_threshold: SlThresholdOption = None,
    sl_target: Annotated[
        float,
        typer.Option("--sl-target", help="Service-level target as a fraction (0.8 for 80/20)."),
    ] = 0.8,
    preset_name: PresetOption = None,
    start: FromOption = None,
    end: ToOption = None,
    engine: EngineOption = "duckdb",
) -> None:
    """Write one self-contained HTML report: SL and volume by interval against target,
    abandonment, AHT trend and the agent table."""
    from callscope.kpi.targets import Targets
    from callscope.report.html import build_report

    params = _params(preset_name, interval, sl_threshold, None, None, None)
    _check_fraction("--sl-target", sl_target, "0.8 for 80/20")
    _check_period(start, end)
    check_output(output, "--output")
    with _source(db, engine) as src:
        html = build_report(src, params, Targets(service_level=sl_target), start, end)
    output.write_text(html, encoding="utf-8")
    console.print(f"wrote {output} ({len(html) // 1024} KiB)")


@app.command("agent-report")
def agent_report_cmd(
    db: DbOption = None,
    preset_name: PresetOption = None,
    aht_target: Annotated[float, typer.Option("--aht-target", help="AHT target, seconds.")] = 300.0,
    utilization_target: Annotated[
        float, typer.Option("--utilization-target", help="Utilization target (fraction).")
    ] = 0.75,
    start: FromOption = None,
    end: ToOption = None,
    engine: EngineOption = "duckdb",
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv.")] = "table",
) -> None:
    """Per-agent internal indicators and a total row, with red/amber/green target status."""
    from callscope.kpi.agent_report import AGENT_COLUMNS, agent_report
    from callscope.kpi.output import format_value
    from callscope.kpi.targets import Targets

    params = _params(preset_name, "30m", None, None, None, None)
    if fmt not in ("table", "json", "csv"):
        raise CallscopeError(f"unknown --format {fmt!r}; use table, json or csv")
    if not aht_target > 0:
        raise CallscopeError(f"--aht-target is in seconds and must be > 0; got {aht_target:g}")
    _check_fraction("--utilization-target", utilization_target, "0.75 for 75 %")
    _check_period(start, end)
    targets = Targets(aht_s=aht_target, utilization=utilization_target)
    with _source(db, engine) as src:
        rep = agent_report(src, params, targets, start, end)
    rows = [*rep.rows, rep.total]
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
        return
    if fmt != "table":
        raise CallscopeError(f"unknown --format {fmt!r}; use table, json or csv")
    colors = {"green": "green", "amber": "yellow", "red": "red"}
    t = Table(
        caption=f"targets: AHT <= {aht_target:g} s, utilization >= {100 * utilization_target:g} %",
        caption_justify="left",
    )
    t.add_column("agent")
    for _, _, title in AGENT_COLUMNS:
        t.add_column(title, justify="right")
    for r in rows:
        cells = []
        for col, kpi_name, _ in AGENT_COLUMNS:
            v = r[col]
            text = (
                (f"{v:.1f}" if v is not None else "-")
                if col == "total_talk_min"
                else format_value(kpi_name if col != "answered" else "handled", v)
            )
            st = r.get(f"{col}_status")
            cells.append(f"[{colors[st]}]{text}[/]" if st in colors else text)
        t.add_row(str(r["agent"]), *cells)
    console.print(t)
