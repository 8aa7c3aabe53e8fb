"""Charts: backtest accuracy by horizon, and the capacity plan against its what-ifs.

matplotlib with the non-interactive Agg backend; the file type follows the suffix
(``.png``, ``.svg``, ``.pdf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from callscope.forecast.backtest import HorizonScore
from callscope.forecast.plan import CapacityPlan

__all__ = ["accuracy_chart", "plan_chart"]


def _pyplot():  # imported lazily: matplotlib is slow to import
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, path: Path) -> Path:
    """Lay ``fig`` out tightly, write it to ``path`` (type from the suffix) and close it."""
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path


def accuracy_chart(
    by_horizon: Sequence[HorizonScore],
    path: Path,
    *,
    chosen: str | None = None,
    title: str = "Backtest accuracy by horizon",
) -> Path:
    """WAPE (%) per model against the day after the origin; the chosen model bold and
    seasonal naive dashed."""
    plt = _pyplot()
    df = pd.DataFrame(
        [{"model": s.model, "horizon_day": s.horizon_day, "wape": s.wape} for s in by_horizon]
    )
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for model, g in df.groupby("model", sort=False):
        g = g.sort_values("horizon_day")
        style: dict[str, object] = {"lw": 2.8 if model == chosen else 1.3}
        if model == "seasonal_naive":
            style["ls"] = "--"
        ax.plot(g["horizon_day"], g["wape"] * 100, marker="o", label=str(model), **style)
    ax.set_xlabel("open day after the forecast origin")
    ax.set_ylabel("WAPE, %")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return _save(plt, fig, path)


def plan_chart(plan: CapacityPlan, path: Path, *, title: str = "Capacity plan") -> Path:
    """Scheduled agents per interval (all queues together), base plan and each what-if,
    with the forecast calls of the base plan on a second axis."""
    plt = _pyplot()
    t = plan.intervals
    fig, ax = plt.subplots(figsize=(10, 4.8))
    for name, g in t.groupby("scenario", sort=False):
        s = g.groupby("interval_start")["scheduled_agents"].sum().sort_index()
        ax.step(
            pd.to_datetime(s.index),
            s.to_numpy(),
            where="post",
            label=f"{name}",
            lw=2.2 if name == "base" else 1.2,
        )
    base = t[t["scenario"] == "base"].groupby("interval_start")["calls"].sum().sort_index()
    ax2 = ax.twinx()
    ax2.fill_between(
        pd.to_datetime(base.index),
        base.to_numpy(),
        step="post",
        alpha=0.15,
        color="grey",
        label="calls (base)",
    )
    ax2.set_ylabel("forecast calls per interval")
    ax.set_ylabel(f"scheduled agents (shrinkage {plan.shrinkage:.0%})")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    return _save(plt, fig, path)
