"""``callscope qa sample|calibration|surveys``: the statistics of a QA program, which
contacts to evaluate, whether the evaluators agree, and what the surveys say with their
uncertainty. Registered on the ``qa`` group of :mod:`callscope.cli.qa`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from callscope.cli.app import DbOpt, FromOpt, OutputOpt, SettingsOpt, ToOpt, load, print_json, say
from callscope.cli.qa import Format, FormatOpt, TableFormat, flags, qa_app
from callscope.cli.render import number, pct, plain, print_rows
from callscope.errors import CallscopeError

__all__ = ["calibration_cmd", "sample_cmd", "surveys_cmd"]


# -- sampling ---------------------------------------------------------------------------


@qa_app.command("sample")
def sample_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    per_agent: Annotated[
        int | None,
        typer.Option(
            "--per-agent",
            help="Contacts to evaluate per agent per period [settings quality.sample_per_agent, 4].",
            show_default=False,
        ),
    ] = None,
    period: Annotated[str, typer.Option("--period", help="month or week.")] = "month",
    strata: Annotated[
        str,
        typer.Option(
            "--strata",
            help="Stratify by these, comma-separated: queue, channel, outcome, handle_band "
            "('none': no strata).",
        ),
    ] = "queue,channel,outcome,handle_band",
    weight: Annotated[
        str | None,
        typer.Option(
            "--weight",
            help="Favour contacts worth a look: low-csat or long-aht [none].",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed, the same plan.")
    ] = 0,
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="Only this agent (repeat).", show_default=False),
    ] = None,
    fmt: Annotated[
        TableFormat,
        typer.Option("--format", help="What to print: table, json or csv (the picks)."),
    ] = TableFormat.table,
    output: OutputOpt = None,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Contacts to evaluate: N per agent per period, stratified, optionally weighted,
    reproducible with --seed, never a contact already evaluated; and the coverage
    (agents short of their quota). --output writes the picks as CSV."""
    from callscope.services.qa_stats import SampleRequest, sample

    if output is not None:
        from callscope.services.common import check_output_file

        check_output_file(output, "output", (".csv",))
    parts = tuple(s.strip() for s in strata.split(",") if s.strip())
    if parts == ("none",):
        parts = ()
    with flags():
        plan = sample(
            load(settings, db),
            SampleRequest(
                start=start,
                end=end,
                per_agent=per_agent,
                period=period,
                strata=parts,
                weight=weight,
                seed=seed,
                agents=tuple(agent) if agent else None,
            ),
        )
    if output is not None:
        from callscope.export.tables import write_table

        write_table(plan.picks, "csv", output)
        say(f"wrote {plan.picks.num_rows} contacts to {output}")
    if fmt is TableFormat.csv:
        import pyarrow.csv as pacsv

        pacsv.write_csv(plan.picks, sys.stdout.buffer)
        return
    if fmt is TableFormat.table and plan.coverage.num_rows == 0:
        who = f" by {', '.join(agent)}" if agent else ""
        since = f"{start:%Y-%m-%d %H:%M}" if start else "the start of the data"
        until = f"{end:%Y-%m-%d %H:%M}" if end else "its end"
        fix = "check the agent ids or widen the period" if agent else "widen the period"
        say(f"no contact answered{who} from {since} to {until}: nothing to sample; {fix}")
        return
    if fmt is TableFormat.json:
        print_json(
            {
                "per_agent": plan.per_agent,
                "period": plan.period,
                "strata": list(plan.strata),
                "weight": plan.weight,
                "seed": plan.seed,
                "picks": plan.picks.to_pylist(),
                "coverage": plan.coverage.to_pylist(),
            }
        )
        return
    print_rows(
        [{**r, "ts": f"{r['ts']:%Y-%m-%d %H:%M}"} for r in plan.picks.to_pylist()],
        (
            ("agent", "agent", str),
            ("period", "period", str),
            ("contact_id", "contact", str),
            ("ts", "answered", str),
            ("queue", "queue", plain),
            ("channel", "channel", plain),
            ("outcome", "outcome", str),
            ("handle_band", "handle", str),
            ("csat", "csat", lambda v: number(v, 1)),
        ),
        title=f"{plan.picks.num_rows} contacts to evaluate ({plan.per_agent} per agent per "
        f"{plan.period}, seed {plan.seed})",
        left=("agent", "period", "contact_id", "ts", "queue", "channel", "outcome", "handle_band"),
    )
    short = plan.below_quota
    print_rows(
        plan.coverage.to_pylist(),
        (
            ("agent", "agent", str),
            ("period", "period", str),
            ("answered", "answered", number),
            ("evaluated", "evaluated", number),
            ("sampled", "sampled", number),
            ("quota", "quota", number),
            ("short", "short", lambda v: number(v) if v else ""),
        ),
        title="coverage"
        + (f": {len(short)} agent-periods below the quota" if short else ": every quota met"),
        left=("agent", "period"),
    )


# -- calibration ------------------------------------------------------------------------


