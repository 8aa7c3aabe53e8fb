"""Forecasting use cases: forecast from the store, backtest, intraday reforecast, and the
capacity plan on the latest forecast.

Forecast runs are stored in the store's ``forecasts`` table under an id made from the
time of the run and what was asked (the same request at the same ``now`` gives the same
id), so that ``staff`` and ``plan`` can name the forecast they planned.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.model.target import Target
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.forecast.backtest import BacktestResult
    from callscope.forecast.plan import CapacityPlan

__all__ = [
    "BacktestRequest",
    "ForecastRequest",
    "ForecastResult",
    "MadeForecast",
    "PlanRequest",
    "PlanResult",
    "ReforecastRequest",
    "ReforecastResult",
    "backtest",
    "capacity_plan",
    "forecast",
    "make_forecast",
    "reforecast",
    "store_forecast",
]

CHART_SUFFIXES = (".png", ".svg", ".pdf")


def _run_id(now: datetime, request: object) -> str:
    return hashlib.sha256(f"{now.isoformat()}|{request!r}".encode()).hexdigest()[:12]


def _special(items: Sequence[str]) -> Any:
    from callscope.forecast.series import SpecialDays

    try:
        return SpecialDays.parse(list(items))
    except CallscopeError as e:
        raise e.at("special") from None


@dataclass(frozen=True, slots=True)
class ForecastRequest:
    """Forecast ``horizon_s`` ahead from ``start`` (default: the midnight after the last
    contact) at ``interval_s`` (default: the settings' interval)."""

    horizon_s: float = 7 * 86400.0
    interval_s: float | None = None
    start: datetime | None = None
    special: tuple[str, ...] = ()
    models: tuple[str, ...] | None = None
    level: int = 80


@dataclass(frozen=True)
class ForecastResult:
    """A stored forecast run: its id, size, the series it covers and warnings."""

    forecast_id: str
    created_at: datetime
    rows: int
    level: int
    first: datetime  #: first forecast interval
    last: datetime  #: start of the last forecast interval
    series: list[dict[str, Any]]  #: per queue x channel: model, calls, AHT, history ...
    history_first: Any = None  #: first day of history the models used
    history_last: Any = None  #: last day of history (the day before the origin)
    history_days: int = 0  #: days of history used (a left-out gap not counted)
    warnings: tuple[str, ...] = ()  #: gaps in the history, in words


def forecast(settings: Settings, request: ForecastRequest, now: datetime) -> ForecastResult:
    """Forecast every queue x channel of the store and write the ``forecasts`` table
    (:func:`make_forecast`, then :func:`store_forecast`)."""
    return store_forecast(settings, make_forecast(settings, request, now))


@dataclass(frozen=True)
class MadeForecast:
    """A forecast run made but not stored yet: what :func:`store_forecast` writes
    (``table``: the ``forecasts`` rows, ``coverage``: its coverage records) and the
    result it then returns (``rows`` filled in by the write)."""

    table: pa.Table
    coverage: list[dict[str, Any]]
    result: ForecastResult


def make_forecast(
    settings: Settings,
    request: ForecastRequest,
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> MadeForecast:
    """Forecast every queue x channel of the store, reading it only (a server lets its
    pages read meanwhile); ``progress`` hears each step in words."""
    import pyarrow as pa

    from callscope.services.common import open_store
    from callscope.store.forecasts import interval_series

    say = progress or (lambda step: None)
    interval_s = int(request.interval_s or settings.interval_s)
    if interval_s not in (900, 1800, 3600):
        raise CallscopeError("the interval must be 15m, 30m or 60m", field="interval_s")
    if not 1 <= request.level <= 99:
        raise CallscopeError(f"must lie between 1 and 99; got {request.level}", field="level")
    if not request.horizon_s >= interval_s:
        raise CallscopeError("the horizon must be at least one interval", field="horizon_s")
    special = _special(request.special)
    created = now.replace(microsecond=0)
    fid = _run_id(created, request)
    say("reading the history from the store")
    with open_store(settings, create=False) as store:
        if store.count("contacts") == 0:
            raise CallscopeError(
                f"the store {settings.db} has no contacts to forecast from: load some with "
                "`callscope ingest`",
                field="db",
            )
        rows = interval_series(store, interval_s).to_pandas()
    say("choosing and fitting a model per queue and channel")
    from callscope.forecast.forecaster import forecast_intervals  # slow: after the checks

    run = forecast_intervals(
        rows,
        interval_s=interval_s,
        horizon_s=int(request.horizon_s),
        origin=request.start,
        special=special,
        models=list(request.models) if request.models else None,
        level=request.level,
        hours=declared_hours(settings, interval_s),
    )
    out = run.rows.copy()
    out.insert(0, "created_at", created)
    out.insert(0, "forecast_id", fid)
    ts = run.rows["interval_start"]
    cov = run.coverage
    result = ForecastResult(
        forecast_id=fid,
        created_at=created,
        rows=len(out),
        level=request.level,
        first=ts.min().to_pydatetime(),
        last=ts.max().to_pydatetime(),
        series=_series_summary(run),
        history_first=cov.history_first,
        history_last=cov.history_last,
        history_days=int(cov.history_days),
        warnings=tuple(run.warnings),
    )
    table = pa.Table.from_pandas(out, preserve_index=False)
    return MadeForecast(table, run.coverage_records(), result)


def store_forecast(settings: Settings, made: MadeForecast) -> ForecastResult:
    """Write a made forecast run to the ``forecasts`` table (one transaction)."""
    from dataclasses import replace

    from callscope.services.common import open_store
    from callscope.store.forecasts import write_forecasts

    with open_store(settings, write=True, create=False) as store:
        n = write_forecasts(store, made.table, coverage=made.coverage)
    return replace(made.result, rows=n)


def _series_summary(run: Any) -> list[dict[str, Any]]:
    out = []
    r = run.rows
    for c in run.choices:
        g = r[(r["queue"] == c.queue) & (r["channel"] == c.channel)]
        op = g[g["model"] != "closed"]
        calls = float(op["calls"].sum())
        aht = float((op["calls"] * op["aht_s"]).sum() / calls) if calls > 0 else math.nan
        row = {
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
        row["history_first"] = c.history_first
        row["history_last"] = c.history_last
        out.append(row)
    return out


def declared_hours(settings: Settings, interval_s: int) -> Any:
    """The settings' opening hours as the forecast's open calendar, when the center
    declared any (``[hours]`` in its file); ``None`` lets the forecaster learn them."""
    from callscope.forecast.series import OpenHours
    from callscope.settings import WEEKDAYS

    if all(settings.source(f"hours.{d}") == "default" for d in WEEKDAYS):
        return None
    return OpenHours.from_spans([settings.hours[d] for d in WEEKDAYS], interval_s)


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """A rolling-origin backtest of ``series`` (a CSV of timestamp, volume) or of every
    queue x channel of the store."""

    series: Path | None = None
    interval_s: float | None = None
    horizon_s: float = 7 * 86400.0
    origins: int = 4
    selection_origins: int = 4
    models: tuple[str, ...] | None = None
    special: tuple[str, ...] = ()
    chart: Path | None = None


@dataclass(frozen=True)
class BacktestOutcome:
    results: list[tuple[str, BacktestResult]]
    charts: list[Path]


def backtest(settings: Settings, request: BacktestRequest) -> BacktestOutcome:
    """WAPE, MASE, bias and fit time of every model at each origin; the model chosen on
    earlier origins only."""
    from callscope.forecast.backtest import backtest as run
    from callscope.forecast.series import aggregate, read_series_csv
    from callscope.services.common import check_output_file

    interval_s = int(request.interval_s or settings.interval_s)
    if request.origins < 1:
        raise CallscopeError(f"must be >= 1; got {request.origins}", field="origins")
    if request.selection_origins < 0:
        raise CallscopeError(
            f"must be >= 0; got {request.selection_origins}", field="selection_origins"
        )
    sp = _special(request.special)
    if request.chart is not None:
        check_output_file(request.chart, "chart", CHART_SUFFIXES)
    targets: list[tuple[str, Any]] = []
    if request.series is not None:
        try:
            ts, y = read_series_csv(request.series)
        except CallscopeError as e:
            raise e.at("series") from None
        targets.append((request.series.name, aggregate(ts, y, interval_s)))
    else:
        from callscope.forecast.forecaster import _origin, history_series
        from callscope.services.common import open_store
        from callscope.store.forecasts import interval_series

        with open_store(settings) as store:
            rows = interval_series(store, interval_s).to_pandas()
        if rows.empty:
            raise CallscopeError("the store has no offered contacts to backtest", field="db")
        for hs in history_series(rows, interval_s, _origin(rows, None), sp).values():
            targets.append((f"{hs.key[0]}/{hs.key[1]}", hs.series))
    results = []
    charts = []
    for name, s in targets:
        res = run(
            s,
            horizon_s=int(request.horizon_s),
            origins=request.origins,
            selection_origins=request.selection_origins,
            models=list(request.models) if request.models else None,
            special=sp,
        )
        results.append((name, res))
        if request.chart is not None:
            from callscope.export.charts import accuracy_chart

            path = (
                request.chart
                if len(targets) == 1
                else request.chart.with_name(
                    f"{request.chart.stem}-{name.replace('/', '_')}{request.chart.suffix}"
                )
            )
            by_model: dict[str, tuple[list[int], list[float]]] = {}
            for h in res.by_horizon:
                d, w = by_model.setdefault(h.model, ([], []))
                d.append(h.horizon_day)
                w.append(h.wape)
            accuracy_chart(
                by_model,
                path,
                chosen=res.chosen,
                title=f"{name}: WAPE by horizon ({res.origins} origins)",
            )
            charts.append(path)
    return BacktestOutcome(results, charts)


@dataclass(frozen=True, slots=True)
class ReforecastRequest:
    """Reforecast the rest of the day of ``now`` from its actuals so far."""


@dataclass(frozen=True)
class ReforecastResult:
    forecast_id: str
    as_of: datetime
    series: list[dict[str, Any]]


def reforecast(settings: Settings, request: ReforecastRequest, now: datetime) -> ReforecastResult:
    """Update the rest of today in the latest forecast from today's actuals so far
    (intervals that ended by ``now`` are actuals) and store it as a new run."""
    from dataclasses import asdict

    import pyarrow as pa

    from callscope.forecast.reforecast import reforecast_today
    from callscope.services.common import open_store
    from callscope.store.forecasts import interval_series, latest_forecast, write_forecasts

    with open_store(settings, write=True, create=False) as store:
        fc = latest_forecast(store).to_pandas()
        if fc.empty:
            raise CallscopeError(
                "the store has no forecast: run `callscope forecast` first", field="db"
            )
        interval_s = int(fc["interval_s"].iloc[0])
        day0 = datetime(now.year, now.month, now.day)
        act = interval_series(store, interval_s, since=day0, until=now).to_pandas()
        out, updates = reforecast_today(fc, act, now)
        info = [asdict(u) for u in updates]
        if not info:
            first, last = fc["interval_start"].min(), fc["interval_start"].max()
            raise CallscopeError(
                f"the latest forecast covers {first:%Y-%m-%d} to {last:%Y-%m-%d}, not "
                f"{day0:%Y-%m-%d}; give the time of day to reforecast",
                field="now",
            )
        fid = _run_id(now, ("reforecast", fc["forecast_id"].iloc[0]))
        out["forecast_id"] = fid
        out["created_at"] = now.replace(microsecond=0)
        write_forecasts(store, pa.Table.from_pandas(out, preserve_index=False))
    return ReforecastResult(fid, now, info)


@dataclass(frozen=True)
class PlanRequest:
    """A capacity plan on the latest forecast; unset fields come from the settings."""

    target: Target | None = None
    model: str | None = None
    patience_s: float | None = None
    shrinkage: float | None = None
    concurrency: Mapping[str, int] = field(default_factory=dict)
    what_if: tuple[str, ...] = ()
    fte_hours_per_week: float | None = None
    pools: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    output: Path | None = None  #: .csv, .xlsx, .json or .parquet of every interval
    chart: Path | None = None


@dataclass(frozen=True)
class PlanResult:
    plan: CapacityPlan
    source: str  #: which forecast, made when, which days, on which history
    notes: tuple[str, ...]  #: patience estimates
    written: tuple[Path, ...]
    warnings: tuple[str, ...] = ()  #: the forecast's own warnings (gaps in its history)


def capacity_plan(settings: Settings, request: PlanRequest) -> PlanResult:
    """Agents, scheduled staff and FTE for the latest forecast, base and what-ifs."""
    import pyarrow.compute as pc

    from callscope.forecast.plan import capacity_plan as run
    from callscope.forecast.plan import parse_what_if
    from callscope.services.common import check_output_file, patience_for
    from callscope.services.queueing import (
        _latest_forecast_table,
        targets_by_queue,
        with_patience,
    )

    s = settings.override(
        "request",
        model=request.model,
        shrinkage=request.shrinkage,
        fte_hours_per_week=request.fte_hours_per_week,
    )
    if request.output is not None:
        check_output_file(request.output, "output", (".csv", ".xlsx", ".json", ".parquet"))
    if request.chart is not None:
        check_output_file(request.chart, "chart", CHART_SUFFIXES)
    scenarios = [parse_what_if(w) for w in request.what_if]
    fc, source, warnings = _latest_forecast_table(s)
    queues = [str(q) for q in pc.unique(fc.column("queue")).to_pylist()]
    patience, notes = patience_for(s, queues, request.patience_s)
    fc = with_patience(fc, patience)
    target: Target | dict[str, Target] = request.target or targets_by_queue(s, fc)
    cp = run(
        fc,
        target=target,
        model=s.model,
        shrinkage=s.shrinkage,
        concurrency={**s.concurrency, **request.concurrency},
        scenarios=scenarios,
        fte_hours_per_week=s.fte_hours_per_week,
        pools=dict(request.pools) or None,
    )
    written: list[Path] = []
    if request.output is not None:
        _write_plan(cp, request.output)
        written.append(request.output)
    if request.chart is not None:
        _plan_chart(cp, request.chart)
        written.append(request.chart)
    return PlanResult(cp, source, tuple(notes), tuple(written), tuple(warnings))


def _write_plan(cp: CapacityPlan, path: Path) -> None:
    from callscope.export.tables import write_table

    suffix = path.suffix.lower()
    meta = {
        "model": cp.model,
        "shrinkage": cp.shrinkage,
        "fte_hours_per_week": cp.fte_hours_per_week,
    }
    if suffix == ".xlsx":
        _write_plan_xlsx(cp, path, meta)
        return
    write_table(cp.intervals, suffix.lstrip("."), path, meta)


def _write_plan_xlsx(cp: CapacityPlan, path: Path, meta: dict[str, Any]) -> None:
    from callscope.export.tables import write_workbook

    write_workbook(path, {"summary": cp.summary_table(), "intervals": cp.intervals}, meta)


def _plan_chart(cp: CapacityPlan, path: Path) -> None:
    from callscope.export.charts import plan_chart

    t = cp.intervals
    scheduled: dict[str, tuple[list[Any], list[float]]] = {}
    calls: tuple[list[Any], list[float]] = ([], [])
    for s in cp.summary:
        rows = t.filter(_eq(t, "scenario", s.scenario))
        g = (
            rows.group_by("interval_start")
            .aggregate([("scheduled_agents", "sum"), ("calls", "sum")])
            .sort_by("interval_start")
        )
        x = g.column("interval_start").to_pylist()
        scheduled[s.scenario] = (x, g.column("scheduled_agents_sum").to_pylist())
        if s.scenario == "base":
            calls = (x, g.column("calls_sum").to_pylist())
    plan_chart(scheduled, calls, path, shrinkage=cp.shrinkage)


def _eq(t: pa.Table, col: str, value: str) -> Any:
    import pyarrow.compute as pc

    return pc.equal(t.column(col), value)
