"""Named presets: the published definitions of the major platforms, as parameters.

Each preset only changes what its platform defines differently from ``KPIS.md``; the
thresholds stay the user's (``--sl-threshold``, ``--short-abandon`` override them).
"""

from __future__ import annotations

from callscope.errors import CallscopeError
from callscope.kpi.params import KpiParams

__all__ = ["PRESETS", "preset"]


def _default() -> KpiParams:
    """``KPIS.md`` as written: SL1 (answered within T / offered), abandonment rate with
    short abandons excluded from both sides, occupancy = handle (busy) time / (logged
    in - not ready)."""
    return KpiParams(preset="default")


def _amazon_connect() -> KpiParams:
    """Amazon Connect historical metrics.

    * "Service level X": the percentage of contacts *removed from the queue* between 0
      and X seconds after being added to it, where a contact is removed when an agent
      answers, the customer abandons, or the customer asks for a callback - so a fast
      abandon counts as within the threshold: (answered + abandoned + exit_by_key,
      each within T) / contacts queued (variant ``removed-within-threshold``).
    * "Abandonment rate": contacts abandoned / contacts queued (no short-abandon
      exclusion); "Average queue abandon time" averages every abandon.

    Sources: Amazon Connect Administrator Guide, "Historical metrics definitions"
    (https://docs.aws.amazon.com/connect/latest/adminguide/historical-metrics-definitions.html,
    "Service level X", "Abandonment rate") and "Reference queries for the data lake"
    (https://docs.aws.amazon.com/connect/latest/adminguide/data-lake-reference-queries.html:
    abandonment rate = sum(is_abandoned) / sum(is_queued)).
    """
    return KpiParams(
        preset="amazon-connect",
        sl_variant="removed-within-threshold",
        abandon_rate_excludes_short=False,
    )


def _genesys_cloud() -> KpiParams:
    """Genesys Cloud "Service level %".

    (answered - answered that missed the SL target) / (answered + abandoned [+ flow-outs
    when "Include Flowouts in Calculation" is on] [- short abandons when "Include Short
    Abandons in Calculation" is off] [- abandons when "Include Abandons in Calculation"
    is off]) - variant ``answered-plus-abandoned``. This preset uses flow-outs excluded,
    short abandons excluded, abandons included. Flow-outs are our timeout, exit_by_key,
    exit_empty, overflow and transferred outcomes. Abandon % = abandoned / offered.

    Source: Genesys Cloud Resource Center, "Configure the service level calculation"
    (https://help.mypurecloud.com/articles/configure-the-service-level-calculation/).
    """
    return KpiParams(
        preset="genesys-cloud",
        sl_variant="answered-plus-abandoned",
        sl_include_flowouts=False,
        sl_include_short_abandons=False,
        sl_include_abandons=True,
        abandon_rate_excludes_short=False,
    )


def _queuemetrics() -> KpiParams:
    """QueueMetrics (Loway) for Asterisk.

    * Service level: the "Service level agreement" table of the Answered calls report
      counts calls answered within T among *answered* calls (variant ``answered``).
    * Occupancy (agent sessions report): talk time / (session time + pause time)
      (variant ``talk-over-session-plus-pause``); Asterisk logs carry no ACW.

    Source: QueueMetrics User Manual (Loway), "Answered calls - Service level
    agreement" and "Agents on queue - sessions and pauses"
    (https://manuals.loway.ch/QM_UserManual-chunked/). The occupancy formula is the one
    the callscope issue quotes; the stored copy of the manual could not be re-checked
    when this preset was written.
    """
    return KpiParams(
        preset="queuemetrics",
        sl_variant="answered",
        occupancy_variant="talk-over-session-plus-pause",
    )


#: Preset name -> factory; each factory's docstring cites its source.
PRESETS = {
    "default": _default,
    "amazon-connect": _amazon_connect,
    "genesys-cloud": _genesys_cloud,
    "queuemetrics": _queuemetrics,
}


def preset(name: str) -> KpiParams:
    """The parameters of preset ``name`` (``default``, ``amazon-connect``,
    ``genesys-cloud``, ``queuemetrics``)."""
    try:
        return PRESETS[name.lower()]()
    except KeyError:
        raise CallscopeError(
            f"unknown --preset {name!r}; choose one of {', '.join(PRESETS)}"
        ) from None
