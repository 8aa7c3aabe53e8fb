"""The docstring examples of the queueing modules run (and stay true)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["erlang", "staffing", "patience", "distributions", "simulate"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    mod = importlib.import_module(f"callscope.queueing.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def test_every_queueing_command_has_help() -> None:
    import callscope.cli  # noqa: F401
    from callscope.cli.app import app
    from callscope.cli.queueing import erlang_app

    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert {"staff", "simulate"} <= names
    for cmd in [*app.registered_commands, *erlang_app.registered_commands]:
        if cmd.name in ("staff", "simulate", "b", "c", "a"):
            assert (cmd.callback.__doc__ or "").strip(), cmd.name
