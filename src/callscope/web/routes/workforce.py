"""Workforce: the latest forecast and its capacity plan against the goals, a new forecast
or plan run from the page, the saved schedules and adherence per agent.

Everyone who sees figures (``view_kpis``) reads them; analysts and admins
(``plan_workforce``) run forecasts and plans. Schedules and adherence are scoped: an
agent sees their own, a supervisor their teams' agents
(:func:`callscope.services.workforce.schedule_view`).

**Long work.** A forecast or plan form is checked in the request (a mistake is the
service's one line next to its field, nothing started), then runs in a thread held by
the app (:class:`~callscope.web.jobs.Jobs`, in the app state's cache): the page polls
``GET /api/v1/workforce/jobs/{id}`` (state ``running`` / ``done`` / ``failed``, the
step, the one-line error) and shows it as a progress line. A forecast is made reading
the store (:func:`~callscope.services.forecasting.make_forecast`: pages keep answering
meanwhile), then written in one short transaction through :meth:`AppState.write
<callscope.web.deps.AppState.write>` (:func:`~callscope.services.forecasting.store_forecast`)
and audited. One forecast runs at a time; a plan's result is kept with its job (the newest 50 jobs) and
shown on ``/workforce?plan=ID``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import EXPORT, PLAN_WORKFORCE, VIEW_KPIS, Principal, scope_of
from callscope.errors import CallscopeError
from callscope.services import workforce as w
from callscope.services.forecasting import PlanRequest
from callscope.web.deps import AppState, Require, clean, render, state
from callscope.web.downloads import download
from callscope.web.jobs import KEEP_JOBS, Job, Jobs, jobs_of, one_line

__all__ = ["NAV", "Job", "Jobs", "router"]

router = APIRouter()
NAV = [("Workforce", "/workforce", VIEW_KPIS)]

Viewer = Annotated[Principal, Depends(Require(VIEW_KPIS))]
Planner = Annotated[Principal, Depends(Require(PLAN_WORKFORCE))]
Exporter = Annotated[Principal, Depends(Require(EXPORT))]
Fmt = Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")]
JobQ = Annotated[str | None, Query(max_length=40, pattern="^[A-Za-z0-9_-]*$")]
QueueQ = Annotated[str | None, Query(max_length=200, description="The queue the chart keeps")]
DayQ = Annotated[str | None, Query(max_length=20, description="A day, YYYY-MM-DD")]
Text = Annotated[str, Form(max_length=100)]


def _jobs(st: AppState) -> Jobs:
    return jobs_of(st, "workforce_jobs")


_one_line = one_line


def _run_forecast(st: AppState, job: Job, request: Any, actor: str) -> None:
    try:
        from callscope.services.forecasting import make_forecast, store_forecast

        def step(text: str) -> None:
            job.step = text

        made = st.read(make_forecast, request, st.audit_now(), progress=step)
        job.step = "writing the forecast to the store"
        r = st.write(store_forecast, made)
        job.step = "writing the audit log"
        st.audit(actor, "forecast", r.forecast_id, {"rows": r.rows, **job.asked})
        job.message = (
            f"forecast {r.forecast_id}: {r.first:%a %-d %b %Y %H:%M} to "
            f"{r.last:%a %-d %b %Y %H:%M}, {len(r.series)} queues, {r.rows:,} intervals"
        )
        job.url = "/workforce"
        job.step, job.state = "done", "done"
    except Exception as e:  # noqa: BLE001 - every failure ends the job with its one line
        job.error, job.step, job.state = _one_line(e), "failed", "failed"
    finally:
        job.finished = st.now()


def _run_plan(st: AppState, job: Job, request: PlanRequest) -> None:
    try:

        def work(settings: Any) -> w.PlanView:
            job.step = "planning every queue and interval of the latest forecast"
            return w.plan_view(settings, request)

        job.step = "waiting for the store"
        pv = st.read(work)
        job.result = pv
        s = pv.summary
        job.message = (
            f"capacity plan: {s.fte:,.1f} FTE, peak {s.peak_scheduled:,} scheduled, "
            f"shrinkage {pv.result.plan.shrinkage:.0%}"
        )
        job.url = f"/workforce?plan={job.id}"
        job.step, job.state = "done", "done"
    except Exception as e:  # noqa: BLE001 - every failure ends the job with its one line
        job.error, job.step, job.state = _one_line(e), "failed", "failed"
    finally:
        job.finished = st.now()


def _run_roster(st: AppState, job: Job, request: Any, actor: str, tmp: Path) -> None:
    try:
        from callscope.services.rostering import roster_build, save_roster

        job.step = (
            "covering the latest forecast's plan with shifts, then rostering the agents "
            f"(up to {request.cover_time_limit_s + request.time_limit_s:.0f} s)"
        )
        r = st.read(roster_build, request)
        if request.save:
            job.step = "saving the schedules"
            r = st.write(save_roster, r)
            st.audit(actor, "roster", f"{r.first}+{r.days}d", {"saved": r.saved, **job.asked})
        last = r.first + timedelta(days=r.days - 1)
        gap = f"{r.gap:.1%}" if r.gap is not None else "no bound"
        job.message = (
            f"roster of {r.agents.num_rows} agents, {r.first:%a %-d %b} to {last:%a %-d %b %Y}: "
            f"objective {r.objective}, bound {r.bound} (gap {gap})"
            + (f"; {r.saved:,} schedule rows saved" if request.save else "; not saved")
        )
        job.url = f"/workforce/schedule?from={r.first.isoformat()}&to={last.isoformat()}"
        job.step, job.state = "done", "done"
    except Exception as e:  # noqa: BLE001 - every failure ends the job with its one line
        job.error, job.step, job.state = _one_line(e), "failed", "failed"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        job.finished = st.now()


def _start_forecast(request: Request, p: Principal, horizon: str, interval: str) -> Job:
    st = state(request)
    req = w.forecast_form(horizon, interval)
    job = _jobs(st).start(
        "forecast",
        p.name,
        st.now(),
        {"horizon": horizon, "interval": interval},
        one_at_a_time="horizon_s",
    )
    threading.Thread(
        target=_run_forecast, args=(st, job, req, p.name), name=f"forecast-{job.id}", daemon=True
    ).start()
    return job


def _start_plan(request: Request, p: Principal, target: str, shrinkage: str) -> Job:
    st = state(request)
    req = w.plan_form(target, shrinkage)
    job = _jobs(st).start("plan", p.name, st.now(), {"target": target, "shrinkage": shrinkage})
    threading.Thread(
        target=_run_plan, args=(st, job, req), name=f"plan-{job.id}", daemon=True
    ).start()
    return job


# -- the page ----------------------------------------------------------------------------


def _epoch(v: Any) -> float:
    dt = v if isinstance(v, datetime) else datetime.combine(v, datetime.min.time())
    return (dt - datetime(1970, 1, 1)).total_seconds()


def _views(
    request: Request, queue: str | None, plan: str | None
) -> tuple[w.ForecastView | None, w.PlanView | None, list[str], Job | None]:
    """The latest forecast and the plan to show (a plan job's, else the settings' plan
    of the latest forecast), and notes for what could not be shown."""
    st = state(request)
    notes: list[str] = []
    fv = st.read(w.forecast_view, queue)
    pv = None
    job = _jobs(st).get(plan) if plan else None
    if plan and (job is None or job.kind != "plan"):
        notes.append(f"plan {plan} is not kept any more (the server keeps the newest plans)")
    elif job is not None and job.state != "done":
        notes.append(f"plan {plan}: {job.error or job.step}")
    elif job is not None:
        pv = job.result
    if pv is None and fv is not None:
        try:
            pv = st.read(w.plan_view, PlanRequest())
        except CallscopeError as e:
            notes.append(f"no capacity plan: {_one_line(e)}")
    return fv, pv, notes, job


def _series(fv: w.ForecastView | None, pv: w.PlanView | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if fv is not None:
        t = fv.by_interval
        out["forecast"] = {
            "x": [_epoch(v) for v in t.column("interval_start").to_pylist()],
            **{c: t.column(c).to_pylist() for c in ("calls", "calls_lo", "calls_hi")},
        }
    if pv is not None:
        t = pv.by_interval
        out["plan"] = {
            "x": [_epoch(v) for v in t.column("interval_start").to_pylist()],
            **{c: t.column(c).to_pylist() for c in ("calls", "agents", "scheduled_agents")},
        }
    return out


def _page_ctx(
    request: Request, p: Principal, queue: str | None, plan: str | None
) -> dict[str, Any]:
    st = state(request)
    fv, pv, notes, plan_job = _views(request, queue, plan)
    return {
        "title": "Workforce",
        "fv": fv,
        "pv": pv,
        "plan_job": plan_job,
        "form": dict(plan_job.asked) if plan_job is not None else {},
        "notes": notes,
        "series": _series(fv, pv),
        "can_plan": p.can(PLAN_WORKFORCE),
        "settings": st.settings,
    }


async def _page(
    request: Request,
    p: Principal,
    queue: str | None = None,
    plan: str | None = None,
    status: int = 200,
    **extra: Any,
) -> Any:
    ctx = await run_in_threadpool(_page_ctx, request, p, queue, plan)
    ctx.update(extra)
    return render(request, "workforce.html", ctx, status=status)


@router.get("/workforce", include_in_schema=False)
async def workforce_page(
    request: Request, p: Viewer, queue: QueueQ = None, plan: JobQ = None, job: JobQ = None
) -> Any:
    st = state(request)
    jobs = _jobs(st)
    watch = jobs.get(job) if job else None
    if watch is None:  # a job running now, started by anyone, shows too
        running = jobs.running()
        watch = running[0] if running else None
    shown = watch.status(st.now()) if watch is not None else None
    return await _page(request, p, queue or None, plan or None, job=shown)


def _error(e: CallscopeError, default: str) -> dict[str, str]:
    return {"field": e.field or default, "message": " ".join(str(e).split())}


@router.post("/workforce/forecast", include_in_schema=False)
async def forecast_post(
    request: Request, p: Planner, horizon: Text = "", interval: Text = ""
) -> Any:
    """Check the form, start the forecast, show its progress (303 to the page)."""
    try:
        job = _start_forecast(request, p, horizon, interval)
    except CallscopeError as e:
        form = {"horizon": horizon, "interval": interval}
        return await _page(request, p, status=400, error=_error(e, "horizon_s"), form=form)
    return RedirectResponse(f"/workforce?job={job.id}", status_code=303)


@router.post("/workforce/plan", include_in_schema=False)
async def plan_post(request: Request, p: Planner, target: Text = "", shrinkage: Text = "") -> Any:
    """Check the form, start the capacity plan, show its progress (303 to the page)."""
    try:
        job = _start_plan(request, p, target, shrinkage)
    except CallscopeError as e:
        form = {"target": target, "shrinkage": shrinkage}
        return await _page(request, p, status=400, error=_error(e, "target"), form=form)
    return RedirectResponse(f"/workforce?job={job.id}", status_code=303)


@router.post("/api/v1/workforce/forecast", tags=["workforce"], status_code=202)
async def forecast_api(
    request: Request, p: Planner, horizon: Text = "", interval: Text = ""
) -> dict[str, Any]:
    """Start a forecast of every queue (form fields ``horizon``, e.g. ``7d``, and
    ``interval``, ``15m``/``30m``/``60m``, default the settings'); follow it at
    ``status_url``. A mistake is 400 with the field."""
    job = _start_forecast(request, p, horizon, interval)
    return {"job": job.id, "status_url": f"/api/v1/workforce/jobs/{job.id}"}


@router.post("/api/v1/workforce/plan", tags=["workforce"], status_code=202)
async def plan_api(
    request: Request, p: Planner, target: Text = "", shrinkage: Text = ""
) -> dict[str, Any]:
    """Start a capacity plan of the latest forecast (form fields ``target``, e.g.
    ``80/20``, and ``shrinkage``, e.g. ``30%``; empty: the settings'); follow it at
    ``status_url``; the plan is at ``/api/v1/workforce?plan=ID`` when done."""
    job = _start_plan(request, p, target, shrinkage)
    return {"job": job.id, "status_url": f"/api/v1/workforce/jobs/{job.id}"}


@router.get("/api/v1/workforce/jobs/{job_id}", tags=["workforce"])
async def job_api(request: Request, p: Planner, job_id: str) -> Any:
    """A forecast or plan started here: ``state`` (running, done, failed), ``step``,
    seconds so far, the one-line ``error``, the ``url`` of the result."""
    st = state(request)
    job = _jobs(st).get(job_id)
    if job is None:
        return JSONResponse(
            {"error": f"no job {job_id} (the server keeps the newest {KEEP_JOBS})", "field": None},
            status_code=404,
        )
    return job.status(st.now())


@router.get("/api/v1/workforce", tags=["workforce"])
async def workforce_api(
    request: Request, p: Viewer, queue: QueueQ = None, plan: JobQ = None
) -> dict[str, Any]:
    """The latest forecast (id, made, horizon, models and contacts per queue, contacts
    per interval with the prediction band) and its capacity plan (the settings' goals,
    or the plan job ``plan``): summary, per queue with its goal, per day and per
    interval."""
    fv, pv, notes, _ = await run_in_threadpool(_views, request, queue or None, plan or None)
    out: dict[str, Any] = {"forecast": None, "plan": None, "notes": notes}
    if fv is not None:
        out["forecast"] = {
            "info": fv.info,
            "series": fv.series,
            "queue": fv.queue,
            "by_interval": fv.by_interval.to_pylist(),
        }
    if pv is not None:
        cp = pv.result.plan
        out["plan"] = {
            "source": pv.result.source,
            "model": cp.model,
            "shrinkage": cp.shrinkage,
            "fte_hours_per_week": cp.fte_hours_per_week,
            "target": pv.target_label,
            "summary": pv.summary,
            "goals": pv.goals,
            "by_day": pv.by_day.to_pylist(),
            "by_interval": pv.by_interval.to_pylist(),
        }
    return clean(out)  # type: ignore[no-any-return]


TABLES = ("forecast", "forecast-interval", "plan-day", "plan-interval", "plan-queue")


@router.get("/workforce/export", include_in_schema=False)
async def workforce_export(
    request: Request,
    p: Exporter,
    fmt: Fmt = "csv",
    table: Annotated[str, Query(pattern="^(" + "|".join(TABLES) + ")$")] = "forecast",
    queue: QueueQ = None,
    plan: JobQ = None,
) -> Any:
    import pyarrow as pa

    fv, pv, _, _ = await run_in_threadpool(_views, request, queue or None, plan or None)
    meta: dict[str, Any] = {}
    t: pa.Table
    if table.startswith("forecast"):
        if fv is None:
            t = pa.table({"interval_start": pa.array([], pa.timestamp("us"))})
        else:
            t = fv.table if table == "forecast" else fv.by_interval
            meta = {"forecast_id": fv.info.forecast_id, "queue": fv.queue or "all"}
    elif pv is None:
        t = pa.table({"day": pa.array([], pa.date32())})
    else:
        cp = pv.result.plan
        t = {
            "plan-day": pv.by_day,
            "plan-interval": pv.by_interval,
            "plan-queue": pa.Table.from_pylist(pv.goals),
        }[table]
        meta = {"source": pv.result.source, "model": cp.model, "shrinkage": cp.shrinkage}
    return await download(request, t, fmt, f"workforce-{table}", meta)


# -- a roster of the store's agents --------------------------------------------------------

#: The longest a roster run from the page may search (shift cover and roster each).
MAX_ROSTER_S = 300.0


def _start_roster(
    request: Request,
    p: Principal,
    shifts: UploadFile | None,
    team: str,
    time_limit: str,
    save: bool,
) -> Job:
    from callscope.model.units import parse_duration_s
    from callscope.services.rostering import RosterBuildRequest
    from callscope.services.scheduling import read_shifts

    st = state(request)
    try:
        limit = parse_duration_s(time_limit or "20s", what="time limit")
    except CallscopeError as e:
        raise e.at("time_limit") from None
    if not 0 < limit <= MAX_ROSTER_S:
        raise CallscopeError(
            f"the time limit is at most {MAX_ROSTER_S:.0f}s here", field="time_limit"
        )
    if shifts is None or not shifts.filename:
        raise CallscopeError("choose the shift templates file (TOML)", field="shifts")
    tmp = Path(tempfile.mkdtemp(prefix="callscope-roster-"))
    try:
        path = tmp / "shifts.toml"
        with open(path, "wb") as out:
            shutil.copyfileobj(shifts.file, out, 1 << 16)
        if not 0 < path.stat().st_size <= 1 << 20:
            raise CallscopeError("the shifts file is empty or over 1 MiB", field="shifts")
        try:
            read_shifts(path)  # a mistake in it: one line, before anything starts
        except CallscopeError as e:
            raise e.at("shifts") from None
        req = RosterBuildRequest(
            shifts=path,
            teams=(team.strip(),) if team.strip() else (),
            time_limit_s=limit,
            cover_time_limit_s=min(limit, 30.0),
            save=save,
        )
        asked = {"team": team, "time_limit": time_limit, "save": "yes" if save else "no"}
        job = _jobs(st).start("roster", p.name, st.now(), asked)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    threading.Thread(
        target=_run_roster, args=(st, job, req, p.name, tmp), name=f"roster-{job.id}", daemon=True
    ).start()
    return job


ShiftsF = Annotated[UploadFile | None, File(description="Shift templates (TOML).")]


@router.post("/workforce/roster", include_in_schema=False)
async def roster_post(
    request: Request,
    p: Planner,
    shifts: ShiftsF = None,
    team: Text = "",
    time_limit: Text = "",
    save: Text = "",
) -> Any:
    """Check the form, start the roster of the store's agents on the latest forecast's
    plan (saved into ``schedules`` when asked), show its progress."""
    try:
        job = await run_in_threadpool(
            _start_roster, request, p, shifts, team, time_limit, bool(save)
        )
    except CallscopeError as e:
        form = {"team": team, "time_limit": time_limit, "save": bool(save)}
        return await _schedule_page(request, p, None, None, error=_error(e, "shifts"), form=form)
    return RedirectResponse(f"/workforce/schedule?job={job.id}", status_code=303)


# -- schedules and adherence -------------------------------------------------------------


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CallscopeError(f"{text!r} is not a day; write it 2026-01-31", field=name) from None


def _schedule(request: Request, p: Principal, first: str | None, last: str | None) -> Any:
    st = state(request)
    return st.read(w.schedule_view, scope_of(p), _day(first, "from"), _day(last, "to"))


async def _schedule_page(
    request: Request,
    p: Principal,
    first: str | None,
    last: str | None,
    error: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    job: str | None = None,
) -> Any:
    st = state(request)
    err = None
    try:
        view = await run_in_threadpool(_schedule, request, p, first, last)
        chosen = {"from": view.first_day.isoformat(), "to": view.last_day.isoformat()}
    except CallscopeError as e:
        if e.field not in ("from", "to"):
            raise
        err = _error(e, "from")
        view = await run_in_threadpool(_schedule, request, p, None, None)
        chosen = {"from": first or "", "to": last or ""}
    watch = _jobs(st).get(job) if job else None
    if watch is None:
        running = [j for j in _jobs(st).running() if j.kind == "roster"]
        watch = running[0] if running else None
    ctx = {
        "title": "Schedule",
        "view": view,
        "error": err,
        "roster_error": error,
        "form": form or {"time_limit": "20s", "save": True},
        "job": watch.status(st.now()) if watch is not None else None,
        "can_plan": p.can(PLAN_WORKFORCE),
        "goal": w.adherence_goal(st.settings),
        "amber": st.settings.amber_margin,
        "chosen": chosen,
        "query": "" if err else request.url.query,
    }
    return render(request, "workforce_schedule.html", ctx, status=400 if err or error else 200)


@router.get("/workforce/schedule", include_in_schema=False)
async def schedule_page(
    request: Request,
    p: Viewer,
    first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
    job: JobQ = None,
) -> Any:
    return await _schedule_page(request, p, first, last, job=job or None)


@router.get("/api/v1/workforce/schedule", tags=["workforce"])
async def schedule_api(
    request: Request,
    p: Viewer,
    first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> dict[str, Any]:
    """The saved schedules of the agents the caller may see (an agent: their own; a
    supervisor: their teams'), one row per agent and day with its activities, and
    adherence per agent over the same days (``from``/``to``, both included; default the
    last 7 days with schedules)."""
    v = await run_in_threadpool(_schedule, request, p, first, last)
    return clean(  # type: ignore[no-any-return]
        {
            "from": v.first_day,
            "to": v.last_day,
            "scope": v.scope,
            "rows": v.rows,
            "adherence": v.adherence.to_pylist() if v.adherence is not None else None,
            "exceptions": v.exceptions.to_pylist() if v.exceptions is not None else None,
            "notes": v.notes,
        }
    )


@router.get("/workforce/schedule/export", include_in_schema=False)
async def schedule_export(
    request: Request,
    p: Exporter,
    fmt: Fmt = "csv",
    table: Annotated[str, Query(pattern="^(schedule|adherence|exceptions)$")] = "schedule",
    first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> Any:
    import pyarrow as pa

    v = await run_in_threadpool(_schedule, request, p, first, last)
    t = {"schedule": v.table(), "adherence": v.adherence, "exceptions": v.exceptions}[table]
    if t is None:
        t = pa.table({"agent": pa.array([], pa.string())})
    meta = {"from": v.first_day, "to": v.last_day, "scope": v.scope}
    return await download(request, t, fmt, f"workforce-{table}", meta)
