"""The test tree itself: pytest imports test and helper modules by basename (there are no
``__init__.py`` packages under ``tests/``), so two test files with one name in two
folders break collection on a clean clone (``import file mismatch``); conftest files are
exempt (pytest loads each by its path)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).parent


def test_test_module_names_are_unique() -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in TESTS.rglob("*.py"):
        if "__pycache__" not in path.parts and path.name not in ("__init__.py", "conftest.py"):
            by_name[path.stem].append(str(path.relative_to(TESTS)))
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes, f"rename one of each: {clashes}"
