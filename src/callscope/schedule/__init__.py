"""Scheduling: shifts against the interval requirement, breaks, and adherence.

A pure core (arrays, dataclasses and text in; dataclasses out), solvers behind a small
seam:

* :mod:`callscope.schedule.templates` — shift templates (TOML) and coverage matrices
  (CSV): starts, lengths, days, costs, limits, breaks within windows;
* :mod:`callscope.schedule.cover` — shift cover: the cheapest schedule for a
  requirement per interval, with breaks placed, LP bound and gap, unmet intervals;
* :mod:`callscope.schedule.highs` — the HiGHS (``highspy``) seam;
* :mod:`callscope.schedule.adherence` — adherence, conformance, shrinkage and
  exceptions of one agent's states against the schedule.
"""

from __future__ import annotations

__all__: list[str] = []
