"""``callscope forecast`` (+ ``backtest``, ``reforecast``) and ``callscope plan``."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from callscope.cli.app import (
    DbOption,
    JsonOption,
    app,
    check_output,
    console,
    err_console,
    print_json,
    resolve_db,
)
from callscope.errors import CallscopeError

__all__ = ["backtest_cmd", "forecast", "plan", "reforecast_cmd"]

forecast_app = typer.Typer(
    help="Forecast volume and AHT per queue x channel x interval from the store "
    "(writes the `forecasts` table); subcommands backtest and reforecast.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(forecast_app, name="forecast")


CHART_SUFFIXES = (".png", ".svg")


class Fmt(StrEnum):
    table = "table"
    json = "json"


Horizon = Annotated[str, typer.Option("--horizon", help="How far ahead, e.g. 7d, 14d.")]
Special = Annotated[
    list[str] | None,
    typer.Option(
        "--special",
        help="Holiday or special day: YYYY-MM-DD (closed) or YYYY-MM-DD=FACTOR; "
        "repeat or separate by commas.",
    ),
]
Models = Annotated[
    str | None,
    typer.Option(
        "--models",
        help="Comma-separated candidate models (default: all). Ours: ensemble, "
        "daily_profile, daily_ets, daily_theta, week_mean4, week_mean8; peers (backtest of a "
        "series file): seasonal_naive, mstl.",
    ),
]


def _pct(x: float) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x * 100:.2f} %"


def _models(text: str | None) -> list[str] | None:
    return [m.strip() for m in text.split(",") if m.strip()] if text else None


def _open_store(db: Path | None, read_only: bool = False) -> Any:
    from callscope.store import Store

    path = resolve_db(db)
    if not path.exists():
        raise CallscopeError(f"no store at {path}: ingest contacts first or pass --db")
    return Store(path, read_only=read_only)


def _when(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CallscopeError(
            f"{name}: cannot read {text!r} as a date/time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None


@forecast_app.callback(invoke_without_command=True)
def forecast(
    ctx: typer.Context,
    db: DbOption = None,
    horizon: Horizon = "7d",
    interval: Annotated[str, typer.Option(help="Interval length: 15m, 30m or 60m.")] = "30m",
    start: Annotated[
        str | None,
        typer.Option(help="Forecast origin (default: the midnight after the last contact)."),
    ] = None,
    special: Special = None,
    models: Models = None,
    level: Annotated[int, typer.Option(help="Prediction interval, percent.")] = 80,
    json_out: JsonOption = False,
) -> None:
    """Forecast every queue x channel from the store and write the `forecasts` table."""
    if ctx.invoked_subcommand is not None:
        return
    from callscope.forecast.forecaster import forecast_intervals
    from callscope.forecast.series import SpecialDays, parse_duration_s
    from callscope.store.forecasts import interval_series, write_forecasts

    interval_s = parse_duration_s(interval)
    if interval_s not in (900, 1800, 3600):
        raise CallscopeError(f"--interval must be 15m, 30m or 60m; got {interval}")
    if not 1 <= level <= 99:
        raise CallscopeError("--level must be between 1 and 99")
    store = _open_store(db)
    try:
        rows = interval_series(store, interval_s).to_pandas()
        run = forecast_intervals(
            rows,
            interval_s=interval_s,
            horizon_s=parse_duration_s(horizon),
            origin=_when(start, "--start"),
            special=SpecialDays.parse(special),
            models=_models(models),
            level=level,
        )
        import pyarrow as pa

        out = run.rows.copy()
        fid = uuid.uuid4().hex[:12]
        out.insert(0, "created_at", datetime.now().replace(microsecond=0))
        out.insert(0, "forecast_id", fid)
        n = write_forecasts(store, pa.Table.from_pandas(out, preserve_index=False))
    finally:
        store.close()
    summary = _summary(run)
    if json_out:
        print_json({"forecast_id": fid, "rows": n, "level": level, "series": summary})
        return
    t = Table(title=f"forecast {fid}: {n} intervals written to `forecasts`", title_justify="left")
    for c in ("queue", "channel", "model", "selection WAPE", "calls", "AHT s", "open", "closed"):
        t.add_column(c, justify="left" if c in ("queue", "channel", "model") else "right")
    for s in summary:
        t.add_row(
            s["queue"],
            s["channel"],
            s["model"],
            _pct(s["selection_wape"]),
            f"{s['calls']:,.0f}",
            f"{s['aht_s']:.0f}",
            str(s["open_intervals"]),
            str(s["closed_intervals"]),
        )
    console.print(t)


def _summary(run: Any) -> list[dict[str, Any]]:
    out = []
    r = run.rows
    for c in run.choices:
        g = r[(r["queue"] == c.queue) & (r["channel"] == c.channel)]
        op = g[g["model"] != "closed"]
        calls = float(op["calls"].sum())
        aht = float((op["calls"] * op["aht_s"]).sum() / calls) if calls > 0 else float("nan")
        out.append(
            {
                "queue": c.queue,
                "channel": c.channel,
                "model": c.model,
                "selection_wape": c.selection_wape,
                "calls": calls,
                "aht_s": aht,
                "calls_lo": float(op["calls_lo"].sum()),
                "calls_hi": float(op["calls_hi"].sum()),
                "open_intervals": len(op),
                "closed_intervals": len(g) - len(op),
                "history_days": c.history_days,
            }
        )
    return out


@forecast_app.command("backtest")
def backtest_cmd(
    series: Annotated[
        Path | None,
        typer.Option(
            "--series",
            help="CSV of timestamp,volume (first two columns); default: every "
            "queue x channel of the store.",
        ),
    ] = None,
    freq: Annotated[str, typer.Option("--freq", help="Interval to aggregate to.")] = "30min",
    horizon: Horizon = "7d",
    origins: Annotated[
        int,
        typer.Option(
            help="Evaluation origins, one horizon apart, the last one a horizon before the end."
        ),
    ] = 4,
    selection_origins: Annotated[
        int, typer.Option(help="Earlier origins that choose the model (never the evaluated ones).")
    ] = 4,
    models: Models = None,
    special: Special = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="Output format.")] = Fmt.table,
    chart: Annotated[
        Path | None, typer.Option(help="Write the WAPE-by-horizon chart here (.png or .svg).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Rolling-origin backtest: WAPE, MASE, bias and fit time per model; the pick."""
    from callscope.forecast.backtest import backtest
    from callscope.forecast.series import SpecialDays, aggregate, parse_duration_s, read_series_csv

    interval_s = parse_duration_s(freq)
    sp = SpecialDays.parse(special)
    if chart is not None:
        check_output(chart, "--chart", CHART_SUFFIXES)
    targets: list[tuple[str, Any]] = []
    if series is not None:
        ts, y = read_series_csv(series)
        targets.append((series.name, aggregate(ts, y, interval_s)))
    else:
        from callscope.forecast.forecaster import _origin, history_series
        from callscope.store.forecasts import interval_series

        store = _open_store(db, read_only=True)
        try:
            rows = interval_series(store, interval_s).to_pandas()
        finally:
            store.close()
        if rows.empty:
            raise CallscopeError("the store has no offered contacts to backtest")
        for hs in history_series(rows, interval_s, _origin(rows, None), sp).values():
            targets.append((f"{hs.key[0]}/{hs.key[1]}", hs.series))
    results = []
    for name, s in targets:
        res = backtest(
            s,
            horizon_s=parse_duration_s(horizon),
            origins=origins,
            selection_origins=selection_origins,
            models=_models(models),
            special=sp,
        )
        results.append((name, res))
        if chart is not None:
            from callscope.forecast.chart import accuracy_chart

            path = (
                chart
                if len(targets) == 1
                else chart.with_name(f"{chart.stem}-{name.replace('/', '_')}{chart.suffix}")
            )
            accuracy_chart(
                res.by_horizon,
                path,
                chosen=res.chosen,
                title=f"{name}: WAPE by horizon ({res.origins} origins)",
            )
            err_console.print(f"chart written to {path}")
    if fmt is Fmt.json:
        if len(results) == 1:
            print_json(results[0][1].rows())
        else:
            print_json({name: r.rows() for name, r in results})
        return
    for name, r in results:
        t = Table(
            title=f"{name}: {r.origins} origins x {r.horizon_steps} intervals; "
            f"model chosen on {r.selection_origins} earlier origins",
            title_justify="left",
        )
        for c in ("model", "WAPE", "MASE", "bias", "fit s", "chosen", "selection WAPE"):
            t.add_column(c, justify="left" if c == "model" else "right", no_wrap=True)
        for s in r.scores:
            t.add_row(
                s.model,
                _pct(s.wape),
                f"{s.mase:.3f}",
                _pct(s.bias),
                f"{s.fit_s:.3f}",
                "yes" if s.chosen else "",
                _pct(s.selection_wape),
            )
        console.print(t)
        h = Table(title="WAPE by open day after the origin", title_justify="left")
        days = sorted({x.horizon_day for x in r.by_horizon})
        h.add_column("model", no_wrap=True)
        for d in days:
            h.add_column(f"d{d}", justify="right")
        for s in r.scores:
            vals = {x.horizon_day: x.wape for x in r.by_horizon if x.model == s.model}
            h.add_row(s.model, *(_pct(vals.get(d, float("nan"))) for d in days))
        console.print(h)


