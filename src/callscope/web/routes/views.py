"""The KPI views: Overview, Service, Agents. Each is a page, the same figures as JSON
under ``/api/v1`` and a CSV / XLSX download, all three from one service call on the
figures the person may see (:class:`~callscope.access.roles.Scope`)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import EXPORT, VIEW_KPIS, Principal, Scope
from callscope.services import dashboard as d
from callscope.services.kpi import format_kpi, kpi_title
from callscope.web.deps import AppState, Require, clean, render, state, view_request
from callscope.web.downloads import download

router = APIRouter()

Viewer = Annotated[Principal, Depends(Require(VIEW_KPIS))]
Exporter = Annotated[Principal, Depends(Require(EXPORT))]
Fmt = Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")]


def view_query(
    period: Annotated[
        str | None,
        Query(
            description="today, yesterday, week, month, data (the last 7 days with data: "
            "the default) or custom (with from and to)",
        ),
    ] = None,
    first: Annotated[
        str | None, Query(alias="from", description="First day, YYYY-MM-DD (custom period)")
    ] = None,
    last: Annotated[
        str | None, Query(alias="to", description="Last day, YYYY-MM-DD, included")
    ] = None,
    channel: Annotated[list[str] | None, Query(description="Keep these channels")] = None,
    queue: Annotated[list[str] | None, Query(description="Keep these queues")] = None,
    team: Annotated[list[str] | None, Query(description="Keep these teams' agents")] = None,
) -> None:
    """The query parameters of a view, declared for the OpenAPI schema; they are read
    and checked (with the field named in the error) by
    :func:`callscope.web.deps.view_request`."""


ViewQuery = [Depends(view_query)]


def _options(st: AppState, scope: Scope) -> d.FilterOptions:
    """The filters' choices (cached a minute per scope)."""
    key = ("filter_options", scope)
    hit = st.cache.get(key)
    if hit is not None and hit[0] > time.monotonic() - 60:
        return hit[1]  # type: ignore[no-any-return]
    opts = st.read(d.filter_options, scope)
    st.cache[key] = (time.monotonic(), opts)
    return opts


def page_context(
    title: str, view: Any, options: d.FilterOptions, req: d.ViewRequest, query: str, **extra: Any
) -> dict[str, Any]:
    """What a KPI page's template is given (the pages and ``callscope report``)."""
    return {
        "title": title,
        "view": view,
        "options": options,
        "periods": d.PERIODS,
        "chosen": {
            "period": req.period,
            "from": (req.first_day or view.period.start.date()).isoformat(),
            "to": (req.last_day or view.period.last_day).isoformat(),
            "channel": req.channels,
            "queue": req.queues,
            "team": req.teams,
        },
        "query": query,
        "format_kpi": format_kpi,
        "kpi_title": kpi_title,
        **extra,
    }


async def _page(
    request: Request, p: Principal, template: str, title: str, view: Any, **extra: Any
) -> Any:
    st = state(request)
    req = view_request(request, p)
    opts = await run_in_threadpool(_options, st, req.scope)
    ctx = page_context(title, view, opts, req, request.url.query, **extra)
    return render(request, template, ctx)


# -- overview --------------------------------------------------------------------------


def _overview(request: Request, p: Principal) -> d.Overview:
    st = state(request)
    return st.view(d.overview, view_request(request, p))


@router.get("/overview", include_in_schema=False)
async def overview_page(request: Request, p: Viewer) -> Any:
    view = await run_in_threadpool(_overview, request, p)
    return await _page(request, p, "overview.html", "Overview", view)


@router.get("/api/v1/overview", tags=["views"], dependencies=ViewQuery)
async def overview_api(request: Request, p: Viewer) -> dict[str, Any]:
    """Headline KPIs per channel and queue against the goals, with the previous
    period. Query: ``period`` (today, yesterday, week, month, data, custom), ``from``,
    ``to`` (days, both included), ``channel``, ``queue``, ``team`` (repeatable)."""
    view = await run_in_threadpool(_overview, request, p)
    return clean(
        {
            "period": _period(view.period),
            "previous": _period(view.previous),
            "scope": view.scope,
            "caption": view.caption,
            "notice": view.notice,
            "channels": view.channels,
            "queues": view.queues,
        }
    )


