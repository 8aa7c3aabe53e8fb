"""An encrypted store end to end through the CLI (issue 11, privacy): the file's bytes
hold no caller id, queue or agent name, the KPIs are the plain store's, a wrong or missing
key is one clear line, and `callscope privacy encrypt` / `decrypt` convert in place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

QUEUE_LOG = Path(__file__).resolve().parents[1] / "ingest" / "data" / "queue_log.txt"
KEY = bytes(range(32))
CALLERS = [b"48221234567", b"48225550001", b"48220000013", b"48229999999"]
QUEUES = [b"support", b"sales"]
AGENTS = [b"Agent/1001", b"SIP/2001"]


def run(
    *args: str, cwd: Path, key: bytes | None = KEY, settings: str = ""
) -> subprocess.CompletedProcess[str]:
    (cwd / "callscope.toml").write_text(settings)
    env = {k: v for k, v in os.environ.items() if k not in ("CALLSCOPE_KEY", "CALLSCOPE_DB")}
    if key is not None:
        env["CALLSCOPE_KEY"] = key.hex()
    return subprocess.run(
        [sys.executable, "-m", "callscope", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=cwd,
    )


# raw identifiers kept, so that only the encryption stands between the caller ids and
# the file (pseudonyms alone would hide them already)
RAW = "[privacy]\nraw_identifiers = true\n"
ENCRYPTED = RAW + "encrypt = true\n"


def _ingest(tmp: Path, settings: str) -> Path:
    db = tmp / "c.duckdb"
    p = run(
        "ingest",
        str(QUEUE_LOG),
        "--source",
        "asterisk",
        "--db",
        str(db),
        cwd=tmp,
        settings=settings,
    )
    assert p.returncode == 0, p.stderr
    return db


def _kpis(tmp: Path, db: Path, settings: str, key: bytes | None = KEY) -> list[dict[str, object]]:
    p = run(
        "kpi",
        "--by",
        "queue",
        "--format",
        "json",
        "--db",
        str(db),
        cwd=tmp,
        settings=settings,
        key=key,
    )
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    return rows["rows"] if isinstance(rows, dict) else rows


def _bytes(db: Path) -> bytes:
    wal = db.with_name(db.name + ".wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_encrypted_store_holds_no_caller_id_and_gives_the_plain_kpis(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "enc").mkdir()
    plain = _ingest(tmp_path / "plain", RAW)
    enc = _ingest(tmp_path / "enc", ENCRYPTED)
    raw_plain, raw_enc = _bytes(plain), _bytes(enc)
    # the plain store shows what there is to hide ...
    assert all(c in raw_plain for c in CALLERS + QUEUES + AGENTS)
    # ... and the encrypted one hides it
    assert not [c for c in CALLERS + QUEUES + AGENTS if c in raw_enc]
    assert raw_enc[8:12] == b"DUCK"
    got = _kpis(tmp_path / "enc", enc, ENCRYPTED)
    assert got == _kpis(tmp_path / "plain", plain, RAW)
    assert {r["queue"] for r in got} == {"support", "sales", "vip"}


def test_wrong_or_missing_key_is_one_clear_line(tmp_path: Path) -> None:
    enc = _ingest(tmp_path, ENCRYPTED)
    p = run("kpi", "--db", str(enc), cwd=tmp_path, settings=ENCRYPTED, key=bytes(32))
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "Traceback" not in p.stderr
    assert "cannot be decrypted with the center's key" in p.stderr
    assert "$CALLSCOPE_KEY" in p.stderr
    p = run("kpi", "--db", str(enc), cwd=tmp_path, settings=ENCRYPTED, key=None)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0
    assert "is encrypted and its key is missing" in p.stderr and "callscope.key" in p.stderr
    # the store is the file's to say: with the key, it opens without privacy.encrypt
    assert _kpis(tmp_path, enc, RAW)


def test_a_plain_store_is_refused_when_the_settings_say_encrypted(tmp_path: Path) -> None:
    plain = _ingest(tmp_path, RAW)
    p = run("kpi", "--db", str(plain), cwd=tmp_path, settings=ENCRYPTED)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0
    assert "is not encrypted" in p.stderr and "callscope privacy encrypt" in p.stderr


def test_encrypt_then_decrypt_in_place(tmp_path: Path) -> None:
    db = _ingest(tmp_path, RAW)
    before = _kpis(tmp_path, db, RAW)
    p = run("privacy", "encrypt", "--format", "json", "--db", str(db), cwd=tmp_path, settings=RAW)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["encrypted"] is True and out["rows"]["contacts"] > 0
    assert not [c for c in CALLERS + QUEUES if c in _bytes(db)]
    assert not (tmp_path / "c.duckdb.converting").exists()
    assert _kpis(tmp_path, db, ENCRYPTED) == before
    p = run("privacy", "encrypt", "--db", str(db), cwd=tmp_path, settings=RAW)
    assert p.returncode == 2 and "already encrypted" in p.stderr
    p = run("privacy", "decrypt", "--db", str(db), cwd=tmp_path, settings=ENCRYPTED)
    assert p.returncode == 2 and "set it to false first" in p.stderr
    p = run("privacy", "decrypt", "--format", "json", "--db", str(db), cwd=tmp_path, settings=RAW)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rows"] == out["rows"]
    assert all(c in _bytes(db) for c in CALLERS)
    assert _kpis(tmp_path, db, RAW) == before


def test_spark_engine_refuses_an_encrypted_store(tmp_path: Path) -> None:
    """The Spark path reads a Parquet copy, which would be plaintext on disk."""
    enc = _ingest(tmp_path, ENCRYPTED)
    p = run("kpi", "--engine", "spark", "--db", str(enc), cwd=tmp_path, settings=ENCRYPTED)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0
    assert "--engine duckdb" in p.stderr
