"""Users, API tokens and the audit log, in the store.

* ``users(name, role, agent, teams, password_hash, created_at, session_epoch, disabled)``:
  ``password_hash`` is the scrypt form of :mod:`callscope.access.passwords` (never the
  password); ``teams`` a comma-separated list; ``session_epoch`` goes up to sign every
  session of the user out (sign-out, a disabled account).
* ``api_tokens(digest, token_id, user_name, created_at, revoked_at)``: the SHA-256 of
  each token, never the token; ``token_id`` is its first characters, to tell tokens
  apart in a list.
* ``audit_log`` (:func:`callscope.store.privacy.audit`): logins, failed logins,
  exports, uploads, user and token changes, erasures and retention runs.

Reading never creates a table, so it works on a store opened read-only (a store with
no such table has no users, no tokens, no entries). Every value reaches SQL as a bound
parameter, through :func:`callscope.store.sql.run`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callscope.errors import CallscopeError
from callscope.store.privacy import audit, ensure_privacy_tables
from callscope.store.sql import run
from callscope.store.store import Store

__all__ = [
    "USER_COLUMNS",
    "add_token",
    "add_user",
    "audit",
    "audit_entries",
    "ensure_access_tables",
    "get_user",
    "list_users",
    "sign_out_everywhere",
    "tables_present",
    "update_user",
    "user_for_token",
    "list_tokens",
    "revoke_token",
    "enabled_admins",
]

_DDL = (
    """CREATE TABLE IF NOT EXISTS users (
        name VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        agent VARCHAR,
        teams VARCHAR,
        password_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        session_epoch INTEGER NOT NULL DEFAULT 0,
        disabled BOOLEAN NOT NULL DEFAULT false
    )""",
    """CREATE TABLE IF NOT EXISTS api_tokens (
        digest VARCHAR PRIMARY KEY,
        token_id VARCHAR NOT NULL,
        user_name VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        revoked_at TIMESTAMP
    )""",
)
#: The columns of a user a reader gets (never the password hash unless asked).
USER_COLUMNS = ("name", "role", "agent", "teams", "created_at", "session_epoch", "disabled")


def ensure_access_tables(store: Store) -> None:
    """Create the users, tokens and audit tables if absent."""
    for ddl in _DDL:
        run(store.con, ddl)
    ensure_privacy_tables(store)


def tables_present(store: Store) -> set[str]:
    """Which of the access tables the store has."""
    rows = run(
        store.con,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_name IN ('users', 'api_tokens', 'audit_log')",
    ).fetchall()
    return {r[0] for r in rows}


def _user(row: tuple[Any, ...], names: list[str]) -> dict[str, Any]:
    d = dict(zip(names, row, strict=True))
    d["teams"] = tuple(t for t in (d.get("teams") or "").split(",") if t)
    return d


def add_user(
    store: Store,
    name: str,
    role: str,
    password_hash: str,
    now: datetime,
    agent: str | None = None,
    teams: tuple[str, ...] = (),
) -> None:
    """Add a user; a name already taken is a one-line error."""
    ensure_access_tables(store)
    if get_user(store, name) is not None:
        raise CallscopeError(f"a user named {name!r} exists already", field="name")
    run(
        store.con,
        "INSERT INTO users (name, role, agent, teams, password_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [name, role, agent, ",".join(teams), password_hash, now],
    )


def get_user(store: Store, name: str, *, with_hash: bool = False) -> dict[str, Any] | None:
    """The user ``name`` (exact spelling), ``None`` when there is none."""
    if "users" not in tables_present(store):
        return None
    cols = [*USER_COLUMNS, *(("password_hash",) if with_hash else ())]
    rows = run(store.con, f"SELECT {', '.join(cols)} FROM users WHERE name = ?", [name]).fetchall()
    return _user(rows[0], cols) if rows else None


def list_users(store: Store) -> list[dict[str, Any]]:
    """Every user, by name (no password hash)."""
    if "users" not in tables_present(store):
        return []
    rows = run(store.con, f"SELECT {', '.join(USER_COLUMNS)} FROM users ORDER BY name").fetchall()
    return [_user(r, list(USER_COLUMNS)) for r in rows]


def update_user(
    store: Store,
    name: str,
    *,
    role: str | None = None,
    password_hash: str | None = None,
    disabled: bool | None = None,
) -> None:
    """Change a user's role, password or disabled flag; each change signs the user's
    sessions out."""
    if get_user(store, name) is None:
        raise CallscopeError(f"no user named {name!r}", field="name")
    for col, value in (("role", role), ("password_hash", password_hash), ("disabled", disabled)):
        if value is not None:
            run(store.con, f"UPDATE users SET {col} = ? WHERE name = ?", [value, name])
    sign_out_everywhere(store, name)


def sign_out_everywhere(store: Store, name: str) -> None:
    """End every session of ``name`` (its cookies carry the old epoch)."""
    run(store.con, "UPDATE users SET session_epoch = session_epoch + 1 WHERE name = ?", [name])


def add_token(store: Store, digest: str, token_id: str, user: str, now: datetime) -> None:
    """Store a token's digest for ``user``."""
    ensure_access_tables(store)
    run(
        store.con,
        "INSERT INTO api_tokens (digest, token_id, user_name, created_at) VALUES (?, ?, ?, ?)",
        [digest, token_id, user, now],
    )


def user_for_token(store: Store, digest: str) -> dict[str, Any] | None:
    """The user a token (by its digest) belongs to, when the token is not revoked and
    the user not disabled."""
    if not {"users", "api_tokens"} <= tables_present(store):
        return None
    rows = run(
        store.con,
        "SELECT user_name FROM api_tokens WHERE digest = ? AND revoked_at IS NULL",
        [digest],
    ).fetchall()
    if not rows:
        return None
    user = get_user(store, rows[0][0])
    return None if user is None or user["disabled"] else user


def list_tokens(store: Store, user: str | None = None) -> list[dict[str, Any]]:
    """Every API token (id, user, created, revoked; never the digest), newest first."""
    if "api_tokens" not in tables_present(store):
        return []
    sql = "SELECT token_id, user_name, created_at, revoked_at FROM api_tokens"
    params: list[Any] = []
    if user is not None:
        sql += " WHERE user_name = ?"
        params.append(user)
    cur = run(store.con, sql + " ORDER BY created_at DESC, token_id", params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def revoke_token(store: Store, token_id: str, now: datetime) -> list[str]:
    """Revoke the live tokens whose id is ``token_id``; the users they belonged to."""
    rows = run(
        store.con,
        "SELECT user_name FROM api_tokens WHERE token_id = ? AND revoked_at IS NULL",
        [token_id],
    ).fetchall()
    run(
        store.con,
        "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
        [now, token_id],
    )
    return [str(r[0]) for r in rows]


def enabled_admins(store: Store) -> list[str]:
    """The names of the admins who are not disabled."""
    rows = run(
        store.con, "SELECT name FROM users WHERE role = 'admin' AND NOT disabled ORDER BY name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def audit_entries(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit entries first."""
    if "audit_log" not in tables_present(store):
        return []
    cur = run(
        store.con,
        "SELECT logged_at, actor, action, subject, detail FROM audit_log "
        "ORDER BY logged_at DESC LIMIT ?",
        [int(limit)],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
