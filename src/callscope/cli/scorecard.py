"""``callscope scorecard``: per agent and month, the QA score and the KPIs of their work
against their targets, and the ranking in each team."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from callscope.cli.app import (
    DbOpt,
    FromOpt,
    OutputOpt,
    SettingsOpt,
    ToOpt,
    app,
    console,
    load,
    print_json,
    say,
    text,
)
from callscope.cli.render import number, plain, print_rows
from callscope.errors import CallscopeError

__all__ = ["scorecard_cmd"]


class ScorecardFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@app.command("scorecard")
def scorecard_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    agent: Annotated[
        list[str] | None,
        typer.Option(
            "--agent", help="Only this agent (repeat): an agent sees their own.", show_default=False
        ),
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="Only this team's agents (repeat).", show_default=False),
    ] = None,
    confidence: Annotated[
        float,
        typer.Option("--confidence", help="Confidence level of the QA, CSAT and NPS intervals."),
    ] = 0.95,
    fmt: Annotated[
        ScorecardFormat,
        typer.Option(
            "--format",
            help="table, json (lines and ranking), csv or xlsx (one line per agent, month "
            "and measure; xlsx needs --output).",
        ),
    ] = ScorecardFormat.table,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Agent scorecards: per agent and month the QA score, CSAT and NPS with their
    intervals, the KPIs of the agent's channel and adherence when schedules exist, each
    against its target; and each team's ranking (share of targets met, then QA score)."""
    from callscope.services.common import check_output_file
    from callscope.services.scorecard import ScorecardRequest, scorecard, scorecard_view

    if output is not None:
        check_output_file(output, "output")
    elif fmt is ScorecardFormat.xlsx:
        raise CallscopeError("xlsx is a binary format: give --output FILE", field="output")
    req = ScorecardRequest(
        start=start,
        end=end,
        agents=tuple(agent) if agent else None,
        teams=tuple(team) if team else None,
        confidence=confidence,
    )
    try:
        sc = scorecard(load(settings, db), req)
    except CallscopeError as e:
        if e.field == "teams":
            e.field = "--team"
        raise
    if output is not None or fmt in (ScorecardFormat.csv, ScorecardFormat.xlsx):
        from callscope.export.tables import write_table

        kind = fmt.value if fmt is not ScorecardFormat.table else "csv"
        written = write_table(sc.lines, kind, output, sheet="scorecard")
        if written is not None:
            sys.stdout.write(written)
        if output is not None:
            say(f"wrote {sc.lines.num_rows} scorecard lines to {output}")
        if fmt is not ScorecardFormat.table:
            return
    if fmt is ScorecardFormat.json:
        print_json({"lines": sc.lines.to_pylist(), "ranking": sc.ranking.to_pylist()})
        return
    if sc.lines.num_rows == 0:
        console.print(text("no agent worked in this period"), highlight=False)
        return
    columns, rows, context = scorecard_view(sc)
    print_rows(
        rows,
        [(k, title, str) for k, title in columns],
        title=(f"{context}: " if context else "")
        + "✓ target met, ~ near, ✗ missed; (n) evaluations or survey answers",
        left=tuple(k for k, _ in columns),
    )
    print_rows(
        [{**r, "month": f"{r['month']:%Y-%m}"} for r in sc.ranking.to_pylist()],
        (
            ("month", "month", str),
            ("team", "team", plain),
            ("rank", "rank", number),
            ("agent", "agent", str),
            ("met", "targets met", number),
            ("rated", "of", number),
            ("qa_score", "QA score", lambda v: "-" if v is None else f"{v:.1f}"),
        ),
        title="ranking in each team",
        left=("month", "team", "agent"),
    )
