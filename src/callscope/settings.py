"""The center's settings: one TOML file plus defaults, read by every command.

Where they come from, first match wins for the file:

1. ``--settings FILE`` (a command-line flag; the file must exist),
2. ``$CALLSCOPE_SETTINGS``,
3. ``./callscope.toml`` when there is one,
4. the defaults below.

Flags of a command override the file for that run (``--shrinkage 0.25``); the store
path is ``--db``, else ``$CALLSCOPE_DB``, else the file's ``db``, else
``./callscope.duckdb``. ``callscope settings show`` prints every effective value and
where it came from. A file may hold any subset of keys; an unknown key or a value that
cannot be read stops the command with one line naming the key and the fix.

The file (every key optional; these are the defaults)::

    timezone = "UTC"                # the center's clock (IANA name: Europe/Warsaw)
    db = "callscope.duckdb"         # the store

    [kpi]
    interval = "30m"                # 15m, 30m or 60m
    short_abandon = "5s"            # abandons this fast are misdials
    fcr_window = "7d"               # a repeat within this window un-resolves a contact
    sl_variant = "offered"          # see `callscope kpi --help`
    preset = "default"              # default | amazon-connect | genesys-cloud | queuemetrics

    [goals]                         # service goal per channel: percent / time
    voice = "80/20"                 # 80 % answered within 20 s
    chat = "80/60"
    email = "90/24h"                # e-mail is judged in hours, not seconds

    [queues.Sales]                  # one table per queue, all keys optional
    channel = "voice"
    goal = "90/15"                  # overrides the channel's goal for this queue

    [targets]                       # what red / amber / green are judged against
    asa = "30s"                     # at most
    aht = "300s"                    # at most
    abandon_rate = "5%"             # at most
    occupancy = "85%"               # at most
    utilization = "75%"             # at least
    avg_acw = "60s"                 # at most
    avg_hold = "45s"                # at most
    contacts_per_hour = 8           # at least
    csat = "80%"                    # at least
    fcr = "70%"                     # at least
    nps = 30                        # at least
    first_response = "30s"          # at most (chat)
    response_rate = "90%"           # at least (chat, e-mail)
    conversion_rate = "70%"         # at least (sales chat)
    adherence = "90%"               # at least
    amber_margin = "10%"            # missed by at most this much (relative): amber

    [hours]                         # opening hours, local time; "closed" or ranges
    mon = "00:00-24:00"             # e.g. "08:00-20:00" or "08:00-12:00, 13:00-18:00"
    # ... tue wed thu fri sat sun likewise

    [privacy]
    raw_identifiers = false         # true: keep caller ids as they came (not advised)
    encrypt = false                 # true: the store is an encrypted DuckDB database
    key_file = ""                   # the pseudonym key; "" = callscope.key beside the store

    [retention]                     # how long rows are kept (`callscope privacy apply-retention`)
    contacts = "25 months"          # also surveys, messages, orders, agent_states,
    rejects = "90 days"             # schedules, forecasts: days, weeks, months, years
                                    # or "forever"

    [staffing]
    model = "erlang-c"              # or erlang-a (patience from the store)
    shrinkage = "30%"               # paid time off the phones
    fte_hours_per_week = 40
    concurrency = { voice = 1, chat = 2, email = 1 }   # contacts an agent takes at once

    [schedule]                      # adherence to the schedule (`callscope adherence`)
    adherence_tolerance = "5m"      # out of adherence this long or less is no exception
    outside_shift_exception = true  # working outside the shift counts against adherence

    [alerts]                        # the live floor's alerts (wallboard, webhook); "off" = none
    sl_window = "30m"               # SL of the last ... under its goal; also the wallboard's
    longest_wait = "2m"             # someone has waited longer than this
    waiting = 10                    # more than this many waiting in one queue
    paused = "15m"                  # an agent paused longer than this
    adherence = true                # an agent out of adherence beyond adherence_tolerance
                                    # (when schedules exist)
    webhook = ""                    # URL each new alert is POSTed to as JSON ("": none)

    [quality]                       # QA evaluations (`callscope qa`, `callscope scorecard`)
    sample_per_agent = 4            # contacts evaluated per agent per month (3-6 is common)
    score_target = 85               # QA score (0-100) an agent should reach
    coaching_below = 70             # an evaluation scoring below this opens a coaching
                                    # task (so does a failed critical or fatal item)

Shares are written ``"30%"`` or ``0.3``; times ``"5s"``, ``"24h"`` or a number of
seconds.

>>> s = Settings()
>>> s.goal_for("email").label(), s.goal_for("voice").label()
('90/24h', '80/20')
>>> s.value("staffing.shrinkage"), s.value("targets.aht"), s.source("staffing.shrinkage")
('30%', '5m', 'default')
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from callscope.errors import CallscopeError
from callscope.model.outcome import CHANNELS
from callscope.model.target import Target
from callscope.model.units import format_duration, parse_duration_s, parse_share
from callscope.model.variants import PRESETS as _PRESETS
from callscope.model.variants import SL_VARIANTS as _SL_VARIANTS
from callscope.privacy.retention import format_period, parse_period

__all__ = [
    "DEFAULT_FILE",
    "ENV_DB",
    "ENV_SETTINGS",
    "RAG_TARGETS",
    "WEEKDAYS",
    "QueueSettings",
    "Settings",
    "load_settings",
    "read_settings_file",
    "settings_from_data",
]

ENV_SETTINGS = "CALLSCOPE_SETTINGS"
ENV_DB = "CALLSCOPE_DB"
DEFAULT_FILE = Path("callscope.toml")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: The red/amber/green targets: key -> (default, direction, unit). "share" values are
#: fractions, "s" seconds, "count" plain numbers. The service level is judged against
#: the goal of its channel or queue (``[goals]``, ``[queues.*]``), not listed here.
RAG_TARGETS: dict[str, tuple[float, str, str]] = {
    "asa": (30.0, "at_most", "s"),
    "aht": (300.0, "at_most", "s"),
    "abandon_rate": (0.05, "at_most", "share"),
    "occupancy": (0.85, "at_most", "share"),
    "utilization": (0.75, "at_least", "share"),
    "avg_acw": (60.0, "at_most", "s"),
    "avg_hold": (45.0, "at_most", "s"),
    "contacts_per_hour": (8.0, "at_least", "count"),
    "csat": (0.80, "at_least", "share"),
    "fcr": (0.70, "at_least", "share"),
    "nps": (30.0, "at_least", "count"),
    "first_response": (30.0, "at_most", "s"),
    "response_rate": (0.90, "at_least", "share"),
    "conversion_rate": (0.70, "at_least", "share"),
    "adherence": (0.90, "at_least", "share"),
}
_DEFAULT_GOALS = {"voice": "80/20", "chat": "80/60", "email": "90/24h"}
_DEFAULT_CONCURRENCY = {"voice": 1, "chat": 2, "email": 1}
#: How long each table keeps rows by default (`callscope privacy apply-retention`).
_DEFAULT_RETENTION = {
    "contacts": "25 months",
    "surveys": "25 months",
    "messages": "25 months",
    "orders": "25 months",
    "agent_states": "25 months",
    "schedules": "25 months",
    "forecasts": "25 months",
    "rejects": "90 days",
}
_MODELS = ("erlang-c", "erlang-a")
_INTERVALS_S = (900.0, 1800.0, 3600.0)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """What the settings say of one queue: its channel and its own goal."""

    name: str
    channel: str | None = None
    goal: Target | None = None


@dataclass(frozen=True)
class Settings:
    """The effective settings of a center. Build with :func:`load_settings`; change
    for one run with :meth:`override`."""

    timezone: str = "UTC"
    db: Path = Path("callscope.duckdb")
    # [kpi]
    interval_s: float = 1800.0
    short_abandon_s: float = 5.0
    fcr_window_s: float = 7 * 86400.0
    sl_variant: str = "offered"
    preset: str = "default"
    # [goals] and [queues.*]
    goals: Mapping[str, Target] = field(
        default_factory=lambda: {k: Target.parse(v) for k, v in _DEFAULT_GOALS.items()}
    )
    queues: Mapping[str, QueueSettings] = field(default_factory=dict)
    # [targets]
    targets: Mapping[str, float] = field(
        default_factory=lambda: {k: v[0] for k, v in RAG_TARGETS.items()}
    )
    amber_margin: float = 0.10
    # [hours]: weekday -> ((open_s, close_s), ...) seconds after midnight
    hours: Mapping[str, tuple[tuple[float, float], ...]] = field(
        default_factory=lambda: dict.fromkeys(WEEKDAYS, ((0.0, 86400.0),))
    )
    # [staffing]
    model: str = "erlang-c"
    shrinkage: float = 0.30
    fte_hours_per_week: float = 40.0
    concurrency: Mapping[str, int] = field(default_factory=lambda: dict(_DEFAULT_CONCURRENCY))
    # [schedule]
    adherence_tolerance_s: float = 300.0
    outside_shift_exception: bool = True
    # [quality]
    qa_sample_per_agent: int = 4
    qa_score_target: float = 85.0
    qa_coaching_below: float = 70.0
    # [alerts]: None = off
    alert_sl_window_s: float | None = 1800.0
    alert_longest_wait_s: float | None = 120.0
    alert_waiting: int | None = 10
    alert_paused_s: float | None = 900.0
    alert_adherence: bool = True
    alert_webhook: str = ""
    # [privacy]
    raw_identifiers: bool = False
    encrypt: bool = False  #: the store is a DuckDB-encrypted database (key: key_path)
    key_file: Path | None = None  #: None: callscope.key beside the store
    # [retention]: table -> (n, unit), None = forever
    retention: Mapping[str, tuple[int, str] | None] = field(
        default_factory=lambda: {k: parse_period(v) for k, v in _DEFAULT_RETENTION.items()}
    )
    #: where each dotted key came from: "default", a file path, an environment variable
    #: or a flag (``--shrinkage``)
    sources: Mapping[str, str] = field(default_factory=dict)
    #: the settings file read (None: none, the defaults)
    file: Path | None = None

    # -- reading ----------------------------------------------------------------------

    def goal_for(self, channel: str | None, queue: str | None = None) -> Target:
        """The service goal of ``queue`` (its own, else its channel's, else voice's)."""
        if queue is not None and queue in self.queues:
            q = self.queues[queue]
            if q.goal is not None:
                return q.goal
            channel = channel or q.channel
        return self.goals.get(channel or "voice") or self.goals["voice"]

    def channel_of(self, queue: str) -> str | None:
        """The channel the settings give ``queue``, if any."""
        q = self.queues.get(queue)
        return q.channel if q else None

    def concurrency_for(self, channel: str | None) -> int:
        """Contacts an agent of ``channel`` handles at once (voice: always 1)."""
        if channel in (None, "voice"):
            return 1
        return int(self.concurrency.get(channel, 1))

    def is_open(self, weekday: int, second_of_day: float) -> bool:
        """Whether the center is open at ``second_of_day`` of ``weekday`` (0 = Monday)."""
        return any(a <= second_of_day < b for a, b in self.hours[WEEKDAYS[weekday]])

    def key_path(self) -> Path:
        """Where the center's key (pseudonyms, store encryption) lives:
        ``privacy.key_file``, else beside the store."""
        if self.key_file is not None:
            return self.key_file
        return Path(self.db).parent / "callscope.key"

    def source(self, key: str) -> str:
        """Where the dotted ``key`` (``staffing.shrinkage``) came from."""
        return self.sources.get(key, "default")

    def value(self, key: str) -> Any:
        """The effective value of a dotted key, as :meth:`rows` shows it."""
        for k, v, _ in self.rows():
            if k == key:
                return v
        raise KeyError(key)

    def rows(self) -> list[tuple[str, Any, str]]:
        """Every effective setting as ``(dotted key, value, source)``, in file order."""
        out: list[tuple[str, Any, str]] = []

        def add(key: str, value: Any) -> None:
            out.append((key, value, self.source(key)))

        add("timezone", self.timezone)
        add("db", str(self.db))
        add("kpi.interval", format_duration(self.interval_s))
        add("kpi.short_abandon", format_duration(self.short_abandon_s))
        add("kpi.fcr_window", format_duration(self.fcr_window_s))
        add("kpi.sl_variant", self.sl_variant)
        add("kpi.preset", self.preset)
        for ch in sorted(self.goals, key=_channel_order):
            add(f"goals.{ch}", self.goals[ch].label())
        for name in sorted(self.queues):
            q = self.queues[name]
            if q.channel is not None:
                add(f"queues.{name}.channel", q.channel)
            if q.goal is not None:
                add(f"queues.{name}.goal", q.goal.label())
        for k, (_, _, unit) in RAG_TARGETS.items():
            add(f"targets.{k}", _spell(self.targets[k], unit))
        add("targets.amber_margin", _spell(self.amber_margin, "share"))
        for d in WEEKDAYS:
            add(f"hours.{d}", _hours_text(self.hours[d]))
        add("privacy.raw_identifiers", self.raw_identifiers)
        add("privacy.encrypt", self.encrypt)
        add("privacy.key_file", str(self.key_file) if self.key_file is not None else "")
        for table in _DEFAULT_RETENTION:
            add(f"retention.{table}", format_period(self.retention.get(table)))
        add("staffing.model", self.model)
        add("staffing.shrinkage", _spell(self.shrinkage, "share"))
        add("staffing.fte_hours_per_week", self.fte_hours_per_week)
        for ch in sorted(self.concurrency, key=_channel_order):
            add(f"staffing.concurrency.{ch}", self.concurrency[ch])
        add("schedule.adherence_tolerance", format_duration(self.adherence_tolerance_s))
        add("schedule.outside_shift_exception", self.outside_shift_exception)
        add("quality.sample_per_agent", self.qa_sample_per_agent)
        add("quality.score_target", self.qa_score_target)
        add("quality.coaching_below", self.qa_coaching_below)
        for key, v in (
            ("sl_window", self.alert_sl_window_s),
            ("longest_wait", self.alert_longest_wait_s),
            ("waiting", self.alert_waiting),
            ("paused", self.alert_paused_s),
        ):
            shown = v if key == "waiting" else (None if v is None else _spell(v, "s"))
            add(f"alerts.{key}", "off" if shown is None else shown)
        add("alerts.adherence", self.alert_adherence)
        add("alerts.webhook", self.alert_webhook)
        return out

    # -- changing ---------------------------------------------------------------------

    def override(self, source: str = "flag", **changes: Any) -> Settings:
        """A copy with some top-level fields changed by ``source`` (a flag name); values
        of ``None`` are ignored, so unset flags can be passed straight through."""
        given = {k: v for k, v in changes.items() if v is not None}
        if not given:
            return self
        names = {f.name for f in fields(self)}
        unknown = sorted(set(given) - names)
        if unknown:
            raise CallscopeError(f"unknown setting {unknown[0]!r}")
        new = replace(self, **given)
        _check(new)
        src = dict(self.sources)
        for k in given:
            for dotted in _DOTTED.get(k, (k,)):
                src[dotted] = source
        return replace(new, sources=src)


def _spell(value: float, unit: str) -> str | float:
    """A value as the settings file writes it: shares ``30%``, times ``30s``/``5m``."""
    if unit == "share":
        return f"{round(value * 100, 6):g}%"
    if unit == "s":
        return format_duration(value)
    return value


def _channel_order(ch: str) -> tuple[int, str]:
    return (CHANNELS.index(ch) if ch in CHANNELS else 9, ch)


#: top-level field -> the dotted keys it shows as
_DOTTED = {
    "interval_s": ("kpi.interval",),
    "short_abandon_s": ("kpi.short_abandon",),
    "fcr_window_s": ("kpi.fcr_window",),
    "sl_variant": ("kpi.sl_variant",),
    "preset": ("kpi.preset",),
    "model": ("staffing.model",),
    "shrinkage": ("staffing.shrinkage",),
    "fte_hours_per_week": ("staffing.fte_hours_per_week",),
    "adherence_tolerance_s": ("schedule.adherence_tolerance",),
    "outside_shift_exception": ("schedule.outside_shift_exception",),
    "qa_sample_per_agent": ("quality.sample_per_agent",),
    "qa_score_target": ("quality.score_target",),
    "qa_coaching_below": ("quality.coaching_below",),
}


def _hours_text(spans: tuple[tuple[float, float], ...]) -> str:
    if not spans:
        return "closed"

    def hhmm(s: float) -> str:
        return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"

    return ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in spans)


def _check(s: Settings) -> None:
    """Whole-object checks, run after a file or a flag changed something."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(s.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CallscopeError(
            f"unknown time zone {s.timezone!r}; use an IANA name such as Europe/Warsaw or UTC",
            field="timezone",
        ) from None
    if s.interval_s not in _INTERVALS_S:
        raise CallscopeError(
            f"the interval must be 15m, 30m or 60m; got {format_duration(s.interval_s)}",
            field="interval_s",
        )
    if not 0.0 <= s.shrinkage < 1.0:
        raise CallscopeError(
            f"shrinkage is a share of paid time in [0, 1), e.g. 0.3 or 30%; got {s.shrinkage:g}",
            field="shrinkage",
        )
    if not (s.fte_hours_per_week > 0 and math.isfinite(s.fte_hours_per_week)):
        raise CallscopeError(
            f"paid hours of one FTE per week must be > 0; got {s.fte_hours_per_week:g}",
            field="fte_hours_per_week",
        )
    if s.model not in _MODELS:
        raise CallscopeError(
            f"unknown staffing model {s.model!r}; use {' or '.join(_MODELS)}", field="model"
        )
    if s.sl_variant not in _SL_VARIANTS:
        raise CallscopeError(
            f"unknown service-level variant {s.sl_variant!r}; use one of "
            + ", ".join(_SL_VARIANTS),
            field="sl_variant",
        )
    if s.preset not in _PRESETS:
        raise CallscopeError(
            f"unknown preset {s.preset!r}; use one of {', '.join(_PRESETS)}", field="preset"
        )
    if not (s.short_abandon_s >= 0 and math.isfinite(s.short_abandon_s)):
        raise CallscopeError("the short-abandon threshold must be >= 0 s", field="short_abandon_s")
    if not s.fcr_window_s > 0:
        raise CallscopeError("the FCR window must be longer than 0", field="fcr_window_s")
    if not (s.adherence_tolerance_s >= 0 and math.isfinite(s.adherence_tolerance_s)):
        raise CallscopeError(
            "the adherence tolerance must be >= 0, e.g. 5m", field="adherence_tolerance_s"
        )
    if not (isinstance(s.qa_sample_per_agent, int) and 1 <= s.qa_sample_per_agent <= 1000):
        raise CallscopeError(
            f"contacts sampled per agent must be a whole number >= 1; got {s.qa_sample_per_agent}",
            field="qa_sample_per_agent",
        )
    for name, v in (
        ("qa_score_target", s.qa_score_target),
        ("qa_coaching_below", s.qa_coaching_below),
    ):
        if not 0 <= v <= 100:
            raise CallscopeError(f"a QA score is 0-100; got {v:g}", field=name)
    for ch, k in s.concurrency.items():
        if k < 1:
            raise CallscopeError(
                f"concurrency of {ch} must be a whole number >= 1; got {k}", field="concurrency"
            )


