"""The web app (``callscope serve``): FastAPI, server-rendered pages, the same figures
as JSON under ``/api/v1``. Routes parse a request, call one service and render; every
route names the permission it needs (:mod:`callscope.web.deps`)."""

from __future__ import annotations

from callscope.web.app import create_app

__all__ = ["create_app"]
