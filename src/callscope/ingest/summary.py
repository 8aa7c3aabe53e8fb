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
    ``skipped`` is set when the very same file (same SHA-256) was ingested before.
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

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` summary: files, rows_read, rows_loaded, rows_rejected, rejects."""
        return {
            "files": [asdict(f) for f in self.files],
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rejects": [{"file": r.file, "line": r.line, "reason": r.reason} for r in self.rejects],
        }
