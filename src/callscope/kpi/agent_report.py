"""The agent report: one row per agent and a total row, with target status.

Columns (``KPIS.md``, "the per-agent report of the internal indicators"): answered,
average talk, total talk, average ACW, AHT, utilization %, average hold, contacts per
hour, total talk minutes. Each row also carries ``<kpi>_status`` (red / amber / green)
for the KPIs that have a target in :class:`~callscope.kpi.targets.Targets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callscope.kpi.engine import IbisSource, compute_kpis
from callscope.kpi.params import KpiParams
from callscope.kpi.targets import Targets

__all__ = ["AGENT_COLUMNS", "AgentReport", "agent_report"]

#: (output column, source KPI column, title)
AGENT_COLUMNS = (
    ("answered", "handled", "Answered"),
    ("avg_talk_s", "avg_talk_s", "Avg talk (s)"),
    ("total_talk_s", "total_talk_s", "Total talk (s)"),
    ("avg_acw_s", "avg_acw_s", "Avg ACW (s)"),
    ("aht_s", "aht_s", "AHT (s)"),
    ("utilization", "utilization", "Utilization"),
    ("avg_hold_s", "avg_hold_s", "Avg hold (s)"),
    ("contacts_per_hour", "contacts_per_hour", "Contacts / hour"),
    ("total_talk_min", "total_talk_s", "Total talk (min)"),
)
_RATED = ("aht_s", "avg_acw_s", "avg_hold_s", "utilization", "contacts_per_hour")


@dataclass(frozen=True)
class AgentReport:
    """Rows per agent (sorted by agent id) and the total row."""

    rows: list[dict[str, Any]]
    total: dict[str, Any]
    targets: Targets


def _row(src: dict[str, Any], targets: Targets) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col, kpi, _ in AGENT_COLUMNS:
        v = src.get(kpi)
        if col == "total_talk_min" and v is not None:
            v = v / 60.0
        out[col] = v
    for col in _RATED:
        out[f"{col}_status"] = targets.status(col, out[col])
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
    rows = []
    for r in by_agent:
        if r.get("agent") is None or not r.get("handled") and not r.get("logged_in_s"):
            continue
        rows.append({"agent": r["agent"], **_row(r, targets)})
    tot = {"agent": "Total", **_row(total[0] if total else {}, targets)}
    return AgentReport(rows, tot, targets)
