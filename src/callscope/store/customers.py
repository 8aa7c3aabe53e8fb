"""One customer's rows: contacts, survey answers and QA scores by customer key, for the
customer history (:mod:`callscope.services.customers`). Every value is bound as a
parameter; at most :data:`MAX_CONTACTS` contacts are read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from callscope.store.sql import run
from callscope.store.store import Store

__all__ = ["MAX_CONTACTS", "customer_contacts", "data_end", "erased_at", "qa_scores", "surveys"]

MAX_CONTACTS = 5000

_CONTACT_COLUMNS = (
    "contact_id",
    "conversation_id",
    "segment",
    "previous_contact_id",
    "channel",
    "direction",
    "queue",
    "agent",
    "customer_key",
    "arrival_ts",
    "queue_entry_ts",
    "answer_ts",
    "end_ts",
    "wait_s",
    "talk_s",
    "hold_s",
    "acw_s",
    "outcome",
    "transferred",
    "disposition",
    "resolved",
)


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def customer_contacts(store: Store, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Every contact whose ``customer_key`` is one of ``keys``, oldest first (at most
    :data:`MAX_CONTACTS` + 1, so a caller can tell there were more)."""
    if not keys or not store.has_table("contacts"):
        return []
    cols = ", ".join(_CONTACT_COLUMNS)
    return _dicts(
        run(
            store.con,
            f"SELECT {cols} FROM contacts WHERE customer_key IN ({_marks(keys)}) "
            f"ORDER BY arrival_ts, segment, contact_id LIMIT {MAX_CONTACTS + 1}",
            list(keys),
        )
    )


def data_end(store: Store) -> datetime | None:
    """The store's last arrival (the end of the data, for FCR's pending contacts)."""
    if not store.has_table("contacts"):
        return None
    v = run(store.con, "SELECT max(arrival_ts) FROM contacts").fetchone()
    return v[0] if v else None


def surveys(store: Store, contact_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The survey answers given about ``contact_ids``."""
    if not contact_ids or not store.has_table("surveys"):
        return []
    return _dicts(
        run(
            store.con,
            f"""SELECT contact_id, item, score, scale_min, scale_max, submitted_ts
            FROM surveys WHERE contact_id IN ({_marks(contact_ids)})
            ORDER BY contact_id, item""",
            list(contact_ids),
        )
    )


def qa_scores(store: Store, contact_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The current revision of each QA evaluation of ``contact_ids``."""
    if not contact_ids or not store.has_table("qa_evaluations"):
        return []
    return _dicts(
        run(
            store.con,
            f"""SELECT contact_id, evaluation_id, arg_max(score, revision) AS score,
                   arg_max(evaluator, revision) AS evaluator,
                   arg_max(form, revision) AS form, max(revision) AS revision
            FROM qa_evaluations WHERE contact_id IN ({_marks(contact_ids)})
            GROUP BY contact_id, evaluation_id ORDER BY contact_id, evaluation_id""",
            list(contact_ids),
        )
    )


def erased_at(store: Store, pseudonyms: Sequence[str]) -> datetime | None:
    """When the person with one of ``pseudonyms`` was erased (``None``: not erased)."""
    if not pseudonyms or not store.has_table("erased_customers"):
        return None
    v = run(
        store.con,
        f"SELECT max(erased_at) FROM erased_customers WHERE pseudonym IN ({_marks(pseudonyms)})",
        list(pseudonyms),
    ).fetchone()
    return v[0] if v else None
