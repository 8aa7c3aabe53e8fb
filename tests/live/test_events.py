"""Events are checked once, at the boundary: each mistake names its field; a body of
several events refuses the bad ones one by one and keeps the others."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callscope.errors import CallscopeError
from callscope.live.events import EventError, event_dict, parse_event
from callscope.live.pmap import PMap
from callscope.services.live import parse_events

GOOD = {
    "id": "e1",
    "type": "contact.queued",
    "ts": "2026-01-12T08:00:00Z",
    "contact": "c1",
    "queue": "Sales",
}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id": None}, "id", "needs an id"),
        ({"type": "contact.teleported"}, "type", "unknown event type"),
        ({"ts": None}, "ts", "needs ts"),
        ({"ts": "yesterday"}, "ts", "not a time"),
        ({"ts": "2026-01-12T08:00:00"}, "ts", "has no offset"),
        ({"ts": 1e13}, "ts", "outside the times"),
        ({"ts": True}, "ts", "not true/false"),
        ({"contact": None}, "contact", "needs contact"),
        ({"queue": None}, "queue", "needs queue"),
        ({"channel": "fax"}, "channel", "unknown channel"),
        ({"wait_s": -3}, "wait_s", "seconds from 0"),
        ({"wait_s": float("nan")}, "wait_s", "seconds from 0"),
        ({"segment": "two"}, "segment", "whole number"),
        ({"queue": "x" * 201}, "queue", "at most 200"),
    ],
)
def test_each_mistake_names_its_field(change, field, words):
    with pytest.raises(EventError, match=words) as e:
        parse_event({**GOOD, **change})
    assert e.value.field == field


def test_agent_and_leave_events():
    a = parse_event(
        {
            "id": "a",
            "type": "agent.state",
            "ts": 5,
            "agent": "A1",
            "state": "paused",
            "reason": "lunch",
        }
    )
    assert (a.state, a.reason, a.ts) == ("paused", "lunch", 5.0)
    with pytest.raises(EventError) as e:
        parse_event({"id": "a", "type": "agent.state", "ts": 5, "agent": "A1", "state": "asleep"})
    assert e.value.field == "state"
    with pytest.raises(EventError) as e:
        parse_event({"id": "l", "type": "contact.left", "ts": 5, "contact": "c", "reason": "bored"})
    assert e.value.field == "reason"
    with pytest.raises(EventError) as e:
        parse_event(
            {"id": "l", "type": "contact.left", "ts": 5, "contact": "c", "reason": "blocked"}
        )
    assert e.value.field == "queue"


def test_an_event_reads_back_as_itself():
    e = parse_event({**GOOD, "ts": "2026-01-12T09:00:00+01:00", "wait_s": 3, "customer": "x"})
    assert parse_event(event_dict(e)) == e and e.ts == 1768204800.0


def test_bad_events_are_refused_one_by_one():
    body = [
        GOOD,
        {**GOOD, "id": "e2", "queue": None},  # missing field
        {**GOOD, "id": "e3", "type": "contact.beamed"},  # unknown type
        {**GOOD, "id": "e4", "ts": "31/12/2026"},  # bad timestamp
        {**GOOD, "id": "e5", "contact": "c5"},
        "not an object",
    ]
    events, refused = parse_events(json.dumps(body).encode())
    assert [e.id for e in events] == ["e1", "e5"]
    assert [(r["index"], r["id"], r["field"]) for r in refused] == [
        (1, "e2", "queue"),
        (2, "e3", "type"),
        (3, "e4", "ts"),
        (5, None, "event"),
    ]
    # JSON lines, one of them not JSON
    lines = "\n".join([json.dumps(GOOD), "{oops", "", json.dumps({**GOOD, "id": "e9"})])
    events, refused = parse_events(lines.encode())
    assert [e.id for e in events] == ["e1", "e9"]
    assert refused[0]["index"] == 1 and "not JSON" in refused[0]["error"]


@pytest.mark.parametrize("body", [b"", b"  ", b"[1, 2", b'{"a": 1}'[:0], b'"text"'])
def test_a_body_that_is_no_list_of_events(body):
    if body.strip().startswith(b"[") or not body.strip():
        with pytest.raises(CallscopeError):
            parse_events(body)
    else:
        _, refused = parse_events(body)
        assert refused and refused[0]["field"] == "event"


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # shared 2-core CI
@given(st.lists(st.tuples(st.integers(0, 300), st.integers()), max_size=400))
def test_the_persistent_map_is_a_dict_that_never_changes(ops):
    m: PMap[int, int] = PMap()
    d: dict[int, int] = {}
    history = []
    for k, v in ops:
        history.append((m, dict(d)))
        if v % 5 == 0:
            m, _ = m.delete(k), d.pop(k, None)
        else:
            m = m.set(k, v)
            d[k] = v
        assert dict(m.items()) == d and len(m) == len(d)
    for old, want in history:  # every earlier version is as it was
        assert dict(old.items()) == want
