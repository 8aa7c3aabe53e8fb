"""The names of the KPI definitions vendors disagree on, shared by the KPI engine
(:mod:`callscope.kpi.params`, :mod:`callscope.kpi.presets`) and the center settings.

Service-level variants (``KPIS.md`` SL1-SL4, plus the two vendor definitions):

============================  ===========================================================
``offered``                   answered within T / offered                           (SL1)
``short-abandon-excluded``    answered within T / (offered - short_abandoned)       (SL2)
``answered``                  answered within T / answered                          (SL3)
``abandons-neutral``          answered within T / (offered - abandoned within T)    (SL4)
``removed-within-threshold``  (answered + abandoned + exit_by_key, each within T) /
                              offered (Amazon Connect "Service level X")
``answered-plus-abandoned``   answered within T / (answered + abandoned [+ flow-outs]
                              [- short abandons] [- abandons]) (Genesys Cloud)
============================  ===========================================================

Occupancy variants: ``handle-over-available`` (busy / (logged in - not ready),
``KPIS.md``) and ``talk-over-session-plus-pause`` (QueueMetrics).
"""

from __future__ import annotations

__all__ = ["OCCUPANCY_VARIANTS", "PRESETS", "SL_VARIANTS"]

SL_VARIANTS = (
    "offered",
    "short-abandon-excluded",
    "answered",
    "abandons-neutral",
    "removed-within-threshold",
    "answered-plus-abandoned",
)
OCCUPANCY_VARIANTS = ("handle-over-available", "talk-over-session-plus-pause")
#: Named sets of definitions (:mod:`callscope.kpi.presets` defines each).
PRESETS = ("default", "amazon-connect", "genesys-cloud", "queuemetrics")
