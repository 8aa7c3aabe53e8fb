"""Agents' contracts for ``callscope roster build``: a small TOML (or YAML) file.

One ``[default]`` table for every agent, ``[team."NAME"]`` tables for a team's agents and
``[agent."ID"]`` tables for one agent, each with any of the keys below. An agent's terms
are the built-in defaults, overridden by ``[default]``, then their team's table, then
their own: a number replaces the one before it; the lists (``days_off``, ``time_off``,
``requests``) add up. Every key is optional::

    [weights]                          # what the roster's objective counts
    under = 100                        # per agent-hour a shift of the cover is short
    over = 1                           # per agent-hour beyond it
    below_half = 100                   # more per agent-hour short of half its count
    request = 10                       # a request's weight when it gives none

    [default]
    max_hours_per_week = 40            # paid hours (default: [staffing] fte_hours_per_week)
    min_hours_per_week = 0
    max_shifts_per_week = { late = 3 } # per shift template (of the --shifts file)
    max_consecutive_days = 6           # working days in a row
    min_consecutive_days = 1
    min_consecutive_days_off = 1
    max_weekends = 2                   # Saturday-Sunday pairs worked in the horizon
    min_rest = "11h"                   # from a shift's end to the next one's start
    shifts = ["early", "late"]         # the templates they may work (default: all)
    days_off = ["sun"]                 # weekdays, dates or date ranges: no shift
    time_off = []                      # spans with no shift overlapping them

    [team."Chat Sales 1"]
    max_hours_per_week = 30

    [agent."Agent/1001"]
    days_off = ["2025-01-08", "2025-01-13..2025-01-17"]
    time_off = [{ from = "2025-01-07 08:00", to = "2025-01-07 12:00" }]
    requests = [
      { date = "2025-01-07", shift = "late", weight = 3 },   # wants a late shift then
      { date = "2025-01-10", off = true },                   # wants the day off
      { date = "2025-01-11", shift = "early", off = true },  # anything but early
    ]

The same in YAML: mappings ``weights:``, ``default:``, ``team:`` and ``agent:`` (the
last two holding one mapping per name), the same keys; only ``true``/``false`` are
booleans (``off`` is a key, not a YAML 1.1 boolean).

Per-week limits are scaled to the horizon (``days / 7`` weeks): maxima rounded down,
minima up, so a 10-day roster with 40 hours a week allows 57 h 8 min. Days off and time
off are hard (a shift that overlaps a day off, including a night shift from the day
before, is not worked); requests are soft, paid their weight when not met. Dates are
``YYYY-MM-DD`` (or TOML dates), times ``YYYY-MM-DD HH:MM``; a date outside the horizon is
ignored. The built-in defaults: at most ``fte_hours_per_week`` paid hours a week, 6 days
in a row, 11 hours' rest between shifts (the EU Working Time Directive's daily rest), no
minimum hours and no weekend limit.

>>> c = read_contracts('[default]\\nmax_hours_per_week = 30\\n[agent."a"]\\nmin_rest = "12h"')
>>> t = c.terms_for("a", None, fte_hours_per_week=40)
>>> t.max_hours_per_week, t.min_rest_minutes, t.max_consecutive_days
(30.0, 720.0, 6)
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from callscope.errors import CallscopeError
from callscope.model.units import parse_duration_s

__all__ = [
    "ContractFile",
    "DayRule",
    "RequestSpec",
    "Terms",
    "Weights",
    "read_contracts",
    "yaml_loader",
]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NUMBERS = (
    "max_hours_per_week",
    "min_hours_per_week",
    "max_consecutive_days",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "max_weekends",
)
_WHOLE = _NUMBERS[2:]
_KEYS = (*_NUMBERS, "max_shifts_per_week", "min_rest", "shifts", "days_off", "time_off")
_AGENT_KEYS = (*_KEYS, "requests")
_REQUEST_KEYS = ("date", "shift", "weight", "off")


def _err(where: str, msg: str) -> CallscopeError:
    return CallscopeError(f"{where}: {msg}", field="contracts")


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights: ``under`` and ``over`` per agent-hour of a shift's cover,
    ``below_half`` added per agent-hour short beyond half of a shift's wanted count
    (``None``: as ``under``; spreads a shortfall over the shifts instead of emptying
    one), ``request`` the weight of a request that names none."""

    under: float = 100.0
    over: float = 1.0
    request: int = 10
    below_half: float | None = None

    @property
    def half(self) -> float:
        return self.under if self.below_half is None else self.below_half


