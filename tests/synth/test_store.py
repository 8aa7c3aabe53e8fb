"""Generating straight into the DuckDB store."""

from __future__ import annotations

from pathlib import Path

from callscope.model import TABLES
from callscope.store import Store
from callscope.synth import SynthConfig, generate, write_store


def test_write_store_loads_every_table_once(tmp_path: Path) -> None:
    cfg = SynthConfig(seed=4, days=3, contacts_per_day=500)
    expected = {name: t.num_rows for name, t in generate(cfg).tables().items()}
    calls: list[tuple[int, int]] = []
    with Store(tmp_path / "s.duckdb") as store:
        loaded = write_store(
            cfg, store, progress=lambda done, total: calls.append((done, total)), chunk_contacts=1
        )
        assert loaded == expected
        assert calls[-1] == (3, 3) and len(calls) == 3
        for name in TABLES:
            assert store.count(name) == expected[name]
        assert (
            store.con.execute("SELECT count(*) FROM ingests WHERE format = 'synth'").fetchone()[0]
            == 3
        )  # one batch per day at this size
        again = write_store(cfg, store, chunk_contacts=1)
        assert sum(again.values()) == 0
        assert store.count("contacts") == expected["contacts"]
        src = store.con.execute("SELECT DISTINCT source_file FROM contacts").fetchall()
        assert src == [("synth:4",)]


def test_large_days_are_grouped_into_fewer_batches(tmp_path: Path) -> None:
    cfg = SynthConfig(seed=4, days=4, contacts_per_day=500)
    with Store(tmp_path / "g.duckdb") as store:
        loaded = write_store(cfg, store, chunk_contacts=900)
        batches = store.con.execute("SELECT file FROM ingests ORDER BY file").fetchall()
        assert [b for (b,) in batches] == [
            "synth:4:2026-01-05..2026-01-06",
            "synth:4:2026-01-07..2026-01-08",
        ]
        assert loaded["contacts"] == store.count("contacts")