def _print_calibration(c: Any) -> None:
    def alpha(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    print_rows(
        [
            {"what": "Krippendorff's alpha, nominal", "value": alpha(c.alpha_nominal)},
            {"what": "Krippendorff's alpha, ordinal", "value": alpha(c.alpha_ordinal)},
            {"what": "Krippendorff's alpha, interval", "value": alpha(c.alpha_interval)},
        ],
        (("what", "agreement", str), ("value", "value", str)),
        title="agreement (1 perfect, 0 chance; 0.8 reliable, 0.667 tentative)",
        left=("what",),
    )
    if c.icc:
        print_rows(
            [
                {
                    "type": i.type,
                    "value": f"{i.value:.3f}",
                    "ci": f"{i.ci_low:.2f} to {i.ci_high:.2f}",
                    "f": f"{i.f:.2f}",
                    "p": f"{i.p:.3g}",
                }
                for i in c.icc
            ],
            (
                ("type", "ICC", str),
                ("value", "value", str),
                ("ci", "95 % interval", str),
                ("f", "F", str),
                ("p", "p", str),
            ),
            title=f"intraclass correlations over the {c.icc_items} items every evaluator scored",
            left=("type",),
        )
    ref = f"the expert {c.expert}" if c.expert else "the item mean"
    print_rows(
        list(c.evaluators),
        (
            ("evaluator", "evaluator", str),
            ("items", "items", number),
            ("bias", "bias", lambda v: number(v, 2)),
            ("mean_abs_deviation", "mean |deviation|", lambda v: number(v, 2)),
        ),
        title=f"deviation from {ref} (bias > 0: scores high)",
        left=("evaluator",),
    )
    print_rows(
        list(c.items),
        (
            ("item", "item", str),
            ("evaluators", "evaluators", number),
            ("mean", "mean", lambda v: number(v, 2)),
            ("sd", "sd", lambda v: number(v, 2)),
            ("min", "min", lambda v: number(v, 2)),
            ("max", "max", lambda v: number(v, 2)),
        ),
        title="spread per item",
        left=("item",),
    )
    for n in c.notes:
        say(n)


@qa_app.command("calibration")
def calibration_cmd(
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="CSV with a header evaluator,item,score; a blank or na score is not scored.",
            show_default=False,
        ),
    ] = None,
    from_store: Annotated[
        bool,
        typer.Option(
            "--from-store",
            help="Instead of --input: the stored evaluations of contacts two or more "
            "evaluators evaluated (each contact's item a unit, first revisions).",
        ),
    ] = False,
    form: Annotated[
        str | None,
        typer.Option(
            "--form", help="With --from-store: this form's evaluations.", show_default=False
        ),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    expert: Annotated[
        str | None,
        typer.Option(
            "--expert",
            help="Deviations from this evaluator [from the item mean].",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """Do the evaluators score alike? Krippendorff's alpha (nominal, ordinal, interval),
    ICC(1), ICC(2,1), ICC(3,1) and their k forms, each evaluator's deviation and the
    spread per item; from a CSV (--input) or the store's evaluations (--from-store)."""
    from callscope.services.qa_stats import CalibrationRequest, calibration

    if (input is None) == (not from_store):
        raise CallscopeError(
            "give --input SCORES.csv (evaluator,item,score) or --from-store", field="--input"
        )
    with flags():
        c = calibration(load(settings, db), CalibrationRequest(input, expert, form, start, end))
    if fmt is Format.json:
        print_json(c.as_dict())
        return
    _print_calibration(c)


# -- surveys ----------------------------------------------------------------------------


@qa_app.command("surveys")
def surveys_cmd(
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Group by, comma-separated: agent, team, queue, channel, month, week, day."
        ),
    ] = "agent",
    start: FromOpt = None,
    end: ToOpt = None,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of the intervals.")
    ] = 0.95,
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="What to print: table, json or csv.")
    ] = TableFormat.table,
    db: DbOpt = None,
    settings: SettingsOpt = None,
) -> None:
    """CSAT, NPS, survey FCR and every other survey item per group, with responses,
    response rate and a confidence interval (Wilson for shares, analytic for NPS, t for
    means)."""
    from callscope.services.qa_stats import SurveyRequest, survey_summary

    keys = tuple(b.strip() for b in by.split(",") if b.strip())
    with flags():
        t = survey_summary(load(settings, db), SurveyRequest(keys, start, end, confidence))
    if fmt is TableFormat.csv:
        import pyarrow.csv as pacsv

        pacsv.write_csv(t, sys.stdout.buffer)
        return
    rows = t.to_pylist()
    if fmt is TableFormat.json:
        print_json(rows)
        return
    _print_surveys(rows, keys, confidence)


def _print_surveys(rows: list[Mapping[str, Any]], keys: tuple[str, ...], confidence: float) -> None:
    if not rows:
        say("no survey answers in this period")
        return

    def fmt(v: Any, how: str) -> str:
        if v is None:
            return "-"
        if how == "wilson":
            return f"{100 * v:.1f} %"
        return f"{v:.1f}" if how == "nps-analytic" else f"{v:.2f}"

    out = [
        {
            **{k: r[k] for k in keys},
            "measure": r["measure"],
            "value": fmt(r["value"], r["method"]),
            "ci": "-"
            if r["ci_low"] is None
            else f"{fmt(r['ci_low'], r['method'])} to {fmt(r['ci_high'], r['method'])}",
            "answers": r["answers"],
            "response_rate": r["response_rate"],
        }
        for r in rows
    ]
    print_rows(
        out,
        [
            *((k, k, plain) for k in keys),
            ("measure", "measure", str),
            ("value", "value", str),
            ("ci", f"{100 * confidence:g} % interval", str),
            ("answers", "answers", number),
            ("response_rate", "response rate", pct),
        ],
        left=(*keys, "measure"),
    )