@dataclass(frozen=True, slots=True)
class DayRule:
    """Days off: a ``weekday`` (0 = Monday) every week, or the dates ``first`` to
    ``last`` (inclusive)."""

    weekday: int | None = None
    first: date | None = None
    last: date | None = None

    def covers(self, day: date) -> bool:
        if self.weekday is not None:
            return day.weekday() == self.weekday
        assert self.first is not None and self.last is not None
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """A wish of one agent: work a shift of ``shift`` (a template name, or ``"*"`` any
    shift) on ``day`` (``off`` false), or do not (``off`` true); paid ``weight`` when
    not met."""

    day: date
    shift: str
    weight: int
    off: bool


@dataclass(frozen=True)
class Terms:
    """One agent's terms (``None``: no limit); durations in minutes."""

    max_hours_per_week: float | None = None
    min_hours_per_week: float = 0.0
    max_shifts_per_week: Mapping[str, float] = field(default_factory=dict)
    max_consecutive_days: int | None = 6
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    min_rest_minutes: float = 660.0
    shifts: tuple[str, ...] | None = None
    days_off: tuple[DayRule, ...] = ()
    time_off: tuple[tuple[datetime, datetime], ...] = ()
    requests: tuple[RequestSpec, ...] = ()

    def minutes_between(self, weeks: float) -> tuple[int, int | None]:
        """Paid minutes allowed over ``weeks`` weeks: (minimum rounded up, maximum
        rounded down; ``None``: no maximum)."""
        lo = math.ceil(self.min_hours_per_week * 60 * weeks - 1e-6)
        hi = (
            None
            if self.max_hours_per_week is None
            else math.floor(self.max_hours_per_week * 60 * weeks + 1e-6)
        )
        return lo, hi

    def shift_caps(self, weeks: float) -> dict[str, int]:
        """Most shifts of each capped template over ``weeks`` weeks (rounded down)."""
        return {k: math.floor(v * weeks + 1e-6) for k, v in self.max_shifts_per_week.items()}


@dataclass(frozen=True)
class ContractFile:
    """A contracts file: weights and the tables (each a dict of the keys given)."""

    weights: Weights = Weights()
    default: Mapping[str, Any] = field(default_factory=dict)
    teams: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    agents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    where: str = "contracts"

    def terms_for(self, agent: str, team: str | None, *, fte_hours_per_week: float) -> Terms:
        """The terms of ``agent`` of ``team``: built-in defaults (with
        ``fte_hours_per_week`` as the weekly maximum), ``[default]``, the team's table,
        the agent's."""
        t = Terms(max_hours_per_week=fte_hours_per_week)
        tables: list[Mapping[str, Any]] = [self.default]
        if team is not None and team in self.teams:
            tables.append(self.teams[team])
        if agent in self.agents:
            tables.append(self.agents[agent])
        for tab in tables:
            t = _apply(t, tab)
        return t

    def check(
        self,
        agents: Mapping[str, str | None],
        templates: Sequence[str],
        all_teams: Sequence[str],
        fte_hours_per_week: float,
    ) -> None:
        """Refuse, in one line, a table for an agent not in the store or a team that
        is unknown, a template name that the shift file does not have, and minimum
        hours above the maximum for any agent of ``agents`` (id -> team)."""
        for a in self.agents:
            if a not in agents:
                raise _err(self.where, f"[agent.{_quote(a)}]: no agent {a!r} in the store's agents")
        for tm in self.teams:
            if tm not in all_teams:
                known = ", ".join(sorted(all_teams)) or "none"
                raise _err(self.where, f"[team.{_quote(tm)}]: no team {tm!r} (teams: {known})")
        names = set(templates)
        for label, tab in self._tables():
            used = list(tab.get("shifts", None) or [])
            used += list(tab.get("max_shifts_per_week", {}) or {})
            used += [r.shift for r in tab.get("requests", ()) if r.shift != "*"]
            for n in used:
                if n not in names:
                    raise _err(
                        self.where,
                        f"{label}: no shift template {n!r} in the shifts file "
                        f"(templates: {', '.join(templates)})",
                    )
        for a, team in agents.items():
            t = self.terms_for(a, team, fte_hours_per_week=fte_hours_per_week)
            if t.max_hours_per_week is not None and t.min_hours_per_week > t.max_hours_per_week:
                raise _err(
                    self.where,
                    f"agent {a!r}: min_hours_per_week {t.min_hours_per_week:g} is above "
                    f"max_hours_per_week {t.max_hours_per_week:g}",
                )
            if t.shifts is not None and not t.shifts:
                raise _err(self.where, f"agent {a!r}: shifts = [] leaves no shift to work")

    def _tables(self) -> list[tuple[str, Mapping[str, Any]]]:
        out: list[tuple[str, Mapping[str, Any]]] = [("[default]", self.default)]
        out += [(f"[team.{_quote(k)}]", v) for k, v in self.teams.items()]
        out += [(f"[agent.{_quote(k)}]", v) for k, v in self.agents.items()]
        return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def _apply(t: Terms, tab: Mapping[str, Any]) -> Terms:
    kw: dict[str, Any] = {}
    for k, v in tab.items():
        if k in ("days_off", "time_off", "requests"):
            kw[k] = getattr(t, k) + tuple(v)
        elif k == "min_rest":
            kw["min_rest_minutes"] = v
        elif k == "max_shifts_per_week":
            kw[k] = {**t.max_shifts_per_week, **v}
        else:
            kw[k] = v
    return replace(t, **kw)


