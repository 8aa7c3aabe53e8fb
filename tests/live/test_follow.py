"""Following a queue_log like tail -F: complete lines only, a restart from a position
reads neither a line twice nor skips one, truncation starts a new generation from the
top, a rotated file is read to its end before the new one, bytes that are not UTF-8
are handed on as unreadable (the hub rejects them with file and line)."""

from __future__ import annotations

import os
from pathlib import Path

from callscope.live.follow import Follower, LineRecord


class Taken:
    def __init__(self) -> None:
        self.records: list[LineRecord] = []

    def __call__(self, records: list[LineRecord]) -> None:
        self.records.extend(records)

    def lines(self) -> list[tuple[int, int, str | None]]:
        out = [(r.pos.gen, r.pos.line, r.text) for r in self.records]
        self.records.clear()
        return out


def _write(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def test_lines_positions_and_a_restart(tmp_path):
    log = tmp_path / "queue_log"
    taken = Taken()
    f = Follower(log, None, taken)
    assert f.poll() == 0  # not there yet: waited for
    _write(log, b"a|1\nb|2\nc|")  # the third line is still being written
    f.poll()
    assert taken.lines() == [(1, 1, "a|1"), (1, 2, "b|2")]
    _write(log, b"3\nd|4\n")
    f.poll()
    assert taken.lines() == [(1, 3, "c|3"), (1, 4, "d|4")]
    pos = f.pos
    f.stop()
    _write(log, b"e|5\n")
    g = Follower(log, pos, taken)  # a restart from the stored position
    g.poll()
    assert taken.lines() == [(1, 5, "e|5")]
    g.stop()


def test_truncation_rotation_and_bytes_that_are_not_text(tmp_path):
    log = tmp_path / "queue_log"
    taken = Taken()
    f = Follower(log, None, taken)
    _write(log, b"a|1\nb|2\nc|3\n")
    f.poll()
    assert len(taken.lines()) == 3
    os.truncate(log, 0)  # copytruncate
    _write(log, b"x|1\n")
    f.poll()
    assert taken.lines() == [(2, 1, "x|1")]  # a new generation, from the top
    old = log.with_name("queue_log.1")
    log.rename(old)
    _write(log, b"new|1\n")
    _write(old, b"late|2\n")  # written to the old file before the switch
    f.poll()
    f.poll()
    assert taken.lines() == [(2, 2, "late|2"), (3, 1, "new|1")]  # old to its end first
    _write(log, b"caf\xe9|2\nok|3\n")
    f.poll()
    got = taken.lines()
    assert got == [(3, 2, None), (3, 3, "ok|3")]
    f.stop()
