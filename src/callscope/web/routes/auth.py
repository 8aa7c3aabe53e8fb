"""Signing in and out: ``/login`` (throttled, CSRF-checked, audited), ``/logout``,
``/api/v1/me``."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import VIEW_KPIS, Principal, scope_of
from callscope.web.deps import Refused, Require, render, state
from callscope.web.sessions import Session

router = APIRouter()


def _next(url: str | None) -> str:
    """Where to go after signing in: a path of this site only (no open redirect)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/overview"
    return url


@router.get("/", include_in_schema=False)
def home(p: Annotated[Principal | None, Depends(Require(None))]) -> RedirectResponse:
    return RedirectResponse("/overview" if p else "/login", status_code=303)


@router.get("/login", include_in_schema=False)
def login_page(
    request: Request,
    p: Annotated[Principal | None, Depends(Require(None))],
    next: str | None = None,
) -> Any:
    return render(request, "login.html", {"title": "Sign in", "next": _next(next), "name": ""})


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    p: Annotated[Principal | None, Depends(Require(None))],
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/overview",
) -> Any:
    from callscope.services.users import authenticate

    st = state(request)
    address = request.client.host if request.client else "?"
    wait = st.throttle.wait_s(name, address, time.monotonic())
    if wait > 0:
        minutes = max(1, round(wait / 60))
        await run_in_threadpool(
            st.audit, name[:64] or "?", "login_throttled", name[:64], {"address": address}
        )
        raise Refused(
            429,
            f"too many failed sign-ins for this name or from this address; try again in "
            f"{minutes} min",
        )
    got = await run_in_threadpool(st.write, authenticate, name, password, st.audit_now(), address)
    if got is None:
        st.throttle.record_failure(name, address, time.monotonic())
        return render(
            request,
            "login.html",
            {
                "title": "Sign in",
                "next": _next(next),
                "name": name,
                "error": "that name and password do not match a user",
            },
            status=401,
        )
    principal, epoch = got
    st.throttle.record_success(name)
    request.state.session = Session.new().signed_in(principal.name, epoch)
    return RedirectResponse(_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
async def logout(
    request: Request, p: Annotated[Principal | None, Depends(Require(None))]
) -> RedirectResponse:
    from callscope.services.users import sign_out

    st = state(request)
    if p is not None and request.state.via == "cookie":
        await run_in_threadpool(st.write, sign_out, p.name, st.audit_now())
    request.state.session = Session.new()
    return RedirectResponse("/login", status_code=303)


@router.get("/api/v1/me", tags=["access"])
def me(p: Annotated[Principal, Depends(Require(VIEW_KPIS))]) -> dict[str, Any]:
    """Who the token or session is: name, role, agent, teams, whose figures they see."""
    return {
        "name": p.name,
        "role": p.role,
        "agent": p.agent,
        "teams": list(p.teams),
        "scope": scope_of(p).describe(),
    }
