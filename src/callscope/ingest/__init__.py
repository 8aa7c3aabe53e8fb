"""Ingest what contact centers produce into the canonical store.

One module per source format, each turning a file into canonical rows inside DuckDB
(streaming, bounded memory) and quarantining unreadable rows with file, line and reason:

* ``asterisk``        Asterisk ``queue_log`` -> contacts, agent_states
* ``amazon-connect``  Amazon Connect contact trace records (JSON lines or array) -> contacts
* ``anonymous-bank``  the Technion Anonymous Bank call log -> contacts
* ``csv``             any CSV through a column mapping (TOML or YAML) -> contacts, surveys;
                      with ``table = "messages"`` / ``"orders"`` chat transcripts (and
                      their chats as contacts) / orders

:func:`ingest_files` loads each file in its own transaction (all of it or none of it),
skips files already ingested (same SHA-256) and never stores a key twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from callscope.errors import CallscopeError, InputError
from callscope.ingest import amazon_connect, anonymous_bank, asterisk, mapped_csv, mapped_rows
from callscope.ingest.source import (
    BAD_LINES,
    SourceFile,
    check_readable,
    exact_path,
    fingerprint,
    raw_lines,
)
from callscope.ingest.summary import FileResult, IngestSummary, Reject
from callscope.store import Store
from callscope.store.sql import drop, run

__all__ = [
    "FORMATS",
    "FileResult",
    "IngestSummary",
    "Reject",
    "check_options",
    "ingest_file",
    "ingest_files",
]


def _load_mapped(batch: Any, file: SourceFile, mapping: mapped_csv.Mapping) -> None:
    """A CSV through its mapping, into the mapping's table."""
    if mapping.table == "contacts":
        mapped_csv.load(batch, file, mapping)
    else:
        mapped_rows.load(batch, file, mapping)


#: format name -> loader(batch, source_file, **options)
FORMATS: dict[str, Callable[..., None]] = {
    asterisk.FORMAT: asterisk.load,
    amazon_connect.FORMAT: amazon_connect.load,
    anonymous_bank.FORMAT: anonymous_bank.load,
    mapped_csv.FORMAT: _load_mapped,
}

Progress = Callable[[str, int, int], None]
Watch = Callable[[Any], None]


def _options_for(fmt: str, mapping: Any, tz: str | None) -> dict[str, Any]:
    if fmt == mapped_csv.FORMAT:
        if mapping is None:
            raise InputError(
                "csv files need a column mapping (a TOML or YAML file); see mappings/ for examples",
                field="mapping",
            )
        return {"mapping": mapping}
    if mapping is not None:
        raise InputError(f"a column mapping is only for csv files, not {fmt}", field="mapping")
    if fmt in (asterisk.FORMAT, amazon_connect.FORMAT):
        return {"tz": tz}
    return {}


def check_options(fmt: str, mapping: Any, tz: str | None) -> dict[str, Any]:
    """The loader's options for ``fmt``: a mapping for csv (loaded and checked, raising
    :class:`~callscope.errors.MappingError` for what the mapping alone shows), none for
    other formats, the time zone for the formats that take one."""
    options = _options_for(fmt, mapping, tz)
    if fmt == mapped_csv.FORMAT:
        options["mapping"] = mapped_csv.Mapping.load(options["mapping"])
    return options


