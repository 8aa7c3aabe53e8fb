"""The live API in the app: events acknowledged once durable, refused one by one,
re-sent ids changing nothing; /api/v1/live's shape; the stream; a restart rebuilding
the state from the journal; contacts finished live landing in the store."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path

import pytest

from callscope.settings import load_settings

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
PASSWORD = "correct horse battery staple"
T0 = "2026-01-12T08:00:"  # the app's clock is 2026-01-12 08:10 UTC


def ev(i, typ, sec, **kw):
    return {"id": f"e{i}", "type": typ, "ts": f"{T0}{sec:02d}Z", **kw}


@pytest.fixture()
def center(tmp_path: Path):
    from callscope.services.users import AddUserRequest, TokenRequest, add_user, create_token

    settings = load_settings(db=tmp_path / "live.duckdb", env={}, cwd=tmp_path)
    now = datetime(2026, 1, 12, 7, 0)
    add_user(settings, AddUserRequest("ada", "admin", PASSWORD), now)
    add_user(settings, AddUserRequest("carla", "agent", PASSWORD, agent="A1"), now)
    tokens = {n: create_token(settings, TokenRequest(n), now).token for n in ("ada", "carla")}
    yield settings, tokens
    from callscope.services.live import stop_hub

    stop_hub(settings)


def _app(settings):
    from callscope.web import create_app

    clock = lambda: datetime.fromisoformat("2026-01-12T08:10:00+00:00")  # noqa: E731
    return create_app(settings, secret=b"t" * 32, clock=clock)


def _client(settings, token, app=None):
    """A client of ``app`` (default: a new one). One app per store and process, as in
    ``callscope serve``: the hub settles through the app's gate."""
    from fastapi.testclient import TestClient

    c = TestClient(app if app is not None else _app(settings))
    c.headers["Authorization"] = f"Bearer {token}"
    return c


DAY = [
    ev(1, "agent.state", 0, agent="A1", state="available"),
    ev(2, "contact.queued", 1, contact="c1", queue="Sales", customer="+48 600 100 200"),
    ev(3, "contact.answered", 11, contact="c1", agent="A1"),
    ev(4, "contact.queued", 5, contact="c2", queue="Sales"),
    ev(5, "contact.abandoned", 50, contact="c2"),
    ev(6, "contact.ended", 59, contact="c1", talk_s=48),
    ev(7, "contact.queued", 30, contact="c3", queue="Support"),
    ev(8, "agent.state", 40, agent="A2", state="paused", reason="lunch"),
]


def test_events_in_figures_out_and_a_restart(center):
    from callscope.services.live import running_hub, stop_hub

    settings, tokens = center
    c = _client(settings, tokens["ada"])
    r = c.post("/api/v1/events", json=DAY)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stored"] == 8 and body["refused"] == []
    assert [a["seq"] for a in body["acks"]] == list(range(1, 9))
    live = c.get("/api/v1/live").json()
    assert set(live) >= {"as_of", "day", "queues", "agents"} and live["day"] == "2026-01-12"
    sales = {q["queue"]: q for q in live["queues"]}["Sales"]
    assert {k: sales[k] for k in ("offered", "answered", "abandoned")} == {
        "offered": 2,
        "answered": 1,
        "abandoned": 1,
    }
    assert sales["answered_within_threshold"] == 1 and sales["service_level"] == 0.5
    support = {q["queue"]: q for q in live["queues"]}["Support"]
    assert support["waiting"] == 1 and support["longest_wait_s"] == 570.0  # 08:00:30 -> 08:10
    agents = {a["agent"]: a for a in live["agents"]}
    assert agents["A2"]["state"] == "paused" and agents["A2"]["reason"] == "lunch"
    assert agents["A2"]["since"].startswith("2026-01-12T08:00:40")
    assert agents["A1"]["state"] == "available"

    # re-sent: nothing changes
    r = c.post("/api/v1/events", content="\n".join(json.dumps(e) for e in DAY[:3]))
    assert r.status_code == 200 and r.json()["duplicates"] == 3
    assert c.get("/api/v1/live").json()["queues"] == live["queues"]

    # a restart rebuilds the same figures from the journal; the finished contacts are
    # in the store (settled on stop), the caller as a pseudonym
    stop_hub(settings)
    assert running_hub(settings) is None
    again = _client(settings, tokens["ada"]).get("/api/v1/live").json()
    assert again["queues"] == live["queues"] and again["agents"] == live["agents"]
    stop_hub(settings)
    from callscope.store import Store

    with Store(settings.db, read_only=True) as s:
        rows = s.con.execute(
            "SELECT contact_id, outcome, wait_s, talk_s, agent, customer_key FROM contacts "
            "ORDER BY 1"
        ).fetchall()
    assert [r[:5] for r in rows] == [
        ("c1", "answered", 10.0, 48.0, "A1"),
        ("c2", "abandoned", 45.0, None, None),
    ]
    assert rows[0][5].startswith("p_")  # never the raw number
    journal = (settings.db.parent / "live.duckdb.live").glob("journal-*.jsonl")
    assert "600 100 200" not in "".join(p.read_text() for p in journal)


