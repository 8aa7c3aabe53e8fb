"""The Service page's weekday x hour heat map, required vs on-duty agents and forecast vs
actual: each against the same figures computed another way."""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from webtools import make_app, sign_in

from callscope.kpi import KpiParams, compute_kpis, duckdb_source
from callscope.settings import load_settings
from callscope.store import Store

WEEK = "from=2026-01-12&to=2026-01-18"


def _erlang_c_agents(calls: float, aht_s: float, interval_s: float, sl: float, t_s: float) -> int:
    """The fewest agents meeting ``sl`` within ``t_s`` (textbook Erlang C, plain Python:
    P(wait) = (A^N/N! * N/(N-A)) / (sum_{k<N} A^k/k! + A^N/N! * N/(N-A)),
    SL = 1 - P(wait) * exp(-(N - A) * T / AHT))."""
    a = calls * aht_s / interval_s
    n = max(1, math.floor(a) + 1)
    while True:
        term, total = 1.0, 1.0  # A^k/k! summed for k < N
        for k in range(1, n):
            term *= a / k
            total += term
        top = term * a / n * n / (n - a)
        pw = top / (total + top)
        if 1 - pw * math.exp(-(n - a) * t_s / aht_s) >= sl:
            return n
        n += 1


def test_heatmap_adds_up_to_the_intervals(clients):
    j = clients["analyst"].get(f"/api/v1/service?{WEEK}").json()
    heat = {(r["weekday"], r["hour"]): r for r in j["heatmap"]}
    by_hour: dict[tuple[int, int], int] = defaultdict(int)
    for r in j["by_interval"]:
        ts = datetime.fromisoformat(r["interval_start"])
        by_hour[(ts.isoweekday(), ts.hour)] += r["offered"] or 0
    assert {k: v for k, v in by_hour.items() if v} == {k: r["offered"] for k, r in heat.items()}
    assert sum(r["offered"] for r in heat.values()) == sum(r["offered"] or 0 for r in j["by_day"])
    assert all(
        0 <= r["service_level"] <= 1 for r in heat.values() if r["service_level"] is not None
    )


def test_required_agents_are_erlang_c_per_queue(clients, center):
    """Voice only: each interval's required agents are the sum over its voice queues of
    the textbook Erlang C staffing for 80 % in 20 s on that queue's offered contacts and
    AHT (KPIs computed here straight from the store)."""
    j = clients["analyst"].get(f"/api/v1/service?{WEEK}&channel=voice").json()
    rows = {r["interval_start"]: r for r in j["staffing"]}
    assert len(rows) == 7 * 48
    store = Store(center.db, read_only=True)
    try:
        src = duckdb_source(store)
        start, end = datetime(2026, 1, 12), datetime(2026, 1, 19)
        per_q = compute_kpis(src, ("interval_start", "queue", "channel"), KpiParams(), start, end)
        states = compute_kpis(src, ("interval_start",), KpiParams(), start, end).rows()
    finally:
        store.close()
    want: dict[str, int] = defaultdict(int)
    for r in per_q.rows():
        if r["channel"] == "voice" and r["queue"] and r["offered"] and r["aht_s"]:
            key = r["interval_start"].isoformat()
            want[key] += _erlang_c_agents(r["offered"], r["aht_s"], 1800.0, 0.8, 20.0)
    busy = [k for k, v in rows.items() if v["offered"]]
    assert len(busy) > 50
    assert {k: rows[k]["required"] for k in busy} == {k: want.get(k, 0) for k in busy}
    # on duty: agents logged in on average (the whole center's sessions: states carry no
    # channel in the demo), never negative, zero where nobody was logged in
    logged = {r["interval_start"].isoformat(): r["logged_in_s"] / 1800.0 for r in states}
    for k, v in rows.items():
        assert v["on_duty"] == pytest.approx(logged.get(k, 0.0) or 0.0) or v["on_duty"] is None


def test_forecast_against_actual(center, tmp_path):
    """A stored forecast run shows beside the actual contacts: per interval the run's
    contacts summed over the queues the filters keep; a run for other queues or a filter
    that keeps none of its queues shows nothing."""
    import pyarrow as pa
    from fastapi.testclient import TestClient

    from callscope.store.forecasts import write_forecasts

    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    stamps = [datetime(2026, 1, 12) + i * timedelta(minutes=30) for i in range(7 * 48)]
    rows = [
        {
            "forecast_id": "fc-test",
            "created_at": datetime(2026, 1, 11, 23, 0),
            "interval_start": ts,
            "interval_s": 1800,
            "queue": queue,
            "channel": channel,
            "calls": float(i % 48) * weight,
            "aht_s": 300.0,
            "calls_lo": None,
            "calls_hi": None,
            "model": "test",
        }
        for i, ts in enumerate(stamps)
        for queue, channel, weight in (("General", "voice", 1.0), ("Web Chat", "chat", 0.5))
    ]
    store = Store(db)
    try:
        write_forecasts(store, pa.Table.from_pylist(rows))
    finally:
        store.close()
    client = TestClient(make_app(type(center)(settings, db, center.tokens)))
    assert sign_in(client, "ana").status_code == 303
    j = client.get(f"/api/v1/service?{WEEK}").json()
    assert j["forecast_id"] == "fc-test"
    got = [r["forecast"] for r in j["staffing"]]
    assert got == [float(i % 48) * 1.5 for i in range(7 * 48)]
    voice = client.get(f"/api/v1/service?{WEEK}&channel=voice").json()
    assert [r["forecast"] for r in voice["staffing"]] == [float(i % 48) for i in range(7 * 48)]
    email = client.get(f"/api/v1/service?{WEEK}&channel=email").json()
    assert all(r["forecast"] is None for r in email["staffing"])
    page = client.get(f"/service?{WEEK}").text
    assert "Forecast and actual contacts" in page and "fc-test" in page


def test_scoped_people_get_no_center_staffing(clients):
    j = clients["agent"].get(f"/api/v1/service?{WEEK}").json()
    assert j["staffing"] is None and j["forecast_id"] is None
    assert any("required agents" in n for n in j["notes"])
    page = clients["supervisor"].get(f"/service?{WEEK}").text
    assert "Agents required" not in page and "Week by hour" in page


def test_heatmap_and_staffing_downloads(clients):
    r = clients["analyst"].get(f"/service/export?format=csv&table=heatmap&{WEEK}")
    assert r.status_code == 200
    assert r.text.splitlines()[0].startswith("weekday,hour,offered,service_level")
    r = clients["analyst"].get(f"/service/export?format=csv&table=staffing&{WEEK}")
    assert r.text.splitlines()[0] == "interval_start,offered,forecast,required,on_duty"
    assert clients["analyst"].get("/service/export?table=nope").status_code == 422
