"""What several services share: opening the store (encrypted or plain), the one
patience policy, reading an interval table from CSV."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.store import Store

__all__ = [
    "NoContacts",
    "check_output_dir",
    "check_output_file",
    "open_store",
    "patience_for",
    "read_csv_table",
    "store_encryption_key",
    "store_patience",
    "store_stamp",
]


class NoContacts(CallscopeError):
    """The store has no contacts (``open_store(..., need_contacts=True)``)."""


@contextmanager
def open_store(
    settings: Settings,
    *,
    write: bool = False,
    create: bool | None = None,
    need_contacts: bool = False,
) -> Iterator[Store]:
    """The store of ``settings`` (``settings.db``), closed afterwards. Only ``create``
    (default: ``write``) makes a new store; otherwise it must exist. ``need_contacts``
    also needs contacts in it (else :class:`NoContacts`)."""
    from callscope.store import Store

    path = Path(settings.db)
    if path.is_dir():
        raise CallscopeError(f"{path} is a folder; give the store's file name", field="db")
    if not (write if create is None else create) and not path.exists():
        raise CallscopeError(
            f"no store at {path}: load data with `callscope ingest` (or `callscope demo` "
            "for a sample center), or give another store",
            field="db",
        )
    store = Store(path, read_only=not write, encryption_key=store_encryption_key(settings))
    if write:
        from callscope.privacy.keys import load_key
        from callscope.store.store import StorePrivacy

        try:
            store.privacy = StorePrivacy(
                load_key(settings.key_path(), create=True), settings.raw_identifiers
            )
        except BaseException:
            store.close()
            raise
    try:
        if need_contacts and store.count("contacts") == 0:
            raise NoContacts(
                f"the store {path} has no contacts: load some with `callscope ingest` "
                "(or `callscope demo` for a sample center), or give another store",
                field="db",
            )
        yield store
    finally:
        store.close()


def store_encryption_key(settings: Settings) -> str | None:
    """The key to open ``settings.db`` with, None for a plain store. An encrypted file
    is opened with the center's key whatever the settings say; a new store is created
    encrypted when ``privacy.encrypt`` is true (making the key file on first use); a
    plain store is refused when the settings say it must be encrypted."""
    import os

    from callscope.privacy.keys import KEY_ENV, load_key, store_key
    from callscope.store.encryption import is_encrypted

    path = Path(settings.db)
    exists = path.is_file() and path.stat().st_size > 0
    if exists and not is_encrypted(path):
        if settings.encrypt:
            raise CallscopeError(
                f"the store {path} is not encrypted, but privacy.encrypt = true: encrypt it "
                "with `callscope privacy encrypt` (or set privacy.encrypt = false)",
                field="db",
            )
        return None
    if not exists and not settings.encrypt:
        return None
    key_path = settings.key_path()
    if exists and not os.environ.get(KEY_ENV) and not key_path.exists():
        raise CallscopeError(
            f"the store {path} is encrypted and its key is missing: there is no key file "
            f"{key_path} and ${KEY_ENV} is not set; restore the center's key file "
            f"(privacy.key_file) or set ${KEY_ENV}",
            field="key",
        )
    return store_key(load_key(key_path, create=not exists))


def store_patience(store: Store, queues: Sequence[str]) -> tuple[dict[str, float], list[str]]:
    """The one patience policy: each queue's mean patience is its stored contacts' total
    wait over their abandons (Mandelbaum & Zeltyn 2013; see
    :func:`callscope.queueing.patience.estimate_patience`); a queue where nobody
    abandoned has infinite patience (planned with Erlang C, the limit of Erlang A).
    Returns queue -> seconds (every queue asked for) and one note per queue."""
    from callscope.store.patience import queue_patience

    est = queue_patience(store, queues=sorted(set(queues)))
    got = dict(zip(est.groups, est.patience_s, strict=True))
    out: dict[str, float] = {}
    notes = []
    for q in sorted(set(queues)):
        p = float(got.get(q, math.nan))
        if math.isnan(p):
            notes.append(f"queue {q!r}: no stored contacts to estimate patience; Erlang C")
            out[q] = math.inf
        elif math.isinf(p):
            notes.append(f"queue {q!r}: nobody abandoned; no abandonment assumed (Erlang C)")
            out[q] = math.inf
        else:
            ab = int(est.abandons[list(est.groups).index(q)])
            notes.append(
                f"queue {q!r}: patience {p:.0f} s from the store ({ab:,} abandons; total "
                "wait / abandons)"
            )
            out[q] = p
    return out, notes


def patience_for(
    settings: Settings, queues: Sequence[str], given: float | None
) -> tuple[float | dict[str, float] | None, list[str]]:
    """Mean patience for planning with ``settings.model``: none for Erlang C; the
    number the user gave; else :func:`store_patience` per queue (with its notes)."""
    if settings.model != "erlang-a":
        return None, []
    if given is not None:
        return float(given), []
    with open_store(settings) as store:
        return store_patience(store, queues)


def read_csv_table(path: Path, field: str = "input", strings: Sequence[str] = ()) -> pa.Table:
    """A CSV file as an Arrow table (UTF-8, a BOM allowed, header names trimmed);
    ``strings`` columns are read as text. A file that is missing, a folder, not UTF-8 or
    not CSV is one clear error naming ``field``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    if not path.exists():
        raise CallscopeError(f"{path} does not exist", field=field)
    if path.is_dir():
        raise CallscopeError(f"{path} is a folder; give a CSV file", field=field)
    if path.stat().st_size == 0:
        raise CallscopeError(f"{path} is empty; give a CSV file with a header row", field=field)
    head = path.read_bytes()[:65536]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:
            raise CallscopeError(
                f"cannot read {path} as CSV: it is not UTF-8 text (a binary file, or another "
                "encoding such as Latin-1); save it as UTF-8 CSV",
                field=field,
            ) from None
    import csv

    first = head.decode("utf-8", "ignore").lstrip("\ufeff").splitlines()[:1]
    names = [c.strip() for c in next(csv.reader(first))] if first else []
    if not names or not any(names):
        raise CallscopeError(f"{path} has no header row", field=field)
    types = {n: pa.string() for n in strings if n in names}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=1,
                use_threads=path.stat().st_size > 64 << 20,  # threads pay off on big files
            ),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
    except pa.ArrowInvalid as e:
        msg = str(e).splitlines()[0]
        if "UTF8" in msg or "utf8" in msg.lower():
            msg = "it is not UTF-8 text; save it as UTF-8 CSV"
        raise CallscopeError(f"cannot read {path} as CSV: {msg}", field=field) from None
    return table


