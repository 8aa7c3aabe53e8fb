"""``callscope erlang b|c|a``, ``callscope staff`` and ``callscope simulate``."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from callscope.cli.app import DbOption, app, check_output, console, err_console, resolve_db
from callscope.errors import CallscopeError

__all__ = ["erlang_a_cmd", "erlang_b_cmd", "erlang_c_cmd", "simulate", "staff"]


erlang_app = typer.Typer(help="Erlang B, C and A metrics for one interval.", no_args_is_help=True)
app.add_typer(erlang_app, name="erlang")


class OutFormat(StrEnum):
    table = "table"
    json = "json"


class PlanFormat(StrEnum):
    csv = "csv"
    json = "json"
    table = "table"


class Model(StrEnum):
    erlang_c = "erlang-c"
    erlang_a = "erlang-a"


Calls = Annotated[float, typer.Option("--calls", help="Calls offered in the interval.")]
IntervalS = Annotated[float, typer.Option("--interval-s", help="Interval length, seconds.")]
AhtS = Annotated[float, typer.Option("--aht-s", help="Average handle time, seconds.")]
Agents = Annotated[
    float, typer.Option("--agents", help="Agents on the phones (fractional allowed, interpolated).")
]
ThresholdS = Annotated[
    float, typer.Option("--threshold-s", help="Service-level threshold T, seconds.")
]
FormatOpt = Annotated[OutFormat, typer.Option("--format", help="Output format.")]


def _check_point(
    calls: float, interval_s: float, aht_s: float, agents: float, threshold_s: float = 0.0
) -> None:
    for name, v, ok in (
        ("--threshold-s", threshold_s, threshold_s >= 0),
        ("--calls", calls, calls >= 0),
        ("--interval-s", interval_s, interval_s > 0),
        ("--aht-s", aht_s, aht_s > 0),
        ("--agents", agents, agents >= 0),
    ):
        if not ok or not np.isfinite(v):
            raise CallscopeError(
                f"{name} must be "
                f"{'>= 0' if name in ('--calls', '--agents', '--threshold-s') else '> 0'}"
                f" and finite; got {v}"
            )


def _print_point(title: str, values: dict[str, Any], fmt: OutFormat) -> None:
    if fmt is OutFormat.json:
        sys.stdout.write(json.dumps(values, indent=2) + "\n")
        return
    t = Table(title=title, title_justify="left")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for k, v in values.items():
        t.add_row(k, v if isinstance(v, str) else str(v) if isinstance(v, bool) else f"{v:.6g}")
    console.print(t)


def _point(m: Any, extra: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "traffic",
        "agents",
        "p_wait",
        "service_level",
        "asa_s",
        "mean_wait_s",
        "occupancy",
        "p_abandon",
        "p_abandon_within_t",
        "queue_length",
    )
    out = {k: float(getattr(m, k)) for k in keys}
    out.update(extra)
    out["stable"] = bool(m.stable)
    return out


@erlang_app.command("b")
def erlang_b_cmd(
    calls: Calls,
    aht_s: AhtS,
    agents: Agents,
    interval_s: IntervalS = 1800.0,
    threshold_s: ThresholdS = 20.0,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """Erlang B (M/M/N/N): blocking when callers who find every agent busy are refused.

    Nobody waits, so the service level is 1 - blocking for any threshold."""
    from callscope.queueing.erlang import loss_system

    _check_point(calls, interval_s, aht_s, agents, threshold_s)
    m = loss_system(calls, aht_s, agents, interval_s=interval_s)
    vals = {
        k: float(getattr(m, k))
        for k in (
            "traffic",
            "agents",
            "blocking",
            "p_wait",
            "service_level",
            "asa_s",
            "occupancy",
            "p_abandon",
        )
    }
    _print_point("Erlang B", vals, fmt)


@erlang_app.command("c")
def erlang_c_cmd(
    calls: Calls,
    aht_s: AhtS,
    agents: Agents,
    interval_s: IntervalS = 1800.0,
    threshold_s: ThresholdS = 20.0,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """Erlang C (M/M/N): callers wait as long as it takes. Unstable when load >= agents."""
    from callscope.queueing.erlang import erlang_c

    _check_point(calls, interval_s, aht_s, agents, threshold_s)
    m = erlang_c(calls, aht_s, agents, interval_s=interval_s, threshold_s=threshold_s)
    _print_point("Erlang C", _point(m, {}), fmt)
    if not bool(m.stable) and fmt is OutFormat.table:
        err_console.print(
            "[yellow]unstable:[/] the load is at or above the agents; the queue "
            "grows without end (try `callscope erlang a` with --patience-s)"
        )


@erlang_app.command("a")
def erlang_a_cmd(
    calls: Calls,
    aht_s: AhtS,
    agents: Agents,
    patience_s: Annotated[
        float, typer.Option("--patience-s", help="Mean patience before abandoning, seconds.")
    ],
    interval_s: IntervalS = 1800.0,
    threshold_s: ThresholdS = 20.0,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """Erlang A (M/M/N+M): callers abandon after an exponential patience."""
    from callscope.queueing.erlang import erlang_a

    _check_point(calls, interval_s, aht_s, agents, threshold_s)
    if not patience_s > 0:
        raise CallscopeError(f"--patience-s must be > 0; got {patience_s}")
    m = erlang_a(calls, aht_s, agents, patience_s, interval_s=interval_s, threshold_s=threshold_s)
    _print_point("Erlang A", _point(m, {"patience_s": patience_s}), fmt)


def _parse_target(target: str) -> tuple[float, float]:
    try:
        pct, secs = target.split("/")
        sl, t = float(pct) / 100.0, float(secs)
    except ValueError:
        raise CallscopeError(
            f"--target must look like 80/20 (percent/seconds); got {target!r}"
        ) from None
    if not (0.0 <= sl < 1.0 and t >= 0):
        raise CallscopeError(f"--target {target!r}: percent must be in [0, 100), seconds >= 0")
    return sl, t


def _read_csv(path: Path) -> dict[str, list[Any]]:
    import pandas as pd

    if not path.exists():
        raise CallscopeError(f"input file {path} does not exist")
    if path.is_dir():
        raise CallscopeError(f"--input {path} is a folder; pass a CSV file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CallscopeError(
            f"cannot read {path} as CSV: it is not UTF-8 text (a binary file, or another "
            "encoding such as Latin-1); re-save it as UTF-8 CSV"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise CallscopeError(f"cannot read {path} as CSV: {e}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return {c: [v if v != "" else float("nan") for v in frame[c].tolist()] for c in frame.columns}


def _latest_forecast(db: Path) -> dict[str, list[Any]]:
    """The newest forecast (largest created_at) in the store's ``forecasts`` table."""
    from callscope.store import Store
    from callscope.store.forecasts import latest_forecast

    if not db.exists():
        raise CallscopeError(f"no store at {db}: run `callscope forecast` first or pass --input")
    store = Store(db, read_only=True)
    try:
        table = latest_forecast(store)
    finally:
        store.close()
    if table.num_rows == 0:
        raise CallscopeError(
            "the store has no forecast: run `callscope forecast` first or pass --input FILE.csv"
        )
    names = [
        n
        for n in ("interval_start", "queue", "channel", "calls", "aht_s", "interval_s")
        if n in table.column_names
    ]
    return {n: table.column(n).to_pylist() for n in names}


