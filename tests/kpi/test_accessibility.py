"""Accessibility KPIs on a hand-worked queue (KPIS.md, "Accessibility")."""

from __future__ import annotations

import pytest
from builders import at, run

from callscope.kpi import KpiParams

# Ten inbound contacts on queue "q", all entering between 09:00 and 09:29 (one bucket):
#
#  #  outcome      wait   within 20?   short (<=5)?
#  1  answered      5     yes
#  2  answered     15     yes
#  3  answered     20     yes (<= T)
#  4  answered     40     no
#  5  answered    None    no (unknown)
#  6  abandoned     3     yes          short
#  7  abandoned    12     yes
#  8  abandoned    50     no
#  9  timeout      90     no
# 10  exit_by_key  10     yes
# plus 11 ivr_only and 12 blocked (not offered) and 13 an outbound answered call.
Q = [
    dict(outcome="answered", wait_s=5.0),
    dict(outcome="answered", wait_s=15.0),
    dict(outcome="answered", wait_s=20.0),
    dict(outcome="answered", wait_s=40.0),
    dict(outcome="answered", wait_s=None, answer_ts=at(6)),
    dict(outcome="abandoned", wait_s=3.0),
    dict(outcome="abandoned", wait_s=12.0),
    dict(outcome="abandoned", wait_s=50.0),
    dict(outcome="timeout", wait_s=90.0),
    dict(outcome="exit_by_key", wait_s=10.0),
]
ROWS = [
    dict(
        queue="q",
        queue_entry_ts=at(i),
        agent="a1" if r["outcome"] == "answered" else None,
        talk_s=60.0 if r["outcome"] == "answered" else None,
        **r,
    )
    for i, r in enumerate(Q)
] + [
    dict(queue=None, queue_entry_ts=None, arrival_ts=at(20), outcome="ivr_only"),
    dict(queue="q", queue_entry_ts=None, arrival_ts=at(21), outcome="blocked"),
    dict(
        queue="q",
        queue_entry_ts=at(22),
        direction="outbound",
        outcome="answered",
        wait_s=0.0,
        agent="a1",
        talk_s=30.0,
    ),
]


@pytest.fixture(scope="module")
def total(tmp_path_factory):
    return run(tmp_path_factory.mktemp("acc"), (), KpiParams(), contacts=ROWS)[0]


def test_volumes(total):
    # arrived counts the 12 inbound rows; offered leaves out ivr_only and blocked.
    assert total["arrived"] == 12
    assert total["offered"] == 10
    assert total["answered"] == 5
    assert total["abandoned"] == 3
    assert total["short_abandoned"] == 1  # #6 (3 s <= 5 s)
    assert (total["timeout"], total["exit_by_key"], total["ivr_only"], total["blocked"]) == (
        1,
        1,
        1,
        1,
    )
    assert total["answered_within_t"] == 3  # #1, #2, #3


def test_service_level_default_is_sl1(total):
    # SL1 = answered within T / offered = 3 / 10
    assert total["service_level"] == pytest.approx(0.3)


def test_asa_ignores_unknown_wait(total):
    # (5 + 15 + 20 + 40) / 4 known waits = 20.0 (contact #5's wait is unknown, not 0)
    assert total["asa_s"] == pytest.approx(20.0)


def test_abandonment(total):
    # (abandoned - short) / (offered - short) = (3 - 1) / (10 - 1) = 2/9
    assert total["abandon_rate"] == pytest.approx(2 / 9)
    # mean wait of abandons, short ones excluded: (12 + 50) / 2 = 31
    assert total["avg_time_to_abandon_s"] == pytest.approx(31.0)
    # longest wait of any offered contact: the timeout's 90 s
    assert total["longest_wait_s"] == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("offered", 3 / 10),  # SL1
        ("short-abandon-excluded", 3 / 9),  # SL2: 10 - 1 short abandon
        ("answered", 3 / 5),  # SL3
        ("abandons-neutral", 3 / 8),  # SL4: 10 - 2 abandoned within 20 s (#6, #7)
        ("removed-within-threshold", 6 / 10),  # Amazon: 3 answered + 2 abandoned + 1 exit
        ("answered-plus-abandoned", 3 / 7),  # Genesys: 5 + 3 - 1 short
    ],
)
def test_sl_variants(tmp_path, variant, expected):
    row = run(tmp_path, (), KpiParams(sl_variant=variant), contacts=ROWS)[0]
    assert row["service_level"] == pytest.approx(expected)


