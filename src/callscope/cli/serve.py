"""``callscope serve``: the web app on this machine (FastAPI under uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callscope.cli.app import DbOpt, SettingsOpt, app, load, say

__all__ = ["serve_cmd"]


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on; 127.0.0.1 is this machine only (put a TLS proxy "
            "in front before opening it to a network).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    db: DbOpt = None,
    settings: SettingsOpt = None,
    follow_queue_log: Annotated[
        list[Path] | None,
        typer.Option(
            "--follow-queue-log",
            help="An Asterisk queue_log to follow live, like tail -F (repeatable): its "
            "calls feed the wallboard and land in the store as they finish.",
        ),
    ] = None,
) -> None:
    """The web app: overview, service, agents, data, settings and users pages, and the
    same figures as JSON under /api/v1 (sign in with a user from `callscope users add`)."""
    from callscope.services.users import check_ready

    s = load(settings, db)
    ready = check_ready(s)
    import uvicorn

    from callscope.web import create_app

    say(f"serving {ready.db} ({ready.users} users) on http://{host}:{port}/ ; Ctrl-C stops")
    app_ = create_app(s, follow_queue_logs=tuple(follow_queue_log or ()))
    uvicorn.run(
        app_,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,  # live streams stay open: end them on Ctrl-C
    )
