"""A CSV column mapping (TOML or YAML), checked whole before any row is read.

A mapping fills one canonical table, ``table = "contacts"`` (the default), ``"messages"``,
``"orders"`` or ``"agents"``; its fields and defaults are named after that table's columns.

Everything a mapping says that can be judged without the data is judged when it loads:
its sections and keys, each value map's targets against the canonical values (outcomes,
channels, directions, booleans, numbers), strptime formats, durations, survey scales and
defaults. A mistake stops the load with one line naming the mapping file, the key as
written (``fields.outcome.values.N``), the bad value, what is allowed and, where one is
close, a "did you mean" suggestion. What needs the data (a column the header lacks, a
date format that reads day and month swapped, most rows failing on one field) is checked
per file by :mod:`callscope.ingest.mapped_csv`.

>>> key_path("fields", "outcome", "values", "Not answered")
'fields.outcome.values."Not answered"'
>>> did_you_mean("abandonned", ("answered", "abandoned"))
'; did you mean "abandoned"?'
>>> strptime_guess("dd/mm/yyyy")
'%d/%m/%Y'
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from callscope.errors import MappingError
from callscope.model import CHANNELS, DIRECTIONS, OUTCOMES, TABLES, Table
from callscope.store.sql import run

__all__ = [
    "BOOL_TEXT",
    "DURATIONS",
    "MAPPED_TABLES",
    "SENDERS",
    "Mapping",
    "did_you_mean",
    "key_path",
    "literal",
    "strptime_guess",
]

DURATIONS = ("seconds", "minutes", "milliseconds", "h:mm:ss", "mm:ss")
#: Text that DuckDB casts to a boolean: what a value map or default may give for a flag.
BOOL_TEXT = frozenset({"true", "false", "t", "f", "1", "0", "yes", "no", "y", "n"})
_FIELD_KEYS = (
    "column",
    "format",
    "date",
    "date_format",
    "time",
    "time_format",
    "duration",
    "values",
    "default",
)
_TIME_KEYS = ("format", "date", "date_format", "time", "time_format")
_SECTIONS = ("csv", "defaults", "fields", "surveys")
#: Top-level keys beside the sections: the table the rows land in, and for messages the
#: queue of the chats derived from them, for orders how far back an order looks for
#: the customer's inquiry.
_TOP_KEYS = ("table", "queue", "link_window")
#: The canonical tables a mapping can fill (``table = "..."``; contacts when absent).
MAPPED_TABLES = ("contacts", "messages", "orders", "agents")
#: Who wrote a message (``messages.sender``).
SENDERS = ("customer", "agent", "bot", "system")
#: Source columns that are read but not stored as such: a message's text (its length
#: is ``chars``), an order's paid flag (``paid_ts`` = ``placed_ts`` when the export has
#: a status but no payment time).
_VIRTUAL = {"messages": {"text": "string"}, "orders": {"paid": "bool"}}
#: What a mapping of each table must map (one of each tuple).
_REQUIRED = {
    "contacts": (("arrival_ts", "queue_entry_ts"),),
    "messages": (("contact_id",), ("sender",), ("sent_ts",)),
    "orders": (("placed_ts",), ("amount",), ("items",), ("customer_key",)),
    "agents": (("agent",),),
}
_CSV_KEYS = ("delimiter", "encoding")
_SURVEY_KEYS = ("column", "scale", "missing")
_GENERATED = frozenset({"source_file", "source_line"})
#: Fields whose values come from a fixed list, with the noun for messages.
_CHOICES: dict[str, tuple[tuple[str, ...], str]] = {
    "outcome": (OUTCOMES, "an outcome"),
    "channel": (CHANNELS, "a channel"),
    "direction": (DIRECTIONS, "a direction"),
    "sender": (SENDERS, "a sender"),
}
#: The channels of messages.
MESSAGE_CHANNELS = ("chat", "email")
_CLOCK = re.compile(r"^\d+(:\d+){1,2}(\.\d+)?$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_PICTURE = re.compile(r"yyyy|yy|mmm|mm|dd|hh|ss", re.IGNORECASE)


def key_path(*parts: object) -> str:
    """A mapping key as TOML writes it (``fields.outcome.values.N``), quoting the parts
    that are not bare keys."""
    return ".".join(
        p if _BARE_KEY.match(p) else '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for p in map(str, parts)
    )


def literal(value: object) -> str:
    """A value as TOML writes it: ``"text"``, ``true``, ``3``, ``[1, 5]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key_path(k)} = {literal(v)}" for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """``'; did you mean "x"?'`` for the choice closest to ``value`` (difflib, ignoring
    case), or ``''`` when none is close."""
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(value).lower(), list(by_lower), n=1, cutoff=0.6)
    return f"; did you mean {literal(by_lower[close[0]])}?" if close else ""


def strptime_guess(picture: str, *, time_only: bool = False) -> str | None:
    """The strptime format for a picture such as ``dd/mm/yyyy`` or ``HH:mm``, or None.

    ``mm`` is the month until an hour (``hh``) has been seen, the minute after it (or
    always, with ``time_only``).
    """
    hour_seen = time_only

    def code(m: re.Match[str]) -> str:
        nonlocal hour_seen
        token = m[0].lower()
        if token == "hh":
            hour_seen = True
        if token == "mm":
            return "%M" if hour_seen else "%m"
        return {"yyyy": "%Y", "yy": "%y", "mmm": "%b", "dd": "%d", "hh": "%H", "ss": "%S"}[token]

    guess = _PICTURE.sub(code, picture)
    return guess if guess != picture else None


@dataclass(frozen=True)
class Mapping:
    """A validated column mapping: ``[csv]`` reader options, ``[defaults]`` constants,
    ``[fields.<field>]`` column specs and ``[surveys.<item>]`` rating columns.

    ``table`` is the canonical table the rows land in: ``contacts`` (the default),
    ``messages`` (chat transcripts: one row per message turn), ``orders`` (one row per
    order) or ``agents`` (the agent directory: team, site, concurrent chats);
    ``queue`` and ``link_window`` are the top-level options of messages and orders.
    """

    path: str
    csv: dict[str, Any]
    defaults: dict[str, Any]
    fields: dict[str, dict[str, Any]]
    surveys: dict[str, dict[str, Any]]
    table: str = "contacts"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> Table:
        """The canonical table of :attr:`table`."""
        return TABLES[self.table]

    def column_type(self, name: str) -> str:
        """The Arrow type (as text) of field ``name``, virtual fields included."""
        virtual = _VIRTUAL.get(self.table, {})
        if name in virtual:
            return virtual[name]
        return str(self.target.column(name).type)

    @classmethod
    def load(cls, source: Path | str | Mapping) -> Mapping:
        """Read and check a TOML (``.toml``) or YAML (``.yaml``/``.yml``) mapping file."""
        if isinstance(source, Mapping):
            return source
        path = Path(source)
        if not path.exists():
            raise MappingError(f"mapping file {path} does not exist", field="mapping")
        if path.is_dir():
            raise MappingError(
                f"mapping {path} is a folder; pass a .toml or .yaml file", field="mapping"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise MappingError(
                f"mapping {path} is not UTF-8 text; pass a .toml or .yaml mapping file",
                field="mapping",
            ) from None
        try:
            if path.suffix.lower() == ".toml":
                data = tomllib.loads(text)
            elif path.suffix.lower() in (".yaml", ".yml"):
                data = yaml.safe_load(text) or {}
            else:
                raise MappingError(f"mapping {path}: use a .toml or .yaml file", field="mapping")
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as e:
            raise MappingError(
                f"mapping {path} is not valid {path.suffix[1:].upper()}: {str(e).splitlines()[0]}",
                field="mapping",
            ) from None
        if not isinstance(data, dict):
            raise MappingError(
                f"mapping {path}: expected tables [csv], [defaults], [fields.*]", field="mapping"
            )
        unknown = sorted(set(data) - set(_SECTIONS) - set(_TOP_KEYS), key=str)
        if unknown:
            allowed = _SECTIONS + _TOP_KEYS
            raise MappingError(
                f"mapping {path}: unknown section(s) {', '.join(map(str, unknown))}; "
                f"allowed: {', '.join(allowed)}{did_you_mean(unknown[0], allowed)}",
                field="mapping",
            )
        table = data.get("table", "contacts")
        if table not in MAPPED_TABLES:
            raise MappingError(
                f"mapping {path}: table = {literal(table)} is not a table a mapping can fill; "
                f"allowed: {', '.join(MAPPED_TABLES)}{did_you_mean(table, MAPPED_TABLES)}",
                field="mapping",
            )
        for section in _SECTIONS:
            if not isinstance(data.get(section) or {}, dict):
                raise MappingError(
                    f"mapping {path}: {section} must be a table ([{section}] in TOML), "
                    f"not {literal(data[section])}",
                    field="mapping",
                )
        for item, spec in (data.get("surveys") or {}).items():
            if not isinstance(spec, dict):
                raise MappingError(
                    f"mapping {path}: {key_path('surveys', item)} must be a table with "
                    "column and scale = [min, max]",
                    field="mapping",
                )
        m = cls(
            str(path),
            dict(data.get("csv") or {}),
            dict(data.get("defaults") or {}),
            {
                str(k): dict(v) if isinstance(v, dict) else {"column": v}
                for k, v in (data.get("fields") or {}).items()
            },
            {str(k): dict(v) for k, v in (data.get("surveys") or {}).items()},
            table,
            {k: data[k] for k in _TOP_KEYS[1:] if k in data},
        )
        m._check()
        return m

    def error(self, message: str) -> MappingError:
        """A :class:`MappingError` about this mapping (names its file)."""
        return MappingError(f"mapping {self.path}: {message}", field="mapping")

    def columns(self) -> set[str]:
        """Every source column the mapping reads."""
        cols = set()
        for spec in list(self.fields.values()) + list(self.surveys.values()):
            for key in ("column", "date", "time"):
                if key in spec:
                    cols.add(spec[key])
        return cols

    # -- checks -------------------------------------------------------------------------
    def _check(self) -> None:
        names = sorted(set(self.target.names) - _GENERATED)
        fields_ok = sorted([*names, *_VIRTUAL.get(self.table, {})])
        for section, given, ok in (
            ("fields", self.fields, fields_ok),
            ("defaults", self.defaults, names),
        ):
            for name in given:
                if name not in ok:
                    raise self.error(
                        f"{key_path(section, name)}: {name!r} is not a canonical {self.table} "
                        f"field; choose from {', '.join(ok)}{did_you_mean(name, ok)}"
                    )
        for name, spec in self.fields.items():
            self._check_field(name, spec)
        for name, value in self.defaults.items():
            self._check_default(name, value)
        for need in _REQUIRED[self.table]:
            if not (set(need) & (set(self.fields) | set(self.defaults))):
                if self.table == "contacts":
                    raise self.error("map arrival_ts or queue_entry_ts: a contact needs a time")
                raise self.error(
                    f"map {need[0]} under [{key_path('fields', need[0])}]: every "
                    f"{self.table} row needs it"
                )
        if self.surveys and self.table != "contacts":
            raise self.error(f"surveys are answers about contacts; not for table = {self.table!r}")
        self._check_options()
        self._check_csv()
        for item, spec in self.surveys.items():
            self._check_survey(item, spec)
        self._check_formats()

    def _check_field(self, name: str, spec: dict[str, Any]) -> None:
        at = key_path("fields", name)
        bad = sorted(set(spec) - set(_FIELD_KEYS), key=str)
        if bad:
            raise self.error(
                f"{at} has unknown key(s) {', '.join(map(str, bad))}; allowed: "
                f"{', '.join(sorted(_FIELD_KEYS))}{did_you_mean(bad[0], _FIELD_KEYS)}"
            )
        if "column" not in spec and "date" not in spec:
            raise self.error(f'{at} needs column = "..." (or date = ... for a timestamp)')
        for k in ("column", "date", "time"):
            if k in spec and not (isinstance(spec[k], str) and spec[k].strip()):
                raise self.error(
                    f'{at}.{k} = {literal(spec[k])}: name one column in quotes, e.g. {k} = "Date"'
                )
        is_ts = self.column_type(name).startswith("timestamp")
        for k in _TIME_KEYS:
            if k in spec and not is_ts:
                raise self.error(
                    f"{at}.{k}: {name} is not a timestamp; {k} is only for the _ts fields"
                )
        if "date" in spec:
            if "column" in spec:
                raise self.error(
                    f"{at}: give column (with format) or date (with date_format, time, "
                    "time_format), not both"
                )
            if "format" in spec:
                raise self.error(
                    f"{at}.format: with date = ... the formats are date_format and time_format"
                )
        else:
            for k in ("date_format", "time", "time_format"):
                if k in spec:
                    raise self.error(f'{at}.{k} needs date = "<date column>" beside it')
        if "time_format" in spec and "time" not in spec:
            raise self.error(f'{at}.time_format needs time = "<time column>" beside it')
        if "duration" in spec:
            if spec["duration"] not in DURATIONS:
                raise self.error(
                    f"{at}.duration must be one of {', '.join(DURATIONS)}; got "
                    f"{literal(spec['duration'])}{did_you_mean(spec['duration'], DURATIONS)}"
                )
            if not name.endswith("_s"):
                raise self.error(
                    f"{at}.duration: {name} is not a duration; duration is only for the "
                    "_s fields (wait_s, talk_s, hold_s, acw_s, ivr_s)"
                )
        if "values" in spec:
            values = spec["values"]
            if not isinstance(values, dict) or not values:
                raise self.error(
                    f"{at}.values must be a table of source value = canonical value, "
                    f'e.g. values = {{ Y = "answered", N = "abandoned" }}; got {literal(values)}'
                )
            for source, target in values.items():
                if isinstance(source, bool):
                    raise self.error(
                        f"{at}.values: YAML read an unquoted key (yes/no/on/off/true/false) "
                        f"as the boolean {literal(source)}; quote it, e.g. 'yes': ..."
                    )
                self._check_value(key_path("fields", name, "values", source), name, target, spec)
        if "default" in spec:
            self._check_value(f"{at}.default", name, spec["default"], spec, constant=True)

    def _check_default(self, name: str, value: Any) -> None:
        at = key_path("defaults", name)
        if name in self.fields:
            raise self.error(
                f"{at} and {key_path('fields', name)} are both given; for the column's "
                f"empty cells set {key_path('fields', name, 'default')} instead"
            )
        if name == "contact_id" and self.table == "contacts":
            raise self.error(
                f"{at}: every contact needs its own id; map contact_id to a column, or leave "
                "it out (file name and line then identify each row)"
            )
        self._check_value(at, name, value, {}, constant=True)

    def _check_value(
        self, key: str, name: str, value: Any, spec: dict[str, Any], *, constant: bool = False
    ) -> None:
        """A canonical value of ``name`` given at ``key``: a value map's target or a default."""
        if value is None or isinstance(value, dict | list):
            raise self.error(f"{key} must be one value, not {literal(value)}")
        typ = self.column_type(name)
        if name in _CHOICES and not (name == "channel" and self.table == "messages"):
            choices, noun = _CHOICES[name]
            probe = str(value) if name == "outcome" else str(value).lower()
            if probe not in choices:
                raise self.error(
                    f"{key} = {literal(value)} is not {noun}; allowed: {', '.join(choices)}"
                    f"{did_you_mean(value, choices)}"
                )
        elif typ == "bool":
            if not isinstance(value, bool) and str(value).strip().lower() not in BOOL_TEXT:
                raise self.error(
                    f"{key} = {literal(value)} is not a boolean; use true or false"
                    f"{did_you_mean(value, ('true', 'false'))}"
                )
        elif typ.startswith("timestamp"):
            if constant:
                raise self.error(
                    f"{key}: a time cannot be a constant; map {name} from a column under "
                    f"[{key_path('fields', name)}]"
                )
        elif typ in ("double", "int16", "int32", "int64"):
            unit = spec.get("duration")
            if unit in ("h:mm:ss", "mm:ss"):
                if not _CLOCK.match(str(value)):
                    raise self.error(
                        f'{key} = {literal(value)} is not a {unit} duration; write e.g. "0:02:30"'
                    )
            elif isinstance(value, bool) or not _is_number(value):
                raise self.error(f"{key} = {literal(value)} is not a number")

    def _check_options(self) -> None:
        allowed = {"contacts": (), "messages": ("queue",), "orders": ("link_window",), "agents": ()}
        for k, v in self.options.items():
            if k not in allowed[self.table]:
                raise self.error(f"{k} is not an option of table = {self.table!r}")
            if k == "queue" and not (isinstance(v, str) and v.strip()):
                raise self.error(f'queue = {literal(v)}: name the chats\' queue, e.g. "webshop"')
            if k == "link_window" and not (
                isinstance(v, str) and re.fullmatch(r"\d+(\.\d+)?\s*(s|min|h|d)", v.strip())
            ):
                raise self.error(
                    f'link_window = {literal(v)}: give a duration with a unit, e.g. "7d", '
                    '"48h" or "0s" (no linking)'
                )
        channel = str(self.defaults.get("channel", "chat")).lower()
        if self.table == "messages" and channel not in MESSAGE_CHANNELS:
            raise self.error(
                f"defaults.channel = {literal(self.defaults['channel'])}: messages are "
                f"{' or '.join(MESSAGE_CHANNELS)}"
            )

    def _check_csv(self) -> None:
        bad = sorted(set(self.csv) - set(_CSV_KEYS), key=str)
        if bad:
            raise self.error(
                f"csv has unknown key(s) {', '.join(map(str, bad))}; allowed: "
                f"{', '.join(_CSV_KEYS)}{did_you_mean(bad[0], _CSV_KEYS)}"
            )
        for k in _CSV_KEYS:
            if k in self.csv and not (isinstance(self.csv[k], str) and self.csv[k]):
                raise self.error(f'csv.{k} = {literal(self.csv[k])} must be text, e.g. ";"')

    def _check_survey(self, item: str, spec: dict[str, Any]) -> None:
        at = key_path("surveys", item)
        bad = sorted(set(spec) - set(_SURVEY_KEYS), key=str)
        if bad:
            raise self.error(
                f"{at} has unknown key(s) {', '.join(map(str, bad))}; allowed: "
                f"{', '.join(_SURVEY_KEYS)}{did_you_mean(bad[0], _SURVEY_KEYS)}"
            )
        if "column" not in spec or "scale" not in spec:
            raise self.error(f"{at} needs column and scale = [min, max]")
        if not (isinstance(spec["column"], str) and spec["column"].strip()):
            raise self.error(f"{at}.column = {literal(spec['column'])}: name one column in quotes")
        scale = spec["scale"]
        if not (
            isinstance(scale, list)
            and len(scale) == 2
            and all(_is_number(x) and not isinstance(x, bool) for x in scale)
            and all(math.isfinite(float(x)) for x in scale)
            and float(scale[0]) < float(scale[1])
        ):
            raise self.error(
                f"{at}.scale = {literal(scale)}: give [min, max] with min < max, e.g. [1, 5]"
            )
        missing = spec.get("missing", [""])
        if not isinstance(missing, list) or any(isinstance(v, dict | list) for v in missing):
            raise self.error(
                f'{at}.missing = {literal(missing)}: give a list of no-answer values, e.g. ["0", ""]'
            )

    def _check_formats(self) -> None:
        """Every strptime format is text with % codes that DuckDB's strptime knows."""
        given = [
            (key_path("fields", name, k), spec[k], k == "time_format")
            for name, spec in self.fields.items()
            for k in ("format", "date_format", "time_format")
            if k in spec
        ]
        if not given:
            return
        con = duckdb.connect()
        try:
            for key, fmt, time_only in given:
                if not isinstance(fmt, str) or "%" not in fmt:
                    guess = strptime_guess(str(fmt), time_only=time_only)
                    hint = f"did you mean {literal(guess)}? " if guess and "%" in guess else ""
                    raise self.error(
                        f"{key} = {literal(fmt)} has no strptime codes; {hint}write the format "
                        'with codes, e.g. "%d/%m/%Y %H:%M:%S" (%d day, %m month, %Y year, '
                        "%H hour, %M minute, %S second)"
                    )
                try:
                    run(con, "SELECT try_strptime('', ?)", [fmt]).fetchall()
                except duckdb.Error as e:
                    why = str(e).splitlines()[0].removeprefix("Invalid Input Error: ")
                    raise self.error(
                        f"{key} = {literal(fmt)} is not a valid strptime format ({why}); "
                        "codes: %d day, %m month, %Y year, %y 2-digit year, %H hour, "
                        "%I 12-hour, %p AM/PM, %M minute, %S second, %f microseconds"
                    ) from None
        finally:
            con.close()


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
