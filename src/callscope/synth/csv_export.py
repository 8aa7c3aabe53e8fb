"""Write generated contacts as a plain CSV with the canonical column names.

Header: every ``contacts`` column except ``source_file`` and ``source_line``;
timestamps ``YYYY-MM-DD HH:MM:SS``, booleans ``true``/``false``, nulls empty. The days
stream through DuckDB's CSV writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from callscope.model import CONTACTS
from callscope.store.sql import literal, run
from callscope.synth.center import SynthDay

__all__ = ["CSV_COLUMNS", "write_contacts_csv"]

#: The CSV's columns, in order.
CSV_COLUMNS = tuple(n for n in CONTACTS.names if n not in ("source_file", "source_line"))


def _batches(days: Iterable[SynthDay]) -> Iterator[pa.RecordBatch]:
    for day in days:
        yield from day.contacts.select(list(CSV_COLUMNS)).to_batches()


def write_contacts_csv(days: Iterable[SynthDay], path: str | Path) -> int:
    """Write the contacts of ``days`` as CSV at ``path``; returns the number of rows."""
    schema = pa.schema([CONTACTS.schema.field(n) for n in CSV_COLUMNS])
    reader = pa.RecordBatchReader.from_batches(schema, _batches(days))
    counted = {"n": 0}

    def counting() -> Iterator[pa.RecordBatch]:
        for b in reader:
            counted["n"] += b.num_rows
            yield b

    con = duckdb.connect()
    try:
        con.register("_synth_csv", pa.RecordBatchReader.from_batches(schema, counting()))
        run(
            con,
            f"COPY (SELECT * FROM _synth_csv) TO {literal(str(Path(path)))} "
            "(FORMAT csv, HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')",
        )
    finally:
        con.close()
    return counted["n"]
