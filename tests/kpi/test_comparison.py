"""``compare_presets`` honours the grouping (issue 9: ``kpi --by month
--compare-presets`` ignored ``--by``)."""

from __future__ import annotations

from datetime import datetime

import pytest
from builders import at, make_store, table

from callscope.kpi import KpiParams, compute_kpis, duckdb_source
from callscope.kpi.comparison import COMPARED, compare_presets
from callscope.kpi.presets import PRESETS, preset

# Queue q on Monday: 3 answered (8, 15, 30 s) and a 3-second abandon; queue r on
# Tuesday: one answered (40 s) and one abandon after 25 s.
CONTACTS = [
    *[
        dict(queue="q", queue_entry_ts=at(i), wait_s=w, agent="a1", talk_s=60.0)
        for i, w in enumerate([8.0, 15.0, 30.0])
    ],
    dict(queue="q", queue_entry_ts=at(5), wait_s=3.0, outcome="abandoned"),
    dict(queue="r", queue_entry_ts=at(days=1), wait_s=40.0, agent="a2", talk_s=90.0),
    dict(queue="r", queue_entry_ts=at(3, days=1), wait_s=25.0, outcome="abandoned"),
]


@pytest.fixture
def src(tmp_path):
    store = make_store(tmp_path / "c.duckdb", contacts=table("contacts", CONTACTS))
    yield duckdb_source(store)
    store.close()


def test_one_row_per_group_and_kpi(src):
    cmp = compare_presets(src, keys=("queue",))
    t = cmp.table()
    assert t.column_names == ["queue", "kpi", *PRESETS]
    assert cmp.groups == [("q",), ("r",)]
    assert t.num_rows == 2 * len(cmp.kpis)
    assert [r["queue"] for r in cmp.rows()] == ["q"] * len(cmp.kpis) + ["r"] * len(cmp.kpis)
    assert cmp.kpis == tuple(k for k in COMPARED if k != "occupancy")  # no agent states
    cell = {(r["queue"], r["kpi"]): r for r in cmp.rows()}
    # q: the 3 s abandon is short: excluded by default, counted by Amazon Connect
    assert cell["q", "abandon_rate"]["default"] == 0.0
    assert cell["q", "abandon_rate"]["amazon-connect"] == pytest.approx(1 / 4)
    assert cell["r", "abandon_rate"]["default"] == pytest.approx(1 / 2)
    # QueueMetrics: answered within 20 s / answered; default: / offered
    assert cell["q", "service_level"]["queuemetrics"] == pytest.approx(2 / 3)
    assert cell["q", "service_level"]["default"] == pytest.approx(2 / 4)
    assert cell["r", "offered"]["default"] == 2.0


def test_every_cell_is_the_preset_run(src):
    """Each value is what compute_kpis gives for that group under that preset."""
    keys = ("day", "queue")
    cmp = compare_presets(src, keys=keys)
    for name in PRESETS:
        want = {(r["day"], r["queue"]): r for r in compute_kpis(src, keys, preset(name)).rows()}
        for row in cmp.rows():
            v = want[row["day"], row["queue"]][row["kpi"]]
            assert row[name] == (None if v is None else pytest.approx(float(v)))


def test_totals_and_adjusted_thresholds(src):
    cmp = compare_presets(src, adjust=lambda p: p.with_(sl_threshold_s=30.0))
    assert cmp.keys == () and cmp.groups == [()]
    assert cmp.table().column_names == ["kpi", *PRESETS]
    # T = 30 s: 8, 15, 30 answered within (40 not) of 6 offered
    assert cmp.values["service_level"]["default"] == pytest.approx(3 / 6)
    assert cmp.params["default"]["sl_threshold_s"] == 30.0


def test_period_and_interval_grouping(src):
    cmp = compare_presets(src, datetime(2024, 3, 4), datetime(2024, 3, 5), keys=("interval_start",))
    days = {g[0].date() for g in cmp.groups}
    assert days == {at().date()}
    assert len(cmp.groups) == 48  # the day is whole (kpi.grouping)
    assert KpiParams().interval_minutes == 30
