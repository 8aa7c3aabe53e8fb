"""``callscope ingest`` and ``callscope rejects``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from callscope.cli.app import DbOption, JsonOption, app, console, print_json, resolve_db
from callscope.errors import CallscopeError
from callscope.ingest import IngestSummary, ingest_files
from callscope.store import Store

__all__ = ["ingest", "rejects"]


class Format(StrEnum):
    anonymous_bank = "anonymous-bank"
    asterisk = "asterisk"
    amazon_connect = "amazon-connect"
    csv = "csv"


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest.", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Source format of the files.")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", "-m", help="Column mapping (TOML/YAML) for --format csv."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            help="Time zone of the center (e.g. Europe/Warsaw) for epoch/UTC sources; default UTC."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load contact-center logs into the store; bad rows go to `callscope rejects`.

    Each file loads in one transaction; a file ingested before (same content) is skipped,
    and rows already stored are never stored twice.
    """
    store = Store(resolve_db(db))
    sizes = {str(p): p.stat().st_size if p.is_file() else 0 for p in paths}
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[files]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        first = paths[0].name if paths else ""
        task = bar.add_task(first, total=sum(sizes.values()) or None, files=f"0/{len(paths)} files")
        done_bytes = 0

        def progress(file: str, done: int, total: int) -> None:
            nonlocal done_bytes
            done_bytes += sizes.get(file, 0)
            following = paths[done].name if done < len(paths) else ""
            bar.update(
                task, completed=done_bytes, description=following, files=f"{done}/{total} files"
            )

        summary = ingest_files(store, paths, fmt.value, mapping=mapping, tz=tz, progress=progress)
    store.close()
    if as_json:
        print_json(summary.to_json())
    else:
        _print_summary(summary, resolve_db(db))


def _print_summary(summary: IngestSummary, db: Path) -> None:
    t = Table(title=f"ingested into {db}", title_justify="left")
    t.add_column("file", overflow="fold", min_width=16)
    for col in ("read", "loaded", "rejected", "dupl.", "s"):
        t.add_column(col, justify="right")
    t.add_column("note", overflow="fold")
    for f in summary.files:
        t.add_row(
            Path(f.file).name,
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_rejected:,}",
            f"{f.rows_duplicate:,}",
            f"{f.seconds:.2f}",
            f.skipped or ", ".join(f"{k} {v:,}" for k, v in f.tables.items()),
        )
    console.print(t)
    if summary.rejects:
        console.print(f"[yellow]{len(summary.rejects):,} row(s) rejected[/] — the first:")
        for r in summary.rejects[:10]:
            console.print(f"  {Path(r.file).name}:{r.line}: {r.reason}", highlight=False)
        console.print("all of them: [bold]callscope rejects[/]")


@app.command()
def rejects(
    file: Annotated[
        str | None, typer.Option(help="Only rejects of this file (as ingested).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many (0: all).")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List rows that could not be loaded, with file, line and reason."""
    if limit < 0:
        raise CallscopeError(f"--limit must be >= 0 (0 for all); got {limit}")
    path = resolve_db(db)
    if not path.exists():
        raise CallscopeError(f"no store at {path}: run `callscope ingest` first or pass --db")
    store = Store(path)
    rows = store.rejects(file=file, limit=limit)
    total = store.count("rejects")
    store.close()
    if as_json:
        print_json({"total": total, "rejects": rows})
        return
    if not rows:
        console.print("no rejected rows")
        return
    t = Table(
        title=f"{total:,} rejected row(s)" + (f", first {limit}" if 0 < limit < total else ""),
        title_justify="left",
    )
    for col in ("file", "line", "reason", "raw"):
        t.add_column(col, overflow="fold")
    for r in rows:
        raw = (r["raw"] or "")[:80]
        t.add_row(Path(r["file"]).name, str(r["line"]), r["reason"], raw)
    console.print(t)
