"""Which interval rows appear (``kpi.grouping`` "Which rows appear"): a day on which
anything happened is shown whole, inside the period; a day with nothing is not shown."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from builders import at, run

from callscope.kpi import KpiParams

# Monday (day 0): one call at 09:05 on queue q. Tuesday (day 1): only an IVR-only call at
# 02:10, and agent a1 logged in 22:00-23:00 with nothing else. Wednesday (day 2):
# nothing at all. Thursday (day 3): one call on queue r at 10:40.
CONTACTS = [
    dict(queue="q", queue_entry_ts=at(5), wait_s=10.0, agent="a1", talk_s=60.0),
    dict(queue=None, queue_entry_ts=None, arrival_ts=at(-410, days=1), outcome="ivr_only"),
    dict(queue="r", queue_entry_ts=at(100, days=3), wait_s=30.0, agent="a1", talk_s=60.0),
]
STATES = [
    dict(agent="a1", state="logged_in", queue="q", start_ts=at(780, days=1), end_ts=at(840, days=1))
]


def _days(rows):
    out: dict = {}
    for r in rows:
        out.setdefault(r["interval_start"].date(), []).append(r["interval_start"].time())
    return out


@pytest.mark.parametrize("minutes", [30, 60])
def test_days_with_anything_are_whole(tmp_path, minutes):
    p = KpiParams(interval_minutes=minutes)
    rows = run(tmp_path, ("interval_start",), p, contacts=CONTACTS, agent_states=STATES)
    days = _days(rows)
    d0 = at().date()
    assert sorted(days) == [d0, d0 + timedelta(1), d0 + timedelta(3)]  # not day 2
    for times in days.values():
        assert len(times) == 1440 // minutes  # every interval, night ones included
    night = next(r for r in rows if r["interval_start"] == datetime(2024, 3, 4, 3, 0))
    assert (night["arrived"], night["offered"], night["handled"]) == (0, 0, 0)
    assert night["service_level"] is None and night["logged_in_s"] == 0
    # the day that had only an IVR-only call and an agent's evening is whole too
    tue = [r for r in rows if r["interval_start"].date() == d0 + timedelta(1)]
    assert sum(r["ivr_only"] for r in tue) == 1
    assert sum(r["logged_in_s"] for r in tue) == pytest.approx(3600.0)


def test_each_group_gets_its_own_days(tmp_path):
    """By queue, each queue's days are whole: q on Monday, r on Thursday (the IVR-only
    call has no queue; the agent session on Tuesday is on q)."""
    rows = run(
        tmp_path, ("interval_start", "queue"), KpiParams(), contacts=CONTACTS, agent_states=STATES
    )
    got = {(r["queue"], r["interval_start"].date()) for r in rows}
    d0 = at().date()
    assert got == {("q", d0), ("q", d0 + timedelta(1)), ("r", d0 + timedelta(3))}
    assert len(rows) == 3 * 48


def test_period_bounds_the_completed_day(tmp_path):
    """[09:03, 11:00) on Monday: the 09:00 interval (which overlaps the period) to the
    10:30 one, nothing outside the period; a period with nothing in it has no rows."""
    rows = run(tmp_path, ("interval_start",), KpiParams(), at(3), at(120), contacts=CONTACTS)
    assert [r["interval_start"].strftime("%H:%M") for r in rows] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
    ]
    assert [r["offered"] for r in rows] == [1, 0, 0, 0]
    empty = run(
        tmp_path / "e", ("interval_start",), KpiParams(), at(10), at(120), contacts=CONTACTS
    )
    assert empty == []