def test_bad_events_are_refused_one_by_one_and_the_others_land(center):
    settings, tokens = center
    c = _client(settings, tokens["ada"])
    bad = [
        DAY[1],
        {**DAY[3], "queue": None},  # missing field
        {**DAY[3], "id": "x1", "type": "contact.teleported"},  # unknown type
        {**DAY[3], "id": "x2", "ts": "12/01/2026 08:00"},  # bad timestamp
    ]
    r = c.post("/api/v1/events", json=bad)
    assert r.status_code == 207, r.text
    body = r.json()
    assert body["stored"] == 1
    assert [(x["index"], x["id"], x["field"]) for x in body["refused"]] == [
        (1, "e4", "queue"),
        (2, "x1", "type"),
        (3, "x2", "ts"),
    ]
    assert "needs queue" in body["refused"][0]["error"]
    r = c.post("/api/v1/events", json=bad[1:])
    assert r.status_code == 422 and r.json()["stored"] == 0
    r = c.post("/api/v1/events", content=b"[not json")
    assert r.status_code == 400 and r.json()["field"] == "events"


def test_who_may_post_and_watch(center):
    settings, tokens = center
    app = _app(settings)
    agent = _client(settings, tokens["carla"], app)
    r = agent.post("/api/v1/events", json=DAY[:1])
    assert r.status_code == 403
    admin = _client(settings, tokens["ada"], app)
    assert admin.post("/api/v1/events", json=DAY).status_code == 200
    mine = agent.get("/api/v1/live").json()
    assert [a["agent"] for a in mine["agents"]] == ["A1"]  # an agent sees only themselves
    assert len(mine["queues"]) == 2  # the queues are the center's


def test_the_stream_sends_snapshots(center):
    settings, tokens = center
    c = _client(settings, tokens["ada"])
    c.post("/api/v1/events", json=DAY)
    with c.stream("GET", "/api/v1/live/stream?limit=1") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    assert text.startswith("event: snapshot\ndata: ")
    data = json.loads(text.split("data: ", 1)[1])
    assert data["seq"] == 8 and len(data["queues"]) == 2
    page = c.get("/wallboard")
    assert page.status_code == 200 and 'id="live-data"' in page.text


def test_an_answer_before_its_queued_event_is_held_then_counted_once(center):
    settings, tokens = center
    c = _client(settings, tokens["ada"])
    answered = ev(3, "contact.answered", 11, contact="c1", agent="A1")
    queued = ev(2, "contact.queued", 1, contact="c1", queue="Sales")
    assert c.post("/api/v1/events", json=[answered]).status_code == 200
    live = c.get("/api/v1/live").json()
    assert live["held"] == 1 and live["queues"] == []  # no queue known yet: nothing counted
    assert c.post("/api/v1/events", json=[queued, answered]).json()["duplicates"] == 1
    live = c.get("/api/v1/live").json()
    sales = {q["queue"]: q for q in live["queues"]}["Sales"]
    assert live["held"] == 0
    assert (sales["offered"], sales["answered"], sales["waiting"]) == (1, 1, 0)
    assert sales["answered_within_threshold"] == 1  # waited 10 s


def test_an_event_is_acknowledged_only_once_it_is_in_the_journal(center, monkeypatch):
    from callscope.services.live import running_hub

    settings, tokens = center
    c = _client(settings, tokens["ada"])
    assert c.post("/api/v1/events", json=DAY[:2]).status_code == 200
    folder = settings.db.parent / "live.duckdb.live"

    def journal() -> str:
        return "".join(p.read_text() for p in sorted(folder.glob("journal-*.jsonl")))

    assert '"id":"e1"' in journal() and '"id":"e2"' in journal()  # there when acked
    hub = running_hub(settings)[0]
    before, seq = journal(), hub.state.seq

    def no_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("callscope.live.journal.os.fsync", no_disk)
    r = c.post("/api/v1/events", json=DAY[2:4])
    assert r.status_code == 503 and "No space left" in r.json()["error"], r.text
    assert journal() == before  # the unsynced part was taken back out
    assert hub.state.seq == seq  # and nothing applied
    monkeypatch.undo()
    r = c.post("/api/v1/events", json=DAY[2:4])
    assert r.status_code == 200 and r.json()["stored"] == 2  # sent again: taken


