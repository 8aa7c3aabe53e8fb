"""Access use cases: users, API tokens, signing in, the audit log.

A password is hashed with scrypt before it reaches the store and is returned only when
callscope made it up (``callscope users add`` prints it once); a token is returned once,
at creation, and stored as its SHA-256. Every change and every sign-in, good or bad, is
an entry of the audit log (``action``: ``user_add``, ``token_create``, ``login``,
``login_failed``, ``logout``, ``export``, ``upload`` ...), never with a password or a
token in it.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from callscope.access.roles import Principal, check_role
from callscope.errors import CallscopeError
from callscope.settings import Settings

__all__ = [
    "ENV_WEB_SECRET",
    "AddUserRequest",
    "AddUserResult",
    "AuditRow",
    "RevokeRequest",
    "TokenInfo",
    "TokenRequest",
    "TokenResult",
    "UpdateUserRequest",
    "UserInfo",
    "add_user",
    "audit_log",
    "Ready",
    "authenticate",
    "check_ready",
    "create_token",
    "list_tokens",
    "list_users",
    "principal_for_session",
    "principal_for_token",
    "record",
    "revoke_token",
    "session_epoch",
    "sign_out",
    "update_user",
    "web_secret",
]

ENV_WEB_SECRET = "CALLSCOPE_WEB_SECRET"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@/+-]{0,63}")
#: A hash no password matches, checked for unknown names so that a wrong name takes
#: as long as a wrong password (no telling which names exist by the time taken).
_DUMMY_HASH: list[str] = []


@dataclass(frozen=True, slots=True)
class AddUserRequest:
    """A new user: ``agent`` is the agent id an ``agent`` user is (their figures),
    ``teams`` the teams a ``supervisor`` leads; ``password`` ``None``: make one up."""

    name: str
    role: str
    password: str | None = None
    agent: str | None = None
    teams: tuple[str, ...] = ()
    actor: str = "cli"


@dataclass(frozen=True, slots=True)
class AddUserResult:
    name: str
    role: str
    agent: str | None
    teams: tuple[str, ...]
    #: the password callscope made up (to be shown once); ``None`` when one was given
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class UserInfo:
    name: str
    role: str
    agent: str | None
    teams: tuple[str, ...]
    created_at: datetime
    disabled: bool


def _check_name(name: str, field_name: str = "name") -> str:
    if not _NAME.fullmatch(name or ""):
        raise CallscopeError(
            f"{name!r} is not a user name: 1-64 letters, digits and . _ @ / + -, starting "
            "with a letter or digit",
            field=field_name,
        )
    return name


def add_user(settings: Settings, request: AddUserRequest, now: datetime) -> AddUserResult:
    """Add a user (the store is made if there is none)."""
    from callscope.access.passwords import check_password, hash_password, new_password
    from callscope.services.common import open_store
    from callscope.store.access import add_user as store_add
    from callscope.store.access import audit

    name = _check_name(request.name.strip())
    role = check_role(request.role)
    agent = (request.agent or "").strip() or None
    teams = tuple(sorted({t.strip() for t in request.teams if t.strip()}))
    if any("," in t for t in teams):
        raise CallscopeError("a team name has no comma", field="teams")
    if role == "agent" and agent is None:
        raise CallscopeError(
            "an agent user needs the agent id their figures are under, e.g. Agent/1001",
            field="agent",
        )
    if role == "supervisor" and not teams:
        raise CallscopeError("a supervisor needs the team(s) they lead", field="teams")
    made = None
    if request.password is None:
        made = new_password()
    password = check_password(request.password if request.password is not None else made or "")
    digest = hash_password(password)
    with open_store(settings, write=True) as store:
        store_add(store, name, role, digest, now, agent=agent, teams=teams)
        detail = {"role": role, "agent": agent, "teams": teams}
        audit(store, now, request.actor, "user_add", name, detail)
    return AddUserResult(name, role, agent, teams, made)


def list_users(settings: Settings) -> list[UserInfo]:
    """Every user, by name (an absent store: none)."""
    from callscope.services.common import open_store
    from callscope.store.access import list_users as rows

    if not Path(settings.db).exists():
        return []
    with open_store(settings) as store:
        return [
            UserInfo(r["name"], r["role"], r["agent"], r["teams"], r["created_at"], r["disabled"])
            for r in rows(store)
        ]


@dataclass(frozen=True, slots=True)
class TokenRequest:
    user: str
    actor: str = "cli"


@dataclass(frozen=True, slots=True)
class TokenResult:
    user: str
    token_id: str
    token: str = field(repr=False)  #: shown once; the store keeps its SHA-256 only


def create_token(settings: Settings, request: TokenRequest, now: datetime) -> TokenResult:
    """A new API token for ``request.user`` (sent as ``Authorization: Bearer TOKEN``)."""
    from callscope.access.passwords import new_token, token_digest
    from callscope.services.common import open_store
    from callscope.store.access import add_token, audit, get_user

    with open_store(settings, write=True, create=False) as store:
        user = get_user(store, request.user)
        if user is None:
            raise CallscopeError(
                f"no user named {request.user!r}; add one with `callscope users add`",
                field="user",
            )
        token = new_token()
        token_id = token[:10]
        add_token(store, token_digest(token), token_id, request.user, now)
        audit(store, now, request.actor, "token_create", request.user, {"token_id": token_id})
    return TokenResult(request.user, token_id, token)


@dataclass(frozen=True, slots=True)
class UpdateUserRequest:
    """Change a user: ``disabled`` (True: may not sign in, tokens stop working, sessions
    end; False: enabled again) and/or a new ``role``. ``actor`` is who asks."""

    name: str
    disabled: bool | None = None
    role: str | None = None
    actor: str = "cli"


def update_user(settings: Settings, request: UpdateUserRequest, now: datetime) -> UserInfo:
    """Apply ``request`` (every change signs the user out everywhere and is audited).
    The last enabled admin can be neither disabled nor given another role: somebody
    must be able to manage users."""
    from callscope.services.common import open_store
    from callscope.store.access import audit, enabled_admins, get_user
    from callscope.store.access import update_user as change

    if request.disabled is None and request.role is None:
        raise CallscopeError("say what to change: disable, enable or a role", field="name")
    role = check_role(request.role) if request.role is not None else None
    with open_store(settings, write=True, create=False) as store:
        user = get_user(store, request.name)
        if user is None:
            raise CallscopeError(f"no user named {request.name!r}", field="name")
        losing_admin = user["role"] == "admin" and (
            request.disabled is True or (role is not None and role != "admin")
        )
        if losing_admin and enabled_admins(store) == [request.name]:
            raise CallscopeError(
                f"{request.name} is the last admin who can sign in: add or enable another "
                "admin first",
                field="name",
            )
        change(store, request.name, role=role, disabled=request.disabled)
        detail: dict[str, Any] = {}
        if request.disabled is not None:
            detail["disabled"] = request.disabled
        if role is not None:
            detail["role"] = {"from": user["role"], "to": role}
        audit(store, now, request.actor, "user_change", request.name, detail)
        after = get_user(store, request.name)
    assert after is not None
    return UserInfo(
        after["name"],
        after["role"],
        after["agent"],
        after["teams"],
        after["created_at"],
        after["disabled"],
    )


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: str  #: the first characters of the token (all a person ever sees again)
    user: str
    created_at: datetime
    revoked_at: datetime | None


def list_tokens(settings: Settings, user: str | None = None) -> list[TokenInfo]:
    """The API tokens (of ``user``), newest first; never a token itself."""
    from callscope.services.common import open_store
    from callscope.store.access import list_tokens as rows

    if not Path(settings.db).exists():
        return []
    with open_store(settings) as store:
        return [
            TokenInfo(r["token_id"], r["user_name"], r["created_at"], r["revoked_at"])
            for r in rows(store, user)
        ]


@dataclass(frozen=True, slots=True)
class RevokeRequest:
    token_id: str
    actor: str = "cli"


def revoke_token(settings: Settings, request: RevokeRequest, now: datetime) -> list[str]:
    """Revoke the token with id ``request.token_id`` (as ``callscope token list`` shows
    it); the users it belonged to. Unknown or already revoked: a one-line error."""
    from callscope.services.common import open_store
    from callscope.store.access import audit
    from callscope.store.access import revoke_token as revoke

    token_id = request.token_id.strip().rstrip("…")
    if not token_id:
        raise CallscopeError("give the token id `callscope token list` shows", field="token")
    with open_store(settings, write=True, create=False) as store:
        users = revoke(store, token_id, now)
        if not users:
            raise CallscopeError(
                f"no live token {token_id!r}: see `callscope token list`", field="token"
            )
        audit(store, now, request.actor, "token_revoke", users[0], {"token_id": token_id})
    return users


def _principal(user: dict[str, Any]) -> Principal:
    return Principal(user["name"], user["role"], user["agent"], tuple(user["teams"]))


def authenticate(
    settings: Settings, name: str, password: str, now: datetime, address: str = ""
) -> tuple[Principal, int] | None:
    """The user ``name`` and their session epoch when ``password`` is theirs (and the
    account is not disabled), else ``None``; the attempt goes to the audit log either
    way."""
    from callscope.access.passwords import hash_password, verify_password
    from callscope.services.common import open_store
    from callscope.store.access import audit, get_user

    with open_store(settings, write=True, create=False) as store:
        user = get_user(store, name, with_hash=True)
        if user is None:
            if not _DUMMY_HASH:
                _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
            verify_password(password, _DUMMY_HASH[0])
            ok = False
        else:
            ok = verify_password(password, user["password_hash"]) and not user["disabled"]
        detail = {"address": address}
        if not ok and user is None:
            detail["reason"] = "unknown user"
        elif not ok:
            detail["reason"] = "disabled" if user and user["disabled"] else "wrong password"
        audit(store, now, name[:64], "login" if ok else "login_failed", name[:64], detail)
    if not ok or user is None:
        return None
    return _principal(user), int(user["session_epoch"])


def principal_for_session(settings: Settings, name: str, epoch: int) -> Principal | None:
    """The user of a session cookie, when the user still exists, is not disabled and
    has not signed out everywhere since (``epoch``)."""
    from callscope.services.common import open_store
    from callscope.store.access import get_user

    with open_store(settings) as store:
        user = get_user(store, name)
    if user is None or user["disabled"] or int(user["session_epoch"]) != int(epoch):
        return None
    return _principal(user)


def session_epoch(settings: Settings, name: str) -> int:
    """The user's current session epoch (for a new session cookie)."""
    from callscope.services.common import open_store
    from callscope.store.access import get_user

    with open_store(settings) as store:
        user = get_user(store, name)
    return int(user["session_epoch"]) if user else -1


