"""The live journal: an append-only, fsynced log of what the server acknowledged.

An event (or a ``queue_log`` line a follower read) is acknowledged only after its
record is written **and** ``fsync``-ed here; after a restart or a ``kill -9`` the server
replays the journal through the same reducer, so the live state is rebuilt from what was
acknowledged, in the same order. Records are JSON lines in segments named by the day
they were written (``journal-YYYY-MM-DD.jsonl``, UTC), in a folder beside the store
(``<store>.live/``). Writes are grouped: every record that arrived while the previous
``fsync`` ran is written and synced at once (a group commit), so one ``fsync`` serves
many requests.

A crash can leave the last line of a segment cut (written, never synced, so never
acknowledged): opening the journal cuts it off. Only one process may hold a journal
(an exclusive lock on ``LOCK``); a second server on the same store is refused.

Replay reads the segments of the last ``days`` days of writing (two by default: a
contact that began before midnight still closes after it). The read positions of
followed logs are also kept in ``positions.json`` (rewritten, not synced, after
writes), for a log quiet for longer than that; the journal, synced first, wins when
both know a log.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from callscope.errors import CallscopeError

__all__ = ["Journal"]

_PREFIX, _SUFFIX = "journal-", ".jsonl"


class Journal:
    """The journal in ``folder`` (created if absent), locked for this process."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.clock = clock
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CallscopeError(
                f"cannot create the live journal folder {self.folder}: {e.strerror}",
                field="db",
            ) from None
        self._lock = open(self.folder / "LOCK", "a+")  # noqa: SIM115 (held while open)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise CallscopeError(
                f"the live journal {self.folder} is in use by another callscope serve of "
                "this store; stop it first, or serve another store",
                field="db",
            ) from None
        self._fd: int | None = None
        self._segment: str | None = None
        for p in self.segments():
            _cut_torn_tail(p)
        self.bytes_written = 0
        self.syncs = 0

    # -- reading ----------------------------------------------------------------------
    def segments(self) -> list[Path]:
        return sorted(self.folder.glob(f"{_PREFIX}*{_SUFFIX}"))

    def replay(self, days: int = 2) -> Iterator[dict[str, Any]]:
        """The records of the segments written in the last ``days`` days, in order."""
        first = (datetime.fromtimestamp(self.clock(), UTC) - timedelta(days=days - 1)).date()
        for p in self.segments():
            if p.name[len(_PREFIX) : -len(_SUFFIX)] < first.isoformat():
                continue
            with open(p, "rb") as f:
                for raw in f:
                    if raw.endswith(b"\n"):
                        yield orjson.loads(raw)

    def positions(self) -> dict[str, Any]:
        """The read positions last saved in ``positions.json`` ({} when none)."""
        try:
            data = json.loads((self.folder / "positions.json").read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_positions(self, positions: dict[str, Any]) -> None:
        tmp = self.folder / "positions.json.tmp"
        tmp.write_text(json.dumps(positions))
        os.replace(tmp, self.folder / "positions.json")

    # -- writing ----------------------------------------------------------------------
    def _open(self) -> int:
        name = f"{_PREFIX}{datetime.fromtimestamp(self.clock(), UTC).date().isoformat()}{_SUFFIX}"
        if self._fd is None or name != self._segment:
            if self._fd is not None:
                os.close(self._fd)
            path = self.folder / name
            new = not path.exists()
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._segment = name
            if new:  # the new name itself must survive a crash
                d = os.open(self.folder, os.O_RDONLY)
                try:
                    os.fsync(d)
                finally:
                    os.close(d)
        return self._fd

    def append(self, records: list[bytes]) -> None:
        """Write ``records`` (JSON texts, no newline) and ``fsync``: when this returns
        they survive a crash of the process or the machine."""
        if not records:
            return
        fd = self._open()
        data = b"\n".join(records) + b"\n"
        before = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        except BaseException:
            # not acknowledged: take the part written back out, so a later append
            # never follows a cut line (and a replay never reads what was refused)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, before)
            raise
        self.bytes_written += len(data)
        self.syncs += 1

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._lock.close()


def _cut_torn_tail(path: Path) -> None:
    """Cut a last line that has no newline (a write a crash interrupted)."""
    size = path.stat().st_size
    if size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(max(0, size - 1))
        if f.read(1) == b"\n":
            return
        pos = size
        while pos > 0:
            step = min(65536, pos)
            f.seek(pos - step)
            block = f.read(step)
            i = block.rfind(b"\n")
            if i >= 0:
                f.truncate(pos - step + i + 1)
                return
            pos -= step
        f.truncate(0)
