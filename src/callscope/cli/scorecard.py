"""``callscope scorecard``: per agent and month, the QA score and the KPIs of their work
against their targets, and the ranking in each team."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from callscope.cli.app import (
    DbOpt,
    FromOpt,
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


#: what --output writes, by its suffix
_WRITERS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".json": "json", ".pdf": "pdf"}


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
            help="What to print: table, json (lines and ranking) or csv (one line per "
            "agent, month and measure).",
        ),
    ] = ScorecardFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file: .pdf (the scorecards and rankings, a page per team "
            "and month), or the lines as .xlsx, .csv, .parquet or .json.",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Agent scorecards: per agent and month the QA score, CSAT and NPS with their
    intervals, the KPIs of the agent's channel and adherence when schedules exist, each
    against its target; and each team's ranking (share of targets met, then QA score)."""
    from callscope.services.common import check_output_file
    from callscope.services.scorecard import (
        ScorecardRequest,
        scorecard,
        scorecard_view,
        write_scorecard_pdf,
    )

    if output is not None:
        check_output_file(output, "output", tuple(_WRITERS))
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
    if output is not None:
        kind = _WRITERS[output.suffix.lower()]
        if kind == "pdf":
            write_scorecard_pdf(sc, output)
            say(f"wrote the scorecards of {sc.ranking.num_rows} agent-months to {output}")
        else:
            from callscope.export.tables import write_table

            write_table(sc.lines, kind, output, sheet="scorecard")
            say(f"wrote {sc.lines.num_rows} scorecard lines to {output}")
    if fmt is ScorecardFormat.csv:
        from callscope.export.tables import write_table

        sys.stdout.write(write_table(sc.lines, "csv") or "")
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
