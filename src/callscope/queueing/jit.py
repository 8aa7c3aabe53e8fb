"""``numba.njit``, deferred: kernels compile on first use, and a short query can run
them as plain Python.

Importing numba costs about half a second of CPU, more than a whole
``callscope erlang c`` query needs. The Erlang kernels are therefore declared with
:func:`njit` from this module: declaring one imports nothing. The first call of any
kernel imports numba, compiles every declared kernel (``cache=True`` kernels load from
numba's on-disk cache) and replaces each kernel object in the globals of callscope's
modules by its compiled dispatcher, so that compiled kernels calling each other see
compiled callees, exactly as with a plain ``@numba.njit``. Inside :func:`interpreted`,
kernels run as the plain Python functions they are written as (same code, same
results, slower per element): right for one interval, wrong for a year of them.

>>> @njit(cache=False)
... def _twice(x):
...     return 2 * x
>>> with interpreted():
...     _twice(21)
42
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Kernel", "compiled", "interpreted", "njit"]

_lock = threading.Lock()
_state = threading.local()
_registry: list[Kernel] = []
_active = False


class Kernel:
    """A function to be compiled by numba on first use (see the module docstring)."""

    def __init__(self, func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = func
        self.options = options
        self.dispatcher: Any = None
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any) -> Any:
        if getattr(_state, "interpreted", False):
            return self.py_func(*args)
        if self.dispatcher is None:
            _activate()
        return self.dispatcher(*args)

    def __repr__(self) -> str:
        return f"<deferred kernel {self.py_func.__qualname__}>"


def njit(*args: Any, **options: Any) -> Any:
    """Use as ``@njit`` or ``@njit(cache=True, ...)`` (options go to ``numba.njit``)."""

    def declare(func: Callable[..., Any]) -> Any:
        with _lock:
            if _active:
                import numba

                return numba.njit(**options)(func)
            kernel = Kernel(func, options)
            _registry.append(kernel)
            return kernel

    if args and callable(args[0]) and not options:
        return declare(args[0])
    return declare


def _activate() -> None:
    """Compile every declared kernel and swap the dispatchers into module globals."""
    global _active
    with _lock:
        if _active:
            return
        import numba

        for k in _registry:
            k.dispatcher = numba.njit(**k.options)(k.py_func)
        swap = {id(k): k.dispatcher for k in _registry}
        for mod in list(sys.modules.values()):
            name = getattr(mod, "__name__", "") or ""
            if not name.startswith("callscope"):
                continue
            g = vars(mod)
            for attr, value in list(g.items()):
                if isinstance(value, Kernel):
                    g[attr] = swap[id(value)]
        _active = True


@contextmanager
def interpreted() -> Iterator[None]:
    """Run kernels as plain Python inside the block (this thread only)."""
    before = getattr(_state, "interpreted", False)
    _state.interpreted = True
    try:
        yield
    finally:
        _state.interpreted = before


def compiled() -> bool:
    """Whether the kernels have been compiled in this process (after which every call,
    inside :func:`interpreted` too, runs compiled code)."""
    return _active
