"""One period under every preset, side by side (``callscope kpi --compare-presets``).

The comparison honours the grouping: for group keys (``("month",)``, ``("queue",)``
...) it holds one row per group and compared KPI, with one column per preset; without
keys, one row per KPI (the totals). Its :meth:`PresetComparison.table` is an Arrow
table ``<keys...>, kpi, <preset>...`` (the preset columns are float64: counts and
ratios share a column), ready to print or write as JSON / CSV / Parquet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from callscope.errors import CallscopeError
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
    """Every compared KPI of every group under each preset, with each preset's
    parameters (``params[preset]``, :meth:`KpiParams.describe`).

    ``kpis`` lists the compared KPIs that have a value somewhere (in the order of
    :data:`COMPARED`); ``groups`` the key values of each group, in key order.
    """

    keys: tuple[str, ...]
    presets: tuple[str, ...]
    kpis: tuple[str, ...]
    params: dict[str, dict[str, Any]]
    _table: pa.Table

    def table(self) -> pa.Table:
        """``<keys...>, kpi, <preset>...``: one row per group and KPI."""
        return self._table

    def rows(self) -> list[dict[str, Any]]:
        """The table's rows: ``{<key>: ..., "kpi": name, "<preset>": value, ...}``."""
        return self._table.to_pylist()

    @property
    def groups(self) -> list[tuple[Any, ...]]:
        """The groups' key values, in the table's order (``[()]`` for the totals)."""
        cols = [self._table.column(k).to_pylist() for k in self.keys]
        seen = dict.fromkeys(zip(*cols, strict=True)) if self.keys else {(): None}
        return list(seen)

    @property
    def values(self) -> dict[str, dict[str, Any]]:
        """``values[kpi][preset]`` of an ungrouped comparison (the totals)."""
        if self.keys:
            raise CallscopeError("values[kpi][preset] is for an ungrouped comparison; use rows()")
        return {r["kpi"]: {n: r[n] for n in self.presets} for r in self.rows()}


def compare_presets(
    src: IbisSource,
    start: datetime | None = None,
    end: datetime | None = None,
    adjust: Callable[[KpiParams], KpiParams] | None = None,
    names: Sequence[str] | None = None,
    keys: Sequence[str] = (),
) -> PresetComparison:
    """The period ``[start, end)`` grouped by ``keys`` (totals when empty) under each
    preset of ``names`` (all by default); ``adjust`` applies the user's thresholds and
    interval to every preset. One :func:`~callscope.kpi.engine.compute_kpis` run per
    preset."""
    names = tuple(names or PRESETS)
    keys = tuple(keys)
    by_preset: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    params = {}
    key_types: dict[str, pa.DataType] = {}
    for name in names:
        p = preset(name)
        if adjust is not None:
            p = adjust(p)
        r = compute_kpis(src, keys, p, start, end)
        by_preset[name] = {tuple(row[k] for k in keys): row for row in r.rows()}
        for k in keys:
            key_types.setdefault(k, r.table.schema.field(k).type)
        params[name] = p.describe()
    groups = sorted(
        {g for rows in by_preset.values() for g in rows},
        key=lambda g: tuple((0, 0) if v is None else (1, v) for v in g),
    )

    def value(name: str, group: tuple[Any, ...], k: str) -> float | None:
        v = by_preset[name].get(group, {}).get(k)
        return None if v is None else float(v)

    kpis = tuple(
        k for k in COMPARED if any(value(n, g, k) is not None for n in names for g in groups)
    )
    cells = [(g, k) for g in groups for k in kpis]
    cols: dict[str, pa.Array] = {
        key: pa.array([g[i] for g, _ in cells], type=key_types.get(key, pa.string()))
        for i, key in enumerate(keys)
    }
    cols["kpi"] = pa.array([k for _, k in cells], type=pa.string())
    for n in names:
        cols[n] = pa.array([value(n, g, k) for g, k in cells], type=pa.float64())
    return PresetComparison(keys, names, kpis, params, pa.table(cols))
