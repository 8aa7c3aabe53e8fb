"""Admin: the center's settings (read and changed: :mod:`callscope.services.settings_edit`),
users, the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import (
    EDIT_SETTINGS,
    MANAGE_USERS,
    ROLES,
    VIEW_AUDIT,
    VIEW_SETTINGS,
    Principal,
)
from callscope.errors import CallscopeError
from callscope.services.settings_edit import (
    FIXED_KEYS,
    SettingsChange,
    SettingsChanged,
    SettingsInvalid,
    change_settings,
)
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
from callscope.settings import DEFAULT_FILE
from callscope.web.deps import AppState, Refused, Require, clean, render, state
from callscope.web.downloads import download

router = APIRouter()

Admin = Annotated[Principal, Depends(Require(MANAGE_USERS))]
SettingsViewer = Annotated[Principal, Depends(Require(VIEW_SETTINGS))]
SettingsEditor = Annotated[Principal, Depends(Require(EDIT_SETTINGS))]
Auditor = Annotated[Principal, Depends(Require(VIEW_AUDIT))]


def _settings_rows(request: Request) -> list[Any]:
    st = state(request)
    return show_settings(st.settings)


def _settings_file(st: AppState) -> Path:
    """The settings file a change is written to: the one the server read, else
    ``callscope.toml`` in its working folder (where the next start finds it)."""
    return st.settings.file or (Path.cwd() / DEFAULT_FILE)


def _save_settings(st: AppState, values: dict[str, Any], actor: str) -> SettingsChanged:
    """The change, checked, written and audited under the store's write gate; the app
    then runs on the new settings (its kept KPI views dropped)."""
    with st.gate.write():
        change = SettingsChange(values, actor, _settings_file(st))
        done = change_settings(st.settings, change, st.audit_now())
        if done.changed:
            st.settings = done.settings
            st.cache.pop("views", None)
        return done


def _settings_page(
    request: Request,
    status: int = 200,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    changed: tuple[tuple[str, Any, Any], ...] = (),
) -> Any:
    st = state(request)
    rows = show_settings(st.settings)
    p: Principal = request.state.principal
    sections: dict[str, list[Any]] = {}
    for r in rows:
        sections.setdefault(r.key.split(".")[0] if "." in r.key else "center", []).append(r)
    errors = errors or {}
    shown_keys = {r.key for r in rows}
    return render(
        request,
        "settings.html",
        {
            "title": "Settings",
            "sections": sections,
            "form": form or {},
            "errors": errors,
            "other_errors": {k: v for k, v in errors.items() if k not in shown_keys},
            "changed": changed,
            "fixed": FIXED_KEYS,
            "can_edit": p.can(EDIT_SETTINGS),
            "file": _settings_file(st),
        },
        status=status,
    )


@router.get("/settings", include_in_schema=False)
async def settings_page(request: Request, p: SettingsViewer) -> Any:
    return await run_in_threadpool(_settings_page, request)


def _form_values(form: Any, current: dict[str, Any]) -> dict[str, Any]:
    """The posted keys that the page offers (each field is named by its dotted key),
    and a new queue goal (``new_queue``, ``new_queue_goal``)."""
    values: dict[str, Any] = {}
    for key in current:
        got = form.get(key)
        if isinstance(got, str) and len(got) <= 2000:
            values[key] = got
    name, goal = form.get("new_queue"), form.get("new_queue_goal")
    if isinstance(name, str) and name.strip() and isinstance(goal, str):
        values[f"queues.{name.strip()[:200]}.goal"] = goal
    elif isinstance(goal, str) and goal.strip():
        values["queues..goal"] = goal  # a goal without a queue: the service says so
    return values


@router.post("/settings", include_in_schema=False)
async def settings_save(request: Request, p: SettingsEditor) -> Any:
    """Change settings from the page's form (each field named by its dotted key)."""
    st = state(request)
    form = await request.form()
    current = {r.key: r.value for r in show_settings(st.settings) if r.key not in FIXED_KEYS}
    values = _form_values(form, current)
    typed = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        done = await run_in_threadpool(_save_settings, st, values, p.name)
    except SettingsInvalid as e:
        errors = dict(e.errors)
        for k in list(errors):
            if k.startswith("queues.") and k not in current:
                errors["new_queue"] = errors.pop(k)
        return await run_in_threadpool(
            lambda: _settings_page(request, 400, form=typed, errors=errors)
        )
    return await run_in_threadpool(lambda: _settings_page(request, changed=done.changed))


@router.get("/api/v1/settings", tags=["admin"])
async def settings_api(request: Request, p: SettingsViewer) -> dict[str, Any]:
    """Every effective setting: value and where it came from."""
    rows = await run_in_threadpool(_settings_rows, request)
    return clean({r.key: {"value": r.value, "source": r.source} for r in rows})


@router.post(
    "/api/v1/settings",
    tags=["admin"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": {"type": ["string", "number", "boolean"]},
                    },
                    "example": {"goals.voice": "85/20", "targets.asa": "25s"},
                }
            },
        }
    },
)
async def settings_change_api(request: Request, p: SettingsEditor) -> Any:
    """Change settings (admins): a JSON object of dotted keys to new values, written as
    in the settings file (``{"goals.voice": "85/20", "alerts.waiting": 12}``). Answers
    the keys changed (old, new) and every effective setting; 400 with ``errors`` (key ->
    one line) and nothing changed when a value cannot be read."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body:
        raise Refused(
            400,
            'send a JSON object of settings to change, e.g. {"goals.voice": "85/20"}',
            "body",
        )
    st = state(request)
    try:
        done = await run_in_threadpool(_save_settings, st, body, p.name)
    except SettingsInvalid as e:
        first = next(iter(e.errors))
        return JSONResponse(
            {"error": e.errors[first], "field": first, "errors": e.errors}, status_code=400
        )
    rows = show_settings(st.settings)
    return clean(
        {
            "changed": [{"key": k, "old": o, "new": n} for k, o, n in done.changed],
            "settings": {r.key: {"value": r.value, "source": r.source} for r in rows},
        }
    )


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