# -- the file ---------------------------------------------------------------------------

_TOP = (
    "timezone",
    "db",
    "kpi",
    "goals",
    "queues",
    "targets",
    "hours",
    "privacy",
    "retention",
    "staffing",
    "schedule",
    "alerts",
    "quality",
)
_PRIVACY = ("raw_identifiers", "encrypt", "key_file")
_KPI = ("interval", "short_abandon", "fcr_window", "sl_variant", "preset")
_STAFFING = ("model", "shrinkage", "fte_hours_per_week", "concurrency")
_QUEUE = ("channel", "goal")
_SCHEDULE = ("adherence_tolerance", "outside_shift_exception")
_ALERTS = ("sl_window", "longest_wait", "waiting", "paused", "adherence", "webhook")
_QUALITY = ("sample_per_agent", "score_target", "coaching_below")


def _unknown(key: str, known: tuple[str, ...] | list[str], where: str) -> CallscopeError:
    near = difflib.get_close_matches(key, list(known), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else f"; known: {', '.join(known)}"
    return CallscopeError(f"{where}: unknown key {key!r}{hint}", field="settings")


def _bad(where: str, key: str, value: Any, want: str) -> CallscopeError:
    return CallscopeError(f"{where}: {key} = {value!r} cannot be read; {want}", field="settings")


def _share(where: str, key: str, value: Any) -> float:
    """``"30%"`` or ``0.3`` -> 0.3."""
    if isinstance(value, bool):
        raise _bad(where, key, value, 'write a share such as "30%" or 0.3')
    try:
        return parse_share(value)
    except CallscopeError:
        raise _bad(where, key, value, 'write a share such as "30%" or 0.3') from None


def _seconds(where: str, key: str, value: Any) -> float:
    """``"5s"``, ``"24h"`` or a number of seconds."""
    if isinstance(value, bool):
        raise _bad(where, key, value, 'write a time such as "30s", "24h" or a number of seconds')
    if isinstance(value, (int, float)):
        if value >= 0 and math.isfinite(value):
            return float(value)
        raise _bad(where, key, value, "a time is >= 0")
    try:
        return parse_duration_s(str(value), bare="s")
    except CallscopeError:
        raise _bad(where, key, value, 'write a time such as "30s", "5m", "24h"') from None


def _number(where: str, key: str, value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise _bad(where, key, value, "write a number")


def _target(where: str, key: str, value: Any) -> Target:
    try:
        return Target.parse(str(value))
    except CallscopeError as e:
        raise CallscopeError(f"{where}: {key}: {e}", field="settings") from None


def _hours(where: str, key: str, value: Any) -> tuple[tuple[float, float], ...]:
    text = str(value).strip().lower()
    if text in ("closed", ""):
        return ()
    spans = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", part)
        if not m:
            raise _bad(
                where, key, value, 'write "08:00-20:00", "08:00-12:00, 13:00-18:00" or "closed"'
            )
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        a, b = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
        if m1 > 59 or m2 > 59 or not 0 <= a < b <= 86400:
            raise _bad(where, key, value, "each range opens before it closes, within 00:00-24:00")
        spans.append((float(a), float(b)))
    return tuple(sorted(spans))


def read_settings_file(path: Path) -> dict[str, Any]:
    """The TOML data of a settings file, or one line saying why it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CallscopeError(f"no settings file at {path}", field="settings") from None
    except IsADirectoryError:
        raise CallscopeError(f"{path} is a folder, not a settings file", field="settings") from None
    except UnicodeDecodeError:
        raise CallscopeError(
            f"{path} is not UTF-8 text; save it as UTF-8", field="settings"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise CallscopeError(f"{path} is not valid TOML: {e}", field="settings") from None


def _from_file(path: Path, base: Settings) -> Settings:
    return replace(settings_from_data(read_settings_file(path), str(path), base), file=path)


def settings_from_data(data: Mapping[str, Any], where: str, base: Settings) -> Settings:
    """``base`` changed by the keys of ``data`` (a settings file's TOML, as a dict),
    checked as the file is: an unknown key or a value that cannot be read is one
    :class:`CallscopeError` starting ``where:`` and naming the dotted key. The sources of
    the keys given become ``where``."""
    ch: dict[str, Any] = {}
    src: dict[str, str] = dict(base.sources)

    def section(name: str, known: tuple[str, ...]) -> dict[str, Any]:
        sec = data.get(name, {})
        if not isinstance(sec, dict):
            raise _bad(where, name, sec, f"[{name}] is a table of keys")
        for k in sec:
            if k not in known:
                raise _unknown(k, known, f"{where} [{name}]")
        return sec

    for k in data:
        if k not in _TOP:
            raise _unknown(k, _TOP, where)
    if "timezone" in data:
        ch["timezone"] = str(data["timezone"])
        src["timezone"] = where
    if "db" in data:
        ch["db"] = Path(str(data["db"]))
        src["db"] = where
    kpi = section("kpi", _KPI)
    kpi_fields = {
        "interval": ("interval_s", _seconds),
        "short_abandon": ("short_abandon_s", _seconds),
        "fcr_window": ("fcr_window_s", _seconds),
    }
    for k, v in kpi.items():
        if k in kpi_fields:
            name, conv = kpi_fields[k]
            ch[name] = conv(where, f"kpi.{k}", v)
        else:
            ch[k] = str(v)
        src[f"kpi.{k}"] = where
    goals = dict(base.goals)
    for k, v in section("goals", CHANNELS).items():
        goals[k] = _target(where, f"goals.{k}", v)
        src[f"goals.{k}"] = where
    ch["goals"] = goals
    queues = dict(base.queues)
    qsec = data.get("queues", {})
    if not isinstance(qsec, dict):
        raise _bad(where, "queues", qsec, "write one [queues.NAME] table per queue")
    for qname, qv in qsec.items():
        if not isinstance(qv, dict):
            raise _bad(where, f"queues.{qname}", qv, f"write a table [queues.{qname}]")
        for k in qv:
            if k not in _QUEUE:
                raise _unknown(k, _QUEUE, f"{where} [queues.{qname}]")
        channel = qv.get("channel")
        if channel is not None and channel not in CHANNELS:
            raise _bad(
                where, f"queues.{qname}.channel", channel, f"use one of {', '.join(CHANNELS)}"
            )
        goal = _target(where, f"queues.{qname}.goal", qv["goal"]) if "goal" in qv else None
        queues[str(qname)] = QueueSettings(str(qname), channel, goal)
        for k in qv:
            src[f"queues.{qname}.{k}"] = where
    ch["queues"] = queues
    targets = dict(base.targets)
    tsec = section("targets", (*RAG_TARGETS, "amber_margin"))
    for k, v in tsec.items():
        if k == "amber_margin":
            ch["amber_margin"] = _share(where, "targets.amber_margin", v)
        else:
            unit = RAG_TARGETS[k][2]
            conv = {"share": _share, "s": _seconds, "count": _number}[unit]
            targets[k] = conv(where, f"targets.{k}", v)
        src[f"targets.{k}"] = where
    ch["targets"] = targets
    hours = dict(base.hours)
    for k, v in section("hours", WEEKDAYS).items():
        hours[k] = _hours(where, f"hours.{k}", v)
        src[f"hours.{k}"] = where
    ch["hours"] = hours
    pv = section("privacy", _PRIVACY)
    if "raw_identifiers" in pv:
        if not isinstance(pv["raw_identifiers"], bool):
            raise _bad(
                where, "privacy.raw_identifiers", pv["raw_identifiers"], "write true or false"
            )
        ch["raw_identifiers"] = pv["raw_identifiers"]
    if "encrypt" in pv:
        if not isinstance(pv["encrypt"], bool):
            raise _bad(where, "privacy.encrypt", pv["encrypt"], "write true or false")
        ch["encrypt"] = pv["encrypt"]
    if "key_file" in pv:
        ch["key_file"] = Path(str(pv["key_file"])) if str(pv["key_file"]) else None
    for k in pv:
        src[f"privacy.{k}"] = where
    ret = dict(base.retention)
    for k, v in section("retention", tuple(_DEFAULT_RETENTION)).items():
        try:
            ret[k] = parse_period(str(v))
        except CallscopeError:
            raise _bad(
                where, f"retention.{k}", v, 'write e.g. "90 days", "25 months" or "forever"'
            ) from None
        src[f"retention.{k}"] = where
    ch["retention"] = ret
    st = section("staffing", _STAFFING)
    if "model" in st:
        ch["model"] = str(st["model"])
    if "shrinkage" in st:
        ch["shrinkage"] = _share(where, "staffing.shrinkage", st["shrinkage"])
    if "fte_hours_per_week" in st:
        ch["fte_hours_per_week"] = _number(
            where, "staffing.fte_hours_per_week", st["fte_hours_per_week"]
        )
    for k in ("model", "shrinkage", "fte_hours_per_week"):
        if k in st:
            src[f"staffing.{k}"] = where
    if "concurrency" in st:
        conc = dict(base.concurrency)
        cv = st["concurrency"]
        if not isinstance(cv, dict):
            raise _bad(where, "staffing.concurrency", cv, "write { chat = 2, email = 1 }")
        for k, v in cv.items():
            if k not in CHANNELS:
                raise _unknown(k, CHANNELS, f"{where} [staffing.concurrency]")
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise _bad(where, f"staffing.concurrency.{k}", v, "a whole number >= 1")
            conc[k] = v
            src[f"staffing.concurrency.{k}"] = where
        ch["concurrency"] = conc
    sch = section("schedule", _SCHEDULE)
    if "adherence_tolerance" in sch:
        ch["adherence_tolerance_s"] = _seconds(
            where, "schedule.adherence_tolerance", sch["adherence_tolerance"]
        )
    if "outside_shift_exception" in sch:
        flag = sch["outside_shift_exception"]
        if not isinstance(flag, bool):
            raise _bad(where, "schedule.outside_shift_exception", flag, "write true or false")
        ch["outside_shift_exception"] = flag
    for k in sch:
        src[f"schedule.{k}"] = where
    qa = section("quality", _QUALITY)
    if "sample_per_agent" in qa:
        n = qa["sample_per_agent"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise _bad(where, "quality.sample_per_agent", n, "a whole number >= 1, e.g. 4")
        ch["qa_sample_per_agent"] = n
    for k in ("score_target", "coaching_below"):
        if k in qa:
            v = _number(where, f"quality.{k}", qa[k])
            if not 0 <= v <= 100:
                raise _bad(where, f"quality.{k}", qa[k], "a QA score from 0 to 100")
            ch[f"qa_{k}"] = v
    for k in qa:
        src[f"quality.{k}"] = where
    alerts = section("alerts", _ALERTS)
    ch.update(_alerts(where, alerts))
    for k in alerts:
        src[f"alerts.{k}"] = where
    out = replace(base, **ch, sources=src)
    try:
        _check(out)
    except CallscopeError as e:
        raise CallscopeError(f"{where}: {e}", field="settings") from None
    return out


def _alerts(where: str, sec: dict[str, Any]) -> dict[str, Any]:
    """The ``[alerts]`` keys as fields (``"off"`` turns one off)."""
    out: dict[str, Any] = {}
    for key, name in (
        ("sl_window", "alert_sl_window_s"),
        ("longest_wait", "alert_longest_wait_s"),
        ("paused", "alert_paused_s"),
    ):
        if key in sec:
            v = sec[key]
            out[name] = None if v == "off" else _seconds(where, f"alerts.{key}", v)
            if key == "sl_window" and out[name] is not None and not 60 <= out[name] <= 86400:
                raise _bad(where, "alerts.sl_window", v, 'write 1m to 24h, e.g. "30m", or "off"')
    if "waiting" in sec:
        v = sec["waiting"]
        if v == "off":
            out["alert_waiting"] = None
        elif isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise _bad(where, "alerts.waiting", v, 'write a whole number >= 0, or "off"')
        else:
            out["alert_waiting"] = v
    if "adherence" in sec:
        if not isinstance(sec["adherence"], bool):
            raise _bad(where, "alerts.adherence", sec["adherence"], "write true or false")
        out["alert_adherence"] = sec["adherence"]
    if "webhook" in sec:
        url = sec["webhook"]
        if not isinstance(url, str) or (url and not re.fullmatch(r"https?://\S+", url)):
            raise _bad(where, "alerts.webhook", url, 'write an http(s) URL, or "" for none')
        out["alert_webhook"] = url
    return out


def load_settings(
    path: Path | str | None = None,
    *,
    db: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """The effective settings: ``path`` (``--settings``), else ``$CALLSCOPE_SETTINGS``,
    else ``./callscope.toml`` if present, else the defaults; then the store path from
    ``db`` (``--db``), else ``$CALLSCOPE_DB``, else the file's ``db``."""
    env = os.environ if env is None else env
    here = cwd or Path.cwd()
    base = Settings()
    file: Path | None = None
    if path is not None:
        file = Path(path)
        if not file.is_file():
            what = "is a folder" if file.is_dir() else "does not exist"
            raise CallscopeError(
                f"{file} {what}; give a TOML settings file (see `callscope settings show`)",
                field="settings",
            )
    elif env.get(ENV_SETTINGS):
        file = Path(env[ENV_SETTINGS])
        if not file.is_file():
            raise CallscopeError(
                f"${ENV_SETTINGS} names {file}, which is not a file; fix or unset it",
                field="settings",
            )
    elif (here / DEFAULT_FILE).is_file():
        file = here / DEFAULT_FILE
    settings = _from_file(file, base) if file is not None else base
    if db is not None:
        settings = settings.override("--db", db=Path(db))
    elif env.get(ENV_DB):
        settings = settings.override(f"${ENV_DB}", db=Path(env[ENV_DB]))
    return settings
