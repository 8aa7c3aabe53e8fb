"""Docs that cannot go stale: the README's two commands, CI, and help on every command."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from callscope.cli import app
from callscope.model import TABLES

ROOT = Path(__file__).resolve().parents[1]


def test_readme_first_screen_has_the_two_commands():
    first_screen = "\n".join(ROOT.joinpath("README.md").read_text().splitlines()[:25])
    assert "scripts/demo" in first_screen and "scripts/test" in first_screen
    for script in ("scripts/demo", "scripts/test", "scripts/setup", ".ci/run"):
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert "scripts/test" in ROOT.joinpath(".ci/run").read_text()


def test_lock_file_pins_everything():
    lock = ROOT.joinpath("uv.lock").read_text()
    for pkg in ("duckdb", "ibis-framework", "pyspark", "statsforecast", "sqlglot"):
        assert re.search(rf'name = "{pkg}"\nversion = "[^"]+"', lock), pkg
    sqlglot = re.search(r'name = "sqlglot"\nversion = "(\d+)', lock)
    assert sqlglot and int(sqlglot.group(1)) < 28  # Ibis 12 breaks with sqlglot 28+


def test_every_command_has_help():
    group = typer.main.get_command(app)
    seen = []

    def walk(cmd, path: str) -> None:  # Typer may carry its own click: duck-type it
        seen.append(path)
        assert (cmd.help or "").strip(), f"`{path}` has no help text"
        for p in cmd.params:
            if getattr(p, "param_type_name", "") == "option" and not getattr(p, "hidden", False):
                assert (p.help or "").strip(), f"`{path} {p.opts[0]}` has no help text"
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(group, "callscope")
    assert {"callscope ingest", "callscope rejects", "callscope synth", "callscope demo"} <= set(
        seen
    )


def test_every_canonical_column_is_documented():
    for table in TABLES.values():
        for col in table.columns:
            assert col.doc.strip(), f"{table.name}.{col.name} has no description"
