"""Storage: the embedded DuckDB store and engine connections."""

from __future__ import annotations

from callscope.store.store import Batch, Store, default_db_path, file_sha256

__all__ = ["Batch", "Store", "default_db_path", "file_sha256"]