# -- reading ---------------------------------------------------------------------------


def _number(v: object, where: str, key: str, *, whole: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise _err(where, f"{key} = {v!r}: write a number >= 0")
    if whole and v != int(v):
        raise _err(where, f"{key} = {v!r}: write a whole number")
    return float(v)


def _date(v: object, where: str, key: str) -> date:
    if isinstance(v, datetime):
        raise _err(where, f"{key}: {v!r} is a time; write a date, e.g. 2025-01-08")
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v).strip())
    except ValueError:
        raise _err(
            where, f"{key}: {v!r} is not a date; write YYYY-MM-DD, e.g. 2025-01-08"
        ) from None


def _when(v: object, where: str, key: str) -> datetime:
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, date):
        return datetime.combine(v, time())
    try:
        return datetime.fromisoformat(str(v).strip())
    except ValueError:
        raise _err(
            where, f"{key}: {v!r} is not a time; write YYYY-MM-DD HH:MM, e.g. 2025-01-07 08:00"
        ) from None


def _day_rules(v: object, where: str) -> tuple[DayRule, ...]:
    if not isinstance(v, list):
        raise _err(where, 'days_off = ["sun", "2025-01-08", "2025-01-13..2025-01-17"]')
    out = []
    for item in v:
        text = item.strip().lower() if isinstance(item, str) else None
        if text is not None and text[:3] in _DAYS and len(text) <= 9 and text.isalpha():
            out.append(DayRule(weekday=_DAYS.index(text[:3])))
        elif text is not None and ".." in text:
            a, _, b = text.partition("..")
            first, last = _date(a, where, "days_off"), _date(b, where, "days_off")
            if last < first:
                raise _err(where, f"days_off: {item!r} ends before it starts")
            out.append(DayRule(first=first, last=last))
        else:
            d = _date(item, where, "days_off")
            out.append(DayRule(first=d, last=d))
    return tuple(out)


def _time_off(v: object, where: str) -> tuple[tuple[datetime, datetime], ...]:
    if not isinstance(v, list):
        raise _err(where, 'time_off = [{ from = "2025-01-07 08:00", to = "2025-01-07 12:00" }]')
    out = []
    for item in v:
        if not isinstance(item, dict) or set(item) != {"from", "to"}:
            raise _err(where, 'each time_off is { from = "YYYY-MM-DD HH:MM", to = "..." }')
        a, b = _when(item["from"], where, "time_off"), _when(item["to"], where, "time_off")
        if b <= a:
            raise _err(where, f"time_off: {item['from']} to {item['to']} ends before it starts")
        out.append((a, b))
    return tuple(out)


def _requests(v: object, where: str, weight: int) -> tuple[RequestSpec, ...]:
    if not isinstance(v, list):
        raise _err(where, 'requests = [{ date = "2025-01-07", shift = "late", weight = 3 }]')
    out = []
    for item in v:
        if not isinstance(item, dict):
            raise _err(where, 'each request is { date = "2025-01-07", shift = "late" }')
        for k in item:
            if k not in _REQUEST_KEYS:
                raise _err(where, f"unknown request key {k!r}; known: {', '.join(_REQUEST_KEYS)}")
        if "date" not in item:
            raise _err(where, "a request needs a date")
        off = item.get("off", False)
        if not isinstance(off, bool):
            raise _err(where, "a request's off = true or false")
        shift = item.get("shift", "*")
        if not isinstance(shift, str) or not shift:
            raise _err(where, "a request's shift is a template name")
        if shift == "*" and not off:
            raise _err(where, 'a request to work names its shift: shift = "early"')
        w = item.get("weight", weight)
        w = int(_number(w, where, "weight", whole=True))
        out.append(RequestSpec(_date(item["date"], where, "request date"), shift, w, off))
    return tuple(out)


