"""The ``>>>`` examples in every module's docstrings run as tests (Ibis and Ciw run
their docs the same way): an example that stops being true fails here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import callscope

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(callscope.__path__, prefix="callscope.")
    if m.name != "callscope.__main__"  # runs the CLI when imported
)


def test_every_module_is_listed() -> None:
    assert len(MODULES) > 80 and "callscope.queueing.erlang" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