def test_real_time_adherence_beside_the_schedule(center):
    """The schedule in the store beside the live states, with the history's rules and
    the tolerance (5 min): at 08:10, A1 (scheduled work, available) is in adherence, A2
    (scheduled work, in at 08:00:20, paused since 08:00:40) is out of it, A3 (scheduled from 08:00, no
    event yet) started late."""
    from callscope.store import Store

    settings, tokens = center
    with Store(settings.db) as s:
        s.con.execute(
            "INSERT INTO schedules (agent, activity, start_ts, end_ts, source_file, "
            "source_line) VALUES ('A1', 'work', '2026-01-12 07:55', '2026-01-12 12:00', 't', 1),"
            "('A2', 'work', '2026-01-12 07:00', '2026-01-12 12:00', 't', 2),"
            "('A3', 'work', '2026-01-12 08:00', '2026-01-12 12:00', 't', 3),"
            "('A1', 'lunch', '2026-01-12 12:00', '2026-01-12 12:30', 't', 4)"
        )
    c = _client(settings, tokens["ada"])
    a2_in = ev(9, "agent.state", 20, agent="A2", state="available")  # late, then working
    assert c.post("/api/v1/events", json=[a2_in, *DAY]).status_code == 200
    live = c.get("/api/v1/live").json()
    agents = {a["agent"]: a for a in live["agents"]}
    assert agents["A1"]["scheduled"] == "work" and agents["A1"]["adherence"] is None
    a2 = agents["A2"]["adherence"]
    assert a2["kind"] == "unscheduled_aux" and a2["since"].startswith("2026-01-12T08:00:40")
    found = {x["key"]: x["message"] for x in live["alerts"] if x["kind"] == "adherence"}
    assert set(found) == {"adherence:A2", "adherence:A3"}
    assert "late start" in found["adherence:A3"] and "scheduled: work" in found["adherence:A3"]
    # the agent sees only their own figures: no alert about another agent
    mine = _client(settings, tokens["carla"], c.app).get("/api/v1/live").json()
    assert [x["key"] for x in mine["alerts"] if x["kind"] == "adherence"] == []


def test_a_supervisor_sees_the_agents_of_their_teams(center):
    from callscope.services.users import AddUserRequest, TokenRequest, add_user, create_token
    from callscope.store import Store

    settings, tokens = center
    now = datetime(2026, 1, 12, 7, 0)
    add_user(settings, AddUserRequest("sam", "supervisor", PASSWORD, teams=("Blue",)), now)
    sam = create_token(settings, TokenRequest("sam"), now).token
    with Store(settings.db) as s:
        s.con.execute(
            "INSERT INTO agents (agent, team, source_file, source_line) VALUES "
            "('A1', 'Red', 't', 1), ('A2', 'Blue', 't', 2)"
        )
    app = _app(settings)
    assert _client(settings, tokens["ada"], app).post("/api/v1/events", json=DAY).status_code == 200
    view = _client(settings, sam, app).get("/api/v1/live").json()
    assert [a["agent"] for a in view["agents"]] == ["A2"]
    assert len(view["queues"]) == 2  # the queues are the center's
    page = _client(settings, sam, app).get("/wallboard")
    assert page.status_code == 200 and '"agent": "A1"' not in page.text


def test_the_wallboard_is_in_the_navigation(center):
    from fastapi.testclient import TestClient

    settings, _ = center
    browser = TestClient(_app(settings))
    r = browser.get("/login")
    token = r.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = browser.post(
        "/login",
        data={"name": "carla", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert 'href="/wallboard"' in browser.get("/overview").text  # agents may watch it


def test_overview_of_a_live_store_before_anything_is_settled(center):
    """A store fed only by the live floor has no contacts until the settler's first
    write: the overview says so (and when they come) instead of refusing with 400."""
    settings, tokens = center
    c = _client(settings, tokens["ada"])
    assert c.get("/api/v1/overview").status_code == 400  # no live feed: an empty store
    r = c.post("/api/v1/events", json=[DAY[1]])  # a caller waiting: nothing to settle
    assert r.status_code == 200, r.text
    r = c.get("/api/v1/overview")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["channels"] == [] and body["queues"] == []
    assert "Nothing settled into the store yet" in body["notice"]
    assert "within 2 s of its end" in body["notice"]
    page = c.get("/overview")
    assert page.status_code == 200 and "Nothing settled into the store yet" in page.text
    assert "No contacts in this period" not in page.text
