"""Arrow arrays from NumPy arrays and short lists of text, built from their buffers.

``pyarrow.array()`` imports pandas the first time it runs (to check whether it was given
a pandas object): a third of a second, more than a whole ``callscope staff`` run on a
year of intervals needs for its arithmetic. Columns built here go straight from the
NumPy buffer (numbers), a packed bitmap (booleans) or offsets and UTF-8 bytes (text).

>>> numbers(np.array([1.5, 2.0])).to_pylist(), flags(np.array([True, False, True])).to_pylist()
([1.5, 2.0], [True, False, True])
>>> texts(["80/20", "", "90/24h"]).to_pylist()
['80/20', '', '90/24h']

And back: :func:`to_numpy` reads a numeric or boolean column's buffers (``to_numpy()``
of pyarrow imports pandas too):

>>> to_numpy(pa.chunked_array([numbers(np.array([1, 2])), pa.nulls(1, pa.int64())]))
array([ 1.,  2., nan])
>>> to_numpy(flags(np.array([True, False])))
array([ True, False])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = ["flags", "numbers", "texts", "to_numpy"]


def numbers(x: np.ndarray) -> pa.Array:
    """A numeric NumPy array (no nulls) as an Arrow array of the same type."""
    x = np.ascontiguousarray(x)
    return pa.Array.from_buffers(pa.from_numpy_dtype(x.dtype), x.size, [None, pa.py_buffer(x)])


def flags(x: np.ndarray) -> pa.Array:
    """A boolean NumPy array as an Arrow boolean array (bit-packed)."""
    x = np.ascontiguousarray(x, dtype=np.bool_)
    bits = np.packbits(x, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), x.size, [None, pa.py_buffer(bits)])


def texts(values: Sequence[str]) -> pa.Array:
    """A short list of strings as an Arrow string array."""
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in data], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    )


def _chunk_to_numpy(a: pa.Array) -> np.ndarray:
    n, off = len(a), a.offset
    bufs = a.buffers()
    out: np.ndarray
    if pa.types.is_boolean(a.type):
        bits = (
            np.frombuffer(bufs[1], dtype=np.uint8) if bufs[1] is not None else np.zeros(0, np.uint8)
        )
        out = np.unpackbits(bits, bitorder="little")[off : off + n].astype(np.bool_)
    elif str(a.type) in _NUMPY:
        dtype = np.dtype(_NUMPY[str(a.type)])
        if bufs[1] is None:  # all null
            out = np.zeros(n, dtype=dtype)
        else:
            out = np.frombuffer(bufs[1], dtype=dtype)[off : off + n]
    else:
        raise TypeError(f"to_numpy reads numeric and boolean columns, not {a.type}")
    if a.null_count:
        valid = np.unpackbits(np.frombuffer(bufs[0], dtype=np.uint8), bitorder="little")
        valid = valid[off : off + n].astype(np.bool_)
        out = np.where(valid, out, np.nan) if out.dtype != np.bool_ else out & valid
    return out


_NUMPY = {
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "uint8": "uint8",
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
    "float": "float32",
    "double": "float64",
}


def to_numpy(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A numeric or boolean Arrow column as a NumPy array (nulls as NaN, numbers then as
    floats; boolean nulls as False), read from its buffers."""
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    parts = [_chunk_to_numpy(c) for c in chunks if len(c)]
    if not parts:
        t = col.type
        return np.zeros(0, dtype=np.bool_ if pa.types.is_boolean(t) else np.float64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
