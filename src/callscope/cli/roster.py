"""``callscope roster solve``: named-agent rosters (the Curtois & Qu benchmark format)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from callscope.cli.app import OutputOpt, SettingsOpt, app, load, print_json, say
from callscope.cli.render import number, pct, plain, print_rows

__all__ = ["solve_cmd"]

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
