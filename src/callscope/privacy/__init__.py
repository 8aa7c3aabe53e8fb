"""Protecting the people in the data: pseudonyms for customer identifiers, erasure on
request, retention, and the keys behind them.

* :mod:`.keys` — the secret key (a key file created on first use, or the environment)
* :mod:`.pseudonym` — keyed HMAC-SHA256 pseudonyms, the same in Python and in DuckDB SQL
* :mod:`.retention` — how long each table keeps rows (``25 months``, ``90 days``)
"""

from __future__ import annotations

__all__: list[str] = []
