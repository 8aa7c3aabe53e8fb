"""The Typer application object and the helpers every command shares.

Commands live in sibling modules named after what they do (``ingest.py``, ``kpi.py``,
``queueing.py`` ...), each registering on :data:`app`. They parse arguments, call the
domain packages and print with Rich; no business logic lives here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from callscope.errors import CallscopeError
from callscope.store import default_db_path

__all__ = [
    "DbOption",
    "JsonOption",
    "app",
    "check_out_dir",
    "check_output",
    "console",
    "err_console",
    "print_json",
    "resolve_db",
]

app = typer.Typer(
    name="callscope",
    help="Run a contact center by the numbers: ingest logs, compute KPIs, forecast and staff.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (a file, a log, another program) is not cut at 80 columns: tables keep
# their columns whole. A terminal keeps its own width.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB store file [env CALLSCOPE_DB, default ./callscope.duckdb]",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON summary.")]


def resolve_db(db: Path | None) -> Path:
    """The store path: ``--db``, else ``CALLSCOPE_DB``, else ``./callscope.duckdb``."""
    return db if db is not None else default_db_path()


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (dates and paths as strings)."""
    sys.stdout.write(json.dumps(obj, default=str, indent=2) + "\n")


def check_output(path: Path, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an output file the command could not write, before any work is done:
    a folder, a file in a folder that does not exist, or (given ``suffixes``) a file
    of another type."""
    if path.is_dir():
        raise CallscopeError(f"{option} {path} is a folder; give a file name, e.g. {path / 'out'}")
    if not path.parent.is_dir():
        raise CallscopeError(
            f"{option} {path}: the folder {path.parent} does not exist; create it or "
            "choose another path"
        )
    if suffixes and path.suffix.lower() not in suffixes:
        raise CallscopeError(f"{option} must end in {' or '.join(suffixes)}; got {path.name}")


def check_out_dir(path: Path, option: str) -> None:
    """Refuse an output folder that is an existing file or cannot be created."""
    if path.exists() and not path.is_dir():
        raise CallscopeError(f"{option} {path} is a file, not a folder; choose a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CallscopeError(f"{option} {path}: {parent} is a file, not a folder")
            break