@router.get("/overview/export", include_in_schema=False)
async def overview_export(request: Request, p: Exporter, fmt: Fmt = "csv") -> Any:
    view = await run_in_threadpool(_overview, request, p)
    meta = {"period": view.period.label, "scope": view.scope, "definitions": view.caption}
    return await download(request, d.overview_table(view), fmt, "overview", meta)


def _period(period: d.Period) -> dict[str, Any]:
    return {
        "key": period.key,
        "start": period.start,
        "end": period.end,
        "first_day": period.start.date(),
        "last_day": period.last_day,
        "label": period.label,
    }


# -- service ---------------------------------------------------------------------------


def _service(request: Request, p: Principal) -> d.ServiceView:
    st = state(request)
    return st.view(d.service_view, view_request(request, p))


def _series(view: d.ServiceView) -> dict[str, Any]:
    """The charts' data: x as epoch seconds of the center's clock (drawn as such)."""
    from datetime import datetime

    def cols(t: Any, key: str) -> dict[str, Any]:
        xs = []
        for v in t.column(key).to_pylist():
            dt = v if isinstance(v, datetime) else datetime.combine(v, datetime.min.time())
            xs.append((dt - datetime(1970, 1, 1)).total_seconds())
        out = {c: t.column(c).to_pylist() for c in d.SERVICE_COLUMNS if c in t.column_names}
        return {"x": xs, **out}

    staffing = None
    if view.staffing is not None:
        st = view.staffing
        staffing = {
            "x": cols(st.select(["interval_start", "offered"]), "interval_start")["x"],
            **{c: st.column(c).to_pylist() for c in ("offered", "forecast", "required", "on_duty")},
        }
    return {
        "day": cols(view.by_day, "day"),
        "interval": cols(view.by_interval, "interval_start") if view.by_interval else None,
        "staffing": staffing,
        "goal": view.goal,
        "goal_label": view.goal_label,
        "interval_minutes": view.interval_minutes,
    }


def service_extra(view: d.ServiceView) -> dict[str, Any]:
    """The Service template's context beyond :func:`page_context`."""
    return {
        "series": _series(view),
        "columns": d.SERVICE_COLUMNS,
        "days": view.by_day.to_pylist(),
        "heat_columns": d.HEATMAP_COLUMNS,
        "weekdays": d.WEEKDAYS,
    }


@router.get("/service", include_in_schema=False)
async def service_page(request: Request, p: Viewer) -> Any:
    view = await run_in_threadpool(_service, request, p)
    return await _page(request, p, "service.html", "Service", view, **service_extra(view))


@router.get("/api/v1/service", tags=["views"], dependencies=ViewQuery)
async def service_api(request: Request, p: Viewer) -> dict[str, Any]:
    """Offered, answered, abandoned, service level, ASA and abandonment by day and by
    interval (every day and interval of the period; empty where there is no data),
    with the service-level goal; the weekday (1 = Monday) x hour heat map; per interval
    the agents required for the contacts that came, the agents on duty and the newest
    forecast's contacts (``staffing``; periods up to 31 days, every agent in scope).
    Query as for the overview."""
    view = await run_in_threadpool(_service, request, p)
    return clean(
        {
            "period": _period(view.period),
            "scope": view.scope,
            "goal": view.goal,
            "goal_label": view.goal_label,
            "interval_minutes": view.interval_minutes,
            "by_day": view.by_day.to_pylist(),
            "by_interval": view.by_interval.to_pylist() if view.by_interval else None,
            "heatmap": view.heatmap.to_pylist() if view.heatmap is not None else [],
            "staffing": view.staffing.to_pylist() if view.staffing is not None else None,
            "forecast_id": view.forecast_id,
            "notes": view.notes,
        }
    )


@router.get("/service/export", include_in_schema=False)
async def service_export(
    request: Request,
    p: Exporter,
    fmt: Fmt = "csv",
    table: Annotated[str, Query(pattern="^(day|interval|heatmap|staffing)$")] = "day",
) -> Any:
    view = await run_in_threadpool(_service, request, p)
    tables = {
        "interval": view.by_interval,
        "heatmap": view.heatmap,
        "staffing": view.staffing,
    }
    t = tables.get(table)
    if t is None:
        t, table = view.by_day, "day"
    meta = {"period": view.period.label, "scope": view.scope, "goal": view.goal_label}
    return await download(request, t, fmt, f"service-by-{table}", meta)


