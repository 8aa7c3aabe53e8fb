"""The Typer application, the options every command shares, and settings loading.

Commands live in sibling modules named after what they do (``ingest.py``, ``kpi.py``,
``queueing.py`` ...), each registering on :data:`app`. A command parses its options
into a request, calls one service (:mod:`callscope.services`) and renders the result;
it holds no store query and no business rule. Heavy modules (DuckDB, Arrow, numba) are
imported inside commands, so ``callscope --help`` starts in a blink.

One name, one form for each option across commands: ``--format`` (what the command
prints: ``table``, ``json`` ...), ``--output/-o FILE``, ``--interval 30m``,
``--sl-threshold 20s``, ``--target 80/20``, ``--shrinkage 30%``, ``--concurrency
chat=2``, ``--db FILE``, ``--settings FILE``.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.errors import CallscopeError

__all__ = [
    "FIELD_FLAGS",
    "DbOpt",
    "SettingsOpt",
    "app",
    "console",
    "err_console",
    "load",
    "print_json",
]

app = typer.Typer(
    name="callscope",
    help="Run a contact center by the numbers: ingest logs, compute KPIs, forecast and staff.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: request field -> the flag that sets it (for one-line errors)
FIELD_FLAGS = {
    "aht_s": "--aht-s",
    "aht_target_s": "--aht-target",
    "agents": "--agents",
    "by": "--by",
    "calls": "--calls",
    "chart": "--chart",
    "columns": "--columns",
    "concurrency": "--concurrency",
    "contacts": "--contacts",
    "days": "--days",
    "customer": "--customer",
    "key": "--settings (privacy.key_file) or $CALLSCOPE_KEY",
    "db": "--db",
    "end": "--to",
    "from": "--from",
    "to": "--to",
    "period": "--period",
    "engine": "--engine",
    "fcr_window_s": "--fcr-window",
    "format": "--format",
    "from_store": "--from-store",
    "handle": "--handle",
    "fte_hours_per_week": "--fte-hours",
    "handle_cv": "--handle-cv",
    "horizon_s": "--horizon",
    "input": "--input",
    "instance": "FILE",
    "interval_s": "--interval",
    "intervals": "--intervals",
    "level": "--level",
    "limit": "--limit",
    "mapping": "--mapping",
    "model": "--model",
    "now": "--now",
    "origins": "--origins",
    "output": "--output",
    "output_dir": "--output-dir",
    "overwrite": "--force",
    "paths": "FILES",
    "patience_s": "--patience-s",
    "pool": "--pool",
    "preset": "--preset",
    "seed": "--seed",
    "selection_origins": "--selection-origins",
    "series": "--series",
    "settings": "--settings",
    "short_abandon_s": "--short-abandon",
    "shrinkage": "--shrinkage",
    "sl_threshold_s": "--sl-threshold",
    "sl_variant": "--sl-variant",
    "source": "--source",
    "special": "--special",
    "start": "--from",
    "start_day": "--start",
    "origin": "--start",
    "target": "--target",
    "timezone": "--tz",
    "utilization_target": "--utilization-target",
    "what_if": "--what-if",
    # schedule cover, adherence
    "column": "--column",
    "costs": "--costs",
    "requirement": "--requirement",
    "shifts": "--shifts",
    "time_limit_s": "--time-limit",
    "tolerance_s": "--tolerance",
}

_consoles: dict[str, Any] = {}


def _console(stderr: bool) -> Any:
    key = "err" if stderr else "out"
    if key not in _consoles:
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        # Piped output (a file, a log, another program) is not cut at 80 columns.
        _consoles[key] = Console(stderr=stderr, width=None if stream.isatty() else 160)
    return _consoles[key]


class _Lazy:
    """Stands for a Rich console until first used (Rich costs import time)."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr

    def __getattr__(self, name: str) -> Any:
        return getattr(_console(self._stderr), name)

    def real(self) -> Any:
        """The Rich console itself (for Rich objects that take one)."""
        return _console(self._stderr)


