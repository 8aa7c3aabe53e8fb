"""Evaluations of contacts, and the agent's dispute of them item by item.

An **evaluation** scores one contact (voice, chat or e-mail) on one form version: an
answer and an optional comment per item, the score of :func:`~.forms.score_form`. It
then goes through these states::

    open --acknowledge--> acknowledged
    open --dispute items--> disputed --a decision per disputed item--> resolved

* the agent **acknowledges** it, or **disputes** any of its items, each with a reason;
* a supervisor **decides** each disputed item: *accepted* with the corrected answer (a
  new **revision** of the evaluation is made with the score recomputed on the same form
  version; the earlier revision is kept) or *rejected* with a note;
* every step is an entry of the evaluation's **history** (who, when, what, which item).

This module checks and computes; :mod:`callscope.store.quality` keeps the rows and
:mod:`callscope.services.quality` puts the two together. A step that does not fit the
state (disputing an acknowledged evaluation, deciding an item nobody disputed) is a
one-line error naming the evaluation and the item.

>>> from datetime import datetime
>>> from callscope.quality.forms import genesys_example
>>> f = genesys_example()
>>> e = new_evaluation(f, "E1", "C1", "Agent/1", "eve", {"q1_1": "yes", "q1_2": "no",
...     "q2_1": "yes"}, {}, datetime(2025, 1, 6))
>>> e.score, e.status
(60.0, 'open')
>>> e2 = revise(f, e, {"q1_2": "yes"}, datetime(2025, 1, 7))
>>> e2.revision, e2.score
(2, 100.0)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from callscope.errors import CallscopeError
from callscope.quality.forms import Answer, Form, FormScore, check_answers, parse_answer, score_form

__all__ = [
    "STATUSES",
    "Evaluation",
    "check_acknowledge",
    "check_decision",
    "check_dispute",
    "coaching_reason",
    "format_answer",
    "new_evaluation",
    "read_answers",
    "revise",
]

#: The states of an evaluation, in order.
STATUSES = ("open", "acknowledged", "disputed", "resolved")


@dataclass(frozen=True)
class Evaluation:
    """One revision of one evaluation."""

    evaluation_id: str
    revision: int
    contact_id: str
    agent: str
    evaluator: str
    form: str
    form_version: int
    answers: Mapping[str, Answer]  #: item -> answer (yes 1, no 0, N/A None)
    comments: Mapping[str, str]
    score: float | None
    created_ts: datetime
    critical_failed: tuple[str, ...] = ()
    fatal_failed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    status: str = "open"
    section_scores: Mapping[str, float | None] = field(default_factory=dict)


def format_answer(form: Form, item_id: str, value: Answer) -> str:
    """An answer as the evaluator wrote it: ``yes``/``no``/``na`` or the number."""
    if value is None:
        return "na"
    if form.item(item_id).type == "yes_no":
        return "yes" if value >= 1 else "no"
    return f"{value:g}"


def _scored(e: Evaluation, r: FormScore) -> Evaluation:
    return replace(
        e,
        score=r.score,
        critical_failed=r.critical_failed,
        fatal_failed=r.fatal_failed,
        failed=r.failed,
        section_scores={s.id: s.score for s in r.sections},
    )


def new_evaluation(
    form: Form,
    evaluation_id: str,
    contact_id: str,
    agent: str,
    evaluator: str,
    answers: Mapping[str, Any],
    comments: Mapping[str, str],
    now: datetime,
) -> Evaluation:
    """Revision 1 of an evaluation: every item answered on its scale (else one line
    naming the item), comments only on the form's items."""
    values = check_answers(form, answers)
    items = {i.id for i in form.items}
    for k in comments:
        if k not in items:
            raise CallscopeError(
                f"comment on {k!r}, which is not an item of form {form.label}", field="comments"
            )
    e = Evaluation(
        evaluation_id=evaluation_id,
        revision=1,
        contact_id=contact_id,
        agent=agent,
        evaluator=evaluator,
        form=form.name,
        form_version=form.version,
        answers=values,
        comments={k: v for k, v in comments.items() if str(v).strip()},
        score=None,
        created_ts=now,
    )
    return _scored(e, score_form(form, values))


