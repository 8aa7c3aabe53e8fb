"""The web app on an encrypted store (issue 11, privacy): users, sign-in, the views and
the data page all work, with the same figures as on a plain store of the same center,
and the store's bytes hold no agent id."""

from __future__ import annotations

from pathlib import Path

import pytest
from webtools import make_app, make_center, sign_in

from callscope.store.encryption import is_encrypted


@pytest.mark.slow
def test_web_app_on_an_encrypted_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    # the key file beside the store is made on first use, then used
    monkeypatch.delenv("CALLSCOPE_KEY", raising=False)
    plain_root, enc_root = tmp_path / "plain", tmp_path / "enc"
    plain_root.mkdir()
    enc_root.mkdir()
    (enc_root / "callscope.toml").write_text("[privacy]\nencrypt = true\n")
    plain, enc = make_center(plain_root), make_center(enc_root)
    assert enc.settings.encrypt and is_encrypted(enc.db) and not is_encrypted(plain.db)
    assert (enc_root / "callscope.key").stat().st_mode & 0o777 == 0o600
    assert b"Agent/1001" in plain.db.read_bytes() and b"Agent/1001" not in enc.db.read_bytes()

    answers = []
    for center in (plain, enc):
        c = TestClient(make_app(center))
        assert sign_in(c, "ada").status_code == 303
        for page in ("/overview", "/service", "/agents", "/data"):
            assert c.get(page).status_code == 200, page
        r = c.get("/api/v1/overview")
        assert r.status_code == 200, r.text
        answers.append(r.json())
    assert answers[0] == answers[1] and answers[0]
