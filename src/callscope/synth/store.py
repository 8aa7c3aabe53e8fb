"""Generate straight into the store, in atomic batches of whole days.

Consecutive days are grouped until they hold at least ``chunk_contacts`` contacts (one
day per batch for small centers, fewer and larger appends for big ones: every append
anti-joins on the natural key, so fewer appends are faster). Each group is one
:meth:`callscope.store.Store.batch` named ``synth:<seed>:<first day>..<last day>`` with
the SHA-256 of the configuration and the dates as fingerprint: a re-run of the same
configuration skips the groups already stored (it still generates them, the generator
being sequential), and a run killed mid-way leaves only whole groups behind. Rows carry
``source_file = synth:<seed>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pyarrow as pa

from callscope.model import TABLES
from callscope.store import Store
from callscope.synth.center import SynthDay, generate_days
from callscope.synth.config import SynthConfig

__all__ = ["config_sha256", "write_store"]


def config_sha256(config: SynthConfig) -> str:
    """A fingerprint of the configuration (its ``repr``, which lists every field)."""
    return hashlib.sha256(repr(config).encode()).hexdigest()


def _flush(
    store: Store, config: SynthConfig, sha: str, group: list[SynthDay], loaded: dict[str, int]
) -> None:
    first, last = group[0].day.isoformat(), group[-1].day.isoformat()
    group_sha = hashlib.sha256(f"{sha}:{first}:{last}".encode()).hexdigest()
    if store.already_ingested(group_sha, "synth") is not None:
        return
    with store.batch(f"synth:{config.seed}:{first}..{last}", "synth", group_sha) as b:
        for name in TABLES:
            table = pa.concat_tables([getattr(d, name) for d in group])
            if table.num_rows:
                b.rows_read += table.num_rows
                loaded[name] += b.append(name, table)


def write_store(
    config: SynthConfig,
    store: Store,
    progress: Callable[[int, int], None] | None = None,
    chunk_contacts: int = 250_000,
) -> dict[str, int]:
    """Generate ``config`` into ``store``; returns rows loaded per canonical table.

    ``progress(done_days, total_days)`` is called after every generated day.
    """
    loaded = {name: 0 for name in TABLES}
    sha = config_sha256(config)
    group: list[SynthDay] = []
    size = 0
    for i, day in enumerate(generate_days(config)):
        group.append(day)
        size += day.contacts.num_rows
        if size >= chunk_contacts or i == config.days - 1:
            _flush(store, config, sha, group, loaded)
            group, size = [], 0
        if progress is not None:
            progress(i + 1, config.days)
    return loaded