def ingest_file(
    store: Store, path: Path, fmt: str, *, watch: Watch | None = None, **options: Any
) -> tuple[FileResult, list[Reject]]:
    """Ingest one file atomically; return its result and its rejects. ``watch(batch)``
    is told the file's :class:`~callscope.store.batch.Batch` once it is open (its
    counts grow as the file loads)."""
    loader = FORMATS[fmt]
    size = check_readable(path)
    started = time.perf_counter()
    fp = fingerprint(path)
    sha = fp.sha256
    name = str(path)
    seen = store.already_ingested(sha, fmt)
    if seen:
        note = f"already ingested (same content as {seen['file']} at {seen['finished_at']:%Y-%m-%d %H:%M})"
        return FileResult(name, fmt, 0, 0, 0, 0, {}, time.perf_counter() - started, note), []
    con = store.con
    with (
        exact_path(path, one_line_end=fp.mixed_line_ends) as read_as,
        store.batch(name, fmt, sha, size) as batch,
    ):
        if watch is not None:
            watch(batch)
        src = SourceFile(path, read_as, "_raw_lines", sha)
        lines = raw_lines(con, src)
        if fp.mixed_line_ends:
            batch.notes.append(
                "mixed line ends (CRLF, CR and LF): each read as the end of a line, as a "
                "text editor does"
            )
        not_utf8 = run(
            con, f"SELECT count(*), min(line) FROM {BAD_LINES} WHERE reason LIKE '%not UTF-8%'"
        ).fetchall()[0]
        try:
            loader(batch, src, **options)
        except CallscopeError:
            # (asked before the load: a DuckDB error may have ended the transaction)
            _not_text(path, lines, *not_utf8)  # the likelier cause of a file that fails whole
            raise
        if fmt != mapped_csv.FORMAT:  # the csv reader rejects its own bad lines
            batch.rows_read += batch.reject(f"SELECT line, raw, reason FROM {BAD_LINES}")
        if batch.rows_read and batch.rows_rejected >= batch.rows_read:
            _not_text(path, lines, *not_utf8)
            first = run(
                con,
                "SELECT line, reason FROM rejects WHERE batch_id = ? ORDER BY line LIMIT 1",
                [batch.batch_id],
            ).fetchall()[0]
            raise InputError(
                f"{path}: no row could be read as {fmt} (all {batch.rows_read:,} rejected; "
                f"line {first[0]}: {first[1]}); are the files {fmt}?",
                field="source",
            )
        drop(con, src.raw, BAD_LINES)
        rejects = [
            Reject(name, r[0], r[1], r[2])
            for r in run(
                con,
                "SELECT line, reason, raw FROM rejects WHERE batch_id = ? ORDER BY line",
                [batch.batch_id],
            ).fetchall()
        ]
    result = FileResult(
        file=name,
        format=fmt,
        rows_read=batch.rows_read,
        rows_loaded=sum(batch.loaded.values()),
        rows_rejected=batch.rows_rejected,
        rows_duplicate=sum(batch.duplicates.values()),
        tables={k: v for k, v in batch.loaded.items() if v},
        seconds=time.perf_counter() - started,
        rows_replaced=sum(batch.replaced.values()),
        rows_pending=batch.pending,
        notes=tuple(batch.notes),
    )
    return result, rejects


def _not_text(path: Path, lines: int, n: int, first: int | None) -> None:
    """Raise the file-level "not UTF-8" error when ``n`` of ``path``'s lines (the first
    at line ``first``) were not UTF-8 (the file as a whole failed: its encoding is the
    likelier cause)."""
    if n:
        raise InputError(
            f"{path}: not UTF-8 text ({n:,} of {n + lines:,} lines hold bytes of another "
            f"encoding, the first on line {first}): a binary file, or another encoding such "
            "as Latin-1; re-save the file as UTF-8"
        )


def ingest_files(
    store: Store,
    paths: Sequence[Path | str],
    fmt: str,
    *,
    mapping: Any = None,
    tz: str | None = None,
    progress: Progress | None = None,
    watch: Watch | None = None,
) -> IngestSummary:
    """Ingest ``paths`` of format ``fmt`` into ``store``, one transaction per file.

    ``mapping`` (a path or a loaded :class:`~callscope.ingest.mapped_csv.Mapping`) is
    required for ``csv``; ``tz`` converts epoch/UTC sources to the center's local clock.
    ``progress(file, done, total)`` is called after each file; ``watch(batch)`` as
    each file's batch opens (:func:`ingest_file`).

    Raises :class:`~callscope.errors.MappingError` (``field="mapping"``) for a mapping
    mistake: at once for what the mapping alone shows, and for a file whose date format
    reads day and month swapped or whose rows mostly fail on one mapping key (that file
    rolls back; files before it stay loaded).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(sorted(FORMATS))}")
    files = [Path(p) for p in paths]
    if not files:
        raise InputError("no files given: pass one or more paths to ingest")
    for p in files:  # fail fast, before any loading, on a path that cannot be read at all
        check_readable(p)
    options = check_options(fmt, mapping, tz)
    summary = IngestSummary()
    for i, p in enumerate(files, 1):
        result, rejects = ingest_file(store, p, fmt, watch=watch, **options)
        summary.files.append(result)
        summary.rejects.extend(rejects)
        if progress:
            progress(str(p), i, len(files))
    return summary
