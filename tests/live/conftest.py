"""Fixtures of the live tests: a synthetic day's queue_log and its batch KPIs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from livetools import DayLog, make_day_log  # noqa: E402


@pytest.fixture(scope="session")
def day_log(tmp_path_factory) -> DayLog:
    return make_day_log(tmp_path_factory.mktemp("live-day"))
