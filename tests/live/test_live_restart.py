"""Nothing acknowledged is lost, nothing counted twice: `callscope serve` killed with
SIGKILL in the middle of a day fed through the API, or through a followed queue_log,
then started again over the same store and journal, ends the day with `/api/v1/live`
equal to `callscope kpi` of the same calls, and with a store (contacts settled live)
that gives `callscope kpi` the same figures, every column."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from liveserver import Server
from livetools import DAY, admin_token, batch_kpis, day_events, live_rows, same, same_rows

from callscope.settings import load_settings

pytestmark = pytest.mark.slow
LIVE = f"/api/v1/live?day={DAY.isoformat()}"


def _settled(server: Server) -> bool:
    s = server.get("/api/v1/live/status")
    return s["pending_settlement"] == 0 and s["settle_error"] is None


def test_events_acknowledged_before_a_kill_are_kept_once(day_log, tmp_path):
    settings = load_settings(db=tmp_path / "live.duckdb", env={}, cwd=tmp_path)
    token = admin_token(settings)
    events = day_events(day_log.path)
    chunks = [events[i : i + 100] for i in range(0, len(events), 100)]
    acked: set[str] = set()
    server = Server(settings.db, token)
    try:
        for chunk in chunks[:12]:
            status, body = server.post_events(chunk)
            assert status == 200, body
            acked |= {a["id"] for a in body["acks"]}
        # a request in flight when the server dies: not acknowledged, maybe kept
        flying = threading.Thread(target=lambda: _try_post(server, chunks[12]))
        flying.start()
        server.kill()
        flying.join()
    finally:
        if server.proc.poll() is None:
            server.kill()
    assert len(acked) == 1200

    server = Server(settings.db, token)
    try:
        before = server.get(LIVE)
        assert before["seq"] >= 1  # rebuilt from the journal
        again = {}
        for chunk in chunks:  # everything sent again, as a client that lost its acks would
            status, body = server.post_events(chunk)
            assert status == 200, body
            again.update({a["id"]: a["status"] for a in body["acks"]})
        assert {i for i in acked if again[i] != "duplicate"} == set()  # every ack kept
        view = server.get(LIVE)
        assert view["held"] == 0 and same(live_rows(view), day_log.batch) == []
        assert server.wait_for(lambda: _settled(server))
        server.kill()  # after settling: the next start settles the replay again
    finally:
        if server.proc.poll() is None:
            server.kill()

    server = Server(settings.db, token)
    try:
        assert same(live_rows(server.get(LIVE)), day_log.batch) == []
        assert server.wait_for(lambda: _settled(server))
    finally:
        server.stop()
    assert same_rows(batch_kpis(settings), day_log.batch) == []  # settled once per contact


def _try_post(server: Server, chunk: list[dict]) -> None:
    with contextlib.suppress(OSError):  # the connection died with the server: no ack
        server.post_events(chunk)


def _append(path: Path, lines: list[str]) -> None:
    with open(path, "a") as f:
        f.write("".join(line + "\n" for line in lines))


def test_a_followed_queue_log_survives_a_kill_and_a_rotation(day_log, tmp_path):
    settings = load_settings(db=tmp_path / "live.duckdb", env={}, cwd=tmp_path)
    token = admin_token(settings)
    lines = day_log.path.read_text().splitlines()
    log = tmp_path / "asterisk" / "queue_log"
    log.parent.mkdir()
    garbage = "this is not a queue_log line"
    first = [*lines[:100], garbage, *lines[100:1000]]  # the garbage is line 101
    server = Server(settings.db, token, follow=(log,))
    try:
        server.get(LIVE)  # the followed file does not exist yet: waited for
        for i in range(0, len(first), 250):
            _append(log, first[i : i + 250])
        server.wait_for(lambda: server.get("/api/v1/live/status")["followers"][0]["line"] > 500)
        server.kill()  # somewhere in the middle of the file, positions not saved
    finally:
        if server.proc.poll() is None:
            server.kill()

    server = Server(settings.db, token, follow=(log,))
    try:
        _append(log, lines[1000:2000])
        log.rename(log.with_name("queue_log.1"))  # rotated: the rest goes to a new file
        _append(log.with_name("queue_log.1"), lines[2000:2100])  # written before the switch
        _append(log, lines[2100:])
        total = sum(r["offered"] for r in day_log.batch.values())

        def done() -> dict | None:
            v = server.get(LIVE)
            n = sum(q["offered"] for q in v["queues"])
            return v if n == total and v["held"] == 0 and _settled(server) else None

        view = server.wait_for(done, timeout_s=90)
        assert view, server.get("/api/v1/live/status")
        assert same(live_rows(view), day_log.batch) == []
        assert all(q["waiting"] == 0 for q in view["queues"])
    finally:
        server.stop()
    assert same_rows(batch_kpis(settings), day_log.batch) == []
    from callscope.store import Store

    with Store(settings.db, read_only=True) as s:
        rejects = s.con.execute("SELECT file, line, reason FROM rejects").fetchall()
    assert [(f, n) for f, n, _ in rejects] == [(str(log), 101)]
    assert "expected at least 5 |-separated fields" in rejects[0][2]
