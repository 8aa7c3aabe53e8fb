"""``callscope ingest`` and ``callscope rejects``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli import app as a
from callscope.cli.app import DbOpt, SettingsOpt, app, console
from callscope.cli.render import number, print_rows

__all__ = ["ingest_cmd", "rejects_cmd"]


class Source(StrEnum):
    asterisk = "asterisk"
    amazon_connect = "amazon-connect"
    anonymous_bank = "anonymous-bank"
    csv = "csv"


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest.", show_default=False)],
    source: Annotated[
        Source, typer.Option("--source", "-s", help="What the files are (their source format).")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            "-m",
            help="Column mapping (TOML/YAML) for --source csv (contacts; chats, orders).",
            show_default=False,
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="Time zone of epoch/UTC sources, e.g. Europe/Warsaw [settings `timezone`].",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Load contact-center logs into the store; bad rows go to `callscope rejects`.

    Each file loads in one transaction; a file ingested before (same content) is
    skipped, and rows already stored are never stored twice.
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from callscope.services.ingest import IngestRequest, ingest

    s = a.load(settings, db)
    req = IngestRequest(tuple(paths), source.value, mapping, tz)
    sizes = {str(p): p.stat().st_size if p.is_file() else 0 for p in paths}
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[files]}"),
        TimeElapsedColumn(),
        console=console.real(),
        transient=True,
        disable=fmt is Format.json,
    ) as bar:
        task = bar.add_task(
            paths[0].name if paths else "",
            total=sum(sizes.values()) or None,
            files=f"0/{len(paths)} files",
        )
        done_bytes = 0

        def progress(file: str, done: int, total: int) -> None:
            nonlocal done_bytes
            done_bytes += sizes.get(file, 0)
            following = paths[done].name if done < len(paths) else ""
            bar.update(
                task, completed=done_bytes, description=following, files=f"{done}/{total} files"
            )

        try:
            summary = ingest(s, req, progress)
        except KeyboardInterrupt as e:  # the store says what it rolled back
            if str(e):
                import sys

                bar.stop()
                sys.stderr.write(f"interrupted: {str(e).removeprefix('interrupted ')}\n")
                sys.exit(130)
            raise
    if fmt is Format.json:
        a.print_json(summary.to_json())
        return
    rows: list[dict[str, Any]] = [
        {
            "file": Path(f.file).name,
            "read": f.rows_read,
            "loaded": f.rows_loaded,
            "rejected": f.rows_rejected,
            "duplicate": f.rows_duplicate,
            "replaced": f.rows_replaced,
            "pending": f.rows_pending,
            "seconds": f.seconds,
            "note": "; ".join(f.notes)
            or f.skipped
            or ", ".join(f"{k} {v:,}" for k, v in f.tables.items()),
        }
        for f in summary.files
    ]
    print_rows(
        rows,
        (
            ("file", "file", str),
            ("read", "read", number),
            ("loaded", "loaded", number),
            ("rejected", "rejected", number),
            ("duplicate", "duplicates", number),
            ("replaced", "replaced", number),
            ("pending", "pending", number),
            ("seconds", "s", lambda v: f"{v:.2f}"),
            ("note", "note", str),
        ),
        title=f"ingested into {s.db}",
        left=("file", "note"),
    )
    if summary.rejects:
        console.print(a.text(f"{len(summary.rejects):,} row(s) rejected", "yellow"), "- the first:")
        for r in summary.rejects[:10]:
            console.print(a.text(f"  {Path(r.file).name}:{r.line}: {r.reason}"), highlight=False)
        console.print("all of them:", a.text("callscope rejects", "bold"))


@app.command("rejects")
def rejects_cmd(
    file: Annotated[
        str | None,
        typer.Option("--file", help="Only rejects of this file (as ingested).", show_default=False),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many (0: all).")] = 50,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """List rows that could not be loaded, with file, line and reason."""
    from callscope.services.ingest import RejectsRequest, rejects

    r = rejects(a.load(settings, db), RejectsRequest(file, limit))
    if fmt is Format.json:
        a.print_json({"total": r.total, "rejects": r.rows})
        return
    if not r.rows:
        console.print("no rejected rows")
        return
    shown = f", the first {len(r.rows):,}" if len(r.rows) < r.total else ""
    print_rows(
        [{**x, "file": Path(x["file"]).name, "raw": (x["raw"] or "")[:80]} for x in r.rows],
        (
            ("file", "file", str),
            ("line", "line", number),
            ("reason", "reason", str),
            ("raw", "raw", str),
        ),
        title=f"{r.total:,} rejected row(s){shown}",
        left=("file", "reason", "raw"),
    )
