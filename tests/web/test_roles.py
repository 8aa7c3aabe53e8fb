"""The role matrix: every route of the app, walked with every role (and nobody),
allowed or refused as its rule says. The routes come from the app itself, so a new
route is walked too, and a route without a rule stops the app from being built."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from webtools import OTHER_AGENT, ROLES, USERS, csrf_of, make_app, sign_in

from callscope.access.roles import can
from callscope.web.app import api_routes, route_rule

#: GET routes that start a download: checked with a format
QUERY = {
    "/overview/export": "?format=csv",
    "/agents/export": "?format=csv",
    "/service/export": "?format=csv",
    "/api/v1/live/stream": "?limit=1",  # one snapshot, then the stream ends
}


def _routes(app):
    out = []
    for r in api_routes(app):
        for m in sorted(r.methods or ()):
            out.append((m, r.path, r))
    return out


@pytest.fixture(scope="module")
def matrix_app(center):
    """The app, its three KPI views answering with one figure each computed up front
    (the matrix is about who may call a route, not the figures: those are tested in
    test_scope.py and test_app.py)."""
    from datetime import datetime

    from callscope.services import dashboard as d

    now = datetime(2026, 1, 19, 12, 0)
    made = {
        name: getattr(d, name)(center.settings, d.ViewRequest(), now)
        for name in ("overview", "service_view", "agents_view")
    }
    mp = pytest.MonkeyPatch()
    for name, view in made.items():
        mp.setattr(d, name, lambda settings, request, now, view=view: view)
    yield make_app(center)
    mp.undo()


def _client(app, role: str | None) -> TestClient:
    c = TestClient(app)
    if role is not None:
        name = USERS[role][0] if role in USERS else OTHER_AGENT[0]
        assert sign_in(c, name).status_code == 303
    return c


def test_every_route_has_a_rule(matrix_app):
    rules = {(m, p): route_rule(r) for m, p, r in _routes(matrix_app)}
    assert rules and all(rule is not None for rule in rules.values()), rules
    # the only public routes: the sign-in page, signing out and the way in
    public = sorted(f"{m} {p}" for (m, p), rule in rules.items() if rule.permission is None)
    assert public == ["GET /", "GET /login", "POST /login", "POST /logout"]


def test_a_route_without_a_rule_stops_the_app(center):
    from callscope.web.routes import admin

    @admin.router.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    try:
        with pytest.raises(RuntimeError, match="routes without a Require rule: .*forgotten"):
            make_app(center)
    finally:
        admin.router.routes.pop()


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_matrix(matrix_app, role):
    client = _client(matrix_app, role)
    checked = 0
    for method, path, route in _routes(matrix_app):
        if path == "/logout":
            continue  # ends this client's session; tested on its own
        rule = route_rule(route)
        assert rule is not None
        url = path + QUERY.get(path, "")
        if method == "GET":
            r = client.get(url, follow_redirects=False)
        else:
            token = csrf_of(client.get("/login").text)
            r = client.post(
                url,
                data={"csrf_token": token},
                headers={"X-CSRF-Token": token},
                follow_redirects=False,
            )
        where = f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
        to_login = r.status_code == 303 and r.headers["location"].startswith("/login")
        if rule.permission is None:
            assert r.status_code != 403, where
        elif role is not None and can(role, rule.permission):
            assert r.status_code not in (401, 403) and not to_login, where
            assert r.status_code < 500, where
        elif role is None:
            assert r.status_code == 401 or to_login, where
        else:
            assert r.status_code == 403, where
            assert "role may not" in r.text, where
        checked += 1
    assert checked >= 20
