"""Chat response KPIs and e-commerce KPIs on hand-worked tables (KPIS.md)."""

from __future__ import annotations

import pytest
from builders import at, run

from callscope.kpi import KpiParams

# Conversation x: customer 09:00:00, customer 09:00:10, agent 09:00:40 (compose 20 s,
#   100 chars), customer 09:01:00, agent 09:01:00 (same second: counts as the reply,
#   compose 10 s, 50 chars).
#   delays: 40, 30, 0 -> all three customer messages answered.
# Conversation y: customer 09:05:00, agent 09:06:30 (90 s, compose unknown),
#   customer 09:07:00 (never answered).
# first response: x 40 s, y 90 s -> mean 65 s
# average response: (40 + 30 + 0 + 90) / 4 answered = 40 s
# response rate: 4 answered / 5 customer messages
# typing speed: (100 + 50) chars / (30 s / 60) = 300 chars per minute
M = [
    dict(contact_id="x", sender="customer", sent_ts=at(0, 0)),
    dict(contact_id="x", sender="customer", sent_ts=at(0, 10)),
    dict(contact_id="x", sender="agent", sent_ts=at(0, 40), chars=100, compose_s=20.0),
    dict(contact_id="x", sender="customer", sent_ts=at(1, 0)),
    dict(contact_id="x", sender="agent", sent_ts=at(1, 0), chars=50, compose_s=10.0),
    dict(contact_id="y", sender="customer", sent_ts=at(5, 0)),
    dict(contact_id="y", sender="agent", sent_ts=at(6, 30), chars=80),
    dict(contact_id="y", sender="customer", sent_ts=at(7, 0)),
]
for r in M:
    r["agent"] = "a1"


def test_chat_response_kpis(tmp_path):
    row = run(tmp_path, (), KpiParams(), messages=M)[0]
    assert row["customer_messages"] == 5
    assert row["first_response_s"] == pytest.approx(65.0)
    assert row["avg_response_s"] == pytest.approx(40.0)
    assert row["response_rate"] == pytest.approx(4 / 5)
    assert row["typing_cpm"] == pytest.approx(300.0)


# Orders credited to agent a1: amounts 100, 50, 30 with 3, 1, 2 items; one never paid.
# AOV = 180 / 3 = 60; items per order = 6 / 3 = 2; unpaid rate = 1/3.
# Inquiries (handled contacts): customers k1, k2, k3 (k1 twice). Orders linked to the
# conversations of k1 (v1) and k3 (v3): conversion = 2 customers / 3 customers.
ORDERS = [
    dict(
        customer_key="k1",
        contact_id="v1",
        agent="a1",
        placed_ts=at(30),
        paid_ts=at(31),
        amount=100.0,
        items=3,
    ),
    dict(
        customer_key="k3",
        contact_id="v3",
        agent="a1",
        placed_ts=at(40),
        paid_ts=at(45),
        amount=50.0,
        items=1,
    ),
    dict(customer_key="k9", contact_id=None, agent="a1", placed_ts=at(50), amount=30.0, items=2),
]
C = [
    dict(
        contact_id=f"c{i}",
        conversation_id=f"v{i}",
        customer_key=k,
        agent="a1",
        queue="q",
        channel="chat",
        queue_entry_ts=at(i),
        wait_s=2.0,
        talk_s=100.0,
    )
    for i, k in [(1, "k1"), (2, "k2"), (3, "k3"), (4, "k1")]
]


def test_commerce(tmp_path):
    row = run(tmp_path, ("agent",), KpiParams(), orders=ORDERS, contacts=C)[0]
    assert row["orders"] == 3
    assert row["avg_order_value"] == pytest.approx(60.0)
    assert row["items_per_order"] == pytest.approx(2.0)
    assert row["unpaid_rate"] == pytest.approx(1 / 3)
    assert row["inquiring_customers"] == 3
    assert row["conversion_rate"] == pytest.approx(2 / 3)
