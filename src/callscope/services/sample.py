"""Sample-data use cases: a synthetic center (``synth``) and the main job (``demo``).

The demo makes sure the store has contacts (with none, it generates a sample center,
writes its contacts as Amazon Connect contact trace records and its voice calls as an
Asterisk ``queue_log`` — files a user can look at and ingest again — ingests the contact
records through the real ingester and stores the agent states, schedules, surveys, chat
messages and orders alongside), then computes the headline KPIs per channel and queue.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    from callscope.ingest import IngestSummary
    from callscope.kpi.params import KpiParams
    from callscope.store import Store
    from callscope.synth import SynthConfig

__all__ = [
    "DemoRequest",
    "DemoResult",
    "SynthRequest",
    "SynthResult",
    "demo",
    "synth",
]

#: Where each file format of ``synth`` goes, and how to ingest it again.
SYNTH_FILES = {
    "asterisk": ("queue_log", "--source asterisk"),
    "amazon-connect": ("contact_records.jsonl", "--source amazon-connect"),
    "csv": ("contacts.csv", "--source csv --mapping mappings/callscope_contacts.toml"),
}
#: tables the contact records do not carry; they go straight into the store
SIDE_TABLES = ("agent_states", "agents", "schedules", "surveys", "messages", "orders")

Progress = Callable[[int, int], None]


def _config(contacts: int, days: int, seed: int, start: date | None) -> SynthConfig:
    from callscope.synth import SynthConfig

    if contacts <= 0:
        raise CallscopeError(f"must be a positive number; got {contacts}", field="contacts")
    if days <= 0:
        raise CallscopeError(f"must be a positive number; got {days}", field="days")
    base = SynthConfig(seed=seed, days=days)
    if start is not None:
        base = replace(base, start=start)
    return base.sized(contacts, days=days)


@dataclass(frozen=True, slots=True)
class SynthRequest:
    """About ``contacts`` contact rows over ``days`` from ``start``, seeded; into the
    store (``format="store"``) or as source files in ``output_dir``."""

    contacts: int = 100_000
    days: int = 28
    seed: int = 42
    start: date | None = None
    format: str = "store"
    output_dir: Path = Path("sample-data")
    overwrite: bool = False


@dataclass(frozen=True)
class SynthResult:
    seed: int
    days: int
    tables: dict[str, int] | None = None  #: rows stored per table (store)
    file: Path | None = None  #: the file written (file formats)
    bytes: int = 0
    ingest_hint: str | None = None  #: the command that loads the file


def synth(
    settings: Settings, request: SynthRequest, progress: Progress | None = None
) -> SynthResult:
    """Generate a realistic sample center: into the store, or as a source file. An
    existing file is never overwritten unless ``overwrite`` says so."""
    from callscope import synth as sy
    from callscope.services.common import check_output_dir, open_store

    fmt = request.format
    if fmt != "store" and fmt not in SYNTH_FILES:
        raise CallscopeError(
            f"unknown format {fmt!r}; use store, {', '.join(SYNTH_FILES)}", field="format"
        )
    cfg = _config(request.contacts, request.days, request.seed, request.start)
    if fmt == "store":
        with open_store(settings, write=True) as store:
            tables = sy.write_store(cfg, store, progress=progress)
        return SynthResult(request.seed, request.days, tables=tables)
    check_output_dir(request.output_dir, "output_dir")
    name, hint = SYNTH_FILES[fmt]
    path = request.output_dir / name
    if path.exists() and not request.overwrite:
        raise CallscopeError(
            f"{path} exists; choose another folder, or overwrite it on purpose",
            field="overwrite",
        )
    request.output_dir.mkdir(parents=True, exist_ok=True)
    writer = {
        "asterisk": sy.write_queue_log,
        "amazon-connect": sy.write_amazon_connect,
        "csv": sy.write_contacts_csv,
    }[fmt]

    def counted(days: Any) -> Any:
        for i, day in enumerate(days, 1):
            yield day
            if progress:
                progress(i, request.days)

    tmp = path.with_name(f".{path.name}.partial")
    writer(counted(sy.generate_days(cfg)), tmp)
    tmp.replace(path)  # a crash mid-way never leaves a half-written file under the name
    return SynthResult(
        request.seed,
        request.days,
        file=path,
        bytes=path.stat().st_size,
        ingest_hint=f"callscope ingest {shlex.quote(str(path))} {hint}",
    )


@dataclass(frozen=True, slots=True)
class DemoRequest:
    """The demo: a sample of about ``contacts`` rows over ``days`` when the store has no
    contacts (files in ``output_dir``), then the headline KPIs. Service level is judged
    against each channel's and queue's goal (e-mail within 24 h), unless
    ``sl_threshold_s`` gives one threshold for every contact."""

    contacts: int = 60_000
    days: int = 28
    seed: int = 42
    output_dir: Path = Path("sample-data")
    sl_threshold_s: float | None = None


@dataclass(frozen=True)
class SampleInfo:
    files: dict[str, Path]
    ingest: IngestSummary
    side_rows: dict[str, int]


@dataclass(frozen=True)
class DemoResult:
    db: Path
    sample: SampleInfo | None  #: what was generated, when the store was empty
    total: dict[str, Any]
    by_channel: list[dict[str, Any]]  #: voice, chat, email order
    by_queue: list[dict[str, Any]]  #: per channel and queue, occupancy from the agents
    #: (a channel's occupancy: its queues' agents' busy over available time)
    sl_threshold_s: float  #: T of contacts no goal names (the voice goal's)
    variant: dict[str, Any]  #: the KPI parameters (:meth:`KpiParams.describe`)
    params: KpiParams

    def threshold_label(self, channel: str) -> str:
        """T of ``channel`` for people: ``20 s``, ``60 s``, ``24 h``; the queues of the
        channel judged otherwise follow in brackets: ``20 s (VIP 10 s)``."""
        from callscope.kpi.params import format_threshold

        base = self.params.threshold_for(channel)
        others = []
        for r in self.by_queue:
            q = r.get("queue")
            if r.get("channel") == channel and q:
                t = self.params.threshold_for(channel, q)
                if t != base:
                    others.append(f"{q} {format_threshold(t)}")
        text = format_threshold(base)
        return f"{text} ({', '.join(others)})" if others else text


def prepare_sample(
    store: Store, out_dir: Path, config: SynthConfig, say: Callable[[str], None]
) -> SampleInfo:
    """Generate, write, ingest (see the module docstring)."""
    from callscope.ingest import ingest_files
    from callscope.synth import generate_days, write_amazon_connect, write_queue_log

    out_dir.mkdir(parents=True, exist_ok=True)
    ctr = out_dir / "contact_records.jsonl"
    ql = out_dir / "queue_log"
    say(f"generating {config.days} days of a sample center")
    write_amazon_connect(generate_days(config), ctr)
    write_queue_log(generate_days(config), ql)
    say(f"ingesting {ctr.name}")
    summary = ingest_files(store, [ctr], "amazon-connect")
    say("storing agent states, schedules, surveys, messages and orders")
    with store.batch(f"synth:{config.seed}", "synth", f"synth-side:{config!r}") as batch:
        for day in generate_days(config):
            for name in SIDE_TABLES:
                table = getattr(day, name)
                if table.num_rows:
                    batch.append(name, table)
        side = {k: v for k, v in batch.loaded.items() if v}
    return SampleInfo({"amazon-connect": ctr, "asterisk": ql}, summary, side)


_CHANNEL_ORDER = {"voice": 0, "chat": 1, "email": 2}


def pooled_occupancy(rows: list[dict[str, Any]]) -> float | None:
    """Occupancy of several queues' agents together: their busy time over their
    available time (logged in minus not ready), the same definition as one queue's
    (``KPIS.md``), summed before the ratio rather than averaging the ratios."""
    busy = sum(r.get("busy_s") or 0.0 for r in rows)
    avail = sum((r.get("logged_in_s") or 0.0) - (r.get("not_ready_s") or 0.0) for r in rows)
    return busy / avail if avail > 0 else None


def demo(
    settings: Settings, request: DemoRequest, say: Callable[[str], None] | None = None
) -> DemoResult:
    """The main job: make sure there is data, then the headline KPIs per channel and
    queue. A queue's occupancy comes from its agents' states (agent time is not split by
    channel), so it is taken from the by-queue run into each channel x queue row."""
    from callscope.kpi import compute_kpis, duckdb_source
    from callscope.services.common import check_output_dir, open_store
    from callscope.services.kpi import KpiRequest, kpi_params

    say = say or (lambda step: None)
    cfg = _config(request.contacts, request.days, request.seed, None)
    sample = None
    with open_store(settings, write=True) as store:
        if store.count("contacts") == 0:
            check_output_dir(request.output_dir, "output_dir")
            sample = prepare_sample(store, request.output_dir, cfg, say)
        params = kpi_params(settings, KpiRequest(sl_threshold_s=request.sl_threshold_s))
        src = duckdb_source(store)
        total = compute_kpis(src, [], params).rows()
        by_queue = compute_kpis(src, ["channel", "queue"], params).rows()
        by_channel = compute_kpis(src, ["channel"], params).rows()
        per_queue = {r["queue"]: r for r in compute_kpis(src, ["queue"], params).rows()}
    agent_time = ("occupancy", "busy_s", "logged_in_s", "not_ready_s")
    for r in by_queue:
        if r.get("occupancy") is None and r.get("queue") in per_queue:
            r.update({k: per_queue[r["queue"]].get(k) for k in agent_time})
    for ch in by_channel:
        if ch.get("occupancy") is None:
            ch["occupancy"] = pooled_occupancy(
                [
                    per_queue[r["queue"]]
                    for r in by_queue
                    if r.get("channel") == ch.get("channel") and r.get("queue") in per_queue
                ]
            )
    by_channel.sort(key=lambda r: _CHANNEL_ORDER.get(r.get("channel") or "", 9))
    return DemoResult(
        db=Path(settings.db),
        sample=sample,
        total=total[0] if total else {},
        by_channel=by_channel,
        by_queue=by_queue,
        sl_threshold_s=params.sl_threshold_s,
        variant=params.describe(),
        params=params,
    )
