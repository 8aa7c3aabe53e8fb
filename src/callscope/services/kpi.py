"""KPI use cases: the KPI table, the vendor-preset comparison, the agent report and the
HTML report, all on the engine the request names (DuckDB store or Spark).

How the parameters of a run are settled (:func:`kpi_params`): the preset (request, else
settings ``kpi.preset``) gives the definitions; settings the center wrote in its file
(``kpi.*``) come next; the request's own values last. The service-level threshold T is
the center's goals (:func:`sl_threshold_rules`): each contact is judged against the goal of
its queue (``queues.NAME.goal``), else of its channel (``goals.voice`` 20 s, ``goals.chat``
60 s, ``goals.email`` 24 h by default), else the voice goal's. A threshold in the request
(``--sl-threshold 20s``) is one T for every contact instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callscope.errors import CallscopeError
from callscope.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

    from callscope.kpi.params import KpiParams
    from callscope.kpi.targets import Targets

__all__ = [
    "AgentReportRequest",
    "KpiRequest",
    "KpiTable",
    "agent_report",
    "compare_presets",
    "kpi",
    "kpi_params",
    "kpi_targets",
    "sl_threshold_rules",
]

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True, slots=True)
class KpiRequest:
    """What to compute: group keys (``by``), the period ``[start, end)``, the engine and
    any definition the user changed for this run (``None``: settings/preset)."""

    by: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    engine: str = "duckdb"
    interval_s: float | None = None
    sl_threshold_s: float | None = None
    short_abandon_s: float | None = None
    sl_variant: str | None = None
    fcr_window_s: float | None = None
    preset: str | None = None
    columns: tuple[str, ...] | None = None  #: KPI columns to keep (None: all)


@dataclass(frozen=True)
class KpiTable:
    """A KPI table (one row per group) and what produced it."""

    table: pa.Table
    keys: tuple[str, ...]
    meta: dict[str, Any]
    caption: str  #: one line: preset, variant, thresholds, families left out


def _check_request(req: KpiRequest) -> None:
    if req.engine not in ENGINES:
        raise CallscopeError(
            f"unknown engine {req.engine!r}; use {' or '.join(ENGINES)}", field="engine"
        )
    if req.start is not None and req.end is not None and req.start >= req.end:
        raise CallscopeError(
            f"the period starts {req.start} and ends {req.end}: the end is exclusive and "
            "must come after the start",
            field="end",
        )


def kpi_params(settings: Settings, req: KpiRequest) -> KpiParams:
    """The :class:`~callscope.kpi.params.KpiParams` of one run (see the module
    docstring for the order)."""
    from callscope.kpi.presets import preset

    name = req.preset or settings.preset
    try:
        p = preset(name)
    except CallscopeError as e:
        raise e.at("preset") from None
    changes: dict[str, Any] = {}

    def from_settings(key: str) -> bool:
        return settings.source(key) != "default"

    interval = req.interval_s or settings.interval_s
    if interval % 60 or int(interval // 60) not in (15, 30, 60):
        raise CallscopeError("the interval must be 15m, 30m or 60m", field="interval_s")
    changes["interval_minutes"] = int(interval // 60)
    changes["timezone"] = settings.timezone
    if req.sl_threshold_s is not None:  # the user's one T, for every contact
        changes["sl_threshold_s"] = req.sl_threshold_s
        changes["sl_thresholds"] = ()
    else:
        changes["sl_threshold_s"] = settings.goal_for("voice").threshold_s
        changes["sl_thresholds"] = sl_threshold_rules(settings)
    if req.short_abandon_s is not None:
        changes["short_abandon_s"] = req.short_abandon_s
    elif from_settings("kpi.short_abandon"):
        changes["short_abandon_s"] = settings.short_abandon_s
    if req.sl_variant is not None:
        changes["sl_variant"] = req.sl_variant
    elif from_settings("kpi.sl_variant"):
        changes["sl_variant"] = settings.sl_variant
    window = req.fcr_window_s or (
        settings.fcr_window_s if from_settings("kpi.fcr_window") else None
    )
    if window is not None:
        changes["fcr_window_days"] = window / 86400.0
    try:
        return p.with_(**changes)
    except CallscopeError as e:
        msg = str(e)
        fld = (
            "sl_variant"
            if "variant" in msg
            else "interval_s"
            if "interval" in msg
            else "sl_threshold_s"
        )
        raise e.at(fld) from None


def sl_threshold_rules(settings: Settings) -> tuple[tuple[str | None, str | None, float], ...]:
    """The service-level threshold rules of the settings' goals
    (:attr:`KpiParams.sl_thresholds <callscope.kpi.params.KpiParams.sl_thresholds>`):
    ``(channel, None, T)`` per channel goal, in channel order, then ``(None, queue, T)``
    per queue with its own goal, by name. A queue's goal applies whatever the channel
    of its contacts, as in :meth:`Settings.goal_for`.

    >>> sl_threshold_rules(Settings())
    (('voice', None, 20.0), ('chat', None, 60.0), ('email', None, 86400.0))
    """
    from callscope.model.outcome import CHANNELS

    def order(ch: str) -> tuple[int, str]:
        return (CHANNELS.index(ch) if ch in CHANNELS else len(CHANNELS), ch)

    rules: list[tuple[str | None, str | None, float]] = [
        (ch, None, settings.goals[ch].threshold_s) for ch in sorted(settings.goals, key=order)
    ]
    for name in sorted(settings.queues):
        goal = settings.queues[name].goal
        if goal is not None:
            rules.append((None, name, goal.threshold_s))
    return tuple(rules)


def kpi_targets(settings: Settings) -> Targets:
    """The red/amber/green targets of the settings as the KPI package's
    :class:`~callscope.kpi.targets.Targets` (service level: the voice goal)."""
    from dataclasses import fields

    from callscope.kpi.targets import Targets

    t = settings.targets
    names = {
        "service_level": settings.goal_for("voice").service_level or 0.8,
        "abandon_rate": t["abandon_rate"],
        "asa_s": t["asa"],
        "aht_s": t["aht"],
        "avg_acw_s": t["avg_acw"],
        "avg_hold_s": t["avg_hold"],
        "utilization": t["utilization"],
        "occupancy": t["occupancy"],
        "contacts_per_hour": t["contacts_per_hour"],
        "first_response_s": t["first_response"],
        "response_rate": t["response_rate"],
        "conversion_rate": t["conversion_rate"],
    }
    known = {f.name for f in fields(Targets)}
    return Targets(**{k: v for k, v in names.items() if k in known})


@contextmanager
def _source(settings: Settings, engine: str) -> Iterator[Any]:
    """The canonical tables on the chosen engine (Spark reads a Parquet export)."""
    import tempfile

    from callscope.kpi.engine import duckdb_source, spark_session, spark_source
    from callscope.services.common import open_store

    with open_store(settings, need_contacts=True) as store:
        if engine == "duckdb":
            yield duckdb_source(store)
        elif store.encrypted:
            raise CallscopeError(
                "the Spark engine reads a Parquet copy of the store, which would put an "
                "encrypted store's rows on disk in the clear; use --engine duckdb",
                field="engine",
            )
        else:
            with tempfile.TemporaryDirectory(prefix="callscope-spark-") as tmp:
                store.export_parquet(Path(tmp))
                yield spark_source(spark_session(), Path(tmp))


def kpi(settings: Settings, request: KpiRequest) -> KpiTable:
    """Every KPI that applies, grouped by ``request.by``, for the period asked."""
    from callscope.kpi.engine import compute_kpis
    from callscope.kpi.grouping import parse_by
    from callscope.kpi.output import describe, select_columns

    _check_request(request)
    try:
        keys = parse_by(",".join(request.by))
    except CallscopeError as e:
        raise e.at("by") from None
    params = kpi_params(settings, request)
    with _source(settings, request.engine) as src:
        result = compute_kpis(src, keys, params, request.start, request.end)
    meta = result.metadata()
    if request.start or request.end:
        meta["period"] = [
            str(request.start) if request.start else None,
            str(request.end) if request.end else None,
        ]
    try:
        table = select_columns(result.table, result.keys, list(request.columns or ()) or None)
    except CallscopeError as e:
        raise e.at("columns") from None
    return KpiTable(table, tuple(result.keys), meta, describe(meta))


@dataclass(frozen=True)
class Comparison:
    """The period's KPIs under every vendor preset, side by side."""

    table: pa.Table  #: one row per KPI (and group), one column per preset
    keys: tuple[str, ...]  #: the key columns of ``table``
    presets: tuple[str, ...]
    params: dict[str, dict[str, Any]]
    caption: str


