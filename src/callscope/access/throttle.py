"""Login throttling: after too many failed logins a name (from any address) or an
address (for any name) must wait. The clock is a parameter.

>>> t = LoginThrottle(max_per_name=2, window_s=60)
>>> t.record_failure("ann", "10.0.0.1", 0.0); t.record_failure("ann", "10.0.0.2", 1.0)
>>> t.wait_s("ann", "10.0.0.3", 2.0)
58.0
>>> t.wait_s("bob", "10.0.0.3", 2.0), t.wait_s("ann", "10.0.0.3", 61.0)
(0.0, 0.0)
"""

from __future__ import annotations

import threading
from collections import deque

__all__ = ["LoginThrottle"]


class LoginThrottle:
    """Failed logins in a sliding ``window_s``: ``max_per_name`` for one user name,
    ``max_per_address`` for one client address. In memory, per server process."""

    def __init__(
        self, max_per_name: int = 5, max_per_address: int = 20, window_s: float = 900.0
    ) -> None:
        self.max_per_name = max_per_name
        self.max_per_address = max_per_address
        self.window_s = window_s
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        if not q:
            del self._fails[key]
            return deque()
        return q

    def wait_s(self, name: str, address: str, now: float) -> float:
        """Seconds until a login of ``name`` from ``address`` may be tried (0: now)."""
        with self._lock:
            wait = 0.0
            for key, limit in (
                (("name", name.casefold()), self.max_per_name),
                (("address", address), self.max_per_address),
            ):
                q = self._recent(key, now)
                if len(q) >= limit:
                    wait = max(wait, q[len(q) - limit] + self.window_s - now)
            return wait

    def record_failure(self, name: str, address: str, now: float) -> None:
        with self._lock:
            for key in (("name", name.casefold()), ("address", address)):
                self._fails.setdefault(key, deque()).append(now)

    def record_success(self, name: str) -> None:
        """A good password clears the name's failures (not the address's)."""
        with self._lock:
            self._fails.pop(("name", name.casefold()), None)
