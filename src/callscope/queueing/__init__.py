"""The queueing core: exact Erlang B, C and A, the staffing planner, patience estimation
and a compiled discrete-event simulator. NumPy, SciPy and Numba only (no DuckDB, Typer or
FastAPI): functions take arrays and return typed frozen dataclasses.

* :mod:`.erlang` — :func:`~.erlang.erlang_b`, :func:`~.erlang.erlang_c`,
  :func:`~.erlang.erlang_a`, :func:`~.erlang.loss_system` -> :class:`~.erlang.QueueMetrics`
* :mod:`.staffing` — :func:`~.staffing.required_agents`,
  :func:`~.staffing.expected_service` -> :class:`~.staffing.StaffingResult`
* :mod:`.plan` — the planner over a table of intervals (what ``callscope staff`` runs)
* :mod:`.patience` — mean patience = total wait / abandons (Mandelbaum & Zeltyn)
* :mod:`.simulate` — :func:`~.simulate.simulate` a :class:`~.simulate.Center`
"""

from __future__ import annotations

__all__: list[str] = []
