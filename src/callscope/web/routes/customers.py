"""The customer history: every contact of one customer across channels, found by the
identifier the customer gives (or its pseudonym); supervisors, analysts and admins
(``view_customers``). Each look is written to the audit log with the pseudonym."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import VIEW_CUSTOMERS, Principal
from callscope.services.customers import CustomerHistory, CustomerRequest, customer_history
from callscope.services.kpi import format_kpi
from callscope.web.deps import Require, clean, render, state
from callscope.web.downloads import download

router = APIRouter()

Looker = Annotated[Principal, Depends(Require(VIEW_CUSTOMERS))]
Customer = Annotated[
    str,
    Query(
        max_length=200,
        description="The customer's phone number, e-mail or customer number as they give "
        "it, or its pseudonym (p_ and 24 hex digits)",
    ),
]


def _history(request: Request, p: Principal, customer: str) -> CustomerHistory:
    st = state(request)
    h = st.read(customer_history, CustomerRequest(customer))
    st.audit(p.name, "customer_history", h.customer, {"contacts": len(h.rows)})
    return h


@router.get("/customers", include_in_schema=False)
async def customers_page(request: Request, p: Looker, customer: Customer = "") -> Any:
    history = None
    if customer.strip():
        history = await run_in_threadpool(_history, request, p, customer)
    return render(
        request,
        "customers.html",
        {
            "title": "Customer history",
            "customer": customer,
            "history": history,
            "format_kpi": format_kpi,
        },
    )


@router.get("/api/v1/customers", tags=["customers"])
async def customers_api(request: Request, p: Looker, customer: Customer) -> dict[str, Any]:
    """Every contact of one customer in time order (queue, agent, outcome, wait, handle
    time, transfers, survey answers, QA scores) with what FCR made of each (repeated,
    pending, resolved) and the earlier contact a contact repeats."""
    h = await run_in_threadpool(_history, request, p, customer)
    return clean(h)


@router.get("/customers/export", include_in_schema=False)
async def customers_export(
    request: Request,
    p: Looker,
    customer: Customer,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Any:
    h = await run_in_threadpool(_history, request, p, customer)
    meta = {"customer": h.customer, "fcr_window_days": h.fcr_window_days}
    return await download(request, h.table(), fmt, "customer-history", meta)
