"""The web app's views: the period of a page, the overview against the center's goals,
service by day and interval, the agent report, and the ingest history, each for the
figures a person may see.

**Scope.** Every view takes a :class:`~callscope.access.roles.Scope`. A scope that is
not "every agent" keeps, in every table, only the rows of its agents (an agent's own, a
supervisor's teams'), before anything is computed: no figure of another agent is ever
computed for that person, so pages, JSON and downloads cannot show one. Contacts nobody
answered (abandons) have no agent, so a scoped service level is that of the contacts
the agents answered. Filters by channel, queue and team narrow further.

**Periods.** ``today``, ``yesterday``, ``week`` (Monday to now), ``month`` (the 1st to
now) on the center's clock (settings ``timezone``), ``data`` (the last 7 days that
have data: the default, so a store of last year's calls opens on something) or
``custom`` (first and last day, both included). The trend compares with the period of
the same length just before.

**Goals.** Service level is judged against the goal of the row's queue, else its
channel (``[goals]``, ``[queues.*]``); ASA, abandonment, AHT and occupancy against
``[targets]`` (ASA only where the goal is in seconds or minutes: e-mail, answered
within hours, has no ASA target). Red / amber / green as in
:func:`callscope.kpi.targets.rag` (amber: missed by at most ``amber_margin``), and the
word (met / near / missed) beside the colour.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from callscope.access.roles import Scope
from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.kpi.engine import IbisSource
    from callscope.store import Store

__all__ = [
    "OVERVIEW_KPIS",
    "PERIODS",
    "AGENT_TREND",
    "AgentPage",
    "AgentsView",
    "Cell",
    "IngestRow",
    "Overview",
    "OverviewRow",
    "Period",
    "HEATMAP_COLUMNS",
    "ServiceView",
    "ViewRequest",
    "agent_page",
    "agents_view",
    "filter_options",
    "ingest_history",
    "live_notice",
    "overview",
    "resolve_period",
    "service_view",
]

PERIODS = {
    "today": "today",
    "yesterday": "yesterday",
    "week": "this week",
    "month": "this month",
    "data": "last 7 days with data",
    "custom": "custom",
}
#: The overview's KPIs: (column, direction of better, settings target key).
OVERVIEW_KPIS: tuple[tuple[str, str | None, str | None], ...] = (
    ("offered", None, None),
    ("answered", None, None),
    ("service_level", "at_least", None),
    ("asa_s", "at_most", "asa"),
    ("abandon_rate", "at_most", "abandon_rate"),
    ("aht_s", "at_most", "aht"),
    ("occupancy", "at_most", "occupancy"),
)
#: The KPI families the overview's KPIs come from (the others are not computed).
OVERVIEW_FAMILIES = ("accessibility", "productivity", "states")
_CHANNEL_ORDER = {"voice": 0, "chat": 1, "email": 2}
#: The longest period shown by interval (longer: by day only).
MAX_INTERVAL_DAYS = 31


@dataclass(frozen=True, slots=True)
class ViewRequest:
    """What a page shows: a period (:data:`PERIODS`; ``custom`` takes ``first_day``
    and ``last_day``, both included), filters, and whose figures (``scope``)."""

    period: str = "data"
    first_day: date | None = None
    last_day: date | None = None
    channels: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    scope: Scope = field(default_factory=Scope)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` on the center's clock, and how to say it."""

    key: str
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400.0

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()

    @property
    def label(self) -> str:
        """``Mon 26 Jan 2026 - Sun 1 Feb 2026`` (a day alone when it is one day)."""
        first, last = self.start.date(), self.last_day
        if first == last:
            return f"{first:%a %-d %b %Y}"
        return f"{first:%a %-d %b %Y} – {last:%a %-d %b %Y}"

    def previous(self) -> Period:
        """The period of the same length just before."""
        span = self.end - self.start
        return Period("previous", self.start - span, self.start)


def _local_now(settings: Settings, now: datetime) -> datetime:
    """``now`` on the center's clock, without a zone (as the store's times are)."""
    if now.tzinfo is None:
        return now
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)


