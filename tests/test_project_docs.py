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


def _options() -> dict[str, dict[str, object]]:
    """Every command path -> option name -> click parameter."""
    out: dict[str, dict[str, object]] = {}

    def walk(cmd, path: str) -> None:
        out[path] = {
            o: p
            for p in cmd.params
            if getattr(p, "param_type_name", "") == "option"
            for o in p.opts
        }
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "callscope")
    return out


#: spellings the CLI no longer has: one name, one form for each thing
RETIRED = {"--json", "--out", "--freq", "--threshold-s", "--interval-s", "--sl-target"}


def test_one_name_and_one_form_per_option():
    opts = _options()
    for path, names in opts.items():
        assert not RETIRED & set(names), (path, RETIRED & set(names))
        fmt = names.get("--format")
        if fmt is not None:  # --format is always what the command prints or writes
            choices = set(getattr(fmt.type, "choices", ()))
            assert choices <= {"table", "json", "csv", "parquet", "xlsx"}, (path, choices)
    # every command that reads the center's data or settings takes --settings (groups
    # of subcommands are not commands; erlang works on numbers given)
    groups = {p for p in opts if any(q.startswith(p + " ") for q in opts)}
    for p in opts:
        if p in groups or p == "callscope" or p.startswith("callscope erlang "):
            continue
        assert "--settings" in opts[p], f"`{p}` has no --settings"
    # the same option means the same thing: one default shown for shrinkage, one form
    # for durations and concurrency
    for path, names in opts.items():
        for flag in ("--shrinkage", "--interval", "--sl-threshold", "--concurrency"):
            if flag in names:
                assert names[flag].default in (None, []), (path, flag, names[flag].default)


def test_readme_uses_the_options_the_cli_has():
    readme = ROOT.joinpath("README.md").read_text()
    opts = _options()
    known = set().union(*(set(v) for v in opts.values()))
    lines = [ln.split("#")[0] for ln in readme.splitlines() if "callscope " in ln]
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", "\n".join(lines)))
    assert not used - known, sorted(used - known)
    assert not RETIRED & used


def test_every_setting_is_documented():
    import callscope.settings as settings_module
    from callscope.settings import Settings

    doc = settings_module.__doc__ or ""
    for key, _, _ in Settings().rows():
        leaf = key.split(".")[-1]
        assert re.search(rf"\b{re.escape(leaf)}\b", doc), f"setting {key} is not documented"
