"""Writing results out: Arrow tables to CSV / JSON / Parquet / XLSX
(:mod:`callscope.export.tables`) and charts with matplotlib's Figure API
(:mod:`callscope.export.charts`). Nothing is imported until used."""

from __future__ import annotations

__all__: list[str] = []
