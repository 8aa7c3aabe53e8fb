"""Durations written by people: ``30m``, ``1h``, ``15min``, ``900s``, ``24h``, ``7d``.

The one parser behind every duration a user types: ``--interval``, ``--horizon``,
the threshold of a service target (``80/20``, ``90/24h``) and the center settings.
A number needs its unit (``30`` alone could be seconds or minutes), except where the
caller names a default unit (``bare="s"``, as in the ``20`` of ``80/20``).

>>> parse_duration_s("30m"), parse_duration_s("1h"), parse_duration_s("15min")
(1800.0, 3600.0, 900.0)
>>> parse_duration_s("900s"), parse_duration_s("1h30m"), parse_duration_s("2.5s")
(900.0, 5400.0, 2.5)
>>> parse_duration_s("20", bare="s")
20.0
>>> format_duration(1800), format_duration(86400), format_duration(20), format_duration(5400)
('30m', '24h', '20s', '90m')
"""

from __future__ import annotations

import math
import re

from callscope.errors import CallscopeError

__all__ = ["FORMS", "format_duration", "parse_duration_s", "parse_share"]

#: Seconds per unit (the spellings accepted).
_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
#: How a duration may be written (for error messages).
FORMS = "a number with a unit: 900s, 15min, 30m, 1h, 24h, 7d"
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_duration_s(text: str, *, bare: str | None = None, what: str = "duration") -> float:
    """Seconds in ``text``: one or more ``<number><unit>`` parts (``1h30m``). A bare
    number is read in the unit ``bare`` (``"s"``, ``"min"`` ...) when given, else
    refused. Unreadable input raises a :class:`~callscope.errors.CallscopeError` that
    names the accepted forms."""
    t = str(text).strip().lower().replace(" ", "")
    if _NUMBER.fullmatch(t):
        if bare is None:
            raise CallscopeError(
                f"the {what} {text!r} has no unit (seconds? minutes?); write {FORMS}"
            )
        return float(t) * _UNITS[bare]
    total, pos = 0.0, 0
    for m in _PART.finditer(t):
        if m.start() != pos or m.group(2) not in _UNITS:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    else:
        if pos == len(t) and pos > 0 and math.isfinite(total):
            return total
    raise CallscopeError(f"cannot read the {what} {text!r}; write {FORMS}")


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of ``seconds`` in one unit (``30m``, ``24h``, ``20s``)."""
    s = float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size and s % size == 0 and (unit != "d" or s % 86400 == 0 and s > 86400):
            return f"{s / size:g}{unit}"
    return f"{s:g}s"


def parse_share(text: str | float, *, what: str = "share") -> float:
    """A share written ``30%`` or ``0.3`` (a bare number above 1 is refused as
    ambiguous: 30 % or 30?).

    >>> parse_share("30%"), parse_share("0.3"), parse_share(0.25)
    (0.3, 0.3, 0.25)
    """
    t = str(text).strip()
    try:
        if t.endswith("%"):
            v = float(t[:-1]) / 100.0
        else:
            v = float(t)
            if v > 1.0:
                raise CallscopeError(
                    f"the {what} {text!r} is ambiguous: write {t}% for a percent, or a share "
                    f"between 0 and 1 such as {v / 100:g}"
                )
    except ValueError:
        raise CallscopeError(f"cannot read the {what} {text!r}; write e.g. 30% or 0.3") from None
    if not (0.0 <= v <= 1.0 and math.isfinite(v)):
        raise CallscopeError(f"the {what} {text!r} must lie between 0 % and 100 %")
    return v
