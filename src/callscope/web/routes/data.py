"""Data: the ingest history, the rejects browser (file, line, reason, raw row) and an
upload form that loads a file through :func:`callscope.services.ingest.ingest`.

An upload is written to a private temporary folder under a cleaned name (its own base
name, letters, digits, ``.``, ``_`` and ``-`` only), ingested in one transaction per
file as from the command line, and deleted; what could not be read lands in the
rejects with the line. A mistake (unknown format, a mapping that does not fit, a file
that is not text) is one line shown next to the field it is about.

The page's upload runs as a background job (:mod:`callscope.web.jobs`): the form is
checked in the request (a mistake is its line, nothing started), the file then loads in
a thread while the page polls ``GET /api/v1/ingest/jobs/{id}`` for rows read, loaded
and rejected so far, and ends with the result and a link to that file's rejects.
``POST /api/v1/ingest`` loads in the request; ``POST /api/v1/ingest/jobs`` starts a job.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import EXPORT, UPLOAD, VIEW_DATA, Principal
from callscope.errors import CallscopeError
from callscope.services.dashboard import ingest_history
from callscope.services.ingest import (
    FORMATS,
    IngestRequest,
    RejectsRequest,
    check_ingest,
    ingest,
    rejects,
)
from callscope.web.deps import AppState, Require, clean, render, state
from callscope.web.downloads import download
from callscope.web.jobs import KEEP_JOBS, Job, Jobs, jobs_of, one_line

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


JobQ = Annotated[str | None, Query(max_length=40, pattern="^[A-Za-z0-9_-]*$")]


@router.get("/data", include_in_schema=False)
async def data_page(
    request: Request, p: DataViewer, file: FileQ = None, limit: LimitQ = 200, job: JobQ = None
) -> Any:
    st = state(request)
    watch = _jobs(st).get(job) if job else None
    shown = watch.status(st.now()) if watch is not None else None
    if shown is not None and shown["state"] == "running":  # the store is busy loading it
        ctx: dict[str, Any] = {"history": None, "rejects": [], "rejects_total": None}
    else:
        ctx = await run_in_threadpool(_data, request, file, limit)
    return render(
        request,
        "data.html",
        {"title": "Data", "formats": FORMATS, "file": file, "form": {}, "job": shown, **ctx},
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
    """The upload loaded in this request (``POST /api/v1/ingest``)."""
    st = state(request)
    tmp, req = _prepare(request, upload, fmt, mapping, timezone)
    try:
        summary = st.write(ingest, req)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    files = summary.files
    name = req.paths[0].name
    detail = {
        "file": name,
        "format": fmt,
        "rows_loaded": sum(f.rows_loaded for f in files),
        "rows_rejected": sum(f.rows_rejected for f in files),
    }
    st.audit(p.name, "upload", name, detail)
    return summary


Upload = Annotated[UploadFile, File(description="The file to load.")]
FormatF = Annotated[
    str, Form(alias="format", description="asterisk, amazon-connect, anonymous-bank or csv")
]
MappingF = Annotated[UploadFile | None, File(description="Column mapping (TOML/YAML) for csv.")]
TzF = Annotated[str | None, Form(max_length=64, description="Time zone of epoch/UTC sources.")]


def _prepare(
    request: Request,
    upload: UploadFile,
    fmt: str,
    mapping: UploadFile | None,
    timezone: str | None,
) -> tuple[Path, IngestRequest]:
    """The upload (and its mapping) saved in a private temporary folder, and checked
    (:func:`~callscope.services.ingest.check_ingest`) before any loading; the folder is
    removed again on a mistake."""
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
        st.read(check_ingest, req)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, req


def _jobs(st: AppState) -> Jobs:
    return jobs_of(st, "upload_jobs")


def _run_upload(st: AppState, job: Job, req: IngestRequest, tmp: Path, actor: str) -> None:
    """The ingest of one uploaded file, in the job's thread: its counts as it goes, then
    the result with the link to the file's rejects; audited; the upload removed."""
    name = req.paths[0].name
    try:
        job.step = f"waiting for the store to load {name}"

        def watch(counts: Any) -> None:
            job.step = f"loading {name}"
            job.counts = counts

        summary = st.write(ingest, req, None, watch)
        f = summary.files[0]
        final = {
            "file": f.file,
            "rows_read": f.rows_read,
            "rows_loaded": f.rows_loaded,
            "rows_rejected": f.rows_rejected,
            "rows_duplicate": f.rows_duplicate,
        }
        job.counts = lambda: final
        job.step = "writing the audit log"
        detail = {
            "file": name,
            "format": req.format,
            "rows_loaded": f.rows_loaded,
            "rows_rejected": f.rows_rejected,
        }
        st.audit(actor, "upload", name, detail)
        job.message = (
            f"{name}: {f.rows_read:,} rows read, {f.rows_loaded:,} loaded, "
            f"{f.rows_rejected:,} rejected"
            + (f", {f.rows_duplicate:,} already stored" if f.rows_duplicate else "")
            + (f" ({f.skipped})" if f.skipped else "")
        )
        job.url = f"/data?job={job.id}&file={quote(f.file, safe='')}#rejects"
        job.step, job.state = "done", "done"
    except Exception as e:  # noqa: BLE001 - every failure ends the job with its one line
        job.error, job.step, job.state = one_line(e), "failed", "failed"
    finally:
        job.finished = st.now()
        shutil.rmtree(tmp, ignore_errors=True)


