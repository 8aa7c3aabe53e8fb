"""The agent scorecard use case: per agent and month, the QA score, the KPIs of their
work, CSAT and NPS with their intervals, each against its target, and the ranking in
each team (:mod:`callscope.quality.scorecard`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    from callscope.quality.scorecard import Scorecard

__all__ = [
    "ScorecardRequest",
    "scorecard",
    "scorecard_targets",
    "scorecard_view",
    "write_scorecard_pdf",
]

#: scorecard measure -> its key in the settings' [targets] (where the names differ)
_TARGET_KEYS = {
    "aht_s": "aht",
    "avg_acw_s": "avg_acw",
    "avg_hold_s": "avg_hold",
    "first_response_s": "first_response",
}
_MEASURES = (
    "aht_s",
    "avg_acw_s",
    "avg_hold_s",
    "utilization",
    "contacts_per_hour",
    "fcr",
    "adherence",
    "first_response_s",
    "response_rate",
    "conversion_rate",
    "csat",
    "nps",
)


@dataclass(frozen=True, slots=True)
class ScorecardRequest:
    start: datetime | None = None  #: contacts of [start, end) (default: all)
    end: datetime | None = None
    agents: tuple[str, ...] | None = None  #: only these agents (an agent sees their own)
    teams: tuple[str, ...] | None = None  #: only these teams' agents
    confidence: float = 0.95


def scorecard_targets(settings: Settings) -> dict[str, tuple[float, str]]:
    """measure -> (bound, direction) from ``[targets]`` and ``quality.score_target``."""
    from callscope.settings import RAG_TARGETS

    out: dict[str, tuple[float, str]] = {"qa_score": (settings.qa_score_target, "at_least")}
    for m in _MEASURES:
        key = _TARGET_KEYS.get(m, m)
        out[m] = (float(settings.targets[key]), RAG_TARGETS[key][1])
    return out


def scorecard(settings: Settings, request: ScorecardRequest) -> Scorecard:
    """The scorecard lines and team ranking of ``[start, end)``."""
    from callscope.kpi.engine import compute_kpis, duckdb_source
    from callscope.kpi.targets import Target, rag
    from callscope.quality.intervals import survey_table
    from callscope.quality.scorecard import build_scorecard
    from callscope.services.common import open_store
    from callscope.services.kpi import KpiRequest, kpi_params
    from callscope.store.quality import agent_teams, evaluations_table, survey_rows

    if not 0.5 <= request.confidence < 1:
        raise CallscopeError(
            f"the confidence level is a share in [0.5, 1), e.g. 0.95; got {request.confidence:g}",
            field="confidence",
        )
    if request.start and request.end and request.end <= request.start:
        raise CallscopeError("the period ends before it starts", field="end")
    params = kpi_params(settings, KpiRequest())
    with open_store(settings, need_contacts=True) as store:
        teams = agent_teams(store)
        agents = request.agents
        if request.teams is not None:
            unknown = [t for t in request.teams if t not in set(teams.values())]
            if unknown:
                known = sorted({t for t in teams.values() if t})
                raise CallscopeError(
                    f"no agent is in team {unknown[0]!r}; teams: {', '.join(known) or 'none'}",
                    field="teams",
                )
            in_team = tuple(a for a, t in teams.items() if t in request.teams)
            agents = in_team if agents is None else tuple(a for a in agents if a in in_team)
        kpis = compute_kpis(
            duckdb_source(store), ("agent", "month"), params, request.start, request.end
        ).rows()
        evals = evaluations_table(store, agents, request.start, request.end).to_pylist()
        rows, handled = survey_rows(store, ("agent", "month"), request.start, request.end, agents)
    surveys = survey_table(rows, handled, ("agent", "month"), request.confidence).to_pylist()
    if agents is not None:
        keep = set(agents)
        kpis = [r for r in kpis if r.get("agent") in keep]

    def status(value: float | None, bound: float, direction: str) -> str | None:
        return rag(value, Target("", bound, direction, settings.amber_margin))

    return build_scorecard(
        kpis,
        evals,
        surveys,
        teams,
        scorecard_targets(settings),
        status,
        request.confidence,
    )


def scorecard_view(
    sc: Scorecard,
) -> tuple[list[tuple[str, str]], list[dict[str, str]], str]:
    """The scorecard as a wide table for people: (key, title) columns (agent, team,
    month, then each measure any agent has) and one row per agent and month, each cell
    the value with its unit, a status mark (✓ met, ~ near, ✗ missed) and, for QA and
    survey figures, how many evaluations or answers it rests on, in brackets; and the
    team or month every row shares (then not a column), as text."""
    from callscope.kpi.targets import STATUS_SYMBOLS
    from callscope.quality.scorecard import KPI_MEASURES
    from callscope.services.kpi import format_kpi, kpi_title

    order = ("qa_score", "csat", "nps", *KPI_MEASURES)
    lines = sc.lines.to_pylist()
    present = [m for m in order if any(r["measure"] == m for r in lines)]
    columns = [("agent", "Agent"), ("team", "Team"), ("month", "Month")] + [
        (m, "QA score" if m == "qa_score" else kpi_title(m)) for m in present
    ]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for r in lines:
        month = f"{r['month']:%Y-%m}"
        row = rows.setdefault(
            (r["agent"], month), {"agent": r["agent"], "team": r["team"] or "", "month": month}
        )
        v = r["value"]
        text = f"{v:.1f}" if r["measure"] == "qa_score" else format_kpi(r["measure"], v)
        if r["status"]:
            text += f" {STATUS_SYMBOLS[r['status']]}"
        if r["n"] is not None:
            text += f" ({r['n']})"
        row[r["measure"]] = text
    # a team or month shared by every row goes into the context, not a column
    context = []
    for key in ("team", "month"):
        seen = {row[key] for row in rows.values()}
        if len(seen) == 1:
            columns = [c for c in columns if c[0] != key]
            context.append(seen.pop() or "no team")
    return (
        columns,
        [{k: row.get(k, "") for k, _ in columns} for _, row in sorted(rows.items())],
        ", ".join(context),
    )


def write_scorecard_pdf(sc: Scorecard, path: Path) -> Path:
    """The scorecards as a PDF: for each team and month, the agents' table (as
    :func:`scorecard_view`) and the team's ranking."""
    from callscope.export.table_pdf import tables_pdf
    from callscope.quality.scorecard import Scorecard as _Scorecard

    pages = []
    lines = sc.lines.to_pylist()
    ranking = sc.ranking.to_pylist()
    groups = sorted({(r["month"], r["team"] or "") for r in lines})
    for month, team in groups:
        part = [r for r in lines if r["month"] == month and (r["team"] or "") == team]
        ranks = [r for r in ranking if r["month"] == month and (r["team"] or "") == team]
        sub = _Scorecard(_pa_table(part, sc.lines.schema), _pa_table(ranks, sc.ranking.schema))
        columns, rows, _ = scorecard_view(sub)
        where = f"{team or 'no team'}, {month:%Y-%m}"
        # on paper a measure a row and an agent a column, at most 8 agents a page
        measures = [(k, t) for k, t in columns if k not in ("agent", "team", "month")]
        for i in range(0, len(rows), 8):
            group = rows[i : i + 8]
            pages.append(
                (
                    f"Scorecards {where}: ✓ met, ~ near, ✗ missed; (n) evaluations or answers",
                    ["", *(r["agent"] for r in group)],
                    [[title, *(r.get(k, "") for r in group)] for k, title in measures],
                )
            )
        pages.append(
            (
                f"Ranking {where}",
                ["rank", "agent", "targets met", "of", "QA score"],
                [
                    [
                        str(r["rank"]),
                        r["agent"],
                        str(r["met"]),
                        str(r["rated"]),
                        "-" if r["qa_score"] is None else f"{r['qa_score']:.1f}",
                    ]
                    for r in ranks
                ],
            )
        )
    return tables_pdf(pages, path)


def _pa_table(rows: list[dict[str, Any]], schema: Any) -> Any:
    """Rows as an Arrow table of ``schema``."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema)