def revise(
    form: Form, e: Evaluation, changes: Mapping[str, Any], now: datetime, evaluator: str = ""
) -> Evaluation:
    """The next revision of ``e`` with some answers changed (accepted disputes), scored
    again on the same form version."""
    if (form.name, form.version) != (e.form, e.form_version):
        raise CallscopeError(
            f"evaluation {e.evaluation_id} was made on {e.form} v{e.form_version}; it is "
            f"revised on that version, not {form.label}"
        )
    answers: dict[str, Any] = dict(e.answers)
    for k, v in changes.items():
        try:
            answers[k] = parse_answer(form.item(k), v)
        except KeyError:
            raise CallscopeError(
                f"item {k!r} is not on form {form.label}", field="answers"
            ) from None
    r = score_form(form, {k: ("na" if v is None else v) for k, v in answers.items()})
    new = replace(
        e,
        revision=e.revision + 1,
        answers={k: answers[k] for k in e.answers},
        created_ts=now,
        evaluator=evaluator or e.evaluator,
    )
    return _scored(new, r)


def check_acknowledge(e: Evaluation) -> None:
    """An agent acknowledges an open evaluation only."""
    if e.status != "open":
        raise CallscopeError(
            f"evaluation {e.evaluation_id} is {e.status}; only an open evaluation can be "
            "acknowledged",
            field="evaluation",
        )


def check_dispute(form: Form, e: Evaluation, reasons: Mapping[str, str]) -> dict[str, str]:
    """The disputed items of an open evaluation, each on the form and with a reason."""
    if e.status != "open":
        raise CallscopeError(
            f"evaluation {e.evaluation_id} is {e.status}; only an open evaluation can be disputed",
            field="evaluation",
        )
    if not reasons:
        raise CallscopeError(
            "name at least one item to dispute, with the reason (ITEM=REASON)", field="items"
        )
    out = {}
    for item, reason in reasons.items():
        if item not in e.answers:
            raise CallscopeError(
                f"item {item!r} is not on form {form.label}; its items are "
                + ", ".join(i.id for i in form.items),
                field="items",
            )
        if not str(reason).strip():
            raise CallscopeError(
                f"item {item!r}: give the reason for the dispute (ITEM=REASON)", field="items"
            )
        out[item] = str(reason).strip()
    return out


def check_decision(
    form: Form,
    e: Evaluation,
    pending: set[str],
    item: str,
    accept: bool,
    answer: Any | None,
) -> Answer:
    """A supervisor's decision on one disputed item: the corrected answer when
    accepted (required, on the item's scale), ``None`` when rejected."""
    if e.status != "disputed":
        raise CallscopeError(
            f"evaluation {e.evaluation_id} is {e.status}; there is no dispute to decide",
            field="evaluation",
        )
    if item not in pending:
        left = ", ".join(sorted(pending)) or "none"
        raise CallscopeError(
            f"item {item!r} of evaluation {e.evaluation_id} is not disputed or already "
            f"decided; undecided items: {left}",
            field="item",
        )
    if not accept:
        return None
    if answer is None or str(answer).strip() == "":
        raise CallscopeError(
            f"item {item!r}: accepting a dispute needs the corrected answer", field="answer"
        )
    try:
        value = parse_answer(form.item(item), answer)
    except CallscopeError as err:
        raise CallscopeError(str(err), field="answer") from None
    return value


def coaching_reason(e: Evaluation, below: float) -> str | None:
    """Why ``e`` opens a coaching task for the agent's supervisor, or ``None``: a failed
    fatal or critical item, or a score below ``below`` (settings
    ``quality.coaching_below``).

    >>> from datetime import datetime
    >>> e = Evaluation("E", 1, "C", "A", "ev", "f", 1, {}, {}, 64.0, datetime(2025, 1, 1),
    ...     critical_failed=("greeting",))
    >>> coaching_reason(e, 70)
    'critical item failed: greeting; score 64.0 below 70'
    """
    parts = []
    if e.fatal_failed:
        parts.append("fatal item failed: " + ", ".join(e.fatal_failed))
    if e.critical_failed:
        parts.append("critical item failed: " + ", ".join(e.critical_failed))
    if e.score is not None and e.score < below:
        parts.append(f"score {e.score:.1f} below {below:g}")
    return "; ".join(parts) or None


