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


def test_an_upload_with_a_bad_row_shows_the_reject_with_its_line(fresh):
    c, body, _ = fresh
    r = _upload(c, body, name="../../etc/ctr export.jsonl")
    assert r.status_code == 200, r.text
    assert "7 rows read, 6 loaded" in r.text and "1 rejected" in r.text
    assert re.search(r'<td class="num">4</td><td>not valid JSON', r.text)
    # the rejects browser holds it with file, line, reason and the raw row
    page = c.get("/data").text
    assert "ctr_export.jsonl" in page  # the cleaned name, no folders
    rej = c.get("/api/v1/rejects").json()
    assert rej["total"] == 1
    (row,) = rej["rows"]
    assert row["line"] == 4 and row["reason"].startswith("not valid JSON")
    assert row["raw"].startswith('{"ContactId": "broken"')
    assert row["file"].endswith("/ctr_export.jsonl")
    hist = c.get("/api/v1/ingests").json()
    assert hist[0]["rows_loaded"] == 6 and hist[0]["rows_rejected"] == 1
    # the same file again adds nothing
    again = _upload(c, body, name="ctr export.jsonl")
    assert "already ingested" in again.text


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
