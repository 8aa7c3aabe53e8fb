"""A small persistent (immutable) map: :meth:`PMap.set` returns a new map and leaves
the old one as it was, sharing everything it did not change.

The live reducer is a pure function of a state and an event; its state holds every
contact of the day, so copying a dict per event would cost O(contacts). A ``PMap`` is a
two-level table of 32 x 32 leaves (plain dicts) chosen by the key's hash: a change
copies one 32-slot top, one 32-slot branch and one leaf of about n / 1024 entries.

>>> a = PMap().set("x", 1)
>>> b = a.set("x", 2).set("y", 3)
>>> a.get("x"), b.get("x"), len(a), len(b), "y" in a
(1, 2, 1, 2, False)
>>> sorted(b.delete("x").items())
[('y', 3)]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

__all__ = ["PMap"]

K = TypeVar("K")
V = TypeVar("V")
_W = 32
_EMPTY_LEAF: dict[Any, Any] = {}


class PMap(Generic[K, V]):
    """An immutable mapping with cheap copies-on-write (see the module docstring)."""

    __slots__ = ("_len", "_top")

    def __init__(self) -> None:
        self._top: tuple[tuple[dict[K, V], ...] | None, ...] = (None,) * _W
        self._len = 0

    @classmethod
    def _made(cls, top: tuple[Any, ...], n: int) -> PMap[K, V]:
        m: PMap[K, V] = cls.__new__(cls)
        m._top = top
        m._len = n
        return m

    def _leaf(self, key: K) -> tuple[int, int, dict[K, V]]:
        h = hash(key)
        i, j = h & 31, (h >> 5) & 31
        branch = self._top[i]
        return i, j, (_EMPTY_LEAF if branch is None else branch[j])

    def get(self, key: K, default: Any = None) -> Any:
        return self._leaf(key)[2].get(key, default)

    def __getitem__(self, key: K) -> V:
        return self._leaf(key)[2][key]

    def __contains__(self, key: object) -> bool:
        return key in self._leaf(key)[2]  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def set(self, key: K, value: V) -> PMap[K, V]:
        """A map with ``key`` -> ``value``; this one unchanged."""
        i, j, leaf = self._leaf(key)
        grown = key not in leaf
        new_leaf = dict(leaf)
        new_leaf[key] = value
        return self._with(i, j, new_leaf, self._len + grown)

    def _with(self, i: int, j: int, leaf: dict[K, V], n: int) -> PMap[K, V]:
        """This map with leaf ``j`` of branch ``i`` replaced (a list and back is about
        twice as quick as slicing and joining tuples)."""
        branch = list(self._top[i] or ((_EMPTY_LEAF,) * _W))
        branch[j] = leaf
        top = list(self._top)
        top[i] = tuple(branch)
        return PMap._made(tuple(top), n)

    def delete(self, key: K) -> PMap[K, V]:
        """A map without ``key`` (the same map when it has none)."""
        i, j, leaf = self._leaf(key)
        if key not in leaf:
            return self
        new_leaf = dict(leaf)
        del new_leaf[key]
        return self._with(i, j, new_leaf, self._len - 1)

    def _leaves(self) -> Iterator[dict[K, V]]:
        for branch in self._top:
            if branch is not None:
                yield from branch

    def items(self) -> Iterator[tuple[K, V]]:
        for leaf in self._leaves():
            yield from leaf.items()

    def keys(self) -> Iterator[K]:
        for leaf in self._leaves():
            yield from leaf

    def values(self) -> Iterator[V]:
        for leaf in self._leaves():
            yield from leaf.values()

    def __iter__(self) -> Iterator[K]:
        return self.keys()

    def __repr__(self) -> str:
        return f"PMap({dict(self.items())!r})"
