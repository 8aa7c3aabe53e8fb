"""CLI start-up cost: CPU seconds (user + system) of short ``callscope`` commands.

Issue 9 asks that ``callscope --help`` and ``callscope erlang c ...`` each cost at most
0.3 s of CPU. Each command runs as a subprocess of this script, many times, interleaved
(one round runs every command once, in order), and its CPU time is the
``resource.getrusage(RUSAGE_CHILDREN)`` delta around the run; the table gives medians,
next to ``python -c pass`` of the same interpreter as the floor.

Two states of Python's bytecode cache are measured:

* **cached** (the figure that counts): ``.pyc`` files exist, as on any run of an
  installed program after its first (pip compiles them at install; otherwise Python
  writes them on first import). Here they live in a temporary ``PYTHONPYCACHEPREFIX``,
  written by one untimed warm-up round, so the shared environment is not touched.
* **no .pyc**: every imported module is compiled from source on every run. This is
  how this machine's sessions run (``PYTHONDONTWRITEBYTECODE=1`` and a venv installed
  without ``.pyc``); shown because it multiplies the cost of every import.

With ``--old DIR`` the same commands also run from an older checkout (a git worktree
with its own venv), for a before/after in the same run::

    git worktree add /tmp/cs-old e0c4b05
    cd /tmp/cs-old && python3.11 -m venv .venv && .venv/bin/pip install -q uv==0.13.9 \\
        && UV_PROJECT_ENVIRONMENT=.venv .venv/bin/uv sync --frozen --no-default-groups
    cd - && uv run --no-sync python benchmarks/cli.py --old /tmp/cs-old
    git worktree remove --force /tmp/cs-old

Run::

    uv run --no-sync python benchmarks/cli.py [--runs 15] [--old DIR] [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 0.3  #: issue 9: at most 0.3 s of CPU for --help and erlang c

#: (label, arguments after ``callscope``): today's option names
NEW = (
    ("callscope --help", ["--help"]),
    (
        "callscope erlang c --calls 100 --aht-s 180 --agents 14",
        ["erlang", "c", "--calls", "100", "--aht-s", "180", "--agents", "14"],
    ),
    (
        "callscope erlang c --calls 100 --aht-s 180 --target 80/20",
        ["erlang", "c", "--calls", "100", "--aht-s", "180", "--target", "80/20"],
    ),
)
#: the same questions in the option names of e0c4b05 (--interval-s; it had no --target)
OLD = (
    ("callscope --help", ["--help"]),
    (
        "callscope erlang c --calls 100 --interval-s 1800 --aht-s 180 --agents 14",
        [
            "erlang",
            "c",
            "--calls",
            "100",
            "--interval-s",
            "1800",
            "--aht-s",
            "180",
            "--agents",
            "14",
        ],
    ),
)


def cpu_of(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    """User + system CPU seconds of one run of ``cmd`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def environment(pycache: Path, write: bool) -> dict[str, str]:
    """The commands' environment: no CALLSCOPE_* variables; bytecode read from (and, if
    ``write``, written to) ``pycache`` only."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CALLSCOPE_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; load average {load}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="runs of each command (median)")
    ap.add_argument("--old", type=Path, default=None, help="older checkout with its .venv")
    ap.add_argument("--quick", action="store_true", help="5 runs, cached bytecode only")
    args = ap.parse_args()
    runs = 5 if args.quick else args.runs
    new_bin = Path(sys.executable).parent
    cases: list[tuple[str, str, list[str]]] = [
        ("floor", "python -c pass", [sys.executable, "-c", "pass"])
    ]
    cases += [("now", label, [str(new_bin / "callscope"), *a]) for label, a in NEW]
    if args.old is not None:
        old_bin = args.old / ".venv" / "bin"
        cases += [("e0c4b05", label, [str(old_bin / "callscope"), *a]) for label, a in OLD]
    modes = ("cached",) if args.quick else ("cached", "no .pyc")
    start = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()} (start)"
    results: dict[tuple[str, str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="callscope-cli-") as tmp:
        d = Path(tmp)
        (d / "run").mkdir()  # an empty folder: no callscope.toml, no store
        warm = environment(d / "pyc-warm", write=True)
        cold = environment(d / "pyc-empty", write=False)
        for _, _, cmd in cases:  # writes the bytecode cache and numba's, warms the disk
            cpu_of(cmd, warm, d / "run")
        for mode in modes:
            env = warm if mode == "cached" else cold
            for _ in range(runs):
                for who, label, cmd in cases:
                    results.setdefault((mode, who, label), []).append(cpu_of(cmd, env, d / "run"))
    end = f"{machine()} (end)"
    print(f"Run {start}; {end}. CPU = user + system seconds, median of {runs} runs.\n")
    print("| bytecode | checkout | command | CPU s (median) | min | max | limit 0.3 s |")
    print("|---|---|---|---:|---:|---:|---|")
    for (mode, who, label), xs in results.items():
        med = statistics.median(xs)
        ok = "" if who == "floor" else ("met" if med <= LIMIT_S else "MISSED")
        print(f"| {mode} | {who} | `{label}` | {med:.3f} | {min(xs):.3f} | {max(xs):.3f} | {ok} |")
    print()
    for mode in modes:
        floor = statistics.median(results[(mode, "floor", "python -c pass")])
        for label, _ in NEW:
            now = statistics.median(results[(mode, "now", label)])
            line = f"{mode}: `{label}` {now:.3f} s = {now / floor:.1f}x the floor"
            line += f", {now - floor:.3f} s above it"
            if args.old is not None:
                old_label = OLD[0][0] if label == NEW[0][0] else OLD[1][0]
                old = statistics.median(results[(mode, "e0c4b05", old_label)])
                line += f"; e0c4b05 `{old_label}` {old:.3f} s, {old / now:.1f}x more"
            print(line)


if __name__ == "__main__":
    main()
