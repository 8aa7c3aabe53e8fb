"""The QA program in the browser: evaluations (list, one evaluation with its history),
evaluating a contact, the agent's acknowledgement or dispute, the decision on a
dispute, the sampling plan, calibration and the agent scorecards; each read has its JSON
twin under ``/api/v1/qa`` and the tables a CSV download.

Who: every role reads evaluations and scorecards (``view_kpis``), scoped: an agent sees
their own, a supervisor their teams' agents (:func:`callscope.services.quality.scope_agents`,
filtered in the service). Evaluating, deciding disputes, the sampling plan and
calibration are ``evaluate`` (qa, supervisor, admin; a supervisor evaluates and decides
for their teams' agents only). Only the agent of an evaluation acknowledges or disputes
it (the service checks it is theirs).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import EVALUATE, EXPORT, VIEW_KPIS, Principal, scope_of
from callscope.errors import CallscopeError, NotAllowed
from callscope.services import qa_stats
from callscope.services import quality as q
from callscope.services import scorecard as sc
from callscope.web.deps import Require, clean, render, state
from callscope.web.downloads import download

__all__ = ["NAV", "router"]

router = APIRouter()

NAV = [("Quality", "/quality", VIEW_KPIS)]

Viewer = Annotated[Principal, Depends(Require(VIEW_KPIS))]
Evaluator = Annotated[Principal, Depends(Require(EVALUATE))]
Exporter = Annotated[Principal, Depends(Require(EXPORT))]
Fmt = Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")]
Text = Annotated[str, Query(max_length=200)]
Revision = Annotated[int | None, Query(ge=1, le=10_000, description="A revision [the current one]")]

STATUSES = ("open", "acknowledged", "disputed", "resolved")


def _day(text: str, field: str, end: bool = False) -> datetime | None:
    """A day of a filter as the start of the period (or, for ``to``, the start of the
    next day: the day is included)."""
    if not text.strip():
        return None
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise CallscopeError(f"{text!r} is not a day; write it 2026-01-31", field=field) from None
    return datetime.combine(date.fromordinal(d.toordinal() + 1) if end else d, time())


def _agents(request: Request, p: Principal) -> tuple[str, ...] | None:
    """The agents whose QA records ``p`` may see (None: everyone)."""
    return state(request).read(q.scope_agents, scope_of(p))


def _error(e: CallscopeError, default: str) -> dict[str, str]:
    return {"field": e.field or default, "message": " ".join(str(e).split())}


# -- the list --------------------------------------------------------------------------


def _list(
    request: Request, p: Principal, agent: str, status: str, first: str, last: str
) -> list[dict[str, Any]]:
    st = state(request)
    seen = _agents(request, p)
    want = tuple(a.strip() for a in agent.split(",") if a.strip()) or None
    if want is not None and seen is not None:
        want = tuple(a for a in want if a in seen)
    agents = want if want is not None else seen
    return st.read(
        q.evaluations,
        agents,
        _day(first, "from"),
        _day(last, "to", end=True),
        status.strip() or None,
    )


def _list_table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    cols = (
        "evaluation_id",
        "contact_id",
        "agent",
        "evaluator",
        "form",
        "form_version",
        "score",
        "status",
        "revision",
        "critical_failed",
        "fatal_failed",
        "queue",
        "channel",
        "contact_ts",
        "created_at",
    )
    if not rows:
        return pa.table({c: pa.array([], pa.string()) for c in cols})
    return pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows])


@router.get("/quality", include_in_schema=False)
async def quality_page(
    request: Request,
    p: Viewer,
    agent: Text = "",
    status: Text = "",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Any:
    st = state(request)
    error = None
    rows: list[dict[str, Any]] = []
    try:
        rows = await run_in_threadpool(_list, request, p, agent, status, first, last)
    except CallscopeError as e:
        error = _error(e, "agent")
    waiting: list[dict[str, Any]] = []
    if p.can(EVALUATE):
        seen = await run_in_threadpool(_agents, request, p)
        waiting = await run_in_threadpool(st.read, q.disputes, q.DisputesRequest(True, seen))
    return render(
        request,
        "quality.html",
        {
            "title": "Quality",
            "rows": rows,
            "waiting": waiting,
            "chosen": {"agent": agent, "status": status, "from": first, "to": last},
            "statuses": STATUSES,
            "error": error,
            "may_evaluate": p.can(EVALUATE),
            "query": request.url.query,
        },
        status=400 if error else 200,
    )


@router.get("/api/v1/qa/evaluations", tags=["quality"])
async def evaluations_api(
    request: Request,
    p: Viewer,
    agent: Annotated[
        str, Query(max_length=200, description="Only these agents (comma-separated)")
    ] = "",
    status: Annotated[
        str, Query(max_length=20, description="open, acknowledged, disputed or resolved")
    ] = "",
    first: Annotated[
        str, Query(alias="from", max_length=10, description="First day of the contacts")
    ] = "",
    last: Annotated[str, Query(alias="to", max_length=10, description="Last day, included")] = "",
) -> list[dict[str, Any]]:
    """The current revision of each evaluation the caller may see (an agent: their own;
    a supervisor: their teams' agents), oldest first."""
    rows = await run_in_threadpool(_list, request, p, agent, status, first, last)
    return clean(rows)  # type: ignore[no-any-return]


@router.get("/quality/export", include_in_schema=False)
async def quality_export(
    request: Request,
    p: Exporter,
    agent: Text = "",
    status: Text = "",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    fmt: Fmt = "csv",
) -> Any:
    rows = await run_in_threadpool(_list, request, p, agent, status, first, last)
    meta = {"evaluations": len(rows), "agent": agent, "status": status}
    return await download(request, _list_table(rows), fmt, "qa-evaluations", meta)


@router.get("/api/v1/qa/disputes", tags=["quality"])
async def disputes_api(
    request: Request,
    p: Evaluator,
    every: Annotated[bool, Query(alias="all", description="Decided disputes too")] = False,
) -> list[dict[str, Any]]:
    """Disputed items waiting for a decision (all of them with ``all=true``) of the
    agents the caller may see."""
    st = state(request)
    seen = await run_in_threadpool(_agents, request, p)
    rows = await run_in_threadpool(st.read, q.disputes, q.DisputesRequest(not every, seen))
    return clean(rows)  # type: ignore[no-any-return]


# -- one evaluation --------------------------------------------------------------------


def _view(request: Request, p: Principal, evaluation_id: str, revision: int | None = None) -> Any:
    st = state(request)
    return st.read(q.evaluation, evaluation_id, _agents(request, p), revision)


def _view_json(v: Any) -> dict[str, Any]:
    e = v.evaluation
    return clean(
        {
            "evaluation_id": e.evaluation_id,
            "revision": e.revision,
            "revisions": v.revisions,
            "status": e.status,
            "contact_id": e.contact_id,
            "agent": e.agent,
            "evaluator": e.evaluator,
            "form": e.form,
            "form_version": e.form_version,
            "score": e.score,
            "sections": dict(e.section_scores),
            "critical_failed": list(e.critical_failed),
            "fatal_failed": list(e.fatal_failed),
            "items": v.item_rows(),
            "disputes": list(v.disputes),
            "history": list(v.history),
        }
    )


async def _evaluation_page(
    request: Request,
    p: Principal,
    evaluation_id: str,
    status: int = 200,
    revision: int | None = None,
    **extra: Any,
) -> Any:
    v = await run_in_threadpool(_view, request, p, evaluation_id, revision)
    pending = {d["item"] for d in v.disputes if d["decision"] is None}
    disputed = {d["item"]: d for d in v.disputes}
    return render(
        request,
        "quality_evaluation.html",
        {
            "title": f"Evaluation {v.evaluation.evaluation_id}",
            "v": v,
            "e": v.evaluation,
            "sections": v.form.sections,
            "rows": v.item_rows(),
            "pending": pending,
            "disputed": disputed,
            "choices": q.answer_choices(v.form),
            "is_agent": p.role == "agent" and p.agent == v.evaluation.agent,
            "may_decide": p.can(EVALUATE),
            "form": {},
            **extra,
        },
        status=status,
    )


@router.get("/quality/evaluations/{evaluation_id}", include_in_schema=False)
async def evaluation_page(
    request: Request, p: Viewer, evaluation_id: str, revision: Revision = None, new: int = 0
) -> Any:
    return await _evaluation_page(request, p, evaluation_id, revision=revision, new=bool(new))


@router.get("/api/v1/qa/evaluations/{evaluation_id}", tags=["quality"])
async def evaluation_api(
    request: Request, p: Viewer, evaluation_id: str, revision: Revision = None
) -> dict[str, Any]:
    """One evaluation (its current revision, or ``revision``): items with answers,
    points and comments, section scores, the score, failed critical and fatal items,
    the disputes and the history."""
    v = await run_in_threadpool(_view, request, p, evaluation_id, revision)
    return _view_json(v)


@router.post("/quality/evaluations/{evaluation_id}/acknowledge", include_in_schema=False)
async def acknowledge_post(request: Request, p: Viewer, evaluation_id: str) -> Any:
    """The agent accepts their open evaluation as it is."""
    st = state(request)
    req = q.AcknowledgeRequest(evaluation_id, p.name, agent=p.agent or "")
    try:
        await run_in_threadpool(st.write, q.acknowledge, req, st.audit_now())
    except CallscopeError as e:
        return await _evaluation_page(
            request, p, evaluation_id, 400, agent_error=_error(e, "evaluation")
        )
    return RedirectResponse(f"/quality/evaluations/{evaluation_id}", status_code=303)


@router.post("/quality/evaluations/{evaluation_id}/dispute", include_in_schema=False)
async def dispute_post(request: Request, p: Viewer, evaluation_id: str) -> Any:
    """The agent disputes items of their open evaluation: form fields ``reason_ITEM``
    (an item with a reason is disputed)."""
    st = state(request)
    form = await request.form()
    reasons = {
        str(k)[len("reason_") :]: str(v).strip()[:2000]
        for k, v in form.multi_items()
        if str(k).startswith("reason_") and isinstance(v, str) and v.strip()
    }
    try:
        if not reasons:
            raise CallscopeError(
                "write a reason beside each item you dispute (or acknowledge the evaluation)",
                field="items",
            )
        req = q.DisputeRequest(evaluation_id, reasons, p.name, agent=p.agent or "")
        await run_in_threadpool(st.write, q.dispute, req, st.audit_now())
    except CallscopeError as e:
        return await _evaluation_page(
            request, p, evaluation_id, 400, agent_error=_error(e, "items"), form=reasons
        )
    return RedirectResponse(f"/quality/evaluations/{evaluation_id}", status_code=303)


@router.post("/quality/evaluations/{evaluation_id}/decide", include_in_schema=False)
async def decide_post(request: Request, p: Evaluator, evaluation_id: str) -> Any:
    """A supervisor, QA or admin accepts a disputed item with the corrected answer (a new
    revision, rescored; the old one kept) or rejects it."""
    st = state(request)
    form = await request.form()

    def field(name: str) -> str:
        v = form.get(name)
        return v.strip()[:2000] if isinstance(v, str) else ""

    item, decision = field("item"), field("decision")
    try:
        if decision not in ("accept", "reject"):
            raise CallscopeError("choose accept or reject", field="decision")
        seen = await run_in_threadpool(_agents, request, p)
        req = q.DecideRequest(
            evaluation_id,
            item,
            decision == "accept",
            field("answer") or None,
            field("note"),
            p.name,
            agents=seen,
        )
        await run_in_threadpool(st.write, q.decide, req, st.audit_now())
    except CallscopeError as e:
        err = _error(e, "decision")
        err["item"] = item
        return await _evaluation_page(request, p, evaluation_id, 400, decide_error=err)
    return RedirectResponse(f"/quality/evaluations/{evaluation_id}", status_code=303)


# -- evaluating a contact --------------------------------------------------------------


async def _evaluate_page(
    request: Request,
    form_name: str,
    values: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Any:
    st = state(request)
    forms = await run_in_threadpool(st.read, q.form_versions)
    names = sorted({f["name"] for f in forms} | {"default"})
    error = None
    try:
        form = await run_in_threadpool(st.read, q.get_form, form_name or "default")
    except CallscopeError as e:
        error = _error(e, "form")
        form = await run_in_threadpool(st.read, q.get_form, "default")
    return render(
        request,
        "quality_evaluate.html",
        {
            "title": "Evaluate a contact",
            "f": form,
            "names": names,
            "choices": q.answer_choices(form),
            "values": values,
            "errors": errors or ({error["field"]: error["message"]} if error else {}),
        },
        status=400 if error else status,
    )


@router.get("/quality/evaluate", include_in_schema=False)
async def evaluate_page(
    request: Request, p: Evaluator, form: Text = "default", contact: Text = ""
) -> Any:
    return await _evaluate_page(request, form, {"contact": contact})


@router.post("/quality/evaluate", include_in_schema=False)
async def evaluate_post(request: Request, p: Evaluator) -> Any:
    """Score a contact: fields ``form``, ``contact``, ``answer_ITEM``, ``comment_ITEM``;
    each mistake is one line beside its field and nothing is stored; the evaluation's
    page (with the score) after."""
    st = state(request)
    data = await request.form()
    values = {str(k): v.strip()[:2000] for k, v in data.multi_items() if isinstance(v, str)}
    name = values.get("form") or "default"
    try:
        form = await run_in_threadpool(st.read, q.get_form, name)
    except CallscopeError as e:
        return await _evaluate_page(request, "default", values, 400, {"form": str(e)})
    answers = {i.id: values.get(f"answer_{i.id}", "") for i in form.items}
    comments = {
        i.id: values[f"comment_{i.id}"] for i in form.items if values.get(f"comment_{i.id}")
    }
    errors = q.answer_errors(form, answers)
    if not values.get("contact"):
        errors["contact"] = "give the contact's id"
    if errors:
        return await _evaluate_page(request, name, values, 400, errors)
    seen = await run_in_threadpool(_agents, request, p)
    req = q.EvaluateRequest(
        values["contact"],
        answers,
        form=form.name,
        form_version=form.version,
        evaluator=p.name,
        comments=comments,
        agent=values.get("agent") or None,
        agents=seen,
    )
    try:
        v = await run_in_threadpool(st.write, q.evaluate, req, st.audit_now())
    except CallscopeError as e:
        err = _error(e, "contact")
        status = 403 if isinstance(e, NotAllowed) else 400
        return await _evaluate_page(request, name, values, status, {err["field"]: err["message"]})
    return RedirectResponse(
        f"/quality/evaluations/{v.evaluation.evaluation_id}?new=1", status_code=303
    )


@router.post("/api/v1/qa/evaluations", tags=["quality"])
async def evaluate_api(
    request: Request,
    p: Evaluator,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[{"contact_id": "C1042", "form": "default", "answers": {"greeting": "yes"}}],
        ),
    ] = {},  # noqa: B006 (FastAPI reads it, never mutated)
) -> dict[str, Any]:
    """Evaluate a contact: ``contact_id``, ``answers`` (item -> yes, no, na or a
    number), optional ``comments``, ``form``, ``form_version``, ``agent`` (only for a
    contact nobody answered). The stored evaluation, as ``GET`` gives it."""
    st = state(request)
    answers = body.get("answers") if isinstance(body.get("answers"), dict) else {}
    comments = body.get("comments") if isinstance(body.get("comments"), dict) else {}
    version = body.get("form_version")
    seen = await run_in_threadpool(_agents, request, p)
    req = q.EvaluateRequest(
        str(body.get("contact_id") or ""),
        {str(k): v for k, v in (answers or {}).items()},
        form=str(body.get("form") or "default"),
        form_version=version if isinstance(version, int) else None,
        evaluator=p.name,
        comments={str(k): str(v) for k, v in (comments or {}).items()},
        agent=str(body["agent"]) if body.get("agent") else None,
        agents=seen,
    )
    v = await run_in_threadpool(st.write, q.evaluate, req, st.audit_now())
    return _view_json(v)


