"""Fixtures of the web tests: the center, the app, a signed-in client per role."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from webtools import OTHER_AGENT, USERS, Center, make_app, make_center, sign_in  # noqa: E402


@pytest.fixture(scope="session")
def center(tmp_path_factory) -> Center:
    return make_center(tmp_path_factory.mktemp("web-center"))


@pytest.fixture(scope="session")
def app(center):
    return make_app(center)


@pytest.fixture(scope="session")
def clients(app):
    """A signed-in test client per role (and ``paul``, a second agent)."""
    from fastapi.testclient import TestClient

    out = {}
    for role, (name, _, _) in [*USERS.items(), ("agent2", (OTHER_AGENT[0], None, ()))]:
        c = TestClient(app)
        r = sign_in(c, name)
        assert r.status_code == 303, r.text
        out[role] = c
    return out