def _store_patience(db: Path, queues: list[str]) -> dict[str, float]:
    from callscope.store import Store
    from callscope.store.patience import queue_patience

    if not db.exists():
        raise CallscopeError(
            "model erlang-a needs patience: add a patience_s column, pass "
            f"--patience-s, or ingest contacts into a store (none at {db})"
        )
    store = Store(db, read_only=True)
    try:
        est = queue_patience(store, queues=sorted(set(queues)))
    finally:
        store.close()
    # nobody abandoned: infinite patience, i.e. Erlang C for that queue
    got = {g: p for g, p in zip(est.groups, est.patience_s, strict=True) if not np.isnan(p)}
    for g, p, d in zip(est.groups, est.patience_s, est.abandons, strict=True):
        note = (
            f"{p:.0f} s ({int(d)} abandons; total wait / abandons)"
            if np.isfinite(p)
            else "nobody abandoned: no abandonment assumed (Erlang C)"
        )
        err_console.print(
            f"patience of queue {g!r} estimated from the store: {note}", highlight=False
        )
    return got


@app.command()
def staff(
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="CSV with interval_start, queue, calls, aht_s "
            "[patience_s, interval_s]; default: the latest forecast in the store.",
        ),
    ] = None,
    target: Annotated[str, typer.Option(help="Service-level target percent/seconds.")] = "80/20",
    model: Annotated[Model, typer.Option(help="Queueing model.")] = Model.erlang_c,
    asa_s: Annotated[float | None, typer.Option("--asa-s", help="Maximum ASA, seconds.")] = None,
    max_abandon: Annotated[
        float | None, typer.Option(help="Maximum abandonment rate (erlang-a), e.g. 0.05.")
    ] = None,
    max_occupancy: Annotated[
        float | None, typer.Option(help="Maximum occupancy, e.g. 0.85.")
    ] = None,
    shrinkage: Annotated[
        float, typer.Option(help="Share of paid time off the phones, e.g. 0.3.")
    ] = 0.0,
    concurrency: Annotated[
        int,
        typer.Option(
            help="Contacts an agent handles at once (chat); with a channel column, applied "
            "to non-voice rows only."
        ),
    ] = 1,
    patience_s: Annotated[
        float | None,
        typer.Option(
            "--patience-s",
            help="Mean patience, seconds (erlang-a); default: the input's "
            "patience_s column, else estimated from the store.",
        ),
    ] = None,
    interval_s: Annotated[
        float,
        typer.Option("--interval-s", help="Interval length when the input has no interval_s."),
    ] = 1800.0,
    fmt: Annotated[PlanFormat, typer.Option("--format", help="Output format.")] = PlanFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Agents needed per interval to meet the targets, with the service they give."""
    from callscope.queueing.plan import plan_columns

    sl, t = _parse_target(target)
    for name, v, lo, hi in (
        ("--shrinkage", shrinkage, 0.0, 0.999),
        ("--max-occupancy", max_occupancy, 0.01, 1.0),
        ("--max-abandon", max_abandon, 1e-6, 1.0),
    ):
        if v is not None and not lo <= v <= hi:
            raise CallscopeError(f"{name} must lie in [{lo}, {hi}]; got {v}")
    if concurrency < 1:
        raise CallscopeError(f"--concurrency must be >= 1; got {concurrency}")
    if not (interval_s > 0 and np.isfinite(interval_s)):
        raise CallscopeError(f"--interval-s must be > 0 and finite; got {interval_s}")
    if output is not None:
        check_output(output, "--output")
    columns = _read_csv(input) if input is not None else _latest_forecast(resolve_db(db))
    patience: float | dict[str, float] | None = patience_s
    if model is Model.erlang_a and patience_s is None and "patience_s" not in columns:
        patience = _store_patience(resolve_db(db), [str(q) for q in columns.get("queue", [])])
    plan = plan_columns(
        columns,
        model=model.value,
        sl_target=sl,
        sl_threshold_s=t,
        asa_target_s=asa_s,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        concurrency=concurrency,
        patience_s=patience,
        interval_s=interval_s,
    )
    text = _render(plan, fmt)
    if output is not None:
        output.write_text(text)
        err_console.print(f"wrote {len(plan['agents'])} intervals to {output}")
    elif fmt is PlanFormat.table:
        _print_plan_table(plan)
    else:
        sys.stdout.write(text)
    unmet = int((~np.asarray(plan["met"])).sum())
    if unmet:
        err_console.print(f"[yellow]{unmet} interval(s) cannot meet the targets[/]")


def _cell(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if not np.isfinite(f) else round(f, 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v if isinstance(v, (int, str, bool)) or v is None else str(v)


def _rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    names = list(plan)
    n = len(plan["agents"])
    return [{k: _cell(plan[k][i]) for k in names} for i in range(n)]


def _render(plan: dict[str, Any], fmt: PlanFormat) -> str:
    rows = _rows(plan)
    if fmt is PlanFormat.json:
        return json.dumps(rows, indent=2) + "\n"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(plan), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _print_plan_table(plan: dict[str, Any]) -> None:
    t = Table(title="staffing plan", title_justify="left")
    cols = {
        "interval_start": "start",
        "queue": "queue",
        "calls": "calls",
        "aht_s": "AHT s",
        "agents": "agents",
        "scheduled_agents": "sched",
        "service_level": "SL",
        "asa_s": "ASA s",
        "p_abandon": "aband",
        "occupancy": "occ",
    }
    for c, head in cols.items():
        t.add_column(head, justify="left" if c in ("interval_start", "queue") else "right")
    for r in _rows(plan):
        t.add_row(*(f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    console.print(t)


def _store_distributions(db: Path, queues: list[str]) -> dict[str, tuple[Any, Any]]:
    """Empirical handle time and Kaplan-Meier patience per queue from the store."""
    from callscope.queueing.distributions import Distribution
    from callscope.queueing.patience import kaplan_meier
    from callscope.store import Store
    from callscope.store.patience import handle_times, queue_waits

    if not db.exists():
        raise CallscopeError(f"--from-store needs a store with contacts; none at {db}")
    out: dict[str, tuple[Any, Any]] = {}
    store = Store(db, read_only=True)
    try:
        for q in queues:
            h = handle_times(store, q)
            w, ab = queue_waits(store, q)
            if h.size < 30 or w.size < 30:
                raise CallscopeError(
                    f"queue {q!r} has too few stored contacts ({h.size} "
                    "answered) for empirical distributions; drop "
                    "--from-store or ingest more data"
                )
            out[q] = (Distribution.empirical(h), kaplan_meier(w, ab).distribution())
            err_console.print(
                f"queue {q!r}: handle time from {h.size:,} answered calls, "
                f"patience (Kaplan-Meier) from {w.size:,} waits, "
                f"{int(ab.sum()):,} abandons",
                highlight=False,
            )
    finally:
        store.close()
    return out


def _center_from_plan(
    columns: dict[str, list[Any]],
    handle: str,
    handle_cv: float,
    patience_s: float | None,
    interval_s: float,
    dists: dict[str, tuple[Any, Any]] | None = None,
) -> Any:
    """One single-skill agent group per queue, from a plan with ``agents`` per row;
    ``dists`` (queue -> handle, patience) overrides the parametric distributions."""
    from datetime import datetime

    from callscope.queueing.distributions import Distribution
    from callscope.queueing.plan import numeric_column
    from callscope.queueing.simulate import AgentGroup, Center, Queue

    for col in ("interval_start", "queue", "calls", "aht_s", "agents"):
        if col not in columns:
            raise CallscopeError(
                f"input has no column {col!r}; simulate needs interval_start, "
                "queue, calls, aht_s, agents (e.g. the output of "
                "`callscope staff`)"
            )
    calls = numeric_column("calls", columns["calls"])
    aht = numeric_column("aht_s", columns["aht_s"])
    agents = numeric_column("agents", columns["agents"])
    pat = (
        numeric_column("patience_s", columns["patience_s"])
        if "patience_s" in columns
        else np.full(calls.shape, np.inf if patience_s is None else patience_s)
    )
    if "interval_s" in columns:
        ivs = np.unique(numeric_column("interval_s", columns["interval_s"]))
        if ivs.size != 1:
            raise CallscopeError("simulate needs one interval_s for every row")
        interval_s = float(ivs[0])
    starts = [str(v) for v in columns["interval_start"]]
    grid = sorted(set(starts))
    pos = {v: i for i, v in enumerate(grid)}
    queues, groups = [], []
    names = [str(q) for q in columns["queue"]]
    for qname in sorted(set(names)):
        rows = [i for i, q in enumerate(names) if q == qname]
        c = np.zeros(len(grid))
        a = np.zeros(len(grid))
        for i in rows:
            c[pos[starts[i]]] += calls[i]
            a[pos[starts[i]]] = agents[i]
        mean_aht = float(np.average(aht[rows], weights=np.maximum(calls[rows], 1e-9)))
        mean_pat = (
            float(np.average(pat[rows], weights=np.maximum(calls[rows], 1e-9)))
            if np.isfinite(pat[rows]).all()
            else np.inf
        )
        dist = (
            Distribution.lognormal(mean_aht, handle_cv)
            if handle == "lognormal"
            else Distribution.exponential(mean_aht)
        )
        pdist = (
            Distribution.exponential(mean_pat) if np.isfinite(mean_pat) else Distribution.never()
        )
        if dists is not None:
            dist, pdist = dists[qname]
        queues.append(Queue(qname, c, dist, pdist))
        groups.append(AgentGroup(qname, a, (qname,)))
    try:
        start = datetime.fromisoformat(grid[0])
    except ValueError:
        start = datetime(2024, 1, 1)
    return Center(tuple(queues), tuple(groups), interval_s, start)


def _num(v: Any) -> float | None:
    """A float for JSON, None where undefined (no calls)."""
    f = float(v)
    return f if np.isfinite(f) else None


class Handle(StrEnum):
    exponential = "exponential"
    lognormal = "lognormal"


@app.command()
def simulate(
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="Plan CSV with interval_start, queue, calls, aht_s, agents "
            "[patience_s, interval_s] (e.g. from `callscope staff`).",
        ),
    ] = None,
    calls: Annotated[
        float | None, typer.Option(help="Calls per interval (without --input).")
    ] = None,
    aht_s: Annotated[
        float | None, typer.Option("--aht-s", help="Mean handle time, seconds.")
    ] = None,
    agents: Annotated[int | None, typer.Option(help="Agents on shift (without --input).")] = None,
    patience_s: Annotated[
        float | None,
        typer.Option(
            "--patience-s", help="Mean (exponential) patience, seconds; default: never abandon."
        ),
    ] = None,
    intervals: Annotated[int, typer.Option(help="Intervals to simulate (without --input).")] = 16,
    interval_s: Annotated[
        float, typer.Option("--interval-s", help="Interval length, seconds.")
    ] = 1800.0,
    handle: Annotated[Handle, typer.Option(help="Handle-time distribution.")] = Handle.exponential,
    handle_cv: Annotated[float, typer.Option(help="Coefficient of variation (lognormal).")] = 1.0,
    threshold_s: Annotated[
        float, typer.Option("--threshold-s", help="SL threshold, seconds.")
    ] = 20.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    from_store: Annotated[
        bool,
        typer.Option(
            "--from-store",
            help="With --input: handle times and patience (Kaplan-Meier) of "
            "each queue resampled from the store's contacts.",
        ),
    ] = False,
    save: Annotated[
        bool,
        typer.Option("--save", help="Store the simulated contacts and agent_states in the store."),
    ] = False,
    fmt: FormatOpt = OutFormat.table,
    db: DbOption = None,
) -> None:
    """Simulate a center (or a staffing plan) and compare it with Erlang A/C."""
    import hashlib

    from callscope.queueing.distributions import Distribution
    from callscope.queueing.erlang import erlang_a, erlang_c
    from callscope.queueing.simulate import AgentGroup, Center, Queue
    from callscope.queueing.simulate import simulate as run

    if patience_s is not None and not (patience_s > 0 and np.isfinite(patience_s)):
        raise CallscopeError(
            f"--patience-s must be > 0 and finite; got {patience_s} (leave it out: never abandon)"
        )
    if not (handle_cv > 0 and np.isfinite(handle_cv)):
        raise CallscopeError(f"--handle-cv must be > 0 and finite; got {handle_cv}")
    if not threshold_s >= 0:
        raise CallscopeError(f"--threshold-s must be >= 0; got {threshold_s}")
    if input is not None:
        columns = _read_csv(input)
        dists = (
            _store_distributions(resolve_db(db), sorted({str(q) for q in columns.get("queue", [])}))
            if from_store
            else None
        )
        center = _center_from_plan(columns, handle.value, handle_cv, patience_s, interval_s, dists)
    else:
        if from_store:
            raise CallscopeError("--from-store needs --input PLAN.csv (queues by name)")
        if calls is None or aht_s is None or agents is None:
            raise CallscopeError("pass --input PLAN.csv, or --calls, --aht-s and --agents")
        _check_point(calls, interval_s, aht_s, agents, threshold_s)
        if intervals < 1:
            raise CallscopeError("--intervals must be >= 1")
        dist = (
            Distribution.lognormal(aht_s, handle_cv)
            if handle is Handle.lognormal
            else Distribution.exponential(aht_s)
        )
        pat = Distribution.exponential(patience_s) if patience_s else Distribution.never()
        center = Center(
            (Queue("queue", [calls] * intervals, dist, pat),),
            (AgentGroup("agents", agents, ("queue",)),),
            interval_s,
        )
    res = run(center, rng=seed)
    s = res.summary(threshold_s=threshold_s)
    rows = []
    for k, q in enumerate(center.queues):
        c = np.asarray(q.calls, dtype=np.float64)
        grp = np.asarray(center.groups[k].agents, dtype=np.float64) * np.ones_like(c)
        p = q.patience.mean
        m = (
            erlang_a(
                c, q.handle.mean, grp, p, interval_s=center.interval_s, threshold_s=threshold_s
            )
            if np.isfinite(p)
            else erlang_c(
                c, q.handle.mean, grp, interval_s=center.interval_s, threshold_s=threshold_s
            )
        )
        w = c / c.sum() if c.sum() > 0 else np.full(c.size, 1 / c.size)
        rows.append(
            {
                "queue": q.name,
                "offered": int(s.offered[k]),
                "answered": int(s.answered[k]),
                "abandoned": int(s.abandoned[k]),
                "service_level": _num(s.service_level[k]),
                "asa_s": _num(s.asa_s[k]),
                "p_abandon": _num(s.p_abandon[k]),
                "erlang_service_level": _num((w * m.service_level).sum()),
                "erlang_p_abandon": _num((w * m.p_abandon).sum()),
            }
        )
    summary: dict[str, Any] = {
        "calls": res.calls,
        "occupancy": _num(s.occupancy),
        "seed": seed,
        "queues": rows,
    }
    if save:
        from callscope.store import Store

        run_id = hashlib.sha256(repr((center, seed)).encode()).hexdigest()
        store = Store(resolve_db(db))
        try:
            with store.batch(f"simulate:{run_id[:12]}", "simulate", run_id) as b:
                b.rows_read = res.calls
                b.append("contacts", res.contacts(run_id[:12]))
                b.append("agent_states", res.agent_states())
        finally:
            store.close()
        summary["saved_to"] = str(resolve_db(db))
    if fmt is OutFormat.json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str, allow_nan=False) + "\n")
        return
    t = Table(
        title=f"simulated {res.calls:,} calls (seed {seed}); occupancy {s.occupancy:.3f}",
        title_justify="left",
    )
    for col in (
        "queue",
        "offered",
        "answered",
        "abandoned",
        "SL",
        "ASA s",
        "P(ab)",
        "Erlang SL",
        "Erlang P(ab)",
    ):
        t.add_column(col, justify="left" if col == "queue" else "right")
    for r in rows:
        t.add_row(
            *(
                "—" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)
                for v in r.values()
            )
        )
    console.print(t)
    if save:
        console.print(f"contacts and agent_states saved to {summary['saved_to']}")
