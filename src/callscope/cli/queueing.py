"""``callscope erlang b|c|a``, ``callscope staff`` and ``callscope simulate``."""

from __future__ import annotations

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

__all__ = ["erlang_a_cmd", "erlang_b_cmd", "erlang_c_cmd", "simulate_cmd", "staff_cmd"]

erlang_app = typer.Typer(
    help="Erlang B, C and A for one interval: the service N agents give, or the agents a "
    "target needs.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(erlang_app, name="erlang")


class PointFormat(StrEnum):
    table = "table"
    json = "json"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


class Model(StrEnum):
    erlang_c = "erlang-c"
    erlang_a = "erlang-a"


Calls = Annotated[float, typer.Option("--calls", help="Calls offered in the interval.")]
AhtS = Annotated[float, typer.Option("--aht-s", help="Average handle time, seconds.")]
Agents = Annotated[
    float | None,
    typer.Option(
        "--agents",
        help="Agents on the phones (fractional allowed); leave out to get the agents the "
        "target needs.",
        show_default=False,
    ),
]
PointFmt = Annotated[PointFormat, typer.Option("--format", help="Output format.")]

_POINT_ROWS = (
    ("agents", "agents", lambda v: number(v, 2 if v % 1 else 0)),
    ("traffic", "traffic (Erlangs)", lambda v: number(v, 3)),
    ("service_level", "service level", lambda v: pct(v, 2)),
    ("p_wait", "P(wait)", lambda v: pct(v, 2)),
    ("asa_s", "ASA", seconds),
    ("mean_wait_s", "mean wait, all callers", seconds),
    ("p_abandon", "abandonment", lambda v: pct(v, 2)),
    ("p_abandon_within_t", "abandoned within T", lambda v: pct(v, 2)),
    ("blocking", "blocked", lambda v: pct(v, 2)),
    ("occupancy", "occupancy", lambda v: pct(v, 1)),
    ("queue_length", "mean queue length", lambda v: number(v, 2)),
)


def _point(
    model: str,
    calls: float,
    aht_s: float,
    agents: float | None,
    patience_s: float | None,
    interval: str | None,
    target: str | None,
    fmt: PointFormat,
    settings: Path | None,
) -> None:
    from callscope.services.queueing import ErlangRequest, erlang

    s = a.load(settings)
    req = ErlangRequest(
        model=model,
        calls=calls,
        aht_s=aht_s,
        agents=agents,
        patience_s=patience_s,
        interval_s=a.duration(interval, "interval_s") or 1800.0,
        target=a.target(target),
    )
    r = erlang(s, req)
    if fmt is PointFormat.json:
        a.print_json(r.as_dict())
        return
    title = (
        f"{model}: {number(calls, 1 if calls % 1 else 0)} calls in "
        f"{r.interval_s / 60:g} min, AHT {aht_s:g} s"
        + (f", patience {patience_s:g} s" if r.patience_s is not None else "")
    )
    rows = [
        {"metric": head, "value": fmt_(getattr(r, key))}
        for key, head, fmt_ in _POINT_ROWS
        if getattr(r, key) is not None or key in ("asa_s",)
        if not (key == "blocking" and model != "erlang-b")
        if not (key in ("p_abandon", "p_abandon_within_t") and model != "erlang-a")
    ]
    if model == "erlang-b":
        rows = [
            x
            for x in rows
            if x["metric"] not in ("ASA", "P(wait)", "mean wait, all callers", "mean queue length")
        ]
    verdict = (
        f"{r.agents:g} agents: the fewest that meet {r.target} (T = {r.threshold_s:g} s)"
        if r.agents_searched
        else f"goal {r.target}: {'met' if r.met else 'NOT met'} (T = {r.threshold_s:g} s)"
    )
    print_rows(
        rows,
        (("metric", "metric", str), ("value", "value", str)),
        title=title,
        caption=verdict,
        left=("metric",),
    )
    if not r.stable:
        say(
            "unstable: the load is at or above the agents; the queue grows without end "
            "(Erlang A with --patience-s models callers who give up)"
        )


IntervalLen = Annotated[
    str | None,
    typer.Option(
        "--interval", help="Interval length, e.g. 30m, 15m, 1h [30m].", show_default=False
    ),
]


@erlang_app.command("b")
def erlang_b_cmd(
    calls: Calls,
    aht_s: AhtS,
    agents: Annotated[float, typer.Option("--agents", help="Lines (agents), fractional allowed.")],
    interval: IntervalLen = None,
    fmt: PointFmt = PointFormat.table,
    settings: SettingsOpt = None,
) -> None:
    """Erlang B (M/M/N/N): callers who find every agent busy are refused (blocked)."""
    _point("erlang-b", calls, aht_s, agents, None, interval, None, fmt, settings)


@erlang_app.command("c")
def erlang_c_cmd(
    calls: Calls,
    aht_s: AhtS,
    agents: Agents = None,
    interval: IntervalLen = None,
    target: TargetOpt = None,
    fmt: PointFmt = PointFormat.table,
    settings: SettingsOpt = None,
) -> None:
    """Erlang C (M/M/N): callers wait as long as it takes. Without --agents: the agents
    the target needs."""
    _point("erlang-c", calls, aht_s, agents, None, interval, target, fmt, settings)


@erlang_app.command("a")
def erlang_a_cmd(
    calls: Calls,
    aht_s: AhtS,
    patience_s: Annotated[
        float, typer.Option("--patience-s", help="Mean patience before abandoning, seconds.")
    ],
    agents: Agents = None,
    interval: IntervalLen = None,
    target: TargetOpt = None,
    fmt: PointFmt = PointFormat.table,
    settings: SettingsOpt = None,
) -> None:
    """Erlang A (M/M/N+M): callers abandon after an exponential patience. Without
    --agents: the agents the target needs."""
    _point("erlang-a", calls, aht_s, agents, patience_s, interval, target, fmt, settings)


_PLAN_COLUMNS = (
    ("interval_start", "start", str),
    ("queue", "queue", str),
    ("calls", "calls", lambda v: number(v, 1)),
    ("aht_s", "AHT", seconds),
    ("target", "goal", str),
    ("agents", "agents", number),
    ("scheduled_agents", "scheduled", number),
    ("service_level", "SL", pct),
    ("asa_s", "ASA", seconds),
    ("p_abandon", "abandon", pct),
    ("occupancy", "occupancy", pct),
)
_TABLE_ROWS = 200


def print_plan(table: Any, title: str) -> None:
    """A plan table on the terminal: every interval when there are few, else a summary
    per queue (and a pointer to the file formats)."""
    if table.num_rows <= _TABLE_ROWS:
        print_rows(
            table.to_pylist(),
            _PLAN_COLUMNS,
            title=title,
            left=("interval_start", "queue", "target"),
        )
        return
    g = table.group_by("queue").aggregate(
        [
            ("calls", "sum"),
            ("agents", "max"),
            ("scheduled_agents", "max"),
            ("agents", "mean"),
            ("met", "min"),
            ("interval_start", "count"),
        ]
    )
    rows = g.sort_by("queue").to_pylist()
    print_rows(
        rows,
        (
            ("queue", "queue", str),
            ("interval_start_count", "intervals", number),
            ("calls_sum", "calls", number),
            ("agents_mean", "mean agents", lambda v: number(v, 1)),
            ("agents_max", "peak agents", number),
            ("scheduled_agents_max", "peak scheduled", number),
            ("met_min", "all goals met", lambda v: "yes" if v else "no"),
        ),
        title=f"{title} — summary per queue ({table.num_rows:,} intervals; every interval: "
        "--format csv -o plan.csv)",
        left=("queue",),
    )


def output_kind(fmt: TableFormat, output: Path) -> str:
    """The file format for ``--output``: ``--format`` when given, else the suffix.
    Checked before any work is done."""
    from callscope.services.common import check_output_file

    check_output_file(output, "output")
    if fmt is not TableFormat.table:
        return fmt.value
    kind = output.suffix.lstrip(".").lower()
    if kind not in ("csv", "json", "parquet", "xlsx"):
        from callscope.errors import CallscopeError

        raise CallscopeError(
            f"cannot tell the file type of {output.name}: end it in .csv, .json, .parquet "
            "or .xlsx, or give --format",
            field="output",
        )
    return kind


def write_or_print(
    table: Any, fmt: TableFormat, output: Path | None, title: str, meta: dict[str, Any]
) -> None:
    """The one way a command hands an Arrow table to the user."""
    from callscope.export.tables import write_table

    if output is not None:
        write_table(table, output_kind(fmt, output), output, meta)
        say(f"wrote {table.num_rows:,} rows to {output}")
        return
    if fmt is TableFormat.table:
        print_plan(table, title)
        return
    text = write_table(table, fmt.value, None, meta)
    import sys

    sys.stdout.write(text or "")


@app.command("staff")
def staff_cmd(
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="CSV with interval_start, queue, calls, aht_s [channel, interval_s, "
            "patience_s]; default: the latest forecast in the store.",
            show_default=False,
        ),
    ] = None,
    target: TargetOpt = None,
    model: Annotated[
        Model | None,
        typer.Option("--model", help="Queueing model [settings, erlang-c].", show_default=False),
    ] = None,
    patience_s: PatienceOpt = None,
    shrinkage: ShrinkageOpt = None,
    concurrency: ConcurrencyOpt = None,
    pool: PoolOpt = None,
    interval: IntervalOpt = None,
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="Output format.")
    ] = TableFormat.table,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Agents needed per interval to meet each queue's goal, with the service they give."""
    from callscope.services.queueing import StaffRequest, staff

    s = a.load(settings, db)
    if output is not None:
        output_kind(fmt, output)
    req = StaffRequest(
        input=input,
        target=a.target(target),
        model=model.value if model else None,
        patience_s=patience_s,
        shrinkage=a.share(shrinkage, "shrinkage"),
        concurrency=a.concurrency(concurrency),
        interval_s=a.duration(interval, "interval_s"),
        pools=a.pools(pool),
    )
    r = staff(s, req)
    for note in r.notes:
        say(note)
    for w in r.warnings:
        a.warn(w)
    meta = {"source": r.source, "model": r.model, "shrinkage": r.shrinkage}
    write_or_print(
        r.table,
        fmt,
        output,
        f"staffing plan ({r.model}, shrinkage {r.shrinkage:.0%}) from {r.source}",
        meta,
    )
    if r.unmet:
        say(f"{r.unmet:,} interval(s) cannot meet their goals (column met = false)")


