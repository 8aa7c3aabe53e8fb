"""Rendering results for a terminal: Rich tables with units and thousands separators."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from callscope.cli.app import console, text

__all__ = ["Column", "number", "pct", "print_rows", "seconds"]

Column = tuple[str, str, Callable[[Any], str]]  # key, header, formatter


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and not math.isfinite(v))


def pct(v: Any, digits: int = 1) -> str:
    """A share as a percent: ``0.8123`` -> ``81.2 %``."""
    return "-" if _missing(v) else f"{100 * float(v):.{digits}f} %"


def seconds(v: Any) -> str:
    """Seconds with one decimal below 100, whole above: ``7.8 s``, ``176 s``."""
    if _missing(v):
        return "-"
    f = float(v)
    return f"{f:,.1f} s" if abs(f) < 100 else f"{f:,.0f} s"


def number(v: Any, digits: int = 0) -> str:
    """A count or amount with thousands separators."""
    if _missing(v):
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{float(v):,.{digits}f}"


def plain(v: Any) -> str:
    """Any value as text; ``-`` when missing."""
    return "-" if _missing(v) else str(v)


def print_rows(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    caption: str | None = None,
    left: Sequence[str] = (),
) -> None:
    """Print ``rows`` as a Rich table with ``columns`` (key, header, formatter)."""
    from rich.table import Table

    t = Table()
    for key, head, _ in columns:
        t.add_column(text(head), justify="left" if key in left else "right")
    for r in rows:
        t.add_row(*(text(fmt(r.get(key))) for key, _, fmt in columns))
    if title:
        console.print(text(title, "bold"), highlight=False)
    console.print(t)
    if caption:
        console.print(text(caption, "dim"), highlight=False)
