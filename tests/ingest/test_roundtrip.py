"""Round trips: the generator's canonical rows -> a source format -> the ingester.

The synthetic center writes the formats real centers produce; ingesting them must give
back the same contacts (to the second, the resolution of those formats).
"""

from __future__ import annotations

from collections import Counter

import pytest

from callscope.ingest import ingest_files
from callscope.synth import SynthConfig, generate, write_amazon_connect, write_queue_log


@pytest.fixture(scope="module")
def center():
    return generate(SynthConfig(days=2, contacts_per_day=1500, seed=11))


def canonical(center, channels, outcomes_out=("ivr_only",)):
    rows = [
        r
        for r in center.contacts.to_pylist()
        if r["channel"] in channels and r["outcome"] not in outcomes_out
    ]
    return rows


def test_queue_log_round_trip(store, tmp_path, center):
    path = tmp_path / "queue_log"
    write_queue_log([center], path)
    summary = ingest_files(store, [path], "asterisk")
    assert summary.rows_rejected == 0, summary.rejects[:3]
    want = canonical(center, {"voice"})
    got = store.con.execute(
        "SELECT queue, outcome, transferred, segment, wait_s, talk_s, agent FROM contacts"
    ).fetchall()
    assert Counter(
        (r["queue"], r["outcome"], r["transferred"], r["segment"]) for r in want
    ) == Counter((g[0], g[1], g[2], g[3]) for g in got)
    answered = [r for r in want if r["outcome"] == "answered"]
    assert Counter(r["agent"] for r in answered) == Counter(g[6] for g in got if g[1] == "answered")
    # queue_log keeps whole seconds; calltime is talk + hold (it has no hold events)
    assert sum(g[4] for g in got if g[4] is not None) == pytest.approx(
        sum(r["wait_s"] for r in want if r["wait_s"] is not None), abs=len(want)
    )
    assert sum(g[5] for g in got if g[5] is not None) == pytest.approx(
        sum(r["talk_s"] + (r["hold_s"] or 0) for r in answered), abs=len(answered)
    )
    # sessions and pauses of the voice agents (a queue_log knows no others) survive too
    voice_queues = {q.name for q in SynthConfig().queues if q.channel == "voice"}
    states = center.agent_states.to_pylist()
    voice_agents = {
        r["agent"] for r in states if r["state"] == "logged_in" and r["queue"] in voice_queues
    }
    for state in ("logged_in", "not_ready"):
        want_s = sum(
            r["duration_s"] for r in states if r["state"] == state and r["agent"] in voice_agents
        )
        got_s = store.con.execute(
            "SELECT sum(duration_s) FROM agent_states WHERE state = ?", [state]
        ).fetchall()[0][0]
        assert got_s == pytest.approx(want_s, abs=len(states))


def test_contact_records_round_trip(store, tmp_path, center):
    path = tmp_path / "ctr.jsonl"
    write_amazon_connect([center], path)
    summary = ingest_files(store, [path], "amazon-connect")
    assert summary.rows_rejected == 0, summary.rejects[:3]
    want = {r["contact_id"]: r for r in center.contacts.to_pylist()}
    got = store.con.execute(
        "SELECT contact_id, channel, queue, outcome, wait_s, talk_s, hold_s, acw_s, agent, "
        "previous_contact_id FROM contacts"
    ).fetchall()
    assert len(got) == len(want)
    mismatched = 0
    for cid, channel, queue, outcome, wait, talk, hold, acw, agent, prev in got:
        w = want[cid]
        assert (channel, queue, agent, prev) == (
            w["channel"],
            w["queue"],
            w["agent"],
            w["previous_contact_id"],
        )
        # Amazon Connect calls every enqueued-but-never-connected contact abandoned
        expected = w["outcome"] if w["outcome"] in ("answered", "ivr_only") else "abandoned"
        if w["outcome"] == "transferred":
            expected = "transferred"
        mismatched += outcome != expected
        if outcome == "answered":
            assert talk == pytest.approx(w["talk_s"], abs=1)
            assert (hold or 0) == pytest.approx(w["hold_s"] or 0, abs=1)
            assert (acw or 0) == pytest.approx(w["acw_s"] or 0, abs=1)
            assert wait == pytest.approx(w["wait_s"], abs=1)
    assert mismatched == 0
