"""Contact segments: the simulated rows of a day, their ids and the ``contacts`` table.

Ids: a conversation is ``<epoch of its arrival>.<running number>`` (the shape of an
Asterisk ``uniqueid``); its first segment has that id as ``contact_id``, a transferred
second segment ``<conversation>-2`` with ``previous_contact_id`` = the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.model import CONTACTS
from callscope.model.outcome import CHANNELS, OUTCOME_BY_CODE
from callscope.synth.columns import floats, fmt_int, join, pick, timestamps
from callscope.synth.config import SynthConfig
from callscope.synth.customers import customer_keys
from callscope.synth.kernel import ANSWERED, EXIT_BY_KEY, IVR_ONLY
from callscope.synth.roster import Roster

__all__ = ["DETAILS", "Segments", "contacts_table"]

_CHANNELS = CHANNELS
_KINDS = ("BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER")

#: Writer-only details, one row per ``contacts`` row (same order).
DETAILS = pa.schema(
    [
        pa.field("contact_id", pa.string(), nullable=False),
        pa.field("ring_s", pa.float64()),  # ring of the answering agent, seconds
        pa.field("noanswer", pa.list_(pa.string())),  # agents rung who did not answer (15 s each)
        pa.field("holds", pa.int16()),  # number of holds
        pa.field("transfer_kind", pa.string()),  # BLINDTRANSFER | ATTENDEDTRANSFER | TRANSFER
        pa.field("transfer_to", pa.string()),  # target queue of a transfer
        pa.field("hangup", pa.string()),  # agent | customer, who ended an answered contact
        pa.field("exit_key", pa.string()),  # key pressed (exit_by_key)
        pa.field("position", pa.int32()),  # position in queue when leaving unanswered
        pa.field("origposition", pa.int32()),  # position in queue on entry
    ]
)


@dataclass(frozen=True, slots=True)
class Segments:
    """One day's contact segments: NumPy columns (seconds after ``base``) and the
    Arrow string columns the feedback tables reuse."""

    n: int
    base: int
    raw: dict[str, np.ndarray]
    channel: np.ndarray  # code into ("voice", "chat", "email")
    answered: np.ndarray
    final: np.ndarray  # answered and not transferred: the segment that handled it
    resolved: np.ndarray  # 1.0 / 0.0 / NaN
    contact_id: pa.Array
    conversation_id: pa.Array
    previous_contact_id: pa.Array
    customer_key: pa.Array
    agent_name: pa.Array
    queue_name: pa.Array
    channel_name: pa.Array
    disposition: pa.Array
    noanswer: pa.Array
    sales: np.ndarray  # the contact's queue is a sales queue
    skill: pa.Array
    priority: np.ndarray  # int16
    transfer_to: pa.Array

    @staticmethod
    def build(
        seg: dict[str, np.ndarray],
        base: int,
        conv_seq: np.ndarray,
        conv_arrival: np.ndarray,
        keys: np.ndarray,
        reason: np.ndarray,
        repeat: np.ndarray,
        cfg: SynthConfig,
        roster: Roster,
        agent_names: pa.Array,
        queue_names: pa.Array,
        rng: np.random.Generator,
    ) -> Segments:
        n = seg["conv"].shape[0]
        conv = seg["conv"]
        q = seg["queue"]
        ch_of_q = np.array([_CHANNELS.index(x.channel) for x in cfg.queues], np.int64)
        channel = ch_of_q[q]
        answered = seg["outcome"] == ANSWERED
        transferred = seg["transferred"]
        final = answered & ~transferred
        resolved = np.full(n, np.nan)
        resolved[final] = np.where(repeat[conv[final]], 0.0, 1.0)
        resolved[transferred] = 0.0
        conv_id = join(
            fmt_int(base + np.floor(conv_arrival[conv]).astype(np.int64)),
            fmt_int(conv_seq[conv]),
            sep=".",
        )
        second = pa.array(seg["segment"] == 2)
        contact_id = pc.if_else(second, join(conv_id, "-2"), conv_id)
        previous = pc.if_else(second, conv_id, pa.scalar(None, pa.string()))
        # dispositions and agents rung without answer
        flat: list[str] = []
        off = []
        for x in cfg.queues:
            off.append(len(flat))
            flat.extend(x.dispositions)
        size = np.array([len(x.dispositions) for x in cfg.queues])
        d_idx = np.array(off)[q] + np.floor(rng.random(n) * size[q]).astype(np.int64)
        d_idx = np.where(seg["segment"] == 1, reason[conv], d_idx)  # the contact's reason
        disposition = pick(flat, np.where(answered, d_idx, -1))
        extra = seg["extra_rings"].astype(np.int64)
        rows = np.repeat(np.arange(n), extra)
        who = np.empty(rows.shape[0], np.int64)
        for qi, members in enumerate(roster.members):
            m = q[rows] == qi
            if m.any():
                who[m] = members[rng.integers(0, members.shape[0], int(m.sum()))]
        offsets = np.concatenate([[0], np.cumsum(extra)]).astype(np.int32)
        noanswer = pa.ListArray.from_arrays(pa.array(offsets), pick(agent_names, who))
        sales = np.array([x.sales for x in cfg.queues])[q]
        return Segments(
            n=n,
            base=base,
            raw=seg,
            channel=channel,
            answered=answered,
            final=final,
            resolved=resolved,
            contact_id=contact_id,
            conversation_id=conv_id,
            previous_contact_id=previous,
            customer_key=customer_keys(keys[conv]),
            agent_name=pick(agent_names, seg["agent"]),
            queue_name=pick(queue_names, q),
            channel_name=pick(_CHANNELS, channel),
            disposition=disposition,
            noanswer=noanswer,
            sales=sales,
            skill=pick([x.skill for x in cfg.queues], q),
            priority=np.array([x.priority for x in cfg.queues], np.int16)[q],
            transfer_to=pick(queue_names, seg["target"]),
        )


def contacts_table(s: Segments, source: str, lines: np.ndarray) -> tuple[pa.Table, pa.Table]:
    """The canonical ``contacts`` rows and the writer details of a day."""
    r = s.raw
    n = s.n
    ivr_only = r["outcome"] == IVR_ONLY
    queued = ~ivr_only
    ans = s.answered
    voice = s.channel == 0
    wait = np.where(ans, r["answer"] - r["entry"], r["leave"] - r["entry"])
    contacts = CONTACTS.conform(
        pa.table(
            {
                "contact_id": s.contact_id,
                "conversation_id": s.conversation_id,
                "segment": pa.array(r["segment"], pa.int16()),
                "previous_contact_id": s.previous_contact_id,
                "channel": s.channel_name,
                "direction": pa.array(np.full(n, "inbound", dtype=object), pa.string()),
                "queue": pc.if_else(pa.array(queued), s.queue_name, pa.scalar(None, pa.string())),
                "skill": s.skill,
                "priority": pa.array(s.priority, pa.int16(), mask=~queued),
                "customer_key": s.customer_key,
                "arrival_ts": timestamps(s.base, r["arrival"]),
                "ivr_s": floats(r["ivr"], voice),
                "queue_entry_ts": timestamps(s.base, np.where(queued, r["entry"], np.nan)),
                "answer_ts": timestamps(s.base, r["answer"]),
                "end_ts": timestamps(s.base, r["end"]),
                "wait_s": floats(wait, queued),
                "talk_s": floats(r["talk"], ans),
                "hold_s": floats(r["hold"], ans),
                "acw_s": floats(r["acw"], ans),
                "agent": s.agent_name,
                "rings": pa.array((r["extra_rings"] + 1).astype(np.int16), pa.int16(), mask=~ans),
                "outcome": pick(OUTCOME_BY_CODE, r["outcome"]),
                "transferred": pa.array(r["transferred"], pa.bool_()),
                "disposition": s.disposition,
                "resolved": pa.array(s.resolved == 1.0, pa.bool_(), mask=np.isnan(s.resolved)),
                "source_file": pa.array([source] * n, pa.string()),
                "source_line": pa.array(lines, pa.int64()),
            }
        )
    )
    exit_key = np.where(r["outcome"] == EXIT_BY_KEY, 0, -1)
    details = pa.table(
        {
            "contact_id": s.contact_id,
            "ring_s": floats(r["ring_answer"], ans),
            "noanswer": s.noanswer,
            "holds": pa.array(r["holds"].astype(np.int16), pa.int16(), mask=~ans),
            "transfer_kind": pick(_KINDS, r["transfer_kind"]),
            "transfer_to": s.transfer_to,
            "hangup": pick(
                ["customer", "agent"], np.where(ans, r["hangup_agent"].astype(np.int64), -1)
            ),
            "exit_key": pick(["1"], exit_key),
            "position": pa.array(r["pos"].astype(np.int32), pa.int32(), mask=ivr_only),
            "origposition": pa.array(r["origpos"].astype(np.int32), pa.int32(), mask=ivr_only),
        }
    )
    return contacts, details