# -- sampling --------------------------------------------------------------------------


def _sample(request: Request, p: Principal, params: dict[str, Any]) -> Any:
    st = state(request)
    strata = tuple(s for s in params["strata"] if s)
    req = qa_stats.SampleRequest(
        start=_day(params["from"], "from"),
        end=_day(params["to"], "to", end=True),
        per_agent=params["per_agent"],
        period=params["period"],
        strata=strata,
        weight=params["weight"] or None,
        seed=params["seed"],
        agents=_agents(request, p),
    )
    return st.read(qa_stats.sample, req)


def sample_query(
    per_agent: Annotated[
        int | None, Query(ge=1, le=1000, description="Contacts per agent per period")
    ] = None,
    seed: Annotated[int, Query(ge=0, le=2**31, description="The same seed, the same plan")] = 0,
    period: Annotated[str, Query(pattern="^(month|week)$")] = "month",
    strata: Annotated[
        list[str] | None, Query(description="queue, channel, outcome, handle_band")
    ] = None,
    weight: Annotated[str, Query(pattern="^(|low-csat|long-aht)$")] = "",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> dict[str, Any]:
    """The sampling plan's parameters (``callscope qa sample``'s flags)."""
    chosen = strata if strata is not None else ["queue", "channel", "outcome", "handle_band"]
    return {
        "per_agent": per_agent,
        "seed": seed,
        "period": period,
        "strata": [s for s in chosen if s in ("queue", "channel", "outcome", "handle_band")],
        "weight": weight,
        "from": first,
        "to": last,
    }


SampleParams = Annotated[dict[str, Any], Depends(sample_query)]


@router.get("/quality/sample", include_in_schema=False)
async def sample_page(request: Request, p: Evaluator, params: SampleParams) -> Any:
    error = plan = None
    try:
        plan = await run_in_threadpool(_sample, request, p, params)
    except CallscopeError as e:
        error = _error(e, "per_agent")
    coverage = plan.coverage.to_pylist() if plan else []
    return render(
        request,
        "quality_sample.html",
        {
            "title": "Sampling plan",
            "plan": plan,
            "picks": plan.picks.to_pylist() if plan else [],
            "coverage": coverage,
            "short": [r for r in coverage if r["short"]],
            "params": params,
            "error": error,
            "query": request.url.query,
            "per_agent_default": state(request).settings.qa_sample_per_agent,
        },
        status=400 if error else 200,
    )


@router.get("/api/v1/qa/sample", tags=["quality"])
async def sample_api(request: Request, p: Evaluator, params: SampleParams) -> dict[str, Any]:
    """Contacts to evaluate (N per agent per period, stratified, seeded, never one
    already evaluated) and the coverage of each agent and period."""
    plan = await run_in_threadpool(_sample, request, p, params)
    return clean(
        {
            "per_agent": plan.per_agent,
            "period": plan.period,
            "strata": list(plan.strata),
            "weight": plan.weight,
            "seed": plan.seed,
            "picks": plan.picks.to_pylist(),
            "coverage": plan.coverage.to_pylist(),
        }
    )


@router.get("/quality/sample/export", include_in_schema=False)
async def sample_export(
    request: Request, p: Evaluator, params: SampleParams, fmt: Fmt = "csv"
) -> Any:
    plan = await run_in_threadpool(_sample, request, p, params)
    meta = {"per_agent": plan.per_agent, "period": plan.period, "seed": plan.seed}
    return await download(request, plan.picks, fmt, "qa-sample", meta)


# -- calibration -----------------------------------------------------------------------


def _calibration(request: Request, form: str, expert: str) -> Any:
    st = state(request)
    req = qa_stats.CalibrationRequest(None, expert.strip() or None, form.strip() or None)
    return st.read(qa_stats.calibration, req)


@router.get("/quality/calibration", include_in_schema=False)
async def calibration_page(
    request: Request, p: Evaluator, form: Text = "", expert: Text = ""
) -> Any:
    error = c = None
    try:
        c = await run_in_threadpool(_calibration, request, form, expert)
    except CallscopeError as e:
        error = _error(e, "form")
    return render(
        request,
        "quality_calibration.html",
        {
            "title": "Calibration",
            "c": c,
            "error": error,
            "chosen": {"form": form, "expert": expert},
            "query": request.url.query,
        },
    )


@router.get("/api/v1/qa/calibration", tags=["quality"])
async def calibration_api(
    request: Request, p: Evaluator, form: Text = "", expert: Text = ""
) -> dict[str, Any]:
    """Agreement of the evaluators on contacts several of them evaluated: Krippendorff's
    alpha (nominal, ordinal, interval), ICCs, each evaluator's bias and deviation, the
    spread per item."""
    c = await run_in_threadpool(_calibration, request, form, expert)
    return clean(c.as_dict())  # type: ignore[no-any-return]


@router.get("/quality/calibration/export", include_in_schema=False)
async def calibration_export(
    request: Request, p: Evaluator, form: Text = "", expert: Text = "", fmt: Fmt = "csv"
) -> Any:
    import pyarrow as pa

    c = await run_in_threadpool(_calibration, request, form, expert)
    rows = [
        {
            "evaluator": r["evaluator"],
            "items": r["items"],
            "bias": r["bias"],
            "mean_abs_deviation": r["mean_abs_deviation"],
        }
        for r in c.evaluators
    ]
    table = (
        pa.Table.from_pylist(rows) if rows else pa.table({"evaluator": pa.array([], pa.string())})
    )
    meta = {
        "alpha_nominal": c.alpha_nominal,
        "alpha_ordinal": c.alpha_ordinal,
        "alpha_interval": c.alpha_interval,
        "expert": c.expert or "item mean",
    }
    return await download(request, table, fmt, "qa-calibration", meta)


# -- scorecards ------------------------------------------------------------------------


def _scorecard(request: Request, p: Principal, first: str, last: str, team: str) -> Any:
    st = state(request)
    teams = tuple(t.strip() for t in team.split(",") if t.strip()) or None
    req = sc.ScorecardRequest(
        start=_day(first, "from"),
        end=_day(last, "to", end=True),
        agents=_agents(request, p),
        teams=teams,
    )
    return st.read(sc.scorecard, req)


@router.get("/quality/scorecard", include_in_schema=False)
async def scorecard_page(
    request: Request,
    p: Viewer,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    team: Text = "",
) -> Any:
    error = None
    columns: list[Any] = []
    rows: list[Any] = []
    context = ""
    ranking: list[dict[str, Any]] = []
    try:
        card = await run_in_threadpool(_scorecard, request, p, first, last, team)
        columns, rows, context = sc.scorecard_view(card)
        ranking = card.ranking.to_pylist()
    except CallscopeError as e:
        error = _error(e, "from")
    return render(
        request,
        "quality_scorecard.html",
        {
            "title": "Scorecards",
            "columns": columns,
            "rows": rows,
            "context": context,
            "ranking": ranking,
            "error": error,
            "chosen": {"from": first, "to": last, "team": team},
            "query": request.url.query,
        },
        status=400 if error else 200,
    )


@router.get("/api/v1/qa/scorecard", tags=["quality"])
async def scorecard_api(
    request: Request,
    p: Viewer,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    team: Text = "",
) -> dict[str, Any]:
    """Per agent and month the QA score, CSAT, NPS and the KPIs of their work, each with
    its target and status, and the ranking in each team (an agent: their own)."""
    card = await run_in_threadpool(_scorecard, request, p, first, last, team)
    return clean({"lines": card.lines.to_pylist(), "ranking": card.ranking.to_pylist()})


@router.get("/quality/scorecard/export", include_in_schema=False)
async def scorecard_export(
    request: Request,
    p: Exporter,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    team: Text = "",
    fmt: Fmt = "csv",
) -> Any:
    card = await run_in_threadpool(_scorecard, request, p, first, last, team)
    meta = {"from": first or "start of data", "to": last or "end of data", "team": team}
    return await download(request, card.lines, fmt, "qa-scorecards", meta)
