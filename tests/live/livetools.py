"""Helpers of the live tests: a synthetic day's queue_log, its batch KPIs per queue
(``callscope kpi --by day,queue`` on a store that ingested it), and the same figures
from a replay through the live translator and reducer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from callscope.settings import Settings, load_settings

DAY = date(2026, 1, 5)
FIELDS = ("offered", "answered", "abandoned", "answered_within_t", "service_level")


@dataclass(frozen=True)
class DayLog:
    path: Path
    settings: Settings  #: of the store that ingested it (batch)
    batch: dict[str, dict[str, Any]]  #: queue -> batch KPIs of DAY


def batch_kpis(settings: Settings, **kw: Any) -> dict[str, dict[str, Any]]:
    from callscope.services.kpi import KpiRequest, kpi

    t = kpi(settings, KpiRequest(by=("day", "queue"), **kw)).table.to_pylist()
    return {r["queue"]: r for r in t if r["day"] == DAY}


def make_day_log(root: Path, contacts: int = 1500, seed: int = 3) -> DayLog:
    from callscope.services.ingest import IngestRequest, ingest
    from callscope.synth import SynthConfig, generate_days, write_queue_log

    path = root / "queue_log"
    write_queue_log(generate_days(SynthConfig(seed=seed, start=DAY).sized(contacts, days=1)), path)
    settings = load_settings(db=root / "batch.duckdb", env={}, cwd=root)
    ingest(settings, IngestRequest((path,), "asterisk"))
    return DayLog(path, settings, batch_kpis(settings))


def live_rows(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``/api/v1/live`` queues in the batch's names."""
    return {
        q["queue"]: {
            "offered": q["offered"],
            "answered": q["answered"],
            "abandoned": q["abandoned"],
            "answered_within_t": q["answered_within_threshold"],
            "service_level": q["service_level"],
        }
        for q in view["queues"]
    }


def same(live: dict[str, dict[str, Any]], batch: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between live and batch figures per queue (empty: the same)."""
    diffs = []
    for q in sorted(set(live) | set(batch)):
        a, b = live.get(q), batch.get(q)
        if a is None or b is None:
            diffs.append(f"{q}: live {a} batch {b}")
            continue
        for k in FIELDS:
            x, y = a[k], b[k]
            if isinstance(x, float) or isinstance(y, float):
                ok = x is not None and y is not None and abs(x - y) < 1e-9
            else:
                ok = x == y
            if not ok:
                diffs.append(f"{q} {k}: live {x} batch {y}")
    return diffs


def day_events(path: Path) -> list[dict[str, Any]]:
    """The events of a queue_log, as ``POST /api/v1/events`` takes them."""
    from callscope.live.events import event_dict
    from callscope.live.queue_log import QueueLogTranslator

    tr = QueueLogTranslator(str(path))
    out = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        out.extend(event_dict(e) for e in tr.line(line, n).events)
    return out


def admin_token(settings: Settings) -> str:
    """A token of a new admin of ``settings``' store."""
    from datetime import datetime

    from callscope.services.users import AddUserRequest, TokenRequest, add_user, create_token

    now = datetime(2026, 1, 1)
    add_user(settings, AddUserRequest("ada", "admin", "correct horse battery staple"), now)
    return create_token(settings, TokenRequest("ada"), now).token


def same_rows(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[str]:
    """Differences between two sets of KPI rows per queue, every column compared."""
    diffs = []
    for q in sorted(set(a) | set(b)):
        x, y = a.get(q) or {}, b.get(q) or {}
        for k in sorted(set(x) | set(y)):
            u, v = x.get(k), y.get(k)
            if isinstance(u, float) and isinstance(v, float):
                ok = abs(u - v) <= 1e-9 * max(1.0, abs(v))
            else:
                ok = u == v
            if not ok:
                diffs.append(f"{q} {k}: {u} vs {v}")
    return diffs
