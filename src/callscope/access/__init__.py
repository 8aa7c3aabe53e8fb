"""Who may do what: roles and permissions, the scope of figures a person may see,
password and token hashing, and login throttling. Pure: no store, no web framework."""

from __future__ import annotations

__all__: list[str] = []
