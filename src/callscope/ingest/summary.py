"""What an ingest did: typed results for the CLI and tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FileResult", "IngestSummary", "Reject"]


@dataclass(frozen=True, slots=True)
class Reject:
    """One row that could not be loaded: where it is and why, in words a person can act on."""

    file: str
    line: int | None
    reason: str
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome of ingesting one file.

    ``rows_read`` counts the file's data rows (header and blank lines excluded);
    ``rows_loaded`` the canonical rows stored (per table in ``tables``);
    ``rows_rejected`` the rows quarantined in the ``rejects`` table;
    ``rows_duplicate`` source rows not stored because their key is (the same record
    again, or an older version of it; the survey answers on such a row are not counted
    again); ``rows_replaced`` stored rows overwritten by a newer
    version of their record (Amazon Connect: a later ``LastUpdateTimestamp``);
    ``rows_pending`` source rows kept for the next file (a call the log does not finish
    yet); ``notes`` say in words where duplicates and replacements came from;
    ``skipped`` is set when the very same file (same SHA-256) was ingested before.

    For one record per row (Amazon Connect, Anonymous Bank, csv) every row read is
    counted once: ``rows_read = tables["contacts"] + rows_rejected + rows_duplicate``.
    An Asterisk ``queue_log`` reads events, several per
    call: its lines are loaded into calls and agent spans, rejected, pending or
    informational (QUEUESTART ...), so that identity does not apply to it.
    """

    file: str
    format: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_duplicate: int
    tables: dict[str, int]
    seconds: float
    skipped: str | None = None
    rows_replaced: int = 0
    rows_pending: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """The outcome of one ``ingest`` run over several files."""

    files: list[FileResult] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_duplicate(self) -> int:
        return sum(f.rows_duplicate for f in self.files)

    @property
    def rows_replaced(self) -> int:
        return sum(f.rows_replaced for f in self.files)

    @property
    def rows_pending(self) -> int:
        return sum(f.rows_pending for f in self.files)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` summary: files (each with its counts and notes), rows_read,
        rows_loaded, rows_rejected, rows_duplicate, rows_replaced, rows_pending,
        rejects."""
        return {
            "files": [{**asdict(f), "notes": list(f.notes)} for f in self.files],
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_duplicate": self.rows_duplicate,
            "rows_replaced": self.rows_replaced,
            "rows_pending": self.rows_pending,
            "rejects": [{"file": r.file, "line": r.line, "reason": r.reason} for r in self.rejects],
        }
