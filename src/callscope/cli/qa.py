"""``callscope qa ...``: quality monitoring from the command line.

Forms (``qa forms list|show|add``), evaluations (``qa evaluate``, ``qa show``, ``qa
list``), the agent's side (``qa acknowledge``, ``qa dispute``), the supervisor's
(``qa disputes``, ``qa resolve``), coaching tasks (``qa coaching``, ``qa coaching-close``),
and, in :mod:`callscope.cli.qa_stats`, sampling plans (``qa sample``), calibration (``qa
calibration``) and survey figures with their intervals (``qa surveys``). Each command
parses, calls one service of :mod:`callscope.services.quality` and renders; a service's
error names this command's flag (``--answers: ...``), not the request field.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli.app import (
    DbOpt,
    FromOpt,
    OutputOpt,
    SettingsOpt,
    ToOpt,
    app,
    console,
    load,
    pairs,
    print_json,
    say,
    text,
)
from callscope.cli.render import number, plain, print_rows
from callscope.errors import CallscopeError

__all__ = [
    "Format",
    "FormatOpt",
    "TableFormat",
    "flags",
    "qa_app",
    "acknowledge_cmd",
    "coaching_close_cmd",
    "coaching_cmd",
    "dispute_cmd",
    "disputes_cmd",
    "evaluate_cmd",
    "forms_add_cmd",
    "forms_list_cmd",
    "forms_show_cmd",
    "list_cmd",
    "resolve_cmd",
    "show_cmd",
]

qa_app = typer.Typer(
    help="Quality monitoring: forms, evaluations, disputes, sampling, calibration, surveys.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
forms_app = typer.Typer(
    help="Evaluation forms: list the stored versions, show one as YAML, add one.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(qa_app, name="qa")
qa_app.add_typer(forms_app, name="forms")


class Format(StrEnum):
    table = "table"
    json = "json"


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[Format, typer.Option("--format", help="What to print: table or json.")]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user", help="Who does this, for the history [your login name].", show_default=False
    ),
]

#: service request field -> the flag or argument that sets it here
_FLAGS = {
    "answers": "--answers",
    "comments": "--comment",
    "contact": "CONTACT",
    "form": "--form",
    "form_version": "--form-version",
    "evaluator": "--evaluator",
    "agent": "--agent",
    "items": "--item",
    "item": "--item",
    "answer": "--accept",
    "evaluation": "EVALUATION",
    "note": "--note",
    "task": "TASK",
    "per_agent": "--per-agent",
    "period": "--period",
    "strata": "--strata",
    "weight": "--weight",
    "expert": "--expert",
    "confidence": "--confidence",
}


@contextmanager
def flags(**override: str) -> Iterator[None]:
    """A service's error names the flag of this command, not the request field."""
    try:
        yield
    except CallscopeError as e:
        names = {**_FLAGS, **override}
        if e.field in names:
            e.field = names[e.field]
        raise


def _user(user: str | None) -> str:
    if user:
        return user
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _score(v: Any) -> str:
    return "-" if v is None else f"{float(v):.1f}"


# -- forms ------------------------------------------------------------------------------


@forms_app.command("list")
def forms_list_cmd(
    fmt: FormatOpt = Format.table, db: DbOpt = None, settings: SettingsOpt = None
) -> None:
    """Every stored form version (the built-in form 'default' is stored on first use)."""
    from callscope.services.quality import form_versions

    rows = form_versions(load(settings, db))
    if fmt is Format.json:
        print_json(rows)
        return
    if not rows:
        console.print(
            text(
                "no stored forms: the built-in form 'default' is stored on first use; `callscope qa forms show default` prints it"
            ),
            highlight=False,
        )
        return
    print_rows(
        [{**r, "created_at": f"{r['created_at']:%Y-%m-%d %H:%M}"} for r in rows],
        (
            ("name", "form", str),
            ("version", "version", number),
            ("sections", "sections", number),
            ("items", "items", number),
            ("na_policy", "N/A", str),
            ("created_at", "added", str),
        ),
        title=f"{len(rows)} form versions",
        left=("name", "na_policy", "created_at"),
    )