def compare_presets(settings: Settings, request: KpiRequest) -> Comparison:
    """The KPIs whose definition vendors disagree on, under every preset."""
    from callscope.kpi.comparison import compare_presets as run
    from callscope.kpi.grouping import parse_by

    _check_request(request)
    params = kpi_params(settings, request)
    try:
        keys = tuple(parse_by(",".join(request.by)))
    except CallscopeError as e:
        raise e.at("by") from None

    def adjust(p: Any) -> Any:
        return p.with_(
            interval_minutes=params.interval_minutes,
            sl_threshold_s=params.sl_threshold_s,
            sl_thresholds=params.sl_thresholds,
            short_abandon_s=params.short_abandon_s,
            fcr_window_days=params.fcr_window_days,
            timezone=params.timezone,
        )

    with _source(settings, request.engine) as src:
        cmp = run(src, request.start, request.end, adjust, keys=keys)
    caption = (
        f"T = {params.threshold_text()}; short abandon <= {params.short_abandon_s:g} s; "
        f"period {request.start or 'start of data'} - {request.end or 'end of data'}"
    )
    return Comparison(cmp.table(), (*keys, "kpi"), tuple(cmp.presets), dict(cmp.params), caption)


@dataclass(frozen=True, slots=True)
class AgentReportRequest:
    """The agent report for ``[start, end)``; target overrides (``None``: settings)."""

    start: datetime | None = None
    end: datetime | None = None
    engine: str = "duckdb"
    preset: str | None = None
    aht_target_s: float | None = None
    utilization_target: float | None = None


