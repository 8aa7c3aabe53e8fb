"""``callscope synth`` (sample data) and ``callscope demo`` (the main job)."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from callscope.cli.app import (
    DbOption,
    JsonOption,
    app,
    check_out_dir,
    console,
    print_json,
    resolve_db,
)
from callscope.errors import CallscopeError
from callscope.store import Store

__all__ = ["demo", "synth"]


class SynthFormat(StrEnum):
    store = "store"
    asterisk = "asterisk"
    amazon_connect = "amazon-connect"
    csv = "csv"


def _config(contacts: int, days: int, seed: int, start: date | None) -> Any:
    from callscope.synth import SynthConfig

    if contacts <= 0 or days <= 0:
        raise CallscopeError("--contacts and --days must be positive")
    base = SynthConfig(seed=seed, days=days)
    if start is not None:
        base = dataclasses.replace(base, start=start)
    return base.sized(contacts, days=days)


def _bar(disable: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=disable,
    )


@app.command()
def synth(
    contacts: Annotated[int, typer.Option(help="About how many contact rows to make.")] = 100_000,
    days: Annotated[int, typer.Option(help="Days of operation.")] = 28,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same center.")] = 42,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    fmt: Annotated[
        SynthFormat,
        typer.Option(
            "--format", "-f", help="store: straight into the store; otherwise write files."
        ),
    ] = SynthFormat.store,
    out: Annotated[Path, typer.Option(help="Where files go (file formats).")] = Path("sample-data"),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate a realistic sample contact center (seeded).

    Several queues and channels, agents with shifts and breaks, transfers, repeat
    callers, surveys, chat messages and orders: into the store, or as source files.
    """
    from callscope import synth as sy

    try:
        first = date.fromisoformat(start) if start else None
    except ValueError:
        raise CallscopeError(f"--start {start!r} is not a date YYYY-MM-DD") from None
    cfg = _config(contacts, days, seed, first)
    if fmt is not SynthFormat.store:
        check_out_dir(out, "--out")
    result: dict[str, Any] = {"seed": seed, "days": days}
    with _bar(as_json) as bar:
        task = bar.add_task("synth", total=days)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        def counted(gen: Any) -> Any:
            for i, day in enumerate(gen, 1):
                yield day
                step(i, days)

        if fmt is SynthFormat.store:
            store = Store(resolve_db(db))
            result["tables"] = sy.write_store(cfg, store, progress=step)
            result["db"] = str(resolve_db(db))
            store.close()
        else:
            out.mkdir(parents=True, exist_ok=True)
            writer, name = {
                SynthFormat.asterisk: (sy.write_queue_log, "queue_log"),
                SynthFormat.amazon_connect: (sy.write_amazon_connect, "contact_records.jsonl"),
                SynthFormat.csv: (sy.write_contacts_csv, "contacts.csv"),
            }[fmt]
            path = out / name
            writer(counted(sy.generate_days(cfg)), path)
            result["file"] = str(path)
            result["bytes"] = path.stat().st_size
    if as_json:
        print_json(result)
    elif "tables" in result:
        console.print(
            f"stored in {result['db']}: "
            + ", ".join(f"{k} {v:,}" for k, v in result["tables"].items())
        )
    else:
        hint = {
            "asterisk": "--format asterisk",
            "amazon-connect": "--format amazon-connect",
            "csv": "--format csv --mapping mappings/callscope_contacts.toml",
        }[fmt.value]
        console.print(
            f"wrote {result['file']} ({result['bytes'] / 1e6:.1f} MB); load it with\n"
            f"  callscope ingest {result['file']} {hint}"
        )


HEADLINE = (
    ("offered", "offered", "{:,.0f}"),
    ("answered", "answered", "{:,.0f}"),
    ("service_level", "SL", "{:.1%}"),
    ("asa_s", "ASA s", "{:.1f}"),
    ("abandon_rate", "abandon", "{:.1%}"),
    ("aht_s", "AHT s", "{:.0f}"),
    ("occupancy", "occupancy", "{:.1%}"),
    ("fcr", "FCR", "{:.1%}"),
    ("csat", "CSAT", "{:.1%}"),
    ("nps", "NPS", "{:.0f}"),
)


