"""Presenting a KPI table: the main columns, the caption that says which definitions
produced the numbers, and each value formatted by its unit. (Files are written by
:mod:`callscope.export.tables`: Parquet keeps the metadata under ``callscope``, Excel
on a ``metadata`` sheet; JSON/CSV go to stdout with the caption on stderr.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from callscope.errors import CallscopeError
from callscope.kpi.catalog import kpi

__all__ = ["TABLE_COLUMNS", "describe", "format_value", "select_columns"]

#: Columns shown by the terminal table unless ``--columns`` says otherwise;
#: ``short_abandoned`` stands next to ``abandoned`` because the default abandonment rate
#: leaves short abandons out (one abandon of 3 s: abandoned 1, abandonment 0 %).
TABLE_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "service_level",
    "asa_s",
    "abandon_rate",
    "handled",
    "aht_s",
    "occupancy",
    "utilization",
    "adherence",
    "fcr",
    "csat",
    "nps",
)


def describe(meta: dict[str, Any]) -> str:
    """One line: ``preset=default sl_variant=offered sl_threshold_s=20 ...``, the notes
    on what the KPIs exclude (``abandonment excludes short abandons (wait <= 5 s)``),
    then the families left out for this grouping and why (``skipped states: cannot
    group by queue: ...``), except those skipped only because their table is empty.
    With per-channel / per-queue thresholds, ``sl_threshold_s`` says them in words:

    >>> from callscope.kpi.params import KpiParams
    >>> p = KpiParams(sl_thresholds=(("voice", None, 20.0), ("email", None, 86400.0)))
    >>> describe({"preset": "default", **p.describe()}).split(" short_abandon_s")[0]
    'preset=default sl_variant=offered sl_threshold_s=voice 20 s, email 24 h, else 20 s'
    """
    keys = (
        "engine",
        "preset",
        "sl_variant",
        "sl_threshold_s",
        "short_abandon_s",
        "occupancy_variant",
        "fcr_window_days",
        "interval_minutes",
    )
    shown = {**meta}
    if meta.get("sl_threshold_text"):
        shown["sl_threshold_s"] = meta["sl_threshold_text"]
    line = " ".join(f"{k}={shown[k]}" for k in keys if k in shown)
    if meta.get("notes"):
        line += "; " + "; ".join(meta["notes"])
    skipped = {
        f: why for f, why in (meta.get("skipped") or {}).items() if not why.startswith("no rows")
    }
    if skipped:
        line += "; skipped " + "; ".join(f"{f}: {why}" for f, why in skipped.items())
    return line


def select_columns(table: pa.Table, keys: Sequence[str], columns: Sequence[str] | None) -> pa.Table:
    """Keep the group keys and ``columns`` (all when ``None``)."""
    if not columns:
        return table
    unknown = [c for c in columns if c not in table.column_names]
    if unknown:
        raise CallscopeError(
            f"unknown column(s) {', '.join(unknown)}; available: "
            f"{', '.join(c for c in table.column_names if c not in keys)}"
        )
    return table.select([*keys, *[c for c in columns if c not in keys]])


def format_value(name: str, v: Any) -> str:
    """A KPI value for people, by the catalog's unit of ``name``: shares as percents,
    seconds with ``s`` (totals in hours), counts with thousands separators.

    >>> format_value("service_level", 0.5208), format_value("offered", 31125)
    ('52.1 %', '31,125')
    >>> format_value("asa_s", 40.8), format_value("total_talk_s", 4790100.0)
    ('40.8 s', '1,330.6 h')
    >>> format_value("nps", 42.0), format_value("csat", None)
    ('42', '-')
    """
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if hasattr(v, "isoformat"):
        s = v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
        return s[:16] if hasattr(v, "hour") else s
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    try:
        unit = kpi(name).unit
    except KeyError:
        unit = ""
    f = float(v)
    if unit == "fraction":
        return f"{100 * f:.1f} %"
    if unit == "s":  # long waits read better in minutes or hours
        if abs(f) >= 3600:
            return f"{f / 3600:,.1f} h"
        return f"{f / 60:,.1f} min" if abs(f) >= 1000 else f"{f:,.1f} s"
    if unit == "s total":
        return f"{f / 3600:,.1f} h"
    if unit in ("contacts", "count", "customers", "orders", "messages", "responses", "items"):
        return f"{f:,.0f}"
    if unit == "per hour":
        return f"{f:,.1f} /h"
    if unit == "points":
        return f"{f:,.0f}"
    if unit == "score":
        return f"{f:.2f}"
    if unit == "currency":
        return f"{f:,.2f}"
    return f"{f:,.0f}" if f.is_integer() else (f"{f:,.1f}" if abs(f) >= 10 else f"{f:.2f}")