@dataclass(frozen=True)
class AgentReportResult:
    """The agent report (:class:`callscope.kpi.agent_report.AgentReport`: rows per agent,
    a row for contacts with no agent, the total row, the columns with data) and a caption
    naming the targets."""

    report: Any
    caption: str

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Agent rows, then the total row (JSON/CSV output)."""
        return [*self.report.rows, self.report.total]


def agent_report(settings: Settings, request: AgentReportRequest) -> AgentReportResult:
    """Per-agent indicators with red/amber/green against the settings' targets."""
    from dataclasses import replace

    from callscope.kpi.agent_report import agent_report as run

    _check_request(KpiRequest(start=request.start, end=request.end, engine=request.engine))
    if request.aht_target_s is not None and not request.aht_target_s > 0:
        raise CallscopeError(
            f"must be > 0 seconds; got {request.aht_target_s:g}", field="aht_target_s"
        )
    u = request.utilization_target
    if u is not None and not 0.0 < u <= 1.0:
        raise CallscopeError(
            f"is a share in (0, 1], e.g. 0.75 or 75%; got {u:g}", field="utilization_target"
        )
    targets = kpi_targets(settings)
    if request.aht_target_s is not None:
        targets = replace(targets, aht_s=request.aht_target_s)
    if u is not None:
        targets = replace(targets, utilization=u)
    params = kpi_params(settings, KpiRequest(preset=request.preset))
    with _source(settings, request.engine) as src:
        rep = run(src, params, targets, request.start, request.end)
    rated = [f"{rep.title(c)} {rep.target_text(c)}" for c in rep.rated]
    caption = (
        ("targets: " + ", ".join(rated) + "; " if rated else "")
        + "met = on target, near = missed by at most 10 %, missed = by more"
        + (f"; no data for: {', '.join(rep.title(c) for c in rep.omitted)}" if rep.omitted else "")
    )
    return AgentReportResult(rep, caption)


def format_kpi(name: str, value: Any) -> str:
    """A KPI value for people: shares as percents, seconds and counts with units and
    separators (the catalog's units decide)."""
    from callscope.kpi.output import format_value

    return format_value(name, value)


def kpi_title(name: str) -> str:
    """The catalog title of a KPI column (``service_level`` -> ``Service level``); the
    name itself for keys and columns the catalog does not know."""
    from callscope.kpi.catalog import kpi as entry

    try:
        return entry(name).title if not name.startswith("survey_") else name
    except KeyError:
        return name


def table_columns(result: KpiTable) -> pa.Table:
    """The main KPI columns of ``result`` (for a terminal or a page), keys first."""
    from callscope.kpi.output import TABLE_COLUMNS

    present = set(result.table.column_names)
    keep = [c for c in TABLE_COLUMNS if c in present]
    return result.table.select([*result.keys, *keep])


def agent_table(result: AgentReportResult) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The agent report for display: columns ``(key, title)`` (only those with data) and
    rows (agents, the no-agent row, the total) with each value as text, and
    ``<key>_status`` as a word (met / near / missed) where a target applies."""
    from callscope.kpi.agent_report import AGENT_COLUMNS
    from callscope.kpi.targets import STATUS_WORDS

    rep = result.report
    cols = [("agent", "agent")] + [(c, rep.title(c)) for c in rep.columns]
    kpi_of = {col: ("handled" if col == "answered" else k) for col, k, _ in AGENT_COLUMNS}
    out = []
    for r in [*rep.rows, {**rep.total, "agent": "total"}]:
        d: dict[str, Any] = {"agent": str(r.get("agent"))}
        for col in rep.columns:
            v = r.get(col)
            d[col] = (
                ("-" if v is None else f"{v:,.1f}")
                if col == "total_talk_min"
                else format_kpi(kpi_of[col], v)
            )
            status = r.get(f"{col}_status")
            if status in STATUS_WORDS:
                d[f"{col}_status"] = STATUS_WORDS[status]
        out.append(d)
    return cols, out
