"""``callscope privacy erase``, ``apply-retention``, ``encrypt`` and ``decrypt``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from callscope.cli import app as a
from callscope.cli.app import DbOpt, SettingsOpt, app
from callscope.cli.render import number, print_rows

if TYPE_CHECKING:
    from callscope.services.privacy import Converted

__all__ = ["decrypt_cmd", "encrypt_cmd", "erase_cmd", "retention_cmd"]

privacy_app = typer.Typer(
    help="Personal data: erase a customer on request, apply the retention periods, "
    "encrypt the store.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(privacy_app, name="privacy")


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]


@privacy_app.command("erase")
def erase_cmd(
    customer: Annotated[
        str,
        typer.Option(
            "--customer", help="The customer's identifier as given: phone, e-mail or number."
        ),
    ],
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Remove one customer from every table; re-ingesting never brings them back."""
    from callscope.services.privacy import EraseRequest, erase

    r = erase(a.load(settings, db), EraseRequest(customer), datetime.now())
    if fmt is Format.json:
        a.print_json({"pseudonym": r.pseudonym, "rows_removed": r.removed, "total": r.total})
        return
    print_rows(
        [{"table": t, "rows": n} for t, n in r.removed.items()],
        (("table", "table", str), ("rows", "rows removed", number)),
        title=f"erased customer {r.pseudonym}: {r.total:,} rows removed",
        caption="a tombstone keeps the customer out of future ingests; an audit entry "
        "records the erasure",
        left=("table",),
    )


@privacy_app.command("apply-retention")
def retention_cmd(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be deleted.")
    ] = False,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Delete rows older than each table's retention period (settings [retention])."""
    from callscope.services.privacy import RetentionRequest, apply_retention

    r = apply_retention(a.load(settings, db), RetentionRequest(dry_run), datetime.now())
    if fmt is Format.json:
        a.print_json({"dry_run": r.dry_run, "cutoffs": r.cutoffs, "rows_removed": r.removed})
        return
    print_rows(
        [{"table": t, "cutoff": r.cutoffs[t], "rows": n} for t, n in r.removed.items()],
        (
            ("table", "table", str),
            ("cutoff", "kept from", lambda v: f"{v:%Y-%m-%d %H:%M}"),
            ("rows", "would remove" if r.dry_run else "rows removed", number),
        ),
        title="retention (dry run: nothing deleted)" if r.dry_run else "retention applied",
        left=("table",),
    )


def _converted(r: Converted, fmt: Format, title: str, caption: str) -> None:
    if fmt is Format.json:
        a.print_json(
            {
                "store": str(r.path),
                "encrypted": r.encrypted,
                "rows": r.rows,
                "bytes_before": r.bytes_before,
                "bytes_after": r.bytes_after,
            }
        )
        return
    print_rows(
        [{"table": t, "rows": n} for t, n in r.rows.items() if n],
        (("table", "table", str), ("rows", "rows (checked)", number)),
        title=f"{title} {r.path}: {r.bytes_before:,} -> {r.bytes_after:,} bytes",
        caption=caption,
        left=("table",),
    )


@privacy_app.command("encrypt")
def encrypt_cmd(
    fmt: FormatOpt = Format.table, db: DbOpt = None, settings: SettingsOpt = None
) -> None:
    """Encrypt the store (DuckDB encryption, keyed from the center's key file or
    $CALLSCOPE_KEY): a new file is written, checked and swapped in."""
    from callscope.services.privacy import encrypt_store

    r = encrypt_store(a.load(settings, db))
    _converted(
        r,
        fmt,
        "encrypted",
        "every table's rows checked in the new file before the swap; keep the key file "
        "safe: without it the store cannot be read. Set privacy.encrypt = true so a plain "
        "store is never used by mistake",
    )


@privacy_app.command("decrypt")
def decrypt_cmd(
    fmt: FormatOpt = Format.table, db: DbOpt = None, settings: SettingsOpt = None
) -> None:
    """Turn an encrypted store back into a plain one (privacy.encrypt must be false)."""
    from callscope.services.privacy import decrypt_store

    r = decrypt_store(a.load(settings, db))
    _converted(r, fmt, "decrypted", "every table's rows checked in the new file before the swap")