def principal_for_token(settings: Settings, token: str) -> Principal | None:
    """The user of an API token (``None``: unknown or revoked)."""
    from callscope.access.passwords import TOKEN_PREFIX, token_digest
    from callscope.services.common import open_store
    from callscope.store.access import user_for_token

    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with open_store(settings) as store:
        user = user_for_token(store, token_digest(token))
    return _principal(user) if user else None


def sign_out(settings: Settings, name: str, now: datetime) -> None:
    """End every session of ``name`` and log it."""
    from callscope.services.common import open_store
    from callscope.store.access import audit, sign_out_everywhere

    with open_store(settings, write=True, create=False) as store:
        sign_out_everywhere(store, name)
        audit(store, now, name, "logout", name, {})


def record(
    settings: Settings, actor: str, action: str, subject: str | None, detail: Any, now: datetime
) -> None:
    """Append one audit entry (an export, an upload ...)."""
    from callscope.services.common import open_store
    from callscope.store.access import audit

    with open_store(settings, write=True, create=False) as store:
        audit(store, now, actor, action, subject, detail)


@dataclass(frozen=True, slots=True)
class AuditRow:
    logged_at: datetime
    actor: str
    action: str
    subject: str | None
    detail: str | None


def audit_log(settings: Settings, limit: int = 200) -> list[AuditRow]:
    """The newest ``limit`` audit entries first."""
    from callscope.services.common import open_store
    from callscope.store.access import audit_entries

    if not 1 <= limit <= 100_000:
        raise CallscopeError(f"must be 1 to 100,000; got {limit}", field="limit")
    with open_store(settings) as store:
        return [AuditRow(**r) for r in audit_entries(store, limit)]


