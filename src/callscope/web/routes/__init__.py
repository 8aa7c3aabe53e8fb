"""The routes, one module per part of the app: sign-in, the KPI views, data, admin."""

from __future__ import annotations

__all__: list[str] = []
