"""Service targets: what a queue, a staffing plan or a what-if must achieve.

One type and one parser for every place a target is written: ``callscope staff
--target``, ``plan --target`` and its what-ifs, ``erlang c --target`` and the service
goals of the center settings. A target is a list of goals joined by commas:

===================  ===========================================================
``80/20``            80 % of offered contacts answered within 20 seconds
``90/15``, ``80/60``  the same with other numbers (seconds when no unit is given)
``90/24h``           90 % within 24 hours (e-mail is not judged in seconds)
``asa<=30s``         average speed of answer at most 30 seconds
``abandon<=5%``      abandonment at most 5 % (``abandon<=0.05`` is the same)
``occupancy<=85%``   agent occupancy at most 85 %
``pwait<=50%``       at most 50 % of callers wait at all (P(wait), Erlang C's C)
===================  ===========================================================

The percent of a service level is written as a percent: ``0.8/20`` is refused as
ambiguous (80 % or 0.8 %?), and so is a bound above 1 without ``%``.

>>> t = Target.parse("80/20")
>>> t.service_level, t.threshold_s
(0.8, 20.0)
>>> Target.parse("90/24h").label()
'90/24h'
>>> Target.parse("80/20, asa<=30s, abandon<=5%").label()
'80/20, asa<=30s, abandon<=5%'
>>> Target.parse("0.8/20")
Traceback (most recent call last):
...
callscope.errors.CallscopeError: '0.8/20' is ambiguous: write the service level as a percent and a time, e.g. 80/20 (80 % within 20 s); accepted: 80/20, 90/15, 90/24h, asa<=30s, abandon<=5%, occupancy<=85%, pwait<=50%, joined by commas
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from callscope.errors import CallscopeError
from callscope.model.units import format_duration, parse_duration_s, parse_share

__all__ = ["FORMS", "Target"]

#: The accepted forms, for error messages.
FORMS = "80/20, 90/15, 90/24h, asa<=30s, abandon<=5%, occupancy<=85%, pwait<=50%, joined by commas"
_SL = re.compile(r"(\d+(?:\.\d+)?)\s*%?\s*/\s*(\S+)")
_BOUND = re.compile(r"([a-z_]+)\s*<=?\s*(\S+)")
_BOUND_NAMES = {
    "asa": "max_asa_s",
    "abandon": "max_abandon",
    "abandonment": "max_abandon",
    "occupancy": "max_occupancy",
    "pwait": "max_p_wait",
}


@dataclass(frozen=True, slots=True)
class Target:
    """Goals a queue must meet; ``None`` means "no such goal".

    ``service_level`` (fraction) of offered contacts answered within ``threshold_s``
    seconds; ``max_asa_s`` seconds; ``max_abandon``, ``max_occupancy`` and
    ``max_p_wait`` (share of contacts that wait at all) as fractions.
    """

    service_level: float | None = 0.8
    threshold_s: float = 20.0
    max_asa_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None
    max_p_wait: float | None = None

    def __post_init__(self) -> None:
        sl = self.service_level
        if sl is not None and not 0.0 < sl <= 1.0:
            raise CallscopeError(f"a service level is a share in (0, 1]; got {sl:g}")
        if not (self.threshold_s >= 0 and math.isfinite(self.threshold_s)):
            raise CallscopeError(f"a threshold is >= 0 seconds; got {self.threshold_s:g}")
        if self.max_asa_s is not None and not (
            self.max_asa_s > 0 and math.isfinite(self.max_asa_s)
        ):
            raise CallscopeError(f"a maximum ASA is > 0 seconds; got {self.max_asa_s:g}")
        for name in ("max_abandon", "max_occupancy", "max_p_wait"):
            v = getattr(self, name)
            if v is not None and not 0.0 < v <= 1.0:
                raise CallscopeError(f"{name} is a share in (0, 1]; got {v:g}")

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read a target written as in the module docstring."""
        raw = str(text).strip()
        parts = [p.strip() for p in re.split(r"[,;]", raw) if p.strip()]
        if not parts:
            raise CallscopeError(f"the target is empty; write e.g. {FORMS}")
        sl: float | None = None
        threshold = 20.0
        bounds: dict[str, float] = {}
        for part in parts:
            low = part.lower()
            m = _SL.fullmatch(low)
            if m:
                if sl is not None:
                    raise CallscopeError(f"{raw!r} gives the service level twice; keep one")
                pct = float(m.group(1))
                if pct <= 1.0:
                    raise CallscopeError(
                        f"{part!r} is ambiguous: write the service level as a percent and a "
                        f"time, e.g. 80/20 (80 % within 20 s); accepted: {FORMS}"
                    )
                if pct > 100.0:
                    raise CallscopeError(f"{part!r}: a service level is at most 100 %")
                sl = pct / 100.0
                threshold = parse_duration_s(m.group(2), bare="s", what="threshold")
                continue
            m = _BOUND.fullmatch(low)
            if m and m.group(1) in _BOUND_NAMES:
                field = _BOUND_NAMES[m.group(1)]
                if field == "max_asa_s":
                    bounds[field] = parse_duration_s(m.group(2), bare="s", what="ASA bound")
                else:
                    bounds[field] = _share(m.group(2), part)
                continue
            raise CallscopeError(f"cannot read {part!r} as a target; write {FORMS}")
        if sl is None and not bounds:
            raise CallscopeError(f"cannot read {raw!r} as a target; write {FORMS}")
        return cls(service_level=sl, threshold_s=threshold, **bounds)

    def with_(self, **changes: object) -> Target:
        """A copy with some goals changed (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def label(self) -> str:
        """The target written back in the parser's form."""
        out = []
        if self.service_level is not None:
            out.append(f"{_num(self.service_level * 100)}/{_threshold(self.threshold_s)}")
        if self.max_asa_s is not None:
            out.append(f"asa<={format_duration(self.max_asa_s)}")
        for name, word in (
            ("max_abandon", "abandon"),
            ("max_occupancy", "occupancy"),
            ("max_p_wait", "pwait"),
        ):
            v = getattr(self, name)
            if v is not None:
                out.append(f"{word}<={_num(v * 100)}%")
        return ", ".join(out)

    def __str__(self) -> str:
        return self.label()


def _num(x: float) -> str:
    return f"{round(x, 6):g}"


def _threshold(seconds: float) -> str:
    """``20`` for 20 s (the usual way to write 80/20), else a duration with its unit."""
    return _num(seconds) if seconds < 3600 or seconds % 60 else format_duration(seconds)


def _share(text: str, part: str) -> float:
    try:
        v = parse_share(text, what="bound")
    except CallscopeError as e:
        raise CallscopeError(f"{part!r}: {e}") from None
    if v <= 0.0:
        raise CallscopeError(f"{part!r}: the bound must be above 0 %")
    return v
