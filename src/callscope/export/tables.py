"""Arrow tables to CSV, JSON, Parquet and XLSX, without a Python loop over cells for
the first three.

* **CSV**: Arrow's CSV writer (text quoted, numbers bare); non-finite numbers (an
  unstable queue's ASA) are written empty, like a missing value.
* **JSON**: an array of row objects, one per line, built column by column with Arrow's
  string kernels; non-finite numbers are ``null`` (``Infinity`` is not JSON), timestamps
  ISO 8601 text.
* **Parquet**: Arrow's writer; ``meta`` goes in the schema metadata under ``callscope``.
* **XLSX**: openpyxl in write-only mode (a sheet of the rows, a ``metadata`` sheet).

Output goes to a file, or, for the text formats, comes back as a string for stdout.

>>> import pyarrow as pa
>>> t = pa.table({"q": ["a", "b,c"], "x": [1.5, float("inf")], "ok": [True, None]})
>>> print(write_table(t, "json"), end="")
[
{"q":"a","x":1.5,"ok":true},
{"q":"b,c","x":null,"ok":null}
]
>>> print(write_table(t, "csv"), end="")
q,x,ok
"a",1.5,true
"b,c",,
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from callscope.errors import CallscopeError

__all__ = [
    "FORMATS",
    "TEXT_FORMATS",
    "finite_or_null",
    "write_table",
    "write_workbook",
    "xlsx_cell",
]

#: Formats :func:`write_table` writes.
FORMATS = ("csv", "json", "parquet", "xlsx")
#: Formats that can go to stdout.
TEXT_FORMATS = ("csv", "json")


#: Decimals kept in written numbers (a service level to a millionth, seconds to a
#: microsecond): shorter files, faster writing, no false precision.
DECIMALS = 6


def finite_or_null(table: pa.Table) -> pa.Table:
    """``table`` with every float rounded to :data:`DECIMALS` decimals and every NaN or
    infinite one replaced by null, and timestamps in whole seconds written without a
    fraction."""
    cols = []
    for col in table.columns:
        if pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_finite(col), pc.round(col, DECIMALS), pa.nulls(1, col.type)[0])
        elif pa.types.is_timestamp(col.type) and col.type.unit != "s":
            with contextlib.suppress(pa.ArrowInvalid):  # sub-second values: keep them
                col = pc.cast(col, pa.timestamp("s", col.type.tz))
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def write_table(
    table: pa.Table,
    fmt: str,
    path: Path | None = None,
    meta: Mapping[str, Any] | None = None,
    *,
    sheet: str = "data",
) -> str | None:
    """Write ``table`` as ``fmt`` to ``path``; with no path, return the text (CSV and
    JSON only). ``meta`` (what produced the numbers) goes into Parquet's schema
    metadata and an XLSX ``metadata`` sheet; the rows go on sheet ``sheet``."""
    if fmt not in FORMATS:
        raise CallscopeError(
            f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    if path is None and fmt not in TEXT_FORMATS:
        raise CallscopeError(f"format {fmt} is binary: give an output file", field="output")
    clean = finite_or_null(table)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        opts = pacsv.WriteOptions(quoting_style="needed", include_header=False)
        if path is not None:
            with open(path, "wb") as f:
                f.write(_csv_header(clean.column_names))
                pacsv.write_csv(clean, f, opts)
            return None
        buf = io.BytesIO()
        buf.write(_csv_header(clean.column_names))
        pacsv.write_csv(clean, buf, opts)
        return buf.getvalue().decode("utf-8")
    if fmt == "json":
        text = _json(clean)
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None
    if fmt == "parquet":
        import pyarrow.parquet as pq

        md = dict(clean.schema.metadata or {})
        if meta:
            md[b"callscope"] = json.dumps(dict(meta), default=str).encode()
        pq.write_table(clean.replace_schema_metadata(md), str(path))
        return None
    _xlsx(clean, Path(path), meta or {}, sheet)  # type: ignore[arg-type]
    return None


def _csv_header(names: list[str]) -> bytes:
    """The header line, names quoted only where CSV needs it (as the rows are)."""
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(names)
    return out.getvalue().encode("utf-8")


def _quoted(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """JSON string literals of a string column (nulls stay null)."""
    s = col
    for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        s = pc.replace_substring(s, a, b)
    if pc.any(pc.match_substring_regex(s, "[\\x00-\\x1f]")).as_py():
        return pa.array(
            [None if v is None else json.dumps(v) for v in col.to_pylist()], pa.string()
        )
    return pc.binary_join_element_wise('"', s, '"', "")


def _literal(col: pa.ChunkedArray) -> pa.Array:
    """JSON literals of one column as strings (``null`` for nulls)."""
    t = col.type
    if pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t):
        s = pc.cast(col, pa.string())
    elif pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t):
        text = (
            pc.strftime(col, "%Y-%m-%dT%H:%M:%S")
            if pa.types.is_timestamp(t)
            else pc.cast(col, pa.string())
        )
        s = _quoted(text)
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        s = _quoted(col)
    elif pa.types.is_dictionary(t):
        s = _quoted(pc.cast(col, pa.string()))
    else:
        s = pa.array(
            [None if v is None else json.dumps(v, default=str) for v in col.to_pylist()],
            pa.string(),
        )
    return pc.fill_null(s, "null")


def _json(table: pa.Table) -> str:
    if table.num_rows == 0:
        return "[]\n"
    parts: list[Any] = []
    for i, name in enumerate(table.column_names):
        key = json.dumps(name) + ":"
        parts.append(("{" if i == 0 else ",") + key)
        parts.append(_literal(table.column(i)))
    parts.append("}")
    rows = pc.binary_join_element_wise(*parts, "")
    return "[\n" + ",\n".join(rows.to_pylist()) + "\n]\n"


def xlsx_cell(ws: Any, value: Any) -> Any:
    """One value for an openpyxl write-only sheet. Text is always text: openpyxl would
    read a string starting with ``=`` as a formula (a CSV/XLSX injection), so such a
    cell is typed as a string explicitly; lists and dicts become their text."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, (list, dict)):
        value = str(value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_workbook(path: Path, sheets: Mapping[str, pa.Table], meta: Mapping[str, Any]) -> None:
    """Several tables as the sheets of one XLSX file (non-finite numbers empty, text
    always text), and ``meta`` on a last ``metadata`` sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, table in sheets.items():
        clean = finite_or_null(table)
        ws = wb.create_sheet(name)
        ws.append([xlsx_cell(ws, c) for c in clean.column_names])
        for batch in clean.to_batches(max_chunksize=10_000):
            cols = [c.to_pylist() for c in batch.columns]
            for row in zip(*cols, strict=True):
                ws.append([xlsx_cell(ws, v) for v in row])
    md = wb.create_sheet("metadata")
    for k, v in meta.items():
        text = json.dumps(v, default=str) if isinstance(v, (list, dict)) else v
        md.append([xlsx_cell(md, k), xlsx_cell(md, text)])
    wb.save(path)


def _xlsx(table: pa.Table, path: Path, meta: Mapping[str, Any], sheet: str) -> None:
    write_workbook(path, {sheet: table}, meta)
