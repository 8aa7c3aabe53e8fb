"""What a stored value may be: the domain of every canonical column, checked at append.

One bad value must never break the store: a timestamp in the year 294247 or a hold of
``-1e12`` that lands makes every later report fail. :meth:`Batch.append
<callscope.store.store.Batch.append>` therefore checks each incoming row against its
table's columns before anything is inserted, and rejects a row that fails with the
column, the value and the allowed range:

* a required column (``NOT NULL`` in the model) must have a value;
* a timestamp must lie in ``[TIME_MIN, TIME_MAX)`` (1970-01-01 to 2100-01-01, local
  clock): outside it a value is a corrupt epoch or a typo, never a contact;
* a duration (a ``*_s`` column) must be a finite number of seconds from 0 to
  ``MAX_DURATION_S`` (366 days); ``nan`` and ``inf`` are refused;
* an integer must fit its column's type (``SMALLINT``: -32,768 to 32,767 ...), and
  ``segment`` starts at 1, ``rings`` at 0;
* any other number must be finite;
* ``channel``, ``direction``, ``outcome`` and ``state`` must be one of the model's
  values.

Ingesters read source values with ``try_cast``/``try`` into wide types (``BIGINT``,
``DOUBLE``) so that an out-of-range value reaches this check instead of aborting the file,
and they check raw source fields (an epoch, a clock time) against the same constants.

>>> from callscope.model import AGENT_STATES
>>> print(checks_sql(AGENT_STATES)[:60])
CASE WHEN "agent" IS NULL THEN 'agent is missing (required)'
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from callscope.model import CHANNELS, DIRECTIONS, OUTCOMES, STATES, Table
from callscope.store.sql import ident, literal

__all__ = [
    "INT_RANGES",
    "MAX_DURATION_S",
    "TIME_MAX",
    "TIME_MIN",
    "checks_sql",
    "epoch_range",
]

#: Earliest timestamp stored (inclusive): the Unix epoch.
TIME_MIN = datetime(1970, 1, 1)
#: Latest timestamp stored (exclusive).
TIME_MAX = datetime(2100, 1, 1)
#: Longest duration stored, seconds (366 days: an e-mail can wait days, nothing a year).
MAX_DURATION_S = 366 * 86400.0
#: Range of each integer type.
INT_RANGES = {
    pa.int16(): (-(2**15), 2**15 - 1, "SMALLINT"),
    pa.int32(): (-(2**31), 2**31 - 1, "INTEGER"),
    pa.int64(): (-(2**63), 2**63 - 1, "BIGINT"),
}
_CHOICES = {
    ("contacts", "channel"): CHANNELS,
    ("contacts", "direction"): DIRECTIONS,
    ("contacts", "outcome"): OUTCOMES,
    ("agent_states", "state"): STATES,
}
_MIN = {"utc_offset_s": -18 * 3600, "segment": 1, "rings": 0}
#: Largest value of some integer columns (a UTC offset is at most 18 hours either way).
_MAX = {"utc_offset_s": 18 * 3600}


def epoch_range() -> tuple[int, int]:
    """``[TIME_MIN, TIME_MAX)`` as Unix seconds (for sources that log epochs).

    >>> epoch_range()
    (0, 4102444800)
    """
    unix = datetime(1970, 1, 1)
    return int((TIME_MIN - unix).total_seconds()), int((TIME_MAX - unix).total_seconds())


def _text(v: object) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


def _checks(table: Table) -> list[tuple[str, str]]:
    """(SQL condition true when the value is bad, SQL reason) per column, in the order
    they are tried: required values, numbers, timestamps, then the lists of values."""
    required, numbers, times, choices = [], [], [], []
    tmin, tmax = literal(f"{TIME_MIN:%Y-%m-%d}"), literal(f"{TIME_MAX:%Y-%m-%d}")
    for c in table.columns:
        col = ident(c.name)
        name = literal(c.name + " ")
        shown = f"coalesce({col}::VARCHAR, 'null')"
        if not c.nullable:
            required.append((f"{col} IS NULL", literal(f"{c.name} is missing (required)")))
        if c.type in INT_RANGES:
            lo, hi, duck = INT_RANGES[c.type]
            lo = max(lo, _MIN.get(c.name, lo))
            hi = min(hi, _MAX.get(c.name, hi))
            numbers.append(
                (
                    f"{col} IS NOT NULL AND NOT (try_cast({col} AS DOUBLE) BETWEEN {lo} AND {hi})",
                    f"{name} || {shown} || "
                    + literal(
                        f" is out of range: {c.name} takes whole numbers from {_text(lo)} "
                        f"to {_text(hi)} ({duck})"
                    ),
                )
            )
        elif c.type == pa.float64():
            v = f"try_cast({col} AS DOUBLE)"
            if c.name.endswith("_s"):
                numbers.append(
                    (
                        f"{col} IS NOT NULL AND NOT coalesce({v} BETWEEN 0 AND {MAX_DURATION_S!r}"
                        f" AND isfinite({v}), false)",
                        f"{name} || {shown} || "
                        + literal(
                            f" is not a duration: {c.name} takes a finite number of seconds "
                            f"from 0 to {MAX_DURATION_S:,.0f} (366 days)"
                        ),
                    )
                )
            else:
                numbers.append(
                    (
                        f"{col} IS NOT NULL AND NOT coalesce(isfinite({v}), false)",
                        f"{name} || {shown} || " + literal(" is not a finite number"),
                    )
                )
        elif c.type == pa.timestamp("us"):
            times.append(
                (
                    f"{col} IS NOT NULL AND NOT ({col} >= {tmin}::TIMESTAMP "
                    f"AND {col} < {tmax}::TIMESTAMP)",
                    f"{name} || {shown} || "
                    + literal(
                        f" is outside the times callscope stores ({TIME_MIN:%Y-%m-%d} to "
                        f"{TIME_MAX:%Y-%m-%d}): a corrupt or mistyped time"
                    ),
                )
            )
        allowed = _CHOICES.get((table.name, c.name))
        if allowed:
            choices.append(
                (
                    f"{col} IS NOT NULL AND {col} NOT IN ({', '.join(map(literal, allowed))})",
                    f"{name} || {shown} || " + literal(f" is not one of {', '.join(allowed)}"),
                )
            )
    return required + numbers + times + choices


def checks_sql(table: Table) -> str:
    """A SQL expression over a row of ``table``'s columns: NULL when every value is in
    its domain, else the reason of the first that is not."""
    return "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r in _checks(table)) + " END"