def _table(raw: object, where: str, *, agent: bool, weight: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _err(where, "a table of contract keys, e.g. max_hours_per_week = 40")
    out: dict[str, Any] = {}
    keys = _AGENT_KEYS if agent else _KEYS
    for k, v in raw.items():
        if k not in keys:
            hint = ' (requests belong in an [agent."ID"] table)' if k == "requests" else ""
            raise _err(where, f"unknown key {k!r}{hint}; known: {', '.join(keys)}")
        if k in _NUMBERS:
            n = _number(v, where, k, whole=k in _WHOLE)
            out[k] = int(n) if k in _WHOLE else n
        elif k == "max_shifts_per_week":
            if not isinstance(v, dict):
                raise _err(where, "max_shifts_per_week = { late = 3 } (template = shifts a week)")
            out[k] = {str(t): _number(n, where, f"max_shifts_per_week.{t}") for t, n in v.items()}
        elif k == "min_rest":
            if isinstance(v, bool) or not isinstance(v, str):
                raise _err(where, f'min_rest = {v!r}: write a duration, e.g. "11h"')
            try:
                out[k] = parse_duration_s(v, what="rest") / 60.0
            except CallscopeError as e:
                raise _err(where, str(e)) from None
        elif k == "shifts":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise _err(where, 'shifts = ["early", "late"] (template names)')
            out[k] = tuple(v)
        elif k == "days_off":
            out[k] = _day_rules(v, where)
        elif k == "time_off":
            out[k] = _time_off(v, where)
        else:
            out[k] = _requests(v, where, weight)
    for lo, hi in (
        ("min_hours_per_week", "max_hours_per_week"),
        ("min_consecutive_days", "max_consecutive_days"),
    ):
        if lo in out and hi in out and out[lo] > out[hi]:
            raise _err(where, f"{lo} = {out[lo]:g} is above {hi} = {out[hi]:g}")
    for k in ("max_consecutive_days", "min_consecutive_days", "min_consecutive_days_off"):
        if out.get(k) == 0:
            raise _err(where, f"{k} is at least 1")
    return out


def yaml_loader() -> type:
    """A YAML safe loader where only ``true``/``false`` are booleans (YAML 1.1 also
    reads ``off``, ``on``, ``yes``, ``no`` as booleans, and ``off`` is a request key)."""
    import re

    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return Loader


def read_contracts(
    text: str, where: str = "contracts", *, yaml_syntax: bool = False
) -> ContractFile:
    """A contracts file from its TOML text (YAML when ``yaml_syntax``: the same
    tables as mappings, ``team:`` and ``agent:`` holding one per name; see the module
    docstring); one-line errors name the file, the table and the key."""
    if yaml_syntax:
        import yaml

        try:
            data = yaml.load(text, Loader=yaml_loader()) or {}  # noqa: S506
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise _err(f"{where}{line}", f"not valid YAML: {getattr(e, 'problem', e)}") from None
        if not isinstance(data, dict):
            raise _err(where, "write mappings: weights:, default:, team:, agent:")
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise _err(where, f"not valid TOML: {e}") from None
    for k in data:
        if k not in ("weights", "default", "team", "agent"):
            raise _err(
                where,
                f"unknown table {k!r}; a contracts file has [weights], [default], "
                '[team."NAME"] and [agent."ID"]',
            )
    w = data.get("weights", {})
    if not isinstance(w, dict) or set(w) - {"under", "over", "request", "below_half"}:
        raise _err(where, "[weights] holds under, over, below_half (per agent-hour) and request")
    weights = Weights(
        under=_number(w.get("under", 100.0), where, "weights.under"),
        over=_number(w.get("over", 1.0), where, "weights.over"),
        request=int(_number(w.get("request", 10), where, "weights.request", whole=True)),
        below_half=(
            _number(w["below_half"], where, "weights.below_half") if "below_half" in w else None
        ),
    )
    default = _table(data.get("default", {}), f"{where} [default]", agent=False, weight=0)
    out: dict[str, dict[str, dict[str, Any]]] = {"team": {}, "agent": {}}
    for kind in ("team", "agent"):
        tabs = data.get(kind, {})
        if not isinstance(tabs, dict) or any(not isinstance(v, dict) for v in tabs.values()):
            raise _err(where, f'write [{kind}."NAME"] tables, e.g. [{kind}."General 1"]')
        for name, raw in tabs.items():
            out[kind][name] = _table(
                raw,
                f"{where} [{kind}.{_quote(name)}]",
                agent=kind == "agent",
                weight=weights.request,
            )
    return ContractFile(weights, default, out["team"], out["agent"], where)
