"""Shared fixtures of the scheduling tests: the real data files and the textbook case."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_DATA = ROOT.parent / "shared" / "data" / "anonymous_bank"


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip("../shared/data is not beside the project")
    return path


@pytest.fixture
def shifts_csv() -> Path:
    """The textbook's 8-shift x 24-hour coverage matrix (CR-only line ends)."""
    return _need(_DATA / "data_anonymous_bank_shifts.csv")


@pytest.fixture
def february() -> Path:
    """The Anonymous Bank call log of February 1999."""
    return _need(_DATA / "data_anonymous_bank_february.txt")


@pytest.fixture
def textbook_need() -> list[int]:
    """The hourly operator requirement printed in the textbook's program (Miller 2015,
    *Modeling Techniques in Predictive Analytics*, ch. 6, ``chapter_6_program.R``:
    ``1 1 1 0 1 1 1 4 8 9 10 9 8 16 10 10 6 7 8 8 6 6 5 4``) with hours 00-05 set to 0
    (the bank closed at night), as the program does before scheduling."""
    return [0, 0, 0, 0, 0, 0, 1, 4, 8, 9, 10, 9, 8, 16, 10, 10, 6, 7, 8, 8, 6, 6, 5, 4]


@pytest.fixture
def textbook_costs() -> tuple[int, ...]:
    """The textbook's six-hour shift salaries in sheqels (``cost.vector``)."""
    return (252, 288, 180, 180, 180, 288, 288, 288)
