"""Matplotlib charts rendered to inline SVG strings (no files, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib import rcParams
from matplotlib.figure import Figure

__all__ = ["bars_with_line", "line_chart"]

rcParams["svg.fonttype"] = "none"  # keep text as text: smaller, searchable SVG

_BLUE, _ORANGE, _GREY, _RED = "#4C78A8", "#F58518", "#9D9D9D", "#E45756"


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def bars_with_line(
    labels: Sequence[str],
    bars: Sequence[float],
    line: Sequence[float | None],
    *,
    bar_label: str,
    line_label: str,
    target: float | None = None,
    title: str = "",
    percent_line: bool = True,
) -> str:
    """Bars (volume) on the left axis and a line (a rate) on the right, with an optional
    dashed target line on the right axis. Returns an ``<svg>`` element."""
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.bar(x, bars, color=_BLUE, alpha=0.55, label=bar_label)
    ax.set_ylabel(bar_label)
    ax2 = ax.twinx()
    scale = 100.0 if percent_line else 1.0
    ys = [None if v is None else v * scale for v in line]
    ax2.plot(
        x,
        [float("nan") if v is None else v for v in ys],
        color=_ORANGE,
        marker="o",
        markersize=3,
        label=line_label,
    )
    if target is not None:
        ax2.axhline(
            target * scale,
            color=_RED,
            linestyle="--",
            linewidth=1,
            label=f"target {target * scale:g}{'%' if percent_line else ''}",
        )
    ax2.set_ylabel(line_label)
    if percent_line:
        ax2.set_ylim(0, 105)
    step = max(1, len(labels) // 16)
    ax.set_xticks(x[::step], [labels[i] for i in x[::step]], rotation=45, ha="right", fontsize=8)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8, frameon=False)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top"]].set_visible(False)
    return _svg(fig)


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    label: str,
    target: float | None = None,
    title: str = "",
) -> str:
    """One line over time with an optional dashed target. Returns an ``<svg>`` element."""
    fig = Figure(figsize=(9, 2.8))
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.plot(
        x,
        [float("nan") if v is None else v for v in values],
        color=_BLUE,
        marker="o",
        markersize=3,
        label=label,
    )
    if target is not None:
        ax.axhline(target, color=_RED, linestyle="--", linewidth=1, label=f"target {target:g}")
    step = max(1, len(labels) // 16)
    ax.set_xticks(x[::step], [labels[i] for i in x[::step]], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(label)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    _ = _GREY
    return _svg(fig)
