"""The parameters every KPI computation takes, and the service-level variants.

A :class:`KpiParams` is the whole configuration of one KPI run: thresholds, windows,
which variant of service level / abandonment rate / occupancy, and the interval length.
Presets (:mod:`callscope.kpi.presets`) are named :class:`KpiParams`.

**The threshold T of a contact.** Channels are judged on different clocks (voice 80 %
within 20 s, chat within 60 s, e-mail within 24 h), so T may differ per row:
``sl_thresholds`` holds ``(channel, queue, seconds)`` rules, and a contact takes the
seconds of the most specific rule that names its channel and queue:

1. a rule naming its channel and its queue,
2. a rule naming its queue (``channel`` ``None``),
3. a rule naming its channel (``queue`` ``None``),
4. else ``sl_threshold_s``.

A contact whose channel or queue is unknown (null) matches no rule naming one. With no
rules, T is ``sl_threshold_s`` for every contact.

>>> p = KpiParams(sl_thresholds=(("chat", None, 60.0), ("email", None, 86400.0),
...                              (None, "VIP", 10.0)))
>>> p.threshold_for("chat", "Web"), p.threshold_for("email", None)
(60.0, 86400.0)
>>> p.threshold_for("voice", "VIP"), p.threshold_for("voice", "General")
(10.0, 20.0)
>>> p.threshold_text()
'chat 60 s, email 24 h, queue VIP 10 s, else 20 s'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from callscope.errors import CallscopeError
from callscope.model.variants import OCCUPANCY_VARIANTS, SL_VARIANTS

__all__ = [
    "OCCUPANCY_VARIANTS",
    "SL_VARIANTS",
    "KpiParams",
    "ThresholdRule",
    "format_threshold",
]

#: ``(channel, queue, seconds)``: contacts of ``channel`` (any when ``None``) in
#: ``queue`` (any when ``None``) are judged within ``seconds``.
ThresholdRule = tuple[str | None, str | None, float]

#: Service-level and occupancy variants: one list, in :mod:`callscope.model.variants`
#: (the center settings check against it too).
_INTERVALS = (15, 30, 60)


def format_threshold(seconds: float) -> str:
    """A threshold for people: seconds below ten minutes, minutes below an hour,
    hours from there on (``20 s``, ``60 s``, ``15 min``, ``24 h``, ``1.5 h``).

    >>> format_threshold(20.0), format_threshold(60), format_threshold(86400.0)
    ('20 s', '60 s', '24 h')
    >>> format_threshold(900), format_threshold(5400), format_threshold(3601)
    ('15 min', '1.5 h', '3601 s')
    """
    s = float(seconds)
    if s >= 3600 and s % 900 == 0:
        return f"{s / 3600:g} h"
    if s >= 600 and s % 60 == 0:
        return f"{s / 60:g} min"
    return f"{s:g} s"


def _rank(rule: ThresholdRule) -> int:
    """How specific a rule is: 0 channel and queue, 1 queue, 2 channel."""
    channel, queue, _ = rule
    return 0 if channel is not None and queue is not None else 1 if queue is not None else 2


def _rules(rules: object) -> tuple[ThresholdRule, ...]:
    """``rules`` checked, as a tuple of ``(channel, queue, float seconds)``."""
    if isinstance(rules, (str, bytes)) or not isinstance(rules, Sequence):
        raise CallscopeError(
            f"sl_thresholds is a sequence of (channel, queue, seconds); got {rules!r}"
        )
    out: list[ThresholdRule] = []
    seen: set[tuple[str | None, str | None]] = set()
    for rule in rules:
        if isinstance(rule, (str, bytes)) or not isinstance(rule, Sequence) or len(rule) != 3:
            raise CallscopeError(
                f"a service-level threshold rule is (channel, queue, seconds); got {rule!r}"
            )
        channel, queue, seconds = rule
        if channel is None and queue is None:
            raise CallscopeError(
                "a service-level threshold rule names a channel, a queue or both; the "
                "threshold of every other contact is sl_threshold_s"
            )
        if not all(v is None or isinstance(v, str) for v in (channel, queue)):
            raise CallscopeError(f"a rule's channel and queue are names or None; got {rule!r}")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not (seconds >= 0 and math.isfinite(seconds))
        ):
            raise CallscopeError(f"a service-level threshold is >= 0 seconds; got {rule!r}")
        if (channel, queue) in seen:
            raise CallscopeError(
                f"two service-level thresholds for channel {channel!r}, queue {queue!r}; keep one"
            )
        seen.add((channel, queue))
        out.append((channel, queue, float(seconds)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class KpiParams:
    """Thresholds, windows and variants of one KPI run.

    >>> KpiParams().sl_threshold_s, KpiParams().sl_variant
    (20.0, 'offered')
    """

    #: T of "answered within T" (seconds); written "80/20" for 80 % within 20 s. With
    #: ``sl_thresholds``, the T of contacts no rule matches.
    sl_threshold_s: float = 20.0
    #: per-row T: ``(channel, queue, seconds)`` rules, the most specific matching rule
    #: wins (see the module docstring); empty: ``sl_threshold_s`` for every contact.
    sl_thresholds: tuple[ThresholdRule, ...] = ()
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
    #: the center's time zone (IANA name): rows are grouped by its local time of their
    #: instants (:mod:`callscope.kpi.localtime`); ``None``: by the stored wall clock.
    timezone: str | None = None

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
        # slots and frozen: set the checked, hashable form once, here
        object.__setattr__(self, "sl_thresholds", _rules(self.sl_thresholds))

    def with_(self, **changes: object) -> KpiParams:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def threshold_rules(self) -> tuple[ThresholdRule, ...]:
        """``sl_thresholds`` most specific first (channel and queue, queue, channel),
        in the given order within each rank: the first rule that matches a contact
        gives its T."""
        return tuple(sorted(self.sl_thresholds, key=_rank))

    def threshold_for(self, channel: str | None, queue: str | None = None) -> float:
        """The T (seconds) of a contact of ``channel`` in ``queue``."""
        for c, q, seconds in self.threshold_rules():
            if (c is None or c == channel) and (q is None or q == queue):
                return float(seconds)
        return self.sl_threshold_s

    def threshold_text(self) -> str:
        """The thresholds for people: ``20 s``, or with rules ``voice 20 s, chat 60 s,
        email 24 h, else 20 s`` (a queue rule reads ``queue Sales 15 s``, a rule for
        both ``chat queue Sales 30 s``)."""
        if not self.sl_thresholds:
            return format_threshold(self.sl_threshold_s)
        parts = []
        for c, q, seconds in sorted(self.sl_thresholds, key=lambda r: -_rank(r)):
            who = " ".join(x for x in (c, None if q is None else f"queue {q}") if x)
            parts.append(f"{who} {format_threshold(seconds)}")
        return ", ".join(parts) + f", else {format_threshold(self.sl_threshold_s)}"

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
        """The parameters as a plain dict (report metadata). With rules, ``sl_thresholds``
        lists them (``{"channel", "queue", "threshold_s"}`` each) and
        ``sl_threshold_text`` says them in words; ``sl_threshold_s`` is the T of
        contacts no rule matches.

        >>> KpiParams(sl_thresholds=(("chat", None, 60.0),)).describe()["sl_thresholds"]
        [{'channel': 'chat', 'queue': None, 'threshold_s': 60.0}]
        """
        rules: dict[str, object] = {}
        if self.sl_thresholds:
            rules = {
                "sl_thresholds": [
                    {"channel": c, "queue": q, "threshold_s": float(s)}
                    for c, q, s in self.sl_thresholds
                ],
                "sl_threshold_text": self.threshold_text(),
            }
        return {
            "preset": self.preset,
            "sl_variant": self.sl_variant,
            "sl_threshold_s": self.sl_threshold_s,
            **rules,
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
