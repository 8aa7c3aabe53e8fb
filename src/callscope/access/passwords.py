"""Password and token hashing.

Passwords: scrypt (RFC 7914; memory-hard), N = 2^15, r = 8, p = 1 (32 MiB per hash),
a 16-byte random salt, stored as ``scrypt$N$r$p$salt$hash`` (base64). API tokens are
32 random bytes: far beyond guessing, so a plain SHA-256 of the token is what is stored
(as for GitHub's and PyPI's tokens); a token is shown once, at creation.

>>> h = hash_password("correct horse battery")
>>> h.startswith("scrypt$32768$8$1$"), verify_password("correct horse battery", h)
(True, True)
>>> verify_password("wrong", h)
False
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from callscope.errors import CallscopeError

__all__ = [
    "MIN_PASSWORD",
    "TOKEN_PREFIX",
    "check_password",
    "hash_password",
    "new_password",
    "new_token",
    "token_digest",
    "verify_password",
]

_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD = 10
TOKEN_PREFIX = "cst_"


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of ``password`` (module docstring)."""
    salt = salt or secrets.token_bytes(16)
    dk = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32
    )
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(dk)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare; a malformed
    stored value matches nothing)."""
    try:
        kind, n, r, p, salt, dk = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(dk)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def check_password(password: str) -> str:
    """``password`` if it is long enough, else a one-line error."""
    if len(password) < MIN_PASSWORD:
        raise CallscopeError(
            f"a password has at least {MIN_PASSWORD} characters; got {len(password)}",
            field="password",
        )
    return password


def new_password() -> str:
    """A random password (16 URL-safe characters, 96 bits)."""
    return secrets.token_urlsafe(12)


def new_token() -> str:
    """A new API token: ``cst_`` and 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
