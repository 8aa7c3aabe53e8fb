"""Quality monitoring: QA forms and scoring, evaluations and disputes, sampling plans,
calibration of evaluators, survey intervals and agent scorecards.

A pure core: it takes dataclasses, mappings and Arrow tables and returns dataclasses or
Arrow tables; the store tables live in :mod:`callscope.store.quality` and the use cases
in :mod:`callscope.services.quality`, :mod:`callscope.services.qa_stats` and
:mod:`callscope.services.scorecard`.

=========================  ====================================================
module                     what
=========================  ====================================================
:mod:`.forms`              forms, sections, items, answers, the score, versions, YAML
:mod:`.evaluations`        evaluations, acknowledgements, disputes and decisions
:mod:`.sampling`           sampling plans: N per agent per period, strata, coverage
:mod:`.calibration`        Krippendorff's alpha, intraclass correlations, deviations
:mod:`.intervals`          Wilson, NPS and mean intervals for survey figures
:mod:`.scorecard`          agent scorecards against targets, the team ranking
=========================  ====================================================
"""

from __future__ import annotations

__all__: list[str] = []
