"""What every route shares: the app's state (settings, store gate, cookie codec, login
throttle, clock, templates), who is asking (:func:`principal`), the role guard
(:class:`Require`, with the CSRF check of every form post), the period and filters of a
page, rendering and downloads.

Every route depends on a :class:`Require` naming its permission (``None``: public,
the sign-in page); :func:`callscope.web.app.create_app` refuses to build an app with a
route that has none, and ``tests/web/test_roles.py`` walks every route with every role.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from callscope.access.roles import (
    MANAGE_USERS,
    VIEW_AUDIT,
    VIEW_CUSTOMERS,
    VIEW_DATA,
    VIEW_KPIS,
    VIEW_SETTINGS,
    Principal,
    scope_of,
)
from callscope.access.throttle import LoginThrottle
from callscope.errors import CallscopeError
from callscope.services.dashboard import PERIODS, ViewRequest
from callscope.settings import Settings
from callscope.web.gate import Gate
from callscope.web.sessions import Session, SessionCodec

__all__ = [
    "NAV",
    "AppState",
    "NotSignedIn",
    "Refused",
    "Require",
    "clean",
    "make_view_request",
    "render",
    "state",
    "view_request",
]

T = TypeVar("T")
#: KPI views kept per app (:meth:`AppState.view`).
VIEW_CACHE = 64
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

#: The navigation: title, path, permission (a link shows only to those who hold it).
NAV = (
    ("Overview", "/overview", VIEW_KPIS),
    ("Service", "/service", VIEW_KPIS),
    ("Agents", "/agents", VIEW_KPIS),
    ("Customers", "/customers", VIEW_CUSTOMERS),
    ("Data", "/data", VIEW_DATA),
    ("Settings", "/settings", VIEW_SETTINGS),
    ("Users", "/users", MANAGE_USERS),
    ("Audit log", "/audit", VIEW_AUDIT),
)


def nav_items() -> list[tuple[str, str, str]]:
    """:data:`NAV`, then the ``NAV`` entries (title, path, permission) of the other page
    modules of :mod:`callscope.web.routes`, before Data (the admin pages stay last)."""
    import sys

    extra = [
        item
        for name, module in sorted(sys.modules.items())
        if name.startswith("callscope.web.routes.") and module is not None
        for item in getattr(module, "NAV", ())
    ]
    cut = next(i for i, (t, _, _) in enumerate(NAV) if t == "Data")
    return [*NAV[:cut], *extra, *NAV[cut:]]


class Refused(Exception):
    """A request refused with ``status`` and a one-line message (JSON for the API, a
    page otherwise)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


class NotSignedIn(Refused):
    def __init__(self) -> None:
        super().__init__(401, "sign in first (or send Authorization: Bearer TOKEN)")


