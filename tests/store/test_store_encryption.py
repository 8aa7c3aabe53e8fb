"""The encrypted store at the storage layer: the header flag, the write-ahead log's
bytes, read-only opens, wrong keys, and in-place conversion that never leaves half a
store behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.store import Store, encryption
from callscope.store.encryption import convert, is_encrypted

KEY = "a" * 64
CALLER = "+48221234567"


def _fill(store: Store, n: int = 50) -> None:
    store.con.execute("CREATE TABLE calls (caller VARCHAR, queue VARCHAR)")
    store.con.execute(
        "INSERT INTO calls SELECT ? || i, 'support-queue' FROM range(?) r(i)", [CALLER, n]
    )


def test_is_encrypted_reads_the_header(tmp_path: Path) -> None:
    Store(tmp_path / "p.duckdb").close()
    Store(tmp_path / "e.duckdb", encryption_key=KEY).close()
    (tmp_path / "x.txt").write_text("DUCK but not a database")
    assert is_encrypted(tmp_path / "e.duckdb")
    assert not is_encrypted(tmp_path / "p.duckdb")
    assert not is_encrypted(tmp_path / "x.txt")
    assert not is_encrypted(tmp_path / "missing.duckdb")


@pytest.mark.parametrize("key", [None, KEY])
def test_the_write_ahead_log_is_encrypted_too(tmp_path: Path, key: str | None) -> None:
    """Rows not yet checkpointed live in ``<db>.wal``: plain, the caller id is there to
    read; encrypted, it is not."""
    db = tmp_path / "c.duckdb"
    store = Store(db, encryption_key=key)
    try:
        store.con.execute("SET checkpoint_threshold = '1GB'")
        _fill(store)
        wal = db.with_name(db.name + ".wal").read_bytes()
        assert len(wal) > 1000
        assert (CALLER.encode() in wal) is (key is None)
        assert (b"support-queue" in wal) is (key is None)
    finally:
        store.close()
    raw = db.read_bytes()
    assert (CALLER.encode() in raw) is (key is None)


def test_encrypted_store_spills_encrypted_and_opens_read_only(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    with Store(db, encryption_key=KEY) as s:
        _fill(s)
        assert s.encrypted
        assert s.con.execute("SELECT current_setting('temp_file_encryption')").fetchall() == [
            (True,)
        ]
    with Store(db, read_only=True, encryption_key=KEY) as s:
        assert s.con.execute("SELECT count(*) FROM calls").fetchall() == [(50,)]
        with pytest.raises(Exception, match="read-only"):
            s.con.execute("DELETE FROM calls")


def test_wrong_key_no_key_and_a_key_for_a_plain_store_are_clear(tmp_path: Path) -> None:
    enc, plain = tmp_path / "e.duckdb", tmp_path / "p.duckdb"
    Store(enc, encryption_key=KEY).close()
    Store(plain).close()
    with pytest.raises(CallscopeError, match="cannot be decrypted with the center's key"):
        Store(enc, encryption_key="b" * 64)
    with pytest.raises(CallscopeError, match="is encrypted; open it with the center's key"):
        Store(enc)
    with pytest.raises(CallscopeError, match="is not encrypted; encrypt it with"):
        Store(plain, encryption_key=KEY)


def test_convert_round_trip_keeps_every_row_and_no_leftovers(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    with Store(db) as s:
        _fill(s, 1000)
    # a conversion that crashed before its swap left a partial copy: it is ignored
    (tmp_path / "c.duckdb.converting").write_bytes(b"half a file")
    r = convert(db, key_from=None, key_to=KEY)
    assert r.encrypted and r.rows["calls"] == 1000 and r.rows["contacts"] == 0
    assert is_encrypted(db) and CALLER.encode() not in db.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.duckdb"]
    with Store(db, read_only=True, encryption_key=KEY) as s:
        assert s.count("calls") == 1000
    back = convert(db, key_from=KEY, key_to=None)
    assert not back.encrypted and back.rows == r.rows
    assert not is_encrypted(db) and CALLER.encode() in db.read_bytes()


def test_a_copy_that_differs_is_never_swapped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "c.duckdb"
    with Store(db) as s:
        _fill(s)
    before = db.read_bytes()
    counts = encryption._counts

    def short(con: object, name: str) -> dict[str, int]:
        got = counts(con, name)  # type: ignore[arg-type]
        return {**got, "calls": got["calls"] - 1} if name == "new" else got

    monkeypatch.setattr(encryption, "_counts", short)
    with pytest.raises(CallscopeError, match="differs in calls; the store is unchanged"):
        convert(db, key_from=None, key_to=KEY)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.duckdb"]


def test_a_store_written_by_duckdb_2_is_one_clear_line(tmp_path: Path) -> None:
    """DuckDB is pinned at 1.5.5 for its httpfs build; a store made by DuckDB 2.0 (an
    empty one, 12 KiB, made by duckdb 2.0.1) cannot be read by it, and says what to do."""
    db = tmp_path / "c.duckdb"
    db.write_bytes((Path(__file__).parent / "data" / "written_by_duckdb_2.duckdb").read_bytes())
    with pytest.raises(CallscopeError) as e:
        Store(db, read_only=True)
    assert "written by a newer DuckDB (storage version 999)" in str(e.value)
    assert "EXPORT DATABASE" in str(e.value) and "\n" not in str(e.value)
