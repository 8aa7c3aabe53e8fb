"""Data: the ingest history, the rejects browser (file, line, reason, raw row) and an
upload form that loads a file through :func:`callscope.services.ingest.ingest`.

An upload is written to a private temporary folder under a cleaned name (its own base
name, letters, digits, ``.``, ``_`` and ``-`` only), ingested in one transaction per
file as from the command line, and deleted; what could not be read lands in the
rejects with the line. A mistake (unknown format, a mapping that does not fit, a file
that is not text) is one line shown next to the field it is about.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import EXPORT, UPLOAD, VIEW_DATA, Principal
from callscope.errors import CallscopeError
from callscope.services.dashboard import ingest_history
from callscope.services.ingest import FORMATS, IngestRequest, RejectsRequest, ingest, rejects
from callscope.web.deps import Require, clean, render, state
from callscope.web.downloads import download

router = APIRouter()

DataViewer = Annotated[Principal, Depends(Require(VIEW_DATA))]
Uploader = Annotated[Principal, Depends(Require(UPLOAD))]
_CHUNK = 1 << 20


def _clean_name(name: str | None, default: str) -> str:
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")[:100]
    return base or default


def _data(request: Request, file: str | None, limit: int) -> dict[str, Any]:
    st = state(request)
    history = st.read(ingest_history)
    rej = st.read(rejects, RejectsRequest(file=file or None, limit=limit))
    return {"history": history, "rejects": rej.rows, "rejects_total": rej.total}


FileQ = Annotated[str | None, Query(max_length=4096)]
LimitQ = Annotated[int, Query(ge=1, le=10_000)]


@router.get("/data", include_in_schema=False)
async def data_page(
    request: Request, p: DataViewer, file: FileQ = None, limit: LimitQ = 200
) -> Any:
    ctx = await run_in_threadpool(_data, request, file, limit)
    return render(
        request,
        "data.html",
        {"title": "Data", "formats": FORMATS, "file": file, "form": {}, **ctx},
    )


@router.get("/api/v1/ingests", tags=["data"])
async def ingests_api(request: Request, p: DataViewer) -> list[dict[str, Any]]:
    """The files loaded, newest first: format, rows read, loaded, rejected, duplicate."""
    st = state(request)
    return clean(await run_in_threadpool(st.read, ingest_history))  # type: ignore[no-any-return]


@router.get("/api/v1/rejects", tags=["data"])
async def rejects_api(
    request: Request, p: DataViewer, file: FileQ = None, limit: LimitQ = 200
) -> dict[str, Any]:
    """Rows that could not be loaded (of one ``file``, or all): file, line, reason and
    the raw text, newest first."""
    st = state(request)
    r = await run_in_threadpool(st.read, rejects, RejectsRequest(file=file or None, limit=limit))
    return clean({"total": r.total, "rows": r.rows})


@router.get("/data/rejects/export", include_in_schema=False)
async def rejects_export(
    request: Request,
    p: DataViewer,
    e: Annotated[Principal, Depends(Require(EXPORT))],
    file: FileQ = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Any:
    import pyarrow as pa

    st = state(request)
    r = await run_in_threadpool(st.read, rejects, RejectsRequest(file=file or None, limit=0))
    table = (
        pa.Table.from_pylist(r.rows) if r.rows else pa.table({"file": pa.array([], pa.string())})
    )
    return await download(request, table, fmt, "rejects", {"file": file or "all"})


def _ingest(
    request: Request,
    p: Principal,
    upload: UploadFile,
    fmt: str,
    mapping: UploadFile | None,
    timezone: str | None,
) -> Any:
    st = state(request)
    if fmt not in FORMATS:
        raise CallscopeError(
            f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", field="format"
        )
    tmp = Path(tempfile.mkdtemp(prefix="callscope-upload-"))
    try:
        path = tmp / _clean_name(upload.filename, "upload")
        with open(path, "wb") as out:
            shutil.copyfileobj(upload.file, out, _CHUNK)
        if path.stat().st_size == 0:
            raise CallscopeError("the file is empty; choose the file to load", field="file")
        map_path = None
        if mapping is not None and mapping.filename:
            map_path = tmp / f"mapping-{_clean_name(mapping.filename, 'mapping.toml')}"
            with open(map_path, "wb") as out:
                shutil.copyfileobj(mapping.file, out, _CHUNK)
            if map_path.stat().st_size > 1 << 20:
                raise CallscopeError("a mapping file is at most 1 MiB", field="mapping")
        req = IngestRequest((path,), fmt, map_path, (timezone or "").strip() or None)
        summary = st.write(ingest, req)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    files = summary.files
    detail = {
        "file": path.name,
        "format": fmt,
        "rows_loaded": sum(f.rows_loaded for f in files),
        "rows_rejected": sum(f.rows_rejected for f in files),
    }
    st.audit(p.name, "upload", path.name, detail)
    return summary


Upload = Annotated[UploadFile, File(description="The file to load.")]
FormatF = Annotated[
    str, Form(alias="format", description="asterisk, amazon-connect, anonymous-bank or csv")
]
MappingF = Annotated[UploadFile | None, File(description="Column mapping (TOML/YAML) for csv.")]
TzF = Annotated[str | None, Form(max_length=64, description="Time zone of epoch/UTC sources.")]


@router.post("/data/upload", include_in_schema=False)
async def upload_page(
    request: Request,
    p: Uploader,
    file: Upload,
    fmt: FormatF = "",
    mapping: MappingF = None,
    timezone: TzF = None,
) -> Any:
    form = {"format": fmt, "timezone": timezone or ""}
    error = None
    summary = None
    try:
        summary = await run_in_threadpool(_ingest, request, p, file, fmt, mapping, timezone)
    except CallscopeError as e:
        error = {"field": e.field or "file", "message": " ".join(str(e).split())}
    ctx = await run_in_threadpool(_data, request, None, 200)
    return render(
        request,
        "data.html",
        {
            "title": "Data",
            "formats": FORMATS,
            "file": None,
            "form": form,
            "error": error,
            "summary": summary,
            **ctx,
        },
        status=400 if error else 200,
    )


@router.post("/api/v1/ingest", tags=["data"])
async def ingest_api(
    request: Request,
    p: Uploader,
    file: Upload,
    fmt: FormatF = "",
    mapping: MappingF = None,
    timezone: TzF = None,
) -> dict[str, Any]:
    """Load one file (multipart form: ``file``, ``format``, ``mapping`` for csv,
    ``timezone``): rows read, loaded, rejected and the rejects with their lines."""
    summary = await run_in_threadpool(_ingest, request, p, file, fmt, mapping, timezone)
    return clean({"files": summary.files, "rejects": summary.rejects[:1000]})
