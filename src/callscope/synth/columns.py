"""Small helpers that turn NumPy arrays into Arrow columns of the canonical types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["day_epoch", "fmt_int", "join", "pick", "timestamps", "floats"]

TS = pa.timestamp("us")


def day_epoch(day: date) -> int:
    """Seconds from 1970-01-01 00:00 to local midnight of ``day`` (naive, as if UTC)."""
    return (day - date(1970, 1, 1)).days * 86400


def timestamps(base: int, secs: np.ndarray) -> pa.Array:
    """``timestamp[us]`` from seconds after ``base`` (NaN -> null)."""
    secs = np.asarray(secs, np.float64)
    ok = np.isfinite(secs)
    us = np.where(ok, (base + np.where(ok, secs, 0.0)) * 1_000_000, 0).astype(np.int64)
    return pa.array(us, TS, mask=~ok)


def floats(x: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """float64 column, null where ``valid`` is False or the value is NaN."""
    x = np.asarray(x, np.float64)
    mask = ~np.isfinite(x) if valid is None else (~valid | ~np.isfinite(x))
    return pa.array(np.where(mask, 0.0, x), pa.float64(), mask=mask)


def pick(labels: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """Strings ``labels[idx]``, null where ``idx < 0``."""
    arr = labels if isinstance(labels, pa.Array) else pa.array(list(labels), pa.string())
    idx = np.asarray(idx, np.int64)
    return pc.take(arr, pa.array(np.maximum(idx, 0), pa.int64(), mask=idx < 0))


def fmt_int(x: np.ndarray, width: int = 0) -> pa.Array:
    """Decimal strings of integers, zero-padded to ``width``."""
    s = pa.array(np.asarray(x, np.int64)).cast(pa.string())
    return pc.utf8_lpad(s, width, "0") if width else s


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and scalars."""
    return pc.binary_join_element_wise(*parts, sep)
