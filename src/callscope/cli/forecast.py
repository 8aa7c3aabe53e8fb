"""``callscope forecast`` (+ ``backtest``, ``reforecast``) and ``callscope plan``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli import app as a
from callscope.cli.app import (
    ConcurrencyOpt,
    DbOpt,
    IntervalOpt,
    OutputOpt,
    PatienceOpt,
    PoolOpt,
    SettingsOpt,
    ShrinkageOpt,
    TargetOpt,
    app,
    say,
)
from callscope.cli.render import number, pct, print_rows, seconds

__all__ = ["backtest_cmd", "forecast_cmd", "plan_cmd", "reforecast_cmd"]

forecast_app = typer.Typer(
    help="Forecast volume and AHT per queue x channel x interval from the store "
    "(writes the `forecasts` table); subcommands backtest and reforecast.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)
app.add_typer(forecast_app, name="forecast")


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
Horizon = Annotated[str, typer.Option("--horizon", help="How far ahead, e.g. 7d, 14d, 2w.")]
Special = Annotated[
    list[str] | None,
    typer.Option(
        "--special",
        help="Holiday or special day: YYYY-MM-DD (closed) or YYYY-MM-DD=FACTOR; repeat or "
        "separate by commas.",
        show_default=False,
    ),
]
Models = Annotated[
    str | None,
    typer.Option(
        "--models",
        help="Comma-separated candidate models [all]. Ours: ensemble, daily_profile, "
        "daily_ets, daily_theta, week_mean4, week_mean8; peers (backtest of a series "
        "file): seasonal_naive, mstl.",
        show_default=False,
    ),
]


def _models(text: str | None) -> tuple[str, ...] | None:
    return tuple(m.strip() for m in text.split(",") if m.strip()) if text else None


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


@forecast_app.callback(invoke_without_command=True)
def forecast_cmd(
    ctx: typer.Context,
    horizon: Horizon = "7d",
    interval: IntervalOpt = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            "--start",
            help="Forecast origin [the midnight after the last contact].",
            show_default=False,
            formats=a.WHEN_FORMATS,
            metavar="YYYY-MM-DD[THH:MM]",
        ),
    ] = None,
    special: Special = None,
    models: Models = None,
    level: Annotated[int, typer.Option("--level", help="Prediction interval, percent.")] = 80,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Forecast every queue x channel from the store and write the `forecasts` table."""
    if ctx.invoked_subcommand is not None:
        return
    from callscope.services.forecasting import ForecastRequest, forecast

    s = a.load(settings, db)
    req = ForecastRequest(
        horizon_s=a.duration(horizon, "horizon_s") or 7 * 86400.0,
        interval_s=a.duration(interval, "interval_s"),
        start=start,
        special=tuple(special or ()),
        models=_models(models),
        level=level,
    )
    r = forecast(s, req, _now())
    if fmt is Format.json:
        a.print_json(
            {
                "forecast_id": r.forecast_id,
                "created_at": r.created_at,
                "rows": r.rows,
                "level": r.level,
                "first": r.first,
                "last": r.last,
                "history_first": r.history_first,
                "history_last": r.history_last,
                "history_days": r.history_days,
                "warnings": list(r.warnings),
                "series": r.series,
            }
        )
        return
    print_rows(
        r.series,
        (
            ("queue", "queue", str),
            ("channel", "channel", str),
            ("model", "model", str),
            ("selection_wape", "selection WAPE", lambda v: pct(v, 2)),
            ("calls", "calls", number),
            ("aht_s", "AHT", seconds),
            ("history_first", "history from", str),
            ("history_last", "to", str),
            ("history_days", "days", number),
            ("open_intervals", "open", number),
            ("closed_intervals", "closed", number),
        ),
        title=f"forecast {r.forecast_id}: {r.first:%a %Y-%m-%d %H:%M} to "
        f"{r.last:%a %Y-%m-%d %H:%M}, from {r.history_days:,} days of history "
        f"{r.history_first} to {r.history_last}; {r.rows:,} intervals written to `forecasts`",
        left=("queue", "channel", "model"),
    )
    for w in r.warnings:
        a.warn(w)


