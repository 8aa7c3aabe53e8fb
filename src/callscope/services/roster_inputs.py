"""What ``callscope roster build`` reads: the agents (an agents file or the store's
``agents`` table), and the requirement, per interval (a plan or staff CSV, else the
capacity plan of the store's latest forecast) or per day and shift (``date,shift,
required``). Each mistake is one :class:`~callscope.errors.CallscopeError` naming the
file, the line and the fix; :mod:`callscope.services.rostering` uses these."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    from callscope.schedule.cover import CoverResult
    from callscope.schedule.roster_agents import AgentsFile
    from callscope.schedule.templates import ShiftSet
    from callscope.services.rostering import RosterBuildRequest

__all__ = [
    "SHIFT_COUNT_COLUMNS",
    "agents_file",
    "given_cover",
    "is_yaml",
    "per_shift",
    "read_text",
    "requirement_per_interval",
    "store_inputs",
]


def read_text(path: Path, field: str, what: str) -> str:
    path = Path(path)
    if not path.exists():
        raise CallscopeError(f"{path} does not exist", field=field)
    if path.is_dir():
        raise CallscopeError(f"{path} is a folder; give {what}", field=field)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CallscopeError(f"cannot read {path}: it is not UTF-8 text", field=field) from None


def is_yaml(path: Path) -> bool:
    return Path(path).suffix.lower() in (".yaml", ".yml")


def agents_file(request: RosterBuildRequest, weight: int) -> AgentsFile | None:
    from callscope.schedule.roster_agents import read_agents_file

    if request.agents is None:
        return None
    path = Path(request.agents)
    if path.suffix.lower() not in (".csv", ".yaml", ".yml"):
        raise CallscopeError(
            f"{path}: give a .csv or a .yaml file of agents (agent,team,...)", field="agents"
        )
    text = read_text(path, "agents", "an agents file (CSV or YAML)")
    return read_agents_file(text, str(path), yaml_syntax=is_yaml(path), request_weight=weight)


def store_inputs(
    settings: Settings, request: RosterBuildRequest, listed: AgentsFile | None
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]], list[str]]:
    """The agents to roster (``listed``, else the store's) and every team, after
    checking that there are agents, the teams asked for and (without
    ``--requirement``) a forecast. The store is not opened when nothing needs it."""
    from callscope.services.common import open_store
    from callscope.store.forecasts import forecast_info
    from callscope.store.roster import read_agents

    everyone: list[tuple[str, str | None]] = []
    info = None
    if listed is None or request.requirement is None:
        with open_store(settings) as store:
            everyone = read_agents(store) if listed is None else []
            info = forecast_info(store) if request.requirement is None else None
    if listed is not None:
        everyone = list(listed.agents)
    elif not everyone:
        raise CallscopeError(
            f"the store {settings.db} has no agents to roster: give them in a file with "
            "--agents (CSV or YAML: agent,team,...), load the agents table, or give another "
            "store",
            field="db",
        )
    teams = sorted({t for _, t in everyone if t is not None})
    for t in request.teams:
        if t not in teams:
            where = "the agents file" if listed is not None else "the store"
            raise CallscopeError(
                f"no team {t!r} in {where} (teams: {', '.join(teams) or 'none'})", field="teams"
            )
    agents = [a for a in everyone if not request.teams or a[1] in request.teams]
    if request.requirement is None and info is None:
        raise CallscopeError(
            "the store has no forecast to plan from: run `callscope forecast` (this command "
            "then plans it as `callscope plan` does), or give a plan CSV with --requirement",
            field="requirement",
        )
    return agents, everyone, teams


def requirement_per_interval(
    settings: Settings, request: RosterBuildRequest, tmp: Path
) -> tuple[Any, Any, list[str], date | None, str, list[str], str]:
    """The requirement per slot (:func:`callscope.services.scheduling.read_requirement`
    on the file, or on the base scenario of the latest forecast's capacity plan), with
    only ``request.queues``' rows when given; plus where it came from."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from callscope.export.tables import write_table
    from callscope.services.common import read_csv_table
    from callscope.services.scheduling import read_requirement

    source = str(request.requirement)
    path = request.requirement
    table = None
    if path is None:
        from callscope.services.forecasting import PlanRequest, capacity_plan

        plan = capacity_plan(settings, PlanRequest())
        table = plan.plan.intervals
        table = table.filter(pc.equal(table.column("scenario"), "base"))
        source = f"the capacity plan of {plan.source}"
    elif request.queues:
        table = read_csv_table(path, "requirement", strings=("interval_start", "queue"))
    if request.queues:
        assert table is not None
        if "queue" not in table.column_names:
            raise CallscopeError("the requirement has no column 'queue' to pick", field="queues")
        known = sorted({str(q) for q in table.column("queue").to_pylist()})
        for q in request.queues:
            if q not in known:
                raise CallscopeError(
                    f"no queue {q!r} in the requirement (queues: {', '.join(known)})",
                    field="queues",
                )
        queues = pa.array(list(request.queues), pa.string())
        table = table.filter(pc.is_in(table.column("queue").cast(pa.string()), queues))
        source += f", queues {', '.join(request.queues)}"
    if table is not None:
        if table.column("interval_start").type != pa.string():
            strs = [
                v.strftime("%Y-%m-%d %H:%M:%S") if hasattr(v, "strftime") else v
                for v in table.column("interval_start").to_pylist()
            ]
            i = table.column_names.index("interval_start")
            table = table.set_column(i, "interval_start", pa.array(strs, pa.string()))
        path = tmp / "requirement.csv"
        write_table(table, "csv", path)
    assert path is not None
    required, horizon, labels, first, col, notes = read_requirement(settings, path, request.column)
    return required, horizon, labels, first, col, notes, source


#: count columns of a requirement per day and shift, in order of preference
SHIFT_COUNT_COLUMNS = ("required", "agents", "count")


def per_shift(path: Path) -> bool:
    """Is ``path`` a requirement per day and shift (``date,shift,required``) rather
    than per interval (``interval_start``)?"""
    try:
        with open(path, encoding="utf-8-sig") as f:
            head = f.readline()
    except (OSError, UnicodeDecodeError):
        return False  # the per-interval reader names the problem
    cols = {c.strip().strip('"').lower() for c in head.split(",")}
    return "shift" in cols and "date" in cols and "interval_start" not in cols


def given_cover(
    settings: Settings, request: RosterBuildRequest, shifts: ShiftSet
) -> tuple[CoverResult, date, list[str], str, list[str]]:
    """The shifts wanted per day from a ``date,shift,required`` CSV, as a cover
    (:func:`callscope.schedule.roster_build.fixed_cover`), its first date, slot
    labels, count column and notes."""
    from callscope.schedule.cover import Horizon
    from callscope.schedule.roster_build import fixed_cover
    from callscope.services.common import read_csv_table

    path = Path(request.requirement or "")
    if request.queues:
        raise CallscopeError(
            "a requirement per day and shift has no queues; --queue picks rows of a "
            "requirement per interval",
            field="queues",
        )
    table = read_csv_table(path, "requirement", strings=("date", "shift"))
    names = table.column_names
    col = request.column or next((c for c in SHIFT_COUNT_COLUMNS if c in names), None)
    if col is None or col not in names:
        raise CallscopeError(
            f"{path} has no column {col or ' or '.join(SHIFT_COUNT_COLUMNS)!r} of agents "
            "wanted; write date,shift,required (e.g. 2025-01-06,early,12)",
            field="requirement",
        )
    if table.num_rows == 0:
        raise CallscopeError(f"{path} has a header but no rows", field="requirement")
    rows = []
    for i, (d, sh, n) in enumerate(
        zip(
            table.column("date").to_pylist(),
            table.column("shift").to_pylist(),
            table.column(col).to_pylist(),
            strict=True,
        ),
        start=2,
    ):
        at = f"{path} line {i}"
        try:
            day = date.fromisoformat(str(d).strip())
        except ValueError:
            raise CallscopeError(
                f"{at}: date {d!r} is not a date; write YYYY-MM-DD, e.g. 2025-01-06",
                field="requirement",
            ) from None
        try:
            count = float(n)
            ok = math.isfinite(count) and count >= 0 and count == int(count)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise CallscopeError(
                f"{at}: {col} {n!r}; write a whole number of agents >= 0", field="requirement"
            )
        if sh is None or not str(sh).strip():
            raise CallscopeError(f"{at}: no shift; name a template", field="requirement")
        rows.append((i, day, str(sh).strip(), int(count)))
    first = min(r[1] for r in rows)
    days = (max(r[1] for r in rows) - first).days + 1
    if days > 366:
        raise CallscopeError(
            f"{path} spans {days} days; roster at most a year at once", field="requirement"
        )
    slot = settings.interval_s / 60.0
    horizon = Horizon(days, slot, first.weekday(), cyclic=False)
    wanted = [(i, (d - first).days, sh, n) for i, d, sh, n in rows]
    cover = fixed_cover(shifts, horizon, wanted, str(path))
    if int(cover.counts.sum()) == 0:
        raise CallscopeError(
            f"{path} wants no shift (every {col} is 0): nothing to roster", field="requirement"
        )
    t0 = datetime.combine(first, time())
    labels = [
        (t0 + timedelta(minutes=k * slot)).strftime("%Y-%m-%d %H:%M") for k in range(horizon.slots)
    ]
    return cover, first, labels, col, []