def _start_upload(
    request: Request,
    p: Principal,
    upload: UploadFile,
    fmt: str,
    mapping: UploadFile | None,
    timezone: str | None,
) -> Job:
    st = state(request)
    tmp, req = _prepare(request, upload, fmt, mapping, timezone)
    asked = {"file": req.paths[0].name, "format": fmt}
    job = _jobs(st).start("upload", p.name, st.now(), asked)
    threading.Thread(
        target=_run_upload, args=(st, job, req, tmp, p.name), name=f"upload-{job.id}", daemon=True
    ).start()
    return job


@router.post("/data/upload", include_in_schema=False)
async def upload_page(
    request: Request,
    p: Uploader,
    file: Upload,
    fmt: FormatF = "",
    mapping: MappingF = None,
    timezone: TzF = None,
) -> Any:
    """Check the upload, start loading it, show its progress (303 to the page); a
    mistake is one line next to its field, nothing started."""
    try:
        job = await run_in_threadpool(_start_upload, request, p, file, fmt, mapping, timezone)
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
                "form": {"format": fmt, "timezone": timezone or ""},
                "error": error,
                **ctx,
            },
            status=400,
        )
    return RedirectResponse(f"/data?job={job.id}", status_code=303)


@router.post("/api/v1/ingest/jobs", tags=["data"], status_code=202)
async def ingest_job_api(
    request: Request,
    p: Uploader,
    file: Upload,
    fmt: FormatF = "",
    mapping: MappingF = None,
    timezone: TzF = None,
) -> dict[str, Any]:
    """Start loading one file in the background (multipart form as ``/api/v1/ingest``);
    follow it at ``status_url``. A mistake seen before loading is 400 with the field."""
    job = await run_in_threadpool(_start_upload, request, p, file, fmt, mapping, timezone)
    return {"job": job.id, "status_url": f"/api/v1/ingest/jobs/{job.id}"}


@router.get("/api/v1/ingest/jobs/{job_id}", tags=["data"])
async def ingest_job_status(request: Request, p: DataViewer, job_id: str) -> Any:
    """An upload started here: ``state`` (running, done, failed), ``step``, ``counts``
    (``rows_read``, ``rows_loaded``, ``rows_rejected`` so far; at the end also
    ``rows_duplicate``), seconds so far, the one-line ``error``, ``url`` of the file's
    rejects."""
    st = state(request)
    job = _jobs(st).get(job_id)
    if job is None:
        return JSONResponse(
            {
                "error": f"no upload {job_id} (the server keeps the newest {KEEP_JOBS})",
                "field": None,
            },
            status_code=404,
        )
    return job.status(st.now())


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
