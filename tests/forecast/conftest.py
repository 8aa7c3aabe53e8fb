"""Fixtures of the forecast tests: a store with a known signal, the real data."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fcdata import make_contacts

from callscope.store import Store

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def signal_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with 8 weeks (Mon 2024-01-01 ..) of the known signal in queue 'sales'."""
    path = tmp_path_factory.mktemp("fc") / "signal.duckdb"
    rng = np.random.default_rng(7)
    with Store(path) as s, s.batch("test", "test", "sha-signal") as b:
        b.append("contacts", make_contacts(date(2024, 1, 1), 56, rng))
    return path


@pytest.fixture
def shared_data() -> Path:
    if not DATA.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return DATA


@pytest.fixture(scope="session")
def spark():
    """A local Spark session (2 cores, no UI, quiet)."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    # the workers must run this interpreter (the venv's), activated or not
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    s = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("callscope-forecast-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
