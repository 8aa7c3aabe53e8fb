"""Any CSV export, through a column mapping file (TOML or YAML).

A mapping says, for each canonical ``contacts`` field, which column holds it and how to
read it; ``[defaults]`` gives constants for fields the file lacks; ``[surveys.<item>]``
turns rating columns into ``surveys`` rows. Example (``mappings/pwc_call_centre.toml``)::

    [csv]
    delimiter = ","             # optional; sniffed when absent

    [defaults]
    channel = "voice"
    queue = "main"

    [fields.contact_id]
    column = "Call Id"

    [fields.queue_entry_ts]     # a timestamp from a date column and a time column
    date = "Date"
    date_format = "%d/%m/%Y"
    time = "Time"
    time_format = "%H:%M:%S"

    [fields.outcome]            # value maps: source value -> canonical value
    column = "Answered (Y/N)"
    values = { Y = "answered", N = "abandoned" }

    [fields.talk_s]             # durations: seconds | minutes | milliseconds | h:mm:ss
    column = "AvgTalkDuration"
    duration = "h:mm:ss"

    [surveys.csat]              # a survey item with its scale; listed values mean "no answer"
    column = "Satisfaction rating"
    scale = [1, 5]
    missing = ["0", ""]

A mapping with ``table = "messages"`` or ``table = "orders"`` reads chat transcripts or
orders instead (:mod:`callscope.ingest.mapped_rows`), with these same field keys and
helpers.

Field keys: ``column``; for timestamps ``format`` (strptime) or ``date``/``date_format``
+ ``time``/``time_format``; ``duration``; ``values``; ``default`` (the canonical value
for an empty cell).

Derived when not mapped: ``contact_id`` = ``csv:<MD5 of the row's fields>:<n>`` (the
n-th row with those very fields in the file): a row's content identifies it, so two
exports under the same name (``jan/export.csv``, ``feb/export.csv``, or a daily file
overwritten in place) never collide, and an export that grew adds only its new rows;
``conversation_id`` =
contact_id; ``arrival_ts`` = ``queue_entry_ts`` and vice versa; ``answer_ts`` = entry +
wait for answered contacts; ``end_ts`` = answer + talk + hold (or entry + wait);
``outcome`` = answered when an answer time is known, else abandoned.
The mapping itself is checked whole when it loads (:mod:`callscope.ingest.mapping`).
Each file is then checked before any of it lands: every column the mapping names must be
in the header, and a date or time format that fails on values another common format
reads in full (day and month swapped, most often) stops the load with the format to set.
A row the CSV reader cannot take (a field too many or missing, a byte that is not UTF-8,
a line longer than 16 MB) is rejected with that reason; the other rows load, and none is
silently cut or padded. Source columns are read under private names, so a column called
``line`` or ``_rec`` is just data.
Rows whose mapped values do not parse are rejected with the field, column and value; but
when more than half of a file's rows (and at least 20, or all of them) fail on the same
mapping key, the file is rolled back and a :class:`~callscope.errors.MappingError` names
the key, the count, an example and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from callscope.errors import InputError, MappingError
from callscope.ingest.mapping import DURATIONS, Mapping, did_you_mean, key_path, literal
from callscope.ingest.source import MAX_LINE_BYTES, SourceFile, quote, reader_rejects
from callscope.model import CHANNELS, CONTACTS, DIRECTIONS, OUTCOMES
from callscope.store import Batch
from callscope.store.sql import drop, ident, relation, run
from callscope.store.store import OFFERED_SQL

__all__ = ["FORMAT", "Mapping", "load"]

FORMAT = "csv"
_GENERATED = {"source_file", "source_line"}
#: A file stops when more than this share of its rows fail on one mapping key ...
MOST = 0.5
#: ... and at least this many do (or all of them).
MOST_MIN_ROWS = 20
#: Date and time formats tried when a mapping's format fails on a column.
_DATES = (
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%m/%d/%y",
    "%Y%m%d",
)
_TIMES = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%I:%M:%S %p", "%I:%M %p")


@dataclass(frozen=True)
class _Check:
    """One reason a row is rejected."""

    cond: str  # SQL: true when the row fails this check
    reason: str  # SQL text: the reason stored in ``rejects``
    value: str  # SQL: the source text that failed
    key: str  # the mapping key at fault, as written
    fix: str  # what to change when most rows fail here


def _col(name: str) -> str:
    """A source column, by the private name it is read under (never clashes with
    ``line``, the canonical columns or the loader's own)."""
    return ident("src." + name)


def _field_expr(name: str, spec: dict[str, Any], typ: str | None = None) -> tuple[str, str, str]:
    """(value expression, raw text expression, description) for a mapped field (of
    Arrow type ``typ``; a contacts field's own type when not given)."""
    typ = typ or str(CONTACTS.column(name).type)
    if "date" in spec:
        fmt = spec.get("date_format", "%Y-%m-%d")
        text = f"trim({_col(spec['date'])})"
        desc = f"column {spec['date']!r}"
        if "time" in spec:
            text = f"{text} || ' ' || trim({_col(spec['time'])})"
            fmt = f"{fmt} {spec.get('time_format', '%H:%M:%S')}"
            desc = f"columns {spec['date']!r} + {spec['time']!r}"
        return f"try_strptime(nullif({text}, ''), {quote(fmt)})", text, f"{desc} (format {fmt})"
    raw = f"nullif(trim({_col(spec['column'])}), '')"
    desc = f"column {spec['column']!r}"
    if "values" in spec:
        whens = " ".join(
            f"WHEN {quote(str(k))} THEN {quote(_text(v))}" for k, v in spec["values"].items()
        )
        expr = f"(CASE {raw} {whens} END)"
        desc += f" (allowed values: {', '.join(map(str, spec['values']))})"
    else:
        expr = raw
    if str(typ) == "timestamp[us]":
        fmt = spec.get("format")
        e = f"try_strptime({expr}, {quote(fmt)})" if fmt else f"try_cast({expr} AS TIMESTAMP)"
        return e, raw, desc + (f" (format {fmt})" if fmt else " (ISO timestamp)")
    if name.endswith("_s") and "duration" in spec:
        unit = spec["duration"]
        if unit in ("h:mm:ss", "mm:ss"):
            parts = f"string_split({expr}, ':')"
            e = (
                f"CASE WHEN regexp_matches({expr}, '^\\d+(:\\d+){{1,2}}(\\.\\d+)?$') THEN "
                f"list_reduce(list_transform({parts}, lambda x: x::DOUBLE), lambda a, b: a * 60 + b) END"
            )
        else:
            scale = {"seconds": 1, "minutes": 60, "milliseconds": 0.001}[unit]
            e = f"try_cast({expr} AS DOUBLE) * {scale}"
        return e, raw, desc + f" (duration in {unit})"
    if str(typ) == "bool":
        return f"try_cast({expr} AS BOOLEAN)", raw, desc
    if str(typ) in ("int16", "int32", "int64"):
        # read wide: a number beyond the column's type is rejected with the range by the
        # store's domain check, never a crash of the whole load
        return f"try_cast(try_cast({expr} AS DOUBLE) AS BIGINT)", raw, desc
    if str(typ) == "double":
        return f"try_cast({expr} AS DOUBLE)", raw, desc
    return expr, raw, desc


def _constant(name: str, value: Any, typ: str | None = None) -> str:
    """SQL for a canonical constant of field ``name`` (a default)."""
    typ = typ or str(CONTACTS.column(name).type)
    lit = quote(_text(value))
    if typ == "bool":
        return f"try_cast({lit} AS BOOLEAN)"
    if typ == "string":
        return lit
    return f"try_cast({lit} AS DOUBLE)"


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _fix(name: str, spec: dict[str, Any], typ: str | None = None) -> str:
    """What to change in the mapping when most rows fail on field ``name``."""
    at = key_path("fields", name)
    typ = typ or str(CONTACTS.column(name).type)
    if "date" in spec:
        return (
            f"set {at}.date_format and time_format to the columns' strptime formats "
            '(e.g. "%d/%m/%Y" and "%H:%M:%S")'
        )
    if "values" in spec:
        return (
            f"list the column's values under {at}.values "
            f"(it maps only {', '.join(map(str, spec['values']))})"
        )
    if typ.startswith("timestamp"):
        if "format" in spec:
            return f'set {at}.format to the column\'s strptime format (e.g. "%d/%m/%Y %H:%M")'
        return (
            f"the column is not ISO 8601 (YYYY-MM-DD HH:MM:SS): set {at}.format to its "
            'strptime format (e.g. "%d/%m/%Y %H:%M")'
        )
    if "duration" in spec:
        return (
            f"check {at}.duration (now {literal(spec['duration'])}; one of {', '.join(DURATIONS)})"
        )
    if typ == "bool":
        return f"add {at}.values = {{ <yes value> = true, <no value> = false }}"
    if name in ("outcome", "channel", "direction"):
        allowed = {"outcome": OUTCOMES, "channel": CHANNELS, "direction": DIRECTIONS}[name]
        return (
            f'add {at}.values = {{ <source value> = "<{name}>", ... }} mapping the '
            f"column's values to: {', '.join(allowed)}"
        )
    return f"map {name} to a column of numbers" if typ != "string" else f"check {at}"


def _sniff(con: duckdb.DuckDBPyConnection, read_as: str, opts: dict[str, Any]) -> list[str]:
    rel = relation(con, f"SELECT * FROM read_csv({quote(read_as)}, {_csv_opts(opts)}) LIMIT 0")
    return list(rel.columns)


@contextmanager
def every_column(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inside, read_csv reads every column of a file, not only those the query uses.
    DuckDB 1.5.5's reader with ``store_rejects`` fails on a file with a row of too many
    fields when it reads only some columns ("INTERNAL Error: Attempted to access index 8
    within vector of size 7"); with the ``unused_columns`` optimizer off it reads them
    all and rejects that row as it should."""
    run(con, "SET disabled_optimizers = 'unused_columns'")
    try:
        yield
    finally:
        run(con, "RESET disabled_optimizers")


def _csv_opts(opts: dict[str, Any], rejects: bool = False) -> str:
    parts = [
        "all_varchar=true",
        "header=true",
        "null_padding=false",
        "strict_mode=true",
        "auto_detect=true",
        f"max_line_size={MAX_LINE_BYTES}",
        "ignore_errors=true",
    ]
    if rejects:
        parts.append("store_rejects=true, rejects_table='_csv_errors', rejects_scan='_csv_scans'")
    if "delimiter" in opts:
        parts.append(f"delim={quote(str(opts['delimiter']))}")
    if "encoding" in opts:
        parts.append(f"encoding={quote(str(opts['encoding']))}")
    return ", ".join(parts)


def _most(failed: int, total: int) -> bool:
    """True when ``failed`` of ``total`` rows is too many to load the rest."""
    return failed > MOST * total and (failed >= MOST_MIN_ROWS or failed == total)


def _swapped(fmt: str) -> str:
    """``fmt`` with day and month exchanged (``%d/%m/%Y`` <-> ``%m/%d/%Y``)."""
    return re.sub(r"%(-?)([dm])", lambda m: f"%{m[1]}{'m' if m[2] == 'd' else 'd'}", fmt)


def _candidates(kind: str, fmt: str) -> list[str]:
    """Formats to try for a ``date_format``, ``time_format`` or ``format`` key, most
    likely first (the given one with day and month swapped)."""
    if kind == "time_format":
        tried = list(_TIMES)
    elif kind == "date_format":
        tried = [_swapped(fmt), *_DATES]
    else:
        tried = [_swapped(fmt)]
        tried += [f"{d} {t}" for d in _DATES for t in _TIMES]
        tried += [f"%Y-%m-%dT{t}" for t in _TIMES[:3]]
    return [f for f in dict.fromkeys(tried) if f != fmt]


def _check_time_formats(
    con: duckdb.DuckDBPyConnection, path: Path, source: str, mapping: Mapping
) -> None:
    """Stop before loading when a strptime format of the mapping fails on values that
    another common format reads in full (a day/month swap, most often).

    When both read every value (every day <= 12) nothing can tell them apart, and the
    file loads as configured.
    """
    keys: list[tuple[str, str, str, str, bool]] = []  # key, kind, column, format, given
    for name, spec in mapping.fields.items():
        if "date" in spec:
            keys.append(
                (
                    key_path("fields", name, "date_format"),
                    "date_format",
                    spec["date"],
                    spec.get("date_format", "%Y-%m-%d"),
                    "date_format" in spec,
                )
            )
            if "time" in spec:
                keys.append(
                    (
                        key_path("fields", name, "time_format"),
                        "time_format",
                        spec["time"],
                        spec.get("time_format", "%H:%M:%S"),
                        "time_format" in spec,
                    )
                )
        elif "format" in spec:
            keys.append(
                (key_path("fields", name, "format"), "format", spec["column"], spec["format"], True)
            )
    if not keys:
        return
    sel = []
    for _, _, column, fmt, _ in keys:
        t = f"nullif(trim({_col(column)}), '')"
        miss = f"{t} IS NOT NULL AND try_strptime({t}, {quote(fmt)}) IS NULL"
        sel += [
            f"count({t})",
            f"count(*) FILTER (WHERE {miss})",
            f"arg_min({t}, line) FILTER (WHERE {miss})",
            f"min(line) FILTER (WHERE {miss})",
        ]
    row = run(con, f"SELECT {', '.join(sel)} FROM ({source})").fetchall()[0]
    for i, (key, kind, column, fmt, given) in enumerate(keys):
        n, misses, example, line = row[4 * i : 4 * i + 4]
        if not misses:
            continue
        t = f"nullif(trim({_col(column)}), '')"
        tried = _candidates(kind, fmt)
        # Cheap first cut: the formats that read the first hundred failing values at all.
        first = f"""SELECT DISTINCT {t} AS t FROM ({source})
                    WHERE {t} IS NOT NULL AND try_strptime({t}, {quote(fmt)}) IS NULL LIMIT 100"""
        reads = run(
            con,
            "SELECT "
            + ", ".join(f"bool_and(try_strptime(t, {quote(f)}) IS NOT NULL)" for f in tried)
            + f" FROM ({first})",
        ).fetchall()[0]
        alive = [f for f, ok in zip(tried, reads, strict=True) if ok]
        if not alive:
            continue
        fails = run(
            con,
            "SELECT "
            + ", ".join(
                f"count(*) FILTER (WHERE try_strptime(t, {quote(f)}) IS NULL)" for f in alive
            )
            + f" FROM (SELECT {t} AS t FROM ({source})) WHERE t IS NOT NULL",
        ).fetchall()[0]
        best_fails, best = min(zip(fails, alive, strict=True), key=lambda p: p[0])
        if best_fails and not (2 * misses > n and 10 * best_fails <= misses):
            continue
        which = "all" if not best_fails else f"all but {best_fails:,}"
        default = "" if given else " (the default)"
        short = key.rsplit(".", 1)[1]
        raise MappingError(
            f"{path}: column {column!r}: {misses:,} of {n:,} values do not match "
            f"{key} = {literal(fmt)}{default} (e.g. {example!r} on line {line}) but {which} "
            f"match {literal(best)}: set {short} = {literal(best)} in mapping {mapping.path}; "
            "nothing was loaded",
            field="mapping",
        )


def load(batch: Batch, file: SourceFile, mapping: Mapping) -> None:
    """Load a CSV through ``mapping`` into contacts (and surveys)."""
    con = batch.store.con
    path, raw = file.path, file.raw
    try:
        header = _sniff(con, file.read_as, mapping.csv)
    except duckdb.Error as e:
        raise InputError(f"{path}: cannot be read as CSV: {str(e).splitlines()[0]}") from None
    missing = sorted(mapping.columns() - set(header))
    if missing:
        hint = did_you_mean(missing[0], header) if len(missing) == 1 else ""
        raise MappingError(
            f"{path}: column(s) {', '.join(repr(m) for m in missing)} named in mapping "
            f"{mapping.path} are not in the file's header; the header has: "
            f"{', '.join(repr(h) for h in header)}{hint}",
            field="mapping",
        )
    cols = ", ".join(f"{ident(c)} AS {_col(c)}" for c in sorted(mapping.columns()))
    if "contact_id" not in mapping.fields:  # the row's content is its identity
        cols += f", md5(to_json(list_value(COLUMNS(*)))) AS {_col('')}"

    # Rows are numbered as read (line = record + 1). The reader skips the rows it cannot
    # take (a field too many, not UTF-8 ...), which are rejected here, and blank lines;
    # when any lie between rows, the numbers are mapped to physical lines once the rows
    # are in _csv (rare, so the common case reads the file in one pass).
    def records(rejects: bool) -> str:
        return f"""SELECT *, _rec + 1 AS line FROM (
            SELECT {cols}, row_number() OVER () AS _rec
            FROM read_csv({quote(file.read_as)}, {_csv_opts(mapping.csv, rejects)}))"""

    source = records(False)
    _check_time_formats(con, path, source, mapping)

    exprs: dict[str, str] = {}
    checks: list[_Check] = []
    for name, spec in mapping.fields.items():
        expr, raw_text, desc = _field_expr(name, spec)
        exprs[name] = expr
        if "default" in spec:  # an empty cell takes the default
            exprs[name] = f"coalesce({expr}, {_constant(name, spec['default'])})"
        checks.append(
            _Check(
                f"{raw_text} IS NOT NULL AND ({expr}) IS NULL",
                f"{quote(name + ': value ')} || {raw_text} || {quote(f' in {desc} cannot be read')}",
                raw_text,
                key_path("fields", name),
                _fix(name, spec),
            )
        )
    for item, spec in mapping.surveys.items():
        lo, hi = (quote(float(x)) for x in spec["scale"])
        lo_text, hi_text = (f"{float(x):g}" for x in spec["scale"])
        no_answer = ", ".join(quote(str(v)) for v in spec.get("missing", [""]))
        val = f"trim(coalesce({_col(spec['column'])}, ''))"
        at = key_path("surveys", item)
        checks.append(
            _Check(
                f"{val} NOT IN ({no_answer}) AND coalesce(NOT (try_cast({val} AS DOUBLE) "
                f"BETWEEN {lo} AND {hi}), true)",
                f"{quote(item + ': value ')} || {val} || "
                + quote(
                    f" in column {spec['column']!r} is not a number from {lo_text} to "
                    f"{hi_text} (list no-answer values under missing)"
                ),
                val,
                at,
                f"check {at}.scale (now {literal(spec['scale'])}) or list the column's "
                f"no-answer values under {at}.missing",
            )
        )
    for name, value in mapping.defaults.items():
        if name not in exprs:
            exprs[name] = _constant(name, value)
    d = dict(exprs)
    d.setdefault(
        "contact_id",
        f"'csv:' || {_col('')} || ':' || row_number() OVER (PARTITION BY {_col('')} ORDER BY line)",
    )
    d.setdefault("arrival_ts", d.get("queue_entry_ts", "NULL"))
    if "outcome" not in d:
        d["outcome"] = (
            "CASE WHEN (" + d.get("answer_ts", "NULL") + ") IS NOT NULL "
            "OR (" + d.get("agent", "NULL") + ") IS NOT NULL THEN 'answered' "
            "ELSE 'abandoned' END"
        )
    time_key = key_path(
        "fields", "arrival_ts" if "arrival_ts" in mapping.fields else "queue_entry_ts"
    )
    checks.append(
        _Check(
            f"({d['arrival_ts']}) IS NULL",
            "'arrival_ts: no time for this contact'",
            "NULL",
            time_key,
            "the time column is empty on these rows: map arrival_ts or queue_entry_ts to a "
            "column with a time on every row",
        )
    )
    for name, allowed, lower in (
        ("outcome", OUTCOMES, False),
        ("channel", CHANNELS, True),
        ("direction", DIRECTIONS, True),
    ):
        if name not in d:
            continue
        value = f"lower({d[name]})" if lower else f"({d[name]})"
        ok = ", ".join(quote(o) for o in allowed)
        null_ok = "" if name == "outcome" else f"({d[name]}) IS NOT NULL AND "
        checks.append(
            _Check(
                f"{null_ok}coalesce({value} NOT IN ({ok}), true)",
                f"{quote(name + ': ')} || coalesce(({d[name]}), 'missing') || "
                + quote(f" is not one of {', '.join(allowed)}"),
                f"({d[name]})",
                key_path("fields", name),
                _fix(name, mapping.fields.get(name, {})),
            )
        )
    # One pass: typed canonical values, plus the first check a row fails (or NULL).
    typed = ",\n".join(
        f"({d.get(c.name, 'NULL')})::{_wide(c.type)} AS {c.name}"
        for c in CONTACTS.columns
        if c.name not in _GENERATED
    )
    which = "CASE " + " ".join(f"WHEN {c.cond} THEN {i}" for i, c in enumerate(checks)) + " END"
    survey_cols = "".join(f", {_col(spec['column'])}" for spec in mapping.surveys.values())
    drop(con, "_csv_errors", "_csv_scans")
    with every_column(con):
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _csv AS
            SELECT {typed}, line, {which} AS _chk{survey_cols} FROM ({records(True)})""",
        )
    unread = reader_rejects(con, "_csv_errors", "_csv_unread")
    drop(con, "_csv_errors", "_csv_scans")
    batch.reject("SELECT line, raw, reason FROM _csv_unread")
    # Lines the reader skipped: blank, rejected by it, or not even in the line table
    # (not UTF-8, over-long): the lines it read are then not simply 1, 2, 3 ...
    skipped = run(
        con,
        f"""SELECT count(*) <> coalesce(max(line), 0) FROM {raw}
        WHERE raw IS NOT NULL AND line NOT IN (SELECT line FROM _csv_unread)""",
    ).fetchall()[0][0]
    if skipped:  # the n-th non-blank line read (the header first) holds row number n
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE _csv_lines AS
            SELECT row_number() OVER (ORDER BY line) AS n, line FROM {raw}
            WHERE raw IS NOT NULL AND line NOT IN (SELECT line FROM _csv_unread)""",
        )
        run(con, "UPDATE _csv SET line = m.line FROM _csv_lines m WHERE _csv.line = m.n")
        source = (
            f"SELECT c.* EXCLUDE (line), m.line FROM ({source}) c JOIN _csv_lines m ON m.n = c.line"
        )
    batch.rows_read = run(con, "SELECT count(*) FROM _csv").fetchall()[0][0]
    # Why, in words, and the text at fault: only for failed rows (read again, if any).
    failed = run(con, "SELECT count(*) FROM _csv WHERE _chk IS NOT NULL").fetchall()[0][0]
    reason = " ".join(f"WHEN {i} THEN {c.reason}" for i, c in enumerate(checks))
    value = " ".join(f"WHEN {i} THEN {c.value}" for i, c in enumerate(checks))
    bad = (
        f"""SELECT line, _chk, CASE _chk {reason} END AS reason,
                   (CASE _chk {value} END)::VARCHAR AS _value
            FROM ({source}) JOIN (SELECT line, _chk FROM _csv WHERE _chk IS NOT NULL)
            USING (line)"""
        if failed
        else "SELECT line, _chk, NULL::VARCHAR AS reason, NULL::VARCHAR AS _value FROM _csv LIMIT 0"
    )
    run(con, f"CREATE OR REPLACE TEMP TABLE _csv_bad AS {bad}")
    _stop_if_most_fail(con, path, mapping, checks, batch.rows_read)
    batch.reject("SELECT line, reason FROM _csv_bad", raw)
    # A key twice in one file: the first row wins, the others are rejected, named.
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE _csv_dup AS
        SELECT line, first FROM (
            SELECT line, min(line) OVER (PARTITION BY contact_id) AS first
            FROM _csv WHERE _chk IS NULL AND contact_id IN (
                SELECT contact_id FROM _csv WHERE _chk IS NULL
                GROUP BY contact_id HAVING count(*) > 1))
        WHERE line <> first""",
    )
    _stop_if_most_repeat(con, path, mapping, batch.rows_read)
    batch.reject(
        """SELECT d.line, 'contact_id ' || c.contact_id
                    || ' appears again (first on line ' || d.first || '); ids must be unique'
                    AS reason FROM _csv_dup d JOIN _csv c USING (line)""",
        raw,
    )

    served = "outcome = 'answered'"
    offered = OFFERED_SQL
    query = f"""
        SELECT contact_id, coalesce(conversation_id, contact_id) AS conversation_id,
               coalesce(segment, 1)::SMALLINT AS segment, previous_contact_id,
               lower(coalesce(channel, 'voice')) AS channel,
               lower(coalesce(direction, 'inbound')) AS direction,
               queue, skill, priority, customer_key, arrival_ts, ivr_s,
               CASE WHEN {offered} THEN coalesce(queue_entry_ts, arrival_ts) END AS queue_entry_ts,
               CASE WHEN {served} THEN coalesce(answer_ts,
                   try(coalesce(queue_entry_ts, arrival_ts) + to_seconds(coalesce(wait_s, 0))))
                   END AS answer_ts,
               coalesce(end_ts, try(CASE WHEN {served} THEN
                   coalesce(answer_ts, coalesce(queue_entry_ts, arrival_ts)
                            + to_seconds(coalesce(wait_s, 0)))
                   + to_seconds(coalesce(talk_s, 0) + coalesce(hold_s, 0))
                   ELSE coalesce(queue_entry_ts, arrival_ts) + to_seconds(coalesce(wait_s, 0))
                   END)) AS end_ts,
               CASE WHEN {offered} THEN coalesce(wait_s,
                   CASE WHEN answer_ts IS NOT NULL
                        THEN epoch(answer_ts) - epoch(coalesce(queue_entry_ts, arrival_ts)) END)
                   END AS wait_s,
               CASE WHEN {served} THEN talk_s END AS talk_s,
               CASE WHEN {served} THEN hold_s END AS hold_s,
               CASE WHEN {served} THEN acw_s END AS acw_s,
               CASE WHEN {served} THEN agent END AS agent,
               rings, outcome, coalesce(transferred, false) AS transferred,
               disposition, resolved,
               {quote(file.name)} AS source_file, line AS source_line
        FROM _csv WHERE _chk IS NULL AND line NOT IN (SELECT line FROM _csv_dup)
    """
    batch.append("contacts", query, unique=True, raw=raw)
    batch.rows_read += unread
    if mapping.surveys:
        _load_surveys(batch, file, mapping)
    drop(con, "_csv", "_csv_bad", "_csv_dup", "_csv_lines", "_csv_unread")


def _stop_if_most_fail(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, checks: list[_Check], total: int
) -> None:
    """Raise when most rows of the file fail on one mapping key (the batch rolls back)."""
    top = run(
        con,
        """SELECT _chk, count(*) AS n, arg_min(_value, line), min(line) FROM _csv_bad
           GROUP BY _chk ORDER BY n DESC, _chk LIMIT 1""",
    ).fetchall()
    if not top or not _most(top[0][1], total):
        return
    i, n, example, line = top[0]
    check = checks[i]
    shown = "an empty cell" if example is None else repr(example)
    raise MappingError(
        f"{path}: {n:,} of {total:,} rows fail on {check.key} of mapping "
        f"{mapping.path} (e.g. {shown} on line {line}); nothing from this file was loaded: "
        f"{check.fix}",
        field="mapping",
    )


def _stop_if_most_repeat(
    con: duckdb.DuckDBPyConnection, path: Path, mapping: Mapping, total: int
) -> None:
    """Raise when most rows repeat an earlier row's contact_id: not an id column."""
    n = run(con, "SELECT count(*) FROM _csv_dup").fetchall()[0][0]
    if not _most(n, total):
        return
    line, cid, first = run(
        con,
        """SELECT d.line, c.contact_id, d.first FROM _csv_dup d JOIN _csv c USING (line)
           ORDER BY d.line LIMIT 1""",
    ).fetchall()[0]
    raise MappingError(
        f"{path}: {n:,} of {total:,} rows repeat the contact_id of an "
        f"earlier row (e.g. {cid!r} on line {line}, first on line {first}); nothing from "
        f"this file was loaded: map {key_path('fields', 'contact_id')} in mapping "
        f"{mapping.path} to a column unique per contact, or leave it out (each row's "
        "content then identifies it)",
        field="mapping",
    )


def _load_surveys(batch: Batch, source: SourceFile, mapping: Mapping) -> None:
    """Each ``[surveys.<item>]`` column becomes survey rows of the contacts just loaded."""
    parts = []
    for item, spec in mapping.surveys.items():
        lo, hi = spec["scale"]
        missing = ", ".join(quote(str(v)) for v in spec.get("missing", [""]))
        val = f"trim(coalesce({_col(spec['column'])}, ''))"
        parts.append(f"""
            SELECT contact_id || ':' || {quote(item)} AS survey_id, contact_id, customer_key,
                   agent, queue, channel, coalesce(end_ts, arrival_ts) AS submitted_ts,
                   {quote(item)} AS item, try_cast({val} AS DOUBLE) AS score,
                   {quote(float(lo))} AS scale_min, {quote(float(hi))} AS scale_max,
                   {quote(source.name)} AS source_file, line AS source_line
            FROM _csv WHERE _chk IS NULL AND line NOT IN (SELECT line FROM _csv_dup)
              AND {val} NOT IN ({missing})
              AND try_cast({val} AS DOUBLE) BETWEEN {quote(float(lo))} AND {quote(float(hi))}""")
    batch.append("surveys", " UNION ALL ".join(parts), unique=True, derived=True)


def _duck(t: Any) -> str:
    return {
        "string": "VARCHAR",
        "int16": "SMALLINT",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "timestamp[us]": "TIMESTAMP",
    }[str(t)]


def _wide(t: Any) -> str:
    """The type a canonical column is computed in: integers as BIGINT, so that a value
    beyond the column's own type reaches the store's domain check (and is rejected with
    the range) instead of failing the cast."""
    return "BIGINT" if str(t) in ("int16", "int32") else _duck(t)
