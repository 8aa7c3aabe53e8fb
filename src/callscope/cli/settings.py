"""``callscope settings show``: the effective center settings and where each came from."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from callscope.cli import app as a
from callscope.cli.app import DbOpt, SettingsOpt, app
from callscope.cli.render import print_rows

__all__ = ["show_cmd"]

settings_app = typer.Typer(
    help="The center's settings (time zone, queues, goals, targets, hours, staffing).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(settings_app, name="settings")


class Format(StrEnum):
    table = "table"
    json = "json"


@settings_app.command("show")
def show_cmd(
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Every effective setting, its value and where it came from (default, the settings
    file, an environment variable or a flag)."""
    from callscope.services.settings_view import show_settings

    rows = show_settings(a.load(settings, db))
    if fmt is Format.json:
        a.print_json({r.key: {"value": r.value, "source": r.source} for r in rows})
        return
    print_rows(
        [{"key": r.key, "value": str(r.value), "source": r.source} for r in rows],
        (("key", "setting", str), ("value", "value", str), ("source", "from", str)),
        title="center settings",
        left=("key", "value", "source"),
    )
