"""The live floor: events in (``POST /api/v1/events``), the day's figures out
(``GET /api/v1/live``, the server-sent-events stream ``GET /api/v1/live/stream``) and
the wallboard page (``/wallboard``).

An event is acknowledged only once it is durable: the response comes after the
journal's ``fsync`` (:mod:`callscope.live.journal`). The body is a JSON array of events
or JSON lines; an event that cannot be read is refused by itself, naming its index,
id and field, and the others land: ``200`` when all were taken, ``207`` when some were
refused, ``422`` when none could be read. Each taken event is ``stored`` (with its
sequence number) or a ``duplicate`` (its id was seen before: nothing changed).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import SEND_EVENTS, VIEW_DATA, VIEW_LIVE, Principal, scope_of
from callscope.errors import CallscopeError
from callscope.web.deps import Refused, Require, render, state

__all__ = ["NAV", "lifespan", "router"]

router = APIRouter()
#: The wallboard in the navigation (:func:`callscope.web.deps.nav_items`).
NAV = [("Wallboard", "/wallboard", VIEW_LIVE)]

Viewer = Annotated[Principal, Depends(Require(VIEW_LIVE))]
Sender = Annotated[Principal, Depends(Require(SEND_EVENTS))]
DataViewer = Annotated[Principal, Depends(Require(VIEW_DATA))]
DayQ = Annotated[str | None, Query(max_length=10)]
#: Fastest the stream sends (a burst of events is one message per this many seconds).
MIN_GAP_S = 0.1


def _hub(request: Request) -> Any:
    from callscope.services.live import running_hub, start_hub

    st = state(request)
    got = running_hub(st.settings)
    if got is None:
        start_hub(
            st.settings,
            follow=st.cache.get("live_follow", ()),
            write=st.write,
            read=st.read,
        )
        got = running_hub(st.settings)
        assert got is not None
    return got


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the live hub with the server when it follows logs; stop it with the
    server (queued events written, finished contacts settled into the store)."""
    from callscope.services.live import start_hub, stop_hub

    st = app.state.callscope
    if st.cache.get("live_follow"):
        await run_in_threadpool(
            start_hub, st.settings, follow=st.cache["live_follow"], write=st.write, read=st.read
        )
    try:
        yield
    finally:
        await run_in_threadpool(stop_hub, st.settings)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CallscopeError(f"{text!r} is not a day; write it 2026-01-31", field="day") from None


def _team_agents(request: Request, p: Principal) -> tuple[str, ...]:
    """The agents of a supervisor's teams (from the store, cached a minute)."""
    from callscope.services.live import team_agents

    if p.role != "supervisor" or not p.teams:
        return ()
    st = state(request)
    key = ("live_teams", tuple(sorted(p.teams)))
    got = st.cache.get(key)
    if got is None or time.monotonic() - got[0] > 60:
        got = (time.monotonic(), st.read(team_agents, tuple(p.teams)))
        st.cache[key] = got
    return tuple(got[1])


def _schedules(request: Request, day: date) -> Any:
    """The day's schedules (from the store, read again each minute)."""
    from callscope.services.live import day_schedules

    st = state(request)
    key = ("live_schedules", day)
    got = st.cache.get(key)
    if got is None or time.monotonic() - got[0] > 60:
        got = (time.monotonic(), st.read(day_schedules, day))
        st.cache[key] = got
    return got[1]


def _view(request: Request, p: Principal, day: date | None) -> dict[str, Any]:
    from callscope.services.live import adherence_now, live_view

    hub, setup = _hub(request)
    st = state(request)
    now = st.now().timestamp()
    out, scheduled = None, None
    if setup.rules.adherence and day is None:  # adherence is about now
        today = datetime.fromtimestamp(now, setup.tz).date()
        # judged once per second and state, however many screens watch
        key = ("live_adherence", today, hub.state.seq, int(now))
        got = st.cache.get(key)
        if got is None:
            got = adherence_now(st.settings, hub, _schedules(request, today), now)
            for k in [
                k for k in list(st.cache) if isinstance(k, tuple) and k[0] == "live_adherence"
            ]:
                st.cache.pop(k, None)
            st.cache[key] = got
        out, scheduled = got
    return live_view(
        hub,
        setup,
        now=now,
        day=day,
        scope=scope_of(p),
        team_agents=_team_agents(request, p),
        out_of_adherence=out,
        scheduled=scheduled,
    )


