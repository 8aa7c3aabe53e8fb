"""FCR, repeat rate and survey KPIs on hand-worked tables (KPIS.md, "Outcome")."""

from __future__ import annotations

import pytest
from builders import at, run

from callscope.kpi import KpiParams

# Handled contacts (answered) and what followed from the same customer:
#   c1 k1 day 0 billing -> c2 k1 day 2 billing (another conversation): repeat
#   c2 k1 day 2 billing -> c3 k1 day 12 (10 days later, outside 7 days): resolved
#   c4 k2 day 0 tech    -> c5 k2 day 1 billing (different known reason): resolved
#   c5 k2 day 1 billing -> nothing later: resolved
#   c6 k3 day 0 None    -> c7 k3 day 3 abandoned, reason unknown: repeat (any outcome)
#   c8 k4 day 0         -> c9 same conversation (transfer segment): not a repeat
#   c10 no customer key: not in the population
#   c11 k9 day 20: the last arrival, the end of the data; its window is still open:
#   pending, neither resolved nor a repeat
# c3 (answered, k1, day 12): nothing later, window closed at day 19 -> resolved.
# FCR = resolved / decided = (c2, c3, c4, c5, c8, c9) 6 / 8; c1, c6 repeat; c11 pending.
C = [
    dict(contact_id="c1", customer_key="k1", disposition="billing", queue_entry_ts=at()),
    dict(contact_id="c2", customer_key="k1", disposition="billing", queue_entry_ts=at(days=2)),
    dict(contact_id="c3", customer_key="k1", disposition="billing", queue_entry_ts=at(days=12)),
    dict(contact_id="c4", customer_key="k2", disposition="tech", queue_entry_ts=at(1)),
    dict(contact_id="c5", customer_key="k2", disposition="billing", queue_entry_ts=at(days=1)),
    dict(contact_id="c6", customer_key="k3", queue_entry_ts=at(2)),
    dict(
        contact_id="c7",
        customer_key="k3",
        queue_entry_ts=at(days=3),
        outcome="abandoned",
        agent=None,
        talk_s=None,
    ),
    dict(contact_id="c8", conversation_id="v8", customer_key="k4", queue_entry_ts=at(3)),
    dict(contact_id="c9", conversation_id="v8", segment=2, customer_key="k4", queue_entry_ts=at(8)),
    dict(contact_id="c10", customer_key=None, queue_entry_ts=at(4)),
    dict(contact_id="c11", customer_key="k9", queue_entry_ts=at(days=20)),
]
for r in C:
    r.setdefault("agent", "a1")
    r.setdefault("talk_s", 60.0)
    r.setdefault("wait_s", 5.0)
    r.setdefault("queue", "q")


def test_fcr_and_repeat_rate(tmp_path):
    row = run(tmp_path, (), KpiParams(), contacts=C)[0]
    assert row["fcr_handled"] == 9
    assert row["fcr_pending"] == 1  # c11
    assert row["fcr"] == pytest.approx(6 / 8)
    assert row["repeat_rate"] == pytest.approx(2 / 8)


def test_fcr_window_and_reason_are_parameters(tmp_path):
    # 14-day window: c2 -> c3 (10 days later) is now a repeat too; c3 (day 12 + 14 > 20)
    # and c11 are pending: resolved c4, c5, c8, c9 of 7 decided.
    row = run(tmp_path, (), KpiParams(fcr_window_days=14), contacts=C)[0]
    assert row["fcr_pending"] == 2
    assert row["fcr"] == pytest.approx(4 / 7)
    # ignoring reasons: c4 (tech) -> c5 (billing) becomes a repeat as well: 5 / 8.
    row = run(tmp_path / "r", (), KpiParams(fcr_same_reason=False), contacts=C)[0]
    assert row["fcr"] == pytest.approx(5 / 8)


def test_fcr_looks_for_repeats_after_the_period(tmp_path):
    """The period restricts the population, not the repeats: day 0's handled contacts
    are c1, c4, c6, c8, c9; c1's repeat (c2, day 2) and c6's (c7, day 3) lie after the
    period but are in the store, and the end of the data is day 20, not the period's
    end, so nothing is pending: 3 / 5, as over the whole store."""
    row = run(tmp_path, (), KpiParams(), at(), at(days=1), contacts=C)[0]
    assert (row["fcr_handled"], row["fcr_pending"]) == (5, 0)
    assert row["fcr"] == pytest.approx(3 / 5)
    by_day = run(tmp_path / "all", ("day",), KpiParams(), contacts=C)
    day0 = next(r for r in by_day if r["day"] == at().date())
    assert (day0["fcr_handled"], day0["fcr_pending"], day0["fcr"]) == (5, 0, row["fcr"])


def test_reported_fcr_uses_the_resolved_flag(tmp_path):
    """fcr_reported = handled with resolved true / handled with resolved known, customer
    known or not; unanswered contacts and unknown flags are left out."""
    rows = [
        dict(queue_entry_ts=at(0), resolved=True),
        dict(queue_entry_ts=at(1), resolved=True, customer_key="k1"),
        dict(queue_entry_ts=at(2), resolved=False),
        dict(queue_entry_ts=at(3), resolved=None),
        dict(queue_entry_ts=at(4), resolved=False, outcome="abandoned", agent=None),
    ]
    for r in rows:
        r.update(agent=r.get("agent", "a1"), talk_s=60.0, wait_s=5.0, queue="q")
    row = run(tmp_path, (), KpiParams(), contacts=rows)[0]
    assert row["fcr_reported_handled"] == 3
    assert row["fcr_reported"] == pytest.approx(2 / 3)
    assert row["fcr_handled"] == 1 and row["fcr_pending"] == 1  # k1: nothing after it yet


S = [
    # csat 1-5: 5, 4, 3, 2 -> top two boxes 2/4, mean 3.5
    *[dict(survey_id=f"s{i}", item="csat", score=v) for i, v in enumerate([5.0, 4.0, 3.0, 2.0])],
    # nps 0-10: 10, 9, 8, 6, 0 -> promoters 2, detractors 2 -> 100 * (2 - 2) / 5 = 0;
    # add one more promoter (9): 100 * (3 - 2) / 6
    *[
        dict(survey_id=f"n{i}", item="nps", score=v, scale_min=0.0, scale_max=10.0)
        for i, v in enumerate([10.0, 9.0, 8.0, 6.0, 0.0, 9.0])
    ],
    # resolved 0/1: 1, 1, 0 -> 2/3
    *[
        dict(survey_id=f"r{i}", item="resolved", score=v, scale_min=0.0, scale_max=1.0)
        for i, v in enumerate([1.0, 1.0, 0.0])
    ],
    # other items: means per item
    dict(survey_id="p1", item="pleasant", score=4.0),
    dict(survey_id="p2", item="pleasant", score=5.0),
    dict(survey_id="p3", item="time in queue", score=2.0),
]
for r in S:
    r.setdefault("submitted_ts", at(10))
    r.setdefault("agent", "a1")


def test_surveys(tmp_path):
    row = run(tmp_path, (), KpiParams(), surveys=S)[0]
    assert row["csat_responses"] == 4
    assert row["csat"] == pytest.approx(0.5)
    assert row["csat_mean"] == pytest.approx(3.5)
    assert row["nps_responses"] == 6
    assert row["nps"] == pytest.approx(100 * (3 - 2) / 6)
    assert row["fcr_survey"] == pytest.approx(2 / 3)
    assert row["survey_pleasant"] == pytest.approx(4.5)
    assert row["survey_time_in_queue"] == pytest.approx(2.0)