@dataclass
class AppState:
    settings: Settings
    gate: Gate
    codec: SessionCodec
    throttle: LoginThrottle
    clock: Callable[[], datetime]
    templates: Jinja2Templates
    max_upload_bytes: int
    cache: dict[Any, Any] = field(default_factory=dict)  #: small per-app caches

    def now(self) -> datetime:
        """Now, with the machine's zone (services turn it into the center's clock)."""
        return self.clock()

    def audit_now(self) -> datetime:
        """Now as the audit log and the CLI write it (local, no zone)."""
        return self.clock().astimezone().replace(tzinfo=None)

    def read(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(settings, *args)`` with the store open for reading (in a thread)."""
        with self.gate.read():
            return fn(self.settings, *args, **kw)

    def view(self, fn: Callable[..., T], request: Any, *args: Any) -> T:
        """``fn(settings, request, *args, now)``: a KPI view, kept while the store is
        unchanged (:func:`callscope.services.common.store_stamp`: any write, by this
        server or a CLI beside it, drops it) for the same request and the same hour
        (periods such as "today" move with the clock). At most :data:`VIEW_CACHE`
        views are kept, the oldest dropped first."""
        from callscope.services.common import store_stamp

        now = self.now()
        hour = now.replace(minute=0, second=0, microsecond=0)
        key = ("view", fn, request, args, hour)
        stamp = store_stamp(self.settings)
        views: dict[Any, Any] = self.cache.setdefault("views", {})
        hit = views.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]  # type: ignore[no-any-return]
        value = self.read(fn, request, *args, now)
        if store_stamp(self.settings) == stamp:  # nothing wrote meanwhile
            views.pop(key, None)
            views[key] = (stamp, value)
            while len(views) > VIEW_CACHE:
                views.pop(next(iter(views)))
        return value

    def write(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(settings, *args)`` that writes the store."""
        with self.gate.write():
            return fn(self.settings, *args, **kw)

    def audit(self, actor: str, action: str, subject: str | None, detail: Any) -> None:
        from callscope.services.users import record

        self.write(record, actor, action, subject, detail, self.audit_now())


def state(request: Request) -> AppState:
    st: AppState = request.app.state.callscope
    return st


#: Who a token or a session is, kept per app at most this many seconds and only while
#: the store is unchanged (:func:`_known`).
PRINCIPAL_SECONDS = 30.0


def _known(st: AppState, key: tuple[Any, ...], fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(settings, *args)`` (who a token or session is), kept while the store is
    unchanged and for at most :data:`PRINCIPAL_SECONDS`: revoking a token, disabling a
    user or signing out writes the store, so the next request asks the store again (a
    feeder posting events then skips opening the store for each request). While this
    server writes the store itself (an upload loading: no user change can run beside
    it), a kept answer stands for its seconds, so the upload's progress can be asked."""
    import time

    from callscope.services.common import store_stamp

    stamp = store_stamp(st.settings)
    known: dict[Any, Any] = st.cache.setdefault("principals", {})
    hit = known.get(key)
    if hit is not None and (hit[0] == stamp or st.gate.writing) and hit[1] > time.monotonic():
        return hit[2]
    value = st.read(fn, *args)
    if store_stamp(st.settings) == stamp:
        if len(known) >= 1000:
            known.clear()
        known[key] = (stamp, time.monotonic() + PRINCIPAL_SECONDS, value)
    return value


def _principal(st: AppState, request: Request) -> Principal | None:
    from callscope.services.users import principal_for_session, principal_for_token

    auth = request.headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(401, "send the token as Authorization: Bearer TOKEN")
        digest = hashlib.sha256(token.strip().encode("utf-8", "replace")).hexdigest()
        p = _known(st, ("token", digest), principal_for_token, token.strip())
        if p is None:
            raise Refused(
                401,
                "the token is unknown or revoked; make one with "
                "`callscope token create --user NAME`",
            )
        request.state.via = "token"
        return p
    request.state.via = "cookie"
    s: Session = request.state.session
    if s.user is None:
        return None
    p = _known(st, ("session", s.user, s.epoch), principal_for_session, s.user, s.epoch)
    if p is None:  # signed out everywhere, disabled or removed: a fresh anonymous session
        request.state.session = Session.new()
    return p


class Require:
    """The role guard of a route: who is asking must hold ``permission`` (``None``: any
    visitor). Posts carried by the session cookie must carry the form's CSRF token
    (form field ``csrf_token`` or header ``X-CSRF-Token``); a Bearer token needs none
    (a browser never sends one by itself)."""

    def __init__(self, permission: str | None) -> None:
        self.permission = permission

    def __repr__(self) -> str:
        return f"Require({self.permission!r})"

    async def __call__(self, request: Request) -> Principal | None:
        st = state(request)
        principal = await run_in_threadpool(_principal, st, request)
        request.state.principal = principal
        if request.method not in SAFE_METHODS and request.state.via != "token":
            token = request.headers.get("x-csrf-token")
            if token is None:
                form = await request.form()
                got = form.get("csrf_token")
                token = got if isinstance(got, str) else None
            if not st.codec.csrf_ok(request.state.session, token):
                raise Refused(
                    403,
                    "this form was not sent from a callscope page of this session (CSRF "
                    "check failed); reload the page and send it again",
                )
        if self.permission is None:
            return principal
        if principal is None:
            raise NotSignedIn()
        if not principal.can(self.permission):
            raise Refused(403, f"the {principal.role} role may not see or do this")
        return principal


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CallscopeError(f"{text!r} is not a day; write it 2026-01-31", field=field) from None


def view_request(request: Request, principal: Principal) -> ViewRequest:
    """The period, filters and scope of a page or API call (query parameters
    ``period``, ``from``, ``to``, ``channel``, ``queue``, ``team``)."""
    q = request.query_params
    return make_view_request(
        q.get("period"),
        q.get("from"),
        q.get("to"),
        {name: q.getlist(name) for name in ("channel", "queue", "team")},
        principal,
    )


def make_view_request(
    period: str | None,
    first_text: str | None,
    last_text: str | None,
    filters: dict[str, list[str]],
    principal: Principal,
) -> ViewRequest:
    """A :class:`ViewRequest` from the words of a query (or of ``callscope report``):
    ``period`` (default ``custom`` when a day is given, else ``data``), days
    ``YYYY-MM-DD``, ``channel``/``queue``/``team`` values; each mistake names its field."""
    first, last = _day(first_text, "from"), _day(last_text, "to")
    period = period or ("custom" if first or last else "data")
    if period not in PERIODS:
        raise CallscopeError(
            f"unknown period {period!r}; use one of {', '.join(PERIODS)}", field="period"
        )

    def many(name: str) -> tuple[str, ...]:
        vals = [v.strip() for v in filters.get(name, []) if v.strip()]
        if len(vals) > 100 or any(len(v) > 200 for v in vals):
            raise CallscopeError(f"too many or too long {name} values", field=name)
        return tuple(dict.fromkeys(vals))

    return ViewRequest(
        period=period,
        first_day=first,
        last_day=last,
        channels=many("channel"),
        queues=many("queue"),
        teams=many("team"),
        scope=scope_of(principal),
    )


def clean(value: Any) -> Any:
    """``value`` for JSON: dataclasses as dicts, non-finite floats as ``null``, tuples
    as lists."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: clean(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [clean(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def json_script(value: Any) -> str:
    """``value`` as JSON safe inside ``<script type="application/json">``."""
    text = json.dumps(clean(value), allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Any:
    """A page of the shared layout: the navigation the person may use, their name and
    role, the CSRF token for forms."""
    st = state(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    nav = [(t, p) for t, p, perm in nav_items() if principal is not None and principal.can(perm)]
    ctx = {
        "request": request,
        "principal": principal,
        "nav": nav,
        "path": request.url.path,
        "csrf": st.codec.csrf(request.state.session),
        "json_script": json_script,
        **context,
    }
    return st.templates.TemplateResponse(request, template, ctx, status_code=status)
