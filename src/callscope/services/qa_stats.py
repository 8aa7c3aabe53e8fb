"""Quality statistics use cases: which contacts to evaluate (sampling plans), whether
the evaluators agree (calibration) and what the surveys say, with their intervals.

Each is ``(settings, request) -> frozen result``; the statistics live in
:mod:`callscope.quality`, the rows in :mod:`callscope.store.quality`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.quality.calibration import Calibration
    from callscope.quality.sampling import SamplePlan


def _check_period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end <= start:
        raise CallscopeError(
            f"the period ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M})",
            field="end",
        )


__all__ = [
    "CalibrationRequest",
    "SampleRequest",
    "SurveyRequest",
    "calibration",
    "sample",
    "survey_summary",
]


# -- sampling ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SampleRequest:
    start: datetime | None = None  #: contacts answered in [start, end) (default: all)
    end: datetime | None = None
    per_agent: int | None = None  #: None: settings quality.sample_per_agent
    period: str = "month"  #: month | week
    strata: tuple[str, ...] = ("queue", "channel", "outcome", "handle_band")
    weight: str | None = None  #: None | low-csat | long-aht
    seed: int = 0
    agents: tuple[str, ...] | None = None


def sample(settings: Settings, request: SampleRequest) -> SamplePlan:
    """Contacts to evaluate: ``per_agent`` per agent per period, stratified, weighted
    when asked, seeded, never a contact already evaluated; with the coverage report."""
    from callscope.quality.sampling import plan_sample
    from callscope.services.common import open_store
    from callscope.store.quality import evaluated_contacts, evaluations_table, sampling_candidates

    _check_period(request.start, request.end)
    n = request.per_agent if request.per_agent is not None else settings.qa_sample_per_agent
    if n < 1:
        raise CallscopeError(f"contacts per agent must be >= 1; got {n}", field="per_agent")
    with open_store(settings, need_contacts=True) as store:
        cands = sampling_candidates(store, request.start, request.end, request.agents)
        done = evaluated_contacts(store)
        evals = evaluations_table(store, request.agents, request.start, request.end)
    return plan_sample(
        cands,
        evaluated=done,
        evaluations=evals,
        per_agent=n,
        period=request.period,
        strata=request.strata,
        weight=request.weight,
        seed=request.seed,
    )


# -- calibration ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalibrationRequest:
    input: Path | None  #: CSV evaluator,item,score (blank score: not scored); None: the store
    expert: str | None = None  #: deviations from this evaluator (default: the item mean)
    form: str | None = None  #: from the store: this form's evaluations (needed if several)
    start: datetime | None = None  #: from the store: contacts of [start, end)
    end: datetime | None = None


def _stored_calibration(settings: Settings, request: CalibrationRequest) -> Calibration:
    from dataclasses import replace

    import pyarrow as pa
    import pyarrow.compute as pc

    from callscope.quality.calibration import calibrate
    from callscope.services.common import open_store
    from callscope.services.quality import stored_form
    from callscope.store.quality import calibration_scores

    with open_store(settings) as store:
        t = calibration_scores(store, request.start, request.end)
        forms_used = {
            (f, v): stored_form(store, f, v)
            for f, v in set(
                zip(t.column("form").to_pylist(), t.column("form_version").to_pylist(), strict=True)
            )
        }
    forms = sorted(set(t.column("form").to_pylist()))
    if request.form is not None:
        t = t.filter(pc.equal(t.column("form"), request.form))
    elif len(forms) > 1:
        raise CallscopeError(
            f"contacts evaluated by several evaluators on forms {', '.join(forms)}; "
            "choose one with --form",
            field="form",
        )
    if t.num_rows == 0:
        raise CallscopeError(
            "no contact in the store has evaluations by two or more evaluators"
            + (f" on form {request.form!r}" if request.form else "")
            + "; have several evaluators evaluate the same contacts, or give --input",
            field="input",
        )
    # items of several scales (yes/no, 1-5, 0-10) are compared as the share of the
    # item's points each answer earns: yes 1, no 0, 4 on 1-5 0.75
    rows = t.to_pylist()
    shares = [
        None
        if r["score"] is None
        else forms_used[(r["form"], r["form_version"])].item(r["form_item"]).fraction(r["score"])
        for r in rows
    ]
    units = pa.table(
        {
            "evaluator": [r["evaluator"] for r in rows],
            "item": [r["item"] for r in rows],
            "score": pa.array(shares, pa.float64()),
        }
    )
    c = calibrate(units, expert=request.expert, skip_single=True)
    note = "scores are the share of each item's points earned (yes 1, no 0, 4 of 1-5 0.75)"
    return replace(c, notes=(note, *c.notes))


def calibration(settings: Settings, request: CalibrationRequest) -> Calibration:
    """Agreement of evaluators who scored the same items: Krippendorff's alpha, ICCs,
    each evaluator's deviation and the spread per item; from a CSV, or (``input``
    None) from the stored evaluations of contacts several evaluators evaluated, each
    item of each contact a unit and their first, blind revision the score."""
    from callscope.quality.calibration import calibrate
    from callscope.services.common import read_csv_table

    if request.input is None:
        return _stored_calibration(settings, request)

    table = read_csv_table(Path(request.input), "input", strings=("evaluator", "item"))
    missing = [c for c in ("evaluator", "item", "score") if c not in table.column_names]
    if missing:
        raise CallscopeError(
            f"{request.input} has no column {missing[0]!r} (its header: "
            f"{','.join(table.column_names)}); the header is evaluator,item,score",
            field="input",
        )
    if table.num_rows == 0:
        raise CallscopeError(
            f"{request.input} has a header but no rows; add one row per evaluator and item: "
            "evaluator,item,score",
            field="input",
        )
    # the file line of each row (the reader skips blank lines), for the error messages
    body = Path(request.input).read_text(encoding="utf-8", errors="replace").splitlines()
    lines = [n for n, ln in enumerate(body[1:], start=2) if ln.strip()]
    if len(lines) != table.num_rows:  # quoted fields over several lines: count rows
        lines = list(range(2, table.num_rows + 2))
    return calibrate(table, expert=request.expert, lines=lines)


# -- surveys ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyRequest:
    by: tuple[str, ...] = ("agent",)  #: any of agent, team, queue, channel, month, week, day
    start: datetime | None = None
    end: datetime | None = None
    confidence: float = 0.95
    agents: tuple[str, ...] | None = None  #: only these agents' surveys (a scoped view)


def survey_summary(settings: Settings, request: SurveyRequest) -> pa.Table:
    """CSAT, NPS, survey FCR and every other survey item per group, each with its
    responses, response rate and confidence interval."""
    from callscope.quality.intervals import survey_table
    from callscope.services.common import open_store
    from callscope.store.quality import survey_rows

    _check_period(request.start, request.end)
    if not 0.5 <= request.confidence < 1:
        raise CallscopeError(
            f"the confidence level is a share in [0.5, 1), e.g. 0.95; got {request.confidence:g}",
            field="confidence",
        )
    known = ("agent", "team", "queue", "channel", "month", "week", "day")
    bad = [b for b in request.by if b not in known]
    if bad or len(set(request.by)) != len(request.by):
        raise CallscopeError(
            f"cannot group surveys by {(bad or list(request.by))[0]!r}; use any of "
            + ", ".join(known)
            + " (each once)",
            field="by",
        )
    with open_store(settings, need_contacts=True) as store:
        rows, handled = survey_rows(store, request.by, request.start, request.end, request.agents)
    return survey_table(rows, handled, request.by, request.confidence)
