"""Charts drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`) only.

No ``pyplot``, no global backend switch, no ``rcParams`` changes: every chart is its own
``Figure`` rendered by ``Figure.savefig``, so charts can be drawn from several threads
of a server at once and importing this module changes nothing. Settings a chart needs
(SVG text kept as text) are applied inside ``matplotlib.rc_context`` for that render
only.

* :func:`bars_with_line`, :func:`line_chart` -> an inline ``<svg>`` string (reports);
* :func:`accuracy_chart`, :func:`plan_chart`, :func:`coverage_chart` -> a file whose
  type follows its suffix (``.png``, ``.svg``, ``.pdf``);
* :func:`coverage_svg`, :func:`timeline_svg` -> the same coverage chart and a per-agent
  timeline (Gantt) as inline ``<svg>`` for reports.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "accuracy_chart",
    "bars_with_line",
    "coverage_chart",
    "coverage_svg",
    "line_chart",
    "plan_chart",
    "timeline_svg",
]

_BLUE, _ORANGE, _RED = "#4C78A8", "#F58518", "#E45756"
_SVG_RC: dict[str, Any] = {"svg.fonttype": "none"}  # keep text as text: smaller, searchable SVG


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _svg(fig: Any) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):  # type: ignore[arg-type]
        fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _save(fig: Any, path: Path) -> Path:
    import matplotlib

    path = Path(path)
    fig.tight_layout()
    with matplotlib.rc_context(_SVG_RC):  # type: ignore[arg-type]
        fig.savefig(path)
    return path


def _ticks(ax: Any, labels: Sequence[str]) -> None:
    x = list(range(len(labels)))
    step = max(1, len(labels) // 16)
    ax.set_xticks(x[::step], [labels[i] for i in x[::step]], rotation=45, ha="right", fontsize=8)


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
    fig = _figure(9, 3.2)
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.bar(x, bars, color=_BLUE, alpha=0.55, label=bar_label)
    ax.set_ylabel(bar_label)
    ax2 = ax.twinx()
    scale = 100.0 if percent_line else 1.0
    ax2.plot(
        x,
        [float("nan") if v is None else v * scale for v in line],
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
    _ticks(ax, labels)
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
    fig = _figure(9, 2.8)
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
    _ticks(ax, labels)
    ax.set_ylabel(label)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def accuracy_chart(
    wape_by_day: Mapping[str, tuple[Sequence[int], Sequence[float]]],
    path: Path,
    *,
    chosen: str | None = None,
    title: str = "Backtest accuracy by horizon",
) -> Path:
    """WAPE (%) per model (model -> (open day after the origin, WAPE as a share)); the
    chosen model bold and seasonal naive dashed."""
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    for model, (days, wape) in wape_by_day.items():
        order = sorted(range(len(days)), key=lambda i: days[i])
        style: dict[str, Any] = {"lw": 2.8 if model == chosen else 1.3}
        if model == "seasonal_naive":
            style["ls"] = "--"
        ax.plot(
            [days[i] for i in order],
            [wape[i] * 100 for i in order],
            marker="o",
            label=str(model),
            **style,
        )
    ax.set_xlabel("open day after the forecast origin")
    ax.set_ylabel("WAPE, %")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return _save(fig, path)


def plan_chart(
    scheduled: Mapping[str, tuple[Sequence[Any], Sequence[float]]],
    calls: tuple[Sequence[Any], Sequence[float]],
    path: Path,
    *,
    shrinkage: float,
    title: str = "Capacity plan",
) -> Path:
    """Scheduled agents per interval for the base plan and each what-if (scenario ->
    (interval starts, agents summed over queues)), with the base forecast calls shaded
    on a second axis."""
    fig = _figure(10, 4.8)
    ax = fig.add_subplot()
    for name, (t, agents) in scheduled.items():
        ax.step(t, agents, where="post", label=name, lw=2.2 if name == "base" else 1.2)
    ax2 = ax.twinx()
    ax2.fill_between(calls[0], calls[1], step="post", alpha=0.15, color="grey", label="calls")
    ax2.set_ylabel("forecast calls per interval")
    ax.set_ylabel(f"scheduled agents (shrinkage {shrinkage:.0%})")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    for lab in ax.get_xticklabels():
        lab.set_rotation(30)
        lab.set_horizontalalignment("right")
    return _save(fig, path)


def _coverage_figure(
    labels: Sequence[str], required: Sequence[float], scheduled: Sequence[float], title: str
) -> Any:
    fig = _figure(10, 3.8)
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.bar(x, required, width=1.0, color=_BLUE, alpha=0.35, label="required", align="edge")
    ax.step(
        x + [len(x)],
        list(scheduled) + ([scheduled[-1]] if len(scheduled) else []),
        where="post",
        color=_ORANGE,
        lw=1.8,
        label="scheduled (on the phones)",
    )
    short = [max(r - s, 0.0) for r, s in zip(required, scheduled, strict=True)]
    if any(v > 1e-6 for v in short):
        ax.bar(
            x,
            short,
            bottom=list(scheduled),
            width=1.0,
            color=_RED,
            alpha=0.8,
            label="short",
            align="edge",
        )
    _ticks(ax, labels)
    ax.set_ylabel("agents")
    ax.set_xlim(0, max(len(x), 1))
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def coverage_chart(
    labels: Sequence[str],
    required: Sequence[float],
    scheduled: Sequence[float],
    path: Path,
    *,
    title: str = "Required and scheduled agents",
) -> Path:
    """Required agents per interval (bars), the agents a schedule puts on the phones
    (a step line) and the shortfall (red), to a file."""
    return _save(_coverage_figure(labels, required, scheduled, title), path)


def coverage_svg(
    labels: Sequence[str],
    required: Sequence[float],
    scheduled: Sequence[float],
    *,
    title: str = "Required and scheduled agents",
) -> str:
    """:func:`coverage_chart` as an inline ``<svg>`` element."""
    return _svg(_coverage_figure(labels, required, scheduled, title))


#: Colours of timeline activities; any other activity is grey.
_ACTIVITY_COLOURS = {"work": _BLUE, "break": _ORANGE, "lunch": "#54A24B"}


def timeline_svg(
    rows: Sequence[tuple[str, str, float, float]],
    *,
    title: str = "Schedule",
    unit: str = "h",
    max_rows: int = 60,
) -> str:
    """A per-agent timeline (Gantt): one bar row per agent or shift, ``rows`` of
    ``(who, activity, start, end)`` with times in hours from the first day's 00:00
    (``unit`` names them on the axis). At most ``max_rows`` people are drawn."""
    who: list[str] = []
    for w, _, _, _ in rows:
        if w not in who:
            who.append(w)
    who = who[:max_rows]
    pos = {w: i for i, w in enumerate(who)}
    fig = _figure(10, 0.8 + 0.22 * max(len(who), 1))
    ax = fig.add_subplot()
    seen: set[str] = set()
    for w, act, a, b in rows:
        if w not in pos:
            continue
        colour = _ACTIVITY_COLOURS.get(act, "#9D9D9D")
        ax.broken_barh(
            [(a, b - a)],
            (pos[w] - 0.4, 0.8),
            facecolors=colour,
            label=act if act not in seen else None,
        )
        seen.add(act)
    ax.set_yticks(range(len(who)), who, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncol=4)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
