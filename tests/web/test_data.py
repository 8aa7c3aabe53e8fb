"""The data page: an upload with a bad row shows the reject with its line; mistakes
are one line next to their field; the store busy in another process is one line."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from webtools import PASSWORD, csrf_of, make_app, sign_in

from callscope.settings import load_settings


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, center):
    """An empty store with one analyst, and a contact-record file whose line 4 is bad."""
    from callscope.services.users import AddUserRequest, add_user

    root = tmp_path_factory.mktemp("upload")
    settings = load_settings(db=root / "up.duckdb", env={}, cwd=root)
    add_user(settings, AddUserRequest("ana", "analyst", PASSWORD), datetime(2026, 2, 1))
    lines = (center.db.parent / "sample" / "contact_records.jsonl").read_text().splitlines()[:6]
    lines.insert(3, '{"ContactId": "broken", "InitiationTimestamp": "not a time"')
    app = make_app(type(center)(settings, root / "up.duckdb", {}))
    c = TestClient(app)
    assert sign_in(c, "ana").status_code == 303
    return c, ("\n".join(lines) + "\n").encode(), settings


def _upload(c, body: bytes, name: str = "ctr.jsonl", fmt: str = "amazon-connect", **extra):
    token = csrf_of(c.get("/data").text)
    return c.post(
        "/data/upload",
        data={"csrf_token": token, "format": fmt, **extra},
        files={"file": (name, body)},
    )


def _finished(c, job_id: str) -> dict:
    for _ in range(300):
        status = c.get(f"/api/v1/ingest/jobs/{job_id}").json()
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError(f"upload {job_id} still running: {status}")


def test_an_upload_loads_in_the_background_and_links_its_rejects(fresh):
    c, body, _ = fresh
    r = _upload(c, body, name="../../etc/ctr export.jsonl")
    assert r.status_code == 200, r.text  # the page, after the 303, with the progress line
    assert 'id="upload-progress"' in r.text and "ctr_export.jsonl" in r.text
    job_id = str(r.url.params["job"])
    status = _finished(c, job_id)
    assert status["state"] == "done", status
    counts = status["counts"]
    assert (counts["rows_read"], counts["rows_loaded"], counts["rows_rejected"]) == (7, 6, 1)
    assert counts["file"].endswith("/ctr_export.jsonl")  # the cleaned name, no folders
    assert status["message"].startswith("ctr_export.jsonl: 7 rows read, 6 loaded, 1 rejected")
    # the finished job on the page, and its link to the rejects of that file
    page = c.get(f"/data?job={job_id}").text
    assert "7 rows read, 6 loaded, 1 rejected" in page
    link = re.search(r'id="upload-rejects-link" href="([^"]+)"', page)
    assert link and link.group(1).replace("&amp;", "&") == status["url"]
    rej_page = c.get(status["url"]).text
    assert re.search(r'<td class="num" data-v="4">4</td><td>not valid JSON', rej_page), (
        "the reject with its line"
    )
    assert "Rejected rows of ctr_export.jsonl" in rej_page
    rej = c.get("/api/v1/rejects").json()
    assert rej["total"] == 1
    (row,) = rej["rows"]
    assert row["line"] == 4 and row["reason"].startswith("not valid JSON")
    assert row["raw"].startswith('{"ContactId": "broken"')
    assert row["file"] == counts["file"]
    hist = c.get("/api/v1/ingests").json()
    assert hist[0]["rows_loaded"] == 6 and hist[0]["rows_rejected"] == 1
    # the same file again adds nothing
    again = _finished(c, str(_upload(c, body, name="ctr export.jsonl").url.params["job"]))
    assert again["state"] == "done" and "already ingested" in again["message"]


def test_the_upload_job_api(fresh, center):
    """``POST /api/v1/ingest/jobs`` starts one, its status says how far it is; a mistake
    is 400 naming the field, nothing started; a file no row of which reads fails."""
    c, body, settings = fresh
    token = csrf_of(c.get("/data").text)
    h = {"X-CSRF-Token": token}
    lines = body.decode().splitlines()
    other = ("\n".join([*lines[:2], '{"ContactId": "x2"}']) + "\n").encode()
    r = c.post(
        "/api/v1/ingest/jobs",
        data={"format": "amazon-connect"},
        files={"file": ("more.jsonl", other)},
        headers=h,
    )
    assert r.status_code == 202, r.text
    assert r.json()["status_url"] == f"/api/v1/ingest/jobs/{r.json()['job']}"
    status = _finished(c, r.json()["job"])
    assert status["state"] == "done" and status["kind"] == "upload"
    assert (
        status["counts"]["rows_read"]
        == status["counts"]["rows_loaded"]
        + status["counts"]["rows_rejected"]
        + status["counts"]["rows_duplicate"]
    )
    r = c.post(
        "/api/v1/ingest/jobs",
        data={"format": "asterisk", "timezone": "Mars/Olympus"},
        files={"file": ("q.log", b"x")},
        headers=h,
    )
    assert r.status_code == 400 and r.json()["field"] == "timezone"
    r = c.post(
        "/api/v1/ingest/jobs",
        data={"format": "asterisk"},
        files={"file": ("junk.log", b"not a queue log\nat all\n")},
        headers=h,
    )
    failed = _finished(c, r.json()["job"])
    assert failed["state"] == "failed" and "no row could be read as asterisk" in failed["error"]
    assert "\n" not in failed["error"]
    r = c.get("/api/v1/ingest/jobs/nope")
    assert r.status_code == 404 and "no upload nope" in r.json()["error"]


def test_upload_mistakes_are_one_line_next_to_their_field(fresh):
    c, body, _ = fresh
    r = _upload(c, b"a,b\n1,2\n", name="x.csv", fmt="csv")
    assert r.status_code == 400
    assert re.search(r'data-field="mapping">csv files need a column mapping', r.text)
    r = _upload(c, b"", name="empty.log", fmt="asterisk")
    assert re.search(r'data-field="file">the file is empty', r.text)
    r = _upload(c, body, fmt="excel")
    assert re.search(r'data-field="format">unknown format', r.text)
    r = _upload(c, body, timezone="Mars/Olympus")
    assert r.status_code == 400 and "Mars/Olympus" in r.text


def test_an_upload_larger_than_the_limit_is_refused(center):
    app = make_app(center, max_upload_bytes=1000)
    c = TestClient(app)
    assert sign_in(c, "ana").status_code == 303
    r = _upload(c, b"x" * 5000)
    assert r.status_code == 413 and "larger than" in r.text


def test_the_store_busy_in_another_process_is_one_line(fresh):
    """`callscope ingest` holding the store: pages and the API say so in one line (503),
    and work again when it is done; the server holds the store only per request, so
    the CLI can use it while the server runs."""
    c, _, settings = fresh
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(settings.db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        r = c.get("/api/v1/ingests")
        assert r.status_code == 503
        msg = r.json()["error"]
        assert "in use by another process" in msg and "\n" not in msg
        page = c.get("/data")
        assert page.status_code == 503 and "The store is busy" in page.text
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    assert c.get("/api/v1/ingests").status_code == 200
    # and a CLI command runs beside the server
    from callscope.services.users import list_users

    assert [u.name for u in list_users(settings)] == ["ana"]


def test_progress_is_answered_while_the_store_is_loading(fresh):
    """A load holds the store's write gate for its whole length: the progress poll and
    the page of the running job still answer (who is asking was just seen; the page
    leaves the store's tables for when the load is done)."""
    import os
    import threading

    from callscope.web.jobs import jobs_of

    c, _, settings = fresh
    assert c.get("/data").status_code == 200  # who is asking: seen, kept
    st = c.app.state.callscope
    job = jobs_of(st, "upload_jobs").start("upload", "ana", st.now(), {"file": "big.log"})
    job.step = "loading big.log"
    job.counts = lambda: {"rows_read": 1200, "rows_loaded": 1100, "rows_rejected": 3}
    got: dict[str, object] = {}

    def ask() -> None:
        got["status"] = c.get(f"/api/v1/ingest/jobs/{job.id}").json()
        got["page"] = c.get(f"/data?job={job.id}").text

    with st.gate.write():
        os.utime(settings.db)  # the store changes as it loads
        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(timeout=20)
        answered = not asking.is_alive()
    asking.join()
    job.state = "done"
    assert answered, "the poll waited for the load"
    status = got["status"]
    assert isinstance(status, dict) and status["state"] == "running"
    assert status["counts"] == {"rows_read": 1200, "rows_loaded": 1100, "rows_rejected": 3}
    page = str(got["page"])
    assert 'data-poll="1"' in page and "1,100</span> loaded" in page
    assert 'id="history-later"' in page
