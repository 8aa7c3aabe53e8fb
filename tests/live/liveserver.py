"""`callscope serve` in a child process on a free port of 127.0.0.1, for the tests that
kill it (SIGKILL) and start it again over the same store and journal."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``callscope serve --db db [--follow-queue-log f ...]``, called with ``token``."""

    def __init__(self, db: Path, token: str, follow: tuple[Path, ...] = ()) -> None:
        self.db, self.token, self.follow = db, token, follow
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "callscope", "serve", "--db", str(db)]
        args += ["--port", str(self.port)]
        for f in follow:
            args += ["--follow-queue-log", str(f)]
        env = {**os.environ, "CALLSCOPE_WEB_SECRET": "s" * 40}
        self.log = db.with_name(f"serve-{self.port}.log")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(self.url + "/login", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from None
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("serve did not start in 90 s") from None
                time.sleep(0.1)

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
        req = urllib.request.Request(self.url + path, data=body, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def post_events(self, events: list[dict[str, Any]]) -> tuple[int, Any]:
        return self.call("POST", "/api/v1/events", "\n".join(map(json.dumps, events)).encode())

    def get(self, path: str) -> Any:
        status, body = self.call("GET", path)
        assert status == 200, body
        return body

    def wait_for(self, what: Any, timeout_s: float = 60) -> Any:
        """Poll ``what()`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout_s
        while True:
            got = what()
            if got or time.monotonic() > deadline:
                return got
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no settling, no saved positions."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Ctrl-C: queued events written, finished contacts settled."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
