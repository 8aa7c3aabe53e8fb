"""Contact-center KPIs: one Ibis definition each, run on DuckDB or Spark.

See ``KPIS.md`` for the definitions; :mod:`callscope.kpi.catalog` lists every output
column, :func:`callscope.kpi.engine.compute_kpis` computes them.
"""

from __future__ import annotations

from callscope.kpi.catalog import CATALOG, Kpi
from callscope.kpi.engine import KpiResult, compute_kpis, duckdb_source, spark_source
from callscope.kpi.grouping import parse_by
from callscope.kpi.params import KpiParams

__all__ = [
    "CATALOG",
    "Kpi",
    "KpiParams",
    "KpiResult",
    "compute_kpis",
    "duckdb_source",
    "parse_by",
    "spark_source",
]
