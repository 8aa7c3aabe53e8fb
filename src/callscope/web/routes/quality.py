"""The QA program in the browser: evaluations (list, one evaluation with its revisions,
disputes and history), evaluating a contact, the agent's acknowledgement or dispute,
the decision on a dispute, coaching tasks and the forms; each read has its JSON twin
under ``/api/v1/qa`` and the list a CSV / XLSX download. Sampling, calibration,
scorecards and surveys: :mod:`callscope.web.routes.quality_stats`.

Who: every role reads evaluations, forms, scorecards and surveys (``view_kpis``),
scoped: an agent sees their own, a supervisor their teams' agents
(:func:`callscope.services.quality.scope_agents`, filtered in the service). Evaluating,
deciding disputes, coaching, the sampling plan and calibration are ``evaluate`` (qa,
supervisor, admin; a supervisor evaluates, decides and coaches for their teams' agents
only). Only the agent of an evaluation acknowledges or disputes it (the service checks
it is theirs).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import EVALUATE, EXPORT, VIEW_KPIS, Principal, scope_of
from callscope.errors import CallscopeError, NotAllowed
from callscope.services import quality as q
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


@router.post("/api/v1/qa/evaluations/{evaluation_id}/acknowledge", tags=["quality"])
async def acknowledge_api(request: Request, p: Viewer, evaluation_id: str) -> dict[str, Any]:
    """The agent accepts their open evaluation as it is; the evaluation after."""
    st = state(request)
    req = q.AcknowledgeRequest(evaluation_id, p.name, agent=p.agent or "")
    return _view_json(await run_in_threadpool(st.write, q.acknowledge, req, st.audit_now()))


@router.post("/api/v1/qa/evaluations/{evaluation_id}/dispute", tags=["quality"])
async def dispute_api(
    request: Request,
    p: Viewer,
    evaluation_id: str,
    body: Annotated[
        dict[str, Any], Body(examples=[{"items": {"greeting": "I did greet at 0:04"}}])
    ] = {},  # noqa: B006 (FastAPI reads it, never mutated)
) -> dict[str, Any]:
    """The agent disputes items of their open evaluation: ``items`` (item -> why)."""
    st = state(request)
    items = body.get("items") if isinstance(body.get("items"), dict) else {}
    reasons = {str(k): str(v) for k, v in (items or {}).items()}
    req = q.DisputeRequest(evaluation_id, reasons, p.name, agent=p.agent or "")
    return _view_json(await run_in_threadpool(st.write, q.dispute, req, st.audit_now()))


@router.post("/api/v1/qa/evaluations/{evaluation_id}/decide", tags=["quality"])
async def decide_api(
    request: Request,
    p: Evaluator,
    evaluation_id: str,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"item": "greeting", "accept": True, "answer": "yes", "note": "heard it"}]),
    ] = {},  # noqa: B006 (FastAPI reads it, never mutated)
) -> dict[str, Any]:
    """Decide one disputed item: ``item``, ``accept`` (true: with the corrected
    ``answer``, a new revision rescored; false: rejected), ``note``."""
    st = state(request)
    answer = body.get("answer")
    seen = await run_in_threadpool(_agents, request, p)
    req = q.DecideRequest(
        evaluation_id,
        str(body.get("item") or ""),
        body.get("accept") is True,
        None if answer is None else str(answer),
        str(body.get("note") or ""),
        p.name,
        agents=seen,
    )
    return _view_json(await run_in_threadpool(st.write, q.decide, req, st.audit_now()))


# -- evaluating a contact --------------------------------------------------------------


async def _evaluate_page(
    request: Request,
    form_name: str,
    values: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Any:
    st = state(request)
    p: Principal = request.state.principal
    seen = await run_in_threadpool(_agents, request, p)
    cid = str(values.get("contact") or "")
    contact = await run_in_threadpool(st.read, q.contact_summary, cid, seen) if cid else None
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
            "contact": contact,
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


# -- coaching --------------------------------------------------------------------------


def _teams(p: Principal) -> tuple[str, ...] | None:
    """The teams whose coaching tasks ``p`` sees (None: every team)."""
    teams = scope_of(p).teams
    return None if teams is None else tuple(sorted(teams))


def _coaching(request: Request, p: Principal, every: bool) -> list[dict[str, Any]]:
    return state(request).read(q.coaching, not every, _teams(p))


async def _coaching_page(
    request: Request, p: Principal, every: bool, status: int = 200, **extra: Any
) -> Any:
    rows = await run_in_threadpool(_coaching, request, p, every)
    return render(
        request,
        "quality_coaching.html",
        {"title": "Coaching", "rows": rows, "every": every, **extra},
        status=status,
    )


Every = Annotated[int, Query(alias="all", ge=0, le=1, description="1: closed tasks too")]


@router.get("/quality/coaching", include_in_schema=False)
async def coaching_page(request: Request, p: Evaluator, every: Every = 0) -> Any:
    return await _coaching_page(request, p, bool(every))


@router.get("/api/v1/qa/coaching", tags=["quality"])
async def coaching_api(request: Request, p: Evaluator, every: Every = 0) -> list[dict[str, Any]]:
    """Coaching tasks opened by low evaluations (open ones; ``all=1``: closed too) of the
    teams the caller may see."""
    rows = await run_in_threadpool(_coaching, request, p, bool(every))
    return clean(rows)  # type: ignore[no-any-return]


@router.post("/quality/coaching/close", include_in_schema=False)
async def coaching_close(request: Request, p: Evaluator) -> Any:
    """Close a coaching task: fields ``task``, ``note`` (what was done)."""
    st = state(request)
    form = await request.form()
    task = form.get("task")
    note = form.get("note")
    task = task.strip()[:100] if isinstance(task, str) else ""
    note = note.strip()[:2000] if isinstance(note, str) else ""
    req = q.CloseTaskRequest(task, note, p.name, teams=_teams(p))
    try:
        await run_in_threadpool(st.write, q.close_task, req, st.audit_now())
    except CallscopeError as e:
        err = {**_error(e, "note"), "task": task}
        status = 403 if isinstance(e, NotAllowed) else 400
        return await _coaching_page(request, p, False, status, error=err, note=note)
    return await _coaching_page(request, p, False, closed=task)


# -- forms -----------------------------------------------------------------------------


async def _forms_page(
    request: Request, name: str, version: int | None, status: int = 200, **extra: Any
) -> Any:
    st = state(request)
    forms = await run_in_threadpool(st.read, q.form_versions)
    error = None
    form = body = None
    try:
        form, body = await run_in_threadpool(st.read, q.form_yaml, name or "default", version)
    except CallscopeError as e:
        error = _error(e, "name")
    ctx = {"title": "Forms", "forms": forms, "f": form, "body": body, "error": error, **extra}
    return render(request, "quality_forms.html", ctx, status=400 if error else status)


@router.get("/quality/forms", include_in_schema=False)
async def forms_page(
    request: Request,
    p: Viewer,
    name: Text = "default",
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Any:
    return await _forms_page(request, name, version)


@router.post("/quality/forms", include_in_schema=False)
async def forms_add(request: Request, p: Evaluator) -> Any:
    """Store a form from the YAML of the page's text box: a new version when it scores
    differently from the newest stored one, nothing when it is the same."""
    st = state(request)
    data = await request.form()
    text = data.get("yaml")
    text = text[:200_000] if isinstance(text, str) else ""
    try:
        added = await run_in_threadpool(st.write, q.add_form_text, text, "the form", st.audit_now())
    except CallscopeError as e:
        return await _forms_page(
            request, "default", None, 400, add_error=_error(e, "yaml"), posted=text
        )
    f = added.form
    return await _forms_page(request, f.name, f.version, added=added)


@router.get("/api/v1/qa/forms", tags=["quality"])
async def forms_api(request: Request, p: Viewer) -> list[dict[str, Any]]:
    """Every stored form version: name, version, sections, items, N/A policy, added."""
    rows = await run_in_threadpool(state(request).read, q.form_versions)
    return clean(rows)  # type: ignore[no-any-return]


@router.get("/quality/forms/yaml", include_in_schema=False)
async def form_yaml_download(
    request: Request,
    p: Viewer,
    name: Text = "default",
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Any:
    """A form version as YAML (edit it and add it with `callscope qa forms add`)."""
    from fastapi.responses import Response

    form, body = await run_in_threadpool(state(request).read, q.form_yaml, name, version)
    return Response(
        body,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{form.name}-v{form.version}.yaml"'},
    )
