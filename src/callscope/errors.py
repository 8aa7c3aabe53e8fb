"""Errors and warnings a user can act on.

A :class:`CallscopeError` is a user's mistake or a bad input (unknown format, missing
column, empty file, wrong mapping, a target that cannot be read). It may name the
*field* of the request it is about (``target``, ``calls``, ``input`` ...): the message
then reads after that field, and each interface names the field its own way. The CLI
prints ``error: --target: <message>`` on one line and exits with status 2; the web app
puts the message next to the form field. Anything else is a bug and keeps its
traceback.

>>> e = CallscopeError("must be > 0; got -3", field="aht_s")
>>> e.field, str(e)
('aht_s', 'must be > 0; got -3')
>>> e.render({"aht_s": "--aht-s"})
'--aht-s: must be > 0; got -3'
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CallscopeError", "CallscopeWarning", "InputError", "MappingError", "NotAllowed"]


class CallscopeError(Exception):
    """An error whose message tells the user what is wrong and how to fix it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def render(self, labels: Mapping[str, str] | None = None) -> str:
        """The message, preceded by the field's label (``labels[field]``, else the field
        name) when the error names a field."""
        msg = str(self)
        if self.field is None:
            return msg
        label = (labels or {}).get(self.field, self.field)
        return f"{label}: {msg}"

    def at(self, field: str) -> CallscopeError:
        """This error, now about ``field`` (when it did not name one yet)."""
        if self.field is None:
            self.field = field
        return self


class InputError(CallscopeError):
    """An input file cannot be read at all (empty, unknown format, missing column)."""


class MappingError(CallscopeError):
    """A CSV column mapping is wrong (unknown field, missing column, bad format)."""


class NotAllowed(CallscopeError):
    """The person asking may not see what they asked for (another agent's page, say)."""


class CallscopeWarning(UserWarning):
    """A warning raised by callscope itself (tests turn these into errors)."""
