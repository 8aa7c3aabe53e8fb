"""The canonical contact-center model: Arrow schemas of every table callscope stores.

See :mod:`callscope.model.tables` for the schemas and their units.
"""

from __future__ import annotations

from callscope.model.tables import (
    AGENT_STATES,
    AGENTS,
    CHANNELS,
    CONTACTS,
    MESSAGES,
    ORDERS,
    OUTCOMES,
    SCHEDULES,
    STATES,
    SURVEYS,
    TABLES,
    Table,
)

__all__ = [
    "AGENTS",
    "AGENT_STATES",
    "CHANNELS",
    "CONTACTS",
    "MESSAGES",
    "ORDERS",
    "OUTCOMES",
    "SCHEDULES",
    "STATES",
    "SURVEYS",
    "TABLES",
    "Table",
]
