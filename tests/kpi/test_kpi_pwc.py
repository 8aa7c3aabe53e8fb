"""The PwC "Call Centre Trends" export: its mapped ``Resolved`` Y/N column feeds the
reported FCR (issue 9: "about 90 % in January; today it is stored and never used").

The expected share is counted here from the raw CSV with the ``csv`` module,
independently of the ingester and of the KPI engine: among the calls answered in
January 2021 (``Answered (Y/N)`` = Y, date DD/MM/YYYY), those with ``Resolved`` = Y.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from callscope.kpi import KpiParams, compute_kpis, duckdb_source

ROOT = Path(__file__).resolve().parents[2]
PWC = ROOT / ".." / "shared" / "data" / "pwc_call_centre" / "call_centre_trends_2021.csv"
MAPPING = ROOT / "mappings" / "pwc_call_centre.toml"

pytestmark = pytest.mark.skipif(not PWC.exists(), reason="shared data directory absent")


def expected_reported_fcr() -> dict[int, tuple[int, int]]:
    """Month -> (answered calls resolved, answered calls), from the raw file."""
    out: dict[int, tuple[int, int]] = {}
    with open(PWC, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["Answered (Y/N)"] != "Y":
                continue
            month = int(row["Date"].split("/")[1])
            resolved, answered = out.get(month, (0, 0))
            out[month] = (resolved + (row["Resolved"] == "Y"), answered + 1)
    return out


def test_reported_fcr_from_the_resolved_column(tmp_path):
    ingest = pytest.importorskip("callscope.ingest")
    from callscope.store import Store

    want = expected_reported_fcr()
    assert want[1] == (1311, 1455)  # January: 90.1 %
    with Store(tmp_path / "pwc.duckdb") as store:
        ingest.ingest_files(store, [PWC], fmt="csv", mapping=MAPPING)
        rows = compute_kpis(duckdb_source(store), ("month",), KpiParams()).rows()
    got = {r["month"].month: r for r in rows}
    assert set(got) == set(want)
    for month, (resolved, answered) in want.items():
        assert got[month]["fcr_reported_handled"] == answered
        assert got[month]["fcr_reported"] == pytest.approx(resolved / answered, rel=1e-12)
    assert round(got[1]["fcr_reported"], 3) == 0.901
    # no customer key in this export: the repeat-based FCR has no population
    assert got[1]["fcr_handled"] == 0 and got[1]["fcr"] is None
