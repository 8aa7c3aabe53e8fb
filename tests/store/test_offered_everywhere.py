""" "Offered" has one definition: the forecast's volume counts what the KPIs call offered."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa

from callscope.model import CONTACTS, NOT_OFFERED, OUTCOMES
from callscope.store import Store
from callscope.store.forecasts import interval_series


def test_forecast_volume_counts_offered_contacts_only(tmp_path: Path) -> None:
    """One inbound contact per outcome, all with a queue entry at 09:00: the interval's
    volume is the number of offered outcomes (a phantom record that carries a queue
    entry time is still not a caller)."""
    n = len(OUTCOMES)
    cols: dict[str, list[object]] = {c.name: [None] * n for c in CONTACTS.columns}
    for i, outcome in enumerate(OUTCOMES):
        cols["contact_id"][i] = cols["conversation_id"][i] = f"c{i}"
        cols["segment"][i] = 1
        cols["channel"][i], cols["direction"][i], cols["queue"][i] = "voice", "inbound", "q"
        cols["arrival_ts"][i] = cols["queue_entry_ts"][i] = datetime(2024, 1, 1, 9, 0, i)
        cols["outcome"][i], cols["transferred"][i] = outcome, False
        cols["source_file"][i], cols["source_line"][i] = "t", i + 1
    store = Store(tmp_path / "s.duckdb")
    with store.batch("t", "t", "sha") as b:
        b.append("contacts", pa.Table.from_pydict(cols, schema=CONTACTS.schema))
    series = interval_series(store, 1800)
    store.close()
    assert series.column("calls").to_pylist() == [n - len(NOT_OFFERED)]
