"""The live floor: typed events (:mod:`~callscope.live.events`), a pure reducer to a
state (:mod:`~callscope.live.reducer`) and its day's figures
(:mod:`~callscope.live.snapshot`), the ``queue_log`` translator and follower, the
durable journal and the hub that runs them in the server, and the alerts."""

from __future__ import annotations

__all__: list[str] = []
