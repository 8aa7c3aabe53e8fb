"""Managing users and tokens (issue 12, admin): disable and enable, change a role,
create and revoke API tokens, from the Users page and the CLI; a disabled user and a
revoked token are refused at once; the last admin stays; every change is audited."""

from __future__ import annotations

import json
import shutil

import pytest
from fastapi.testclient import TestClient
from webtools import csrf_of, make_app, sign_in

from callscope.cli import main
from callscope.settings import load_settings


@pytest.fixture()
def site(center, tmp_path):
    """An app on a copy of the center (these tests change users and tokens)."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=tmp_path)
    copy = type(center)(settings, db, center.tokens)
    app = make_app(copy)

    def client(name: str) -> TestClient:
        c = TestClient(app)
        assert sign_in(c, name).status_code == 303
        return c

    return app, client, copy


def _post(c: TestClient, url: str, **data: str):
    token = csrf_of(c.get("/users").text) if url != "/login" else ""
    return c.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_disable_and_enable(site, center):
    app, client, _ = site
    admin, ana = client("ada"), client("ana")
    assert ana.get("/api/v1/me").status_code == 200
    bearer = {"Authorization": f"Bearer {center.tokens['carla']}"}
    assert TestClient(app).get("/api/v1/me", headers=bearer).status_code == 200
    r = _post(admin, "/users/change", name="ana", action="disable")
    assert r.status_code == 200 and "ana: disabled" in r.text
    assert ana.get("/api/v1/me").status_code == 401  # her session ended
    assert sign_in(TestClient(app), "ana").status_code != 303  # and she cannot sign in
    _post(admin, "/users/change", name="carla", action="disable")
    assert TestClient(app).get("/api/v1/me", headers=bearer).status_code == 401  # token too
    _post(admin, "/users/change", name="ana", action="enable")
    assert client("ana").get("/api/v1/me").json()["name"] == "ana"
    log = admin.get("/api/v1/audit").json()
    changes = [e for e in log if e["action"] == "user_change" and e["subject"] == "ana"]
    assert len(changes) == 2 and all(e["actor"] == "ada" for e in changes)


def test_role_change_and_the_last_admin(site):
    _, client, _ = site
    admin, carla = client("ada"), client("carla")
    r = _post(admin, "/users/change", name="carla", action="role", role="analyst")
    assert r.status_code == 200
    assert carla.get("/api/v1/me").status_code == 401  # signed out by the change
    assert client("carla").get("/api/v1/me").json()["role"] == "analyst"
    r = _post(admin, "/users/change", name="ada", action="disable")
    assert r.status_code == 400 and "last admin" in r.text
    r = _post(admin, "/users/change", name="ada", action="role", role="qa")
    assert r.status_code == 400 and "last admin" in r.text
    r = _post(admin, "/users/change", name="nobody", action="disable")
    assert r.status_code == 400 and "no user named" in r.text
    r = _post(admin, "/users/change", name="ana", action="role", role="wizard")
    assert r.status_code == 400 and "unknown role" in r.text


def test_tokens_from_the_page(site):
    app, client, _ = site
    admin = client("ada")
    r = _post(admin, "/tokens", user="ana")
    assert r.status_code == 200
    token = r.text.split('<code class="secret">')[1].split("<")[0]
    assert token.startswith("cst_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert TestClient(app).get("/api/v1/me", headers=bearer).json()["name"] == "ana"
    listed = admin.get("/api/v1/tokens").json()
    mine = next(t for t in listed if t["user"] == "ana" and token.startswith(t["token_id"]))
    assert mine["revoked_at"] is None and token not in json.dumps(listed)
    assert token not in admin.get("/users").text  # shown once only
    r = _post(admin, "/tokens/revoke", token_id=mine["token_id"])
    assert r.status_code == 200 and "revoked" in r.text
    assert TestClient(app).get("/api/v1/me", headers=bearer).status_code == 401
    r = _post(admin, "/tokens/revoke", token_id=mine["token_id"])
    assert r.status_code == 400 and "no live token" in r.text
    r = _post(admin, "/tokens", user="nobody")
    assert r.status_code == 400 and "no user named" in r.text
    assert client("ana").get("/api/v1/tokens").status_code == 403


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def test_the_cli(tmp_path, capsys):
    db = str(tmp_path / "u.duckdb")
    code, out, err = run(capsys, "users", "list", "--db", db)
    assert code == 0 and "no users yet" in out + err and "┏" not in out
    run(capsys, "users", "add", "ada", "--role", "admin", "--db", db)
    run(capsys, "users", "add", "ana", "--role", "analyst", "--db", db)
    code, out, err = run(capsys, "users", "disable", "ada", "--db", db)
    assert code == 2 and "last admin" in err
    code, out, err = run(capsys, "users", "disable", "ana", "--db", db)
    assert code == 0 and "ana: role analyst, disabled" in out + err
    code, out, _ = run(capsys, "users", "list", "--format", "json", "--db", db)
    assert [u["disabled"] for u in json.loads(out)] == [False, True]
    run(capsys, "users", "enable", "ana", "--db", db)
    code, out, err = run(capsys, "users", "role", "ana", "supervisor", "--db", db)
    assert code == 0 and "role supervisor" in out + err
    code, token, _ = run(capsys, "token", "create", "--user", "ana", "--db", db)
    code, out, _ = run(capsys, "token", "list", "--format", "json", "--db", db)
    (t,) = json.loads(out)
    assert token.strip().startswith(t["token_id"]) and t["revoked_at"] is None
    code, out, err = run(capsys, "token", "revoke", t["token_id"] + "…", "--db", db)
    assert code == 0 and "revoked" in out + err
    code, out, err = run(capsys, "token", "revoke", t["token_id"], "--db", db)
    assert code == 2 and "no live token" in err
