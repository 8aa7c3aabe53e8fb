"""The web app through its routes: signing in and out, CSRF, throttling, tokens,
headers, errors, and the pages and their JSON."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webtools import PASSWORD, csrf_of, make_app, sign_in

from callscope.access.throttle import LoginThrottle


def test_pages_need_a_sign_in(app):
    c = TestClient(app)
    r = c.get("/overview?period=week", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Foverview%3Fperiod%3Dweek"
    r = c.get("/api/v1/overview")
    assert r.status_code == 401
    assert r.json()["error"].startswith("sign in first")


def test_sign_in_sets_a_safe_cookie_and_goes_back(app):
    c = TestClient(app)
    page = c.get("/login?next=/agents")
    r = c.post(
        "/login",
        data={
            "name": "ada",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "/agents",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/agents"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert PASSWORD not in cookie
    # another site's address is never a place to go after signing in
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil"):
        c2 = TestClient(app)
        r = c2.post(
            "/login",
            data={
                "name": "ada",
                "password": PASSWORD,
                "csrf_token": csrf_of(c2.get("/login").text),
                "next": bad,
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/overview", bad


def test_wrong_password_is_refused_and_audited(app, clients):
    c = TestClient(app)
    r = sign_in(c, "ada", "not the password")
    assert r.status_code == 401
    assert "do not match" in r.text
    assert "not the password" not in r.text
    log = clients["admin"].get("/api/v1/audit").json()
    assert any(e["action"] == "login_failed" and e["actor"] == "ada" for e in log)
    assert not any("not the password" in (e["detail"] or "") for e in log)


def test_a_form_post_without_its_csrf_token_is_refused(app, clients):
    c = clients["admin"]
    # sign-in form without the token
    r = TestClient(app).post("/login", data={"name": "ada", "password": PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.text
    # an admin's form post with no token, or another session's token
    r = c.post("/users", data={"name": "mallory", "role": "admin"})
    assert r.status_code == 403 and "CSRF" in r.text
    other = TestClient(app)
    token = csrf_of(other.get("/login").text)
    r = c.post("/users", data={"name": "mallory", "role": "admin", "csrf_token": token})
    assert r.status_code == 403
    assert "mallory" not in c.get("/users").text
    # the same post with the page's own token works
    page = c.get("/users")
    r = c.post(
        "/users",
        data={"name": "newbie", "role": "qa", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 200, r.text
    pw = re.search(r'<code class="secret">([^<]+)</code>', r.text)
    assert pw and len(pw.group(1)) >= 10
    # the password is shown once: never again, nowhere in the users' JSON
    assert pw.group(1) not in c.get("/users").text
    assert pw.group(1) not in c.get("/api/v1/users").text
    assert "scrypt" not in c.get("/api/v1/users").text
    # JSON API posts with the cookie need the header
    r = c.post("/api/v1/ingest", files={"file": ("x.log", b"x")}, data={"format": "asterisk"})
    assert r.status_code == 403


def test_a_mistake_in_a_form_is_shown_next_to_its_field(clients):
    c = clients["admin"]
    page = c.get("/users")
    r = c.post(
        "/users",
        data={"name": "ag", "role": "agent", "agent": "", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 400
    assert re.search(r'data-field="agent">an agent user needs the agent id', r.text)


def test_login_throttling(center):
    app = make_app(center, throttle=LoginThrottle(max_per_name=3, window_s=600))
    c = TestClient(app)
    for _ in range(3):
        assert sign_in(c, "quinn", "wrong password!").status_code == 401
    r = sign_in(c, "quinn")  # the right password, but too many failures just now
    assert r.status_code == 429
    assert "too many failed sign-ins" in r.text
    assert sign_in(TestClient(app), "ana").status_code == 303  # another name still may


def test_sign_out_ends_the_session(center):
    """Signing out ends every session of that user: a user of this test alone, so the
    shared clients of the other tests (quinn's among them) stay signed in."""
    from datetime import datetime

    from callscope.services.users import AddUserRequest, add_user, list_users

    if not any(u.name == "olive" for u in list_users(center.settings)):
        add_user(center.settings, AddUserRequest("olive", "qa", PASSWORD), datetime(2026, 2, 1))
    app = make_app(center)
    c = TestClient(app)
    assert sign_in(c, "olive").status_code == 303
    stolen = c.cookies.get("callscope_session")
    page = c.get("/overview")
    assert page.status_code == 200
    r = c.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    thief = TestClient(app)
    thief.cookies.set("callscope_session", stolen)
    assert thief.get("/api/v1/me").status_code == 401


def test_a_forged_cookie_is_ignored(app):
    c = TestClient(app)
    c.cookies.set("callscope_session", "eyJzaWQiOiJ4IiwidSI6ImFkYSIsImUiOjB9.fake.sig")
    assert c.get("/api/v1/me").status_code == 401


def test_bearer_tokens(app, center):
    c = TestClient(app)
    r = c.get("/api/v1/me", headers={"Authorization": f"Bearer {center.tokens['carla']}"})
    assert r.status_code == 200
    assert r.json()["role"] == "agent" and r.json()["scope"] == "agent Agent/1001"
    r = c.get("/api/v1/me", headers={"Authorization": "Bearer cst_nope"})
    assert r.status_code == 401 and "callscope token create" in r.json()["error"]
    r = c.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    # an admin's token may post without a CSRF token (no browser sends it by itself)
    r = c.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {center.tokens['ada']}"},
        files={"file": ("empty.log", b"")},
        data={"format": "asterisk"},
    )
    assert r.status_code == 400 and r.json() == {
        "error": "the file is empty; choose the file to load",
        "field": "file",
    }