#: Rich consoles for stdout and stderr (created on first use).
console: Any = _Lazy(False)
err_console: Any = _Lazy(True)

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Store file [env CALLSCOPE_DB, settings `db`, default ./callscope.duckdb].",
        show_default=False,
    ),
]
SettingsOpt = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        help="Center settings (TOML) [env CALLSCOPE_SETTINGS, default ./callscope.toml].",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file.", show_default=False),
]
#: How a day or time may be written on the command line.
WHEN_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
]
FromOpt = Annotated[
    datetime | None,
    typer.Option(
        "--from",
        help="First day or time of the period (inclusive), e.g. 2025-01-06 or 2025-01-06T08:00.",
        show_default=False,
        formats=WHEN_FORMATS,
        metavar="YYYY-MM-DD[THH:MM]",
    ),
]
ToOpt = Annotated[
    datetime | None,
    typer.Option(
        "--to",
        help="End of the period (exclusive).",
        show_default=False,
        formats=WHEN_FORMATS,
        metavar="YYYY-MM-DD[THH:MM]",
    ),
]
IntervalOpt = Annotated[
    str | None,
    typer.Option(
        "--interval", help="Interval length: 15m, 30m or 60m [settings, 30m].", show_default=False
    ),
]
SlThresholdOpt = Annotated[
    str | None,
    typer.Option(
        "--sl-threshold",
        help="Service-level threshold T, e.g. 20s or 20 [each channel's or queue's goal: voice 20 s, chat 60 s, e-mail 24 h].",
        show_default=False,
    ),
]
TargetOpt = Annotated[
    str | None,
    typer.Option(
        "--target",
        help="Goal: 80/20, 90/24h, asa<=30s, abandon<=5%, occupancy<=85%, pwait<=50% "
        "(joined by commas) [each queue's goal in the settings].",
        show_default=False,
    ),
]
ShrinkageOpt = Annotated[
    str | None,
    typer.Option(
        "--shrinkage",
        help="Share of paid time off the phones, e.g. 30% [settings, 30%].",
        show_default=False,
    ),
]
ConcurrencyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--concurrency",
        help="channel=N contacts an agent handles at once, e.g. chat=2 (repeat) [settings].",
        show_default=False,
    ),
]
PoolOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pool",
        help="Plan queues answered by one group as one: NAME=QUEUE1,QUEUE2 (repeat).",
        show_default=False,
    ),
]
PatienceOpt = Annotated[
    float | None,
    typer.Option(
        "--patience-s",
        help="Mean patience before abandoning, seconds (Erlang A) [estimated from the store].",
        show_default=False,
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="KPI definitions: default, amazon-connect, genesys-cloud, queuemetrics [settings].",
        show_default=False,
    ),
]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="Where KPIs run: duckdb (the store) or spark.")
]


def load(settings: Path | None, db: Path | None = None) -> Any:
    """The effective settings for this command: ``--settings`` (else the environment or
    ``./callscope.toml``), then the store path ``--db``."""
    from callscope.settings import load_settings

    return load_settings(settings, db=db)


def duration(text: str | None, field: str, *, bare: str | None = None) -> float | None:
    """A duration option in seconds (``None`` stays ``None``)."""
    if text is None:
        return None
    from callscope.model.units import parse_duration_s

    try:
        return parse_duration_s(text, bare=bare)
    except CallscopeError as e:
        raise e.at(field) from None


def share(text: str | None, field: str) -> float | None:
    """A share option (``30%`` or ``0.3``)."""
    if text is None:
        return None
    from callscope.model.units import parse_share

    try:
        return parse_share(text)
    except CallscopeError as e:
        raise e.at(field) from None


def target(text: str | None) -> Any:
    """A ``--target`` option as a :class:`~callscope.model.target.Target`."""
    if text is None:
        return None
    from callscope.model.target import Target

    try:
        return Target.parse(text)
    except CallscopeError as e:
        raise e.at("target") from None


def pairs(items: list[str] | None, field: str, example: str) -> dict[str, str]:
    """``KEY=VALUE`` options (repeatable) as a dict."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CallscopeError(f"write KEY=VALUE, e.g. {example}; got {item!r}", field=field)
        out[key.strip()] = value.strip()
    return out


def concurrency(items: list[str] | None) -> dict[str, int]:
    """``--concurrency chat=2`` options as channel -> contacts per agent."""
    from callscope.model.outcome import CHANNELS

    out = {}
    for ch, n in pairs(items, "concurrency", "chat=2").items():
        if ch not in CHANNELS:
            raise CallscopeError(
                f"unknown channel {ch!r}; use one of {', '.join(CHANNELS)}", field="concurrency"
            )
        if not n.isdigit() or int(n) < 1:
            raise CallscopeError(f"{ch}={n}: N is a whole number >= 1", field="concurrency")
        out[ch] = int(n)
    return out


def pools(items: list[str] | None) -> dict[str, tuple[str, ...]]:
    """``--pool NAME=Q1,Q2`` options as pool -> queues."""
    out = {}
    for name, queues in pairs(items, "pool", "retail=PS,PE").items():
        members = tuple(q.strip() for q in queues.split(",") if q.strip())
        if len(members) < 2:
            raise CallscopeError(f"pool {name!r} needs two or more queues", field="pool")
        out[name] = members
    return out


def clean(value: Any) -> Any:
    """``value`` with non-finite floats as ``None`` (JSON has no Infinity or NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON to stdout (dates and paths as strings, no Infinity)."""
    sys.stdout.write(json.dumps(clean(obj), default=str, indent=2, allow_nan=False) + "\n")


def text(value: object, style: str | None = None) -> Any:
    """``value`` as Rich text printed as it is: data is never read as markup, so a queue
    named ``[/x]`` or ``[link=...]`` shows as those characters."""
    from rich.text import Text

    return Text(str(value), style=style or "")


def say(message: str, style: str | None = None) -> None:
    """A note on stderr (what was estimated, written, assumed), printed as it is."""
    err_console.print(text(message, style), highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """A warning on stderr, the word in yellow, the message as it is."""
    from rich.text import Text

    err_console.print(Text.assemble(("warning: ", "yellow"), str(message)), soft_wrap=True)


def choice(value: str, options: tuple[str, ...], field: str) -> str:
    """``value`` if it is one of ``options``, else a one-line error."""
    if value not in options:
        raise CallscopeError(f"unknown {value!r}; use one of {', '.join(options)}", field=field)
    return value
