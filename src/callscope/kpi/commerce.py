"""E-commerce service: orders, order value, items per order, unpaid rate, conversion.

``orders`` rows are bucketed by ``placed_ts`` and credited to their ``agent``.

* average order value = sum(amount) / orders (currency units).
* items per order = sum(items) / orders.
* unpaid-order rate = orders with no ``paid_ts`` / orders.
* inquiry conversion rate = distinct customers with a handled contact whose
  conversation is linked to an order (``orders.contact_id``) / distinct customers with
  a handled contact; bucketed like agent-side KPIs (answering agent, answer time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis

from callscope.kpi.family import Family, aggregate_by, ratio
from callscope.kpi.params import KpiParams
from callscope.kpi.productivity import handled_frame

__all__ = ["COMMERCE", "CONVERSION"]


def _orders_frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    o = tables["orders"]
    return o.select(
        _ts=o.placed_ts,
        _queue=ibis.null().cast("string"),
        _channel=ibis.null().cast("string"),
        _agent=o.agent,
        amount=o.amount,
        items=o.items,
        paid_ts=o.paid_ts,
    )


def _orders_aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    a = aggregate_by(
        t,
        keys,
        orders=t.count(),
        _amount=t.amount.sum(),
        _items=t.items.sum(),
        _unpaid=t.count(where=t.paid_ts.isnull()),
    )
    return a.mutate(
        avg_order_value=ratio(a._amount, a.orders),
        items_per_order=ratio(a._items, a.orders),
        unpaid_rate=ratio(a._unpaid, a.orders),
    ).drop("_amount", "_items", "_unpaid")


def _conversion_frame(tables: Mapping[str, Any], p: KpiParams, step: int | None, extra: Any) -> Any:
    h = handled_frame(tables["contacts"])
    h = h.filter(h.customer_key.notnull())
    o = tables["orders"]
    linked = o.filter(o.contact_id.notnull()).select(_o_conv=o.contact_id).distinct()
    j = h.left_join(linked, h.conversation_id == linked._o_conv)
    return j.select(
        "_ts", "_queue", "_channel", "_agent", "customer_key", _converted=j._o_conv.notnull()
    )


def _conversion_aggregate(t: Any, keys: Sequence[str], p: KpiParams, extra: Any) -> Any:
    a = aggregate_by(
        t,
        keys,
        inquiring_customers=t.customer_key.nunique(),
        _converted=t.customer_key.nunique(where=t._converted),
    )
    return a.mutate(conversion_rate=ratio(a._converted, a.inquiring_customers)).drop("_converted")


COMMERCE = Family(
    name="commerce",
    tables=("orders",),
    dims=frozenset({"agent", "team"}),
    frame=_orders_frame,
    aggregate=_orders_aggregate,
)

CONVERSION = Family(
    name="conversion",
    tables=("contacts", "orders"),
    dims=frozenset({"queue", "channel", "agent", "team"}),
    frame=_conversion_frame,
    aggregate=_conversion_aggregate,
)
