"""KPI targets and their red / amber / green status.

A target is a bound on one KPI and a direction: ``at_least`` (service level,
utilization, contacts per hour ...) or ``at_most`` (AHT, hold, ACW, abandonment ...).
Status: **green** when the target is met, **amber** when missed by no more than
``amber_margin`` (relative, default 10 %), **red** otherwise, ``None`` when the value is
unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Target", "Targets", "rag"]


@dataclass(frozen=True, slots=True)
class Target:
    """``kpi`` should be ``at_least`` / ``at_most`` ``value``."""

    kpi: str
    value: float
    direction: str  # "at_least" | "at_most"
    amber_margin: float = 0.10


def rag(value: float | None, target: Target) -> str | None:
    """``"green"``, ``"amber"``, ``"red"`` or ``None``.

    >>> rag(0.75, Target("service_level", 0.8, "at_least"))
    'amber'
    >>> rag(400.0, Target("aht_s", 300.0, "at_most"))
    'red'
    """
    if value is None:
        return None
    v, t, m = float(value), target.value, target.amber_margin
    if target.direction == "at_least":
        if v >= t:
            return "green"
        return "amber" if v >= t * (1 - m) else "red"
    if v <= t:
        return "green"
    return "amber" if v <= t * (1 + m) else "red"


@dataclass(frozen=True, slots=True)
class Targets:
    """The usual targets of a voice center (override any of them)."""

    service_level: float = 0.80  # 80/20
    abandon_rate: float = 0.05
    asa_s: float = 30.0
    aht_s: float = 300.0
    avg_acw_s: float = 60.0
    avg_hold_s: float = 45.0
    utilization: float = 0.75
    occupancy: float = 0.85
    contacts_per_hour: float = 8.0
    first_response_s: float = 30.0  # KPIS.md: first response <= 30 s
    response_rate: float = 0.90  # KPIS.md: response rate >= 90 %
    conversion_rate: float = 0.70  # KPIS.md: a strong agent reaches 70 %

    _AT_MOST = frozenset(
        {
            "abandon_rate",
            "asa_s",
            "aht_s",
            "avg_acw_s",
            "avg_hold_s",
            "occupancy",
            "first_response_s",
        }
    )

    def target(self, kpi: str) -> Target | None:
        """The target of ``kpi`` (``None`` when there is none)."""
        if kpi not in {f.name for f in fields(self)}:
            return None
        direction = "at_most" if kpi in self._AT_MOST else "at_least"
        return Target(kpi, float(getattr(self, kpi)), direction)

    def status(self, kpi: str, value: float | None) -> str | None:
        t = self.target(kpi)
        return None if t is None else rag(value, t)
