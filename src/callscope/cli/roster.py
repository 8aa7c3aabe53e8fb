"""``callscope roster solve`` (the Curtois & Qu benchmark format) and ``callscope roster
build`` (a center's own agents, from the store or a file): named-agent rosters."""

from __future__ import annotations

import sys
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from callscope.cli.app import DbOpt, OutputOpt, SettingsOpt, app, load, print_json, say
from callscope.cli.render import number, pct, plain, print_rows

if TYPE_CHECKING:
    from callscope.services.rostering import RosterBuildResult

__all__ = ["build_cmd", "solve_cmd"]

roster_app = typer.Typer(
    help="Named-agent rosters: who works which shift on which day.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(roster_app, name="roster")


class SummaryFormat(StrEnum):
    table = "table"
    json = "json"


@roster_app.command("solve")
def solve_cmd(
    instance: Annotated[
        Path,
        typer.Argument(
            help="An Employee Shift Scheduling Benchmark file (Curtois & Qu), e.g. "
            "../shared/data/shift_scheduling/Instance1.txt.",
            show_default=False,
        ),
    ],
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", help="Wall-clock seconds to search (a bound is kept)."),
    ] = 60.0,
    output: OutputOpt = None,
    fmt: Annotated[
        SummaryFormat, typer.Option("--format", help="What to print: table or json.")
    ] = SummaryFormat.table,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the search.")] = 0,
    settings: SettingsOpt = None,
) -> None:
    """Roster a benchmark instance: the best roster found within the time limit, its
    objective, a proven lower bound and the gap. --output writes the roster as CSV
    (employee,day,shift; one row per worked shift, day 0 = the first day)."""
    from callscope.export.tables import write_table
    from callscope.services.common import check_output_file
    from callscope.services.rostering import RosterSolveRequest, roster_solve

    s = load(settings)
    if output is not None:
        check_output_file(output, "output", (".csv",))
    r = roster_solve(s, RosterSolveRequest(instance=instance, time_limit_s=time_limit, seed=seed))
    if output is not None:
        write_table(r.roster, "csv", output)
    if fmt is SummaryFormat.json:
        print_json({**r.summary(), "output": str(output) if output else None})
    else:
        print_rows(
            [r.summary()],
            [
                ("objective", "objective", number),
                ("bound", "bound", number),
                ("gap", "gap", lambda v: pct(v, 2)),
                ("seconds", "seconds", lambda v: number(v, 1)),
                ("feasible", "feasible", number),
                ("optimal", "optimal", number),
                ("bound_source", "bound from", plain),
            ],
            title=f"roster of {Path(r.instance).name}: {r.agents.num_rows} agents, {r.days} days",
            left=("bound_source",),
        )
        print_rows(
            r.agents.to_pylist(),
            [
                ("employee", "agent", plain),
                ("shifts", "shifts", number),
                ("minutes", "minutes", number),
                ("weekends", "weekends", number),
                ("request_penalty", "unmet requests (weight)", number),
            ],
            left=("employee",),
        )
    if not r.feasible:
        say("no roster meets every hard rule (days off, contracts, successions)")
    if output is not None and fmt is SummaryFormat.table:
        say(f"wrote {r.roster.num_rows:,} shifts to {output}")
    sys.stdout.flush()


#: request fields of ``roster build`` -> its flags (for one-line errors)
_BUILD_FLAGS = {
    "contracts": "--contracts",
    "agents": "--agents",
    "teams": "--team",
    "queues": "--queue",
    "cover_time_limit_s": "--cover-time-limit",
}


class BuildFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@roster_app.command("build")
def build_cmd(
    shifts: Annotated[
        Path,
        typer.Option(
            "--shifts",
            help="Shift templates (TOML, as `schedule cover` reads them) or a coverage matrix.",
            show_default=False,
        ),
    ],
    requirement: Annotated[
        Path | None,
        typer.Option(
            "--requirement",
            help="Agents needed per interval: a plan or staff CSV (interval_start with "
            "dates, scheduled_agents ...) [default: the capacity plan of the store's latest "
            "forecast, as `callscope plan` makes it].",
            show_default=False,
        ),
    ] = None,
    agents: Annotated[
        Path | None,
        typer.Option(
            "--agents",
            help="The agents to roster, CSV or YAML (agent,team and any contract key per "
            "agent: max_hours_per_week, days_off, time_off, requests ...) [default: the "
            "store's agents table].",
            show_default=False,
        ),
    ] = None,
    contracts: Annotated[
        Path | None,
        typer.Option(
            "--contracts",
            help='Contracts, TOML or YAML ([weights], [default], [team."NAME"], '
            '[agent."ID"]: hours a week, days in a row, days off in a row, weekends, rest, '
            "shifts, days off, time off, requests) [default: 40 h a week from the settings, "
            "6 days in a row, 11 h rest].",
            show_default=False,
        ),
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option(
            "--team", help="Roster only this team's agents (repeat for more).", show_default=False
        ),
    ] = None,
    queue: Annotated[
        list[str] | None,
        typer.Option(
            "--queue",
            help="Cover only this queue's requirement (repeat for more).",
            show_default=False,
        ),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option(
            "--column",
            help="The requirement's agents column [scheduled_agents].",
            show_default=False,
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Wall-clock seconds for the roster.")
    ] = 60.0,
    cover_time_limit: Annotated[
        float,
        typer.Option("--cover-time-limit", help="Wall-clock seconds for the shift cover."),
    ] = 30.0,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Store the roster as the agents' schedules (replacing theirs on those "
            "days), for `callscope adherence`.",
        ),
    ] = False,
    output: OutputOpt = None,
    fmt: Annotated[
        BuildFormat,
        typer.Option(
            "--format",
            help="What to print: table (summary, the roster by day, what is short), json "
            "(every number) or csv (the roster, one row per shift).",
        ),
    ] = BuildFormat.table,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the search.")] = 0,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Roster named agents for a requirement: the shift cover of the requirement, then
    who works which shift on which day under their contracts, with breaks. Prints the
    objective (cover shortfall and excess plus unmet requests, weighted), a proven
    lower bound and the gap, the roster by day and what is left short. --output writes
    the roster as CSV (employee,day,shift,date,template,start,end,paid_hours)."""
    from callscope.errors import CallscopeError
    from callscope.export.tables import write_table
    from callscope.services.common import check_output_file
    from callscope.services.rostering import RosterBuildRequest, roster_build

    s = load(settings, db)
    try:
        if output is not None:
            check_output_file(output, "output", (".csv",))
        r = roster_build(
            s,
            RosterBuildRequest(
                shifts=shifts,
                requirement=requirement,
                contracts=contracts,
                agents=agents,
                teams=tuple(team or ()),
                queues=tuple(queue or ()),
                column=column,
                time_limit_s=time_limit,
                cover_time_limit_s=cover_time_limit,
                seed=seed,
                save=save,
            ),
        )
    except CallscopeError as e:
        if e.field in _BUILD_FLAGS:
            e.field = _BUILD_FLAGS[e.field]
        raise
    if output is not None:
        write_table(r.roster, "csv", output)
    summary = r.summary()
    if fmt is BuildFormat.json:
        print_json({**summary, "output": str(output) if output else None})
    elif fmt is BuildFormat.csv:
        sys.stdout.write(write_table(r.roster, "csv") or "")
    else:
        _print_build(r, summary)
        if output is not None:
            say(f"wrote {r.roster.num_rows:,} shifts to {output}")
    if save and fmt is BuildFormat.table:
        say(
            f"stored {r.saved:,} schedule rows"
            + (f" (replacing {r.replaced:,})" if r.replaced else "")
            + "; `callscope adherence` measures against them"
        )
    sys.stdout.flush()


def _print_build(r: RosterBuildResult, summary: dict[str, Any]) -> None:
    pen = summary["penalty"]
    summary = {
        **summary,
        "short_h": summary["under_agent_hours"]["roster"],
        "parts": f"{pen['under']:,} short + {pen['over']:,} over + {pen['requests']:,} requests",
    }
    last = r.first + timedelta(days=r.days - 1)
    print_rows(
        [summary],
        [
            ("objective", "objective", number),
            ("parts", "= cover short + over + requests", plain),
            ("bound", "proven bound", number),
            ("gap", "gap", lambda v: pct(v, 2)),
            ("seconds", "seconds", lambda v: number(v, 1)),
            ("shifts_required", "shifts wanted", number),
            ("shifts_worked", "rostered", number),
            ("short_h", "agent-h short", lambda v: number(v, 1)),
        ],
        title=f"roster of {r.agents.num_rows} agents, {r.first} to {last} ({r.days} days)",
    )
    labels, grid = r.grid()
    if r.days <= 35:  # a grid per week (7 day columns fit a terminal)
        weeks = [labels[i : i + 7] for i in range(0, len(labels), 7)]
        for w, days in enumerate(weeks):
            last_week = w == len(weeks) - 1
            totals = [
                ("paid_hours", "paid h", lambda v: number(v, 1)),
                ("max_hours", "max h", lambda v: "-" if v is None else number(v, 1)),
            ]
            print_rows(
                grid,
                [
                    ("employee", "agent", plain),
                    ("team", "team", plain),
                    *[(lab, lab, plain) for lab in days],
                    *(totals if last_week else []),
                ],
                title=f"week {w + 1}" if len(weeks) > 1 else None,
                left=("employee", "team", *days),
            )
    else:
        print_rows(
            r.agents.to_pylist(),
            [
                ("employee", "agent", plain),
                ("team", "team", plain),
                ("shifts", "shifts", number),
                ("paid_hours", "paid hours", lambda v: number(v, 1)),
                ("min_hours", "min", lambda v: number(v, 1)),
                ("max_hours", "max", lambda v: number(v, 1)),
                ("weekends", "weekends", number),
                ("request_penalty", "unmet requests (weight)", number),
            ],
            left=("employee", "team"),
        )
    if r.unmet:
        print_rows(
            r.unmet,
            [
                ("date", "date", plain),
                ("shift", "shift", plain),
                ("required", "wanted", number),
                ("rostered", "rostered", number),
                ("short", "short", number),
            ],
            title="shifts left short (no agent left to work them)",
            left=("date", "shift"),
        )
    short = r.short_days()
    if short:
        print_rows(
            short,
            [
                ("date", "date", plain),
                ("agent_hours", "agent-hours short", lambda v: number(v, 1)),
                ("most_short", "most agents short", lambda v: number(v, 1)),
                ("at", "at", plain),
            ],
            title="the requirement left short, per day (json: short_intervals)",
            left=("date", "at"),
        )
    unmet_req = sum(1 for a in r.agents.to_pylist() if a["request_penalty"])
    if unmet_req:
        say(f"{unmet_req} agents have requests not met (json: per_agent.request_penalty)")
    for note in r.notes:
        say(note)
