"""The effective settings, each with where it came from (``callscope settings show``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callscope.settings import Settings

__all__ = ["SettingRow", "show_settings"]


@dataclass(frozen=True, slots=True)
class SettingRow:
    key: str  #: dotted, as in the file: ``staffing.shrinkage``
    value: Any
    source: str  #: ``default``, the settings file, ``$CALLSCOPE_DB`` or a flag


def show_settings(settings: Settings) -> list[SettingRow]:
    """Every effective setting, in the order of the settings file."""
    return [SettingRow(k, v, src) for k, v, src in settings.rows()]
