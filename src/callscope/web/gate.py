"""One store, several threads and processes.

DuckDB lets one process write a file, and within a process a file is open either
read-only or read-write. The server opens the store per request (read-only to read, a
short read-write connection to write), so ``callscope ingest`` or ``callscope kpi`` can
run beside it; :class:`Gate` keeps the server's own threads from mixing the two modes:
many readers or one writer at a time, a waiting writer first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Gate"]


class Gate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @property
    def writing(self) -> bool:
        """Whether one of the server's threads is writing the store now."""
        return self._writing

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()
