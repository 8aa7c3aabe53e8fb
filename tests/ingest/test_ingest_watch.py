"""Watching a load (the Data page's progress): ``watch`` gets a reader of the file's
counts as its batch opens (nothing counted yet), and the reader follows the load to the
file's result; :func:`check_ingest` finds the mistakes that show before any loading."""

from __future__ import annotations

import pytest

from callscope.errors import CallscopeError
from callscope.services.ingest import IngestCounts, IngestRequest, check_ingest, ingest
from callscope.settings import load_settings

RECORD = (
    '{{"ContactId":"c{i}","Channel":"VOICE","InitiationMethod":"INBOUND",'
    '"InitiationTimestamp":"2026-01-05T07:00:{i:02d}Z",'
    '"DisconnectTimestamp":"2026-01-05T07:05:{i:02d}Z","Queue":{{"Name":"Q"}}}}'
)


def test_watch_reads_the_counts_as_the_file_loads(tmp_path):
    settings = load_settings(db=tmp_path / "c.duckdb", env={}, cwd=tmp_path)
    f = tmp_path / "ctr.jsonl"
    f.write_text("\n".join([RECORD.format(i=i) for i in range(5)] + ["{broken"]) + "\n")
    seen: list[IngestCounts] = []
    readers = []

    def watch(counts):
        seen.append(counts())
        readers.append(counts)

    summary = ingest(settings, IngestRequest((f,), "amazon-connect"), watch=watch)
    assert seen == [IngestCounts(str(f), 0, 0, 0)]
    (result,) = summary.files
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 5, 1)
    assert readers[0]() == IngestCounts(str(f), 6, 5, 1)


def test_check_ingest_finds_mistakes_before_loading(tmp_path):
    settings = load_settings(db=tmp_path / "c.duckdb", env={}, cwd=tmp_path)
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    cases = [
        (IngestRequest((f,), "excel"), "format", "unknown format"),
        (IngestRequest((), "asterisk"), "paths", "no files"),
        (IngestRequest((f,), "asterisk", timezone="Mars/Olympus"), "timezone", "Mars/Olympus"),
        (IngestRequest((f,), "csv"), "mapping", "column mapping"),
        (IngestRequest((f,), "asterisk", mapping=f), "mapping", "only for csv"),
    ]
    for request, field, words in cases:
        with pytest.raises(CallscopeError, match=words) as e:
            check_ingest(settings, request)
        assert e.value.field == field
    assert not settings.db.exists()  # nothing was loaded, no store made