@forms_app.command("show")
def forms_show_cmd(
    name: Annotated[str, typer.Argument(help="The form's name.")] = "default",
    version: Annotated[
        int | None,
        typer.Option("--version", help="Which version [the newest].", show_default=False),
    ] = None,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """A form version as YAML (edit it and `qa forms add` it to make a new version)."""
    from callscope.services.quality import form_yaml

    with flags(form="NAME", form_version="--version"):
        form, body = form_yaml(load(settings, db), name, version)
    if output is None:
        sys.stdout.write(body)
        return
    if output.is_dir():
        raise CallscopeError(f"{output} is a folder; give a file name", field="output")
    output.write_text(body, encoding="utf-8")
    say(f"wrote {form.label} to {output}")


@forms_app.command("add")
def forms_add_cmd(
    path: Annotated[Path, typer.Argument(help="A YAML form file.", show_default=False)],
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Store a form from YAML: a new version when it scores differently from the newest
    stored one, nothing when it is the same."""
    from callscope.services.quality import FormAddRequest, add_form

    with flags(form="FILE"):
        r = add_form(load(settings, db), FormAddRequest(path), datetime.now())
    f = r.form
    what = "added" if r.new else "unchanged:"
    console.print(
        text(f"{what} {f.label} ({len(f.sections)} sections, {len(f.items)} items)"),
        highlight=False,
    )


# -- evaluations ------------------------------------------------------------------------


def _print_view(v: Any, fmt: Format) -> None:
    e = v.evaluation
    head = {
        "evaluation_id": e.evaluation_id,
        "revision": e.revision,
        "revisions": v.revisions,
        "status": e.status,
        "contact_id": e.contact_id,
        "agent": e.agent,
        "evaluator": e.evaluator,
        "form": e.form,
        "form_version": e.form_version,
        "score": e.score,
        "sections": dict(e.section_scores),
        "critical_failed": list(e.critical_failed),
        "fatal_failed": list(e.fatal_failed),
        "coaching_task": v.coaching_task,
    }
    if fmt is Format.json:
        print_json(
            {
                **head,
                "items": v.item_rows(),
                "disputes": list(v.disputes),
                "history": list(v.history),
            }
        )
        return
    print_rows(
        v.item_rows(),
        (
            ("section", "section", str),
            ("item", "item", str),
            ("answer", "answer", str),
            ("earned", "earned", lambda x: number(x, 2)),
            ("points", "of", lambda x: number(x, 2)),
            ("failed", "", lambda x: "failed" if x else ""),
            ("comment", "comment", str),
        ),
        title=(
            f"evaluation {e.evaluation_id} of {e.contact_id} (agent {e.agent}) on "
            f"{e.form} v{e.form_version}: score {_score(e.score)}, {e.status}, "
            f"revision {e.revision} of {v.revisions}"
        ),
        left=("section", "item", "answer", "failed", "comment"),
    )
    for kind, items in (("fatal", e.fatal_failed), ("critical", e.critical_failed)):
        if items:
            say(f"{kind} item failed: {', '.join(items)}")
    if v.coaching_task:
        say(f"coaching task {v.coaching_task} opened for the agent's supervisor")
    if v.disputes:
        print_rows(
            list(v.disputes),
            (
                ("item", "disputed item", str),
                ("reason", "reason", str),
                ("decision", "decision", plain),
                ("note", "note", plain),
            ),
            left=("item", "reason", "decision", "note"),
        )


@qa_app.command("evaluate")
def evaluate_cmd(
    contact: Annotated[str, typer.Argument(help="The contact's id.", show_default=False)],
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="YAML (item: answer) or CSV (item,answer[,comment]) file; answers are yes, "
            "no, na or a number on the item's scale.",
            show_default=False,
        ),
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            help="ITEM=ANSWER (repeat): answers on the command line, or changes to the file's.",
            show_default=False,
        ),
    ] = None,
    form: Annotated[str, typer.Option("--form", help="The form's name.")] = "default",
    form_version: Annotated[
        int | None,
        typer.Option("--form-version", help="The form version [the newest].", show_default=False),
    ] = None,
    evaluator: Annotated[
        str | None,
        typer.Option("--evaluator", help="Who evaluated [your login name].", show_default=False),
    ] = None,
    comment: Annotated[
        list[str] | None,
        typer.Option(
            "--comment", help="ITEM=TEXT, a comment on an item (repeat).", show_default=False
        ),
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent", help="The agent, only for a contact no agent answered.", show_default=False
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Score a contact on a form and store the evaluation; a failed critical item or a
    low score opens a coaching task. A missing item, an answer off the scale or an
    unknown contact stores nothing."""
    from callscope.services.quality import EvaluateRequest, evaluate

    if answers is None and not answer:
        raise CallscopeError(
            "give the answers: --answers FILE (YAML or CSV), or --answer ITEM=ANSWER for each "
            "item (`callscope qa forms show` lists the items)",
            field="--answers",
        )
    with flags():
        req = EvaluateRequest(
            contact,
            pairs(answer, "--answer", "greeting=yes"),
            form=form,
            form_version=form_version,
            evaluator=_user(evaluator),
            comments=pairs(comment, "comments", "greeting=warm and clear"),
            agent=agent,
            answers_file=answers,
        )
        v = evaluate(load(settings, db), req, datetime.now())
    _print_view(v, fmt)


@qa_app.command("show")
def show_cmd(
    evaluation: Annotated[str, typer.Argument(help="The evaluation's id.", show_default=False)],
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """One evaluation: its items, score, disputes and history."""
    from callscope.services.quality import evaluation as get_evaluation

    with flags():
        v = get_evaluation(load(settings, db), evaluation)
    _print_view(v, fmt)
    if fmt is Format.table and v.history:
        print_rows(
            [{**h, "at": f"{h['at']:%Y-%m-%d %H:%M}"} for h in v.history],
            (
                ("at", "when", str),
                ("actor", "who", str),
                ("action", "what", str),
                ("item", "item", plain),
                ("detail", "detail", plain),
            ),
            left=("at", "actor", "action", "item", "detail"),
        )


@qa_app.command("list")
def list_cmd(
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Only this agent's (repeat).", show_default=False),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only evaluations open, acknowledged, disputed or resolved.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Evaluations (their current revision), oldest first."""
    from callscope.services.quality import evaluations

    with flags(status="--status"):
        rows = evaluations(load(settings, db), tuple(agent) if agent else None, start, end, status)
    if fmt is Format.json:
        print_json(rows)
        return
    if not rows:
        console.print(
            text(
                "no evaluations: `callscope qa sample` picks contacts, `callscope qa evaluate` scores one"
            ),
            highlight=False,
        )
        return
    print_rows(
        [
            {
                **r,
                "form": f"{r['form']} v{r['form_version']}",
                "created_at": f"{r['created_at']:%Y-%m-%d %H:%M}",
            }
            for r in rows
        ],
        (
            ("evaluation_id", "evaluation", str),
            ("contact_id", "contact", str),
            ("agent", "agent", str),
            ("evaluator", "evaluator", str),
            ("form", "form", str),
            ("score", "score", _score),
            ("status", "status", str),
            ("revision", "revision", number),
            ("created_at", "last change", str),
        ),
        title=f"{len(rows)} evaluations",
        left=("evaluation_id", "contact_id", "agent", "evaluator", "form", "status", "created_at"),
    )


@qa_app.command("acknowledge")
def acknowledge_cmd(
    evaluation: Annotated[str, typer.Argument(help="The evaluation's id.", show_default=False)],
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent", help="The agent acknowledging: it must be theirs.", show_default=False
        ),
    ] = None,
    user: UserOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """The agent accepts an open evaluation as it is."""
    from callscope.services.quality import AcknowledgeRequest, acknowledge

    with flags():
        v = acknowledge(
            load(settings, db),
            AcknowledgeRequest(evaluation, _user(user), agent=agent),
            datetime.now(),
        )
    console.print(text(f"{evaluation}: {v.evaluation.status}"), highlight=False)


@qa_app.command("dispute")
def dispute_cmd(
    evaluation: Annotated[str, typer.Argument(help="The evaluation's id.", show_default=False)],
    item: Annotated[
        list[str],
        typer.Option(
            "--item", help="ITEM=REASON: an item disputed and why (repeat).", show_default=False
        ),
    ],
    agent: Annotated[
        str | None,
        typer.Option("--agent", help="The agent disputing: it must be theirs.", show_default=False),
    ] = None,
    user: UserOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """The agent disputes items of an open evaluation, each with a reason; a supervisor
    decides each with `qa resolve`."""
    from callscope.services.quality import DisputeRequest, dispute

    with flags():
        reasons = pairs(item, "items", "greeting='I did greet at 0:04'")
        v = dispute(
            load(settings, db),
            DisputeRequest(evaluation, reasons, _user(user), agent=agent),
            datetime.now(),
        )
    console.print(
        text(f"{evaluation}: {v.evaluation.status}; disputed {', '.join(reasons)}"),
        highlight=False,
    )


@qa_app.command("disputes")
def disputes_cmd(
    every: Annotated[
        bool, typer.Option("--all", help="Decided disputes too, not only those waiting.")
    ] = False,
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Only this agent's (repeat).", show_default=False),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Disputed items waiting for a supervisor's decision (all of them with --all)."""
    from callscope.services.quality import DisputesRequest, disputes

    rows = disputes(load(settings, db), DisputesRequest(not every, tuple(agent) if agent else None))
    if fmt is Format.json:
        print_json(rows)
        return
    if not rows:
        console.print(text("no disputes" if every else "no disputes waiting"), highlight=False)
        return
    print_rows(
        [{**r, "disputed_at": f"{r['disputed_at']:%Y-%m-%d %H:%M}"} for r in rows],
        (
            ("evaluation_id", "evaluation", str),
            ("agent", "agent", str),
            ("contact_id", "contact", str),
            ("item", "item", str),
            ("reason", "reason", str),
            ("disputed_at", "disputed", str),
            ("decision", "decision", plain),
        ),
        title=f"{len(rows)} disputed items",
        left=("evaluation_id", "agent", "contact_id", "item", "reason", "disputed_at", "decision"),
    )


@qa_app.command("resolve")
def resolve_cmd(
    evaluation: Annotated[str, typer.Argument(help="The evaluation's id.", show_default=False)],
    item: Annotated[str, typer.Option("--item", help="The disputed item.", show_default=False)],
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            help="Accept the dispute with this corrected answer (yes, no, na or a number): "
            "a new revision is scored, the old one kept.",
            show_default=False,
        ),
    ] = None,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the dispute.")] = False,
    note: Annotated[str, typer.Option("--note", help="Why (kept in the history).")] = "",
    user: UserOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """A supervisor decides one disputed item: --accept ANSWER or --reject."""
    from callscope.services.quality import DecideRequest, decide

    if (accept is None) == (not reject):
        raise CallscopeError(
            "give either --accept ANSWER (the corrected answer) or --reject", field="--accept"
        )
    with flags():
        v = decide(
            load(settings, db),
            DecideRequest(evaluation, item, accept is not None, accept, note, _user(user)),
            datetime.now(),
        )
    e = v.evaluation
    console.print(
        text(
            f"{evaluation} {item}: {'accepted' if accept is not None else 'rejected'}; "
            f"score {_score(e.score)} (revision {e.revision} of {v.revisions}), {e.status}"
        ),
        highlight=False,
    )


@qa_app.command("coaching")
def coaching_cmd(
    every: Annotated[bool, typer.Option("--all", help="Closed tasks too.")] = False,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Coaching tasks opened by low evaluations (failed critical or fatal items, a score
    below quality.coaching_below)."""
    from callscope.services.quality import coaching

    rows = coaching(load(settings, db), open_only=not every)
    if fmt is Format.json:
        print_json(rows)
        return
    if not rows:
        console.print(
            text("no coaching tasks" if every else "no open coaching tasks"), highlight=False
        )
        return
    print_rows(
        [
            {
                **r,
                "opened_at": f"{r['opened_at']:%Y-%m-%d %H:%M}",
                "closed_at": f"{r['closed_at']:%Y-%m-%d %H:%M}" if r["closed_at"] else "",
            }
            for r in rows
        ],
        (
            ("task_id", "task", str),
            ("agent", "agent", str),
            ("team", "team", plain),
            ("evaluation_id", "evaluation", str),
            ("reason", "reason", str),
            ("opened_at", "opened", str),
            ("closed_at", "closed", str),
            ("note", "what was done", plain),
        ),
        title=f"{len(rows)} coaching tasks",
        left=(
            "task_id",
            "agent",
            "team",
            "evaluation_id",
            "reason",
            "opened_at",
            "closed_at",
            "note",
        ),
    )


@qa_app.command("coaching-close")
def coaching_close_cmd(
    task: Annotated[str, typer.Argument(help="The task's id.", show_default=False)],
    note: Annotated[str, typer.Option("--note", help="What was done.", show_default=False)],
    user: UserOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Close a coaching task, recording what was done."""
    from callscope.services.quality import CloseTaskRequest, close_task

    with flags():
        close_task(load(settings, db), CloseTaskRequest(task, note, _user(user)), datetime.now())
    console.print(text(f"closed {task}"), highlight=False)


import callscope.cli.qa_stats  # noqa: E402, F401 (registers qa sample, calibration, surveys)
