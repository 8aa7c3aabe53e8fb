"""Forecasting: interval volume and AHT per queue x channel, backtests, capacity plans.

Modules: :mod:`.series` (loading, aggregation, open hours, special days), :mod:`.models`
(our statsforecast-compatible estimators and the peers), :mod:`.frame` (the statsforecast
orchestrator: all cores or Spark), :mod:`.backtest`, :mod:`.accuracy`, :mod:`.selection`,
:mod:`.forecaster` (store series -> forecast rows), :mod:`.history` (the days a
forecast stands on, gaps), :mod:`.reforecast` (intraday),
:mod:`.plan` (capacity plan and what-ifs), :mod:`.chart`.
"""

from __future__ import annotations

__all__: list[str] = []