def test_genesys_switches(tmp_path):
    # flow-outs in (+ timeout + exit_by_key = 2), short abandons in: 3 / (5 + 3 + 2) = 0.3
    p = KpiParams(
        sl_variant="answered-plus-abandoned",
        sl_include_flowouts=True,
        sl_include_short_abandons=True,
    )
    assert run(tmp_path, (), p, contacts=ROWS)[0]["service_level"] == pytest.approx(0.3)
    # abandons out entirely: 3 / 5
    p = KpiParams(sl_variant="answered-plus-abandoned", sl_include_abandons=False)
    assert run(tmp_path / "b", (), p, contacts=ROWS)[0]["service_level"] == pytest.approx(0.6)


def test_thresholds_are_parameters(tmp_path):
    # T = 10 s: only #1 (5 s) within; short abandon at 15 s: #6 and #7 are short.
    row = run(tmp_path, (), KpiParams(sl_threshold_s=10, short_abandon_s=15), contacts=ROWS)[0]
    assert row["answered_within_t"] == 1
    assert row["short_abandoned"] == 2
    # (3 - 2) / (10 - 2)
    assert row["abandon_rate"] == pytest.approx(1 / 8)


def test_bucket_is_queue_entry(tmp_path):
    # Entered at 09:29:50, answered at 09:30:20: it belongs to the 09:00 interval.
    rows = run(
        tmp_path,
        ("interval_start",),
        KpiParams(),
        contacts=[dict(queue="q", queue_entry_ts=at(29, 50), wait_s=30.0, agent="a", talk_s=10.0)],
    )
    busy = [r for r in rows if r["offered"] or r["handled"]]
    assert [(r["interval_start"].strftime("%H:%M"), r["offered"], r["handled"]) for r in busy] == [
        ("09:00", 1, 0),
        ("09:30", 0, 1),
    ]


# ROWS, plus a phantom record and a call blocked before any queue was chosen (neither has
# a queue), and one call answered on a second queue "r".
BY_QUEUE = [
    *ROWS,
    dict(queue=None, queue_entry_ts=None, arrival_ts=at(23), outcome="phantom"),
    dict(queue=None, queue_entry_ts=None, arrival_ts=at(24), outcome="blocked"),
    dict(queue="r", queue_entry_ts=at(25), wait_s=4.0, agent="a2", talk_s=50.0),
]
OFFERED_SIDE = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timeout",
    "exit_by_key",
    "exit_empty",
    "overflow",
    "transferred_out",
    "answered_within_t",
)


def test_contacts_without_a_queue_form_no_queue_row(tmp_path):
    """IVR-only, phantom and queueless blocked contacts never reached a queue: no
    (empty) queue row for them by queue; the totals still count them, and the queue rows
    add up to the totals on the offered side. The blocked call refused at queue q's
    entry stays in q's row."""
    rows = run(tmp_path, ("queue",), KpiParams(), contacts=BY_QUEUE)
    assert [r["queue"] for r in rows] == ["q", "r"]
    (total,) = run(tmp_path / "t", (), KpiParams(), contacts=BY_QUEUE)
    assert (total["ivr_only"], total["phantom"], total["blocked"]) == (1, 1, 2)
    for col in OFFERED_SIDE:
        assert sum(r[col] for r in rows) == total[col], col
    assert [(r["queue"], r["blocked"], r["ivr_only"], r["phantom"]) for r in rows] == [
        ("q", 1, 0, 0),
        ("r", 0, 0, 0),
    ]
    by_interval = run(tmp_path / "i", ("interval_start", "queue"), KpiParams(), contacts=BY_QUEUE)
    assert all(r["queue"] is not None for r in by_interval)
