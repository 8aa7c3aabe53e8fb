"""Quality use cases: forms, evaluations, disputes and coaching (sampling, calibration
and surveys: :mod:`callscope.services.qa_stats`; scorecards:
:mod:`callscope.services.scorecard`).

Each is ``(settings, request[, now]) -> frozen result``. Scoring, dispute rules,
sampling and statistics live in :mod:`callscope.quality`; the rows in
:mod:`callscope.store.quality`. Every write of one action is one transaction: a bad
answer, an unknown contact or a step that does not fit the evaluation's state stores
nothing and is one line naming the item.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError, NotAllowed
from callscope.settings import Settings

if TYPE_CHECKING:
    from callscope.access.roles import Scope
    from callscope.quality.evaluations import Evaluation
    from callscope.quality.forms import Form
    from callscope.store import Store

__all__ = [
    "AcknowledgeRequest",
    "CloseTaskRequest",
    "DecideRequest",
    "DisputeRequest",
    "DisputesRequest",
    "EvaluateRequest",
    "EvaluationView",
    "FormAdded",
    "FormAddRequest",
    "acknowledge",
    "add_form",
    "add_form_text",
    "answer_choices",
    "answer_errors",
    "close_task",
    "coaching",
    "contact_summary",
    "decide",
    "dispute",
    "disputes",
    "evaluate",
    "evaluation",
    "evaluations",
    "form_versions",
    "form_yaml",
    "get_form",
    "read_answers_file",
    "scope_agents",
    "stored_form",
]


# -- forms ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormAddRequest:
    path: Path  #: a YAML form file
    actor: str = "cli"


@dataclass(frozen=True)
class FormAdded:
    form: Form  #: the stored version (the new one, or the same one unchanged)
    new: bool  #: a new version was stored


def _stored_forms(store: Store, name: str) -> list[Form]:
    from callscope.quality.forms import load_form
    from callscope.store.quality import form_bodies

    return [load_form(r["body"], f"stored form {name}") for r in form_bodies(store, name)]


def _store_form(store: Store, form: Form, now: datetime) -> tuple[Form, bool]:
    from callscope.quality.forms import dump_form, next_version
    from callscope.store.quality import add_form as store_add

    versions = _stored_forms(store, form.name)
    stored, new = next_version(versions[-1] if versions else None, form)
    if new:
        store_add(store, stored.name, stored.version, stored.fingerprint(), dump_form(stored), now)
    return stored, new


def add_form(settings: Settings, request: FormAddRequest, now: datetime) -> FormAdded:
    """Store a form from YAML: a new version when it differs from the newest stored one
    (a weight, an item, a scale ...), nothing when it scores alike."""

    path = Path(request.path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise CallscopeError(f"{path} {what}; give a YAML form file", field="form")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CallscopeError(f"{path} is not UTF-8 text", field="form") from None
    return add_form_text(settings, text, str(path), now)


def add_form_text(settings: Settings, text: str, source: str, now: datetime) -> FormAdded:
    """:func:`add_form` of YAML text (a page's upload); ``source`` names it in errors."""
    from callscope.quality.forms import load_form
    from callscope.services.common import open_store

    if not text.strip():
        raise CallscopeError(f"{source} is empty; give a YAML form", field="form")
    form = load_form(text, source)
    with open_store(settings, write=True) as store:
        stored, new = _store_form(store, form, now)
    return FormAdded(stored, new)


def form_versions(settings: Settings) -> list[dict[str, Any]]:
    """Every stored form version: name, version, sections, items, created_at."""
    from callscope.quality.forms import load_form
    from callscope.services.common import open_store
    from callscope.store.quality import form_bodies

    if not Path(settings.db).exists():
        return []
    with open_store(settings) as store:
        rows = form_bodies(store)
    out = []
    for r in rows:
        f = load_form(r["body"], r["name"])
        out.append(
            {
                "name": r["name"],
                "version": r["version"],
                "sections": len(f.sections),
                "items": len(f.items),
                "na_policy": f.na_policy,
                "created_at": r["created_at"],
            }
        )
    return out


def _form(store: Store | None, name: str, version: int | None) -> Form:
    """A stored form version (newest by default); the built-in ``default`` form when it
    was never stored."""
    from callscope.quality.forms import default_form

    versions = _stored_forms(store, name) if store is not None else []
    if not versions:
        if name == "default" and version in (None, 1):
            return default_form()
        if name == "default":
            raise CallscopeError(
                f"the built-in form 'default' has version 1 only; no version {version}",
                field="form_version",
            )
        raise CallscopeError(
            f"no form named {name!r}; add it with `callscope qa forms add FILE.yaml` "
            "(or use the built-in form 'default')",
            field="form",
        )
    if version is None:
        return versions[-1]
    for f in versions:
        if f.version == version:
            return f
    raise CallscopeError(
        f"form {name!r} has versions 1..{versions[-1].version}; no version {version}",
        field="form_version",
    )


def get_form(settings: Settings, name: str = "default", version: int | None = None) -> Form:
    """A form version (the newest by default)."""
    from callscope.services.common import open_store

    if not Path(settings.db).exists():
        return _form(None, name, version)
    with open_store(settings) as store:
        return _form(store, name, version)


def form_yaml(
    settings: Settings, name: str = "default", version: int | None = None
) -> tuple[Form, str]:
    """A form version (the newest by default) and its YAML, headed by a comment naming
    the version; edit it and add it back to make the next version."""
    from callscope.quality.forms import dump_form

    form = get_form(settings, name, version)
    return form, f"# {form.label}\n" + dump_form(form)


# -- evaluations ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationView:
    """An evaluation as a reader sees it: the current revision (or the one asked for),
    its form, the disputes and the history."""

    evaluation: Evaluation
    form: Form
    revisions: int
    disputes: tuple[dict[str, Any], ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    coaching_task: str | None = None  #: the task this action opened, if any

    def item_rows(self) -> list[dict[str, Any]]:
        """One row per item: section, item, text, answer, points earned, comment."""
        from callscope.quality.evaluations import format_answer

        e, f = self.evaluation, self.form
        rows = []
        for s in f.sections:
            for i in s.items:
                a = e.answers.get(i.id)
                rows.append(
                    {
                        "section": s.id,
                        "item": i.id,
                        "text": i.text,
                        "answer": format_answer(f, i.id, a),
                        "earned": None if a is None else i.points * i.fraction(a),
                        "points": i.points,
                        "failed": i.id in e.failed,
                        "critical": i.critical,
                        "fatal": i.fatal,
                        "comment": e.comments.get(i.id, ""),
                    }
                )
        return rows


def _csv(items: tuple[str, ...]) -> str:
    return ",".join(items)


def _uncsv(text: str | None) -> tuple[str, ...]:
    return tuple(t for t in (text or "").split(",") if t)


def _header(e: Evaluation) -> dict[str, Any]:
    return {
        "evaluation_id": e.evaluation_id,
        "revision": e.revision,
        "contact_id": e.contact_id,
        "agent": e.agent,
        "evaluator": e.evaluator,
        "form": e.form,
        "form_version": e.form_version,
        "score": e.score,
        "critical_failed": _csv(e.critical_failed),
        "fatal_failed": _csv(e.fatal_failed),
        "failed": _csv(e.failed),
        "created_at": e.created_ts,
    }


def _answers(e: Evaluation) -> list[tuple[str, float | None, str | None]]:
    return [(k, v, e.comments.get(k)) for k, v in e.answers.items()]


def _load(
    store: Store, evaluation_id: str, revision: int | None = None
) -> tuple[Evaluation, Form, int]:
    from callscope.quality.evaluations import Evaluation
    from callscope.store.quality import get_evaluation

    row = get_evaluation(store, evaluation_id, revision)
    if row is None:
        raise CallscopeError(
            f"no evaluation {evaluation_id!r}"
            + (f" revision {revision}" if revision is not None else "")
            + "; list them with `callscope qa list`",
            field="evaluation",
        )
    form = _form(store, row["form"], row["form_version"])
    from callscope.quality.forms import score_form

    answers = {item: ans for item, ans, _ in row["answers"]}
    r = score_form(form, {k: ("na" if v is None else v) for k, v in answers.items()})
    e = Evaluation(
        evaluation_id=row["evaluation_id"],
        revision=row["revision"],
        contact_id=row["contact_id"],
        agent=row["agent"],
        evaluator=row["evaluator"],
        form=row["form"],
        form_version=row["form_version"],
        answers=answers,
        comments={item: c for item, _, c in row["answers"] if c},
        score=row["score"],
        created_ts=row["created_at"],
        critical_failed=_uncsv(row["critical_failed"]),
        fatal_failed=_uncsv(row["fatal_failed"]),
        failed=_uncsv(row["failed"]),
        status=row["status"],
        section_scores={s.id: s.score for s in r.sections},
    )
    return e, form, int(row["revisions"])


def _view(
    store: Store, evaluation_id: str, task: str | None = None, revision: int | None = None
) -> EvaluationView:
    from callscope.store.quality import disputes as store_disputes
    from callscope.store.quality import events

    e, form, revisions = _load(store, evaluation_id, revision)
    return EvaluationView(
        e,
        form,
        revisions,
        tuple(store_disputes(store, evaluation_id)),
        tuple(events(store, evaluation_id)),
        task,
    )


@dataclass(frozen=True)
class EvaluateRequest:
    contact_id: str
    answers: Mapping[str, Any]  #: item -> yes/no/na or a number
    form: str = "default"
    form_version: int | None = None  #: None: the newest
    evaluator: str = "cli"
    comments: Mapping[str, str] = field(default_factory=dict)
    agent: str | None = None  #: only when the contact has none (a contact nobody answered)
    answers_file: Path | None = None  #: YAML or CSV answers (and comments), read first
    agents: tuple[str, ...] | None = None  #: when given, the contact's agent must be one


def read_answers_file(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers and comments of a YAML (``.yaml``, ``.yml``, ``.json``) or CSV
    (``.csv``) answers file; see :func:`callscope.quality.evaluations.read_answers`."""
    from callscope.quality.evaluations import read_answers

    path = Path(path)
    kinds = {".yaml": "yaml", ".yml": "yaml", ".json": "yaml", ".csv": "csv"}
    kind = kinds.get(path.suffix.lower())
    if kind is None:
        raise CallscopeError(
            f"{path}: give a .yaml or .csv answers file (item: answer, or item,answer,comment)",
            field="answers",
        )
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise CallscopeError(f"{path} {what}; give a YAML or CSV answers file", field="answers")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CallscopeError(
            f"{path} is not UTF-8 text; save it as UTF-8", field="answers"
        ) from None
    if not text.strip():
        raise CallscopeError(
            f"{path} is empty; write one answer per item of the form", field="answers"
        )
    return read_answers(text, kind, str(path))


def _maybe_coach(store: Store, settings: Settings, e: Evaluation, now: datetime) -> str | None:
    from callscope.quality.evaluations import coaching_reason
    from callscope.store.quality import agent_team, open_task

    reason = coaching_reason(e, settings.qa_coaching_below)
    if reason is None:
        return None
    task = "T" + uuid.uuid4().hex[:10]
    open_task(store, task, e.evaluation_id, e.agent, agent_team(store, e.agent), reason, now)
    return task


def evaluate(settings: Settings, request: EvaluateRequest, now: datetime) -> EvaluationView:
    """Score a contact on a form version and store the evaluation (revision 1, open);
    a failed critical item or a score below ``quality.coaching_below`` opens a coaching
    task. Missing items, answers off the scale or an unknown contact store nothing."""
    from callscope.quality.evaluations import new_evaluation
    from callscope.services.common import open_store
    from callscope.store.quality import (
        add_event,
        contact_info,
        evaluation_of,
        insert_evaluation,
        transaction,
    )

    cid = request.contact_id.strip()
    if not cid:
        raise CallscopeError("give the contact's id", field="contact")
    evaluator = request.evaluator.strip()
    if not evaluator:
        raise CallscopeError("give the evaluator's name", field="evaluator")
    answers, comments = dict(request.answers), dict(request.comments)
    if request.answers_file is not None:
        from_file, file_comments = read_answers_file(request.answers_file)
        answers = {**from_file, **answers}
        comments = {**file_comments, **comments}
    with open_store(settings, write=True, create=False) as store:
        contact = contact_info(store, cid)
        if contact is None:
            raise CallscopeError(
                f"no contact {cid!r} in the store; evaluate a stored contact (see "
                "`callscope qa sample` for contacts to evaluate)",
                field="contact",
            )
        agent = contact["agent"] or request.agent
        if not agent:
            raise CallscopeError(
                f"contact {cid!r} has no agent (nobody answered it); name the agent",
                field="agent",
            )
        if request.agents is not None and agent not in request.agents:
            raise NotAllowed(
                f"contact {cid!r} was answered by {agent}, who is not one of your agents",
                field="contact",
            )
        before = evaluation_of(store, cid, evaluator)
        if before is not None:
            raise CallscopeError(
                f"{evaluator} has evaluated contact {cid!r} already ({before}); a dispute "
                "changes that evaluation, another evaluator may score the contact too",
                field="contact",
            )
        form = _form(store, request.form, request.form_version)
        e = new_evaluation(
            form,
            "E" + uuid.uuid4().hex[:10],
            cid,
            agent,
            evaluator,
            answers,
            comments,
            now,
        )
        with transaction(store):
            if form.name == "default" and not _stored_forms(store, "default"):
                _store_form(store, form, now)
            insert_evaluation(store, _header(e), _answers(e), "open", evaluator)
            add_event(
                store, e.evaluation_id, now, evaluator, "evaluated", None, _score_text(e.score)
            )
            task = _maybe_coach(store, settings, e, now)
            if task:
                add_event(store, e.evaluation_id, now, evaluator, "coaching opened", None, task)
        return _view(store, e.evaluation_id, task)


def _score_text(score: float | None) -> str:
    return "no score (every item N/A)" if score is None else f"score {score:.1f}"


def evaluation(
    settings: Settings,
    evaluation_id: str,
    agents: tuple[str, ...] | None = None,
    revision: int | None = None,
) -> EvaluationView:
    """One evaluation (its current revision, or ``revision``) with its disputes and
    history; when ``agents`` is given, only if it is of one of them (a scoped reader)."""
    from callscope.services.common import open_store

    with open_store(settings) as store:
        v = _view(store, evaluation_id, revision=revision)
    _visible(v.evaluation, agents)
    return v


def _visible(e: Evaluation, agents: tuple[str, ...] | None) -> None:
    if agents is not None and e.agent not in agents:
        raise NotAllowed(
            f"evaluation {e.evaluation_id} is of an agent whose evaluations you may not see",
            field="evaluation",
        )


@dataclass(frozen=True, slots=True)
class AcknowledgeRequest:
    evaluation_id: str
    actor: str = "cli"
    agent: str | None = None  #: when given, the evaluation must be this agent's


def _own(e: Evaluation, agent: str | None) -> None:
    if agent is not None and e.agent != agent:
        raise CallscopeError(
            f"evaluation {e.evaluation_id} is of another agent; an agent acknowledges or "
            "disputes only their own",
            field="evaluation",
        )


def acknowledge(settings: Settings, request: AcknowledgeRequest, now: datetime) -> EvaluationView:
    """The agent accepts an open evaluation as it is."""
    from callscope.quality.evaluations import check_acknowledge
    from callscope.services.common import open_store
    from callscope.store.quality import add_event, set_state, transaction

    with open_store(settings, write=True, create=False) as store:
        e, _, rev = _load(store, request.evaluation_id)
        _own(e, request.agent)
        check_acknowledge(e)
        with transaction(store):
            set_state(store, e.evaluation_id, "acknowledged", rev, now)
            add_event(store, e.evaluation_id, now, request.actor, "acknowledged")
        return _view(store, e.evaluation_id)


@dataclass(frozen=True)
class DisputeRequest:
    evaluation_id: str
    reasons: Mapping[str, str]  #: item -> why the agent disagrees
    actor: str = "cli"
    agent: str | None = None  #: when given, the evaluation must be this agent's


def dispute(settings: Settings, request: DisputeRequest, now: datetime) -> EvaluationView:
    """The agent disputes items of an open evaluation, each with a reason."""
    from callscope.quality.evaluations import check_dispute
    from callscope.services.common import open_store
    from callscope.store.quality import add_disputes, add_event, set_state, transaction

    with open_store(settings, write=True, create=False) as store:
        e, form, rev = _load(store, request.evaluation_id)
        _own(e, request.agent)
        reasons = check_dispute(form, e, request.reasons)
        with transaction(store):
            add_disputes(store, e.evaluation_id, reasons, request.actor, now)
            set_state(store, e.evaluation_id, "disputed", rev, now)
            for item, why in reasons.items():
                add_event(store, e.evaluation_id, now, request.actor, "disputed", item, why)
        return _view(store, e.evaluation_id)


@dataclass(frozen=True, slots=True)
class DecideRequest:
    evaluation_id: str
    item: str
    accept: bool
    answer: str | None = None  #: the corrected answer, when accepted
    note: str = ""
    actor: str = "cli"
    agents: tuple[str, ...] | None = None  #: when given, the evaluation must be of one


def decide(settings: Settings, request: DecideRequest, now: datetime) -> EvaluationView:
    """A supervisor accepts (a new revision, score recomputed, the old one kept) or
    rejects one disputed item; the evaluation is resolved when no item is left."""
    from callscope.quality.evaluations import check_decision, revise
    from callscope.services.common import open_store
    from callscope.store.quality import (
        add_event,
        decide_dispute,
        insert_evaluation,
        set_state,
        transaction,
    )
    from callscope.store.quality import disputes as store_disputes

    with open_store(settings, write=True, create=False) as store:
        e, form, rev = _load(store, request.evaluation_id)
        _visible(e, request.agents)
        pending = {d["item"] for d in store_disputes(store, e.evaluation_id, undecided=True)}
        value = check_decision(form, e, pending, request.item, request.accept, request.answer)
        left = pending - {request.item}
        status = "disputed" if left else "resolved"
        with transaction(store):
            decide_dispute(
                store,
                e.evaluation_id,
                request.item,
                "accepted" if request.accept else "rejected",
                value,
                request.note or None,
                request.actor,
                now,
            )
            if request.accept:
                new = revise(form, e, {request.item: "na" if value is None else value}, now)
                insert_evaluation(store, _header(new), _answers(new), status, request.actor)
                detail = (
                    f"{_score_text(e.score)} -> {_score_text(new.score)} (revision {new.revision})"
                )
                add_event(
                    store, e.evaluation_id, now, request.actor, "accepted", request.item, detail
                )
            else:
                set_state(store, e.evaluation_id, status, rev, now)
                add_event(
                    store,
                    e.evaluation_id,
                    now,
                    request.actor,
                    "rejected",
                    request.item,
                    request.note,
                )
            if status == "resolved":
                add_event(store, e.evaluation_id, now, request.actor, "resolved")
        return _view(store, e.evaluation_id)


@dataclass(frozen=True, slots=True)
class DisputesRequest:
    undecided: bool = True  #: only disputes still waiting for a decision
    agents: tuple[str, ...] | None = None  #: only these agents' (a supervisor's team)


def disputes(settings: Settings, request: DisputesRequest) -> list[dict[str, Any]]:
    """Disputes (evaluation, item, agent, reason, decision ...), oldest first."""
    from callscope.services.common import open_store
    from callscope.store.quality import disputes as store_disputes

    if not Path(settings.db).exists():
        return []
    with open_store(settings) as store:
        return store_disputes(store, undecided=request.undecided, agents=request.agents)


def evaluations(
    settings: Settings,
    agents: tuple[str, ...] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The current revision of each evaluation (only ``agents``' when given, only those
    in ``status`` when given)."""
    from callscope.quality.evaluations import STATUSES
    from callscope.services.common import open_store
    from callscope.store.quality import evaluation_rows

    if status is not None and status not in STATUSES:
        raise CallscopeError(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}", field="status"
        )
    if not Path(settings.db).exists():
        return []
    with open_store(settings) as store:
        rows = evaluation_rows(store, agents, start, end)
    return [r for r in rows if status is None or r["status"] == status]


def coaching(
    settings: Settings, open_only: bool = True, teams: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Coaching tasks (open ones by default; only ``teams``' when given)."""
    from callscope.services.common import open_store
    from callscope.store.quality import coaching_tasks

    if not Path(settings.db).exists():
        return []
    with open_store(settings) as store:
        return coaching_tasks(store, open_only, teams)


@dataclass(frozen=True, slots=True)
class CloseTaskRequest:
    task_id: str
    note: str  #: what was done
    actor: str = "cli"
    teams: tuple[str, ...] | None = None  #: when given, the task must be of these teams'


def close_task(settings: Settings, request: CloseTaskRequest, now: datetime) -> None:
    """Close a coaching task, recording what was done."""
    from callscope.services.common import open_store
    from callscope.store.quality import close_task as store_close
    from callscope.store.quality import transaction

    if not request.note.strip():
        raise CallscopeError("say what was done (the coaching note)", field="note")
    with open_store(settings, write=True, create=False) as store, transaction(store):
        if request.teams is not None:
            from callscope.store.quality import coaching_tasks

            mine = {t["task_id"] for t in coaching_tasks(store, True, request.teams)}
            if request.task_id not in mine:
                raise NotAllowed(
                    f"no open coaching task {request.task_id!r} of your teams", field="task"
                )
        if not store_close(store, request.task_id, request.actor, request.note.strip(), now):
            raise CallscopeError(f"no open coaching task {request.task_id!r}", field="task")


def stored_form(store: Store, name: str, version: int | None = None) -> Form:
    """A form version from an open store (newest by default; the built-in ``default``
    form when it was never stored)."""
    return _form(store, name, version)


def scope_agents(settings: Settings, scope: Scope) -> tuple[str, ...] | None:
    """The agents whose evaluations, disputes and scorecards ``scope`` may see: ``None``
    for every agent, else the scope's agents and its teams' agents (the store's agent
    directory)."""
    from callscope.services.common import open_store
    from callscope.store.quality import agent_teams

    if scope.everyone:
        return None
    agents = set(scope.agents or ())
    if scope.teams and Path(settings.db).exists():
        with open_store(settings) as store:
            teams = agent_teams(store)
        agents |= {a for a, t in teams.items() if t in scope.teams}
    return tuple(sorted(agents))


def answer_choices(form: Form) -> dict[str, list[str]]:
    """item -> the answers it takes, as an evaluator writes them: ``yes``, ``no``, the
    numbers of its scale, ``na`` where N/A is allowed."""
    out = {}
    for i in form.items:
        lo, hi = i.scale
        vals = (
            ["yes", "no"] if i.type == "yes_no" else [f"{v:g}" for v in range(int(lo), int(hi) + 1)]
        )
        out[i.id] = vals + (["na"] if i.na else [])
    return out


def answer_errors(form: Form, answers: Mapping[str, Any]) -> dict[str, str]:
    """Every item of ``form`` without an answer or answered off its scale, each with
    one line (:func:`evaluate` stops at the first; a page shows each beside its item)."""
    from callscope.quality.forms import parse_answer

    out = {}
    for i in form.items:
        raw = answers.get(i.id)
        if raw is None or str(raw).strip() == "":
            out[i.id] = f"item {i.id!r} has no answer; answer " + "/".join(
                answer_choices(form)[i.id]
            )
            continue
        try:
            parse_answer(i, raw)
        except CallscopeError as e:
            out[i.id] = str(e)
    return out


def contact_summary(
    settings: Settings, contact_id: str, agents: tuple[str, ...] | None = None
) -> dict[str, Any] | None:
    """The contact an evaluator is about to score (agent, queue, channel, answered or
    arrived), or ``None`` when the store has no such contact or, with ``agents``, it is
    not one of theirs."""
    from callscope.services.common import open_store
    from callscope.store.quality import contact_info

    if not contact_id.strip() or not Path(settings.db).exists():
        return None
    with open_store(settings) as store:
        info = contact_info(store, contact_id.strip())
    if info is None or (agents is not None and info["agent"] not in agents):
        return None
    return info
