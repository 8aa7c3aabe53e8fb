"""The KPI catalog: every column ``callscope kpi`` can output, with formula, unit, source.

The catalog is the single list the CLI help, the HTML report, the docs test and the
parity test iterate over. Formulas follow ``KPIS.md`` (the project's KPI reference); the
``source`` says which table feeds the KPI.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOG", "COUNT_UNITS", "Kpi", "kpi"]


@dataclass(frozen=True, slots=True)
class Kpi:
    """One output column."""

    name: str
    title: str
    family: str
    formula: str
    unit: str
    source: str


#: Units of additive columns: 0, not null, when the family ran but saw nothing.
COUNT_UNITS = ("contacts", "count", "s total", "customers", "orders", "messages", "responses")

_C = "contacts"
_AS = "agent_states"

CATALOG: tuple[Kpi, ...] = (
    # -- accessibility (queue side, bucket = queue entry) --------------------------------
    Kpi(
        "arrived",
        "Arrived",
        "accessibility",
        "inbound contacts, offered or not (incl. ivr_only, blocked)",
        "contacts",
        _C,
    ),
    Kpi(
        "offered",
        "Offered",
        "accessibility",
        "inbound contacts that entered a queue (outcome not ivr_only, blocked or phantom)",
        "contacts",
        _C,
    ),
    Kpi("answered", "Answered", "accessibility", "offered with outcome answered", "contacts", _C),
    Kpi(
        "abandoned", "Abandoned", "accessibility", "offered with outcome abandoned", "contacts", _C
    ),
    Kpi(
        "short_abandoned",
        "Short abandons",
        "accessibility",
        "abandoned with wait <= short_abandon_s",
        "contacts",
        _C,
    ),
    Kpi("timeout", "Timed out", "accessibility", "offered with outcome timeout", "contacts", _C),
    Kpi(
        "exit_by_key",
        "Exit by key",
        "accessibility",
        "offered with outcome exit_by_key",
        "contacts",
        _C,
    ),
    Kpi(
        "exit_empty",
        "Exit empty",
        "accessibility",
        "offered with outcome exit_empty",
        "contacts",
        _C,
    ),
    Kpi("overflow", "Overflowed", "accessibility", "offered with outcome overflow", "contacts", _C),
    Kpi(
        "transferred_out",
        "Transferred out unanswered",
        "accessibility",
        "offered with outcome transferred",
        "contacts",
        _C,
    ),
    Kpi(
        "blocked",
        "Blocked",
        "accessibility",
        "refused at queue entry (not offered)",
        "contacts",
        _C,
    ),
    Kpi("ivr_only", "IVR only", "accessibility", "ended in the IVR (not offered)", "contacts", _C),
    Kpi(
        "phantom",
        "Phantom",
        "accessibility",
        "records with no real caller (not offered)",
        "contacts",
        _C,
    ),
    Kpi(
        "answered_within_t",
        "Answered within T",
        "accessibility",
        "answered with wait <= T, the contact's threshold: sl_threshold_s, or its channel / queue rule in sl_thresholds (unknown wait: not within)",
        "contacts",
        _C,
    ),
    Kpi(
        "service_level",
        "Service level",
        "accessibility",
        "answered within T / denominator of the sl_variant (SL1 offered, SL2 offered - short_abandoned, SL3 answered, SL4 offered - abandoned within T; vendor variants in presets)",
        "fraction",
        _C,
    ),
    Kpi(
        "asa_s",
        "ASA",
        "accessibility",
        "sum(wait of answered) / answered (answered with unknown wait left out)",
        "s",
        _C,
    ),
    Kpi(
        "abandon_rate",
        "Abandonment rate",
        "accessibility",
        "(abandoned - short_abandoned) / (offered - short_abandoned); abandoned / offered when the preset does not exclude short abandons",
        "fraction",
        _C,
    ),
    Kpi(
        "avg_time_to_abandon_s",
        "Average time to abandon",
        "accessibility",
        "mean(wait of abandoned, short abandons excluded when the preset excludes them)",
        "s",
        _C,
    ),
    Kpi(
        "longest_wait_s",
        "Longest wait",
        "accessibility",
        "max(wait) of offered contacts, answered or not",
        "s",
        _C,
    ),
    # -- agent productivity (agent side, bucket = answer time) ---------------------------
    Kpi(
        "handled",
        "Handled",
        "productivity",
        "answered contacts, by answering agent and answer time",
        "contacts",
        _C,
    ),
    Kpi("total_talk_s", "Total talk", "productivity", "sum(talk)", "s total", _C),
    Kpi(
        "avg_talk_s",
        "Average talk",
        "productivity",
        "mean(talk) over handled contacts where talk is known",
        "s",
        _C,
    ),
    Kpi(
        "avg_hold_s",
        "Average hold",
        "productivity",
        "mean(hold) over handled contacts where hold is known (null: the source has no hold)",
        "s",
        _C,
    ),
    Kpi(
        "avg_acw_s",
        "Average ACW",
        "productivity",
        "mean(after-call work) where known (null: the source has no ACW)",
        "s",
        _C,
    ),
    Kpi(
        "aht_s",
        "AHT",
        "productivity",
        "sum(talk + hold + ACW) / handled; each part averaged over contacts where known, an unknown part adds 0",
        "s",
        _C,
    ),
    Kpi(
        "total_handle_s",
        "Total handle",
        "productivity",
        "sum(talk + hold + ACW), unknown parts 0",
        "s total",
        _C,
    ),
    Kpi(
        "transfer_rate",
        "Transfer rate",
        "productivity",
        "handled contacts the agent transferred onward / handled",
        "fraction",
        _C,
    ),
    # -- agent states (logged-in sessions, not-ready spans) -------------------------------
    Kpi(
        "logged_in_s",
        "Logged in",
        "states",
        "sum of logged_in session time in the bucket (sessions split at bucket edges; overlapping sessions of one agent merged unless grouped by queue)",
        "s total",
        _AS,
    ),
    Kpi(
        "not_ready_s",
        "Not ready",
        "states",
        "sum of not_ready (aux/pause) time in the bucket",
        "s total",
        _AS,
    ),
    Kpi(
        "busy_s",
        "Busy",
        "states",
        "time handling at least one contact: union of each agent's spans answer_ts -> end_ts + ACW (concurrent chats counted once), split at bucket edges",
        "s total",
        _C,
    ),
    Kpi(
        "contacts_per_hour",
        "Contacts per hour",
        "states",
        "handled / (logged_in_s / 3600)",
        "per hour",
        f"{_C}, {_AS}",
    ),
    Kpi(
        "occupancy",
        "Occupancy",
        "states",
        "handle / (handle + available idle) = busy_s / (logged_in_s - not_ready_s), handle = busy time (concurrent chats counted once); QueueMetrics preset: total_talk_s / (logged_in_s + not_ready_s)",
        "fraction",
        f"{_C}, {_AS}",
    ),
    Kpi(
        "utilization",
        "Utilization",
        "states",
        "busy_s / logged_in_s",
        "fraction",
        f"{_C}, {_AS}",
    ),
    Kpi(
        "availability",
        "Availability",
        "states",
        "available idle / logged in = (logged_in_s - not_ready_s - busy_s) / logged_in_s",
        "fraction",
        f"{_C}, {_AS}",
    ),
    # -- workforce (schedules vs agent states) --------------------------------------------
    Kpi(
        "scheduled_s",
        "Scheduled",
        "workforce",
        "sum of scheduled activity time in the bucket",
        "s total",
        "schedules",
    ),
    Kpi(
        "scheduled_work_s",
        "Scheduled work",
        "workforce",
        "scheduled time in activity 'work'",
        "s total",
        "schedules",
    ),
    Kpi(
        "adherence",
        "Schedule adherence",
        "workforce",
        "time in the scheduled activity at the scheduled time / scheduled time (work: logged in and not not-ready; any other activity: logged out or not-ready)",
        "fraction",
        f"schedules, {_AS}",
    ),
    Kpi(
        "conformance",
        "Conformance",
        "workforce",
        "minutes worked / minutes scheduled = (logged_in_s - not_ready_s) / scheduled_work_s",
        "fraction",
        f"schedules, {_AS}",
    ),
    Kpi(
        "shrinkage",
        "Shrinkage",
        "workforce",
        "scheduled time not in 'work' (breaks, lunch, training, meetings, absence) / scheduled time",
        "fraction",
        "schedules",
    ),
    # -- outcome ---------------------------------------------------------------------------
    Kpi(
        "fcr_handled",
        "FCR population",
        "outcome",
        "handled contacts with a known customer",
        "contacts",
        _C,
    ),
    Kpi(
        "fcr_pending",
        "FCR pending",
        "outcome",
        "of fcr_handled: no further contact yet and the fcr_window_days window still open at the end of the data (last arrival in the store); neither resolved nor repeat",
        "contacts",
        _C,
    ),
    Kpi(
        "fcr",
        "FCR",
        "outcome",
        "handled contacts with no further contact (another conversation, anywhere in the store) of the same customer within fcr_window_days, same reason where both known / (fcr_handled - fcr_pending)",
        "fraction",
        _C,
    ),
    Kpi(
        "repeat_rate",
        "Repeat-contact rate",
        "outcome",
        "1 - FCR on the same population (fcr_handled - fcr_pending)",
        "fraction",
        _C,
    ),
    Kpi(
        "fcr_reported_handled",
        "Reported-FCR population",
        "outcome",
        "handled contacts whose source says whether they were resolved (contacts.resolved known)",
        "contacts",
        _C,
    ),
    Kpi(
        "fcr_reported",
        "FCR (reported)",
        "outcome",
        "handled contacts with resolved = true / fcr_reported_handled (the source's own resolved flag, e.g. a mapped Resolved Y/N column)",
        "fraction",
        _C,
    ),
    Kpi(
        "csat_responses",
        "CSAT responses",
        "surveys",
        "answers to item csat",
        "responses",
        "surveys",
    ),
    Kpi(
        "csat",
        "CSAT",
        "surveys",
        "csat answers in the top two boxes (4 or 5 on 1-5) / csat answers",
        "fraction",
        "surveys",
    ),
    Kpi("csat_mean", "CSAT mean", "surveys", "mean csat score", "score", "surveys"),
    Kpi("nps_responses", "NPS responses", "surveys", "answers to item nps", "responses", "surveys"),
    Kpi(
        "nps",
        "NPS",
        "surveys",
        "100 * (promoters (9-10) - detractors (0-6)) / nps answers",
        "points",
        "surveys",
    ),
    Kpi(
        "fcr_survey",
        "FCR (survey)",
        "surveys",
        "mean of item resolved (0/1): share saying the issue was resolved",
        "fraction",
        "surveys",
    ),
    Kpi(
        "survey_<item>",
        "Survey item mean",
        "surveys",
        "mean score of every other survey item (perceived access and agent items)",
        "score",
        "surveys",
    ),
    # -- chat ------------------------------------------------------------------------------
    Kpi(
        "customer_messages",
        "Customer messages",
        "chat",
        "messages sent by customers",
        "messages",
        "messages",
    ),
    Kpi(
        "first_response_s",
        "First response time",
        "chat",
        "customer's first message to the first agent message at or after it, mean over conversations with a reply",
        "s",
        "messages",
    ),
    Kpi(
        "avg_response_s",
        "Average response time",
        "chat",
        "mean over customer messages of the delay to the next agent message",
        "s",
        "messages",
    ),
    Kpi(
        "response_rate",
        "Response rate",
        "chat",
        "customer messages followed by an agent message / customer messages",
        "fraction",
        "messages",
    ),
    Kpi(
        "typing_cpm",
        "Typing speed",
        "chat",
        "characters of agent messages / compose minutes, where compose time is known",
        "chars/min",
        "messages",
    ),
    # -- commerce --------------------------------------------------------------------------
    Kpi("orders", "Orders", "commerce", "orders placed", "orders", "orders"),
    Kpi(
        "avg_order_value",
        "Average order value",
        "commerce",
        "sum(amount) / orders",
        "currency",
        "orders",
    ),
    Kpi("items_per_order", "Items per order", "commerce", "sum(items) / orders", "items", "orders"),
    Kpi(
        "unpaid_rate",
        "Unpaid-order rate",
        "commerce",
        "orders never paid / orders",
        "fraction",
        "orders",
    ),
    Kpi(
        "inquiring_customers",
        "Inquiring customers",
        "conversion",
        "distinct customers with a handled contact",
        "customers",
        f"{_C}, orders",
    ),
    Kpi(
        "conversion_rate",
        "Inquiry conversion rate",
        "conversion",
        "distinct inquiring customers with an order linked to their inquiry / inquiring customers",
        "fraction",
        f"{_C}, orders",
    ),
)

_BY_NAME = {k.name: k for k in CATALOG}


def kpi(name: str) -> Kpi:
    """The catalog entry of a column (``survey_*`` columns map to ``survey_<item>``)."""
    if name.startswith("survey_") and name not in _BY_NAME:
        return _BY_NAME["survey_<item>"]
    return _BY_NAME[name]
