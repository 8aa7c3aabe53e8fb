"""Use cases: one function per thing a user does, under every interface.

Each service is shaped ``(settings, request, now) -> result``: the center's
:class:`~callscope.settings.Settings` (the store path among them), a frozen request
dataclass of what the user asked, the current time where it matters, and a frozen
result dataclass or an Arrow table. The CLI and the web app parse their input into the
request, call one service and render the result; they hold no store query and no
business rule. Errors are :class:`~callscope.errors.CallscopeError` naming the request
field they are about, which each interface maps to its own flag or form field.

=====================  ==================================================
module                 use cases
=====================  ==================================================
:mod:`.ingest`         ingest files, list rejects
:mod:`.kpi`            KPIs by any grouping, preset comparison, agent report, HTML report
:mod:`.queueing`       Erlang B/C/A for one interval, staffing, simulation
:mod:`.forecasting`    forecast, backtest, intraday reforecast, capacity plan
:mod:`.sample`         synthetic centers, the demo
:mod:`.settings_view`  the effective settings and where each came from
=====================  ==================================================

Modules import their heavy dependencies (DuckDB, Ibis, numba) when a service runs, so
that an interface can import every service cheaply.
"""

from __future__ import annotations

__all__: list[str] = []
