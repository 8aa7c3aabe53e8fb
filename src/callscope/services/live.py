"""Live-floor use cases: the hub of a store (start, find, stop), posting events,
the day's figures as JSON, settling finished contacts into the store, alerts.

The hub (:class:`callscope.live.hub.Hub`) runs inside ``callscope serve``: one per
store per process, its journal in ``<store>.live/`` beside the store. The center's
rules come from the settings: the time zone, T of each contact (the goals, as
``callscope kpi`` judges them: :func:`callscope.services.kpi.kpi_params`), the
short-abandon limit, the service-level variant, and ``[alerts]``.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import urllib.request
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson

from callscope.access.roles import Scope
from callscope.errors import CallscopeError
from callscope.live.alerts import Adherence, Alert, AlertRules, alerts
from callscope.live.events import Event, EventError, parse_event
from callscope.live.hub import Ack, Hub, Settlement
from callscope.live.reducer import LiveConfig
from callscope.live.snapshot import SlRule, Snapshot, snapshot
from callscope.settings import Settings

__all__ = [
    "LiveSetup",
    "PostResult",
    "adherence_now",
    "day_schedules",
    "live_setup",
    "live_view",
    "parse_events",
    "post_events",
    "running_hub",
    "settle_into_store",
    "start_hub",
    "stop_hub",
    "team_agents",
]

T = TypeVar("T")
#: The largest request body of ``POST /api/v1/events`` and the most events in one.
MAX_EVENTS = 100_000
#: How often finished contacts are written into the store: each write opens the store
#: and holds the web app's write gate (requests wait), so fewer, larger writes keep
#: the acknowledgements quick; the live figures never wait for it.
SETTLE_EVERY_S = 2.0


@dataclass(frozen=True)
class LiveSetup:
    """The center's rules, as the live floor uses them."""

    config: LiveConfig
    sl: SlRule
    threshold: Callable[[str, str | None], float]
    goal: Callable[[str, str], float | None]
    rules: AlertRules
    tz: Any


def live_setup(settings: Settings) -> LiveSetup:
    """The rules of ``settings`` (see the module docstring)."""
    from callscope.services.kpi import KpiRequest, kpi_params

    p = kpi_params(settings, KpiRequest())
    tz = zoneinfo.ZoneInfo(settings.timezone)

    @functools.lru_cache(maxsize=1024)  # asked for twice an event
    def threshold(channel: str, queue: str | None) -> float:
        return p.threshold_for(channel, queue)

    def channel_of(queue: str | None) -> str:
        return (settings.channel_of(queue) if queue else None) or "voice"

    def goal(channel: str, queue: str) -> float | None:
        return settings.goal_for(channel, queue).service_level

    return LiveSetup(
        config=LiveConfig(
            tz=tz, threshold=threshold, short_abandon_s=p.short_abandon_s, channel_of=channel_of
        ),
        sl=SlRule(
            p.sl_variant, p.sl_include_flowouts, p.sl_include_short_abandons, p.sl_include_abandons
        ),
        threshold=threshold,
        goal=goal,
        rules=AlertRules(
            sl_window_s=settings.alert_sl_window_s,
            longest_wait_s=settings.alert_longest_wait_s,
            waiting=settings.alert_waiting,
            paused_s=settings.alert_paused_s,
            adherence=settings.alert_adherence,
        ),
        tz=tz,
    )


def journal_folder(settings: Settings) -> Path:
    """``<store>.live/`` beside the store."""
    db = Path(settings.db)
    return db.with_name(db.name + ".live")


# -- the hub of each store ----------------------------------------------------------------

_HUBS: dict[Path, tuple[Hub, LiveSetup, AlertWatcher | None]] = {}
_HUBS_LOCK = threading.Lock()


