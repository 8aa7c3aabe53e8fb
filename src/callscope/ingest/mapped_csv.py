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

Field keys: ``column``; for timestamps ``format`` (strptime) or ``date``/``date_format``
+ ``time``/``time_format``; ``duration``; ``values``; ``default``.

Derived when not mapped: ``contact_id`` = ``<file name>:<line>``; ``conversation_id`` =
contact_id; ``arrival_ts`` = ``queue_entry_ts`` and vice versa; ``answer_ts`` = entry +
wait for answered contacts; ``end_ts`` = answer + talk + hold (or entry + wait);
``outcome`` = answered when an answer time is known, else abandoned.
Rows whose mapped values do not parse are rejected with the field, column and value.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from callscope.errors import InputError, MappingError
from callscope.ingest.source import quote
from callscope.model import CHANNELS, CONTACTS, OUTCOMES
from callscope.store import Batch

__all__ = ["FORMAT", "Mapping", "load"]

FORMAT = "csv"
_DURATIONS = ("seconds", "minutes", "milliseconds", "h:mm:ss", "mm:ss")
_FIELD_KEYS = {
    "column",
    "format",
    "date",
    "date_format",
    "time",
    "time_format",
    "duration",
    "values",
    "default",
}
_GENERATED = {"source_file", "source_line"}


@dataclass(frozen=True)
class Mapping:
    """A validated column mapping."""

    path: str
    csv: dict[str, Any]
    defaults: dict[str, Any]
    fields: dict[str, dict[str, Any]]
    surveys: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, source: Path | str | Mapping) -> Mapping:
        """Read and check a TOML (``.toml``) or YAML (``.yaml``/``.yml``) mapping file."""
        if isinstance(source, Mapping):
            return source
        path = Path(source)
        if not path.exists():
            raise MappingError(f"mapping file {path} does not exist")
        if path.is_dir():
            raise MappingError(f"mapping {path} is a folder; pass a .toml or .yaml file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise MappingError(
                f"mapping {path} is not UTF-8 text; pass a .toml or .yaml mapping file"
            ) from None
        try:
            if path.suffix.lower() == ".toml":
                data = tomllib.loads(text)
            elif path.suffix.lower() in (".yaml", ".yml"):
                data = yaml.safe_load(text) or {}
            else:
                raise MappingError(f"mapping {path}: use a .toml or .yaml file")
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as e:
            raise MappingError(
                f"mapping {path} is not valid {path.suffix[1:].upper()}: {str(e).splitlines()[0]}"
            ) from None
        if not isinstance(data, dict):
            raise MappingError(f"mapping {path}: expected tables [csv], [defaults], [fields.*]")
        unknown = set(data) - {"csv", "defaults", "fields", "surveys"}
        if unknown:
            raise MappingError(
                f"mapping {path}: unknown section(s) {', '.join(sorted(unknown))}; "
                "allowed: csv, defaults, fields, surveys"
            )
        m = cls(
            str(path),
            dict(data.get("csv") or {}),
            dict(data.get("defaults") or {}),
            {
                k: dict(v) if isinstance(v, dict) else {"column": v}
                for k, v in (data.get("fields") or {}).items()
            },
            {k: dict(v) for k, v in (data.get("surveys") or {}).items()},
        )
        m._check()
        return m

    def _check(self) -> None:
        names = set(CONTACTS.names) - _GENERATED
        for name in list(self.fields) + list(self.defaults):
            if name not in names:
                raise MappingError(
                    f"mapping {self.path}: {name!r} is not a canonical contacts "
                    f"field; choose from {', '.join(sorted(names))}"
                )
        for name, spec in self.fields.items():
            bad = set(spec) - _FIELD_KEYS
            if bad:
                raise MappingError(
                    f"mapping {self.path}: fields.{name} has unknown key(s) "
                    f"{', '.join(sorted(bad))}; allowed: {', '.join(sorted(_FIELD_KEYS))}"
                )
            if "column" not in spec and "date" not in spec:
                raise MappingError(
                    f'mapping {self.path}: fields.{name} needs column = "..." '
                    "(or date = ... for a timestamp)"
                )
            if "duration" in spec and spec["duration"] not in _DURATIONS:
                raise MappingError(
                    f"mapping {self.path}: fields.{name}.duration must be one of "
                    f"{', '.join(_DURATIONS)}"
                )
        if not ({"arrival_ts", "queue_entry_ts"} & (set(self.fields) | set(self.defaults))):
            raise MappingError(
                f"mapping {self.path}: map arrival_ts or queue_entry_ts: a contact needs a time"
            )
        for value, where in ((self.defaults.get("channel"), "defaults.channel"),):
            if value is not None and value not in CHANNELS:
                raise MappingError(f"mapping {self.path}: {where} must be one of {CHANNELS}")
        for item, spec in self.surveys.items():
            if "column" not in spec or "scale" not in spec:
                raise MappingError(
                    f"mapping {self.path}: surveys.{item} needs column and scale = [min, max]"
                )

    def columns(self) -> set[str]:
        """Every source column the mapping reads."""
        cols = set()
        for spec in list(self.fields.values()) + list(self.surveys.values()):
            for key in ("column", "date", "time"):
                if key in spec:
                    cols.add(spec[key])
        return cols