def test_security_headers(clients):
    r = clients["admin"].get("/overview")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_bad_query_is_one_line_next_to_the_field(clients):
    r = clients["analyst"].get("/api/v1/overview?period=custom&from=2026-01-20&to=2026-01-10")
    assert r.status_code == 400
    assert r.json() == {
        "error": "the last day 2026-01-10 is before the first day 2026-01-20; swap them",
        "field": "to",
    }
    r = clients["analyst"].get("/api/v1/overview?from=31/01/2026")
    assert r.status_code == 400 and r.json()["field"] == "from"
    r = clients["analyst"].get("/overview?period=fortnight")
    assert r.status_code == 400 and "unknown period" in r.text


@pytest.mark.parametrize(
    "path", ["/overview", "/service", "/agents", "/data", "/settings", "/users", "/audit"]
)
def test_every_page_renders_for_an_admin(clients, path):
    r = clients["admin"].get(path)
    assert r.status_code == 200, r.text[:500]
    assert "<nav>" in r.text and "Sign out" in r.text


def test_overview_shows_goals_as_words_and_dates(clients):
    html = clients["analyst"].get("/overview?period=custom&from=2026-01-12&to=2026-01-18").text
    assert "Mon 12 Jan 2026 – Sun 18 Jan 2026" in html
    assert "goal ≥ 80/20" in html
    assert re.search(r'class="word">(met|near|missed)<', html)
    assert "vs " in html  # the previous week's figure
    j = (
        clients["analyst"]
        .get("/api/v1/overview?period=custom&from=2026-01-12&to=2026-01-18")
        .json()
    )
    assert j["previous"]["first_day"] == "2026-01-05" and j["previous"]["last_day"] == "2026-01-11"
    voice = next(r for r in j["channels"] if r["channel"] == "voice")
    sl = next(c for c in voice["cells"] if c["kpi"] == "service_level")
    assert sl["goal"] == "≥ 80/20" and sl["status"] in ("green", "amber", "red")
    assert sl["word"] in ("met", "near", "missed")


def test_service_has_every_day_and_gaps(clients):
    # the period runs two days past the data: those days are there, empty
    j = clients["analyst"].get("/api/v1/service?from=2026-01-12&to=2026-01-20").json()
    days = [r["day"] for r in j["by_day"]]
    assert days == [f"2026-01-{d}" for d in range(12, 21)]
    last = {r["day"]: r for r in j["by_day"]}
    assert last["2026-01-20"]["offered"] is None and last["2026-01-12"]["offered"] > 0
    assert len(j["by_interval"]) == 9 * 48
    assert j["goal"] == 0.8


def test_downloads(clients):
    r = clients["analyst"].get(
        "/overview/export?format=csv&period=custom&from=2026-01-12&to=2026-01-18"
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="overview.csv"' in r.headers["content-disposition"]
    assert r.text.splitlines()[0].startswith("first_day,last_day,channel,queue,offered")
    r = clients["analyst"].get("/agents/export?format=xlsx&from=2026-01-12&to=2026-01-18")
    assert r.content[:2] == b"PK"
    assert clients["analyst"].get("/agents/export?format=exe").status_code == 422
    log = clients["admin"].get("/api/v1/audit").json()
    assert any(e["action"] == "export" and e["actor"] == "ana" for e in log)


def test_openapi_lists_the_api(app, clients):
    assert TestClient(app).get("/api/v1/openapi.json").status_code == 401
    spec = clients["agent"].get("/api/v1/openapi.json").json()
    for path in ("/api/v1/overview", "/api/v1/service", "/api/v1/agents", "/api/v1/rejects"):
        assert path in spec["paths"]
    assert not any(p in spec["paths"] for p in ("/login", "/overview"))