def start_hub(
    settings: Settings,
    *,
    follow: Sequence[Path] = (),
    write: Callable[..., Any] | None = None,
    read: Callable[..., Any] | None = None,
    clock: Callable[[], float] = time.time,
) -> Hub:
    """The running hub of ``settings``' store (started, its journal replayed, when it
    is not running yet). ``write(fn, *args)`` runs ``fn(settings, *args)`` with the
    store writable (the web app's gate; default: directly), ``read`` likewise for
    reading; ``follow``: queue_log files to follow."""
    key = journal_folder(settings).resolve()
    with _HUBS_LOCK:
        got = _HUBS.get(key)
        if got is not None:
            return got[0]
        setup = live_setup(settings)
        protect, redact = _privacy(settings)
        writer = write or (lambda fn, *a, **k: fn(settings, *a, **k))

        def settle(batch: Settlement) -> None:
            writer(settle_into_store, batch, datetime.now())

        missing = [str(p) for p in follow if Path(p).is_dir()]
        if missing:
            raise CallscopeError(
                f"{missing[0]} is a folder; follow a queue_log file", field="follow_queue_log"
            )
        hub = Hub(
            key,
            setup.config,
            settle=settle,
            feeds=[Path(p).absolute() for p in follow],
            protect=protect,
            redact=redact,
            clock=clock,
            settle_every_s=SETTLE_EVERY_S,
        ).start()
        watcher = None
        if settings.alert_webhook:
            watcher = AlertWatcher(settings, hub, setup, read)
            watcher.start()
        _HUBS[key] = (hub, setup, watcher)
        return hub


def running_hub(settings: Settings) -> tuple[Hub, LiveSetup] | None:
    got = _HUBS.get(journal_folder(settings).resolve())
    return (got[0], got[1]) if got else None


def stop_hub(settings: Settings) -> None:
    """Stop the hub of ``settings``' store (queued events written, finished contacts
    settled)."""
    with _HUBS_LOCK:
        got = _HUBS.pop(journal_folder(settings).resolve(), None)
    if got is not None:
        if got[2] is not None:
            got[2].stop()
        got[0].stop()


def _privacy(settings: Settings) -> tuple[Callable[[str], str], Callable[[str], str]]:
    if settings.raw_identifiers:
        return (lambda s: s), (lambda s: s)
    from callscope.privacy.keys import load_key
    from callscope.privacy.pseudonym import pseudonym, redact

    key = load_key(settings.key_path(), create=True)
    return (lambda s: pseudonym(s, key) or s), (lambda s: redact(s, key))


# -- posting events -----------------------------------------------------------------------


@dataclass(frozen=True)
class PostResult:
    """Per posted event: ``acks`` (stored or duplicate) and ``refused`` (index, id,
    field, message)."""

    acks: list[Ack]
    refused: list[dict[str, Any]] = field(default_factory=list)


def parse_events(body: bytes) -> tuple[list[Event], list[dict[str, Any]]]:
    """The events of a request body (a JSON array, or JSON lines: one object a line),
    and those refused, each with its 0-based ``index`` (for JSON lines, ``line``
    1-based), its ``id`` when it has one, the ``field`` and the ``error``."""
    text = body.decode("utf-8", errors="strict") if body else ""
    stripped = text.lstrip()
    items: list[tuple[int, Any, str | None]] = []  # (index, object, error)
    if not stripped:
        raise CallscopeError(
            "no events: send a JSON array of events, or JSON lines", field="events"
        )
    if stripped[0] == "[":
        try:
            arr = orjson.loads(text)
        except ValueError as e:
            raise CallscopeError(
                f"the body is not a JSON array: {e}; send a JSON array of events, or one "
                "JSON object per line",
                field="events",
            ) from None
        if not isinstance(arr, list):
            raise CallscopeError("send a JSON array of events", field="events")
        items = [(i, obj, None) for i, obj in enumerate(arr)]
    else:
        for i, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            try:
                items.append((i, orjson.loads(line), None))
            except ValueError as e:
                items.append((i, None, f"line {i + 1} is not JSON: {e}"))
    if len(items) > MAX_EVENTS:
        raise CallscopeError(f"at most {MAX_EVENTS:,} events per request", field="events")
    events: list[Event] = []
    refused: list[dict[str, Any]] = []
    for i, obj, err in items:
        eid = obj.get("id") if isinstance(obj, dict) else None
        if err is not None:
            refused.append({"index": i, "id": None, "field": "event", "error": err})
            continue
        try:
            events.append(parse_event(obj))
        except EventError as e:
            refused.append(
                {
                    "index": i,
                    "id": eid if isinstance(eid, str) else None,
                    "field": e.field,
                    "error": str(e),
                }
            )
    return events, refused


def post_events(hub: Hub, events: list[Event], timeout_s: float = 30.0) -> list[Ack]:
    """Journal ``events`` and wait until they are durable; their acknowledgements."""
    if not events:
        return []
    return hub.submit(events).result(timeout=timeout_s)


# -- the day's figures --------------------------------------------------------------------


def _day_of(now: float, tz: Any) -> date:
    return datetime.fromtimestamp(now, tz).date()


