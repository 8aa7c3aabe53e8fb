"""The canonical contact-center model: Arrow schemas of every table callscope stores,
outcomes and channels, service targets and durations.

Names load on first use (PEP 562), so ``from callscope.model import Outcome`` does not
import Arrow: the CLI starts fast.

* :mod:`callscope.model.tables` — the Arrow schemas, with units
* :mod:`callscope.model.outcome` — :class:`Outcome`, :data:`CHANNELS`, :data:`NOT_OFFERED`
* :mod:`callscope.model.target` — :class:`Target` ("80/20", ``asa<=30s`` ...)
* :mod:`callscope.model.units` — :func:`parse_duration_s` ("30m", "1h", "900s")
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "AGENTS",
    "AGENT_STATES",
    "CHANNELS",
    "CONTACTS",
    "DIRECTIONS",
    "FLOWOUTS",
    "MESSAGES",
    "NOT_OFFERED",
    "ORDERS",
    "OUTCOMES",
    "SCHEDULES",
    "STATES",
    "SURVEYS",
    "TABLES",
    "Channel",
    "Outcome",
    "Table",
    "Target",
    "parse_duration_s",
]

_HOME = {
    **dict.fromkeys(
        (
            "AGENTS",
            "AGENT_STATES",
            "CONTACTS",
            "MESSAGES",
            "ORDERS",
            "SCHEDULES",
            "STATES",
            "SURVEYS",
            "TABLES",
            "Table",
        ),
        "tables",
    ),
    **dict.fromkeys(
        ("CHANNELS", "DIRECTIONS", "FLOWOUTS", "NOT_OFFERED", "OUTCOMES", "Channel", "Outcome"),
        "outcome",
    ),
    "Target": "target",
    "parse_duration_s": "units",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'callscope.model' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"callscope.model.{home}"), name)
    globals()[name] = value
    return value
