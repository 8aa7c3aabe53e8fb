"""The main job on the embedded store: make sure there is data, then the headline KPIs.

With an empty store, :func:`prepare_sample` generates a sample center
(:mod:`callscope.synth`), writes its contacts as Amazon Connect contact trace records
and its voice calls as an Asterisk ``queue_log`` (files a user can look at and ingest
again), ingests the contact records through the real ingester, and stores the agent
states, schedules, surveys, chat messages and orders the generator made alongside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callscope.ingest import IngestSummary, ingest_files
from callscope.store import Store
from callscope.synth import SynthConfig, generate_days, write_amazon_connect, write_queue_log

__all__ = ["SampleResult", "prepare_sample", "sample_config"]

#: tables the contact records do not carry; they go straight into the store
SIDE_TABLES = ("agent_states", "agents", "schedules", "surveys", "messages", "orders")


@dataclass(frozen=True, slots=True)
class SampleResult:
    """What :func:`prepare_sample` wrote and loaded."""

    files: dict[str, Path]
    ingest: IngestSummary
    side_rows: dict[str, int]


def sample_config(contacts: int, days: int, seed: int) -> SynthConfig:
    """A sample center sized to about ``contacts`` contact rows over ``days``."""
    return SynthConfig(seed=seed, days=days).sized(contacts, days=days)


def prepare_sample(
    store: Store, out_dir: Path, config: SynthConfig, progress: Callable[[str], None] | None = None
) -> SampleResult:
    """Generate, write, ingest. ``progress(step)`` is told each step as it starts."""
    say = progress or (lambda step: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctr = out_dir / "contact_records.jsonl"
    ql = out_dir / "queue_log"
    say(f"generating {config.days} days of a sample center")
    write_amazon_connect(generate_days(config), ctr)
    write_queue_log(generate_days(config), ql)
    say(f"ingesting {ctr.name}")
    summary = ingest_files(store, [ctr], "amazon-connect")
    say("storing agent states, schedules, surveys, messages and orders")
    side: dict[str, int] = {}
    with store.batch(f"synth:{config.seed}", "synth", f"synth-side:{config!r}") as batch:
        for day in generate_days(config):
            for name in SIDE_TABLES:
                table = getattr(day, name)
                if table.num_rows:
                    batch.append(name, table)
        side = {k: v for k, v in batch.loaded.items() if v}
    return SampleResult({"amazon-connect": ctr, "asterisk": ql}, summary, side)
