"""QA forms, evaluations, disputes, their history and coaching tasks, in the store.

Tables (created on first write; reading a store without them finds nothing):

* ``qa_forms(name, version, fingerprint, body, created_at)``: each version of each form,
  its YAML ``body`` as saved; a version is never changed.
* ``qa_evaluations(evaluation_id, revision, contact_id, agent, evaluator, form,
  form_version, score, critical_failed, fatal_failed, failed, created_at, created_by)``:
  one row per revision (an accepted dispute adds a revision; none is overwritten).
* ``qa_answers(evaluation_id, revision, item, answer, comment)``: ``answer`` null is N/A.
* ``qa_state(evaluation_id, status, revision, updated_at)``: the current state and
  revision of each evaluation.
* ``qa_disputes(evaluation_id, item, reason, disputed_by, disputed_at, decision,
  answer, note, decided_by, decided_at)``: ``decision`` null until decided (``accepted``
  or ``rejected``).
* ``qa_events(evaluation_id, logged_at, actor, action, item, detail)``: the history.
* ``qa_coaching(task_id, evaluation_id, agent, team, reason, opened_at, closed_at,
  closed_by, note)``.

Every write of one user action runs in one transaction (:func:`transaction`): an
evaluation lands with all its answers, state, event and coaching task, or not at all.
Values reach SQL as bound parameters through :func:`callscope.store.sql.run`. This module
knows nothing of scoring: it stores what :mod:`callscope.quality` computed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pyarrow as pa

from callscope.store.sql import relation, run
from callscope.store.store import Store

__all__ = [
    "QA_TABLES",
    "add_disputes",
    "add_event",
    "add_form",
    "agent_teams",
    "calibration_scores",
    "close_task",
    "coaching_tasks",
    "contact_info",
    "decide_dispute",
    "disputes",
    "ensure_quality_tables",
    "evaluated_contacts",
    "evaluation_rows",
    "evaluation_of",
    "evaluations_table",
    "events",
    "form_bodies",
    "get_evaluation",
    "insert_evaluation",
    "open_task",
    "sampling_candidates",
    "set_state",
    "survey_rows",
    "transaction",
]

_DDL = (
    """CREATE TABLE IF NOT EXISTS qa_forms (
        name VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        fingerprint VARCHAR NOT NULL,
        body VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        PRIMARY KEY (name, version)
    )""",
    """CREATE TABLE IF NOT EXISTS qa_evaluations (
        evaluation_id VARCHAR NOT NULL,
        revision INTEGER NOT NULL,
        contact_id VARCHAR NOT NULL,
        agent VARCHAR NOT NULL,
        evaluator VARCHAR NOT NULL,
        form VARCHAR NOT NULL,
        form_version INTEGER NOT NULL,
        score DOUBLE,
        critical_failed VARCHAR,
        fatal_failed VARCHAR,
        failed VARCHAR,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL,
        PRIMARY KEY (evaluation_id, revision)
    )""",
    """CREATE TABLE IF NOT EXISTS qa_answers (
        evaluation_id VARCHAR NOT NULL,
        revision INTEGER NOT NULL,
        item VARCHAR NOT NULL,
        answer DOUBLE,
        comment VARCHAR,
        PRIMARY KEY (evaluation_id, revision, item)
    )""",
    """CREATE TABLE IF NOT EXISTS qa_state (
        evaluation_id VARCHAR PRIMARY KEY,
        status VARCHAR NOT NULL,
        revision INTEGER NOT NULL,
        updated_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS qa_disputes (
        evaluation_id VARCHAR NOT NULL,
        item VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        disputed_by VARCHAR NOT NULL,
        disputed_at TIMESTAMP NOT NULL,
        decision VARCHAR,
        answer DOUBLE,
        note VARCHAR,
        decided_by VARCHAR,
        decided_at TIMESTAMP,
        PRIMARY KEY (evaluation_id, item)
    )""",
    """CREATE TABLE IF NOT EXISTS qa_events (
        evaluation_id VARCHAR NOT NULL,
        logged_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        item VARCHAR,
        detail VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS qa_coaching (
        task_id VARCHAR PRIMARY KEY,
        evaluation_id VARCHAR NOT NULL,
        agent VARCHAR NOT NULL,
        team VARCHAR,
        reason VARCHAR NOT NULL,
        opened_at TIMESTAMP NOT NULL,
        closed_at TIMESTAMP,
        closed_by VARCHAR,
        note VARCHAR
    )""",
)
#: The quality tables.
QA_TABLES = (
    "qa_forms",
    "qa_evaluations",
    "qa_answers",
    "qa_state",
    "qa_disputes",
    "qa_events",
    "qa_coaching",
)


def ensure_quality_tables(store: Store) -> None:
    """Create the quality tables if absent."""
    for ddl in _DDL:
        run(store.con, ddl)


def _present(store: Store, *tables: str) -> bool:
    return all(store.has_table(t) for t in tables)


@contextmanager
def transaction(store: Store) -> Iterator[None]:
    """One user action: everything inside commits together or not at all."""
    ensure_quality_tables(store)
    run(store.con, "BEGIN TRANSACTION")
    try:
        yield
        run(store.con, "COMMIT")
    except BaseException:
        run(store.con, "ROLLBACK")
        raise


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# -- forms ------------------------------------------------------------------------------


def form_bodies(store: Store, name: str | None = None) -> list[dict[str, Any]]:
    """Stored form versions (name, version, fingerprint, body, created_at), by name and
    version; only ``name``'s when given."""
    if not _present(store, "qa_forms"):
        return []
    sql = "SELECT name, version, fingerprint, body, created_at FROM qa_forms"
    params: list[Any] = []
    if name is not None:
        sql += " WHERE name = ?"
        params.append(name)
    return _dicts(run(store.con, sql + " ORDER BY name, version", params))


def add_form(
    store: Store, name: str, version: int, fingerprint: str, body: str, now: datetime
) -> None:
    """Store one new form version."""
    ensure_quality_tables(store)
    run(
        store.con,
        "INSERT INTO qa_forms VALUES (?, ?, ?, ?, ?)",
        [name, version, fingerprint, body, now],
    )


# -- contacts ---------------------------------------------------------------------------


def contact_info(store: Store, contact_id: str) -> dict[str, Any] | None:
    """The contact's agent, queue, channel, answer and arrival time, or ``None``."""
    rows = _dicts(
        run(
            store.con,
            "SELECT contact_id, agent, queue, channel, answer_ts, arrival_ts FROM contacts "
            "WHERE contact_id = ?",
            [contact_id],
        )
    )
    return rows[0] if rows else None


def agent_teams(store: Store) -> dict[str, str | None]:
    """Every known agent's team (``agents.team``)."""
    if not _present(store, "agents"):
        return {}
    return {a: t for a, t in run(store.con, "SELECT agent, team FROM agents").fetchall()}


def agent_team(store: Store, agent: str) -> str | None:
    """The agent's team (``agents.team``), if known."""
    rows = run(store.con, "SELECT team FROM agents WHERE agent = ?", [agent]).fetchall()
    return rows[0][0] if rows else None


# -- evaluations ------------------------------------------------------------------------


def insert_evaluation(
    store: Store,
    header: dict[str, Any],
    answers: Sequence[tuple[str, float | None, str | None]],
    status: str,
    actor: str,
) -> None:
    """Store one revision (``header`` holds the ``qa_evaluations`` columns), its answers
    ``(item, answer, comment)`` and the evaluation's state (call inside
    :func:`transaction`)."""
    cols = (
        "evaluation_id",
        "revision",
        "contact_id",
        "agent",
        "evaluator",
        "form",
        "form_version",
        "score",
        "critical_failed",
        "fatal_failed",
        "failed",
        "created_at",
        "created_by",
    )
    row = {**header, "created_by": actor}
    run(
        store.con,
        f"INSERT INTO qa_evaluations ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [row[c] for c in cols],
    )
    for item, answer, comment in answers:
        run(
            store.con,
            "INSERT INTO qa_answers VALUES (?, ?, ?, ?, ?)",
            [header["evaluation_id"], header["revision"], item, answer, comment],
        )
    set_state(store, header["evaluation_id"], status, header["revision"], header["created_at"])


def set_state(store: Store, evaluation_id: str, status: str, revision: int, now: datetime) -> None:
    """The evaluation's current state and revision."""
    run(
        store.con,
        "INSERT OR REPLACE INTO qa_state VALUES (?, ?, ?, ?)",
        [evaluation_id, status, revision, now],
    )


def get_evaluation(
    store: Store, evaluation_id: str, revision: int | None = None
) -> dict[str, Any] | None:
    """One revision (the current one by default) with its ``status``, ``revisions``
    (how many) and ``answers`` ``[(item, answer, comment)]``; ``None`` if unknown."""
    if not _present(store, "qa_evaluations", "qa_state"):
        return None
    state = run(
        store.con,
        "SELECT status, revision FROM qa_state WHERE evaluation_id = ?",
        [evaluation_id],
    ).fetchall()
    if not state:
        return None
    status, current = state[0]
    rev = current if revision is None else revision
    rows = _dicts(
        run(
            store.con,
            "SELECT * FROM qa_evaluations WHERE evaluation_id = ? AND revision = ?",
            [evaluation_id, rev],
        )
    )
    if not rows:
        return None
    out = rows[0]
    out["status"] = status
    out["revisions"] = current
    out["answers"] = run(
        store.con,
        "SELECT item, answer, comment FROM qa_answers WHERE evaluation_id = ? AND revision = ? "
        "ORDER BY rowid",
        [evaluation_id, rev],
    ).fetchall()
    return out


def evaluation_rows(
    store: Store,
    agents: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """The current revision of every evaluation (with ``status`` and the contact's
    ``answer_ts``/``arrival_ts``, ``queue`` and ``channel``), oldest first; only
    ``agents``' when given, only contacts answered in ``[start, end)`` when given."""
    return evaluations_table(store, agents, start, end).to_pylist()


def evaluations_table(
    store: Store,
    agents: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pa.Table:
    """:func:`evaluation_rows` as an Arrow table."""
    if not _present(store, "qa_evaluations", "qa_state"):
        return pa.table(
            {
                "evaluation_id": pa.array([], pa.string()),
                "contact_id": pa.array([], pa.string()),
                "agent": pa.array([], pa.string()),
                "score": pa.array([], pa.float64()),
                "contact_ts": pa.array([], pa.timestamp("us")),
            }
        )
    sql = (
        "SELECT e.evaluation_id, e.revision, e.contact_id, e.agent, e.evaluator, e.form, "
        "e.form_version, e.score, e.critical_failed, e.fatal_failed, e.failed, e.created_at, "
        "s.status, c.queue, c.channel, coalesce(c.answer_ts, c.arrival_ts) AS contact_ts "
        "FROM qa_evaluations e JOIN qa_state s "
        "ON s.evaluation_id = e.evaluation_id AND s.revision = e.revision "
        "LEFT JOIN contacts c ON c.contact_id = e.contact_id WHERE true"
    )
    params: list[Any] = []
    if agents is not None:
        sql += " AND list_contains(?, e.agent)"
        params.append(list(agents))
    if start is not None:
        sql += " AND coalesce(c.answer_ts, c.arrival_ts, e.created_at) >= ?"
        params.append(start)
    if end is not None:
        sql += " AND coalesce(c.answer_ts, c.arrival_ts, e.created_at) < ?"
        params.append(end)
    return relation(
        store.con, sql + " ORDER BY e.created_at, e.evaluation_id", params
    ).to_arrow_table()


def evaluated_contacts(store: Store) -> list[str]:
    """Every contact that has an evaluation."""
    if not _present(store, "qa_evaluations"):
        return []
    return [
        r[0] for r in run(store.con, "SELECT DISTINCT contact_id FROM qa_evaluations").fetchall()
    ]


def evaluation_of(store: Store, contact_id: str, evaluator: str) -> str | None:
    """The id of ``evaluator``'s evaluation of the contact, if there is one."""
    if not _present(store, "qa_evaluations"):
        return None
    rows = run(
        store.con,
        "SELECT evaluation_id FROM qa_evaluations WHERE contact_id = ? AND evaluator = ? "
        "AND revision = 1 LIMIT 1",
        [contact_id, evaluator],
    ).fetchall()
    return rows[0][0] if rows else None


def calibration_scores(
    store: Store,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pa.Table:
    """The first revision's answers (the evaluator's own, blind score) of every contact
    that two or more evaluators evaluated: form, form_version, form_item (the form's
    item id), evaluator, item (the unit, ``contact:item``) and score (the answer; null:
    N/A); only contacts answered in ``[start, end)`` when given."""
    empty = pa.table(
        {
            "form": pa.array([], pa.string()),
            "form_version": pa.array([], pa.int32()),
            "form_item": pa.array([], pa.string()),
            "evaluator": pa.array([], pa.string()),
            "item": pa.array([], pa.string()),
            "score": pa.array([], pa.float64()),
        }
    )
    if not _present(store, "qa_evaluations", "qa_answers"):
        return empty
    where, params = "e.revision = 1", list[Any]()
    if start is not None:
        where += " AND coalesce(c.answer_ts, c.arrival_ts, e.created_at) >= ?"
        params.append(start)
    if end is not None:
        where += " AND coalesce(c.answer_ts, c.arrival_ts, e.created_at) < ?"
        params.append(end)
    sql = (
        "WITH firsts AS (SELECT e.* FROM qa_evaluations e "
        f"LEFT JOIN contacts c ON c.contact_id = e.contact_id WHERE {where}), "
        "shared AS (SELECT contact_id, form FROM firsts GROUP BY contact_id, form "
        "HAVING count(DISTINCT evaluator) >= 2) "
        "SELECT f.form, f.form_version, a.item AS form_item, f.evaluator, "
        "f.contact_id || ':' || a.item AS item, a.answer AS score "
        "FROM firsts f JOIN shared s ON s.contact_id = f.contact_id AND s.form = f.form "
        "JOIN qa_answers a ON a.evaluation_id = f.evaluation_id AND a.revision = 1 "
        "ORDER BY f.form, f.contact_id, a.item, f.evaluator"
    )
    return relation(store.con, sql, params).to_arrow_table()


# -- disputes and history ---------------------------------------------------------------


def add_event(
    store: Store,
    evaluation_id: str,
    now: datetime,
    actor: str,
    action: str,
    item: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one entry to an evaluation's history."""
    run(
        store.con,
        "INSERT INTO qa_events VALUES (?, ?, ?, ?, ?, ?)",
        [evaluation_id, now, actor, action, item, detail],
    )


def add_disputes(
    store: Store, evaluation_id: str, reasons: dict[str, str], actor: str, now: datetime
) -> None:
    """Open one dispute per item (call inside :func:`transaction`)."""
    for item, reason in reasons.items():
        run(
            store.con,
            "INSERT INTO qa_disputes (evaluation_id, item, reason, disputed_by, disputed_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [evaluation_id, item, reason, actor, now],
        )


def decide_dispute(
    store: Store,
    evaluation_id: str,
    item: str,
    decision: str,
    answer: float | None,
    note: str | None,
    actor: str,
    now: datetime,
) -> None:
    """Record the decision on one disputed item."""
    run(
        store.con,
        "UPDATE qa_disputes SET decision = ?, answer = ?, note = ?, decided_by = ?, "
        "decided_at = ? WHERE evaluation_id = ? AND item = ?",
        [decision, answer, note, actor, now, evaluation_id, item],
    )


def disputes(
    store: Store,
    evaluation_id: str | None = None,
    undecided: bool = False,
    agents: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Disputes with the evaluation's agent and contact, oldest first."""
    if not _present(store, "qa_disputes", "qa_evaluations"):
        return []
    sql = (
        "SELECT d.*, e.agent, e.contact_id FROM qa_disputes d JOIN qa_evaluations e "
        "ON e.evaluation_id = d.evaluation_id AND e.revision = 1 WHERE true"
    )
    params: list[Any] = []
    if evaluation_id is not None:
        sql += " AND d.evaluation_id = ?"
        params.append(evaluation_id)
    if undecided:
        sql += " AND d.decision IS NULL"
    if agents is not None:
        sql += " AND list_contains(?, e.agent)"
        params.append(list(agents))
    return _dicts(run(store.con, sql + " ORDER BY d.disputed_at, d.evaluation_id, d.item", params))


def events(store: Store, evaluation_id: str) -> list[dict[str, Any]]:
    """The history of one evaluation, oldest first."""
    if not _present(store, "qa_events"):
        return []
    return _dicts(
        run(
            store.con,
            "SELECT logged_at AS at, actor, action, item, detail FROM qa_events "
            "WHERE evaluation_id = ? ORDER BY logged_at, rowid",
            [evaluation_id],
        )
    )


# -- coaching ---------------------------------------------------------------------------


def open_task(
    store: Store,
    task_id: str,
    evaluation_id: str,
    agent: str,
    team: str | None,
    reason: str,
    now: datetime,
) -> None:
    """Open a coaching task for the agent's supervisor."""
    run(
        store.con,
        "INSERT INTO qa_coaching (task_id, evaluation_id, agent, team, reason, opened_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [task_id, evaluation_id, agent, team, reason, now],
    )


def close_task(store: Store, task_id: str, actor: str, note: str, now: datetime) -> bool:
    """Close an open task with what was done; ``False`` when no open task has the id."""
    if not _present(store, "qa_coaching"):
        return False
    found = run(
        store.con,
        "SELECT count(*) FROM qa_coaching WHERE task_id = ? AND closed_at IS NULL",
        [task_id],
    ).fetchall()[0][0]
    if not found:
        return False
    run(
        store.con,
        "UPDATE qa_coaching SET closed_at = ?, closed_by = ?, note = ? WHERE task_id = ?",
        [now, actor, note, task_id],
    )
    return True


def coaching_tasks(
    store: Store, open_only: bool = False, teams: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Coaching tasks, oldest first; only open ones, or only ``teams``', when asked."""
    if not _present(store, "qa_coaching"):
        return []
    sql = "SELECT * FROM qa_coaching WHERE true"
    params: list[Any] = []
    if open_only:
        sql += " AND closed_at IS NULL"
    if teams is not None:
        sql += " AND list_contains(?, team)"
        params.append(list(teams))
    return _dicts(run(store.con, sql + " ORDER BY opened_at, task_id", params))


# -- sampling and surveys ---------------------------------------------------------------

_PERIOD_SQL = " AND c.answer_ts >= ?", " AND c.answer_ts < ?"


def sampling_candidates(
    store: Store,
    start: datetime | None = None,
    end: datetime | None = None,
    agents: Sequence[str] | None = None,
) -> pa.Table:
    """Contacts an agent answered (``answer_ts`` in ``[start, end)``), one row each:
    contact_id, agent, queue, channel, ts (answer time), handle_s (talk + hold + ACW),
    transferred, resolved and csat (the mean csat answer of its surveys, null if none)."""
    sql = (
        "SELECT c.contact_id, c.agent, c.queue, c.channel, c.answer_ts AS ts, "
        "coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) AS handle_s, "
        "c.transferred, c.resolved, s.csat "
        "FROM contacts c LEFT JOIN (SELECT contact_id, avg(score) AS csat FROM surveys "
        "WHERE item = 'csat' AND contact_id IS NOT NULL GROUP BY contact_id) s "
        "ON s.contact_id = c.contact_id "
        "WHERE c.agent IS NOT NULL AND c.answer_ts IS NOT NULL"
    )
    params: list[Any] = []
    if start is not None:
        sql += _PERIOD_SQL[0]
        params.append(start)
    if end is not None:
        sql += _PERIOD_SQL[1]
        params.append(end)
    if agents is not None:
        sql += " AND list_contains(?, c.agent)"
        params.append(list(agents))
    return relation(store.con, sql + " ORDER BY c.contact_id", params).to_arrow_table()


def survey_rows(
    store: Store,
    by: Sequence[str],
    start: datetime | None = None,
    end: datetime | None = None,
    agents: Sequence[str] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The survey answers of ``[start, end)`` (by ``submitted_ts``) with their agent's
    ``team``, and the handled contacts (answered by an agent, by ``answer_ts``) counted
    per ``by`` group (the response-rate denominator, column ``handled``). ``by`` words:
    agent, team, queue, channel, month, week, day."""
    time_of = {
        "month": "date_trunc('month', {ts})::DATE",
        "week": "date_trunc('week', {ts})::DATE",
        "day": "{ts}::DATE",
    }

    def key_sql(alias: str, ts: str) -> list[str]:
        out = []
        for k in by:
            if k in time_of:
                out.append(f"{time_of[k].format(ts=ts)} AS {k}")
            elif k == "team":
                out.append("a.team AS team")
            elif k in ("agent", "queue", "channel"):
                out.append(f"{alias}.{k} AS {k}")
            else:
                raise ValueError(f"unknown survey grouping {k!r}")
        return out

    where_s, params_s = "WHERE true", list[Any]()
    where_c = "WHERE c.agent IS NOT NULL AND c.answer_ts IS NOT NULL"
    params_c: list[Any] = []
    if start is not None:
        where_s += " AND s.submitted_ts >= ?"
        params_s.append(start)
        where_c += " AND c.answer_ts >= ?"
        params_c.append(start)
    if end is not None:
        where_s += " AND s.submitted_ts < ?"
        params_s.append(end)
        where_c += " AND c.answer_ts < ?"
        params_c.append(end)
    if agents is not None:
        where_s += " AND list_contains(?, s.agent)"
        params_s.append(list(agents))
        where_c += " AND list_contains(?, c.agent)"
        params_c.append(list(agents))
    cols = ", ".join(
        [
            *key_sql("s", "s.submitted_ts"),
            "s.survey_id",
            "s.contact_id",
            "s.item",
            "s.score",
            "s.scale_min",
            "s.scale_max",
        ]
    )
    rows = relation(
        store.con,
        f"SELECT {cols} FROM surveys s LEFT JOIN agents a ON a.agent = s.agent {where_s}",
        params_s,
    ).to_arrow_table()
    keys = key_sql("c", "c.answer_ts")
    group = " GROUP BY ALL" if by else ""
    handled = relation(
        store.con,
        f"SELECT {', '.join([*keys, 'count(*) AS handled'])} FROM contacts c "
        f"LEFT JOIN agents a ON a.agent = c.agent {where_c}{group}",
        params_c,
    ).to_arrow_table()
    return rows, handled
