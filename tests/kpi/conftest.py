from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def spark():
    """One local[2] Spark session for the whole test run."""
    pytest.importorskip("pyspark")
    from callscope.kpi.engine import spark_session

    session = spark_session("callscope-tests")
    yield session
    session.stop()
