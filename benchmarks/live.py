"""Benchmark: the live floor's ingestion over HTTP on loopback (issue 13).

``callscope serve`` is started as a subprocess on a free localhost port with a fresh
store under ``/tmp/callscope-bench``; ``--clients`` threads post events for
``--seconds`` as JSON lines in requests of ``--batch`` events (each client a stream of
contacts: queued, answered, ended, and an agent state change every tenth contact,
timestamps now, over 5 queues and 50 agents per client), on keep-alive connections;
one more thread reads ``GET /api/v1/live/stream`` (server-sent events). Reported:

* **sustained rate**: events acknowledged per second over the run;
* **acknowledgement latency** p50 / p99: from sending a request to its 200 (the events
  are durable then: journaled and fsynced);
* **event-to-screen latency** p99: from sending a request to the first snapshot on the
  stream whose ``seq`` covers its last event;
* **kill check**: a second run is ended by SIGKILL of the server while the clients
  post; the server is started again over the same store and every acknowledged event
  is sent again: each must come back a ``duplicate`` (kept), none ``stored`` (lost).

The load generator runs on the same machine as the server (its CPU counts against the
server's). The goal: at least 5,000 events/s sustained on a 2-core machine, p99
event-to-screen under 1 s, every acknowledged event kept. Run::

    .venv/bin/python benchmarks/live.py                 # 60 s
    .venv/bin/python benchmarks/live.py --seconds 15    # quicker
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path("/tmp/callscope-bench")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CALLSCOPE_WEB_SECRET": "b" * 40}
    cmd = [sys.executable, "-m", "callscope", "serve", "--db", str(db), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/login")
            c.getresponse().read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("callscope serve died") from None
            time.sleep(0.1)
    raise RuntimeError("callscope serve did not start")


class Client(threading.Thread):
    """Posts a stream of contacts' events until ``stop`` is set."""

    def __init__(
        self, k: int, port: int, token: str, batch: int, stop: threading.Event, run: str = "r"
    ):
        super().__init__(daemon=True)
        self.k, self.port, self.token, self.batch, self.stop = k, port, token, batch, stop
        self.run_name = run  #: in the ids: each run's events are new ones
        self.n = 0
        self.acked = 0
        self.stored = 0  #: acknowledged as new (not duplicates)
        self.sent: list[tuple[float, float, int]] = []  # (sent, acked, last seq)
        self.bodies: list[bytes] = []  # acknowledged request bodies
        self.error: str | None = None

    def _events(self) -> bytes:
        lines = []
        k = self.k
        ts = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        while len(lines) < self.batch:
            n = self.n
            self.n += 1
            c, q, a = f"{self.run_name}{k}-{n}", f"Q{n % 5}", f"Agent/{k}{n % 50:02d}"
            lines.append(
                f'{{"id":"{c}q","type":"contact.queued","ts":"{ts}","contact":"{c}","queue":"{q}"}}'
            )
            lines.append(
                f'{{"id":"{c}a","type":"contact.answered","ts":"{ts}","contact":"{c}","agent":"{a}"}}'
            )
            lines.append(
                f'{{"id":"{c}e","type":"contact.ended","ts":"{ts}","contact":"{c}","talk_s":30}}'
            )
            if n % 10 == 0:
                lines.append(
                    f'{{"id":"{c}s","type":"agent.state","ts":"{ts}","agent":"{a}",'
                    '"state":"paused","reason":"break"}'
                )
        return "\n".join(lines).encode()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        head = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/x-ndjson"}
        try:
            while not self.stop.is_set():
                body = self._events()
                t0 = time.monotonic()
                conn.request("POST", "/api/v1/events", body=body, headers=head)
                r = conn.getresponse()
                data = r.read()
                t1 = time.monotonic()
                if r.status != 200:
                    self.error = f"{r.status} {data[:200]!r}"
                    return
                acks = json.loads(data)["acks"]
                self.acked += len(acks)
                self.stored += sum(x["status"] == "stored" for x in acks)
                self.sent.append((t0, t1, max(a["seq"] or 0 for a in acks)))
                self.bodies.append(body)
        except (OSError, http.client.HTTPException) as e:
            self.error = f"{type(e).__name__}: {e}"


