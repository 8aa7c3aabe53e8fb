"""The live figures are the batch KPIs': a synthetic day's queue_log replayed through
the live translator and reducer gives, per queue, the offered, answered, abandoned,
answered within T and service level that `callscope kpi --by day,queue` gives for the
ingested file; in order, shuffled, re-sent, and under every service-level variant."""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime

import pytest
from livetools import DAY, batch_kpis, live_rows, same

from callscope.live.queue_log import QueueLogTranslator
from callscope.live.reducer import LiveState, apply
from callscope.services.live import live_setup, live_view


class _Hub:
    """What live_view reads of a hub: its state."""

    def __init__(self, state: LiveState) -> None:
        self.state = state


def _events(path):
    tr = QueueLogTranslator(str(path))
    out = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        out.extend(tr.line(line, n).events)
    return out


def _replay(settings, events, order=None):
    setup = live_setup(settings)
    s = LiveState()
    seqs = list(range(1, len(events) + 1))
    pairs = list(zip(events, seqs, strict=True))
    if order is not None:
        pairs = [pairs[i] for i in order]
    for e, seq in pairs:
        s = apply(s, e, seq, setup.config)
    end = datetime(2026, 1, 6, tzinfo=zoneinfo.ZoneInfo("UTC")).timestamp()
    return s, live_view(_Hub(s), setup, now=end, day=DAY)  # type: ignore[arg-type]


def test_a_replayed_day_equals_the_batch_kpis(day_log):
    events = _events(day_log.path)
    state, view = _replay(day_log.settings, events)
    assert len(day_log.batch) >= 3
    assert same(live_rows(view), day_log.batch) == []
    assert all(q["waiting"] == 0 for q in view["queues"])
    assert state.held == 0


def test_out_of_order_and_resent_events_change_nothing(day_log):
    events = _events(day_log.path)
    rng = random.Random(7)
    # each event late by up to 40 positions, and one in ten sent twice
    order = sorted(range(len(events)), key=lambda i: i + rng.uniform(0, 40))
    order += rng.sample(range(len(events)), len(events) // 10)
    _, view = _replay(day_log.settings, events, order)
    assert same(live_rows(view), day_log.batch) == []


@pytest.mark.parametrize(
    "variant",
    ["short-abandon-excluded", "answered", "abandons-neutral", "removed-within-threshold"],
)
def test_every_service_level_variant(day_log, variant):
    settings = day_log.settings.override("test", sl_variant=variant)
    _, view = _replay(settings, _events(day_log.path))
    batch = batch_kpis(settings)
    assert same(live_rows(view), batch) == []


def test_a_tighter_goal_changes_both_alike(day_log, tmp_path):
    from callscope.settings import load_settings

    f = tmp_path / "c.toml"
    f.write_text(f'db = "{day_log.settings.db}"\n[goals]\nvoice = "80/10"\n')
    settings = load_settings(f, env={})
    _, view = _replay(settings, _events(day_log.path))
    batch = batch_kpis(settings)
    assert same(live_rows(view), batch) == []
    assert [r["answered_within_t"] for r in batch.values()] != [
        r["answered_within_t"] for r in day_log.batch.values()
    ]