@router.post("/api/v1/events", tags=["live"])
async def events_api(request: Request, p: Sender) -> Any:
    """Feed the live floor: a JSON array of events or JSON lines (see the module
    docstring); answered once the events taken are durable."""
    from callscope.services.live import parse_events

    body = await request.body()
    try:
        events, refused = parse_events(body)
    except UnicodeDecodeError:
        raise CallscopeError("the body is not UTF-8 text", field="events") from None
    acks = []
    if events:
        hub, _ = await run_in_threadpool(_hub, request)
        try:
            acks = await asyncio.wrap_future(hub.submit(events))
        except (OSError, RuntimeError) as e:  # the journal failed, or the hub is stopping
            raise Refused(
                503,
                f"the events could not be made durable ({e}); none of this request was "
                "acknowledged: send it again",
                "events",
            ) from None
    status = 200 if not refused else (207 if events else 422)
    stored = sum(a.status == "stored" for a in acks)
    out = {"stored": stored, "duplicates": len(acks) - stored, "refused": refused, "acks": acks}
    # each Ack (a dataclass) is written as {"id", "status", "seq"}
    return Response(orjson.dumps(out), status_code=status, media_type="application/json")


@router.get("/api/v1/live", tags=["live"])
async def live_api(request: Request, p: Viewer, day: DayQ = None) -> dict[str, Any]:
    """The live figures of today (or ``day``, while the server holds it): per queue and
    per agent (see ``/wallboard``)."""
    return await run_in_threadpool(_view, request, p, _day(day))


@router.get("/api/v1/live/status", tags=["live"])
async def live_status_api(request: Request, p: DataViewer) -> dict[str, Any]:
    """The hub: events applied, records replayed at start, rows waiting to be settled
    into the store (and why not, if it failed), followed logs and their positions."""
    from callscope.services.live import status

    hub, _ = await run_in_threadpool(_hub, request)
    return status(hub)


@router.get("/api/v1/live/stream", tags=["live"])
async def live_stream(
    request: Request,
    p: Viewer,
    day: DayQ = None,
    limit: Annotated[int, Query(ge=1, le=10**9)] = 10**9,
) -> StreamingResponse:
    """Server-sent events: a ``snapshot`` (the JSON of ``/api/v1/live``) now and after
    every change (at most ten a second), a comment every 15 s to keep the line open;
    ``limit``: end after that many snapshots."""
    the_day = _day(day)
    hub, _ = await run_in_threadpool(_hub, request)
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def wake(seq: int) -> None:
        loop.call_soon_threadsafe(changed.set)

    async def messages() -> AsyncIterator[bytes]:
        hub.subscribe(wake)
        try:
            sent, last = 0, 0.0
            while True:
                view = await run_in_threadpool(_view, request, p, the_day)
                yield b"event: snapshot\ndata: " + orjson.dumps(view) + b"\n\n"
                sent += 1
                if sent >= limit:
                    return
                last = loop.time()
                while True:
                    try:
                        await asyncio.wait_for(changed.wait(), timeout=15)
                        break
                    except TimeoutError:
                        if await request.is_disconnected():
                            return
                        yield b": still here\n\n"
                changed.clear()
                gap = MIN_GAP_S - (loop.time() - last)
                if gap > 0:
                    await asyncio.sleep(gap)
        finally:
            hub.unsubscribe(wake)

    return StreamingResponse(
        messages(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/wallboard", include_in_schema=False)
async def wallboard(request: Request, p: Viewer, day: DayQ = None) -> Any:
    """The wallboard: full screen, tiles per queue, the agent grid, alerts; it follows
    the stream and counts times in state between messages."""
    view = await run_in_threadpool(_view, request, p, _day(day))
    return render(request, "wallboard.html", {"title": "Wallboard", "view": view, "day": day})
