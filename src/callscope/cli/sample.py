"""``callscope synth`` (sample data) and ``callscope demo`` (the main job)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli import app as a
from callscope.cli.app import DbOpt, SettingsOpt, app, console

__all__ = ["demo_cmd", "synth_cmd"]


class Format(StrEnum):
    table = "table"
    json = "json"


class Target(StrEnum):
    store = "store"
    asterisk = "asterisk"
    amazon_connect = "amazon-connect"
    csv = "csv"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
OutDir = Annotated[Path, typer.Option("--output-dir", help="Where the sample files go.")]


def _bar(disable: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console.real(),
        transient=True,
        disable=disable,
    )


@app.command("synth")
def synth_cmd(
    contacts: Annotated[
        int, typer.Option("--contacts", help="About how many contact rows to make.")
    ] = 100_000,
    days: Annotated[int, typer.Option("--days", help="Days of operation.")] = 28,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same center.")] = 42,
    start: Annotated[
        str | None, typer.Option("--start", help="First day, YYYY-MM-DD.", show_default=False)
    ] = None,
    source: Annotated[
        Target,
        typer.Option(
            "--source",
            "-s",
            help="store: straight into the store; asterisk, amazon-connect or csv: write that "
            "source file (to ingest with the same --source).",
        ),
    ] = Target.store,
    output_dir: OutDir = Path("sample-data"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Generate a realistic sample contact center (seeded).

    Several queues and channels, agents with shifts and breaks, transfers, repeat
    callers, surveys, chat messages and orders: into the store, or as source files.
    """
    from callscope.errors import CallscopeError
    from callscope.services.sample import SynthRequest, synth

    try:
        first = date.fromisoformat(start) if start else None
    except ValueError:
        raise CallscopeError(f"{start!r} is not a date YYYY-MM-DD", field="start_day") from None
    s = a.load(settings, db)
    req = SynthRequest(contacts, days, seed, first, source.value, output_dir, force)
    with _bar(fmt is Format.json) as bar:
        task = bar.add_task("synth", total=days)
        r = synth(s, req, lambda done, total: bar.update(task, completed=done, total=total))
    if fmt is Format.json:
        a.print_json(
            {"seed": r.seed, "days": r.days, "tables": r.tables, "file": r.file, "bytes": r.bytes}
        )
    elif r.tables is not None:
        console.print(
            a.text(f"stored in {s.db}: " + ", ".join(f"{k} {v:,}" for k, v in r.tables.items()))
        )
    else:
        console.print(
            a.text(f"wrote {r.file} ({r.bytes / 1e6:,.1f} MB); load it with\n  {r.ingest_hint}")
        )


HEADLINE = (
    ("offered", "offered"),
    ("answered", "answered"),
    ("service_level", "service level"),
    ("asa_s", "ASA"),
    ("abandon_rate", "abandonment"),
    ("aht_s", "AHT"),
    ("occupancy", "occupancy"),
    ("fcr", "FCR"),
    ("csat", "CSAT"),
    ("nps", "NPS"),
)


@app.command("demo")
def demo_cmd(
    contacts: Annotated[
        int, typer.Option("--contacts", help="Sample size when the store is empty.")
    ] = 60_000,
    days: Annotated[int, typer.Option("--days", help="Days of the sample center.")] = 28,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the sample.")] = 42,
    sl_threshold: Annotated[
        str | None,
        typer.Option(
            "--sl-threshold",
            help="Service-level threshold T, e.g. 20s [each channel's goal].",
            show_default=False,
        ),
    ] = None,
    output_dir: OutDir = Path("sample-data"),
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """The main job: headline KPIs by queue (a sample center first if the store is empty).

    With no contacts in the store, generate a sample center, write it as source files
    and ingest them; then print service level, ASA, abandonment, AHT, occupancy, FCR,
    CSAT and NPS per channel and queue.
    """
    from rich.table import Table

    from callscope.services.kpi import format_kpi
    from callscope.services.sample import DemoRequest, demo

    s = a.load(settings, db)
    req = DemoRequest(
        contacts, days, seed, output_dir, a.duration(sl_threshold, "sl_threshold_s", bare="s")
    )
    if fmt is Format.json:
        r = demo(s, req)
    else:
        with console.status("", spinner="dots") as status:

            def step(text: str) -> None:
                status.update(a.text(text))
                console.print(a.text(text, "dim"))

            r = demo(s, req, step)
    if fmt is Format.json:
        out: dict[str, Any] = {
            "db": r.db,
            "kpis": {
                "total": r.total,
                "by_queue": r.by_queue,
                "by_channel": r.by_channel,
                "service_level_variant": r.variant,
            },
        }
        if r.sample is not None:
            out["sample"] = {**r.sample.ingest.to_json(), "side_tables": r.sample.side_rows}
            out["sample_files"] = r.sample.files
        a.print_json(out)
        return
    if r.sample is not None:
        console.print(
            a.text(
                f"sample center: {r.sample.ingest.rows_loaded:,} contacts ingested from "
                f"{r.sample.files['amazon-connect']}, "
                + ", ".join(f"{k} {v:,}" for k, v in r.sample.side_rows.items())
            )
        )
    # one table per channel: its queues, then the channel's total (a voice SL and an
    # e-mail SL answer different questions, so there is no grand total across channels)
    for ch in r.by_channel:
        if not ch.get("channel") or not ch.get("offered"):
            continue
        cols = [x for x in r.by_queue if x.get("queue") and x.get("channel") == ch["channel"]]
        cols.append(dict(ch, queue=f"all {ch['channel']}"))
        console.print(
            a.text(f"{ch['channel']}:", "bold"),
            a.text(
                f"headline KPIs (service level = answered within "
                f"{r.threshold_label(ch['channel'])} / offered)"
            ),
            highlight=False,
        )
        t = Table()
        t.add_column("KPI")
        for x in cols:
            t.add_column(a.text(x["queue"]), justify="right")
        for key, label in HEADLINE:
            t.add_row(label, *[a.text(format_kpi(key, x.get(key))) for x in cols])
        console.print(t)
    console.print(
        "next: [bold]callscope kpi --by day,queue[/], [bold]callscope report[/], "
        "[bold]callscope forecast[/], [bold]callscope plan[/]"
    )
