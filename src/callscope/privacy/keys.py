"""The secret key behind pseudonyms and store encryption.

The key is 32 random bytes, written as 64 hex digits. It comes from the environment
variable ``CALLSCOPE_KEY`` when set, else from the key file of the settings
(``privacy.key_file``, default ``callscope.key`` beside the store), which is created
with owner-only permissions the first time a key is needed. The key never goes into the
store: whoever holds the store without the key cannot turn a pseudonym back into a
phone number, nor make new pseudonyms that match, nor read an encrypted store
(:func:`store_key` derives the store's key from it).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> k = load_key(d / "callscope.key", env={})
>>> len(k), load_key(d / "callscope.key", env={}) == k
(32, True)
>>> oct((d / "callscope.key").stat().st_mode & 0o777)
'0o600'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from callscope.errors import CallscopeError

__all__ = ["KEY_ENV", "load_key", "store_key"]

KEY_ENV = "CALLSCOPE_KEY"


def _parse(text: str, where: str) -> bytes:
    t = text.strip()
    try:
        key = bytes.fromhex(t)
    except ValueError:
        raise CallscopeError(
            f"{where} does not hold a key (64 hex digits); restore the center's key file or "
            "unset it to make a new one (old pseudonyms will no longer match)",
            field="key",
        ) from None
    if len(key) < 16:
        raise CallscopeError(f"{where} holds a key of {len(key)} bytes; use 32", field="key")
    return key


def load_key(path: Path, *, env: Mapping[str, str] | None = None, create: bool = True) -> bytes:
    """The key from ``$CALLSCOPE_KEY``, else ``path``; a new one is written to ``path``
    (permissions 0600) when there is none and ``create`` says so."""
    env = os.environ if env is None else env
    if env.get(KEY_ENV):
        return _parse(env[KEY_ENV], f"${KEY_ENV}")
    path = Path(path)
    if path.is_file():
        return _parse(path.read_text(encoding="ascii", errors="replace"), str(path))
    if path.exists():
        raise CallscopeError(f"{path} is not a key file", field="key")
    if not create:
        raise CallscopeError(
            f"no key at {path} and ${KEY_ENV} is not set: without the center's key the "
            "pseudonyms cannot be computed",
            field="key",
        )
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key


def store_key(key: bytes) -> str:
    """The key of an encrypted store, from the center's secret ``key``: 64 hex digits of
    HMAC-SHA256(key, "callscope store encryption v1"), so it is never the pseudonym key
    itself (DuckDB derives its AES-256 key from this string).

    >>> store_key(bytes(32))[:16], len(store_key(bytes(32)))
    ('72389059b5dd6c58', 64)
    """
    return hmac.new(key, b"callscope store encryption v1", hashlib.sha256).hexdigest()
