"""One period under every preset, side by side (``callscope kpi --compare-presets``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from callscope.kpi.engine import IbisSource, compute_kpis
from callscope.kpi.params import KpiParams
from callscope.kpi.presets import PRESETS, preset

__all__ = ["COMPARED", "PresetComparison", "compare_presets"]

#: The KPIs whose definition differs between presets.
COMPARED = (
    "service_level",
    "abandon_rate",
    "avg_time_to_abandon_s",
    "occupancy",
    "asa_s",
    "aht_s",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
)


@dataclass(frozen=True)
class PresetComparison:
    """``values[kpi][preset]`` for one period, with each preset's parameters."""

    presets: tuple[str, ...]
    kpis: tuple[str, ...]
    values: dict[str, dict[str, Any]]
    params: dict[str, dict[str, Any]]

    def rows(self) -> list[dict[str, Any]]:
        """One row per KPI: ``{"kpi": name, "<preset>": value, ...}``."""
        return [{"kpi": k, **self.values[k]} for k in self.kpis]

    def table(self) -> pa.Table:
        return pa.Table.from_pylist(self.rows())


def compare_presets(
    src: IbisSource,
    start: datetime | None = None,
    end: datetime | None = None,
    adjust: Callable[[KpiParams], KpiParams] | None = None,
    names: Sequence[str] | None = None,
) -> PresetComparison:
    """Totals of the period under each preset; ``adjust`` applies the user's thresholds
    to every preset."""
    names = tuple(names or PRESETS)
    values: dict[str, dict[str, Any]] = {k: {} for k in COMPARED}
    params = {}
    for name in names:
        p = preset(name)
        if adjust is not None:
            p = adjust(p)
        r = compute_kpis(src, (), p, start, end)
        row = r.rows()[0] if r.table.num_rows else {}
        for k in COMPARED:
            values[k][name] = row.get(k)
        params[name] = p.describe()
    kpis = tuple(k for k in COMPARED if any(v is not None for v in values[k].values()))
    return PresetComparison(names, kpis, values, params)
