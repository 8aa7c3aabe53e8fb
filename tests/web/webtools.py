"""Helpers of the web tests: a small demo center with one user per role, signing in."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from callscope.access.roles import ROLES
from callscope.settings import Settings, load_settings

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

ARTEFACTS = Path(__file__).parent / "artefacts"
PASSWORD = "correct horse battery staple"
#: role -> (user name, agent id, teams)
USERS = {
    "admin": ("ada", None, ()),
    "analyst": ("ana", None, ()),
    "qa": ("quinn", None, ()),
    "supervisor": ("sam", None, ("General 1",)),
    "agent": ("carla", "Agent/1001", ()),
}
OTHER_AGENT = ("paul", "Agent/1002")  # also in General 1


@dataclass(frozen=True)
class Center:
    settings: Settings
    db: Path
    tokens: dict[str, str]  # user name -> API token


def make_center(root: Path) -> Center:
    from callscope.services.sample import DemoRequest, demo
    from callscope.services.users import AddUserRequest, TokenRequest, add_user, create_token

    db = root / "center.duckdb"
    settings = load_settings(db=db, env={}, cwd=root)
    demo(settings, DemoRequest(contacts=6000, days=14, output_dir=root / "sample"))
    now = datetime(2026, 2, 1, 12, 0)
    tokens = {}
    for role, (name, agent, teams) in USERS.items():
        add_user(settings, AddUserRequest(name, role, PASSWORD, agent=agent, teams=teams), now)
    add_user(settings, AddUserRequest(OTHER_AGENT[0], "agent", PASSWORD, agent=OTHER_AGENT[1]), now)
    for name in ("carla", "ada", "paul"):
        tokens[name] = create_token(settings, TokenRequest(name), now).token
    return Center(settings, db, tokens)


def make_app(center: Center, **kw):
    from callscope.web import create_app

    return create_app(center.settings, secret=b"t" * 32, **kw)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


@contextmanager
def served(db: Path, secret: str, cwd: Path | None = None) -> Iterator[str]:
    """`callscope serve --db DB` on a free localhost port (the command a user runs),
    its base URL once it answers; stopped afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "CALLSCOPE_WEB_SECRET": secret}
    proc = subprocess.Popen(
        [sys.executable, "-m", "callscope", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/login", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(
                        proc.stdout.read() if proc.stdout else "serve died"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


__all__ = [
    "ARTEFACTS",
    "served",
    "OTHER_AGENT",
    "PASSWORD",
    "ROLES",
    "USERS",
    "Center",
    "csrf_of",
    "make_app",
    "make_center",
    "sign_in",
]