_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def resolve_period(
    settings: Settings, request: ViewRequest, now: datetime, last_data: datetime | None = None
) -> Period:
    """The period a request names (module docstring); ``last_data`` is the newest
    contact's time (for ``data``)."""
    key = request.period
    if key not in PERIODS:
        raise CallscopeError(
            f"unknown period {key!r}; use one of {', '.join(PERIODS)}", field="period"
        )
    local = _local_now(settings, now)
    midnight = datetime.combine(local.date(), datetime.min.time())
    day = timedelta(days=1)
    if key == "today":
        return Period(key, midnight, midnight + day)
    if key == "yesterday":
        return Period(key, midnight - day, midnight)
    if key == "week":
        start = midnight - timedelta(days=local.weekday())
        return Period(key, start, midnight + day)
    if key == "month":
        return Period(key, midnight.replace(day=1), midnight + day)
    if key == "data":
        last = datetime.combine((last_data or local).date(), datetime.min.time())
        return Period(key, last - 6 * day, last + day)
    first, final = request.first_day, request.last_day
    if first is None or final is None:
        raise CallscopeError(
            "a custom period needs its first and last day", field="from" if first is None else "to"
        )
    if final < first:
        raise CallscopeError(
            f"the last day {final} is before the first day {first}; swap them", field="to"
        )
    if (final - first).days > 3660:
        raise CallscopeError("a period is at most ten years long", field="from")
    if first < _FIRST_DAY or final > _LAST_DAY:  # (the period before it, the day after it)
        raise CallscopeError(
            f"a day is from {_FIRST_DAY} to {_LAST_DAY}; got {first if first < _FIRST_DAY else final}",
            field="from" if first < _FIRST_DAY else "to",
        )
    start = datetime.combine(first, datetime.min.time())
    return Period(key, start, datetime.combine(final, datetime.min.time()) + day)


# -- sources ---------------------------------------------------------------------------


def _isin(col: Any, values: Sequence[str]) -> Any:
    import ibis

    return col.isin(list(values)) if values else ibis.literal(False)


def _agents_of_teams(src: IbisSource, teams: Sequence[str]) -> set[str]:
    a = src.table("agents")
    rows = src.to_arrow(a.filter(_isin(a.team, teams)).select("agent").distinct())
    return {str(v) for v in rows["agent"].to_pylist() if v is not None}


def scoped_source(
    src: IbisSource,
    scope: Scope,
    channels: Sequence[str] = (),
    queues: Sequence[str] = (),
    teams: Sequence[str] = (),
) -> IbisSource:
    """``src`` with every table holding only the rows ``scope`` may see and the filters
    keep (module docstring). The whole store stays reachable for what a contact led to
    (a repeat contact, for FCR), as with :func:`callscope.kpi.engine.restrict_period`."""
    from callscope.kpi.engine import IbisSource
    from callscope.model import TABLES

    agents: set[str] | None = None
    if scope.agents is not None:
        agents = set(scope.agents)
    if scope.teams is not None:
        of_teams = _agents_of_teams(src, sorted(scope.teams))
        agents = of_teams if agents is None else agents | of_teams
    if teams:
        chosen = _agents_of_teams(src, teams)
        agents = chosen if agents is None else agents & chosen
    if agents is None and not channels and not queues:
        return src
    whole = {name: src.store_table(name) for name in TABLES}
    out = IbisSource(src.con, src.engine, raw=src.raw, store_tables=whole)
    for name in TABLES:
        t = src.table(name)
        cols = set(t.columns)
        if agents is not None and "agent" in cols:
            t = t.filter(_isin(t.agent, sorted(agents)))
        if channels and "channel" in cols:
            t = t.filter(_isin(t.channel, channels))
        if queues and "queue" in cols:
            t = t.filter(_isin(t.queue, queues))
        out.tables[name] = t
    return out


@contextmanager
def _view(settings: Settings, request: ViewRequest) -> Iterator[tuple[IbisSource, Any]]:
    """The scoped source of ``request`` on a read-only store, and the KPI parameters."""
    from callscope.kpi.engine import duckdb_source
    from callscope.services.common import open_store
    from callscope.services.kpi import KpiRequest, kpi_params

    params = kpi_params(settings, KpiRequest())
    with open_store(settings, need_contacts=True) as store:
        src = duckdb_source(store)
        yield (
            scoped_source(src, request.scope, request.channels, request.queues, request.teams),
            params,
        )


def _last_contact(src: IbisSource) -> datetime | None:
    c = src.store_table("contacts")
    t = src.to_arrow(c.aggregate(last=c.arrival_ts.max()))
    v = t["last"][0].as_py()
    return v.replace(tzinfo=None) if v is not None else None


@dataclass(frozen=True)
class FilterOptions:
    """What the filters offer: channels, queues (with their channel) and teams."""

    channels: tuple[str, ...]
    queues: tuple[tuple[str, str], ...]
    teams: tuple[str, ...]
    first: datetime | None
    last: datetime | None


