"""The generated center: schemas, determinism and the properties a WFM analyst checks."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from callscope.model import TABLES
from callscope.synth import SynthConfig, SynthDay, generate, generate_days, shifts


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()


def test_every_table_has_exactly_the_canonical_schema(days: list[SynthDay]) -> None:
    for day in days[:3]:
        for name, table in day.tables().items():
            assert table.schema.equals(TABLES[name].schema), name
    assert days[0].agents.num_rows > 0 and days[1].agents.num_rows == 0


def test_same_seed_same_tables_other_seed_other_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = SynthConfig(seed=5, days=3, contacts_per_day=400)
    a = generate(cfg)
    # the second run computes everything again (no plan remembered from the first) on
    # a "slow machine": any wall-clock budget of the shift solver is cut to a nanosecond
    real = shifts.milp
    solves: list[dict] = []

    def slow(*args, **kwargs):
        options = dict(kwargs.get("options") or {})
        solves.append(options)
        if "time_limit" in options:
            options["time_limit"] = 1e-9
        return real(*args, **{**kwargs, "options": options})

    monkeypatch.setattr(shifts, "milp", slow)
    b = generate(cfg)
    assert len(solves) >= len(cfg.queues)  # every queue's shifts were planned afresh
    for name in TABLES:
        assert getattr(a, name).equals(getattr(b, name)), name
    c = generate(SynthConfig(seed=6, days=3, contacts_per_day=400))
    assert not a.contacts.equals(c.contacts)


def test_ids_unique_and_source_lines_run(con, config: SynthConfig) -> None:
    n, ids, lo, hi, files = _one(
        con,
        "SELECT count(*), count(DISTINCT contact_id), "
        "min(source_line), max(source_line), "
        "count(DISTINCT source_file) FROM c",
    )
    assert n == ids and lo == 1 and hi == n and files == 1
    assert _one(con, "SELECT any_value(source_file) FROM c")[0] == f"synth:{config.seed}"
    assert _one(con, "SELECT count(DISTINCT message_id) = count(*) FROM m")[0]
    assert _one(con, "SELECT count(DISTINCT order_id) = count(*) FROM o")[0]


def test_abandonment_and_speed_of_answer_are_plausible(con) -> None:
    abandon, asa, sl = _one(
        con,
        """
        SELECT avg((outcome = 'abandoned')::INT),
               avg(wait_s) FILTER (WHERE outcome = 'answered'),
               avg((outcome = 'answered' AND wait_s <= 20)::INT)
        FROM c WHERE channel = 'voice' AND queue IS NOT NULL""",
    )
    assert 0.02 <= abandon <= 0.20
    assert 5 <= asa <= 60
    assert 0.6 <= sl <= 0.95
    # abandoners waited; e-mail never abandons and waits far longer than voice
    assert _one(con, "SELECT min(wait_s) > 0 FROM c WHERE outcome = 'abandoned'")[0]
    e_wait = _one(con, "SELECT avg(wait_s) FROM c WHERE channel = 'email'")[0]
    assert e_wait > 5 * asa
    assert _one(con, "SELECT count(*) FROM c WHERE channel='email' AND outcome='abandoned'")[0] == 0


def test_handle_times_are_lognormal_like(con) -> None:
    mean, median, p_hold0 = _one(
        con,
        """
        SELECT avg(talk_s), median(talk_s), avg((hold_s = 0)::INT) FROM c
        WHERE queue = 'General' AND outcome = 'answered' AND NOT transferred""",
    )
    assert mean > median * 1.1  # right skew
    assert 150 <= median <= 260
    assert 0.6 <= p_hold0 <= 0.95  # many contacts without hold


def test_voice_has_two_peaks_and_chat_peaks_in_the_evening(con) -> None:
    rows = con.execute("""
        SELECT hour(queue_entry_ts) h, count(*) FILTER (WHERE channel = 'voice') v,
               count(*) FILTER (WHERE channel = 'chat') ch
        FROM c WHERE queue_entry_ts IS NOT NULL AND dayofweek(queue_entry_ts) BETWEEN 1 AND 5
        GROUP BY 1 ORDER BY 1""").fetchall()
    v = {h: n for h, n, _ in rows}
    ch = {h: n for h, _, n in rows}
    assert max(v, key=v.get) in (10, 11)
    assert v[14] > v[12] and v[10] > v[12]  # the lunch dip between two peaks
    assert max(ch, key=ch.get) in (18, 19, 20)


def test_mondays_are_busier_than_weekends(con) -> None:
    rows = dict(
        con.execute(
            "SELECT isodow(arrival_ts), count(*) / count(DISTINCT "
            "arrival_ts::DATE) FROM c GROUP BY 1"
        ).fetchall()
    )
    assert rows[1] > rows[3] > rows[6] > rows[7]


def test_closed_hours_have_no_contacts(sample: SynthDay, config: SynthConfig) -> None:
    c = sample.contacts
    q = c["queue"].to_numpy(zero_copy_only=False)
    ts = c["queue_entry_ts"].to_numpy(zero_copy_only=False)
    for spec in config.queues:
        m = q == spec.name
        t = ts[m].astype("datetime64[m]")
        minute = (t - t.astype("datetime64[D]")).astype(int)
        wd = (t.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-05 was a Monday
        first = c["segment"].to_numpy()[m] == 1
        for d in range(7):
            o, cl = spec.hours[d]
            sel = (wd == d) & first
            if cl <= o:
                assert not sel.any(), (spec.name, d)
            else:
                assert np.all((minute[sel] >= o * 60) & (minute[sel] < cl * 60)), (spec.name, d)


def test_transfers_make_linked_second_segments(con) -> None:
    n_tr, linked = _one(
        con,
        """
        SELECT count(*), count(s.contact_id) FROM c f
        LEFT JOIN c s ON s.previous_contact_id = f.contact_id AND s.segment = 2
             AND s.conversation_id = f.conversation_id AND s.queue_entry_ts = f.end_ts
             AND s.queue <> f.queue AND s.customer_key = f.customer_key
        WHERE f.transferred""",
    )
    assert n_tr > 50 and n_tr == linked
    assert _one(con, "SELECT bool_and(outcome = 'answered') FROM c WHERE transferred")[0]
    assert (
        _one(con, "SELECT count(*) FROM c WHERE segment = 2 AND previous_contact_id IS NULL")[0]
        == 0
    )


def test_some_calls_ring_several_agents(con) -> None:
    share = _one(
        con, "SELECT avg((rings > 1)::INT) FROM c WHERE channel = 'voice' AND outcome = 'answered'"
    )[0]
    assert 0.03 < share < 0.15


def test_repeat_customers_make_fcr_below_one(con) -> None:
    fcr = _one(
        con,
        """
        WITH h AS (SELECT customer_key, arrival_ts FROM c
                   WHERE segment = 1 AND outcome = 'answered'
                     AND arrival_ts < (SELECT max(arrival_ts) - INTERVAL 7 DAY FROM c))
        SELECT 1 - avg((EXISTS (SELECT 1 FROM c a WHERE a.segment = 1
            AND a.customer_key = h.customer_key AND a.arrival_ts > h.arrival_ts
            AND a.arrival_ts <= h.arrival_ts + INTERVAL 7 DAY))::INT) FROM h""",
    )[0]
    assert 0.75 < fcr < 0.95
    redial = _one(
        con,
        """
        SELECT avg((EXISTS (SELECT 1 FROM c a WHERE a.customer_key = f.customer_key
            AND a.arrival_ts > f.arrival_ts AND a.arrival_ts <= f.arrival_ts + INTERVAL 1 DAY))::INT)
        FROM c f WHERE f.outcome = 'abandoned' AND f.segment = 1""",
    )[0]
    assert redial > 0.25


def test_agents_work_only_when_logged_in_and_ready(con) -> None:
    bad_session = _one(
        con,
        """
        SELECT count(*) FROM c WHERE answer_ts IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM st WHERE st.agent = c.agent AND st.state = 'logged_in'
            AND c.answer_ts >= st.start_ts AND c.answer_ts <= st.end_ts)""",
    )[0]
    assert bad_session == 0
    in_break = _one(
        con,
        """
        SELECT count(*) FROM c JOIN st ON st.agent = c.agent AND st.state = 'not_ready'
          AND c.answer_ts >= st.start_ts AND c.answer_ts < st.end_ts""",
    )[0]
    assert in_break == 0
    overlap = _one(
        con,
        """
        SELECT count(*) FROM (SELECT agent, answer_ts, end_ts + to_seconds(acw_s) busy_to,
          lead(answer_ts) OVER (PARTITION BY agent ORDER BY answer_ts) nxt
          FROM c WHERE channel = 'voice' AND answer_ts IS NOT NULL) WHERE nxt < busy_to""",
    )[0]
    assert overlap == 0


def test_states_have_reasons_and_adherence_is_below_one(con) -> None:
    reasons = {
        r
        for (r,) in con.execute(
            "SELECT DISTINCT reason FROM st WHERE state = 'not_ready'"
        ).fetchall()
    }
    assert {"break", "lunch", "personal"} <= reasons
    assert (
        _one(con, "SELECT count(*) FROM st WHERE state = 'logged_in' AND reason IS NOT NULL")[0]
        == 0
    )
    in_work, scheduled = _one(
        con,
        """
        WITH ready AS (SELECT agent, start_ts, end_ts FROM st WHERE state = 'logged_in'),
        pause AS (SELECT agent, start_ts, end_ts FROM st WHERE state = 'not_ready'),
        w AS (SELECT * FROM sc WHERE activity = 'work'),
        ov AS (SELECT sum(epoch(least(w.end_ts, r.end_ts)) - epoch(greatest(w.start_ts, r.start_ts))) s
               FROM w JOIN ready r ON r.agent = w.agent AND r.start_ts < w.end_ts AND r.end_ts > w.start_ts),
        pv AS (SELECT sum(epoch(least(w.end_ts, p.end_ts)) - epoch(greatest(w.start_ts, p.start_ts))) s
               FROM w JOIN pause p ON p.agent = w.agent AND p.start_ts < w.end_ts AND p.end_ts > w.start_ts)
        SELECT (SELECT s FROM ov) - coalesce((SELECT s FROM pv), 0),
               (SELECT sum(epoch(end_ts) - epoch(start_ts)) FROM w)""",
    )
    adherence = in_work / scheduled
    assert 0.80 < adherence < 0.99
    late = _one(
        con,
        """SELECT avg((l.start_ts > s.start_ts + INTERVAL 2 MINUTE)::INT)
        FROM st l JOIN (SELECT agent, start_ts::DATE d, min(start_ts) start_ts FROM sc
                         GROUP BY ALL) s ON s.agent = l.agent AND s.d = l.start_ts::DATE
        WHERE l.state = 'logged_in'""",
    )[0]
    assert 0.1 < late < 0.6


def test_agents_belong_to_teams_and_roster_is_mid_size(con) -> None:
    n, teams = _one(con, "SELECT count(*), count(DISTINCT team) FROM ag")
    assert 40 <= n <= 140 and teams >= 6
    assert _one(con, "SELECT count(*) FROM ag WHERE max_chats > 1")[0] > 0


def test_surveys_are_skewed_by_wait(con) -> None:
    rows = dict(
        con.execute("""
        SELECT c.wait_s > 60, avg(score) FROM sv JOIN c USING (contact_id)
        WHERE item = 'csat' GROUP BY 1""").fetchall()
    )
    assert rows[False] > rows[True]
    rate = _one(
        con,
        "SELECT count(DISTINCT survey_id) / (SELECT count(*) FROM c "
        "WHERE outcome = 'answered') FROM sv",
    )[0]
    assert 0.05 < rate < 0.25
    lo, hi = _one(con, "SELECT min(score), max(score) FROM sv WHERE item = 'nps'")
    assert lo >= 0 and hi <= 10


def test_chat_messages_have_turns_and_unanswered_messages(con) -> None:
    per_chat = _one(
        con, "SELECT count(*) / count(DISTINCT contact_id) FROM m WHERE channel = 'chat'"
    )[0]
    assert 4 < per_chat < 25
    frt = _one(
        con,
        """
        SELECT median(epoch(a) - epoch(f)) FROM (
          SELECT contact_id, min(sent_ts) FILTER (WHERE sender = 'customer') f,
                 min(sent_ts) FILTER (WHERE sender = 'agent') a FROM m
          WHERE channel = 'chat' GROUP BY 1) WHERE a IS NOT NULL""",
    )[0]
    assert 5 < frt < 120
    cust, agent = _one(
        con,
        "SELECT count(*) FILTER (WHERE sender = 'customer'), "
        "count(*) FILTER (WHERE sender = 'agent') FROM m WHERE channel = 'chat'",
    )
    assert 0.7 < agent / cust < 0.98  # response rate below 100 %


def test_orders_follow_sales_chats(con) -> None:
    conv = _one(
        con,
        """
        SELECT count(DISTINCT o.contact_id) / count(DISTINCT c.conversation_id)
        FROM c LEFT JOIN o ON o.contact_id = c.conversation_id
        WHERE c.queue = 'Chat Sales' AND c.outcome = 'answered'""",
    )[0]
    assert 0.2 < conv < 0.55
    unpaid, aov = _one(con, "SELECT avg((paid_ts IS NULL)::INT), avg(amount) FROM o")
    assert 0.05 < unpaid < 0.25 and 40 < aov < 150
    assert _one(
        con,
        "SELECT bool_and(placed_ts > c.end_ts) FROM o JOIN c ON c.conversation_id = o.contact_id",
    )[0]


def test_rare_outcomes_occur() -> None:
    cfg = SynthConfig(seed=9, days=14, contacts_per_day=2000, staffing=0.65, incident_rate=0.3)
    outcomes = pa.concat_tables(d.contacts for d in generate_days(cfg))["outcome"]
    seen = set(outcomes.unique().to_pylist())
    assert {"answered", "abandoned", "timeout", "exit_by_key", "exit_empty", "ivr_only"} <= seen
    ab = np.mean(np.asarray(outcomes.to_pylist()) == "abandoned")
    assert ab > 0.05  # understaffing shows


@pytest.mark.parametrize("agents", [30])
def test_a_fixed_small_roster_is_respected(agents: int) -> None:
    d = generate(SynthConfig(seed=1, days=2, contacts_per_day=800, agents=agents))
    assert d.agents.num_rows == agents


def test_schedules_carry_breaks_absences_and_shrinkage(con) -> None:
    acts = dict(
        con.execute(
            "SELECT activity, sum(epoch(end_ts) - epoch(start_ts)) FROM sc GROUP BY 1"
        ).fetchall()
    )
    assert {"work", "break", "lunch", "absence"} <= set(acts)
    shrinkage = 1 - acts["work"] / sum(acts.values())
    assert 0.08 < shrinkage < 0.25
    # nobody logs in on a day of planned absence
    worked = _one(
        con,
        """
        SELECT count(*) FROM sc JOIN st ON st.agent = sc.agent AND st.state = 'logged_in'
          AND st.start_ts::DATE = sc.start_ts::DATE WHERE sc.activity = 'absence'""",
    )[0]
    assert worked == 0


def test_closed_days_give_empty_tables_with_the_schemas() -> None:
    from datetime import date

    from callscope.synth import QueueSpec

    q = QueueSpec(
        "Weekdays", "voice", 1.0, "x", ((8, 18),) * 5 + ((0, 0), (0, 0)), talk_median_s=200
    )
    weekend = generate(
        SynthConfig(seed=1, days=2, start=date(2026, 1, 3), contacts_per_day=100, queues=(q,))
    )
    assert weekend.contacts.num_rows == 0 and weekend.agents.num_rows > 0
    for name, table in weekend.tables().items():
        assert table.schema.equals(TABLES[name].schema), name
