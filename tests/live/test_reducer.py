"""The reducer by hand: a contact whose answer comes before its queued event is held,
then counted once; a re-sent id changes nothing; the state before an event is left as
it was (pure); agents' states, reasons and spans."""

from __future__ import annotations

import zoneinfo
from datetime import date

from callscope.live.events import parse_event
from callscope.live.reducer import LiveConfig, LiveState, apply
from callscope.live.snapshot import SlRule, snapshot

UTC = zoneinfo.ZoneInfo("UTC")
CFG = LiveConfig(tz=UTC, threshold=lambda ch, q: 20.0, short_abandon_s=5.0)
T0 = 1768204800.0  # 2026-01-12 08:00 UTC
DAY = date(2026, 1, 12)


def ev(i, typ, dt, **kw):
    return parse_event({"id": f"e{i}", "type": typ, "ts": T0 + dt, **kw})


def run(events, state=None):
    s = state or LiveState()
    for n, e in enumerate(events, start=s.seq + 1):
        s = apply(s, e, n, CFG)
    return s


def q(s, now=T0 + 600):
    snap = snapshot(
        s, DAY, now, tz=UTC, sl=SlRule(), threshold=CFG.threshold, goal=lambda c, q: 0.8
    )
    return {r.queue: r for r in snap.queues}, {a.agent: a for a in snap.agents}


def test_held_until_its_start_then_counted_once():
    answered = ev(2, "contact.answered", 15, contact="c1", agent="A")
    s = run([answered])
    assert s.held == 1 and q(s)[0] == {}
    s = run([ev(1, "contact.queued", 0, contact="c1", queue="Sales")], s)
    row = q(s)[0]["Sales"]
    assert (row.offered, row.answered, row.answered_within_threshold, row.waiting) == (1, 1, 1, 0)
    assert s.held == 0
    again = run([answered, ev(1, "contact.queued", 0, contact="c1", queue="Sales")], s)
    assert again is s  # re-sent ids: the very same state


def test_the_state_before_an_event_is_kept():
    s1 = run([ev(1, "contact.queued", 0, contact="c1", queue="Sales")])
    s2 = run([ev(2, "contact.abandoned", 30, contact="c1", wait_s=30)], s1)
    assert q(s1)[0]["Sales"].waiting == 1 and q(s1)[0]["Sales"].abandoned == 0
    assert q(s2)[0]["Sales"].waiting == 0 and q(s2)[0]["Sales"].abandoned == 1


def test_waiting_and_longest_wait_and_the_last_close_decides():
    s = run(
        [
            ev(1, "contact.queued", 0, contact="c1", queue="Sales"),
            ev(2, "contact.queued", 100, contact="c2", queue="Sales"),
            ev(3, "contact.queued", 100, contact="c3", queue="Sales"),
            ev(4, "contact.left", 130, contact="c3", reason="timeout"),
            ev(5, "contact.abandoned", 125, contact="c3"),  # earlier: the timeout decides
        ]
    )
    row = q(s, now=T0 + 300)[0]["Sales"]
    assert (row.offered, row.waiting, row.longest_wait_s, row.abandoned) == (3, 2, 300.0, 0)
    assert row.service_level == 0.0  # one decided (the timeout), none within T


def test_blocked_is_not_offered():
    s = run([ev(1, "contact.left", 0, contact="b", queue="Sales", reason="blocked")])
    row = q(s)[0]["Sales"]
    assert (row.offered, row.blocked, row.waiting) == (0, 1, 0)


def test_agents_state_reason_and_spans():
    s = run(
        [
            ev(1, "agent.state", 0, agent="A", state="available"),
            ev(2, "agent.state", 60, agent="A", state="paused", reason="lunch"),
            ev(3, "agent.state", 30, agent="A", state="busy"),  # late: changes nothing
        ]
    )
    a = q(s, now=T0 + 100)[1]["A"]
    assert (a.state, a.reason, a.since) == ("paused", "lunch", T0 + 60)
    s = run(
        [
            ev(4, "agent.state", 120, agent="A", state="available"),
            ev(5, "contact.queued", 125, contact="c9", queue="Sales"),
            ev(6, "contact.answered", 130, contact="c9", agent="A"),
        ],
        s,
    )
    a = q(s, now=T0 + 140)[1]["A"]
    assert (a.state, a.contact) == ("busy", "c9")
    s = run(
        [
            ev(7, "contact.ended", 200, contact="c9"),
            ev(8, "agent.state", 300, agent="A", state="logged_out"),
        ],
        s,
    )
    view = s.agents.get("A")
    assert [(x.state, x.reason, x.start - T0, x.end - T0) for x in view.spans] == [
        ("not_ready", "lunch", 60.0, 120.0),
        ("logged_in", None, 0.0, 300.0),
    ]
    assert q(s, now=T0 + 400)[1]["A"].state == "logged_out"