class Watcher(threading.Thread):
    """Reads the SSE stream: arrival time of each snapshot's seq."""

    def __init__(self, port: int, token: str):
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.seen: list[tuple[float, int]] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        head = {"Authorization": f"Bearer {self.token}"}
        buf = b""
        try:
            conn.request("GET", "/api/v1/live/stream", headers=head)
            r = conn.getresponse()
            while True:
                chunk = r.read1(1 << 16)
                if not chunk:
                    return
                buf += chunk
                while b"\n\n" in buf:
                    msg, buf = buf.split(b"\n\n", 1)
                    if msg.startswith(b"event: snapshot"):
                        data = msg.split(b"data: ", 1)[1]
                        i = data.find(b'"seq":') + 6
                        seq = int(data[i : data.index(b",", i)])  # int() skips a space
                        self.seen.append((time.monotonic(), seq))
        except (OSError, http.client.HTTPException):
            return


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def _run(
    port: int,
    token: str,
    clients: int,
    batch: int,
    seconds: float,
    kill=None,
    stream=True,
    run: str = "r",
):
    stop = threading.Event()
    watcher = Watcher(port, token)
    if stream:
        watcher.start()
    time.sleep(0.5)
    cs = [Client(k, port, token, batch, stop, run) for k in range(clients)]
    t0 = time.monotonic()
    for c in cs:
        c.start()
    if kill is not None:
        time.sleep(seconds)
        kill()
        stop.set()
    else:
        time.sleep(seconds)
        stop.set()
    for c in cs:
        c.join(timeout=120)
    return cs, watcher, time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--batch", type=int, default=200, help="events per request")
    ap.add_argument("--no-stream", action="store_true", help="no SSE reader (rate only)")
    args = ap.parse_args()

    sys.path.insert(0, str(Path(__file__).parents[1] / "src"))
    from callscope.services.users import AddUserRequest, TokenRequest, add_user, create_token
    from callscope.settings import load_settings

    folder = ROOT / f"live-{int(time.time())}"
    folder.mkdir(parents=True)
    settings = load_settings(db=folder / "live.duckdb", env={}, cwd=folder)
    now = datetime.now()
    add_user(settings, AddUserRequest("bench", "admin", "correct horse battery staple"), now)
    token = create_token(settings, TokenRequest("bench"), now).token

    port = _free_port()
    proc = _serve(settings.db, port)
    try:
        cs, watcher, elapsed = _run(
            port, token, args.clients, args.batch, args.seconds, stream=not args.no_stream
        )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    errors = [c.error for c in cs if c.error]
    acked = sum(c.acked for c in cs)
    acks = [t1 - t0 for c in cs for t0, t1, _ in c.sent]
    seen = watcher.seen
    screen = []
    for c in cs:
        for t0, _, seq in c.sent:
            got = next((t for t, s in seen if s >= seq), None)  # first snapshot covering it
            if got is not None:
                screen.append(got - t0)
    missing = sum(len(c.sent) for c in cs) - len(screen)
    print(f"load: {args.clients} clients x {args.batch} events a request, {elapsed:.1f} s")
    print(f"sustained: {acked / elapsed:,.0f} events/s ({acked:,} acknowledged)")
    print(f"ack latency: p50 {_pct(acks, 0.5) * 1000:.0f} ms, p99 {_pct(acks, 0.99) * 1000:.0f} ms")
    print(
        f"event-to-screen (SSE): p50 {_pct(screen, 0.5) * 1000:.0f} ms, "
        f"p99 {_pct(screen, 0.99) * 1000:.0f} ms over {len(screen)} requests "
        f"({missing} never seen on the stream), {len(seen)} snapshots"
    )
    if errors:
        print("client errors:", errors[:3])

    # the kill check: SIGKILL mid-run, restart, send every acknowledged event again
    port = _free_port()
    proc = _serve(settings.db, port)
    t = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", "/api/v1/live/status", headers={"Authorization": f"Bearer {token}"})
    replayed = json.loads(conn.getresponse().read())["replayed_records"]
    print(f"restart: {replayed:,} journal records replayed in {time.monotonic() - t:.1f} s")
    cs, _, _ = _run(
        port,
        token,
        args.clients,
        args.batch,
        min(10.0, args.seconds),
        kill=lambda: proc.kill(),
        run="k",  # new ids: not duplicates of the first run's
    )
    proc.wait(timeout=60)
    acked = sum(c.acked for c in cs)
    stored = sum(c.stored for c in cs)
    port = _free_port()
    proc = _serve(settings.db, port)
    kept = lost = 0
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        head = {"Authorization": f"Bearer {token}"}
        for c in cs:
            for body in c.bodies:
                conn.request("POST", "/api/v1/events", body=body, headers=head)
                r = json.loads(conn.getresponse().read())
                kept += r["duplicates"]
                lost += r["stored"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    print(
        f"SIGKILL mid-run: {acked:,} events acknowledged before the kill ({stored:,} new); "
        f"after a restart {kept:,} are there (sent again: duplicates), {lost:,} lost"
    )


if __name__ == "__main__":
    main()
