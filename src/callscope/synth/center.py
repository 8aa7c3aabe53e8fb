"""The sample center, day by day: arrivals, staffing, queues, customers and feedback.

For each day, in this order:

1. each queue's shifts are given to agents (fewest days worked this week first), and
   :func:`~callscope.synth.shifts.staff_day` draws the schedule and the actual windows;
2. first-segment arrivals per queue: a Poisson count around the day's expected volume
   (with day-to-day noise), placed by the intraday profile of the channel within the
   open hours (a nonhomogeneous Poisson process); voice calls pass an IVR, and some
   hang up there (``ivr_only``);
3. queues are simulated in transfer order by the numba kernel (FCFS, patience,
   shifts and breaks); an answered contact may be transferred, which creates a second
   segment entering the target queue when the first one ends;
4. customers are assigned (repeat callers, redials after abandoning), then surveys,
   chat/e-mail messages and orders are drawn from the contacts.

Everything is drawn from one ``np.random.default_rng(seed)``: the same configuration
gives identical tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from callscope.model import AGENT_STATES, AGENTS, SCHEDULES, TABLES
from callscope.synth.columns import pick, timestamps
from callscope.synth.config import SynthConfig
from callscope.synth.customers import CustomerBook
from callscope.synth.feedback import surveys_table
from callscope.synth.kernel import (
    ABANDONED,
    ANSWERED,
    EXIT_BY_KEY,
    EXIT_EMPTY,
    IVR_ONLY,
    TIMEOUT,
    serve_queue,
)
from callscope.synth.messages import messages_table
from callscope.synth.orders import orders_table
from callscope.synth.profiles import MINUTES, daily_volume, intraday, open_mask
from callscope.synth.roster import Roster, build_roster
from callscope.synth.segments import DETAILS, Segments, contacts_table
from callscope.synth.shifts import ACTIVITIES, REASONS, QueueStaff, staff_day

__all__ = ["SynthDay", "generate", "generate_days"]

CHANNEL_CODES = {"voice": 0, "chat": 1, "email": 2}
_TRANSFER_KINDS = ("BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER")


@dataclass(frozen=True, slots=True)
class SynthDay:
    """One generated day: a table per canonical table (exact canonical schemas), plus
    ``details``, one row per ``contacts`` row (same order) with what only the file
    writers need (see :data:`callscope.synth.segments.DETAILS`). ``agents`` holds the
    whole directory on the first day and no rows afterwards."""

    day: date
    contacts: pa.Table
    agent_states: pa.Table
    agents: pa.Table
    schedules: pa.Table
    surveys: pa.Table
    messages: pa.Table
    orders: pa.Table
    details: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        """The canonical tables by name."""
        return {name: getattr(self, name) for name in TABLES}


class _Center:
    """The generator's running state across days."""

    def __init__(self, config: SynthConfig) -> None:
        self.cfg = config
        self.rng = np.random.default_rng(config.seed)
        self.roster: Roster = build_roster(config, self.rng)
        self.worked = np.zeros(len(self.roster.agent), np.int64)
        self.book = CustomerBook()
        self.seq = 0
        self.lines = {name: 0 for name in TABLES}
        self.source = f"synth:{config.seed}"
        self.agent_names = pa.array(self.roster.agent, pa.string())
        self.queue_names = pa.array([q.name for q in config.queues], pa.string())
        self.order = config.queue_order()
        self.cdf: dict[tuple[int, int], np.ndarray] = {}

    # -- helpers ----------------------------------------------------------------------
    def _lines(self, table: str, n: int) -> np.ndarray:
        start = self.lines[table]
        self.lines[table] = start + n
        return np.arange(start + 1, start + n + 1, dtype=np.int64)

    def _times(self, qi: int, wd: int, n: int) -> np.ndarray:
        """``n`` sorted entry times (whole seconds after midnight) from the profile."""
        key = (qi, wd)
        if key not in self.cdf:
            q = self.cfg.queues[qi]
            dens = intraday(q.channel) * open_mask(q, wd)
            self.cdf[key] = np.cumsum(dens) / dens.sum()
        cdf = self.cdf[key]
        minute = np.searchsorted(cdf, self.rng.random(n), side="right")
        minute = np.minimum(minute, MINUTES - 1)
        return np.sort(minute * 60 + self.rng.integers(0, 60, n)).astype(np.float64)

    def _staff(self, qi: int, wd: int) -> QueueStaff:
        shifts = self.roster.shifts[qi][wd]
        members = self.roster.members[qi]
        rng = self.rng
        if len(shifts) > len(members):
            keep = np.sort(rng.choice(len(shifts), len(members), replace=False))
            shifts = tuple(shifts[int(k)] for k in keep)
        pref = np.lexsort((rng.random(len(members)), self.worked[members]))
        chosen = members[pref[: len(shifts)]]
        self.worked[chosen] += 1
        chosen = rng.permutation(chosen)
        return staff_day(shifts, chosen, self.cfg.no_show_rate, rng, self.cfg.absence_rate)

    def _arrivals(self, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """First-segment conversations of ``day``, sorted by arrival: queue index, queue
        entry (or IVR start, for IVR-only calls) in seconds after midnight, IVR seconds
        and the IVR-only flag. Includes the day's noise and incident bursts."""
        cfg, rng = self.cfg, self.rng
        wd = day.weekday()
        f_q, f_entry, f_ivr, f_ivronly = [], [], [], []
        for qi, q in enumerate(cfg.queues):
            vol = daily_volume(cfg, qi, day)
            if vol <= 0:
                continue
            cv = cfg.day_noise
            mean = vol * (rng.gamma(1 / cv**2, cv**2) if cv > 0 else 1.0)
            n = int(rng.poisson(mean))
            entry = self._times(qi, wd, n)
            if q.channel == "voice" and rng.random() < cfg.incident_rate:
                o_min, c_min = round(q.hours[wd][0] * 60), round(q.hours[wd][1] * 60)
                at = int(rng.integers(o_min, max(o_min + 1, c_min - 120)))
                k = int(rng.poisson(0.4 * mean))
                burst = at * 60 + np.floor(rng.random(k) * min(120, c_min - at) * 60)
                entry = np.sort(np.concatenate([entry, burst]))
                n += k
            if q.channel == "voice":
                ivr = (
                    np.maximum(3.0, np.floor(rng.lognormal(math.log(q.ivr_median_s), 0.5, n)))
                    if q.ivr_median_s > 0
                    else np.zeros(n)
                )
                m = int(rng.poisson(mean * cfg.ivr_only_rate))
                f_q.append(np.full(m, qi))
                f_entry.append(self._times(qi, wd, m))
                f_ivr.append(np.maximum(2.0, np.floor(rng.lognormal(math.log(25.0), 0.7, m))))
                f_ivronly.append(np.ones(m, bool))
            else:
                ivr = np.zeros(n)
            f_q.append(np.full(n, qi))
            f_entry.append(entry)
            f_ivr.append(ivr)
            f_ivronly.append(np.zeros(n, bool))
        if not f_q:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, bool)
        q_, entry_, ivr_ = np.concatenate(f_q), np.concatenate(f_entry), np.concatenate(f_ivr)
        only = np.concatenate(f_ivronly)
        o = np.argsort(entry_ - np.where(only, 0.0, ivr_), kind="stable")
        return q_[o], entry_[o], ivr_[o], only[o]

    # -- one day ----------------------------------------------------------------------
    def day(self, d: int) -> SynthDay:
        cfg, rng = self.cfg, self.rng
        day = cfg.start + timedelta(days=d)
        wd = day.weekday()
        if wd == 0:
            self.worked[:] = 0
        staff = [self._staff(qi, wd) for qi in range(len(cfg.queues))]

        # 2. first-segment arrivals (and IVR-only calls), sorted by arrival
        conv_q, conv_entry, conv_ivr, conv_ivronly = self._arrivals(day)
        conv_arrival = conv_entry - np.where(conv_ivronly, 0.0, conv_ivr)
        n_conv = conv_q.shape[0]

        # 3. queues in transfer order
        chunks: list[dict[str, np.ndarray]] = []
        incoming: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        releases: list[np.ndarray] = [np.zeros(0)] * len(cfg.queues)
        for qi in self.order:
            first = np.flatnonzero((conv_q == qi) & ~conv_ivronly)
            ins = incoming.get(qi, [])
            t_conv = np.concatenate([c for c, _ in ins]) if ins else np.zeros(0, np.int64)
            t_time = np.concatenate([t for _, t in ins]) if ins else np.zeros(0)
            chunk, rel = self._queue(
                qi,
                wd,
                staff[qi],
                first,
                conv_entry[first],
                conv_ivr[first],
                t_conv,
                t_time,
                incoming,
            )
            chunks.append(chunk)
            releases[qi] = rel
        ivr_rows = np.flatnonzero(conv_ivronly)
        chunks.append(
            self._ivr_only(ivr_rows, conv_q[ivr_rows], conv_arrival[ivr_rows], conv_ivr[ivr_rows])
        )
        seg = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        o = np.lexsort((seg["segment"], seg["conv"], seg["arrival"]))
        seg = {k: v[o] for k, v in seg.items()}

        # 4. customers, ids
        base = (day - date(1970, 1, 1)).days * 86400
        reason = self._reasons(conv_q)
        keys, reason, repeat = self._customers(seg, n_conv, conv_arrival, conv_q, reason, base)
        conv_seq = self.seq + np.arange(n_conv)
        self.seq += n_conv
        segs = Segments.build(
            seg,
            base,
            conv_seq,
            conv_arrival,
            keys,
            reason,
            repeat,
            cfg,
            self.roster,
            self.agent_names,
            self.queue_names,
            rng,
        )
        contacts, details = contacts_table(segs, self.source, self._lines("contacts", segs.n))
        states = self._agent_states(staff, releases, base)
        schedules = self._schedules(staff, base)
        surveys = surveys_table(segs, cfg, self.roster, rng)
        surveys = _with_source(surveys, self.source, self._lines("surveys", surveys.num_rows))
        messages = messages_table(segs, rng, self.roster.speed)
        messages = _with_source(messages, self.source, self._lines("messages", messages.num_rows))
        orders = orders_table(segs, cfg, self.roster, rng)
        orders = _with_source(orders, self.source, self._lines("orders", orders.num_rows))
        agents = self.roster.table(self.source) if d == 0 else AGENTS.empty()
        if d == 0:
            self._lines("agents", agents.num_rows)
        return SynthDay(
            day,
            contacts,
            states,
            agents,
            schedules,
            surveys.cast(TABLES["surveys"].schema),
            messages.cast(TABLES["messages"].schema),
            orders.cast(TABLES["orders"].schema),
            details.cast(DETAILS),
        )

    def _queue(
        self,
        qi: int,
        wd: int,
        staff: QueueStaff,
        conv: np.ndarray,
        entry: np.ndarray,
        ivr: np.ndarray,
        t_conv: np.ndarray,
        t_time: np.ndarray,
        incoming: dict[int, list[tuple[np.ndarray, np.ndarray]]],
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Simulate queue ``qi``: first segments ``conv`` plus transferred-in ones."""
        cfg, rng, q = self.cfg, self.rng, self.cfg.queues[qi]
        n1, n2 = conv.shape[0], t_conv.shape[0]
        all_conv = np.concatenate([conv, t_conv])
        all_entry = np.concatenate([entry, t_time])
        segment = np.concatenate([np.ones(n1, np.int16), np.full(n2, 2, np.int16)])
        ivr_all = np.concatenate([ivr, np.zeros(n2)])
        o = np.argsort(all_entry, kind="stable")
        all_conv, all_entry, segment, ivr_all = all_conv[o], all_entry[o], segment[o], ivr_all[o]
        n = n1 + n2
        second = segment == 2
        # per-contact draws
        if math.isinf(q.patience_median_s):
            patience = np.full(n, np.inf)
        else:
            patience = np.ceil(rng.lognormal(math.log(q.patience_median_s), q.patience_sigma, n))
            patience = np.where(second, np.ceil(patience * 1.5), patience)
        if q.channel == "voice":
            u = rng.random(n)
            extra = (u < 0.06).astype(np.int64) + (u < 0.015)
            ring_answer = rng.integers(2, 9, n).astype(np.float64)
        else:
            extra = np.zeros(n, np.int64)
            ring_answer = (
                rng.integers(0, 4, n).astype(np.float64) if q.channel == "chat" else np.zeros(n)
            )
        ring = extra * 15.0 + ring_answer
        talk = rng.lognormal(math.log(q.talk_median_s), q.talk_sigma, n)
        has_hold = rng.random(n) < q.hold_prob
        hold = np.where(has_hold, rng.lognormal(math.log(q.hold_median_s), 0.7, n), 0.0)
        holds = np.where(has_hold, 1 + rng.poisson(0.35, n), 0)
        acw = rng.lognormal(math.log(q.acw_median_s), q.acw_sigma, n)
        will_transfer = np.zeros(n, bool)
        target = np.full(n, -1, np.int64)
        if q.transfer_to:
            will_transfer = ~second & (rng.random(n) < cfg.transfer_rate)
            names = [x.name for x in cfg.queues]
            choices = np.array([names.index(t) for t in q.transfer_to])
            target = np.where(will_transfer, choices[rng.integers(0, len(choices), n)], -1)
            talk = np.where(will_transfer, talk * 0.6, talk)
        # the kernel
        local = staff.agents
        chats = self.roster.max_chats[local].astype(np.int64)
        slot_agent = np.repeat(np.arange(local.shape[0]), chats)
        outcome, answer, leave, agent_l, talk_s, hold_s, acw_s, release = serve_queue(
            all_entry,
            patience,
            float(q.max_wait_s),
            ring,
            talk,
            hold,
            acw,
            slot_agent,
            self.roster.speed[local],
            staff.win_ptr,
            staff.win_start,
            staff.win_end,
        )
        agent = np.where(agent_l >= 0, local[np.maximum(agent_l, 0)], -1)
        outcome = outcome.astype(np.int8)
        answered = outcome == ANSWERED
        # exit by key: some callers who would abandon after 45 s press a key (callback)
        if q.channel == "voice":
            by_key = (outcome == ABANDONED) & (leave - all_entry >= 45) & (rng.random(n) < 0.1)
            outcome[by_key] = EXIT_BY_KEY
        # transfers: only into a queue open at the moment of the transfer
        seg_end = np.where(answered, answer + talk_s + hold_s, leave)
        transferred = np.zeros(n, bool)
        if q.transfer_to:
            minute = np.minimum((seg_end // 60).astype(np.int64), MINUTES - 1)
            for t in np.unique(target[target >= 0]):
                tq = cfg.queues[int(t)]
                ok = open_mask(tq, wd)[minute]
                sel = answered & will_transfer & (target == t) & ok
                transferred |= sel
                if sel.any():
                    incoming.setdefault(int(t), []).append((all_conv[sel], seg_end[sel]))
        # queue positions: contacts ahead at entry (and at leaving, for exits)
        deq = np.where(answered, answer - ring, leave)
        sdeq = np.sort(deq)
        idx = np.arange(n)
        origpos = np.maximum(1, idx + 1 - np.searchsorted(sdeq, all_entry, side="left"))
        pos = np.clip(idx + 1 - np.searchsorted(sdeq, leave, side="left"), 1, origpos)
        kinds = rng.choice(3, n, p=[0.55, 0.25, 0.20])
        chunk = {
            "conv": all_conv,
            "segment": segment,
            "queue": np.full(n, qi, np.int64),
            "entry": all_entry,
            "arrival": all_entry - ivr_all,
            "ivr": ivr_all,
            "outcome": outcome,
            "answer": answer,
            "leave": leave,
            "end": seg_end,
            "agent": agent,
            "talk": talk_s,
            "hold": hold_s,
            "acw": acw_s,
            "transferred": transferred,
            "extra_rings": np.where(answered, extra, 0),
            "ring_answer": ring_answer,
            "holds": np.where(answered, holds, 0),
            "transfer_kind": np.where(transferred, kinds, -1),
            "target": np.where(transferred, target, -1),
            "hangup_agent": rng.random(n) < 0.35,
            "pos": pos,
            "origpos": origpos,
        }
        return chunk, release

    def _ivr_only(
        self, conv: np.ndarray, qidx: np.ndarray, arrival: np.ndarray, ivr: np.ndarray
    ) -> dict[str, np.ndarray]:
        n = conv.shape[0]
        nan = np.full(n, np.nan)
        zi = np.zeros(n, np.int64)
        return {
            "conv": conv,
            "segment": np.ones(n, np.int16),
            "queue": qidx,
            "entry": nan,
            "arrival": arrival,
            "ivr": ivr,
            "outcome": np.full(n, IVR_ONLY, np.int8),
            "answer": nan,
            "leave": nan,
            "end": arrival + ivr,
            "agent": np.full(n, -1, np.int64),
            "talk": nan,
            "hold": nan,
            "acw": nan,
            "transferred": np.zeros(n, bool),
            "extra_rings": zi,
            "ring_answer": np.zeros(n),
            "holds": zi,
            "transfer_kind": np.full(n, -1),
            "target": np.full(n, -1),
            "hangup_agent": np.zeros(n, bool),
            "pos": zi,
            "origpos": zi,
        }

    def _reasons(self, conv_q: np.ndarray) -> np.ndarray:
        """A contact reason per conversation: an index into the flat list of all queues'
        dispositions, drawn from its queue's list."""
        size = np.array([len(q.dispositions) for q in self.cfg.queues])
        off = np.concatenate([[0], np.cumsum(size)[:-1]])
        u = self.rng.random(conv_q.shape[0])
        return (off[conv_q] + np.floor(u * size[conv_q])).astype(np.int64)

    def _customers(
        self,
        seg: dict[str, np.ndarray],
        n_conv: int,
        conv_arrival: np.ndarray,
        conv_q: np.ndarray,
        reason: np.ndarray,
        base: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Customer numbers and reasons per conversation (repeats and redials linked)."""
        cfg, rng = self.cfg, self.rng
        ch_of_q = np.array([CHANNEL_CODES[q.channel] for q in cfg.queues], np.int8)
        conv_ch = ch_of_q[conv_q]
        first = seg["segment"] == 1
        c = seg["conv"][first]
        out1 = np.full(n_conv, -1, np.int8)
        out1[c] = seg["outcome"][first]
        conv_end = np.full(n_conv, -np.inf)
        np.maximum.at(
            conv_end,
            seg["conv"],
            np.nan_to_num(seg["end"] + np.nan_to_num(seg["acw"]), nan=-np.inf),
        )
        due = np.full(n_conv, np.nan)
        handled = out1 == ANSWERED
        rep = handled & (rng.random(n_conv) < cfg.repeat_rate)
        delay = np.minimum(rng.lognormal(math.log(1.5 * 86400), 1.0, n_conv), 6.5 * 86400)
        due[rep] = conv_end[rep] + delay[rep]
        lost = np.isin(out1, (ABANDONED, TIMEOUT, EXIT_EMPTY, EXIT_BY_KEY))
        redial = lost & (rng.random(n_conv) < cfg.redial_rate)
        due[redial] = conv_end[redial] + np.ceil(rng.lognormal(math.log(600), 1.0, n_conv))[redial]
        ivr = (out1 == IVR_ONLY) & (rng.random(n_conv) < 0.5)
        due[ivr] = conv_end[ivr] + np.ceil(rng.lognormal(math.log(120), 0.8, n_conv))[ivr]
        spawn_ch = np.where(rep & (rng.random(n_conv) < 0.25), rng.integers(0, 3, n_conv), conv_ch)
        keys, reason = self.book.assign(
            conv_arrival + base, conv_ch, reason, due + base, spawn_ch, rng
        )
        return keys, reason, rep

    def _agent_states(
        self, staff: list[QueueStaff], releases: list[np.ndarray], base: int
    ) -> pa.Table:
        ag, st, rs, qu, s0, s1 = [], [], [], [], [], []
        for qi, (sf, rel) in enumerate(zip(staff, releases, strict=True)):
            if sf.win_start.shape[0] == 0:
                continue
            counts = np.diff(sf.win_ptr)
            has = counts > 0
            firsts = sf.win_ptr[:-1][has]
            lasts = sf.win_ptr[1:][has] - 1
            ag.append(sf.agents[has])
            st.append(np.zeros(has.sum(), np.int8))  # noqa: E702
            rs.append(np.zeros(has.sum(), np.int8))
            qu.append(np.full(has.sum(), qi))  # noqa: E702
            s0.append(sf.win_start[firsts])
            s1.append(rel[lasts])  # noqa: E702
            w = np.arange(sf.win_start.shape[0])
            owner = np.repeat(np.arange(sf.agents.shape[0]), counts)
            not_last = np.ones(w.shape[0], bool)
            not_last[lasts] = False
            gap_s = rel[w[not_last]]
            gap_e = sf.win_start[w[not_last] + 1]
            ok = gap_e > gap_s
            sel = w[not_last][ok]
            ag.append(sf.agents[owner[sel]])
            st.append(np.ones(sel.shape[0], np.int8))  # noqa: E702
            rs.append(sf.win_gap[sel])
            qu.append(np.full(sel.shape[0], qi))  # noqa: E702
            s0.append(gap_s[ok])
            s1.append(gap_e[ok])  # noqa: E702
        if not ag:
            return AGENT_STATES.empty()
        agent = np.concatenate(ag)
        start = np.concatenate(s0)
        end = np.concatenate(s1)
        state = np.concatenate(st)
        o = np.lexsort((state, start, agent))
        agent, start, end, state = agent[o], start[o], end[o], state[o]
        reason = np.concatenate(rs)[o]
        queue = np.concatenate(qu)[o]
        n = agent.shape[0]
        return AGENT_STATES.conform(
            pa.table(
                {
                    "agent": pick(self.agent_names, agent),
                    "state": pick(["logged_in", "not_ready"], state),
                    "reason": pick(REASONS, np.where(state == 1, reason, -1)),
                    "queue": pick(self.queue_names, queue),
                    "start_ts": timestamps(base, start),
                    "end_ts": timestamps(base, end),
                    "duration_s": pa.array(end - start, pa.float64()),
                    "source_file": pa.array([self.source] * n, pa.string()),
                    "source_line": pa.array(self._lines("agent_states", n)),
                }
            )
        )

    def _schedules(self, staff: list[QueueStaff], base: int) -> pa.Table:
        agent = np.concatenate([s.sched_agent for s in staff])
        act = np.concatenate([s.sched_activity for s in staff])
        start = np.concatenate([s.sched_start for s in staff]).astype(np.float64)
        end = np.concatenate([s.sched_end for s in staff]).astype(np.float64)
        o = np.lexsort((start, agent))
        n = agent.shape[0]
        return pa.table(
            {
                "agent": pick(self.agent_names, agent[o]),
                "activity": pick(list(ACTIVITIES), act[o]),
                "start_ts": timestamps(base, start[o]),
                "end_ts": timestamps(base, end[o]),
                "source_file": pa.array([self.source] * n, pa.string()),
                "source_line": pa.array(self._lines("schedules", n)),
            }
        ).cast(SCHEDULES.schema)


def _with_source(t: pa.Table, source: str, lines: np.ndarray) -> pa.Table:
    return t.append_column(
        "source_file", pa.array([source] * t.num_rows, pa.string())
    ).append_column("source_line", pa.array(lines, pa.int64()))


def generate_days(config: SynthConfig) -> Iterator[SynthDay]:
    """Yield the sample center one day at a time (bounded memory at any size).

    >>> from callscope.synth import SynthConfig
    >>> days = list(generate_days(SynthConfig(days=2, contacts_per_day=300)))
    >>> [d.day.isoformat() for d in days]
    ['2026-01-05', '2026-01-06']
    """
    center = _Center(config)
    for d in range(config.days):
        yield center.day(d)


def generate(config: SynthConfig) -> SynthDay:
    """All days concatenated into one :class:`SynthDay` (small configurations).

    ``day`` is the first day.
    """
    days = list(generate_days(config))
    cat = {
        name: pa.concat_tables([getattr(d, name) for d in days]) for name in (*TABLES, "details")
    }
    return SynthDay(day=days[0].day, **cat)
