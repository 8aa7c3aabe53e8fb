"""The QA program's statistics in the browser: the sampling plan (which contacts to
evaluate, with the coverage), calibration (do the evaluators agree), the agent
scorecards and the survey figures with their intervals; each with its JSON under
``/api/v1/qa`` and a CSV / XLSX download. The navigation link and the evaluations are
in :mod:`callscope.web.routes.quality`; the same rules of who sees what apply (a
supervisor's sampling plan and scorecards are their teams' agents', an agent's
scorecard and surveys their own).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import Principal
from callscope.errors import CallscopeError
from callscope.services import qa_stats
from callscope.services import scorecard as sc
from callscope.web.deps import clean, render, state
from callscope.web.downloads import download
from callscope.web.routes.quality import (
    Evaluator,
    Exporter,
    Fmt,
    Text,
    Viewer,
    _agents,
    _day,
    _error,
)

__all__ = ["router"]

router = APIRouter()


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


# -- surveys ---------------------------------------------------------------------------

SURVEY_BY = ("agent", "team", "queue", "channel", "month", "week", "day")


def _surveys(request: Request, p: Principal, by: str, first: str, last: str) -> Any:
    keys = tuple(b.strip() for b in by.split(",") if b.strip()) or ("agent",)
    req = qa_stats.SurveyRequest(
        keys, _day(first, "from"), _day(last, "to", end=True), agents=_agents(request, p)
    )
    return keys, state(request).read(qa_stats.survey_summary, req)


def _survey_value(v: Any, method: str) -> str:
    if v is None:
        return "–"
    if method == "wilson":
        return f"{100 * v:.1f} %"
    return f"{v:.1f}" if method == "nps-analytic" else f"{v:.2f}"


@router.get("/quality/surveys", include_in_schema=False)
async def surveys_page(
    request: Request,
    p: Viewer,
    by: Text = "agent",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Any:
    error = None
    keys: tuple[str, ...] = ()
    rows: list[dict[str, Any]] = []
    try:
        keys, table = await run_in_threadpool(_surveys, request, p, by, first, last)
        rows = [
            {
                **r,
                "shown": _survey_value(r["value"], r["method"]),
                "ci": None
                if r["ci_low"] is None
                else f"{_survey_value(r['ci_low'], r['method'])} to "
                f"{_survey_value(r['ci_high'], r['method'])}",
            }
            for r in table.to_pylist()
        ]
    except CallscopeError as e:
        error = _error(e, "by")
    return render(
        request,
        "quality_surveys.html",
        {
            "title": "Surveys",
            "keys": keys,
            "rows": rows,
            "error": error,
            "choices": SURVEY_BY,
            "chosen": {"by": by, "from": first, "to": last},
            "query": request.url.query,
        },
        status=400 if error else 200,
    )


@router.get("/api/v1/qa/surveys", tags=["quality"])
async def surveys_api(
    request: Request,
    p: Viewer,
    by: Annotated[
        str,
        Query(
            max_length=100,
            description="agent, team, queue, channel, month, week, day (comma-separated)",
        ),
    ] = "agent",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> list[dict[str, Any]]:
    """CSAT, NPS, survey FCR and every other survey item per group, each with its
    answers, response rate and 95 % interval (an agent: their own surveys)."""
    _, table = await run_in_threadpool(_surveys, request, p, by, first, last)
    return clean(table.to_pylist())  # type: ignore[no-any-return]


@router.get("/quality/surveys/export", include_in_schema=False)
async def surveys_export(
    request: Request,
    p: Exporter,
    by: Text = "agent",
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    fmt: Fmt = "csv",
) -> Any:
    keys, table = await run_in_threadpool(_surveys, request, p, by, first, last)
    meta = {"by": ",".join(keys), "confidence": 0.95}
    return await download(request, table, fmt, "qa-surveys", meta)
