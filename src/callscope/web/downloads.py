"""Downloads of what a page shows: CSV or XLSX through
:func:`callscope.export.tables.write_table`, audited.

A text cell that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: a queue named ``=HYPERLINK(...)``) is written with a
leading ``'``, so opening a download never runs what a source file put in it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from callscope.errors import CallscopeError
from callscope.web.deps import state

__all__ = ["DOWNLOAD_FORMATS", "defuse", "download"]

DOWNLOAD_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA = r"^[=+\-@\t\r]"


def defuse(table: pa.Table) -> pa.Table:
    """``table`` with formula-like text cells prefixed by ``'`` (module docstring)."""
    cols = []
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            risky = pc.match_substring_regex(col, _FORMULA)
            col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _write(table: pa.Table, fmt: str, meta: dict[str, Any]) -> bytes:
    from callscope.export.tables import write_table

    if fmt == "csv":
        return (write_table(table, "csv", None, meta) or "").encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="callscope-dl-") as tmp:
        path = Path(tmp) / "out.xlsx"
        write_table(table, "xlsx", path, meta, sheet="data")
        return path.read_bytes()


async def download(
    request: Request, table: pa.Table, fmt: str, name: str, meta: dict[str, Any]
) -> Response:
    """``table`` as a ``fmt`` attachment named ``name.fmt``; the export is audited."""
    if fmt not in DOWNLOAD_FORMATS:
        raise CallscopeError(
            f"unknown format {fmt!r}; use {' or '.join(DOWNLOAD_FORMATS)}", field="format"
        )
    st = state(request)
    body = await run_in_threadpool(_write, defuse(table), fmt, meta)
    who = request.state.principal
    await run_in_threadpool(
        st.audit,
        who.name,
        "export",
        name,
        {"format": fmt, "rows": table.num_rows, "query": str(request.url.query)[:500]},
    )
    return Response(
        body,
        media_type=DOWNLOAD_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
