"""The hub keeps the day's state out of the cyclic collector's full collections
(`gc.freeze` every FREEZE_EVERY events, undone by `Hub.stop`), and what it holds is the
same as without it: a restart from the journal rebuilds the same figures."""

from __future__ import annotations

import gc
import zoneinfo

from callscope.live.events import parse_event
from callscope.live.hub import FREEZE_EVERY, Hub
from callscope.live.reducer import LiveConfig


def _events(n: int) -> list:
    out = []
    for i in range(n // 3 + 1):
        c, t = f"c{i}", 1768204800 + i
        out += [
            parse_event(
                {"id": f"{c}q", "type": "contact.queued", "ts": t, "contact": c, "queue": "Q"}
            ),
            parse_event(
                {"id": f"{c}a", "type": "contact.answered", "ts": t + 5, "contact": c, "agent": "A"}
            ),
            parse_event(
                {"id": f"{c}e", "type": "contact.ended", "ts": t + 60, "contact": c, "talk_s": 55}
            ),
        ]
    return out[:n]


def test_the_state_is_frozen_every_few_thousand_events_and_thawed_at_stop(tmp_path):
    cfg = LiveConfig(tz=zoneinfo.ZoneInfo("UTC"))
    events = _events(FREEZE_EVERY + 100)
    hub = Hub(tmp_path, cfg).start()
    try:
        assert hub.submit(events[:100]).result(timeout=30)[-1].status == "stored"
        assert hub.freezes == 0
        hub.submit(events[100:]).result(timeout=30)
        assert hub.freezes == 1 and gc.get_freeze_count() > 0
        state = hub.state
    finally:
        hub.stop()
    assert gc.get_freeze_count() == 0
    again = Hub(tmp_path, cfg).start()  # the replay freezes as it goes, too
    try:
        assert again.replayed == len(events) and again.freezes == 1
        assert again.state.seq == state.seq == len(events)
        assert dict(again.state.days.items()) == dict(state.days.items())
        assert len(again.state.contacts) == len(state.contacts)
    finally:
        again.stop()
    assert gc.get_freeze_count() == 0
