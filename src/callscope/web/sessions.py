"""Signed session cookies and CSRF tokens.

The cookie holds a random session id, and once signed in the user's name and session
epoch, signed (HMAC-SHA1 via itsdangerous, with a timestamp: 12 hours at most) with the
server's secret: HttpOnly, SameSite=Lax, Secure over HTTPS. Signing in issues a new
session id (no fixation); signing out raises the user's epoch in the store, which ends
every session of theirs. The CSRF token of a form is an HMAC of the session id: a page
of another site cannot read it, so it cannot post a form as the user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = ["COOKIE", "MAX_AGE_S", "Session", "SessionCodec"]

COOKIE = "callscope_session"
MAX_AGE_S = 12 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    user: str | None = None
    epoch: int = 0

    @staticmethod
    def new() -> Session:
        return Session(secrets.token_urlsafe(18))

    def signed_in(self, user: str, epoch: int) -> Session:
        """A fresh session (new id) for ``user``."""
        return replace(Session.new(), user=user, epoch=epoch)


class SessionCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._ser = URLSafeTimedSerializer(secret, salt="callscope-session")

    def dumps(self, s: Session) -> str:
        return self._ser.dumps({"sid": s.sid, "u": s.user, "e": s.epoch})

    def loads(self, cookie: str | None) -> Session | None:
        if not cookie or len(cookie) > 4096:
            return None
        try:
            d: Any = self._ser.loads(cookie, max_age=MAX_AGE_S)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(d, dict) or not isinstance(d.get("sid"), str):
            return None
        user = d.get("u")
        return Session(d["sid"], user if isinstance(user, str) else None, int(d.get("e") or 0))

    def csrf(self, s: Session) -> str:
        return hmac.new(self._secret, f"csrf:{s.sid}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, s: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(s), str(token))
