"""The parameters every KPI computation takes, and the service-level variants.

A :class:`KpiParams` is the whole configuration of one KPI run: thresholds, windows,
which variant of service level / abandonment rate / occupancy, and the interval length.
Presets (:mod:`callscope.kpi.presets`) are named :class:`KpiParams`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from callscope.errors import CallscopeError

__all__ = [
    "OCCUPANCY_VARIANTS",
    "SL_VARIANTS",
    "KpiParams",
]

#: Service-level variants (``KPIS.md`` SL1-SL4, plus the two vendor definitions).
#:
#: ``offered``                 answered within T / offered                       (SL1)
#: ``short-abandon-excluded``  answered within T / (offered - short_abandoned)   (SL2)
#: ``answered``                answered within T / answered                      (SL3)
#: ``abandons-neutral``        answered within T / (offered - abandoned within T) (SL4)
#: ``removed-within-threshold`` (answered + abandoned + exit_by_key, each within T)
#:                             / offered  (Amazon Connect "Service level X")
#: ``answered-plus-abandoned`` answered within T / (answered + abandoned
#:                             [+ flow-outs] [- short abandons] [- abandons])
#:                             (Genesys Cloud, switches in :class:`KpiParams`)
SL_VARIANTS = (
    "offered",
    "short-abandon-excluded",
    "answered",
    "abandons-neutral",
    "removed-within-threshold",
    "answered-plus-abandoned",
)

#: Occupancy variants.
#:
#: ``handle-over-available``  handle / (handle + available idle) = busy / (logged_in -
#:                            not_ready)  (``KPIS.md``; not-ready time excluded; handle
#:                            time is busy time, concurrent chats counted once, see
#:                            :mod:`callscope.kpi.states`)
#: ``talk-over-session-plus-pause``  talk / (logged_in + not_ready)  (QueueMetrics)
OCCUPANCY_VARIANTS = ("handle-over-available", "talk-over-session-plus-pause")

_INTERVALS = (15, 30, 60)


@dataclass(frozen=True, slots=True)
class KpiParams:
    """Thresholds, windows and variants of one KPI run.

    >>> KpiParams().sl_threshold_s, KpiParams().sl_variant
    (20.0, 'offered')
    """

    #: T of "answered within T" (seconds); written "80/20" for 80 % within 20 s.
    sl_threshold_s: float = 20.0
    #: abandoned with wait <= this many seconds is a short abandon (misdial).
    short_abandon_s: float = 5.0
    #: service-level variant, one of :data:`SL_VARIANTS`.
    sl_variant: str = "offered"
    #: abandonment rate excludes short abandons from numerator and denominator
    #: (``KPIS.md``); vendors that do not: abandoned / offered.
    abandon_rate_excludes_short: bool = True
    #: Genesys switches for ``answered-plus-abandoned``.
    sl_include_flowouts: bool = False
    sl_include_short_abandons: bool = False
    sl_include_abandons: bool = True
    #: occupancy variant, one of :data:`OCCUPANCY_VARIANTS`.
    occupancy_variant: str = "handle-over-available"
    #: FCR: a further contact of the same customer within this many days is a repeat.
    fcr_window_days: float = 7.0
    #: FCR: only a further contact with the same reason (disposition) counts, where
    #: both reasons are known.
    fcr_same_reason: bool = True
    #: length of the ``interval`` grouping in minutes (15, 30 or 60).
    interval_minutes: int = 30
    #: the preset these parameters came from (``default`` when none).
    preset: str = "default"

    def __post_init__(self) -> None:
        if self.sl_variant not in SL_VARIANTS:
            raise CallscopeError(
                f"unknown --sl-variant {self.sl_variant!r}; choose one of {', '.join(SL_VARIANTS)}"
            )
        if self.occupancy_variant not in OCCUPANCY_VARIANTS:
            raise CallscopeError(
                f"unknown occupancy variant {self.occupancy_variant!r}; choose one of "
                f"{', '.join(OCCUPANCY_VARIANTS)}"
            )
        if self.interval_minutes not in _INTERVALS:
            raise CallscopeError(
                f"--interval must be 15m, 30m or 60m, not {self.interval_minutes} minutes"
            )
        if self.sl_threshold_s < 0 or self.short_abandon_s < 0 or self.fcr_window_days <= 0:
            raise CallscopeError("thresholds must be >= 0 and the FCR window > 0")

    def with_(self, **changes: object) -> KpiParams:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def notes(self) -> tuple[str, ...]:
        """What a reader must know to read the numbers right, one phrase each: the
        exclusions these parameters make (an interval with one short abandon shows
        ``abandoned`` 1 and an abandonment rate of 0 %).

        >>> KpiParams().notes()
        ('abandonment excludes short abandons (wait <= 5 s)',)
        """
        short = f"short abandons (wait <= {self.short_abandon_s:g} s)"
        out = []
        if self.abandon_rate_excludes_short:
            out.append(f"abandonment excludes {short}")
        if self.sl_variant == "short-abandon-excluded" or (
            self.sl_variant == "answered-plus-abandoned"
            and self.sl_include_abandons
            and not self.sl_include_short_abandons
        ):
            out.append(f"service level excludes {short}")
        return tuple(out)

    def describe(self) -> dict[str, object]:
        """The parameters as a plain dict (report metadata)."""
        return {
            "preset": self.preset,
            "sl_variant": self.sl_variant,
            "sl_threshold_s": self.sl_threshold_s,
            "short_abandon_s": self.short_abandon_s,
            "abandon_rate_excludes_short": self.abandon_rate_excludes_short,
            "sl_include_flowouts": self.sl_include_flowouts,
            "sl_include_short_abandons": self.sl_include_short_abandons,
            "sl_include_abandons": self.sl_include_abandons,
            "occupancy_variant": self.occupancy_variant,
            "fcr_window_days": self.fcr_window_days,
            "fcr_same_reason": self.fcr_same_reason,
            "interval_minutes": self.interval_minutes,
        }