@forecast_app.command("reforecast")
def reforecast_cmd(
    db: DbOption = None,
    now: Annotated[
        str | None,
        typer.Option(help="Current time (default: now); intervals that ended by then are actuals."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Update the rest of today in the latest forecast from today's actuals so far."""
    from dataclasses import asdict

    import pyarrow as pa

    from callscope.forecast.reforecast import reforecast_today
    from callscope.store.forecasts import interval_series, latest_forecast, write_forecasts

    t_now = _when(now, "--now") or datetime.now()
    store = _open_store(db)
    try:
        fc = latest_forecast(store).to_pandas()
        if fc.empty:
            raise CallscopeError("the store has no forecast: run `callscope forecast` first")
        interval_s = int(fc["interval_s"].iloc[0])
        day0 = datetime(t_now.year, t_now.month, t_now.day)
        act = interval_series(store, interval_s, since=day0, until=t_now).to_pandas()
        out, updates = reforecast_today(fc, act, t_now)
        info = [asdict(u) for u in updates]
        if not info:
            raise CallscopeError(f"the latest forecast has no intervals on {day0.date()}")
        fid = uuid.uuid4().hex[:12]
        out["forecast_id"] = fid
        out["created_at"] = datetime.now().replace(microsecond=0)
        write_forecasts(store, pa.Table.from_pandas(out, preserve_index=False))
    finally:
        store.close()
    if json_out:
        print_json({"forecast_id": fid, "series": info})
        return
    t = Table(
        title=f"intraday reforecast {fid} (as of {t_now:%Y-%m-%d %H:%M})", title_justify="left"
    )
    for c in ("queue", "channel", "done", "actual", "forecast", "ratio", "rest of day"):
        t.add_column(c, justify="left" if c in ("queue", "channel") else "right")
    for s in info:
        t.add_row(
            s["queue"],
            s["channel"],
            str(s["intervals_done"]),
            f"{s['actual_so_far']:,.0f}",
            f"{s['forecast_so_far']:,.0f}",
            f"{s['ratio']:.3f}",
            f"{s['rest_of_day']:,.0f}",
        )
    console.print(t)


@app.command()
def plan(
    db: DbOption = None,
    target: Annotated[str, typer.Option(help="Service level percent/seconds.")] = "80/20",
    model: Annotated[
        str,
        typer.Option(help="erlang-c or erlang-a (patience from the store unless --patience-s)."),
    ] = "erlang-c",
    patience_s: Annotated[
        float | None, typer.Option("--patience-s", help="Mean patience, seconds.")
    ] = None,
    max_abandon: Annotated[float | None, typer.Option(help="Maximum abandon rate.")] = None,
    max_occupancy: Annotated[float | None, typer.Option(help="Maximum occupancy.")] = None,
    shrinkage: Annotated[float, typer.Option(help="Share of paid time off the phones.")] = 0.3,
    concurrency: Annotated[
        list[str] | None,
        typer.Option(help="channel=N contacts an agent handles at once, e.g. chat=2."),
    ] = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="Scenario against the base plan: volume=+10%, aht=300, aht=+5%, "
            "sl=90/20 (join with commas; repeat for more).",
        ),
    ] = None,
    fte_hours: Annotated[float, typer.Option(help="Paid hours of one FTE per week.")] = 40.0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the plan to .csv or .xlsx.")
    ] = None,
    chart: Annotated[Path | None, typer.Option(help="Write a chart (.png or .svg).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Capacity plan from the latest forecast: agents, scheduled staff, FTE, what-ifs."""
    from dataclasses import replace

    from callscope.forecast.plan import Target, capacity_plan, parse_what_if
    from callscope.store.forecasts import latest_forecast

    if model not in ("erlang-c", "erlang-a"):
        raise CallscopeError(f"--model must be erlang-c or erlang-a; got {model}")
    tg = replace(Target.parse(target), max_abandon=max_abandon, max_occupancy=max_occupancy)
    if not (fte_hours > 0 and math.isfinite(fte_hours)):
        raise CallscopeError(f"--fte-hours must be > 0 (paid hours per week); got {fte_hours:g}")
    if out is not None:
        check_output(out, "--out", (".csv", ".xlsx"))
    if chart is not None:
        check_output(chart, "--chart", CHART_SUFFIXES)
    conc: dict[str, int] = {}
    for item in concurrency or []:
        ch, _, n = item.partition("=")
        if not n.strip().isdigit() or int(n) < 1:
            raise CallscopeError(f"--concurrency wants channel=N (N >= 1); got {item!r}")
        conc[ch.strip()] = int(n)
    store = _open_store(db, read_only=True)
    try:
        fc = latest_forecast(store).to_pandas()
        if fc.empty:
            raise CallscopeError("the store has no forecast: run `callscope forecast` first")
        patience: dict[str, float] | None = None
        if model == "erlang-a":
            queues = sorted(fc["queue"].dropna().unique().tolist())
            if patience_s is not None:
                patience = dict.fromkeys(queues, patience_s)
            else:
                from callscope.store.patience import queue_patience

                est = queue_patience(store, queues=queues)
                patience = {
                    g: float(p)
                    for g, p in zip(est.groups, est.patience_s, strict=True)
                    if math.isfinite(p)
                }
                for g, p in patience.items():
                    err_console.print(
                        f"patience of {g!r} from the store: {p:.0f} s", highlight=False
                    )
    finally:
        store.close()
    scenarios = [parse_what_if(w) for w in what_if or []]
    cp = capacity_plan(
        fc,
        target=tg,
        model=model,
        patience_s=patience,
        shrinkage=shrinkage,
        concurrency=conc,
        scenarios=scenarios,
        fte_hours_per_week=fte_hours,
    )
    if out is not None:
        _write_plan(cp, out)
        err_console.print(f"plan written to {out}")
    if chart is not None:
        from callscope.forecast.chart import plan_chart

        plan_chart(cp, chart)
        err_console.print(f"chart written to {chart}")
    if json_out:
        print_json(
            {
                "model": cp.model,
                "shrinkage": cp.shrinkage,
                "summary": cp.summary.to_dict(orient="records"),
            }
        )
        return
    t = Table(
        title=f"capacity plan ({cp.model}, shrinkage {cp.shrinkage:.0%}, "
        f"{cp.fte_hours_per_week:g} h/FTE-week)",
        title_justify="left",
    )
    for c in (
        "scenario",
        "target",
        "calls",
        "agent h",
        "scheduled h",
        "peak agents",
        "peak scheduled",
        "FTE",
        "vs base",
        "intervals met",
    ):
        t.add_column(c, justify="left" if c in ("scenario", "target") else "right")
    for r in cp.summary.to_dict(orient="records"):
        t.add_row(
            r["scenario"],
            r["target"],
            f"{r['calls']:,.0f}",
            f"{r['agent_hours']:,.1f}",
            f"{r['scheduled_hours']:,.1f}",
            str(r["peak_agents"]),
            str(r["peak_scheduled"]),
            f"{r['fte']:.1f}",
            f"{r['fte_vs_base']:+.1f}",
            f"{r['intervals_met'] * 100:.0f} %",
        )
    console.print(t)


def _write_plan(cp: Any, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        cp.intervals.to_csv(path, index=False)
    elif suffix == ".xlsx":
        import pandas as pd

        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            cp.summary.to_excel(xw, sheet_name="summary", index=False)
            cp.intervals.to_excel(xw, sheet_name="intervals", index=False)
    else:
        raise CallscopeError(f"--out must end in .csv or .xlsx; got {path.name}")
