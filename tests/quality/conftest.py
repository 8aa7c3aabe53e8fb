"""Fixtures of the quality tests: a store holding the small center of :mod:`qacenter`."""

from __future__ import annotations

from pathlib import Path

import pytest
from qacenter import center_rows, make_store

from callscope.settings import Settings


@pytest.fixture
def center(tmp_path: Path) -> Settings:
    """Settings whose store holds the small center."""
    db = tmp_path / "qa.duckdb"
    make_store(db, **center_rows()).close()
    return Settings(db=db)