def check_output_file(path: Path, field: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an output file that could not be written, before any work is done: a
    folder, a file in a folder that does not exist, or (given ``suffixes``) another
    file type."""
    path = Path(path)
    if path.is_dir():
        raise CallscopeError(
            f"{path} is a folder; give a file name, e.g. {path / 'out'}", field=field
        )
    if not path.parent.is_dir():
        raise CallscopeError(
            f"{path}: the folder {path.parent} does not exist; create it or choose another path",
            field=field,
        )
    if suffixes and path.suffix.lower() not in suffixes:
        raise CallscopeError(f"must end in {' or '.join(suffixes)}; got {path.name}", field=field)


def check_output_dir(path: Path, field: str) -> None:
    """Refuse an output folder that is an existing file or cannot be created."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CallscopeError(f"{path} is a file, not a folder; choose a folder", field=field)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CallscopeError(f"{path}: {parent} is a file, not a folder", field=field)
            break


def store_stamp(settings: Settings) -> tuple[tuple[int, int], ...]:
    """What changes whenever the store is written: size and modification time (ns) of
    the database file and of its write-ahead log (absent: ``(0, 0)``). Caches of figures
    computed from the store compare it before they answer."""
    import os

    db = Path(settings.db)
    out = []
    for p in (db, db.with_name(db.name + ".wal")):
        try:
            st = os.stat(p)
        except OSError:
            out.append((0, 0))
        else:
            out.append((st.st_size, st.st_mtime_ns))
    return tuple(out)
