"""Changing the center's settings (the Settings page and ``POST /api/v1/settings``).

The settings live in one TOML file (:mod:`callscope.settings`): a change is checked by
the same reader that loads the file at start-up (:func:`callscope.settings.settings_from_data`),
key by key, so each bad value gets the loader's own one line naming its key and what
it takes, and nothing is written while any key is wrong. A good change rewrites the file
(atomically: a temporary file beside it, then a rename; the file is written back as
plain TOML, so comments in it are not kept) and writes one audit entry per changed key
(``settings``: who, the key, old -> new).

The store path (``db``) and the pseudonym key file are not changed here: they are where
the data and its key live, set where the server is started.

>>> toml_text({"timezone": "Europe/Warsaw", "goals": {"voice": "85/20"},
...            "queues": {"Sales EU": {"goal": "90/15"}}})
'timezone = "Europe/Warsaw"\\n\\n[goals]\\nvoice = "85/20"\\n\\n[queues."Sales EU"]\\ngoal = "90/15"\\n'
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from callscope.errors import CallscopeError
from callscope.settings import Settings, read_settings_file, settings_from_data

__all__ = [
    "FIXED_KEYS",
    "SettingsChange",
    "SettingsChanged",
    "SettingsInvalid",
    "change_settings",
    "editable_keys",
    "toml_text",
]

#: Keys shown but not changed here (where the store and its key live).
FIXED_KEYS = ("db", "privacy.key_file")
_WHERE = "<form>"
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """New values by dotted key (``goals.voice``, ``queues.Sales.goal``): text as typed
    in the form (``"30s"``, ``"85/20"``, ``"true"``, ``"8"``) or a JSON value; ``file``
    is the settings file written (the one the settings came from, else a new one)."""

    values: Mapping[str, Any]
    actor: str
    file: Path


@dataclass(frozen=True)
class SettingsChanged:
    settings: Settings  #: the new effective settings
    changed: tuple[tuple[str, Any, Any], ...]  #: (key, old, new) as the rows show them
    file: Path


class SettingsInvalid(CallscopeError):
    """Some values cannot be read: ``errors`` maps each such key to its one line."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = dict(errors)


def editable_keys(settings: Settings) -> list[str]:
    """The dotted keys the Settings page offers, in the order of the file."""
    return [k for k, _, _ in settings.rows() if k not in FIXED_KEYS]


def _path(key: str) -> tuple[str, ...]:
    if key.startswith("queues."):
        name, dot, leaf = key[len("queues.") :].rpartition(".")
        if dot and not name.strip():
            raise CallscopeError("name the queue whose goal this is", field=key)
        if not dot or leaf not in ("channel", "goal"):
            raise CallscopeError(
                f"{key}: a queue key is queues.NAME.goal or queues.NAME.channel", field=key
            )
        return ("queues", name, leaf)
    return tuple(key.split("."))


def _value(given: Any, current: Any) -> Any:
    """A form's text as the TOML value the file would hold: true/false for a switch, a
    number when it reads as one, else the text."""
    if not isinstance(given, str):
        return given
    text = given.strip()
    if isinstance(current, bool) and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = node[part] = {}
        node = nxt
    node[path[-1]] = value


def _one_line(e: CallscopeError, key: str) -> str:
    msg = " ".join(str(e).split()).removeprefix(f"{_WHERE}: ").replace(f"{_WHERE} ", "")
    return msg if key in msg else f"{key}: {msg}"


def change_settings(settings: Settings, change: SettingsChange, now: datetime) -> SettingsChanged:
    """Check ``change`` against the loader, write the settings file and audit each
    changed key; the new effective settings back (the store path as it was). Raises
    :class:`SettingsInvalid` (every bad key with its line) and writes nothing then."""
    from callscope.services.common import open_store
    from callscope.store.access import audit

    file = change.file
    data: dict[str, Any] = read_settings_file(file) if file.is_file() else {}
    shown = {k: v for k, v, _ in settings.rows()}
    errors: dict[str, str] = {}
    wanted: dict[str, Any] = {}
    for key, given in change.values.items():
        if key in FIXED_KEYS:
            errors[key] = f"{key} is set where the server starts, not here"
            continue
        if key not in shown and not key.startswith("queues."):
            errors[key] = f"unknown setting {key!r}"
            continue
        try:
            path = _path(key)
        except CallscopeError as e:
            errors[key] = str(e)
            continue
        value = _value(given, shown.get(key))
        if key in shown and str(value).lower() == str(shown[key]).lower():
            continue  # as it is
        one = copy.deepcopy(data)
        _put(one, path, value)
        try:
            settings_from_data(one, _WHERE, Settings())
        except CallscopeError as e:
            errors[key] = _one_line(e, key)
            continue
        wanted[key] = (path, value)
    if errors:
        raise SettingsInvalid(errors)
    new_data = copy.deepcopy(data)
    for path, value in wanted.values():
        _put(new_data, path, value)
    try:
        parsed = settings_from_data(new_data, str(file), Settings())
    except CallscopeError as e:  # keys fine alone, not together
        raise SettingsInvalid({next(iter(wanted), "settings"): _one_line(e, "settings")}) from None
    new = replace(
        parsed, db=settings.db, file=file, sources={**parsed.sources, "db": settings.source("db")}
    )
    changed = tuple(
        (k, shown.get(k), v) for k, v, _ in new.rows() if k not in shown or shown[k] != v
    )
    if not changed:
        return SettingsChanged(settings, (), file)
    _write_atomically(file, toml_text(new_data))
    with open_store(settings, write=True, create=False) as store:
        for key, old, value in changed:
            audit(store, now, change.actor, "settings", key, {"old": old, "new": value})
    return SettingsChanged(new, changed, file)


def _write_atomically(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _key(k: str) -> str:
    return k if _BARE.fullmatch(k) else json.dumps(k, ensure_ascii=False)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def toml_text(data: Mapping[str, Any]) -> str:
    """``data`` (a settings file's keys) as TOML: top-level keys, then one table per
    section (``[queues."NAME"]`` per queue, other nested tables inline)."""
    out = [f"{_key(k)} = {_scalar(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, sec in data.items():
        if not isinstance(sec, dict):
            continue
        if name == "queues":
            for q, qv in sec.items():
                out += ["", f"[queues.{_key(q)}]"]
                out += [f"{_key(k)} = {_scalar(v)}" for k, v in qv.items()]
            continue
        out += ["", f"[{_key(name)}]"]
        out += [f"{_key(k)} = {_scalar(v)}" for k, v in sec.items()]
    return "\n".join(out).lstrip("\n") + "\n"