def filter_options(settings: Settings, scope: Scope) -> FilterOptions:
    """The channels, queues and teams a person may filter by (a supervisor: their
    teams), and the first and last contact of the store (none of them on a live store
    that has settled no contact yet: :func:`live_notice`)."""
    from callscope.services.common import NoContacts, open_store

    try:
        with open_store(settings, need_contacts=True) as store:
            return _filter_options(store, scope)
    except NoContacts:
        if live_notice(settings) is None:
            raise
        return FilterOptions((), (), (), None, None)


def _filter_options(store: Store, scope: Scope) -> FilterOptions:
    from callscope.kpi.engine import duckdb_source

    src = duckdb_source(store)
    c = src.table("contacts")
    cq = src.to_arrow(c.filter(c.queue.notnull()).select("channel", "queue").distinct())
    pairs = sorted(
        {(str(r["queue"]), str(r["channel"])) for r in cq.to_pylist()},
        key=lambda p: (_CHANNEL_ORDER.get(p[1], 9), p[0]),
    )
    chans = sorted({ch for _, ch in pairs}, key=lambda ch: (_CHANNEL_ORDER.get(ch, 9), ch))
    a = src.table("agents")
    teams = sorted(
        str(v)
        for v in src.to_arrow(a.filter(a.team.notnull()).select("team").distinct())[
            "team"
        ].to_pylist()
    )
    if scope.teams is not None:
        teams = [t for t in teams if t in scope.teams]
    elif scope.agents is not None:
        teams = []
    span = src.to_arrow(c.aggregate(first=c.arrival_ts.min(), last=c.arrival_ts.max()))
    first, last = span["first"][0].as_py(), span["last"][0].as_py()
    return FilterOptions(tuple(chans), tuple(pairs), tuple(teams), first, last)


# -- overview --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One KPI of one row: the value and its text, the goal and the status (colour and
    word), and the change since the previous period."""

    kpi: str
    value: float | None
    text: str
    goal: str | None = None  #: ``>= 80 % in 20 s``, ``<= 30 s``
    status: str | None = None  #: green / amber / red
    word: str | None = None  #: met / near / missed
    previous: float | None = None
    previous_text: str = "-"
    change: str | None = None  #: ``+2.1 pts``, ``-3.0 s``, ``+4.2 %``
    trend: str | None = None  #: better / worse / same / up / down


@dataclass(frozen=True)
class OverviewRow:
    channel: str | None
    queue: str | None  #: ``None``: the whole channel
    cells: tuple[Cell, ...]

    def cell(self, kpi: str) -> Cell:
        return next(c for c in self.cells if c.kpi == kpi)


@dataclass(frozen=True)
class Overview:
    period: Period
    previous: Period
    channels: tuple[OverviewRow, ...]  #: one per channel
    queues: tuple[OverviewRow, ...]  #: one per channel and queue
    scope: str  #: whose figures, for people
    caption: str  #: the KPI definitions used
    #: why there is nothing to show yet, and when there will be (a live store that
    #: has settled no contact yet: :func:`live_notice`)
    notice: str | None = None

    @property
    def empty(self) -> bool:
        return not self.channels


def _goal_text(kpi: str, value: float, direction: str) -> str:
    from callscope.services.kpi import format_kpi

    return f"{'≥' if direction == 'at_least' else '≤'} {format_kpi(kpi, value)}"


def _change(kpi: str, now: float | None, before: float | None) -> str | None:
    from callscope.services.kpi import format_kpi

    if now is None or before is None:
        return None
    d = now - before
    if kpi in ("offered", "answered"):
        if before == 0:
            return None
        return f"{100 * d / before:+.1f} %"
    if kpi in ("service_level", "abandon_rate", "occupancy"):
        return f"{100 * d:+.1f} pts"
    text = format_kpi(kpi, abs(d))
    return ("+" if d >= 0 else "-") + text


def _trend(direction: str | None, now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    if abs(now - before) <= 1e-9 * max(1.0, abs(before)):
        return "same"
    up = now > before
    if direction is None:
        return "up" if up else "down"
    return "better" if up == (direction == "at_least") else "worse"


def _cells(
    settings: Settings, row: dict[str, Any], before: dict[str, Any] | None
) -> tuple[Cell, ...]:
    from callscope.kpi.targets import STATUS_WORDS, Target, rag
    from callscope.services.kpi import format_kpi

    goal = settings.goal_for(row.get("channel"), row.get("queue"))
    out = []
    for kpi, direction, key in OVERVIEW_KPIS:
        v = _num(row.get(kpi))
        p = _num(before.get(kpi)) if before else None
        bound: float | None = None
        goal_text = None
        if kpi == "service_level" and goal.service_level is not None:
            bound = goal.service_level
            goal_text = f"≥ {goal.label().split(',')[0]}"
        elif key == "asa" and goal.max_asa_s is not None:
            bound = goal.max_asa_s
        elif key == "asa" and goal.threshold_s >= 3600:
            bound = None  # judged in hours (e-mail): no ASA target
        elif key is not None:
            bound = float(settings.targets[key])
        status = None
        if bound is not None and direction is not None:
            goal_text = goal_text or _goal_text(kpi, bound, direction)
            status = rag(v, Target(kpi, bound, direction, settings.amber_margin))
        out.append(
            Cell(
                kpi,
                v,
                format_kpi(kpi, v),
                goal_text,
                status,
                STATUS_WORDS.get(status or ""),
                p,
                format_kpi(kpi, p),
                _change(kpi, v, p),
                _trend(None if kpi == "occupancy" else direction, v, p),
            )
        )
    return tuple(out)


def _num(v: Any) -> float | None:
    import math

    if v is None or isinstance(v, bool):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _pooled(rows: list[dict[str, Any]]) -> float | None:
    from callscope.services.sample import pooled_occupancy

    return pooled_occupancy(rows)


def _queue_channels(src: IbisSource) -> dict[str, str]:
    """Each queue's channel (the first, should a queue carry several)."""
    c = src.table("contacts")
    pairs = src.to_arrow(c.filter(c.queue.notnull()).select("queue", "channel").distinct())
    out: dict[str, str] = {}
    for r in sorted(pairs.to_pylist(), key=lambda r: _CHANNEL_ORDER.get(r["channel"], 9)):
        out.setdefault(str(r["queue"]), str(r["channel"]))
    return out