def _col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _field_expr(name: str, spec: dict[str, Any]) -> tuple[str, str, str]:
    """(value expression, raw text expression, description) for a mapped field."""
    typ = CONTACTS.column(name).type
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
            f"WHEN {quote(str(k))} THEN {quote(str(v).lower() if isinstance(v, bool) else str(v))}"
            for k, v in spec["values"].items()
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
    if str(typ) in ("double", "int16", "int32", "int64"):
        return f"try_cast({expr} AS DOUBLE)", raw, desc
    return expr, raw, desc


def _sniff(con: duckdb.DuckDBPyConnection, path: Path, opts: dict[str, Any]) -> list[str]:
    rel = con.sql(f"SELECT * FROM read_csv({quote(str(path))}, {_csv_opts(opts)}) LIMIT 0")
    return list(rel.columns)


def _csv_opts(opts: dict[str, Any]) -> str:
    parts = [
        "all_varchar=true",
        "header=true",
        "null_padding=true",
        "strict_mode=false",
        "auto_detect=true",
    ]
    if "delimiter" in opts:
        parts.append(f"delim={quote(str(opts['delimiter']))}")
    if "encoding" in opts:
        parts.append(f"encoding={quote(str(opts['encoding']))}")
    return ", ".join(parts)


def load(batch: Batch, path: Path, raw: str, mapping: Mapping) -> None:
    """Load a CSV through ``mapping`` into contacts (and surveys)."""
    con = batch.store.con
    try:
        header = _sniff(con, path, mapping.csv)
    except duckdb.Error as e:
        raise InputError(f"{path}: cannot be read as CSV: {str(e).splitlines()[0]}") from None
    missing = sorted(mapping.columns() - set(header))
    if missing:
        raise MappingError(
            f"{path}: column(s) {', '.join(repr(m) for m in missing)} named in mapping "
            f"{mapping.path} are not in the file's header; the header has: "
            f"{', '.join(repr(h) for h in header)}"
        )
    cols = ", ".join(_col(c) for c in sorted(mapping.columns()))
    # DuckDB's reader skips blank lines: map record numbers to physical lines only if any.
    blanks = con.execute(f"SELECT count(*) FROM {raw} WHERE raw IS NULL").fetchall()[0][0]
    records = f"""SELECT {cols}, row_number() OVER () AS _rec
                  FROM read_csv({quote(str(path))}, {_csv_opts(mapping.csv)})"""
    if blanks:
        lines = f"""SELECT line, row_number() OVER (ORDER BY line) - 1 AS _rec FROM {raw}
                    WHERE raw IS NOT NULL"""
        source = f"SELECT c.*, l.line FROM ({records}) c JOIN ({lines}) l USING (_rec)"
    else:
        source = f"SELECT *, _rec + 1 AS line FROM ({records})"

    exprs: dict[str, str] = {}
    checks: list[tuple[str, str]] = []
    for name, spec in mapping.fields.items():
        expr, raw_text, desc = _field_expr(name, spec)
        exprs[name] = expr
        checks.append(
            (
                f"{raw_text} IS NOT NULL AND ({expr}) IS NULL",
                f"'{name}: value ' || {raw_text} || ' in {_sql_text(desc)} cannot be read'",
            )
        )
    for item, spec in mapping.surveys.items():
        lo, hi = (float(x) for x in spec["scale"])
        no_answer = ", ".join(quote(str(v)) for v in spec.get("missing", [""]))
        val = f"trim(coalesce({_col(spec['column'])}, ''))"
        checks.append(
            (
                f"{val} NOT IN ({no_answer}) AND coalesce(NOT (try_cast({val} AS DOUBLE) "
                f"BETWEEN {lo} AND {hi}), true)",
                f"'{item}: value ' || {val} || ' in column {_sql_text(repr(spec['column']))} "
                f"is not a number from {lo:g} to {hi:g} (list no-answer values under missing)'",
            )
        )
    for name, value in mapping.defaults.items():
        if name not in exprs:
            typ = str(CONTACTS.column(name).type)
            lit = quote(str(value).lower() if isinstance(value, bool) else str(value))
            exprs[name] = (
                f"try_cast({lit} AS {'BOOLEAN' if typ == 'bool' else 'VARCHAR'})"
                if typ in ("bool", "string")
                else f"try_cast({lit} AS DOUBLE)"
            )
    d = dict(exprs)
    d.setdefault("contact_id", f"{quote(Path(path).name + ':')} || line")
    d.setdefault("arrival_ts", d.get("queue_entry_ts", "NULL"))
    if "outcome" not in d:
        d["outcome"] = (
            "CASE WHEN (" + d.get("answer_ts", "NULL") + ") IS NOT NULL "
            "OR (" + d.get("agent", "NULL") + ") IS NOT NULL THEN 'answered' "
            "ELSE 'abandoned' END"
        )
    outcome_ok = ", ".join(quote(o) for o in OUTCOMES)
    # One pass: typed canonical values, plus the reason a row cannot be used (or NULL).
    typed = ",\n".join(
        f"({d.get(c.name, 'NULL')})::{_duck(c.type)} AS {c.name}"
        for c in CONTACTS.columns
        if c.name not in _GENERATED
    )
    reason = (
        "CASE "
        + " ".join(f"WHEN {c} THEN {m}" for c, m in checks)
        + f" WHEN ({d['arrival_ts']}) IS NULL THEN 'arrival_ts: no time for this contact'"
        + f" WHEN coalesce(({d['outcome']}) NOT IN ({outcome_ok}), true) THEN 'outcome: '"
        + f" || coalesce(({d['outcome']}), 'missing') || ' is not one of {', '.join(OUTCOMES)}'"
        + " END"
    )
    survey_cols = "".join(f", {_col(spec['column'])}" for spec in mapping.surveys.values())
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _csv AS
        SELECT {typed}, line, {reason} AS reason{survey_cols} FROM ({source})"""
    )
    batch.rows_read = con.execute("SELECT count(*) FROM _csv").fetchall()[0][0]
    batch.reject("SELECT line, reason FROM _csv WHERE reason IS NOT NULL", raw)
    # A key twice in one file: the first row wins, the others are rejected, named.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _csv_dup AS
        SELECT line, first FROM (
            SELECT line, min(line) OVER (PARTITION BY contact_id) AS first
            FROM _csv WHERE reason IS NULL AND contact_id IN (
                SELECT contact_id FROM _csv WHERE reason IS NULL
                GROUP BY contact_id HAVING count(*) > 1))
        WHERE line <> first"""
    )
    batch.reject(
        """SELECT d.line, 'contact_id ' || c.contact_id
                    || ' appears again (first on line ' || d.first || '); ids must be unique'
                    AS reason FROM _csv_dup d JOIN _csv c USING (line)""",
        raw,
    )

    served = "outcome = 'answered'"
    offered = "outcome NOT IN ('ivr_only', 'blocked', 'phantom')"
    query = f"""
        SELECT contact_id, coalesce(conversation_id, contact_id) AS conversation_id,
               coalesce(segment, 1)::SMALLINT AS segment, previous_contact_id,
               lower(coalesce(channel, 'voice')) AS channel,
               lower(coalesce(direction, 'inbound')) AS direction,
               queue, skill, priority, customer_key, arrival_ts, ivr_s,
               CASE WHEN {offered} THEN coalesce(queue_entry_ts, arrival_ts) END AS queue_entry_ts,
               CASE WHEN {served} THEN coalesce(answer_ts,
                   coalesce(queue_entry_ts, arrival_ts) + to_seconds(coalesce(wait_s, 0))) END
                   AS answer_ts,
               coalesce(end_ts, CASE WHEN {served} THEN
                   coalesce(answer_ts, coalesce(queue_entry_ts, arrival_ts)
                            + to_seconds(coalesce(wait_s, 0)))
                   + to_seconds(coalesce(talk_s, 0) + coalesce(hold_s, 0))
                   ELSE coalesce(queue_entry_ts, arrival_ts) + to_seconds(coalesce(wait_s, 0)) END)
                   AS end_ts,
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
               {quote(str(path))} AS source_file, line AS source_line
        FROM _csv WHERE reason IS NULL AND line NOT IN (SELECT line FROM _csv_dup)
    """
    batch.append("contacts", query, unique=True)
    if mapping.surveys:
        _load_surveys(batch, path, mapping)
    con.execute("DROP TABLE IF EXISTS _csv; DROP TABLE IF EXISTS _csv_dup")


def _load_surveys(batch: Batch, path: Path, mapping: Mapping) -> None:
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
                   {float(lo)} AS scale_min, {float(hi)} AS scale_max,
                   {quote(str(path))} AS source_file, line AS source_line
            FROM _csv WHERE reason IS NULL AND line NOT IN (SELECT line FROM _csv_dup)
              AND {val} NOT IN ({missing})
              AND try_cast({val} AS DOUBLE) BETWEEN {float(lo)} AND {float(hi)}""")
    batch.append("surveys", " UNION ALL ".join(parts), unique=True)


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


def _sql_text(s: str) -> str:
    return s.replace("'", "''")