@app.command()
def demo(
    contacts: Annotated[int, typer.Option(help="Sample size when the store is empty.")] = 60_000,
    days: Annotated[int, typer.Option(help="Days of the sample center.")] = 28,
    seed: Annotated[int, typer.Option(help="Random seed of the sample.")] = 42,
    sl_threshold: Annotated[float, typer.Option(help="Service-level threshold T, seconds.")] = 20,
    out: Annotated[Path, typer.Option(help="Where the sample files go.")] = Path("sample-data"),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The main job: headline KPIs by queue (a sample center first if the store is empty).

    With no contacts in the store, generate a sample center, write it as source files
    and ingest them; then print service level, ASA, abandonment, AHT, occupancy, FCR,
    CSAT and NPS per queue.
    """
    from callscope.demo import prepare_sample, sample_config
    from callscope.kpi import KpiParams, compute_kpis, duckdb_source

    if contacts <= 0 or days <= 0:
        raise CallscopeError("--contacts and --days must be positive")
    path = resolve_db(db)
    store = Store(path)
    summary: dict[str, Any] = {"db": str(path)}
    if store.count("contacts") == 0:
        check_out_dir(out, "--out")
        with console.status("", spinner="dots") as status:

            def say(step: str) -> None:
                if not as_json:
                    status.update(step)
                    console.print(f"[dim]{step}[/]")

            res = prepare_sample(store, out, sample_config(contacts, days, seed), say)
        summary["sample"] = {
            "files": {k: str(v) for k, v in res.files.items()},
            **res.ingest.to_json(),
            "side_tables": res.side_rows,
        }
        summary["sample"].pop("files", None)
        summary["sample_files"] = {k: str(v) for k, v in res.files.items()}
        if not as_json:
            console.print(
                f"sample center: {res.ingest.rows_loaded:,} contacts ingested from "
                f"{res.files['amazon-connect']}, "
                + ", ".join(f"{k} {v:,}" for k, v in res.side_rows.items())
            )
    params = KpiParams(sl_threshold_s=sl_threshold)
    src = duckdb_source(store)
    total = compute_kpis(src, [], params).rows()
    by_queue = compute_kpis(src, ["channel", "queue"], params).rows()
    by_channel = compute_kpis(src, ["channel"], params).rows()
    # agent-side KPIs (occupancy) group by queue, not by channel
    per_queue = {r["queue"]: r for r in compute_kpis(src, ["queue"], params).rows()}
    for r in by_queue:
        if r.get("occupancy") is None and r.get("queue") in per_queue:
            r["occupancy"] = per_queue[r["queue"]].get("occupancy")
    order = {"voice": 0, "chat": 1, "email": 2}
    by_channel.sort(key=lambda r: order.get(r.get("channel") or "", 9))
    store.close()
    summary["kpis"] = {
        "total": total[0] if total else {},
        "by_queue": by_queue,
        "by_channel": by_channel,
        "service_level_variant": params.describe(),
    }
    if as_json:
        print_json(summary)
        return
    # one table per channel: its queues, then the channel's total (a voice SL and an
    # e-mail SL answer different questions, so there is no grand total across channels)
    for ch in by_channel:
        if not ch.get("channel") or not ch.get("offered"):
            continue
        cols = [r for r in by_queue if r.get("queue") and r.get("channel") == ch["channel"]]
        cols.append(dict(ch, queue=f"all {ch['channel']}"))
        t = Table(
            title=f"{ch['channel']}: headline KPIs (SL = answered within "
            f"{sl_threshold:g} s / offered)",
            title_justify="left",
        )
        t.add_column("KPI")
        for r in cols:
            t.add_column(str(r["queue"]), justify="right")
        for key, label, f in HEADLINE:
            t.add_row(label, *["—" if r.get(key) is None else f.format(r[key]) for r in cols])
        console.print(t)
    console.print(
        "next: [bold]callscope kpi --by day,queue[/], [bold]callscope report[/], "
        "[bold]callscope staff[/], [bold]callscope forecast[/]"
    )
