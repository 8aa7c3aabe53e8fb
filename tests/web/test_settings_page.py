"""The Settings page and ``/api/v1/settings`` (issue 12): an admin changes settings
through the form (CSRF) or JSON; a bad value is the loader's line next to its field with
the rest of the form kept; the change is written to the settings file, audited, and
the figures use it at once; other roles are refused."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from webtools import csrf_of, make_app, sign_in

from callscope.settings import load_settings


@pytest.fixture()
def site(center, tmp_path):
    """An app on a copy of the center, its settings file in tmp_path (not there yet)."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(center.db, db)
    settings = replace(load_settings(db=db, env={}, cwd=tmp_path), file=tmp_path / "cs.toml")
    app = make_app(type(center)(settings, db, center.tokens))

    def client(name: str) -> TestClient:
        c = TestClient(app)
        assert sign_in(c, name).status_code == 303
        return c

    return app, client, tmp_path / "cs.toml"


def _voice_sl_status(c: TestClient) -> tuple[str, str]:
    html = c.get("/overview").text
    m = re.search(
        r'data-channel="voice">.*?<div class="tile (\w+)" data-kpi="service_level">.*?'
        r'<div class="goal">goal ([^<]*?) ·',
        html,
        re.S,
    )
    assert m, "no voice service-level tile"
    return m.group(1), m.group(2)


def test_an_admin_changes_a_goal_and_the_overview_judges_by_it(site):
    app, client, file = site
    ada = client("ada")
    page = ada.get("/settings")
    assert page.status_code == 200
    assert 'name="goals.voice" value="80/20"' in page.text
    assert _voice_sl_status(ada) != ("green", "≥ 50/24h")  # the cached view, first
    r = ada.post("/settings", data={"csrf_token": csrf_of(page.text), "goals.voice": "50/24h"})
    assert r.status_code == 200, r.text
    assert re.search(r"goals.voice</code>: 80/20 → <strong>50/24h</strong>", r.text)
    assert _voice_sl_status(ada) == ("green", "≥ 50/24h")
    r = ada.post("/settings", data={"csrf_token": csrf_of(r.text), "goals.voice": "100/1"})
    assert _voice_sl_status(ada) == ("red", "≥ 100/1")
    assert 'voice = "100/1"' in file.read_text(encoding="utf-8")
    audit = ada.get("/api/v1/audit").json()
    mine = [a for a in audit if a["action"] == "settings"]
    assert [(a["actor"], a["subject"]) for a in mine] == [("ada", "goals.voice")] * 2
    assert '"old": "50/24h"' in mine[0]["detail"] and '"new": "100/1"' in mine[0]["detail"]


def test_bad_fields_each_get_a_line_and_the_form_is_kept(site):
    app, client, file = site
    ada = client("ada")
    token = csrf_of(ada.get("/settings").text)
    r = ada.post(
        "/settings",
        data={
            "csrf_token": token,
            "targets.asa": "soon",
            "timezone": "Mars/Olympus",
            "goals.chat": "85/30",  # fine, but nothing is saved while another is wrong
            "new_queue": "",
            "new_queue_goal": "90/15",
        },
    )
    assert r.status_code == 400
    errs = dict(re.findall(r'<p class="error" role="alert" data-field="([^"]+)">([^<]+)', r.text))
    assert set(errs) == {"targets.asa", "timezone", "new_queue"}
    assert "targets.asa" in errs["targets.asa"] and "&#34;30s&#34;" in errs["targets.asa"]
    assert "IANA" in errs["timezone"]
    assert 'name="targets.asa" value="soon"' in r.text
    assert 'name="goals.chat" value="85/30"' in r.text  # kept as typed
    assert 'name="new_queue_goal" value="90/15"' in r.text
    assert not file.exists()
    assert ada.get("/api/v1/settings").json()["goals.chat"]["value"] == "80/60"


def test_the_form_needs_its_csrf_token(site):
    app, client, file = site
    r = client("ada").post("/settings", data={"goals.voice": "90/10"})
    assert r.status_code == 403 and "CSRF" in r.text
    assert not file.exists()


def test_json_api_reads_and_changes_for_admins_only(site, center):
    app, client, file = site
    api = TestClient(app)
    admin = {"Authorization": f"Bearer {center.tokens['ada']}"}
    agent = {"Authorization": f"Bearer {center.tokens['carla']}"}
    r = api.post(
        "/api/v1/settings", json={"alerts.waiting": 12, "targets.aht": "4m"}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert {c["key"]: (c["old"], c["new"]) for c in r.json()["changed"]} == {
        "alerts.waiting": (10, 12),
        "targets.aht": ("5m", "4m"),
    }
    got = api.get("/api/v1/settings", headers=admin).json()
    assert got["alerts.waiting"] == {"value": 12, "source": str(file)}
    r = api.post("/api/v1/settings", json={"alerts.waiting": "lots"}, headers=admin)
    assert r.status_code == 400
    assert r.json()["field"] == "alerts.waiting" and "whole number" in r.json()["error"]
    r = api.post("/api/v1/settings", content=b"[1]", headers=admin)
    assert r.status_code == 400 and "JSON object" in r.json()["error"]
    assert (
        api.post("/api/v1/settings", json={"alerts.waiting": 1}, headers=agent).status_code == 403
    )
    assert api.get("/api/v1/settings", headers=agent).status_code == 403
    schema = api.get("/api/v1/openapi.json", headers=admin).json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/settings"])


@pytest.mark.parametrize("name", ["ana", "quinn", "sam", "carla"])
def test_other_roles_are_refused(site, name):
    app, client, file = site
    c = client(name)
    assert c.get("/settings").status_code == 403
    token = csrf_of(c.get("/overview").text)
    r = c.post("/settings", data={"csrf_token": token, "goals.voice": "90/10"})
    assert r.status_code == 403 and "role may not" in r.text
    assert not file.exists()
