"""Command-line interface: ``callscope COMMAND``.

:func:`main` runs the Typer app and keeps the one-line error promise: a
:class:`~callscope.errors.CallscopeError` (a user's mistake or a bad input) and a
usage mistake (an unknown option, a value that is not a number) print one line on
stderr, ``error: --flag: what is wrong and how to fix it``, and exit with status 2;
never a traceback or a box.
"""

from __future__ import annotations

import sys

import typer

from callscope.cli import forecast, ingest, kpi, privacy, queueing, sample, settings  # noqa: I001 (help order)
from callscope.cli.app import FIELD_FLAGS, app
from callscope.errors import CallscopeError

__all__ = ["app", "main"]

import callscope.cli.qa  # noqa: E402, F401 (registers qa forms|evaluate|sample|calibration ...)
import callscope.cli.roster  # noqa: E402, F401 (registers roster solve)
import callscope.cli.schedule  # noqa: E402, F401 (registers schedule cover, adherence; help order)
import callscope.cli.scorecard  # noqa: E402, F401 (registers scorecard)
import callscope.cli.serve  # noqa: E402, F401 (registers serve)
import callscope.cli.users  # noqa: E402, F401 (registers users add|list, token create)

_ = (ingest, kpi, forecast, queueing, sample, settings, privacy)  # each registers its commands


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``callscope`` command."""
    try:
        rc = app(args=argv, prog_name="callscope", standalone_mode=False)
    except CallscopeError as e:
        sys.stderr.write(f"error: {_one_line(e.render(FIELD_FLAGS))}\n")
        sys.exit(2)
    except typer.TyperException as e:  # usage mistakes, from Typer's own click
        ctx = getattr(e, "ctx", None)
        if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            sys.exit(0)
        where = ctx.command_path if ctx is not None else "callscope"
        sys.stderr.write(f"error: {_one_line(e.format_message())} (see `{where} --help`)\n")
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        _interrupted()
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    if rc == 130:  # Typer turns Ctrl-C into exit code 130
        _interrupted()
    sys.exit(rc if isinstance(rc, int) else 0)


def _interrupted() -> None:
    # every store change runs in a transaction that an interrupt rolls back
    sys.stderr.write(
        "interrupted: the step that was running was rolled back; the store holds what "
        "finished before it (for ingest: the files already loaded)\n"
    )
    sys.exit(130)
