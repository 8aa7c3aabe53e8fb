"""``callscope serve``: the web app on this machine (FastAPI under uvicorn)."""

from __future__ import annotations

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
) -> None:
    """The web app: overview, service, agents, data, settings and users pages, and the
    same figures as JSON under /api/v1 (sign in with a user from `callscope users add`)."""
    from callscope.services.users import check_ready

    s = load(settings, db)
    ready = check_ready(s)
    import uvicorn

    from callscope.web import create_app

    say(f"serving {ready.db} ({ready.users} users) on http://{host}:{port}/ ; Ctrl-C stops")
    uvicorn.run(create_app(s), host=host, port=port, log_level="warning", access_log=False)
