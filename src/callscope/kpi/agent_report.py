"""The agent report: one row per agent, a row for work no agent is known for, and a
total row, with target status.

Columns (``KPIS.md``, "the per-agent report of the internal indicators"): answered,
average talk, total talk, average ACW, AHT, utilization %, average hold, contacts per
hour, total talk minutes.

* **Rows add up.** Contacts handled with no agent (the source names none, e.g. Anonymous
  Bank's ``NO_SERVER`` on an answered call) get their own row, agent
  :data:`NO_AGENT`, so every count column (``answered``, ``total_talk_s``,
  ``total_talk_min``) of the rows sums to the total row. That row has no status: it is
  not a person measured against a target.
* **Status as text.** Each row carries ``<column>_status`` (``"green"`` / ``"amber"`` /
  ``"red"``, ``None`` when unknown) for the columns with a target in
  :class:`~callscope.kpi.targets.Targets` (:attr:`AgentReport.rated`);
  :data:`~callscope.kpi.targets.STATUS_WORDS` and
  :data:`~callscope.kpi.targets.STATUS_SYMBOLS` turn it into a word ("met", "near",
  "missed") or a mark, so no reader depends on colour; :meth:`AgentReport.target_text`
  gives each target ("<= 300").
* **Only columns with data.** A column no row has a value for (hold and ACW on a source
  that logs neither; utilization and contacts per hour without agent sessions) is left
  out of every row; :attr:`AgentReport.columns` lists the columns kept, in order, and
  :attr:`AgentReport.omitted` the ones left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callscope.kpi.engine import IbisSource, compute_kpis
from callscope.kpi.params import KpiParams
from callscope.kpi.targets import Targets

__all__ = ["AGENT_COLUMNS", "COUNT_COLUMNS", "NO_AGENT", "AgentReport", "agent_report"]

#: (output column, source KPI column, title)
#: (values carry their units when shown: "224.3 s", "44.5 h")
AGENT_COLUMNS = (
    ("answered", "handled", "Answered"),
    ("avg_talk_s", "avg_talk_s", "Avg talk"),
    ("total_talk_s", "total_talk_s", "Total talk"),
    ("avg_acw_s", "avg_acw_s", "Avg ACW"),
    ("aht_s", "aht_s", "AHT"),
    ("utilization", "utilization", "Utilization"),
    ("avg_hold_s", "avg_hold_s", "Avg hold"),
    ("contacts_per_hour", "contacts_per_hour", "Contacts / hour"),
    ("total_talk_min", "total_talk_s", "Total talk (min)"),
)
#: The additive columns: the rows sum to the total row.
COUNT_COLUMNS = ("answered", "total_talk_s", "total_talk_min")
#: The agent of the row of contacts handled with no known agent.
NO_AGENT = "(no agent)"
_RATED = ("aht_s", "avg_acw_s", "avg_hold_s", "utilization", "contacts_per_hour")
_TITLES = {col: title for col, _, title in AGENT_COLUMNS}


@dataclass(frozen=True)
class AgentReport:
    """Rows per agent (sorted by agent id, then :data:`NO_AGENT` when some contacts have
    no agent) and the total row; each row holds ``agent``, the :attr:`columns` and
    ``<col>_status`` for the :attr:`rated` ones."""

    rows: list[dict[str, Any]]
    total: dict[str, Any]
    targets: Targets
    #: the output columns with data, in :data:`AGENT_COLUMNS` order
    columns: tuple[str, ...]
    #: the columns left out because no row has a value
    omitted: tuple[str, ...]
    #: the kept columns with a target, hence a ``<col>_status``
    rated: tuple[str, ...]

    def title(self, col: str) -> str:
        """The column's title (``"AHT"``; values are shown with their units)."""
        return _TITLES[col]

    def target_text(self, col: str) -> str | None:
        """The target of a rated column as text (``"<= 300"``), else ``None``."""
        return self.targets.describe(col) if col in self.rated else None


def _values(src: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col, kpi, _ in AGENT_COLUMNS:
        v = src.get(kpi)
        if col == "total_talk_min" and v is not None:
            v = v / 60.0
        out[col] = v
    return out


def agent_report(
    src: IbisSource,
    params: KpiParams | None = None,
    targets: Targets | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> AgentReport:
    """Compute the agent report (two queries: by agent, and the total)."""
    params = params or KpiParams()
    targets = targets or Targets()
    by_agent = compute_kpis(src, ("agent",), params, start, end).rows()
    total = compute_kpis(src, (), params, start, end).rows()
    people: list[dict[str, Any]] = []
    nobody: list[dict[str, Any]] = []
    for r in by_agent:
        if r.get("agent") is None:
            if r.get("handled"):  # handled with no agent; unanswered contacts have none
                nobody.append({"agent": NO_AGENT, **_values(r)})
        elif r.get("handled") or r.get("logged_in_s"):
            people.append({"agent": r["agent"], **_values(r)})
    tot = {"agent": "Total", **_values(total[0] if total else {})}
    rows = people + nobody
    columns = tuple(
        col for col, _, _ in AGENT_COLUMNS if any(r[col] is not None for r in [*rows, tot])
    )
    omitted = tuple(col for col, _, _ in AGENT_COLUMNS if col not in columns)
    rated = tuple(c for c in columns if c in _RATED)
    for r in [*rows, tot]:
        for col in omitted:
            del r[col]
        for col in rated:
            r[f"{col}_status"] = None if r["agent"] == NO_AGENT else targets.status(col, r[col])
    return AgentReport(rows, tot, targets, columns, omitted, rated)