def read_answers(text: str, kind: str, where: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers and comments of an answers file, before they are checked against a
    form (:func:`new_evaluation` does that, naming the item).

    ``kind`` ``yaml`` (also JSON): a mapping ``item: answer``, or ``item: {answer: ...,
    comment: ...}``, or ``{answers: {item: answer}, comments: {item: text}}``. ``kind``
    ``csv``: a header ``item,answer`` with an optional ``comment`` column, one item a
    row. ``where`` (the file name) starts every error message.

    >>> read_answers("item,answer,comment\\ngreet,yes,warm\\nhold,na,\\n", "csv", "a.csv")
    ({'greet': 'yes', 'hold': 'na'}, {'greet': 'warm'})
    >>> read_answers("greet: yes\\nwarmth: {answer: 4, comment: kind}", "yaml", "a.yaml")
    ({'greet': True, 'warmth': 4}, {'warmth': 'kind'})
    """
    if kind == "csv":
        return _answers_csv(text, where)
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise CallscopeError(f"{where}: not valid YAML{at}", field="answers") from None
    if not isinstance(data, dict) or not data:
        raise CallscopeError(
            f"{where}: write one line per item, `item: answer` (yes, no, na or a number)",
            field="answers",
        )
    answers: dict[str, Any] = {}
    comments: dict[str, str] = {}
    if set(data) <= {"answers", "comments"} and isinstance(data.get("answers"), dict):
        raw_comments = data.get("comments") or {}
        if not isinstance(raw_comments, dict):
            raise CallscopeError(f"{where}: comments is a mapping `item: text`", field="answers")
        answers = {str(k): v for k, v in data["answers"].items()}
        comments = {str(k): str(v) for k, v in raw_comments.items() if v is not None}
        return answers, comments
    for k, v in data.items():
        if isinstance(v, dict):
            extra = set(v) - {"answer", "comment"}
            if extra or "answer" not in v:
                raise CallscopeError(
                    f"{where}: item {k!r}: write `{k}: ANSWER` or "
                    f"`{k}: {{answer: ANSWER, comment: TEXT}}`",
                    field="answers",
                )
            answers[str(k)] = v["answer"]
            if v.get("comment") is not None and str(v["comment"]).strip():
                comments[str(k)] = str(v["comment"])
        else:
            answers[str(k)] = v
    return answers, comments


def _answers_csv(text: str, where: str) -> tuple[dict[str, Any], dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or not any(c.strip() for c in rows[0]):
        raise CallscopeError(
            f"{where} is empty; write a header item,answer[,comment] and one row per item",
            field="answers",
        )
    head = [c.strip().lower() for c in rows[0]]
    for need in ("item", "answer"):
        if need not in head:
            raise CallscopeError(
                f"{where} has no column {need!r} (header: {','.join(head)}); the header is "
                "item,answer[,comment]",
                field="answers",
            )
    unknown = [c for c in head if c not in ("item", "answer", "comment")]
    if unknown:
        raise CallscopeError(
            f"{where}: unknown column {unknown[0]!r}; the header is item,answer[,comment]",
            field="answers",
        )
    answers: dict[str, Any] = {}
    comments: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(head):
            raise CallscopeError(
                f"{where} line {n}: {len(row)} fields, the header has {len(head)}; quote a "
                'comment that holds a comma ("like this, say")',
                field="answers",
            )
        cells = [c.strip() for c in row] + [""] * (len(head) - len(row))  # no comment: fine
        r = dict(zip(head, cells, strict=True))
        if not r["item"]:
            raise CallscopeError(f"{where} line {n}: the item is blank", field="answers")
        if r["item"] in answers:
            raise CallscopeError(
                f"{where} line {n}: item {r['item']!r} is answered twice; keep one row",
                field="answers",
            )
        answers[r["item"]] = r["answer"]
        if r.get("comment"):
            comments[r["item"]] = r["comment"]
    if not answers:
        raise CallscopeError(f"{where} has a header but no answers", field="answers")
    return answers, comments
