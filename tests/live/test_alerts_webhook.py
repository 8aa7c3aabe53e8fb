"""Alerts from the [alerts] settings, raised on the day's figures and POSTed to the
webhook once each (when they appear, not while they stand); a webhook that fails is told
again with the next check; alerts are gone when the floor recovers."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from callscope.live.events import parse_event
from callscope.live.hub import Hub
from callscope.settings import load_settings

NOW = datetime(2026, 1, 12, 9, 0, tzinfo=UTC).timestamp()


class Hook(BaseHTTPRequestHandler):
    got: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        n = int(self.headers["Content-Length"])
        Hook.got.append(json.loads(self.rfile.read(n)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def hook():
    Hook.got = []
    server = HTTPServer(("127.0.0.1", 0), Hook)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", server
    server.shutdown()
    server.server_close()


def _ev(i: int, typ: str, ago_s: float, **kw: object):
    ts = datetime.fromtimestamp(NOW - ago_s, UTC).isoformat()
    return parse_event({"id": f"e{i}", "type": typ, "ts": ts, **kw})


def test_alerts_are_sent_once_when_they_appear(tmp_path, hook):
    from callscope.services.live import AlertWatcher, live_setup, post_events

    url, server = hook
    settings = load_settings(db=tmp_path / "s.duckdb", env={}, cwd=tmp_path)
    settings = settings.override("test", alert_webhook=url, alert_waiting=1)
    setup = live_setup(settings)
    hub = Hub(tmp_path / "journal", setup.config).start()
    try:
        post_events(
            hub,
            [
                _ev(1, "agent.state", 1000, agent="A1", state="paused", reason="lunch"),
                _ev(2, "agent.state", 60, agent="A2", state="paused", reason="coffee"),
                _ev(3, "contact.queued", 30, contact="c1", queue="Sales"),
                _ev(4, "contact.queued", 200, contact="c2", queue="Sales"),
            ],
        )
        w = AlertWatcher(settings, hub, setup)
        new = w.check(NOW)
        assert sorted(a.key for a in new) == [
            "longest_wait:Sales",  # 200 s > 120 s
            "paused:A1",  # 1000 s > 900 s; A2's 60 s is not
            "waiting:Sales",  # 2 > 1
        ]
        assert len(Hook.got) == 1 and w.sent == 3
        sent = {a["key"]: a["message"] for a in Hook.got[0]["alerts"]}
        assert sent["paused:A1"] == "A1 paused (lunch) for 16:40, longer than 15:00"
        assert w.check(NOW + 2) == [] and len(Hook.got) == 1  # standing: not sent again

        post_events(hub, [_ev(5, "agent.state", 0, agent="A1", state="available")])
        assert w.check(NOW + 4) == [] and "paused:A1" not in w.standing
        server.shutdown()  # the webhook is down: kept, told again next time
        server.server_close()
        post_events(hub, [_ev(7, "agent.state", 0, agent="A2", state="paused")])
        assert [a.key for a in w.check(NOW + 1000)] == ["paused:A2"]  # Sales' still stand
        assert w.error is not None and "paused:A2" not in w.standing
    finally:
        hub.stop()
