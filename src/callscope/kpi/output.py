"""Writing a KPI table: JSON rows, CSV, Parquet, Excel, or a Rich table.

Every format says which preset, service-level variant and thresholds produced it:
Parquet in the schema metadata (key ``callscope``), Excel on a ``metadata`` sheet, the
Rich table in its caption, and JSON/CSV on stdout with the metadata line on stderr.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from callscope.errors import CallscopeError

__all__ = ["FORMATS", "TABLE_COLUMNS", "describe", "format_value", "select_columns", "write_table"]

FORMATS = ("table", "json", "csv", "parquet", "xlsx")

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
    group by queue: ...``), except those skipped only because their table is empty."""
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
    line = " ".join(f"{k}={meta[k]}" for k in keys if k in meta)
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
    """Human formatting: rates as %, seconds with one decimal, counts as integers."""
    if v is None:
        return "-"
    if isinstance(v, float):
        if name in (
            "service_level",
            "abandon_rate",
            "occupancy",
            "utilization",
            "availability",
            "adherence",
            "conformance",
            "shrinkage",
            "fcr",
            "repeat_rate",
            "csat",
            "transfer_rate",
            "response_rate",
            "unpaid_rate",
            "conversion_rate",
            "fcr_survey",
            "fcr_reported",
        ):
            return f"{100 * v:.1f}%"
        if v.is_integer() and not name.endswith("_s"):
            return f"{int(v)}"
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    if hasattr(v, "isoformat"):
        s = v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
        return s[:16] if hasattr(v, "hour") else s
    return str(v)


def write_table(table: pa.Table, fmt: str, meta: dict[str, Any], output: Path | None) -> str | None:
    """Write ``table`` in ``fmt`` to ``output`` (or return the text for stdout)."""
    if fmt not in FORMATS:
        raise CallscopeError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in ("parquet", "xlsx") and output is None:
        raise CallscopeError(f"--format {fmt} needs --output FILE")
    if fmt == "json":
        text = json.dumps(table.to_pylist(), default=str, indent=2) + "\n"
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(table.column_names)
        for row in table.to_pylist():
            w.writerow(["" if v is None else v for v in row.values()])
        text = buf.getvalue()
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        md = dict(table.schema.metadata or {})
        md[b"callscope"] = json.dumps(meta, default=str).encode()
        pq.write_table(table.replace_schema_metadata(md), output)
        return None
    elif fmt == "xlsx":
        _write_xlsx(table, meta, output)  # type: ignore[arg-type]
        return None
    else:
        raise CallscopeError("the table format is printed by the CLI")
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
        return None
    return text


def _write_xlsx(table: pa.Table, meta: dict[str, Any], output: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "kpis"
    ws.append(table.column_names)
    for row in table.to_pylist():
        ws.append([v if not isinstance(v, (list, dict)) else str(v) for v in row.values()])
    md = wb.create_sheet("metadata")
    for k, v in meta.items():
        md.append([k, json.dumps(v, default=str) if isinstance(v, (list, dict)) else v])
    wb.save(output)
