"""The agent scorecard: per agent and month, the QA score and the KPIs of the agent's
work, each against its target, and a ranking within each team.

Lines (one per agent, month and measure; a measure the agent has no data for, such as
first response for an agent who took no chats, is left out, so each agent sees the
KPIs of their own channel):

* ``qa_score``: the mean score of the agent's evaluated contacts of that month (each
  evaluation's current revision; a contact several evaluators scored, as in a
  calibration, counts once with the mean of their scores), with the number of
  contacts and the t interval
  ``mean +- t(n-1) s / sqrt(n)`` clipped to 0-100 (none for one evaluation); target
  ``quality.score_target``.
* ``csat`` (top-two share, Wilson interval) and ``nps`` (analytic interval) from the
  surveys of the month (:func:`callscope.quality.intervals.survey_table`), with the
  number of answers, so a CSAT from 3 answers shows a wide interval.
* the KPI engine's figures per agent and month: ``handled``, ``aht_s``, ``avg_acw_s``,
  ``avg_hold_s``, ``utilization``, ``contacts_per_hour``, ``fcr``, ``adherence`` (when
  schedules exist), the chat figures ``first_response_s``, ``avg_response_s``,
  ``response_rate`` (for agents with chat or e-mail messages) and the e-commerce ones
  ``conversion_rate``, ``avg_order_value``, ``unpaid_rate`` (for agents who chat or
  take orders).

Each line with a target carries it, its direction and a status (``green`` met, ``amber``
missed by at most the amber margin, ``red``) from the ``status`` function the caller
passes (the KPI package's rule, so it is written once).

The **ranking** orders the agents of each team and month by the share of their rated
lines that are green, then by QA score, then by name; rank 1 is the best.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from callscope.quality.intervals import mean_interval

__all__ = ["KPI_MEASURES", "LINE_SCHEMA", "RANK_SCHEMA", "Scorecard", "build_scorecard"]

#: E-commerce measures: shown for agents who chat or take orders (a voice agent's
#: "conversion" of 0 % says nothing).
_SALES = ("conversion_rate", "avg_order_value", "unpaid_rate")
#: The KPI engine's measures on a scorecard, in order.
KPI_MEASURES = (
    "handled",
    "aht_s",
    "avg_acw_s",
    "avg_hold_s",
    "utilization",
    "contacts_per_hour",
    "fcr",
    "adherence",
    "first_response_s",
    "avg_response_s",
    "response_rate",
    "conversion_rate",
    "avg_order_value",
    "unpaid_rate",
)

LINE_SCHEMA = pa.schema(
    [
        ("agent", pa.string()),
        ("team", pa.string()),
        ("month", pa.date32()),
        ("measure", pa.string()),
        ("value", pa.float64()),
        ("n", pa.int64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("target", pa.float64()),
        ("direction", pa.string()),
        ("status", pa.string()),
    ]
)
RANK_SCHEMA = pa.schema(
    [
        ("month", pa.date32()),
        ("team", pa.string()),
        ("rank", pa.int64()),
        ("agent", pa.string()),
        ("met", pa.int64()),
        ("rated", pa.int64()),
        ("qa_score", pa.float64()),
    ]
)

#: (value, target, direction) -> "green" | "amber" | "red" | None
StatusFn = Callable[[float | None, float, str], str | None]


@dataclass(frozen=True)
class Scorecard:
    """Scorecard lines (:data:`LINE_SCHEMA`) and the team ranking (:data:`RANK_SCHEMA`)."""

    lines: pa.Table
    ranking: pa.Table


def _month(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date().replace(day=1)
    if isinstance(v, date):
        return v.replace(day=1)
    raise TypeError(f"not a date: {v!r}")


def _finite(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def build_scorecard(
    kpi_rows: Iterable[Mapping[str, Any]],
    evaluations: Iterable[Mapping[str, Any]],
    surveys: Iterable[Mapping[str, Any]],
    teams: Mapping[str, str | None],
    targets: Mapping[str, tuple[float, str]],
    status: StatusFn,
    confidence: float = 0.95,
) -> Scorecard:
    """The scorecard of ``kpi_rows`` (the KPI engine's rows by agent and month),
    ``evaluations`` (agent, contact_ts, score: current revisions), ``surveys`` (rows of
    :func:`~callscope.quality.intervals.survey_table` by agent and month), ``teams``
    (agent -> team) and ``targets`` (measure -> (bound, ``at_least``/``at_most``)).

    >>> sc = build_scorecard(
    ...     [{"agent": "A", "month": date(2025, 1, 1), "handled": 10, "aht_s": 280.0}],
    ...     [{"agent": "A", "contact_ts": datetime(2025, 1, 9), "score": 90.0}],
    ...     [], {"A": "North"}, {"qa_score": (85.0, "at_least"), "aht_s": (300.0, "at_most")},
    ...     lambda v, t, d: None if v is None else ("green" if (v >= t) == (d == "at_least") else "red"),
    ... )
    >>> [(r["measure"], r["value"], r["status"]) for r in sc.lines.to_pylist()]
    [('qa_score', 90.0, 'green'), ('handled', 10.0, None), ('aht_s', 280.0, 'green')]
    """
    lines: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)

    def add(
        agent: str,
        month: date,
        measure: str,
        value: float | None,
        n: int | None = None,
        ci: tuple[float | None, float | None] = (None, None),
    ) -> None:
        if value is None:
            return
        bound = targets.get(measure)
        lines[(agent, month)].append(
            {
                "agent": agent,
                "team": teams.get(agent),
                "month": month,
                "measure": measure,
                "value": value,
                "n": n,
                "ci_low": ci[0],
                "ci_high": ci[1],
                "target": bound[0] if bound else None,
                "direction": bound[1] if bound else None,
                "status": status(value, bound[0], bound[1]) if bound else None,
            }
        )

    # each contact counts once: several evaluators of one contact (a calibration) give
    # the mean of their scores
    per_contact: dict[tuple[str, date], dict[Any, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for i, e in enumerate(evaluations):
        if e.get("score") is None or e.get("contact_ts") is None or e.get("agent") is None:
            continue
        key = (str(e["agent"]), _month(e["contact_ts"]))
        per_contact[key][e.get("contact_id", i)].append(float(e["score"]))
    scores = {
        key: [sum(v) / len(v) for v in contacts.values()] for key, contacts in per_contact.items()
    }
    kpis: dict[tuple[str, date], Mapping[str, Any]] = {}
    for r in kpi_rows:
        if r.get("agent") is None or r.get("month") is None:
            continue
        kpis[(str(r["agent"]), _month(r["month"]))] = r
    survey: dict[tuple[str, date], dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for r in surveys:
        if r.get("agent") is None or r.get("month") is None:
            continue
        survey[(str(r["agent"]), _month(r["month"]))][str(r["measure"])] = r
    keys = sorted(set(scores) | set(kpis) | set(survey))
    for key in keys:
        agent, month = key
        s = scores.get(key)
        if s:
            lo, hi = mean_interval(s, confidence) if len(s) > 1 else (math.nan, math.nan)
            ci = (_finite(max(lo, 0.0)), _finite(min(hi, 100.0)))  # a score is 0-100
            add(agent, month, "qa_score", sum(s) / len(s), len(s), ci)
        for m in ("csat", "nps"):
            sr = survey.get(key, {}).get(m)
            if sr is not None and sr.get("answers"):
                add(
                    agent,
                    month,
                    m,
                    _finite(sr["value"]),
                    int(sr["answers"]),
                    (_finite(sr["ci_low"]), _finite(sr["ci_high"])),
                )
        k: Mapping[str, Any] = kpis.get(key, {})
        chats = bool(k.get("customer_messages")) or bool(k.get("orders"))
        for m in KPI_MEASURES:
            v = _finite(k.get(m))
            if (m == "handled" and not v) or (m in _SALES and not chats):
                continue
            add(agent, month, m, v)
    flat = [line for key in keys for line in lines.get(key, [])]
    return Scorecard(pa.Table.from_pylist(flat, LINE_SCHEMA), _ranking(lines))


def _ranking(lines: Mapping[tuple[str, date], Sequence[Mapping[str, Any]]]) -> pa.Table:
    groups: dict[tuple[date, str], list[dict[str, Any]]] = defaultdict(list)
    for (agent, month), rows in lines.items():
        if not rows:
            continue
        rated = [r for r in rows if r["status"] is not None]
        qa = next((r["value"] for r in rows if r["measure"] == "qa_score"), None)
        team = rows[0]["team"] or ""
        groups[(month, team)].append(
            {
                "month": month,
                "team": rows[0]["team"],
                "agent": agent,
                "met": sum(r["status"] == "green" for r in rated),
                "rated": len(rated),
                "qa_score": qa,
            }
        )
    out: list[dict[str, Any]] = []
    for key in sorted(groups):
        ranked = sorted(
            groups[key],
            key=lambda r: (
                -(r["met"] / r["rated"]) if r["rated"] else 0.0,
                -(r["qa_score"] if r["qa_score"] is not None else -1.0),
                r["agent"],
            ),
        )
        out.extend({**r, "rank": i} for i, r in enumerate(ranked, start=1))
    return pa.Table.from_pylist(out, RANK_SCHEMA)
