"""Build the manager's HTML report: one self-contained file (inline CSS and SVG).

Contents, in the order a manager looks: headline KPIs against targets; offered volume
and service level by interval of the day against the SL target; abandonment by day;
AHT by day; when the store holds schedules, each agent's scheduled activities on the
last scheduled day of the period (a timeline); the agent table with red / amber / green
status. The footer states the preset, SL variant and thresholds.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2

from callscope.export.charts import bars_with_line, line_chart, timeline_svg
from callscope.kpi.agent_report import agent_report
from callscope.kpi.catalog import kpi
from callscope.kpi.engine import IbisSource, compute_kpis
from callscope.kpi.output import format_value
from callscope.kpi.params import KpiParams
from callscope.kpi.targets import Targets

__all__ = ["build_report", "interval_profile", "schedule_timeline"]

_HEADLINE = (
    "offered",
    "answered",
    "service_level",
    "asa_s",
    "abandon_rate",
    "aht_s",
    "occupancy",
    "fcr",
    "csat",
)


def interval_profile(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold per-interval rows into a time-of-day profile: mean offered per day, and the
    service level of each interval of the day averaged over the days weighted by offered
    (for the ``offered`` variant this is exactly the pooled ratio)."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    days: set[Any] = set()
    for r in rows:
        ts = r["interval_start"]
        if ts is None:
            continue
        days.add(ts.date())
        a = acc[ts.strftime("%H:%M")]
        off = r.get("offered") or 0
        a[0] += off
        if r.get("service_level") is not None and off:
            a[1] += r["service_level"] * off
            a[2] += off
    n = max(1, len(days))
    return [
        {"label": k, "offered": v[0] / n, "service_level": (v[1] / v[2]) if v[2] else None}
        for k, v in sorted(acc.items())
    ]


def schedule_timeline(
    src: IbisSource, start: datetime | None = None, end: datetime | None = None
) -> tuple[str, list[tuple[str, str, float, float]]] | None:
    """The last day of the period with scheduled activities, and each activity of that
    day as ``(agent, activity, from, to)`` in hours after its midnight (activities
    crossing midnight are cut at the day's edges); ``None`` without schedules."""
    t = src.table("schedules")
    if start is not None:
        t = t.filter(t.end_ts > start)
    if end is not None:
        t = t.filter(t.start_ts < end)
    last = t.start_ts.max().to_pyarrow().as_py()
    if last is None:
        return None
    day = datetime(last.year, last.month, last.day)
    nxt = day + timedelta(days=1)
    rows = (
        t.filter((t.start_ts < nxt) & (t.end_ts > day))
        .select("agent", "activity", "start_ts", "end_ts")
        .order_by(["agent", "start_ts"])
        .to_pyarrow()
        .to_pylist()
    )

    def hours(ts: datetime) -> float:
        return (min(max(ts, day), nxt) - day).total_seconds() / 3600

    spans = [
        (str(r["agent"]), str(r["activity"]), hours(r["start_ts"]), hours(r["end_ts"]))
        for r in rows
    ]
    return f"{day:%a %Y-%m-%d}", spans


def build_report(
    src: IbisSource,
    params: KpiParams | None = None,
    targets: Targets | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    title: str = "Contact center report",
    now: datetime | None = None,
) -> str:
    """The HTML text of the report; ``now`` is the time it says it was made."""
    params = params or KpiParams()
    targets = targets or Targets()
    total_r = compute_kpis(src, (), params, start, end)
    total = total_r.rows()[0] if total_r.table.num_rows else {}
    by_interval = compute_kpis(src, ("interval_start",), params, start, end).rows()
    by_day = compute_kpis(src, ("day",), params, start, end).rows()
    agents = agent_report(src, params, targets, start, end)

    prof = [p for p in interval_profile(by_interval) if p["offered"] > 0]
    charts = []
    if prof:
        charts.append(
            (
                "Volume and service level by interval of the day",
                bars_with_line(
                    [p["label"] for p in prof],
                    [p["offered"] for p in prof],
                    [p["service_level"] for p in prof],
                    bar_label="offered per day",
                    line_label="service level %",
                    target=targets.service_level,
                    title=f"Offered and SL ({params.sl_variant}, T = {params.threshold_text()})",
                ),
            )
        )
    days = [r for r in by_day if r["day"] is not None and (r.get("offered") or r.get("handled"))]
    if days:
        labels = [r["day"].isoformat() for r in days]
        charts.append(
            (
                "Abandonment by day",
                bars_with_line(
                    labels,
                    [r.get("abandoned") or 0 for r in days],
                    [r.get("abandon_rate") for r in days],
                    bar_label="abandoned",
                    line_label="abandonment rate %",
                    target=targets.abandon_rate,
                    title="Abandoned contacts and abandonment rate",
                ),
            )
        )
        charts.append(
            (
                "AHT trend",
                line_chart(
                    labels,
                    [r.get("aht_s") for r in days],
                    label="AHT (s)",
                    target=targets.aht_s,
                    title="Average handle time by day",
                ),
            )
        )
    timeline = schedule_timeline(src, start, end)
    if timeline is not None:
        day, spans = timeline
        charts.append(
            (
                f"Schedule of {day}",
                timeline_svg(spans, title="Scheduled activities per agent", unit="hour of the day"),
            )
        )
    headline = []
    for k in _HEADLINE:
        if k in total:
            headline.append(
                {
                    "name": k,
                    "title": kpi(k).title,
                    "value": format_value(k, total[k]),
                    "status": targets.status(k, total[k]) or "none",
                }
            )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    tpl = env.get_template("report.html.j2")
    agent_cols = [(c, agents.title(c)) for c in agents.columns]  # columns with data only

    def cell(row: dict[str, Any], col: str) -> dict[str, str]:
        name = "total_talk_s" if col == "total_talk_min" else col
        v = row.get(col)
        text = (
            format_value(name, v) if col != "total_talk_min" else ("-" if v is None else f"{v:.1f}")
        )
        return {"text": text, "status": row.get(f"{col}_status") or "none"}

    return tpl.render(
        title=title,
        generated=(now or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        period=f"{start or 'start of data'} - {end or 'end of data'}",
        meta=total_r.metadata(),
        threshold=params.threshold_text(),
        headline=headline,
        charts=[{"title": t, "svg": svg} for t, svg in charts],
        agent_cols=agent_cols,
        agent_rows=[
            {"agent": r["agent"], "cells": [cell(r, c) for c, _ in agent_cols]} for r in agents.rows
        ],
        agent_total={"agent": "Total", "cells": [cell(agents.total, c) for c, _ in agent_cols]},
        targets=targets,
    )
