"""A staffing plan over a table of intervals (the CSV or forecast the CLI reads).

Input: a mapping of column name -> sequence with ``interval_start, queue, calls, aht_s``
and optionally ``channel``, ``patience_s`` and ``interval_s`` (seconds, default 1800).
Output: those input columns followed by the planner's (:func:`plan_columns` documents
them). The
whole table is solved in one call of :func:`~callscope.queueing.staffing.required_agents`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from callscope.errors import CallscopeError
from callscope.queueing.staffing import required_agents

__all__ = ["OUTPUT_COLUMNS", "REQUIRED_COLUMNS", "numeric_column", "plan_columns"]

REQUIRED_COLUMNS = ("interval_start", "queue", "calls", "aht_s")
#: Columns the planner adds, in order.
OUTPUT_COLUMNS = (
    "traffic",
    "agents",
    "scheduled_agents",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "mean_wait_s",
    "p_wait",
    "met",
)
_HINT = (
    "the planner needs columns interval_start, queue, calls, aht_s "
    "(optional patience_s, interval_s)"
)


def numeric_column(name: str, values: Sequence[Any]) -> np.ndarray:
    """``values`` as float64; a CallscopeError names the column and first bad row."""
    try:
        out = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        for i, v in enumerate(values):
            try:
                float(v)
            except (TypeError, ValueError):
                raise CallscopeError(
                    f"column {name!r} must be numeric; row {i + 1} has {v!r}: fix or drop that row"
                ) from None
        raise
    bad = np.flatnonzero(np.isnan(out))
    if bad.size:
        raise CallscopeError(
            f"column {name!r} has an empty value in row {bad[0] + 1}: fill it in or drop the row"
        )
    return out


def plan_columns(
    columns: Mapping[str, Sequence[Any]],
    *,
    model: str = "erlang-c",
    sl_target: float | None = 0.8,
    sl_threshold_s: float = 20.0,
    asa_target_s: float | None = None,
    max_abandon: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    concurrency: int = 1,
    patience_s: float | Mapping[str, float] | None = None,
    interval_s: float = 1800.0,
) -> dict[str, Any]:
    """Plan every row. ``patience_s`` (Erlang A) is used where the input has no
    ``patience_s`` column: one number, or a queue -> seconds mapping. ``concurrency``
    applies to every row, or, when the input has a ``channel`` column, to its non-voice
    rows only.

    Added columns: ``traffic`` (Erlangs), ``agents`` (on the phones),
    ``scheduled_agents`` (with shrinkage), ``service_level``, ``asa_s``, ``p_abandon``,
    ``occupancy``, ``mean_wait_s``, ``p_wait``, ``met`` (every target met).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CallscopeError(f"input has no column {missing[0]!r}; {_HINT}")
    calls = numeric_column("calls", columns["calls"])
    aht = numeric_column("aht_s", columns["aht_s"])
    if (calls < 0).any():
        raise CallscopeError(f"column 'calls' is negative in row {np.argmax(calls < 0) + 1}")
    if (aht <= 0).any():
        raise CallscopeError(f"column 'aht_s' must be > 0; row {np.argmax(aht <= 0) + 1} is not")
    iv = (
        numeric_column("interval_s", columns["interval_s"])
        if "interval_s" in columns
        else np.full(calls.shape, float(interval_s))
    )
    queues = [str(q) for q in columns["queue"]]
    patience: np.ndarray | None = None
    if model == "erlang-a":
        if "patience_s" in columns:
            patience = numeric_column("patience_s", columns["patience_s"])
        elif isinstance(patience_s, Mapping):
            unknown = sorted({q for q in queues if q not in patience_s})
            if unknown:
                raise CallscopeError(
                    f"no patience estimate for queue {unknown[0]!r}: add a patience_s column "
                    "or pass --patience-s"
                )
            patience = np.array([patience_s[q] for q in queues], dtype=np.float64)
        elif patience_s is not None:
            patience = np.full(calls.shape, float(patience_s))
        else:
            raise CallscopeError(
                "model erlang-a needs patience: add a patience_s column, "
                "pass --patience-s, or ingest contacts to estimate it"
            )
    conc: int | np.ndarray = concurrency
    if "channel" in columns and concurrency != 1:
        # several contacts at once is a chat (or e-mail) habit, never a phone one
        conc = np.where(np.array([str(c) for c in columns["channel"]]) == "voice", 1, concurrency)
    res = required_agents(
        calls,
        aht,
        iv,
        model=model,
        sl_target=sl_target,
        sl_threshold_s=sl_threshold_s,
        asa_target_s=asa_target_s,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
        patience_s=patience,
        shrinkage=shrinkage,
        concurrency=conc,
    )
    out: dict[str, Any] = {"interval_start": list(columns["interval_start"]), "queue": queues}
    if "channel" in columns:
        out["channel"] = list(columns["channel"])
    out.update({"calls": calls, "aht_s": aht, "interval_s": iv})
    if patience is not None:
        out["patience_s"] = patience
    cols = res.as_columns()
    for name in OUTPUT_COLUMNS:
        out[name] = cols[name]
    return out
