"""Through the API: a synthetic day's events POSTed (JSON lines, in chunks, a little
out of order, some chunks sent twice) give, at the day's end, ``/api/v1/live`` figures
equal to ``callscope kpi`` of the same queue_log; and the contacts finished live, once
settled into the live store, give that store the same ``callscope kpi`` figures, every
column (no second ingest)."""

from __future__ import annotations

import json
import random
import time
import warnings
from datetime import datetime

from livetools import DAY, admin_token, batch_kpis, day_events, live_rows, same, same_rows

from callscope.settings import load_settings

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")


def test_a_day_posted_through_the_api_equals_the_batch_kpis(day_log, tmp_path):
    from fastapi.testclient import TestClient

    from callscope.services.live import stop_hub
    from callscope.web import create_app

    settings = load_settings(db=tmp_path / "live.duckdb", env={}, cwd=tmp_path)
    token = admin_token(settings)
    end = datetime.fromisoformat("2026-01-06T00:00:00+00:00")
    app = create_app(settings, secret=b"t" * 32, clock=lambda: end)
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {token}"
    events = day_events(day_log.path)
    rng = random.Random(5)
    order = sorted(range(len(events)), key=lambda i: i + rng.uniform(0, 30))
    shuffled = [events[i] for i in order]
    chunks = [shuffled[i : i + 500] for i in range(0, len(shuffled), 500)]
    stored = dupes = 0
    t0 = time.perf_counter()
    try:
        for k, chunk in enumerate(chunks):
            body = "\n".join(json.dumps(e) for e in chunk)
            for _ in range(2 if k % 3 == 0 else 1):  # every third chunk sent twice
                r = c.post("/api/v1/events", content=body)
                assert r.status_code == 200, r.text
                stored += r.json()["stored"]
                dupes += r.json()["duplicates"]
        elapsed = time.perf_counter() - t0
        print(f"{len(events)} events in {elapsed:.2f} s: {len(events) / elapsed:,.0f}/s")
        assert stored == len(events)
        assert dupes == sum(len(ch) for ch in chunks[::3])
        view = c.get(f"/api/v1/live?day={DAY.isoformat()}").json()
        assert view["held"] == 0
        assert same(live_rows(view), day_log.batch) == []
        assert all(q["waiting"] == 0 for q in view["queues"])
    finally:
        stop_hub(settings)  # settles what is pending into the store
    # the store of the live server now answers `callscope kpi` as the batch store does:
    # every column (waits, talk times, outcomes, longest wait, FCR ...), not only SL
    assert same_rows(batch_kpis(settings), day_log.batch) == []
