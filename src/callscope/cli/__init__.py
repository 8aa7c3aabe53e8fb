"""Command-line interface: ``callscope COMMAND``.

:func:`main` runs the Typer app and turns a :class:`~callscope.errors.CallscopeError`
(a user's mistake or a bad input) into one line on stderr and exit status 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from callscope.cli.app import app, err_console
from callscope.errors import CallscopeError

__all__ = ["app", "main"]

# Every sibling module registers its commands on ``app`` when imported.
for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "app":
        importlib.import_module(f"{__name__}.{_mod.name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``callscope`` command."""
    try:
        app(args=argv, prog_name="callscope", standalone_mode=True)
    except CallscopeError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(2)
