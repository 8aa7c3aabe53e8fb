"""Docs that cannot go stale: every catalog KPI is documented, every KPIS.md KPI has a
column, every preset cites its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.kpi import CATALOG, KpiParams
from callscope.kpi.grouping import parse_by
from callscope.kpi.presets import PRESETS

KPIS_MD = Path(__file__).resolve().parents[2] / ".." / "shared" / "KPIS.md"

# KPIS.md table row title -> the column(s) computing it
KPIS_MD_TO_COLUMNS = {
    "Service level": "service_level",
    "ASA": "asa_s",
    "Abandonment rate": "abandon_rate",
    "Average time to abandon": "avg_time_to_abandon_s",
    "Longest wait": "longest_wait_s",
    "Call/contact volume": "offered",
    "Answered contacts": "handled",
    "Average talk time": "avg_talk_s",
    "Average hold time": "avg_hold_s",
    "Average ACW": "avg_acw_s",
    "AHT": "aht_s",
    "Contacts per hour": "contacts_per_hour",
    "Occupancy": "occupancy",
    "Utilization": "utilization",
    "Availability": "availability",
    "Transfer rate": "transfer_rate",
    "Schedule adherence": "adherence",
    "Conformance": "conformance",
    "Shrinkage": "shrinkage",
    "FCR": "fcr",
    "Repeat-contact rate": "repeat_rate",
    "CSAT": "csat",
    "NPS": "nps",
    "Perceived-access survey items": "survey_<item>",
    "Perceived-agent survey items": "survey_<item>",
    "Inquiry conversion rate": "conversion_rate",
    "Average order value": "avg_order_value",
    "Items per order": "items_per_order",
    "Unpaid-order": "unpaid_rate",
    "First response time": "first_response_s",
    "Average response time": "avg_response_s",
    "Response rate": "response_rate",
    "Typing speed": "typing_cpm",
}


def test_catalog_entries_complete():
    names = [k.name for k in CATALOG]
    assert len(names) == len(set(names))
    for k in CATALOG:
        assert k.formula and k.unit and k.source and k.title, k.name
        assert re.fullmatch(r"[a-z_<>]+", k.name)


@pytest.mark.skipif(not KPIS_MD.exists(), reason="KPIS.md not present")
def test_every_kpis_md_row_has_a_column():
    names = {k.name for k in CATALOG}
    rows = re.findall(r"^\| ([^|]+?) \|", KPIS_MD.read_text(), flags=re.M)
    titles = [r for r in rows if r not in ("KPI", "---")]
    for title in titles:
        if title.startswith(("Service level target", "Quality score")):
            continue  # a target (see targets.py) / the quality package's form score
        match = [v for k, v in KPIS_MD_TO_COLUMNS.items() if title.startswith(k)]
        assert match, f"KPIS.md row {title!r} not mapped"
        assert match[0] in names


def test_presets_cite_sources():
    for name, factory in PRESETS.items():
        assert factory().preset == name
        if name != "default":
            assert "http" in (factory.__doc__ or ""), name


def test_params_validation():
    with pytest.raises(CallscopeError):
        KpiParams(sl_variant="x")
    with pytest.raises(CallscopeError):
        KpiParams(interval_minutes=20)
    assert parse_by("interval, queue,agent") == ("interval_start", "queue", "agent")
    assert parse_by("weekday, hour") == ("weekday", "hour")
    with pytest.raises(CallscopeError):
        parse_by("minute")
