"""Changes of clocks: times are stored as instants (wall clock at the row's UTC offset)
and grouped by the center's local time (kpi/localtime.py).

Europe/Warsaw, 2026: clocks go forward on 29 March at 01:00 UTC (02:00 CET becomes
03:00 CEST) and back on 25 October at 01:00 UTC (03:00 CEST becomes 02:00 CET). Every
expected figure below is worked out by hand from the queue_log lines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from callscope.ingest import ingest_files
from callscope.kpi.engine import compute_kpis, duckdb_source
from callscope.kpi.localtime import zone_rules
from callscope.kpi.params import KpiParams
from callscope.store import Store

ZONE = "Europe/Warsaw"
FALL = int(datetime(2026, 10, 25, 1, 0, tzinfo=UTC).timestamp())  # 03:00+02 -> 02:00+01
SPRING = int(datetime(2026, 3, 29, 1, 0, tzinfo=UTC).timestamp())  # 02:00+01 -> 03:00+02


def _call(cid: str, start: int, wait: int, talk: int, agent: str = "Agent/1") -> list[str]:
    return [
        f"{start}|{cid}|sales|NONE|ENTERQUEUE||4860100{cid[-2:]}|1",
        f"{start + wait}|{cid}|sales|{agent}|CONNECT|{wait}|x|1",
        f"{start + wait + talk}|{cid}|sales|{agent}|COMPLETECALLER|{wait}|{talk}|1",
    ]


def _log(path: Path, lines: list[str]) -> Path:
    lines.sort(key=lambda x: int(x.split("|")[0]))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def fall(tmp_path: Path):
    """Four calls around the fall-back night and one agent session across it."""
    lines = [
        *_call("1.01", FALL - 3000, 10, 100),  # 02:10:00+02:00
        *_call("1.02", FALL - 600, 30, 1200),  # 02:50:00+02:00, ends 02:10:30+01:00
        *_call("1.03", FALL + 600, 5, 60),  # 02:10:00+01:00
        *_call("1.04", FALL + 3660, 5, 60),  # 03:01:00+01:00
        f"{FALL - 5400}|NONE|NONE|Agent/1|ADDMEMBER|",  # 01:30+02:00
        f"{FALL + 5400}|NONE|NONE|Agent/1|REMOVEMEMBER|",  # 03:30+01:00: 3 h later
    ]
    store = Store(tmp_path / "fall.duckdb")
    ingest_files(store, [_log(tmp_path / "queue_log", lines)], "asterisk", tz=ZONE)
    yield store
    store.close()


def test_times_are_instants_and_a_call_across_the_change_ends_after_it_starts(fall):
    rows = fall.con.execute(
        "SELECT contact_id, arrival_ts, answer_ts, end_ts, utc_offset_s FROM contacts "
        "ORDER BY contact_id"
    ).fetchall()
    epochs = {"ast:1.01:1": FALL - 3000, "ast:1.02:1": FALL - 600, "ast:1.03:1": FALL + 600}
    by_id = {r[0]: r for r in rows}
    for cid, epoch in epochs.items():
        _, arrival, _, _, off = by_id[cid]
        # the stored wall clock minus its offset is the instant of the log line
        assert (arrival - timedelta(seconds=off)).replace(tzinfo=UTC).timestamp() == epoch
    assert by_id["ast:1.01:1"][4] == 7200 and by_id["ast:1.03:1"][4] == 3600
    # both calls show 02:10 on the wall, one hour apart
    assert by_id["ast:1.01:1"][1] == by_id["ast:1.03:1"][1] == datetime(2026, 10, 25, 2, 10)
    _, arrival, answer, end, off = by_id["ast:1.02:1"]
    assert off == 7200 and arrival < answer < end
    assert (end - arrival).total_seconds() == 30 + 1200
    for _, a, b, e, _ in rows:
        assert a <= b <= e
    span = fall.con.execute("SELECT start_ts, end_ts, duration_s FROM agent_states").fetchall()
    (start, end, dur), *_ = span
    assert dur == 10800 and (end - start).total_seconds() == 10800


def test_the_repeated_hour_is_two_intervals(fall):
    params = KpiParams(interval_minutes=60, timezone=ZONE)
    res = compute_kpis(duckdb_source(fall), ["interval_start"], params)
    t = res.table
    assert res.keys == ("interval_start", "utc_offset")
    rows = [
        (r["interval_start"].replace(tzinfo=None), r["utc_offset"], r["offered"], r["logged_in_s"])
        for r in t.to_pylist()
    ]
    assert len(rows) == 25  # the fall-back day has 25 hours
    two = [r for r in rows if r[0] == datetime(2026, 10, 25, 2)]
    # in time order: 02:00+02:00 (calls 1.01 and 1.02), then 02:00+01:00 (call 1.03)
    assert [(o, n) for _, o, n, _ in two] == [("+02:00", 2), ("+01:00", 1)]
    at = {(s.hour, o): (n, li) for s, o, n, li in rows}
    assert at[(3, "+01:00")][0] == 1
    # the 3 h session: 01:30-02:00+02, the whole of both 02:00 hours, 03:00-03:30+01
    assert at[(1, "+02:00")][1] == 1800
    assert at[(2, "+02:00")][1] == 3600
    assert at[(2, "+01:00")][1] == 3600
    assert at[(3, "+01:00")][1] == 1800
    assert sum(li or 0 for *_, li in rows) == 10800
    # the day's total is the sum of its hours, and the same without intervals
    day = compute_kpis(duckdb_source(fall), ["day"], params).table.to_pylist()
    assert [(d["day"], d["offered"], d["logged_in_s"]) for d in day] == [
        (date(2026, 10, 25), 4, 10800.0)
    ]


def test_wall_clock_grouping_without_a_zone_merges_the_hour(fall):
    """Without the center's zone, times are grouped as stored (at the row's offset):
    the repeated hour is one row, as before time zones were known."""
    res = compute_kpis(duckdb_source(fall), ["interval_start"], KpiParams(interval_minutes=60))
    assert res.keys == ("interval_start",)
    assert res.table.num_rows == 24


def test_spring_forward_has_no_skipped_hour(tmp_path):
    lines = [
        *_call("2.01", SPRING - 600, 20, 1200),  # 01:50+01:00, ends 03:10:20+02:00
        *_call("2.02", SPRING + 300, 5, 60),  # 03:05+02:00
    ]
    store = Store(tmp_path / "spring.duckdb")
    ingest_files(store, [_log(tmp_path / "queue_log", lines)], "asterisk", tz=ZONE)
    a, e = store.con.execute(
        "SELECT arrival_ts, end_ts FROM contacts WHERE contact_id = 'ast:2.01:1'"
    ).fetchall()[0]
    assert a == datetime(2026, 3, 29, 1, 50)
    assert (e - a).total_seconds() == 1220
    params = KpiParams(interval_minutes=30, timezone=ZONE)
    t = compute_kpis(duckdb_source(store), ["interval_start"], params).table.to_pylist()
    store.close()
    assert len(t) == 46  # 23 hours
    stamps = [r["interval_start"].replace(tzinfo=None) for r in t]
    assert datetime(2026, 3, 29, 2, 0) not in stamps
    assert datetime(2026, 3, 29, 2, 30) not in stamps
    got = {(r["interval_start"].hour, r["interval_start"].minute): r for r in t}
    assert got[(1, 30)]["offered"] == 1 and got[(1, 30)]["utc_offset"] == "+01:00"
    assert got[(3, 0)]["offered"] == 1 and got[(3, 0)]["utc_offset"] == "+02:00"


def test_zone_rules_from_the_iana_database():
    rules = zone_rules(ZONE, 2026, 2026)
    assert rules is not None
    assert [(t, o) for t, o in rules.transitions if t.year == 2026] == [
        (datetime(2026, 3, 29, 1, 0), 7200),
        (datetime(2026, 10, 25, 1, 0), 3600),
    ]
    assert zone_rules("UTC", 2000, 2030) is None
    assert zone_rules("Asia/Kolkata", 2000, 2030) is None  # +05:30 all year
    hours = list(rules.day_intervals(date(2026, 10, 25), 60))
    assert len(hours) == 25 and hours[2:4] == [
        (datetime(2026, 10, 25, 2), 7200),
        (datetime(2026, 10, 25, 2), 3600),
    ]


def test_an_older_store_gains_the_offset_column(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE contacts DROP COLUMN utc_offset_s")
    con.execute("ALTER TABLE agent_states DROP COLUMN utc_offset_s")
    con.close()
    with Store(path) as s:
        cols = {r[0] for r in s.con.execute("DESCRIBE contacts").fetchall()}
        assert "utc_offset_s" in cols


@pytest.mark.slow
def test_spark_groups_the_fall_back_night_the_same(fall, spark, tmp_path):
    from callscope.kpi.engine import spark_source

    params = KpiParams(interval_minutes=60, timezone=ZONE)
    duck = compute_kpis(duckdb_source(fall), ["interval_start"], params).table
    pq = tmp_path / "pq"
    fall.export_parquet(pq)
    sp = compute_kpis(spark_source(spark, pq), ["interval_start"], params).table

    def key(t):
        return [
            (
                r["interval_start"].replace(tzinfo=None),
                r["utc_offset"],
                r["offered"],
                r["logged_in_s"],
            )
            for r in t.to_pylist()
        ]

    assert key(sp) == key(duck)


def test_a_contact_record_across_the_change_keeps_one_offset(tmp_path):
    import json

    rec = {
        "ContactId": "c-1",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-10-25T00:50:00Z",  # 02:50+02:00
        "ConnectedToSystemTimestamp": "2026-10-25T00:50:00Z",
        "DisconnectTimestamp": "2026-10-25T01:20:00Z",  # 02:20+01:00
        "LastUpdateTimestamp": "2026-10-25T01:21:00Z",
        "Queue": {
            "Name": "sales",
            "EnqueueTimestamp": "2026-10-25T00:50:10Z",
            "DequeueTimestamp": "2026-10-25T00:50:40Z",
            "Duration": 30,
        },
        "Agent": {
            "Username": "ann",
            "ConnectedToAgentTimestamp": "2026-10-25T00:50:40Z",
            "AgentInteractionDuration": 1760,
        },
        "CustomerEndpoint": {"Address": "+48600100200"},
    }
    path = tmp_path / "ctr.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    with Store(tmp_path / "ctr.duckdb") as store:
        ingest_files(store, [path], "amazon-connect", tz=ZONE)
        arrival, entry, end, wait, off = store.con.execute(
            "SELECT arrival_ts, queue_entry_ts, end_ts, wait_s, utc_offset_s FROM contacts"
        ).fetchall()[0]
        assert off == 7200
        assert arrival == datetime(2026, 10, 25, 2, 50)
        assert entry == datetime(2026, 10, 25, 2, 50, 10) and wait == 30
        assert end == datetime(2026, 10, 25, 3, 20)  # = 02:20+01:00, after the start
