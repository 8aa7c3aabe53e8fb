"""Privacy use cases: erase one person on request, and apply the retention periods.

Erasure takes the identifier as the person gives it (a phone number, an e-mail, a
customer number), computes its pseudonym with the center's key, and removes every row
stored under either form (stores made with ``privacy.raw_identifiers = true`` hold the
raw form). It records a tombstone of the pseudonym, so ingesting the same files again
never brings the person back, an audit entry, and returns the rows removed per table as
the proof. Retention deletes what is older than each table's period
(``[retention]`` in the settings) and says how much. Encrypting converts a plain store
into a DuckDB-encrypted one keyed from the center's key (decrypting, the reverse), by
writing a new file, checking its rows and swapping it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from callscope.errors import CallscopeError
from callscope.settings import Settings
from callscope.store.encryption import Converted

__all__ = [
    "Converted",
    "EraseRequest",
    "EraseResult",
    "RetentionRequest",
    "RetentionResult",
    "apply_retention",
    "decrypt_store",
    "encrypt_store",
    "erase",
    "key_for",
]


def key_for(settings: Settings, *, create: bool) -> bytes:
    """The center's pseudonym key (``$CALLSCOPE_KEY`` or the key file)."""
    from callscope.privacy.keys import load_key

    return load_key(settings.key_path(), create=create)


@dataclass(frozen=True, slots=True)
class EraseRequest:
    customer: str  #: the identifier as the person gives it
    actor: str = "cli"


@dataclass(frozen=True)
class EraseResult:
    pseudonym: str
    removed: dict[str, int]  #: rows removed per table

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def erase(settings: Settings, request: EraseRequest, now: datetime) -> EraseResult:
    """Remove a person from every table, with a tombstone and an audit entry."""
    from callscope.privacy.pseudonym import is_pseudonym, normalize, pseudonym
    from callscope.services.common import open_store
    from callscope.store.privacy import erase_customer

    who = request.customer.strip()
    if not who:
        raise CallscopeError("give the customer's identifier", field="customer")
    key = key_for(settings, create=True)
    p = who if is_pseudonym(who) else pseudonym(who, key)
    forms = [p] if is_pseudonym(who) else [p, who, normalize(who)]
    with open_store(settings, write=True, create=False) as store:
        removed = erase_customer(store, p, forms, now, request.actor)
    return EraseResult(p, removed)


@dataclass(frozen=True, slots=True)
class RetentionRequest:
    dry_run: bool = False
    actor: str = "cli"


@dataclass(frozen=True)
class RetentionResult:
    cutoffs: dict[str, datetime]  #: rows before these times go
    removed: dict[str, int]  #: rows removed (or, dry run, to remove) per table
    dry_run: bool


def apply_retention(
    settings: Settings, request: RetentionRequest, now: datetime
) -> RetentionResult:
    """Delete rows older than their table's retention period."""
    from callscope.privacy.retention import cutoff
    from callscope.services.common import open_store
    from callscope.store.privacy import apply_retention as run

    cutoffs = {t: c for t, p in settings.retention.items() if (c := cutoff(now, p)) is not None}
    with open_store(settings, write=True, create=False) as store:
        removed = run(store, cutoffs, now, request.actor, dry_run=request.dry_run)
    return RetentionResult(cutoffs, removed, request.dry_run)


def _existing_store(settings: Settings) -> Path:
    path = Path(settings.db)
    if not path.is_file():
        raise CallscopeError(f"no store at {path}: give the store to convert with --db", field="db")
    return path


def encrypt_store(settings: Settings) -> Converted:
    """Make the plain store of ``settings`` an encrypted one, keyed from the center's key
    (the key file is made if there is none yet)."""
    from callscope.privacy.keys import store_key
    from callscope.store.encryption import convert, is_encrypted

    path = _existing_store(settings)
    if is_encrypted(path):
        raise CallscopeError(f"the store {path} is already encrypted", field="db")
    return convert(path, key_from=None, key_to=store_key(key_for(settings, create=True)))


def decrypt_store(settings: Settings) -> Converted:
    """Make the encrypted store of ``settings`` a plain one (refused while the settings
    say ``privacy.encrypt = true``, which would refuse the plain store afterwards)."""
    from callscope.services.common import store_encryption_key
    from callscope.store.encryption import convert, is_encrypted

    path = _existing_store(settings)
    if not is_encrypted(path):
        raise CallscopeError(f"the store {path} is not encrypted", field="db")
    if settings.encrypt:
        raise CallscopeError(
            "the settings say privacy.encrypt = true; set it to false first, then decrypt",
            field="settings",
        )
    return convert(path, key_from=store_encryption_key(settings), key_to=None)