# -- agents ----------------------------------------------------------------------------


def _agents(request: Request, p: Principal) -> d.AgentsView:
    st = state(request)
    return st.view(d.agents_view, view_request(request, p))


#: Agents shown on the page (the busiest); the download and the JSON have them all.
AGENTS_SHOWN = 500


def _shown(view: d.AgentsView) -> list[int]:
    """The rows the page shows: all, or the :data:`AGENTS_SHOWN` agents who answered
    the most (a center of thousands of agents would make a page of megabytes)."""
    n = len(view.rows)
    if n <= AGENTS_SHOWN:
        return list(range(n))
    busiest = sorted(range(n), key=lambda i: -(view.values[i].get("answered") or 0))
    return sorted(busiest[:AGENTS_SHOWN])


def agents_extra(view: d.AgentsView) -> dict[str, Any]:
    """The Agents template's context beyond :func:`page_context`."""
    shown = _shown(view)
    return {"shown": shown, "not_shown": len(view.rows) - len(shown)}


@router.get("/agents", include_in_schema=False)
async def agents_page(request: Request, p: Viewer) -> Any:
    view = await run_in_threadpool(_agents, request, p)
    return await _page(request, p, "agents.html", "Agents", view, **agents_extra(view))


@router.get("/api/v1/agents", tags=["views"], dependencies=ViewQuery)
async def agents_api(request: Request, p: Viewer) -> dict[str, Any]:
    """The agent report: one row per agent the caller may see, a row for contacts
    handled with no agent, and the total (the rows add up to it)."""
    view = await run_in_threadpool(_agents, request, p)
    return clean(
        {
            "period": _period(view.period),
            "scope": view.scope,
            "columns": [{"key": k, "title": t} for k, t in view.columns],
            "rows": view.values,
            "total": view.total_values,
            "status": [{k: v for k, v in r.items() if k.endswith("_status")} for r in view.rows],
            "caption": view.caption,
        }
    )


@router.get("/agents/export", include_in_schema=False)
async def agents_export(request: Request, p: Exporter, fmt: Fmt = "csv") -> Any:
    view = await run_in_threadpool(_agents, request, p)
    meta = {"period": view.period.label, "scope": view.scope, "targets": view.caption}
    return await download(request, view.table(), fmt, "agents", meta)


# -- one agent -------------------------------------------------------------------------

AgentId = Annotated[str, Query(max_length=200, description="The agent id, e.g. Agent/1001")]


def _agent(request: Request, p: Principal, agent: str) -> d.AgentPage:
    st = state(request)
    return st.view(d.agent_page, view_request(request, p), agent)


@router.get("/agent", include_in_schema=False)
async def agent_page(request: Request, p: Viewer, agent: AgentId) -> Any:
    view = await run_in_threadpool(_agent, request, p, agent)
    return await _page(
        request,
        p,
        "agent.html",
        f"Agent {view.agent}",
        view,
        trend=view.trend.to_pylist(),
        trend_columns=[c for c in d.AGENT_TREND if c in view.trend.column_names],
    )


@router.get("/api/v1/agent", tags=["views"], dependencies=ViewQuery)
async def agent_api(request: Request, p: Viewer, agent: AgentId) -> dict[str, Any]:
    """One agent's row of the agent report for the period, their trend per day (per
    week over 62 days), and their QA evaluations; an agent may ask for themselves only,
    a supervisor for their teams' agents (403 otherwise)."""
    view = await run_in_threadpool(_agent, request, p, agent)
    return clean(
        {
            "agent": view.agent,
            "team": view.team,
            "period": _period(view.period),
            "summary": view.summary,
            "trend_grain": view.trend_grain,
            "trend": view.trend.to_pylist(),
            "qa": view.qa,
            "evaluations": view.evaluations,
        }
    )


@router.get("/agent/export", include_in_schema=False)
async def agent_export(request: Request, p: Exporter, agent: AgentId, fmt: Fmt = "csv") -> Any:
    view = await run_in_threadpool(_agent, request, p, agent)
    meta = {"agent": view.agent, "period": view.period.label, "grain": view.trend_grain}
    return await download(request, view.trend, fmt, "agent-trend", meta)