def web_secret(settings: Settings) -> bytes:
    """The key that signs session cookies: ``$CALLSCOPE_WEB_SECRET``, else a file
    ``callscope-web.secret`` beside the store, made (0600) on first use. Changing it
    signs everybody out."""
    env = os.environ.get(ENV_WEB_SECRET)
    if env:
        if len(env) < 32:
            raise CallscopeError(
                f"${ENV_WEB_SECRET} is too short: give at least 32 random characters",
                field="secret",
            )
        return env.encode("utf-8")
    path = Path(settings.db).parent / "callscope-web.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode("ascii")


@dataclass(frozen=True, slots=True)
class Ready:
    db: Path
    users: int


def check_ready(settings: Settings) -> Ready:
    """Whether the web app can start: a store with at least one user (else a one-line
    error naming the command that adds one)."""
    users = list_users(settings) if Path(settings.db).exists() else []
    if not Path(settings.db).exists():
        raise CallscopeError(
            f"no store at {settings.db}: load data with `callscope ingest` (or `callscope "
            "demo` for a sample center), then add a user with `callscope users add NAME "
            "--role admin`",
            field="db",
        )
    if not users:
        raise CallscopeError(
            f"the store {settings.db} has no users: add one with `callscope users add NAME "
            "--role admin` (it prints the password)",
            field="db",
        )
    return Ready(Path(settings.db), len(users))
