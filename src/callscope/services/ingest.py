"""Ingest use cases: load files into the store, and list what could not be read.

The ingesters (:mod:`callscope.ingest`) do the work; this module settles the options
(the center's time zone from the settings unless the request names one) and opens the
store for writing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    from callscope.ingest import IngestSummary

__all__ = [
    "FORMATS",
    "IngestCounts",
    "IngestRequest",
    "RejectsRequest",
    "RejectsResult",
    "check_ingest",
    "ingest",
    "rejects",
]

#: Source formats, as the user names them.
FORMATS = ("asterisk", "amazon-connect", "anonymous-bank", "csv")


@dataclass(frozen=True, slots=True)
class IngestRequest:
    """Files of one format; ``mapping`` for ``csv``; ``timezone`` of epoch/UTC sources
    (``None``: the settings' time zone)."""

    paths: tuple[Path, ...]
    format: str
    mapping: Path | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """How far the loading of one file is: its data rows read so far, stored, rejected."""

    file: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int


def check_ingest(settings: Settings, request: IngestRequest) -> None:
    """The mistakes of ``request`` that show before any loading (format, no files, time
    zone, a mapping missing, unreadable or given for another format), each one line
    naming its field."""
    from callscope.ingest import check_options

    if request.format not in FORMATS:
        raise CallscopeError(
            f"unknown format {request.format!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    if not request.paths:
        raise CallscopeError("no files given: name one or more files to ingest", field="paths")
    if request.timezone is not None:
        settings.override("--tz", timezone=request.timezone)  # checks the name
    check_options(request.format, request.mapping, request.timezone)


def ingest(
    settings: Settings,
    request: IngestRequest,
    progress: Callable[[str, int, int], None] | None = None,
    watch: Callable[[Callable[[], IngestCounts]], None] | None = None,
) -> IngestSummary:
    """Load ``request.paths`` into the store, one transaction per file; a file already
    ingested is skipped and no row is stored twice. ``progress(file, done, total)`` is
    told after each file; ``watch(counts)`` as each file starts loading, ``counts()``
    then saying how far it is (it may be called from another thread)."""
    from callscope.ingest import ingest_files
    from callscope.services.common import open_store

    check_ingest(settings, request)
    tz = request.timezone or settings.timezone

    def on_batch(batch: Any) -> None:
        if watch is not None:
            watch(
                lambda: IngestCounts(
                    batch.file,
                    batch.rows_read,
                    sum(list(batch.loaded.values())),
                    batch.rows_rejected,
                )
            )

    with open_store(settings, write=True) as store:
        return ingest_files(
            store,
            list(request.paths),
            request.format,
            mapping=request.mapping,
            tz=None if tz == "UTC" else tz,
            progress=progress,
            watch=on_batch if watch is not None else None,
        )


@dataclass(frozen=True, slots=True)
class RejectsRequest:
    """Rejected rows, of one file or all; ``limit`` 0 for every one."""

    file: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class RejectsResult:
    total: int
    rows: list[dict[str, Any]]


def rejects(settings: Settings, request: RejectsRequest) -> RejectsResult:
    """Rows that could not be loaded: file, line, reason and the raw text."""
    from callscope.services.common import open_store

    if request.limit < 0:
        raise CallscopeError(f"must be >= 0 (0 for all); got {request.limit}", field="limit")
    with open_store(settings) as store:
        rows = store.rejects(file=request.file, limit=request.limit)
        total = store.count("rejects")
    return RejectsResult(total, rows)