def _overview_rows(
    src: IbisSource, params: Any, period: Period, channel_of: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows per channel and per queue (with its channel), a channel's occupancy pooled
    from its queues' agents as the demo does (agent time has a queue, not a channel)."""
    from callscope.kpi.engine import compute_kpis

    fams = OVERVIEW_FAMILIES
    by_queue = [
        {**r, "channel": channel_of.get(r["queue"])}
        for r in compute_kpis(src, ("queue",), params, period.start, period.end, fams).rows()
        if r.get("queue") is not None and r.get("offered")
    ]
    by_channel = compute_kpis(src, ("channel",), params, period.start, period.end, fams).rows()
    for ch in by_channel:
        if ch.get("occupancy") is None:
            ch["occupancy"] = _pooled([r for r in by_queue if r["channel"] == ch.get("channel")])
    by_channel = [r for r in by_channel if r.get("offered") or r.get("arrived")]
    by_channel.sort(key=lambda r: _CHANNEL_ORDER.get(r.get("channel") or "", 9))
    by_queue.sort(key=lambda r: (_CHANNEL_ORDER.get(r.get("channel") or "", 9), r["queue"]))
    return by_channel, by_queue


def live_notice(settings: Settings) -> str | None:
    """What a view says when the store has no contacts because it is fed by the live
    floor (its journal, ``<store>.live/``, is there) and nothing has been settled
    yet; ``None`` for any other store (an empty store is still the user's mistake)."""
    from callscope.services.live import SETTLE_EVERY_S, journal_folder

    if not journal_folder(settings).is_dir():
        return None
    return (
        "Nothing settled into the store yet: the live feed is running, and each "
        f"contact appears here within {SETTLE_EVERY_S:g} s of its end (the wallboard "
        "shows the floor now)."
    )


def overview(settings: Settings, request: ViewRequest, now: datetime) -> Overview:
    """Headline KPIs per channel and per queue for the period, against the goals, with
    the change since the previous period of the same length. A live store that has
    settled no contact yet gives an empty overview with a :attr:`Overview.notice`."""
    from callscope.kpi.output import describe
    from callscope.services.common import NoContacts

    try:
        with _view(settings, request) as (src, params):
            period = resolve_period(settings, request, now, _last_contact(src))
            prev = period.previous()
            channel_of = _queue_channels(src)
            ch_now, q_now = _overview_rows(src, params, period, channel_of)
            ch_before, q_before = _overview_rows(src, params, prev, channel_of)
    except NoContacts:
        notice = live_notice(settings)
        if notice is None:
            raise
        period = resolve_period(settings, request, now)
        scope = request.scope.describe()
        return Overview(period, period.previous(), (), (), scope, "", notice)
    before_ch = {r.get("channel"): r for r in ch_before}
    before_q = {(r.get("channel"), r.get("queue")): r for r in q_before}
    channels = tuple(
        OverviewRow(r.get("channel"), None, _cells(settings, r, before_ch.get(r.get("channel"))))
        for r in ch_now
    )
    queues = tuple(
        OverviewRow(
            r.get("channel"),
            r.get("queue"),
            _cells(settings, r, before_q.get((r.get("channel"), r.get("queue")))),
        )
        for r in q_now
    )
    caption = describe({**params.describe(), "notes": list(params.notes())})
    return Overview(period, prev, channels, queues, request.scope.describe(), caption)


def overview_table(view: Overview) -> pa.Table:
    """The overview as one table (channels, then queues): values, goals, statuses and
    the previous period's values, for downloads."""
    import pyarrow as pa

    rows = []
    for r in (*view.channels, *view.queues):
        d: dict[str, Any] = {
            "first_day": view.period.start.date(),
            "last_day": view.period.last_day,
            "channel": r.channel,
            "queue": r.queue or "(all)",
        }
        for c in r.cells:
            d[c.kpi] = c.value
            if c.goal is not None:
                d[f"{c.kpi}_goal"] = c.goal
                d[f"{c.kpi}_status"] = c.word
            d[f"{c.kpi}_previous"] = c.previous
        rows.append(d)
    return pa.Table.from_pylist(rows)


# -- service ---------------------------------------------------------------------------

#: The service page's columns.
SERVICE_COLUMNS = ("offered", "answered", "abandoned", "service_level", "asa_s", "abandon_rate")


#: The heat map's columns (per weekday and hour).
HEATMAP_COLUMNS = ("offered", "service_level", "asa_s", "abandon_rate")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class ServiceView:
    """The service page.

    ``heatmap``: one row per weekday (1 = Monday) and hour that had contacts in the
    period, the KPIs of :data:`HEATMAP_COLUMNS` over every such hour of the period
    (``callscope kpi --by weekday,hour``). ``staffing`` (periods of at most
    :data:`MAX_INTERVAL_DAYS` days, every agent in scope): per interval the agents
    ``required`` for the contacts that came, each queue planned against its own goal
    with the staffing planner (:func:`callscope.queueing.plan.plan_intervals`: Erlang C,
    chat concurrency, no shrinkage) on its offered contacts and AHT, summed over queues,
    beside ``on_duty``, the agents logged in on average over the interval
    (``logged_in_s / interval length``), and ``forecast``, the newest stored forecast's
    contacts for the interval (the queues the filters keep), beside ``offered``.
    """

    period: Period
    by_day: pa.Table  #: one row per day of the period; a day without data is empty
    by_interval: pa.Table | None  #: every interval of the period (``None``: too long)
    interval_minutes: int
    goal: float | None  #: the service-level goal the chart draws
    goal_label: str  #: which goal it is: ``voice 80/20``
    scope: str
    notes: tuple[str, ...]
    heatmap: pa.Table | None = None
    staffing: pa.Table | None = None  #: interval_start, offered, forecast, required, on_duty
    forecast_id: str | None = None

    def heat(self, kpi: str) -> list[list[float | None]]:
        """``kpi`` as 7 rows (Monday first) of 24 hours (``None``: no contacts)."""
        grid: list[list[float | None]] = [[None] * 24 for _ in range(7)]
        if self.heatmap is not None:
            for r in self.heatmap.to_pylist():
                if r["weekday"] is not None and r["hour"] is not None:
                    grid[int(r["weekday"]) - 1][int(r["hour"])] = r.get(kpi)
        return grid

    def heat_hours(self) -> list[int]:
        """The hours of the day in which any contact came (the heat map's columns)."""
        if self.heatmap is None:
            return []
        hours = {int(r["hour"]) for r in self.heatmap.to_pylist() if r.get("offered")}
        return list(range(min(hours), max(hours) + 1)) if hours else []


def _grid(table: pa.Table, key: str, stamps: list[Any], columns: Sequence[str]) -> pa.Table:
    """``table`` (keyed by ``key``) on every stamp of ``stamps``; stamps it lacks get
    empty values, so a chart shows a gap rather than joining across the missing time."""
    import pyarrow as pa

    have = {}
    if table.num_rows:
        keys = table.column(key).to_pylist()
        cols = {
            c: table.column(c).to_pylist() if c in table.column_names else None for c in columns
        }
        for i, k in enumerate(keys):
            kk = k.replace(tzinfo=None) if hasattr(k, "tzinfo") and k.tzinfo else k
            have[kk] = {c: (v[i] if v is not None else None) for c, v in cols.items()}
    out: dict[str, list[Any]] = {key: list(stamps)}
    for c in columns:
        out[c] = [have.get(s, {}).get(c) for s in stamps]
    types = {
        c: pa.float64() if c in ("service_level", "asa_s", "abandon_rate") else pa.int64()
        for c in columns
    }
    schema = pa.schema(
        [
            pa.field(key, pa.date32() if key == "day" else pa.timestamp("us")),
            *[pa.field(c, types[c]) for c in columns],
        ]
    )
    return pa.table(out, schema=schema)


def service_view(settings: Settings, request: ViewRequest, now: datetime) -> ServiceView:
    """Volume, service level, ASA and abandonment by day and by interval, every day and
    interval of the period present (empty where there is no data), with the goal."""
    from callscope.kpi.engine import compute_kpis

    everyone = request.scope.agents is None and request.scope.teams is None and not request.teams
    staffing_rows = fc = None
    fc_id: str | None = None
    with _view(settings, request) as (src, params):
        period = resolve_period(settings, request, now, _last_contact(src))
        day_rows = compute_kpis(
            src, ("day",), params, period.start, period.end, only=["accessibility"]
        ).table
        heat = compute_kpis(
            src, ("weekday", "hour"), params, period.start, period.end, only=["accessibility"]
        ).table
        ivl = None
        if period.days <= MAX_INTERVAL_DAYS:
            ivl = compute_kpis(
                src,
                ("interval_start",),
                params,
                period.start,
                period.end,
                only=["accessibility", "states"] if everyone else ["accessibility"],
            ).table
            if everyone:
                staffing_rows = compute_kpis(
                    src,
                    ("interval_start", "queue"),
                    params,
                    period.start,
                    period.end,
                    only=["accessibility", "productivity"],
                ).table
                fc, fc_id = _forecast_rows(settings, request, period)
    days = [period.start.date() + timedelta(days=i) for i in range(round(period.days))]
    by_day = _grid(day_rows, "day", days, SERVICE_COLUMNS)
    step = timedelta(minutes=params.interval_minutes)
    by_interval = None
    notes = []
    if ivl is not None:
        n = int((period.end - period.start) / step)
        by_interval = _grid(
            ivl, "interval_start", [period.start + i * step for i in range(n)], SERVICE_COLUMNS
        )
    else:
        notes.append(
            f"by interval for periods up to {MAX_INTERVAL_DAYS} days; this one is "
            f"{period.days:.0f} days"
        )
    channel = request.channels[0] if len(request.channels) == 1 else "voice"
    goal = settings.goal_for(channel)
    label = f"{channel} goal {goal.label().split(',')[0]}"
    if len(request.channels) != 1:
        notes.append(
            "each contact's service level is judged against its own channel's or queue's "
            f"goal; the line is the {label}"
        )
    staffing = None
    if by_interval is not None and staffing_rows is not None and ivl is not None:
        staffing = _staffing(settings, by_interval, ivl, staffing_rows, fc, params.interval_minutes)
        if fc is None:
            notes.append("no stored forecast covers this period (callscope forecast makes one)")
    elif by_interval is not None and not everyone:
        notes.append(
            "required agents and the forecast are the center's, shown to those who see every "
            "agent with no team filter"
        )
    return ServiceView(
        period,
        by_day,
        by_interval,
        params.interval_minutes,
        goal.service_level,
        label,
        request.scope.describe(),
        tuple(notes),
        _heat_table(heat),
        staffing,
        fc_id if fc is not None else None,
    )


def _heat_table(t: pa.Table) -> pa.Table | None:
    """The weekday x hour rows that had contacts, with :data:`HEATMAP_COLUMNS`."""
    import pyarrow.compute as pc

    if t.num_rows == 0 or "offered" not in t.column_names:
        return None
    t = t.filter(pc.greater(pc.fill_null(t.column("offered"), 0), 0))
    return t.select(["weekday", "hour", *HEATMAP_COLUMNS]) if t.num_rows else None


def _forecast_rows(
    settings: Settings, request: ViewRequest, period: Period
) -> tuple[dict[datetime, float] | None, str | None]:
    """The newest stored forecast's contacts per interval start inside ``period`` for
    the queues and channels the request keeps (``None``: no forecast covers it)."""
    from callscope.services.common import open_store
    from callscope.store.forecasts import latest_forecast

    with open_store(settings) as store:
        fc = latest_forecast(store)
    if fc.num_rows == 0:
        return None, None
    out: dict[datetime, float] = {}
    for r in fc.select(["interval_start", "queue", "channel", "calls"]).to_pylist():
        ts = r["interval_start"]
        if ts is None or not (period.start <= ts.replace(tzinfo=None) < period.end):
            continue
        if request.queues and r["queue"] not in request.queues:
            continue
        if request.channels and r["channel"] not in request.channels:
            continue
        key = ts.replace(tzinfo=None)
        out[key] = out.get(key, 0.0) + float(r["calls"] or 0.0)
    fid = str(fc.column("forecast_id")[0].as_py())
    return (out or None), fid


def _staffing(
    settings: Settings,
    by_interval: pa.Table,
    ivl: pa.Table,
    per_queue: pa.Table,
    forecast: dict[datetime, float] | None,
    interval_minutes: int,
) -> pa.Table:
    """Per interval: offered, forecast, required and on-duty agents (see
    :class:`ServiceView`)."""
    import pyarrow as pa

    from callscope.queueing.plan import plan_intervals
    from callscope.services.queueing import targets_by_queue, with_channels

    step_s = interval_minutes * 60.0
    required: dict[datetime, int] = {}
    rows = [
        r
        for r in per_queue.to_pylist()
        if r.get("queue") is not None and (r.get("offered") or 0) > 0 and (r.get("aht_s") or 0) > 0
    ]
    if rows:
        t = pa.table(
            {
                "interval_start": [r["interval_start"] for r in rows],
                "queue": [str(r["queue"]) for r in rows],
                "calls": [float(r["offered"]) for r in rows],
                "aht_s": [float(r["aht_s"]) for r in rows],
            }
        )
        t = with_channels(settings, t)
        plan = plan_intervals(
            t,
            target=targets_by_queue(settings, t),
            model="erlang-c",
            concurrency=settings.concurrency,
            interval_s=step_s,
        )
        for ts, n in zip(
            plan.column("interval_start").to_pylist(),
            plan.column("agents").to_pylist(),
            strict=True,
        ):
            k = ts.replace(tzinfo=None)
            required[k] = required.get(k, 0) + int(n or 0)
    logged = {}
    if "logged_in_s" in ivl.column_names:
        for ts, v in zip(
            ivl.column("interval_start").to_pylist(),
            ivl.column("logged_in_s").to_pylist(),
            strict=True,
        ):
            if ts is not None and v is not None:
                logged[ts.replace(tzinfo=None)] = float(v) / step_s
    stamps = [ts.replace(tzinfo=None) for ts in by_interval.column("interval_start").to_pylist()]
    offered = by_interval.column("offered").to_pylist()
    return pa.table(
        {
            "interval_start": pa.array(stamps, pa.timestamp("us")),
            "offered": pa.array(offered, pa.int64()),
            "forecast": pa.array(
                [forecast.get(ts) if forecast else None for ts in stamps], pa.float64()
            ),
            "required": pa.array(
                [
                    required.get(ts, 0 if o is not None else None)
                    for ts, o in zip(stamps, offered, strict=True)
                ],
                pa.int64(),
            ),
            "on_duty": pa.array([logged.get(ts) for ts in stamps], pa.float64()),
        }
    )


# -- agents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentsView:
    period: Period
    columns: tuple[tuple[str, str], ...]  #: (key, title), the agent first
    rows: tuple[dict[str, Any], ...]  #: values as text and ``<key>_status`` words
    values: tuple[dict[str, Any], ...]  #: the same rows as numbers (sorting, JSON)
    total: dict[str, Any]  #: the total row as text
    total_values: dict[str, Any]
    caption: str
    scope: str

    def table(self) -> pa.Table:
        """Agent rows, then the total row, as numbers."""
        import pyarrow as pa

        return pa.Table.from_pylist([*self.values, self.total_values])


def agents_view(settings: Settings, request: ViewRequest, now: datetime) -> AgentsView:
    """The agent report (:func:`callscope.services.kpi.agent_report`) for the period,
    of the agents the scope and the filters keep; its rows add up to its total."""
    from callscope.kpi.agent_report import agent_report
    from callscope.services.kpi import AgentReportResult, agent_table, kpi_targets

    with _view(settings, request) as (src, params):
        period = resolve_period(settings, request, now, _last_contact(src))
        rep = agent_report(src, params, kpi_targets(settings), period.start, period.end)
    rated = [f"{rep.title(c)} {rep.target_text(c)}" for c in rep.rated]
    caption = (
        "targets: " + ", ".join(rated) + "; " if rated else ""
    ) + "met = on target, near = missed by at most 10 %, missed = by more"
    cols, text_rows = agent_table(AgentReportResult(rep, caption))
    values = [{k: r.get(k) for k in ("agent", *rep.columns)} for r in rep.rows]
    total_values = {"agent": "Total", **{k: rep.total.get(k) for k in rep.columns}}
    return AgentsView(
        period,
        tuple(cols),
        tuple(text_rows[:-1]),
        tuple(values),
        text_rows[-1],
        total_values,
        caption,
        request.scope.describe(),
    )


# -- one agent -------------------------------------------------------------------------

#: The agent page's trend columns (per day, or per week for periods over 62 days).
AGENT_TREND = (
    "handled",
    "aht_s",
    "avg_acw_s",
    "utilization",
    "occupancy",
    "adherence",
)


@dataclass(frozen=True)
class AgentPage:
    """One agent's page: their row of the agent report for the period (``summary``,
    text and status words as on the Agents page), their trend per day (per week for
    periods over 62 days) of :data:`AGENT_TREND`, and their QA evaluations of the period
    (contacts answered in it) with the mean of their current scores against
    ``quality.score_target``."""

    agent: str
    team: str | None
    period: Period
    columns: tuple[tuple[str, str], ...]
    summary: dict[str, Any]
    trend: pa.Table
    trend_grain: str  #: day / week
    qa: dict[str, Any]  #: qa_score (mean of the evaluations' current scores), evaluations, target
    evaluations: tuple[dict[str, Any], ...]
    caption: str
    scope: str  #: whose figures: this agent's


def _may_see(src: IbisSource, scope: Scope, agent: str) -> bool:
    if scope.everyone:
        return True
    if scope.agents is not None and agent in scope.agents:
        return True
    return scope.teams is not None and agent in _agents_of_teams(src, sorted(scope.teams))


def agent_page(settings: Settings, request: ViewRequest, agent: str, now: datetime) -> AgentPage:
    """The page of ``agent`` for the period of ``request``; :class:`NotAllowed` when the
    request's scope does not hold that agent (an agent asking for a colleague)."""
    from dataclasses import replace

    from callscope.errors import NotAllowed
    from callscope.kpi.engine import compute_kpis
    from callscope.services.quality import evaluations

    agent = agent.strip()
    if not agent or len(agent) > 200:
        raise CallscopeError("give an agent id, e.g. Agent/1001", field="agent")
    with _view(settings, replace(request, scope=Scope())) as (whole, params):
        if not _may_see(whole, request.scope, agent):
            raise NotAllowed(
                f"you may see the figures of {request.scope.describe()} only", field="agent"
            )
        a = whole.table("agents")
        team_rows = whole.to_arrow(a.filter(a.agent == agent).select("team").limit(1))
        known = team_rows.num_rows > 0
        team = team_rows["team"][0].as_py() if known else None
        c = whole.table("contacts")
        if not known and not whole.to_arrow(c.filter(c.agent == agent).select("agent").limit(1)):
            raise CallscopeError(f"no agent {agent!r} in the store", field="agent")
        period = resolve_period(settings, request, now, _last_contact(whole))
        mine = scoped_source(whole, Scope(agents=frozenset({agent})))
        grain = "day" if period.days <= 62 else "week"
        trend = compute_kpis(
            mine,
            (grain,),
            params,
            period.start,
            period.end,
            only=["productivity", "states", "workforce"],
        ).table
    one = agents_view(
        settings, replace(request, scope=Scope(agents=frozenset({agent})), teams=()), now
    )
    summary = dict(one.rows[0]) if one.rows else {}
    cols = [c for c in AGENT_TREND if c in trend.column_names]
    trend = trend.select([grain, *cols])
    evals = evaluations(settings, (agent,), period.start, period.end)
    scores = [float(e["score"]) for e in evals if e.get("score") is not None]
    qa = {
        "qa_score": sum(scores) / len(scores) if scores else None,
        "evaluations": len(evals),
        "target": settings.qa_score_target,
    }
    return AgentPage(
        agent,
        team,
        period,
        tuple(c for c in one.columns if c[0] != "agent"),
        summary,
        trend,
        grain,
        qa,
        tuple(evals),
        one.caption,
        f"agent {agent}",
    )


# -- data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IngestRow:
    file: str
    format: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_duplicate: int
    finished_at: datetime | None
    size_bytes: int | None


def ingest_history(settings: Settings, limit: int = 100) -> list[IngestRow]:
    """The files loaded into the store, newest first (sample-center side tables, which
    come from no file, left out)."""
    from callscope.services.common import open_store

    with open_store(settings) as store:
        rows = store.arrow("ingests").to_pylist()
    rows = [r for r in rows if r.get("format") != "synth"]
    rows.sort(key=lambda r: r.get("finished_at") or datetime.min, reverse=True)
    return [
        IngestRow(
            str(r["file"]),
            str(r["format"]),
            int(r.get("rows_read") or 0),
            int(r.get("rows_loaded") or 0),
            int(r.get("rows_rejected") or 0),
            int(r.get("rows_duplicate") or 0),
            r.get("finished_at"),
            r.get("size_bytes"),
        )
        for r in rows[:limit]
    ]