@forecast_app.command("backtest")
def backtest_cmd(
    series: Annotated[
        Path | None,
        typer.Option(
            "--series",
            help="CSV of timestamp,volume (first two columns) [every queue x channel of the store].",
            show_default=False,
        ),
    ] = None,
    interval: IntervalOpt = None,
    horizon: Horizon = "7d",
    origins: Annotated[
        int,
        typer.Option(
            "--origins",
            help="Evaluation origins, one horizon apart, the last a horizon before the end.",
        ),
    ] = 4,
    selection_origins: Annotated[
        int,
        typer.Option(
            "--selection-origins",
            help="Earlier origins that choose the model (never the evaluated ones).",
        ),
    ] = 4,
    models: Models = None,
    special: Special = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Write the WAPE-by-horizon chart here (.png, .svg or .pdf).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Rolling-origin backtest: WAPE, MASE, bias and fit time per model; the pick."""
    from callscope.services.forecasting import BacktestRequest, backtest

    s = a.load(settings, db)
    out = backtest(
        s,
        BacktestRequest(
            series=series,
            interval_s=a.duration(interval, "interval_s"),
            horizon_s=a.duration(horizon, "horizon_s") or 7 * 86400.0,
            origins=origins,
            selection_origins=selection_origins,
            models=_models(models),
            special=tuple(special or ()),
            chart=chart,
        ),
    )
    for path in out.charts:
        say(f"chart written to {path}")
    if fmt is Format.json:
        if len(out.results) == 1:
            a.print_json(out.results[0][1].rows())
        else:
            a.print_json({name: r.rows() for name, r in out.results})
        return
    for name, r in out.results:
        print_rows(
            [
                {
                    "model": x.model,
                    "wape": x.wape,
                    "mase": x.mase,
                    "bias": x.bias,
                    "fit_s": x.fit_s,
                    "chosen": "yes" if x.chosen else "",
                    "selection_wape": x.selection_wape,
                }
                for x in r.scores
            ],
            (
                ("model", "model", str),
                ("wape", "WAPE", lambda v: pct(v, 2)),
                ("mase", "MASE", lambda v: number(v, 3)),
                ("bias", "bias", lambda v: pct(v, 2)),
                ("fit_s", "fit s", lambda v: number(v, 3)),
                ("chosen", "chosen", str),
                ("selection_wape", "selection WAPE", lambda v: pct(v, 2)),
            ),
            title=f"{name}: {r.origins} origins x {r.horizon_steps} intervals; model chosen on "
            f"{r.selection_origins} earlier origins",
            left=("model",),
        )
        days = sorted({x.horizon_day for x in r.by_horizon})
        rows = []
        for sc in r.scores:
            vals = {x.horizon_day: x.wape for x in r.by_horizon if x.model == sc.model}
            rows.append({"model": sc.model, **{f"d{d}": vals.get(d) for d in days}})
        print_rows(
            rows,
            [("model", "model", str)] + [(f"d{d}", f"d{d}", lambda v: pct(v, 2)) for d in days],
            title="WAPE by open day after the origin",
            left=("model",),
        )


@forecast_app.command("reforecast")
def reforecast_cmd(
    now: Annotated[
        datetime | None,
        typer.Option(
            "--now",
            help="Current time [now]; intervals that ended by then are actuals.",
            show_default=False,
            formats=a.WHEN_FORMATS,
            metavar="YYYY-MM-DD[THH:MM]",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Update the rest of today in the latest forecast from today's actuals so far."""
    from callscope.services.forecasting import ReforecastRequest, reforecast

    r = reforecast(a.load(settings, db), ReforecastRequest(), now or _now())
    if fmt is Format.json:
        a.print_json({"forecast_id": r.forecast_id, "as_of": r.as_of, "series": r.series})
        return
    print_rows(
        r.series,
        (
            ("queue", "queue", str),
            ("channel", "channel", str),
            ("intervals_done", "done", number),
            ("actual_so_far", "actual", number),
            ("forecast_so_far", "forecast", number),
            ("ratio", "ratio", lambda v: number(v, 3)),
            ("rest_of_day", "rest of day", number),
        ),
        title=f"intraday reforecast {r.forecast_id} (as of {r.as_of:%Y-%m-%d %H:%M})",
        left=("queue", "channel"),
    )


class Model(StrEnum):
    erlang_c = "erlang-c"
    erlang_a = "erlang-a"


@app.command("plan")
def plan_cmd(
    target: TargetOpt = None,
    model: Annotated[
        Model | None,
        typer.Option("--model", help="Queueing model [settings, erlang-c].", show_default=False),
    ] = None,
    patience_s: PatienceOpt = None,
    shrinkage: ShrinkageOpt = None,
    concurrency: ConcurrencyOpt = None,
    pool: PoolOpt = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if",
            help="Scenario against the base plan: volume=+10%, aht=300, aht=+5%, sl=90/20 "
            "(several in one scenario joined by ';'; repeat for more scenarios).",
            show_default=False,
        ),
    ] = None,
    fte_hours: Annotated[
        float | None,
        typer.Option(
            "--fte-hours", help="Paid hours of one FTE per week [settings, 40].", show_default=False
        ),
    ] = None,
    output: OutputOpt = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Write a chart (.png, .svg or .pdf).", show_default=False),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Capacity plan from the latest forecast: agents, scheduled staff, FTE, what-ifs."""
    from callscope.services.forecasting import PlanRequest, capacity_plan

    s = a.load(settings, db)
    r = capacity_plan(
        s,
        PlanRequest(
            target=a.target(target),
            model=model.value if model else None,
            patience_s=patience_s,
            shrinkage=a.share(shrinkage, "shrinkage"),
            concurrency=a.concurrency(concurrency),
            what_if=tuple(what_if or ()),
            fte_hours_per_week=fte_hours,
            pools=a.pools(pool),
            output=output,
            chart=chart,
        ),
    )
    for note in r.notes:
        say(note)
    for w in r.warnings:
        a.warn(w)
    for path in r.written:
        say(f"wrote {path}")
    cp = r.plan
    rows: list[dict[str, Any]] = [vars_of(x) for x in cp.summary]
    if fmt is Format.json:
        a.print_json(
            {
                "source": r.source,
                "model": cp.model,
                "shrinkage": cp.shrinkage,
                "fte_hours_per_week": cp.fte_hours_per_week,
                "first": cp.first,
                "last": cp.last,
                "summary": rows,
            }
        )
        return
    print_rows(
        rows,
        (
            ("scenario", "scenario", str),
            ("target", "goals", str),
            ("calls", "calls", number),
            ("agent_hours", "agent h", lambda v: number(v, 1)),
            ("scheduled_hours", "scheduled h", lambda v: number(v, 1)),
            ("peak_agents", "peak agents", number),
            ("peak_scheduled", "peak scheduled", number),
            ("fte", "FTE", lambda v: number(v, 1)),
            ("fte_vs_base", "vs base", lambda v: f"{v:+.1f}"),
            ("intervals_met", "intervals met", lambda v: pct(v, 0)),
        ),
        title=f"capacity plan ({cp.model}, shrinkage {cp.shrinkage:.0%}, "
        f"{cp.fte_hours_per_week:g} h per FTE-week) for {r.source}",
        left=("scenario", "target"),
    )


def vars_of(x: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(x)