class Handle(StrEnum):
    exponential = "exponential"
    lognormal = "lognormal"


@app.command("simulate")
def simulate_cmd(
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="Plan CSV with interval_start, queue, calls, aht_s, agents [patience_s, "
            "interval_s] (e.g. from `callscope staff --format csv`).",
            show_default=False,
        ),
    ] = None,
    calls: Annotated[
        float | None,
        typer.Option("--calls", help="Calls per interval (without --input).", show_default=False),
    ] = None,
    aht_s: Annotated[
        float | None, typer.Option("--aht-s", help="Mean handle time, seconds.", show_default=False)
    ] = None,
    agents: Annotated[
        int | None,
        typer.Option("--agents", help="Agents on shift (without --input).", show_default=False),
    ] = None,
    patience_s: Annotated[
        float | None,
        typer.Option(
            "--patience-s",
            help="Mean (exponential) patience, seconds [never abandon].",
            show_default=False,
        ),
    ] = None,
    intervals: Annotated[
        int, typer.Option("--intervals", help="Intervals to simulate (without --input).")
    ] = 16,
    interval: IntervalLen = None,
    handle: Annotated[
        Handle, typer.Option("--handle", help="Handle-time distribution.")
    ] = Handle.exponential,
    handle_cv: Annotated[
        float, typer.Option("--handle-cv", help="Coefficient of variation (lognormal).")
    ] = 1.0,
    sl_threshold: Annotated[
        str | None,
        typer.Option(
            "--sl-threshold", help="Service-level threshold T, e.g. 20s [20 s].", show_default=False
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same run.")] = 0,
    from_store: Annotated[
        bool,
        typer.Option(
            "--from-store",
            help="With --input: handle times and patience (Kaplan-Meier) of each queue "
            "resampled from the store's contacts.",
        ),
    ] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Store the simulated contacts and agent states.")
    ] = False,
    fmt: PointFmt = PointFormat.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Simulate a center (or a staffing plan) call by call and set it against Erlang."""
    from callscope.services.simulation import SimulateRequest, simulate

    s = a.load(settings, db)
    req = SimulateRequest(
        input=input,
        calls=calls,
        aht_s=aht_s,
        agents=agents,
        patience_s=patience_s,
        intervals=intervals,
        interval_s=a.duration(interval, "interval_s") or 1800.0,
        handle=handle.value,
        handle_cv=handle_cv,
        sl_threshold_s=a.duration(sl_threshold, "sl_threshold_s", bare="s"),
        seed=seed,
        from_store=from_store,
        save=save,
    )
    r = simulate(s, req)
    for note in r.notes:
        say(note)
    if fmt is PointFormat.json:
        a.print_json(r.as_dict())
        return

    def pm(key: str, digits: int = 1, scale: float = 100.0, unit: str = " %") -> Any:
        def fmt(row: dict[str, Any]) -> str:
            v, ci = row.get(key), row.get(f"{key}_ci")
            if v is None:
                return "-"
            text = f"{v * scale:,.{digits}f}"
            return f"{text} ± {ci * scale:.{digits}f}{unit}" if ci is not None else f"{text}{unit}"

        return fmt

    shown = []
    for q in r.queues:
        row = dict(q)
        row["sl"] = pm("service_level")(q)
        row["asa"] = pm("asa_s", 1, 1.0, " s")(q)
        row["ab"] = pm("p_abandon", 2)(q)
        shown.append(row)
    cols: list[Any] = [
        ("queue", "queue", str),
        ("offered", "offered", number),
        ("answered", "answered", number),
        ("abandoned", "abandoned", number),
    ]
    cols += [(k, k.replace("_", " "), number) for k in r.other_outcomes()]
    cols += [
        ("sl", "SL (95 %)", str),
        ("erlang_service_level", "Erlang SL", lambda v: pct(v, 1)),
        ("asa", "ASA (95 %)", str),
        ("erlang_asa_s", "Erlang ASA", seconds),
        ("ab", "abandon (95 %)", str),
        ("erlang_p_abandon", "Erlang abandon", lambda v: pct(v, 2)),
    ]
    print_rows(
        shown,
        cols,
        title=f"simulated {r.calls:,} calls (seed {r.seed}, run {r.run_id}); agent occupancy "
        f"{pct(r.occupancy)}",
        caption=f"T = {r.sl_threshold_s:g} s; Erlang columns: the exact model with the same "
        "means (Erlang A with patience, else Erlang C)",
        left=("queue",),
    )
    if r.saved_to:
        say(f"contacts and agent states saved to {r.saved_to} (run {r.run_id})")
    exit_empty = sum(q.get("exit_empty") or 0 for q in r.queues)
    if exit_empty:
        say(
            f"{exit_empty:,} call(s) were still waiting when no agent was left (exit empty): "
            "offered = answered + abandoned + exit empty"
        )
