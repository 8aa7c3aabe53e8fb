"""KPI views are kept while the store is unchanged: the same page asked again is not
computed again, and any write to the store (here an audit entry written by another
connection, as a CLI beside the server would) makes the next request compute afresh."""

from __future__ import annotations

import shutil
from datetime import datetime

from fastapi.testclient import TestClient
from webtools import make_app, sign_in

from callscope.services import dashboard as d
from callscope.settings import load_settings


def test_a_view_is_kept_until_the_store_changes(center, tmp_path, monkeypatch):
    from callscope.services.users import record

    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    calls: list[object] = []
    real = d.overview

    def counted(*args):
        calls.append(args[1])
        return real(*args)

    monkeypatch.setattr(d, "overview", counted)
    client = TestClient(make_app(type(center)(settings, db, center.tokens)))
    assert sign_in(client, "ana").status_code == 303
    week = {"period": "custom", "from": "2026-01-12", "to": "2026-01-18"}
    first = client.get("/api/v1/overview", params=week).json()
    again = client.get("/api/v1/overview", params=week).json()
    assert again == first and len(calls) == 1  # the second answer is the kept one
    other = client.get("/api/v1/overview", params={**week, "channel": "voice"}).json()
    assert len(calls) == 2 and other != first  # another request is computed
    record(settings, "cli", "test", None, {}, datetime(2026, 2, 1))  # the store changes
    assert client.get("/api/v1/overview", params=week).json() == first
    assert len(calls) == 3  # computed again after the write
    # an agent's request is a different request (their scope): never another's answer
    assert sign_in(carla := TestClient(client.app), "carla").status_code == 303
    mine = carla.get("/api/v1/overview", params=week).json()
    assert mine["scope"] != first["scope"] and len(calls) == 4


def test_who_a_token_is_is_kept_until_the_store_changes(center, tmp_path, monkeypatch):
    """A feeder posting with a token does not open the store for every request to learn
    who it is; revoking the token (a store write) takes effect on the next request."""
    from callscope.services import users
    from callscope.services.users import RevokeRequest, list_tokens, revoke_token

    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    looked: list[str] = []
    real = users.principal_for_token

    def counted(s, token):
        looked.append(token)
        return real(s, token)

    monkeypatch.setattr(users, "principal_for_token", counted)
    client = TestClient(make_app(type(center)(settings, db, center.tokens)))
    bearer = {"Authorization": f"Bearer {center.tokens['ada']}"}
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer).json()["name"] == "ada"
    assert len(looked) == 1
    (tok,) = [
        t for t in list_tokens(settings, "ada") if center.tokens["ada"].startswith(t.token_id)
    ]
    revoke_token(settings, RevokeRequest(tok.token_id), datetime(2026, 2, 1))
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert len(looked) == 2
