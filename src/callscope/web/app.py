"""The app factory: :func:`create_app` builds the FastAPI app for one center's
settings. ``callscope serve`` hands it to uvicorn; tests use it with a test client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from callscope.access.roles import VIEW_KPIS, Principal
from callscope.access.throttle import LoginThrottle
from callscope.errors import CallscopeError, NotAllowed
from callscope.settings import Settings
from callscope.web.deps import AppState, NotSignedIn, Refused, Require, render
from callscope.web.gate import Gate
from callscope.web.sessions import COOKIE, MAX_AGE_S, Session, SessionCodec

__all__ = ["MAX_UPLOAD_BYTES", "api_routes", "create_app", "route_rule"]

HERE = Path(__file__).parent
#: The largest request body (an upload): 1 GiB.
MAX_UPLOAD_BYTES = 1 << 30
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every route of ``app`` with its handler (routers included, at any depth)."""
    out: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            inner = getattr(r, "original_router", None)  # FastAPI's included routers
            if inner is not None:
                walk(inner.routes)

    walk(app.router.routes)
    return out


def route_rule(route: APIRoute) -> Require | None:
    """The :class:`Require` a route depends on (``None``: it has none)."""
    for dep in route.dependant.dependencies:
        if isinstance(dep.call, Require):
            return dep.call
    return None


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    throttle: LoginThrottle | None = None,
    secret: bytes | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    follow_queue_logs: tuple[Path, ...] = (),
) -> FastAPI:
    """The web app of the center whose settings (and store, ``settings.db``) are given.
    ``clock`` (default: the system clock) and ``throttle`` are parameters for tests;
    ``secret`` signs the session cookies (default:
    :func:`callscope.services.users.web_secret`); ``follow_queue_logs``: Asterisk
    queue_logs the live floor follows while the server runs (:mod:`callscope.web.routes.live`)."""
    from callscope.services.users import web_secret
    from callscope.web.routes import admin, auth, customers, data, live, views

    app = FastAPI(
        title="callscope",
        version="1",
        description="Contact-center figures: the pages' data as JSON. Authenticate with "
        "`Authorization: Bearer TOKEN` (`callscope token create --user NAME`).",
        docs_url=None,  # Swagger UI loads from a CDN: no page that needs the internet
        redoc_url=None,
        openapi_url=None,  # served below, to signed-in users only
        lifespan=live.lifespan,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    st = AppState(
        settings=settings,
        gate=Gate(),
        codec=SessionCodec(secret or web_secret(settings)),
        throttle=throttle or LoginThrottle(),
        clock=clock or (lambda: datetime.now().astimezone()),
        templates=templates,
        max_upload_bytes=max_upload_bytes,
    )
    app.state.callscope = st
    st.cache["live_follow"] = tuple(follow_queue_logs)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (auth, views, customers, data, admin, live, *_more_routes()):
        app.include_router(module.router)

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi(p: Annotated[Principal, Depends(Require(VIEW_KPIS))]) -> dict[str, Any]:
        """The OpenAPI schema of the JSON API."""
        return app.openapi()

    routes = api_routes(app)
    if len(routes) < 10:
        raise RuntimeError(f"found only {len(routes)} routes: has FastAPI's route list changed?")
    missing = [f"{sorted(r.methods or ())} {r.path}" for r in routes if route_rule(r) is None]
    if missing:
        raise RuntimeError(f"routes without a Require rule: {', '.join(missing)}")

    @app.middleware("http")
    async def session_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method == "POST":
            size = request.headers.get("content-length")
            if size is None or not size.isdigit():
                return _refuse(request, Refused(411, "send the request with a Content-Length"))
            if int(size) > st.max_upload_bytes:
                limit = st.max_upload_bytes / (1 << 20)
                return _refuse(
                    request,
                    Refused(413, f"the request is larger than {limit:,.0f} MiB", "file"),
                )
        if "%00" in request.url.query:  # no name or filter holds one (nor can DuckDB 1.5's SQL)
            return _refuse(
                request, Refused(400, "a query parameter holds a NUL character (%00); remove it")
            )
        before = st.codec.loads(request.cookies.get(COOKIE))
        request.state.session = before or Session.new()
        response = await call_next(request)
        after: Session = request.state.session
        if after != before:
            response.set_cookie(
                COOKIE,
                st.codec.dumps(after),
                max_age=MAX_AGE_S,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                path="/",
            )
        for k, v in _HEADERS.items():
            response.headers.setdefault(k, v)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return _refuse(request, exc)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        return _refuse(request, Refused(403, " ".join(str(exc).split()), exc.field))

    @app.exception_handler(CallscopeError)
    async def user_error(request: Request, exc: CallscopeError) -> Response:
        msg = " ".join(str(exc).split())
        status = 503 if "in use by another process" in msg else 400
        return _refuse(request, Refused(status, msg, exc.field))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        errs = exc.errors()
        first: dict[str, Any] = errs[0] if errs else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "body", "path")]
        return _refuse(
            request, Refused(422, str(first.get("msg", "bad request")), ".".join(loc) or None)
        )

    return app


def _more_routes() -> list[Any]:
    """Every other module of :mod:`callscope.web.routes` that has a ``router`` (a page
    module added there is served without touching this file; its ``NAV`` entries, if
    any, join the navigation: :data:`callscope.web.deps.NAV`)."""
    import importlib
    import pkgutil

    from callscope.web import routes

    known = {"admin", "auth", "customers", "data", "live", "views"}
    out = []
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda i: i.name):
        if info.name in known or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"callscope.web.routes.{info.name}")
        if hasattr(module, "router"):
            out.append(module)
    return out


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _refuse(request: Request, exc: Refused) -> Response:
    headers = {"Retry-After": "5"} if exc.status == 503 else None
    if _is_api(request):
        return JSONResponse(
            {"error": str(exc), "field": exc.field}, status_code=exc.status, headers=headers
        )
    if isinstance(exc, NotSignedIn) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if not hasattr(request.state, "session"):
        request.state.session = Session.new()
    if not hasattr(request.state, "principal"):
        request.state.principal = None
    return render(
        request,
        "error.html",
        {"title": _TITLES.get(exc.status, "Error"), "message": str(exc), "status": exc.status},
        status=exc.status,
    )


_TITLES = {
    400: "That did not work",
    401: "Sign in",
    403: "Not allowed",
    404: "Not found",
    411: "Length required",
    413: "Too large",
    422: "That did not work",
    429: "Too many attempts",
    503: "The store is busy",
}
