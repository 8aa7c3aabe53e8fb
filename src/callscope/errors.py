"""Errors and warnings a user can act on.

A :class:`CallscopeError` is a user's mistake or a bad input (unknown format, missing
column, empty file, wrong mapping): the CLI prints its message on one line and exits
with status 2, never a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["CallscopeError", "CallscopeWarning", "InputError", "MappingError"]


class CallscopeError(Exception):
    """An error whose message tells the user what is wrong and how to fix it."""


class InputError(CallscopeError):
    """An input file cannot be read at all (empty, unknown format, missing column)."""


class MappingError(CallscopeError):
    """A CSV column mapping is wrong (unknown field, missing column, bad format)."""


class CallscopeWarning(UserWarning):
    """A warning raised by callscope itself (tests turn these into errors)."""
