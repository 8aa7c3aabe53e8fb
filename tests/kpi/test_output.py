"""What the KPI output says about itself: an interval with "abandoned 1" and
"abandonment 0.0 %" cannot be misread (issue 9)."""

from __future__ import annotations

from builders import at, make_store, table

from callscope.kpi import KpiParams, compute_kpis, duckdb_source
from callscope.kpi.output import TABLE_COLUMNS, describe
from callscope.kpi.presets import preset

# One answered call and one caller who hung up after 3 s (a short abandon).
CONTACTS = [
    dict(queue="q", queue_entry_ts=at(1), wait_s=8.0, agent="a1", talk_s=60.0),
    dict(queue="q", queue_entry_ts=at(2), wait_s=3.0, outcome="abandoned"),
]


def _result(tmp_path, params):
    store = make_store(tmp_path / "o.duckdb", contacts=table("contacts", CONTACTS))
    try:
        return compute_kpis(duckdb_source(store), ("interval_start",), params)
    finally:
        store.close()


def test_short_abandons_shown_next_to_abandoned():
    i = TABLE_COLUMNS.index("abandoned")
    assert TABLE_COLUMNS[i + 1] == "short_abandoned"
    assert TABLE_COLUMNS.index("abandon_rate") > i


def test_the_description_says_short_abandons_are_excluded(tmp_path):
    r = _result(tmp_path, KpiParams())
    (row,) = [x for x in r.rows() if x["abandoned"]]
    assert (row["abandoned"], row["short_abandoned"], row["abandon_rate"]) == (1, 1, 0.0)
    line = describe(r.metadata())
    assert "abandonment excludes short abandons (wait <= 5 s)" in line
    assert "abandonment excludes short abandons (wait <= 5 s)" in r.metadata()["notes"]
    # the threshold in the note is the one used
    r3 = _result(tmp_path / "t", KpiParams(short_abandon_s=2.5))
    assert "abandonment excludes short abandons (wait <= 2.5 s)" in describe(r3.metadata())


def test_no_note_when_nothing_is_excluded(tmp_path):
    r = _result(tmp_path, preset("amazon-connect"))  # abandoned / offered
    (row,) = [x for x in r.rows() if x["abandoned"]]
    assert row["abandon_rate"] == 0.5
    assert "short abandons" not in describe(r.metadata())


def test_service_level_note():
    assert KpiParams().notes() == ("abandonment excludes short abandons (wait <= 5 s)",)
    notes = KpiParams(sl_variant="short-abandon-excluded").notes()
    assert "service level excludes short abandons (wait <= 5 s)" in notes
    assert any("service level excludes" in n for n in preset("genesys-cloud").notes())
    assert preset("queuemetrics").notes() == KpiParams().notes()


def test_fcr_note_when_fcr_is_computed(tmp_path):
    line = describe(_result(tmp_path, KpiParams()).metadata())
    assert "FCR leaves out pending contacts (fcr_pending: 7-day window" in line


def test_one_list_of_variant_and_preset_names() -> None:
    """The settings check names against model.variants; the KPI engine defines exactly
    those presets."""
    from callscope.kpi.presets import PRESETS
    from callscope.model import variants

    assert tuple(PRESETS) == variants.PRESETS
