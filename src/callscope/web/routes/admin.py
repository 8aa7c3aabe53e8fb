"""Admin: the center's settings (read-only for now), users, the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import MANAGE_USERS, ROLES, VIEW_AUDIT, VIEW_SETTINGS, Principal
from callscope.errors import CallscopeError
from callscope.services.settings_view import show_settings
from callscope.services.users import (
    AddUserRequest,
    RevokeRequest,
    TokenRequest,
    UpdateUserRequest,
    add_user,
    audit_log,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    update_user,
)
from callscope.web.deps import Require, clean, render, state
from callscope.web.downloads import download

router = APIRouter()

Admin = Annotated[Principal, Depends(Require(MANAGE_USERS))]
SettingsViewer = Annotated[Principal, Depends(Require(VIEW_SETTINGS))]
Auditor = Annotated[Principal, Depends(Require(VIEW_AUDIT))]


def _settings_rows(request: Request) -> list[Any]:
    st = state(request)
    return show_settings(st.settings)


@router.get("/settings", include_in_schema=False)
async def settings_page(request: Request, p: SettingsViewer) -> Any:
    rows = await run_in_threadpool(_settings_rows, request)
    return render(request, "settings.html", {"title": "Settings", "rows": rows})


@router.get("/api/v1/settings", tags=["admin"])
async def settings_api(request: Request, p: SettingsViewer) -> dict[str, Any]:
    """Every effective setting: value and where it came from."""
    rows = await run_in_threadpool(_settings_rows, request)
    return clean({r.key: {"value": r.value, "source": r.source} for r in rows})


def _users_ctx(request: Request) -> dict[str, Any]:
    st = state(request)
    return {"users": st.read(list_users), "tokens": st.read(list_tokens), "roles": ROLES}


async def _users_page(request: Request, status: int = 200, **extra: Any) -> Any:
    ctx = await run_in_threadpool(_users_ctx, request)
    return render(
        request, "users.html", {"title": "Users", "form": {}, **ctx, **extra}, status=status
    )


def _error(e: CallscopeError, default: str) -> dict[str, str]:
    return {"field": e.field or default, "message": " ".join(str(e).split())}


@router.post("/users/change", include_in_schema=False)
async def users_change(
    request: Request,
    p: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
    action: Annotated[str, Form(max_length=20)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Any:
    """Disable or enable a user, or give them another role (the buttons of the table)."""
    st = state(request)
    kinds = {"disable": {"disabled": True}, "enable": {"disabled": False}, "role": {"role": role}}
    try:
        if action not in kinds:
            raise CallscopeError(f"unknown change {action!r}", field="action")
        req = UpdateUserRequest(name, actor=p.name, **kinds[action])  # type: ignore[arg-type]
        u = await run_in_threadpool(st.write, update_user, req, st.audit_now())
    except CallscopeError as e:
        return await _users_page(request, 400, change_error=_error(e, "name"))
    done = f"{u.name}: {'disabled' if u.disabled else 'enabled'}, role {u.role}; signed out"
    return await _users_page(request, changed=done)


@router.post("/tokens", include_in_schema=False)
async def tokens_create(
    request: Request, p: Admin, user: Annotated[str, Form(max_length=200)] = ""
) -> Any:
    """A new API token for a user, shown once on the page."""
    st = state(request)
    try:
        t = await run_in_threadpool(
            st.write, create_token, TokenRequest(user.strip(), actor=p.name), st.audit_now()
        )
    except CallscopeError as e:
        return await _users_page(request, 400, token_error=_error(e, "user"))
    return await _users_page(request, token=t)


@router.post("/tokens/revoke", include_in_schema=False)
async def tokens_revoke(
    request: Request, p: Admin, token_id: Annotated[str, Form(max_length=100)] = ""
) -> Any:
    st = state(request)
    try:
        await run_in_threadpool(
            st.write, revoke_token, RevokeRequest(token_id, actor=p.name), st.audit_now()
        )
    except CallscopeError as e:
        return await _users_page(request, 400, token_error=_error(e, "token"))
    return await _users_page(request, changed=f"token {token_id}… revoked")


@router.get("/api/v1/tokens", tags=["admin"])
async def tokens_api(request: Request, p: Admin) -> list[dict[str, Any]]:
    """Every API token: id (its first characters), user, created, revoked; never a token."""
    ctx = await run_in_threadpool(_users_ctx, request)
    return clean(ctx["tokens"])  # type: ignore[no-any-return]


@router.get("/users", include_in_schema=False)
async def users_page(request: Request, p: Admin) -> Any:
    ctx = await run_in_threadpool(_users_ctx, request)
    return render(request, "users.html", {"title": "Users", "form": {}, **ctx})


@router.post("/users", include_in_schema=False)
async def users_add(
    request: Request,
    p: Admin,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    agent: Annotated[str, Form(max_length=200)] = "",
    teams: Annotated[str, Form(max_length=2000)] = "",
) -> Any:
    st = state(request)
    req = AddUserRequest(
        name.strip(),
        role,
        None,
        agent=agent.strip() or None,
        teams=tuple(t.strip() for t in teams.split(",") if t.strip()),
        actor=p.name,
    )
    error = added = None
    try:
        added = await run_in_threadpool(st.write, add_user, req, st.audit_now())
    except CallscopeError as e:
        error = {"field": e.field or "name", "message": " ".join(str(e).split())}
    ctx = await run_in_threadpool(_users_ctx, request)
    form = {} if added else {"name": name, "role": role, "agent": agent, "teams": teams}
    return render(
        request,
        "users.html",
        {"title": "Users", "form": form, "error": error, "added": added, **ctx},
        status=400 if error else 200,
    )


@router.get("/api/v1/users", tags=["admin"])
async def users_api(request: Request, p: Admin) -> list[dict[str, Any]]:
    """Every user: name, role, agent id, teams, when added, disabled (never a password)."""
    ctx = await run_in_threadpool(_users_ctx, request)
    return clean(ctx["users"])  # type: ignore[no-any-return]


Limit = Annotated[int, Query(ge=1, le=100_000)]


def _audit(request: Request, limit: int) -> list[Any]:
    return state(request).read(audit_log, limit)


@router.get("/audit", include_in_schema=False)
async def audit_page(request: Request, p: Auditor, limit: Limit = 200) -> Any:
    rows = await run_in_threadpool(_audit, request, limit)
    return render(request, "audit.html", {"title": "Audit log", "rows": rows, "limit": limit})


@router.get("/api/v1/audit", tags=["admin"])
async def audit_api(request: Request, p: Auditor, limit: Limit = 200) -> list[dict[str, Any]]:
    """The newest audit entries: when, who, what, to what, details."""
    return clean(await run_in_threadpool(_audit, request, limit))  # type: ignore[no-any-return]


@router.get("/audit/export", include_in_schema=False)
async def audit_export(
    request: Request,
    p: Auditor,
    limit: Limit = 100_000,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "csv",
) -> Any:
    import pyarrow as pa

    rows = await run_in_threadpool(_audit, request, limit)
    table = pa.Table.from_pylist([clean(r) for r in rows]) if rows else pa.table({"actor": []})
    return await download(request, table, fmt, "audit-log", {"entries": len(rows)})
