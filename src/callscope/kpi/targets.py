"""KPI targets and their red / amber / green status.

A target is a bound on one KPI and a direction: ``at_least`` (service level,
utilization, contacts per hour ...) or ``at_most`` (AHT, hold, ACW, abandonment ...).
Status: **green** when the target is met, **amber** when missed by no more than
``amber_margin`` (relative, default 10 %), **red** otherwise, ``None`` when the value is
unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["STATUSES", "STATUS_SYMBOLS", "STATUS_WORDS", "Target", "Targets", "rag"]

#: The statuses, best first.
STATUSES = ("green", "amber", "red")
#: A word per status, for output without colour (CSV, JSON readers, screen readers,
#: colour-blind readers): the target is met, nearly met (within the amber margin) or
#: missed.
STATUS_WORDS = {"green": "met", "amber": "near", "red": "missed"}
#: A one-character mark per status, to print beside a value in a terminal table.
STATUS_SYMBOLS = {"green": "✓", "amber": "~", "red": "✗"}


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
        """``rag(value, target of kpi)``; ``None`` without a target or a value."""
        t = self.target(kpi)
        return None if t is None else rag(value, t)

    def describe(self, kpi: str) -> str | None:
        """The target as text: ``"<= 300"``, ``">= 0.75"`` (``None`` without one).

        >>> Targets().describe("aht_s"), Targets().describe("utilization")
        ('<= 300', '>= 0.75')
        """
        t = self.target(kpi)
        if t is None:
            return None
        return f"{'<=' if t.direction == 'at_most' else '>='} {t.value:g}"
