"""Following a growing ``queue_log`` like ``tail -F``.

A :class:`Follower` reads the complete lines appended to a file (a line still being
written waits for its newline) and hands them, with their place, to ``submit``, which
returns once they are durable (journaled); only then does it move on. Its position is
``(generation, inode, line, offset)``: the server journals it with the lines, so after a
restart it resumes exactly after the last line journaled (none skipped, none read
twice).

* **Rotation** (the path now names another file): the old file is read to its end
  first, then the new one from its start.
* **Truncation** (the file got shorter than the position, as ``copytruncate`` does): it
  starts again from the top.
* A missing file is waited for.

Each new file (rotation, truncation, or a new file found at start) is a new
*generation*: line numbers count from 1 in each, and event ids carry the generation.
A rotation while the server was stopped loses nothing only if the old file is still
at the path; the lines appended to a rotated-away file after the stop are not read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Follower", "LineRecord", "Position"]

_CHUNK = 1 << 20
_MAX_LINE = 1 << 20  #: a line longer than this is cut here (and rejected as too long)


@dataclass(frozen=True, slots=True)
class Position:
    gen: int = 0
    ino: int = 0
    line: int = 0  #: lines read from this generation's file
    offset: int = 0  #: bytes read from it


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One line read: its text (``None`` when it is not UTF-8 or too long) and where it
    was, ``pos`` being the position after it."""

    feed: str
    text: str | None
    raw: str
    pos: Position


class Follower:
    """Follows ``path``; ``submit(records)`` makes records durable (blocking)."""

    def __init__(
        self,
        path: Path,
        start: Position | None,
        submit: Callable[[list[LineRecord]], None],
        *,
        poll_s: float = 0.05,
    ) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.pos = start or Position()
        self.submit = submit
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._f: int | None = None
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"follow {self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._f is not None:
            os.close(self._f)
            self._f = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                got = self.poll()
                self.error = None
            except OSError as e:
                self.error = f"{self.name}: {e.strerror}"
                got = 0
            if not got:
                self._stop.wait(self.poll_s)

    def _open_current(self) -> os.stat_result | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        if self._f is None:
            self._f = os.open(self.path, os.O_RDONLY)
            fst = os.fstat(self._f)
            if self.pos.ino != fst.st_ino or fst.st_size < self.pos.offset:
                # a file other than the one the position is in: a new generation
                self.pos = Position(self.pos.gen + 1, fst.st_ino, 0, 0)
        return st

    def poll(self) -> int:
        """Read what is there now; return the number of lines submitted."""
        st = self._open_current()
        if st is None or self._f is None:
            return 0
        fst = os.fstat(self._f)
        if st.st_ino != fst.st_ino:  # rotated: finish the old file, then the new one
            n = self._read(fst.st_size)
            if n:
                return n
            os.close(self._f)
            self._f = None
            return self.poll()
        if fst.st_size < self.pos.offset:  # truncated: from the top again
            self.pos = Position(self.pos.gen + 1, fst.st_ino, 0, 0)
        return self._read(fst.st_size)

    def _read(self, size: int) -> int:
        assert self._f is not None
        if size <= self.pos.offset:
            return 0
        data = os.pread(self._f, min(_CHUNK, size - self.pos.offset), self.pos.offset)
        end = data.rfind(b"\n")
        if end < 0:
            if len(data) < _MAX_LINE:
                return 0  # a line still being written
            end = len(data) - 1  # an over-long line: cut, rejected
        records = []
        pos = self.pos
        start = 0
        while start <= end:
            nl = data.find(b"\n", start, end + 1)
            stop = end + 1 if nl < 0 else nl + 1
            chunk = data[start:stop]
            line = pos.line + 1
            pos = Position(pos.gen, pos.ino, line, pos.offset + len(chunk))
            try:
                text: str | None = chunk.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                text = None
            if nl < 0:
                text = None
            records.append(
                LineRecord(self.name, text, chunk.decode("utf-8", "replace")[:2000], pos)
            )
            start = stop
        self.submit(records)
        self.pos = pos
        return len(records)