def live_snapshot(
    hub: Hub,
    setup: LiveSetup,
    *,
    now: float,
    day: date | None = None,
    agents: Callable[[str], bool] | None = None,
) -> Snapshot:
    """The figures of ``day`` (default: today in the center's time zone) at ``now``."""
    return snapshot(
        hub.state,
        day or _day_of(now, setup.tz),
        now,
        tz=setup.tz,
        sl=setup.sl,
        threshold=setup.threshold,
        goal=setup.goal,
        recent_s=setup.rules.sl_window_s or 1800.0,
        agent_filter=agents,
    )


def _iso(ts: float | None, tz: Any) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz).isoformat()


def live_view(
    hub: Hub,
    setup: LiveSetup,
    *,
    now: float,
    day: date | None = None,
    scope: Scope | None = None,
    team_agents: Iterable[str] = (),
    out_of_adherence: dict[str, Adherence] | None = None,
    scheduled: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """``GET /api/v1/live``: the day's figures as JSON (queues are the center's; the
    agents those ``scope`` may see: ``team_agents`` are the agents of its teams)."""
    allowed: set[str] | None = None
    if scope is not None and not scope.everyone:
        allowed = set(scope.agents or ()) | set(team_agents)
    snap = live_snapshot(
        hub, setup, now=now, day=day, agents=None if allowed is None else allowed.__contains__
    )
    tz = setup.tz
    found = alerts(snap, setup.rules, out_of_adherence)
    return {
        "as_of": _iso(snap.as_of, tz),
        "day": snap.day.isoformat(),
        "seq": snap.seq,
        "held": snap.held,
        "queues": [
            {
                "queue": q.queue,
                "channel": q.channel,
                "offered": q.offered,
                "answered": q.answered,
                "abandoned": q.abandoned,
                "answered_within_threshold": q.answered_within_threshold,
                "service_level": q.service_level,
                "waiting": q.waiting,
                "longest_wait_s": q.longest_wait_s,
                "threshold_s": q.threshold_s,
                "goal": q.goal,
                "recent_window_s": q.recent_window_s,
                "recent_offered": q.recent_offered,
                "recent_service_level": q.recent_service_level,
                "short_abandoned": q.short_abandoned,
                "blocked": q.blocked,
                "agents": q.agents,
            }
            for q in snap.queues
        ],
        "agents": [
            {
                "agent": a.agent,
                "state": a.state,
                "since": _iso(a.since, tz),
                "since_s": None if a.since is None else round(snap.as_of - a.since, 3),
                "reason": a.reason,
                "contact": a.contact,
                "queues": list(a.queues),
                "scheduled": (scheduled or {}).get(a.agent),
                "adherence": _adherence_json((out_of_adherence or {}).get(a.agent), snap.as_of, tz),
            }
            for a in snap.agents
        ],
        "alerts": [
            {"key": x.key, "kind": x.kind, "subject": x.subject, "message": x.message}
            for x in found
            if allowed is None or x.kind not in ("paused", "adherence") or x.subject in allowed
        ],
    }


def _adherence_json(ad: Adherence | None, now: float, tz: Any) -> dict[str, Any] | None:
    if ad is None:
        return None
    return {
        "kind": ad.kind,
        "activity": ad.activity,
        "since": _iso(ad.since, tz),
        "since_s": None if ad.since is None else round(now - ad.since, 3),
    }


def team_agents(settings: Settings, teams: Sequence[str]) -> list[str]:
    """The agents of ``teams`` (the store's agent directory)."""
    from callscope.services.common import open_store
    from callscope.store.live import agents_of_teams

    with open_store(settings) as store:
        return agents_of_teams(store, list(teams))


# -- real-time adherence ---------------------------------------------------------------------


def day_schedules(settings: Settings, day: date) -> dict[str, list[tuple[str, float, float]]]:
    """Each agent's scheduled activities that touch ``day`` (the center's time zone):
    ``(activity, start, end)`` in POSIX seconds; {} when the store has none."""
    from datetime import timedelta

    from callscope.services.common import open_store
    from callscope.store.live import schedules_between

    tz = zoneinfo.ZoneInfo(settings.timezone)
    start = datetime.combine(day, datetime.min.time())
    with open_store(settings) as store:
        rows = schedules_between(store, start - timedelta(hours=12), start + timedelta(hours=36))
    out: dict[str, list[tuple[str, float, float]]] = {}
    for agent, act, a, b in rows:
        out.setdefault(agent, []).append(
            (act, a.replace(tzinfo=tz).timestamp(), b.replace(tzinfo=tz).timestamp())
        )
    return out


def adherence_now(
    settings: Settings,
    hub: Hub,
    schedules: dict[str, list[tuple[str, float, float]]],
    now: float,
) -> tuple[dict[str, Adherence], dict[str, str | None]]:
    """Real-time adherence of the agents with a schedule: those out of adherence for
    longer than the tolerance (``[schedule] adherence_tolerance``; kind and since as in
    :func:`callscope.schedule.adherence.live_status`, the history's rules), and the
    activity each is scheduled for now. The states are the live ones: the sessions and
    pauses the events made, the open ones running to ``now``."""
    from callscope.schedule.adherence import live_status

    agents = hub.state.agents
    out: dict[str, Adherence] = {}
    doing: dict[str, str | None] = {}
    for agent, sched in schedules.items():
        a = agents.get(agent)
        states: list[tuple[str, str | None, float, float | None]] = []
        if a is not None:
            states = [(sp.state, sp.reason, sp.start, sp.end) for sp in a.spans]
            if a.session_start is not None:
                states.append(("logged_in", None, a.session_start, None))
            if a.pause_start is not None:
                states.append(("not_ready", a.pause_reason, a.pause_start, None))
        st = live_status(
            sched,
            states,
            now,
            tolerance_s=settings.adherence_tolerance_s,
            outside_shift_exception=settings.outside_shift_exception,
        )
        doing[agent] = st.activity
        if st.exception:
            out[agent] = Adherence(st.activity, st.kind, st.since)
    return out, doing


def status(hub: Hub) -> dict[str, Any]:
    """How the hub is doing: events applied, journal, followers, store settlement."""
    return {
        "seq": hub.state.seq,
        "replayed_records": hub.replayed,
        "pending_settlement": hub.pending(),
        "settle_error": hub.settle_error,
        "followers": [
            {"path": f.name, "line": f.pos.line, "offset": f.pos.offset, "error": f.error}
            for f in hub.followers
        ],
    }


# -- settling into the store ----------------------------------------------------------------


def _offset(ts: float, tz: Any) -> int:
    """The zone's UTC offset (seconds east) at the instant ``ts``."""
    off = datetime.fromtimestamp(ts, tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def _wall(ts: float | None, offset: int) -> datetime | None:
    """The instant ``ts`` as wall-clock time at ``offset``: every time of one stored row
    is written at the offset of its start (``model/tables.py``)."""
    if ts is None:
        return None
    return datetime(1970, 1, 1) + timedelta(seconds=ts + offset)


def settle_into_store(settings: Settings, batch: Settlement, now: datetime) -> dict[str, int]:
    """Write ``batch`` into the store (:func:`callscope.store.live.settle`)."""
    import hashlib

    import pyarrow as pa

    from callscope.live.contact import outcome_of
    from callscope.model import AGENT_STATES, CONTACTS
    from callscope.services.common import open_store
    from callscope.store.live import settle

    tz = zoneinfo.ZoneInfo(settings.timezone)

    def batch_id(feed: str, gen: int) -> str:
        return "live:" + hashlib.sha256(f"{feed}\n{gen}".encode()).hexdigest()[:24]

    rows = []
    for v in batch.contacts.values():
        s = v.start
        assert s is not None
        out = outcome_of(v)
        w = v.wait_s
        off = _offset(s.ts, tz)
        entry = _wall(s.ts, off)
        start_seq = next(k[1] for k, e in v.events if e is s)
        rows.append(
            {
                "contact_id": v.contact,
                "conversation_id": v.conversation or v.contact,
                "segment": v.segment or 1,
                "previous_contact_id": v.previous,
                "channel": v.channel or (settings.channel_of(s.queue or "") or "voice"),
                "direction": "inbound",
                "queue": s.queue,
                "skill": None,
                "priority": None,
                "customer_key": v.customer,
                "arrival_ts": entry,
                "ivr_s": None,
                "queue_entry_ts": None if out == "blocked" else entry,
                "answer_ts": _wall(s.ts + w, off) if out == "answered" and w is not None else None,
                "end_ts": _wall(v.close.ts if v.close is not None else None, off),
                "wait_s": None if out == "blocked" else w,
                "talk_s": v.close.talk_s if out == "answered" and v.close is not None else None,
                "hold_s": None,
                "acw_s": None,
                "agent": v.agent if out == "answered" else None,
                "rings": v.answer.rings if out == "answered" and v.answer is not None else None,
                "outcome": out,
                "transferred": v.transferred,
                "disposition": v.close.disposition if v.close is not None else None,
                "resolved": None,
                "source_file": s.source or "live:api",
                "source_line": s.line if s.line is not None else start_seq,
                "utc_offset_s": off,
            }
        )
    spans = []
    for sp in batch.spans:
        if sp.end < sp.start:
            continue
        off = _offset(sp.start, tz)
        spans.append(
            {
                "agent": sp.agent,
                "state": sp.state,
                "reason": sp.reason,
                "queue": None,
                "start_ts": _wall(sp.start, off),
                "end_ts": _wall(sp.end, off),
                "duration_s": sp.end - sp.start,
                "source_file": sp.source or "live:api",
                "source_line": sp.line or 0,
                "utc_offset_s": off,
            }
        )
    rejects = [
        {
            "batch_id": batch_id(r.feed, r.gen),
            "file": r.feed,
            "line": r.line,
            "raw": r.raw,
            "reason": r.reason,
        }
        for r in batch.rejects
    ]
    feeds = [{"batch_id": "live:api", "file": "live:api", "lines": 0}] + [
        {"batch_id": batch_id(f, g), "file": f, "lines": n} for (f, g), n in batch.lines.items()
    ]
    with open_store(settings, write=True) as store:
        return settle(
            store,
            pa.Table.from_pylist(rows, schema=CONTACTS.schema),
            pa.Table.from_pylist(spans, schema=AGENT_STATES.schema),
            rejects,
            feeds,
            now,
        )


# -- alerts to a webhook ----------------------------------------------------------------------


class AlertWatcher:
    """Every 2 s: today's alerts; each one that was not standing before is POSTed to
    ``[alerts] webhook`` as JSON (``{"alerts": [...]}``, 5 s timeout; a failure is
    kept in :attr:`error` and tried again with the next new alert)."""

    def __init__(
        self,
        settings: Settings,
        hub: Hub,
        setup: LiveSetup,
        read: Callable[..., Any] | None = None,
        every_s: float = 2.0,
    ) -> None:
        self.settings, self.hub, self.setup, self.read = settings, hub, setup, read
        self.every_s = every_s
        self.standing: set[str] = set()
        self.sent = 0
        self.error: str | None = None
        self._schedules: tuple[date, float, dict[str, list[tuple[str, float, float]]]] | None
        self._schedules = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def check(self, now: float) -> list[Alert]:
        """The new alerts at ``now`` (and POST them)."""
        snap = live_snapshot(self.hub, self.setup, now=now)
        found = alerts(snap, self.setup.rules, self._adherence(now))
        new = [a for a in found if a.key not in self.standing]
        self.standing = {a.key for a in found}
        if new:
            body = json.dumps(
                {
                    "as_of": _iso(now, self.setup.tz),
                    "alerts": [
                        {"key": a.key, "kind": a.kind, "subject": a.subject, "message": a.message}
                        for a in new
                    ],
                }
            ).encode()
            req = urllib.request.Request(
                self.settings.alert_webhook,
                data=body,
                headers={"Content-Type": "application/json", "User-Agent": "callscope"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310 (the center's URL)
                    r.read()
                self.sent += len(new)
                self.error = None
            except OSError as e:
                self.error = str(e)
                self.standing -= {a.key for a in new}  # told again next time
        return new

    def _adherence(self, now: float) -> dict[str, Adherence] | None:
        """Out of adherence now (the schedules read again each minute)."""
        if not self.setup.rules.adherence:
            return None
        day = _day_of(now, self.setup.tz)
        got = self._schedules
        if got is None or got[0] != day or abs(now - got[1]) > 60:
            settings = self.settings
            read = self.read or (lambda fn, *a: fn(settings, *a))
            try:
                fresh = read(day_schedules, day)
            except Exception as e:  # a busy or missing store: the other alerts still go
                self.error = f"schedules: {str(e).splitlines()[0] if str(e) else e!r}"
                fresh = got[2] if got is not None and got[0] == day else {}
            got = self._schedules = (day, now, fresh)
        return adherence_now(self.settings, self.hub, got[2], now)[0]

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.check(time.time())
            except Exception as e:  # never stop watching
                self.error = str(e)
