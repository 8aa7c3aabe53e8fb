"""February 1999 of the Anonymous Bank: month totals pinned and explained.

The expected numbers are worked out here from the raw file with the ``csv`` module,
independently of the ingester and of the KPI engine:

* ``PHANTOM`` rows (no real caller) are not offered;
* ``HANG`` with ``q_time`` 0 and ``q_start`` 0:00:00 hung up in the IVR: not offered;
* offered = ``AGENT`` rows + the other ``HANG`` rows (they queued and abandoned);
* a served call with no queue time (``q_start`` 0:00:00) waited 0 s;
* SL (T = 20 s, ``offered`` variant) = served with ``q_time`` <= 20 / offered;
* ASA = mean ``q_time`` of served calls; AHT = mean ``ser_time`` (the source has no hold
  or after-call work, so AHT is talk time only) over the served calls whose service times
  are known: an AGENT row with ``ser_start`` = ``ser_exit`` = 0:00:00 and ``ser_time`` 0
  has none (talk unknown, not zero).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from compare import assert_rows_equal
from reference import reference_kpis

from callscope.kpi import KpiParams, compute_kpis, duckdb_source

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "anonymous_bank"
FEB = DATA / "data_anonymous_bank_february.txt"

pytestmark = pytest.mark.skipif(not FEB.exists(), reason="shared data directory absent")


def _month_of_queue_entry(row: dict[str, str]) -> int:
    """The month the call entered the queue (a queue time far before the VRU entry
    crossed midnight into the next day; 28 Feb + 1 day is March)."""

    def secs(t: str) -> int:
        h, m, s = (int(x) for x in t.split(":"))
        return h * 3600 + m * 60 + s

    day = int(row["date"][4:6])
    q = row["q_start"] if row["q_start"] != "0:00:00" else row["vru_exit"]
    if secs(q) < secs(row["vru_entry"]) - 43200:
        day += 1
    return 2 if day <= 28 else 3


def expected_february() -> dict[str, float]:
    served, abandoned, short, phantom, ivr_only = [], [], 0, 0, 0
    with open(FEB, newline="", encoding="ascii") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            row = {k.strip(): v.strip() for k, v in row.items()}
            out = row["outcome"]
            if out == "PHANTOM":
                phantom += 1
                continue
            never_queued = row["q_time"] == "0" and row["q_start"] == "0:00:00"
            if out == "HANG" and never_queued:
                ivr_only += 1
                continue
            if _month_of_queue_entry(row) != 2:
                continue
            if out == "AGENT":
                no_times = (
                    row["ser_start"] == row["ser_exit"] == "0:00:00" and row["ser_time"] == "0"
                )
                served.append((int(row["q_time"]), None if no_times else int(row["ser_time"])))
            else:
                abandoned.append(int(row["q_time"]))
                short += int(row["q_time"]) <= 5
    offered = len(served) + len(abandoned)
    return {
        "offered": offered,
        "answered": len(served),
        "abandoned": len(abandoned),
        "short_abandoned": short,
        "phantom": phantom,
        "ivr_only": ivr_only,
        "service_level": sum(w <= 20 for w, _ in served) / offered,
        "asa_s": sum(w for w, _ in served) / len(served),
        "aht_s": (
            sum(t for _, t in served if t is not None) / sum(t is not None for _, t in served)
        ),
        "abandon_rate": (len(abandoned) - short) / (offered - short),
    }


# The numbers the project README quotes; expected_february() derives them from the file.
PINNED = {
    "offered": 31125,
    "answered": 27162,
    "abandoned": 3963,
    "short_abandoned": 274,
    "phantom": 278,
    "ivr_only": 1941,
}


def test_pinned_numbers_match_the_raw_file():
    want = expected_february()
    assert {k: want[k] for k in PINNED} == PINNED
    assert round(want["service_level"], 4) == 0.5208  # 52.1 % answered within 20 s
    assert round(want["asa_s"], 1) == 40.8
    assert round(want["aht_s"], 1) == 176.7


@pytest.fixture(scope="module")
def feb_store(tmp_path_factory):
    """The February file in a store (the ingester's own output)."""
    ingest = pytest.importorskip("callscope.ingest")
    from callscope.store import Store

    store = Store(tmp_path_factory.mktemp("ab") / "ab.duckdb")
    ingest.ingest_files(store, [FEB], fmt="anonymous-bank")
    yield store
    store.close()


@pytest.fixture(scope="module")
def february(feb_store):
    rows = compute_kpis(duckdb_source(feb_store), ("month",), KpiParams()).rows()
    return {r["month"].month: r for r in rows}


def _row(rows: list[dict], **keys: object) -> dict:
    (row,) = [r for r in rows if all(r[k] == v for k, v in keys.items())]
    return row


def test_fcr_of_a_day_does_not_depend_on_the_query_window(feb_store):
    """Issue 9: queue PS on 2 February showed 48.9 % FCR over the whole store and 77.2 %
    with ``--from 1999-02-01 --to 1999-02-03``, because repeats after the period were
    not seen. Repeats are looked for in the whole store: the same 48.9 % both ways."""
    src = duckdb_source(feb_store)
    by = ("day", "queue")
    whole = compute_kpis(src, by, KpiParams()).rows()
    period = compute_kpis(src, by, KpiParams(), datetime(1999, 2, 1), datetime(1999, 2, 3)).rows()
    a = _row(whole, day=date(1999, 2, 2), queue="PS")
    b = _row(period, day=date(1999, 2, 2), queue="PS")
    for r in (a, b):
        assert (r["fcr_handled"], r["fcr_pending"]) == (636, 0)
        assert r["fcr"] == pytest.approx(311 / 636, rel=1e-12)  # 48.9 %
    # every row of the period equals the whole store's row of that day and queue
    for r in period:
        w = _row(whole, day=r["day"], queue=r["queue"])
        assert (r["fcr_handled"], r["fcr_pending"], r["fcr"]) == (
            w["fcr_handled"],
            w["fcr_pending"],
            w["fcr"],
        )
    # and the plain-Python oracle agrees on the period
    want = reference_kpis(
        {"contacts": feb_store.arrow("contacts")},
        by,
        KpiParams(),
        datetime(1999, 2, 1),
        datetime(1999, 2, 3),
    )
    assert_rows_equal(period, want, by, label="AB period")


def test_fcr_pending_at_the_end_of_the_data(feb_store):
    """The store ends with the last February arrival (28 Feb 23:43:46): a handled call
    with no repeat from 21 Feb 23:43:46 on has a 7-day window still open, so it is
    pending, not resolved; FCR is over the decided calls only."""
    by = ("day",)
    rows = compute_kpis(duckdb_source(feb_store), by, KpiParams()).rows()
    for r in rows:
        if r["day"] <= date(1999, 2, 20):
            assert r["fcr_pending"] == 0, r["day"]
        elif r["day"] >= date(1999, 2, 22) and r["fcr_handled"]:
            assert r["fcr_pending"] > 0, r["day"]
        if r["fcr_handled"] > r["fcr_pending"]:
            assert r["fcr"] + r["repeat_rate"] == pytest.approx(1.0)
    # on the last day no window has closed: a call is a repeat already or pending
    last = _row(rows, day=date(1999, 2, 28))
    assert last["fcr_pending"] > 0 and last["fcr"] == 0.0
    want = reference_kpis({"contacts": feb_store.arrow("contacts")}, by, KpiParams())
    assert_rows_equal(rows, want, by, label="AB by day")


def test_february_month_totals(february):
    want = expected_february()
    got = february[2]
    for k in ("offered", "answered", "abandoned", "short_abandoned"):
        assert got[k] == want[k], k
    for k in ("service_level", "asa_s", "abandon_rate"):
        assert got[k] == pytest.approx(want[k], rel=1e-12), k
    # AHT is agent-side (bucket = answer time); every February call is handled in
    # February (line 25754, without service times, is answered as it left the VRU).
    assert set(february) == {2}
    assert got["handled"] == want["answered"]
    assert got["aht_s"] == pytest.approx(want["aht_s"], rel=1e-12)
    # PHANTOM and IVR-only rows are kept (so volumes reconcile) but never offered
    total_phantom = sum(r["phantom"] for r in february.values())
    total_ivr = sum(r["ivr_only"] for r in february.values())
    assert (total_phantom, total_ivr) == (want["phantom"], want["ivr_only"])
    # hold and ACW are not in this source: unknown, not zero
    assert got["avg_hold_s"] is None and got["avg_acw_s"] is None


OFFERED_SIDE = ("offered", "answered", "abandoned", "short_abandoned", "answered_within_t")


def test_no_queue_row_for_calls_that_never_queued(feb_store):
    """Issue 9: every ``--by queue`` showed a "-" row of zeros, the 1,941 IVR-only and
    278 phantom calls (no queue). They form no queue row; the totals still show them,
    and the six queue rows add up to the totals on the offered side."""
    src = duckdb_source(feb_store)
    rows = compute_kpis(src, ("queue",), KpiParams()).rows()
    assert [r["queue"] for r in rows] == ["IN", "NE", "NW", "PE", "PS", "TT"]
    (total,) = compute_kpis(src, (), KpiParams()).rows()
    assert (total["ivr_only"], total["phantom"]) == (1941, 278)
    for col in OFFERED_SIDE:
        assert sum(r[col] for r in rows) == total[col], col
    by_day = compute_kpis(src, ("day", "queue"), KpiParams()).rows()
    assert all(r["queue"] is not None for r in by_day)
    assert sum(r["offered"] for r in by_day) == total["offered"]


def test_every_interval_of_a_day_with_calls(feb_store):
    """Issue 9: ``--by interval`` showed night intervals for some hours (an IVR-only
    call at 02:10) and not others. Every day with anything in it is shown whole: 48
    half-hours, whether the period is the day or the whole store."""
    src = duckdb_source(feb_store)
    by = ("interval_start",)
    day = compute_kpis(src, by, KpiParams(), datetime(1999, 2, 2), datetime(1999, 2, 3)).rows()
    assert [r["interval_start"] for r in day] == [
        datetime(1999, 2, 2) + i * timedelta(minutes=30) for i in range(48)
    ]
    quiet = [r for r in day if not r["arrived"]]
    assert quiet and all(r["offered"] == 0 and r["service_level"] is None for r in quiet)
    whole = compute_kpis(src, by, KpiParams()).rows()
    days = {r["interval_start"].date() for r in whole}
    assert len(whole) == 48 * len(days)
    assert sum(r["arrived"] for r in whole) == feb_store.count("contacts")


def test_compare_presets_by_queue(feb_store):
    """``--by queue --compare-presets``: one row per queue and KPI, a column per preset;
    short abandons make the default abandonment rate lower than Amazon Connect's."""
    from callscope.kpi.comparison import compare_presets

    cmp = compare_presets(duckdb_source(feb_store), keys=("queue",))
    assert cmp.groups == [(q,) for q in ("IN", "NE", "NW", "PE", "PS", "TT")]
    cell = {(r["queue"], r["kpi"]): r for r in cmp.rows()}
    by_queue = compute_kpis(duckdb_source(feb_store), ("queue",), KpiParams()).rows()
    for r in by_queue:
        assert cell[r["queue"], "offered"]["default"] == r["offered"]
        assert cell[r["queue"], "abandon_rate"]["default"] == pytest.approx(r["abandon_rate"])
    ps = cell["PS", "abandon_rate"]
    assert ps["default"] < ps["amazon-connect"]


def test_agent_report_rows_add_up(feb_store):
    """Issue 9: the 491 answered calls with ``NO_SERVER`` had no row, so the agents did
    not add up to the total. They get the "(no agent)" row; the source has no hold, ACW
    or agent sessions, so those columns are left out."""
    from callscope.kpi.agent_report import COUNT_COLUMNS, NO_AGENT, agent_report

    rep = agent_report(duckdb_source(feb_store))
    assert rep.rows[-1]["agent"] == NO_AGENT and rep.rows[-1]["answered"] == 491
    assert len(rep.rows) == 24 + 1
    for col in COUNT_COLUMNS:
        assert sum(r[col] for r in rep.rows) == pytest.approx(rep.total[col], rel=1e-12), col
    assert rep.total["answered"] == 27162
    assert set(rep.omitted) == {"avg_acw_s", "avg_hold_s", "utilization", "contacts_per_hour"}
    assert rep.rated == ("aht_s",)
