"""Write the voice contacts and agent states of generated days as an Asterisk
``queue_log``.

One line per event, ``epoch|uniqueid|queuename|agent|EVENT|data1|data2|...``, sorted by
time; epoch = the naive local timestamp read as UTC. Events and their data fields follow
the Asterisk documentation (Queue Logs):

* ``ENTERQUEUE|url|callerid`` (url empty, callerid = customer key);
* ``RINGNOANSWER|ringtime_ms`` for each agent rung who did not answer (15 s rings);
* ``CONNECT|holdtime|bridgedchanneluniqueid|ringtime`` (holdtime = queue wait, s);
* ``COMPLETEAGENT|holdtime|calltime|origposition`` / ``COMPLETECALLER|...`` by who hung
  up; calltime = connected seconds (talk + hold: ``queue_log`` has no hold events);
* ``BLINDTRANSFER|extension|context|holdtime|calltime|origposition``, ``TRANSFER|...``
  (same fields) or ``ATTENDEDTRANSFER|BRIDGE|bridgeuid|holdtime|calltime|origposition``,
  after which the same uniqueid enters the target queue with a new ``ENTERQUEUE``;
* ``ABANDON|position|origposition|waittime``, ``EXITWITHTIMEOUT|...``, ``EXITEMPTY|...``
  (same fields) and ``EXITWITHKEY|key|position|origposition|waittime``;
* agents: ``AGENTLOGIN|channel`` and ``AGENTLOGOFF|channel|logintime`` (uniqueid and queue
  ``NONE``), ``ADDMEMBER|`` / ``REMOVEMEMBER|`` per queue, ``PAUSE|reason`` and
  ``UNPAUSE|reason`` for not-ready spans (queue ``NONE``).

IVR-only calls, chat and e-mail have no place in a ``queue_log`` and are left out.
Each day is built column-wise with pyarrow, sorted with NumPy and written as one buffer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callscope.synth.center import SynthDay
from callscope.synth.columns import day_epoch

__all__ = ["write_queue_log"]

_ORDER = {
    "AGENTLOGIN": 0,
    "ADDMEMBER": 1,
    "UNPAUSE": 2,
    "TRANSFER": 3,
    "ENTERQUEUE": 4,
    "RINGNOANSWER": 5,
    "CONNECT": 6,
    "COMPLETE": 7,
    "PAUSE": 8,
    "REMOVEMEMBER": 9,
    "AGENTLOGOFF": 10,
}
_RING_S = 15


def _sec(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Epoch seconds of a timestamp[us] column (nulls -> 0)."""
    x = pc.fill_null(pc.cast(col, pa.int64()), 0)
    return x.to_numpy() // 1_000_000


def _num(x: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(x, np.int64)).cast(pa.string())


def _line(*cols: pa.Array | pa.ChunkedArray | str) -> pa.Array:
    out = pc.binary_join_element_wise(*cols, "|", null_handling="replace", null_replacement="")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


class _Events:
    def __init__(self) -> None:
        self.epoch: list[np.ndarray] = []
        self.order: list[np.ndarray] = []
        self.lines: list[pa.Array] = []

    def add(self, epoch: np.ndarray, kind: str, line: pa.Array) -> None:
        if len(line) == 0:
            return
        self.epoch.append(np.asarray(epoch, np.int64))
        self.order.append(np.full(len(line), _ORDER[kind], np.int8))
        self.lines.append(line)


def _filter(t: pa.Table | pa.Array, mask: np.ndarray) -> pa.Table | pa.Array:
    return t.filter(pa.array(mask))


def _contact_events(ev: _Events, day: SynthDay, extension: dict[str, str]) -> None:
    c, d = day.contacts, day.details
    voice = pc.equal(c["channel"], "voice").to_numpy(zero_copy_only=False) & pc.is_valid(
        c["queue"]
    ).to_numpy(zero_copy_only=False)
    c, d = _filter(c, voice), _filter(d, voice)
    n = c.num_rows
    if n == 0:
        return
    uid = c["conversation_id"]
    queue = c["queue"]
    outcome = c["outcome"].to_numpy(zero_copy_only=False)
    entry = _sec(c["queue_entry_ts"])
    wait = np.rint(pc.fill_null(c["wait_s"], 0).to_numpy()).astype(np.int64)
    origpos = pc.fill_null(d["origposition"], 1).to_numpy()
    pos = pc.fill_null(d["position"], 1).to_numpy()
    none = "NONE"
    # ENTERQUEUE
    ev.add(
        entry,
        "ENTERQUEUE",
        _line(_num(entry), uid, queue, none, "ENTERQUEUE", "", c["customer_key"]),
    )
    # answered: RINGNOANSWER, CONNECT, COMPLETE* or a transfer
    ans = outcome == "answered"
    ca, da = _filter(c, ans), _filter(d, ans)
    answer = _sec(ca["answer_ts"])
    ring = np.rint(pc.fill_null(da["ring_s"], 0).to_numpy()).astype(np.int64)
    w_a = wait[ans]
    op_a = origpos[ans]
    na = da["noanswer"].combine_chunks()
    counts = pc.list_value_length(na).to_numpy(zero_copy_only=False).astype(np.int64)
    if counts.sum():
        row = np.repeat(np.arange(ca.num_rows), counts)
        k = np.arange(row.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
        t0 = answer[row] - ring[row] - _RING_S * counts[row]
        when = t0 + _RING_S * (k + 1)
        take = pa.array(row)
        ev.add(
            when,
            "RINGNOANSWER",
            _line(
                _num(when),
                pc.take(ca["conversation_id"], take),
                pc.take(ca["queue"], take),
                pc.list_flatten(na),
                "RINGNOANSWER",
                str(_RING_S * 1000),
            ),
        )
    bridged = pc.binary_join_element_wise(_num(answer), _num(np.arange(ca.num_rows) + 1), ".")
    ev.add(
        answer,
        "CONNECT",
        _line(
            _num(answer),
            ca["conversation_id"],
            ca["queue"],
            ca["agent"],
            "CONNECT",
            _num(w_a),
            bridged,
            _num(ring),
        ),
    )
    end = _sec(ca["end_ts"])
    calltime = np.rint(
        pc.fill_null(ca["talk_s"], 0).to_numpy() + pc.fill_null(ca["hold_s"], 0).to_numpy()
    ).astype(np.int64)
    transferred = ca["transferred"].to_numpy(zero_copy_only=False)
    kind = pc.fill_null(da["transfer_kind"], "").to_numpy(zero_copy_only=False)
    hang = pc.fill_null(da["hangup"], "customer").to_numpy(zero_copy_only=False)
    base = [ca["conversation_id"], ca["queue"], ca["agent"]]
    for name, mask in (
        ("COMPLETEAGENT", ~transferred & (hang == "agent")),
        ("COMPLETECALLER", ~transferred & (hang != "agent")),
    ):
        if mask.any():
            m = pa.array(mask)
            ev.add(
                end[mask],
                "COMPLETE",
                _line(
                    _num(end[mask]),
                    *(b.filter(m) for b in base),
                    name,
                    _num(w_a[mask]),
                    _num(calltime[mask]),
                    _num(op_a[mask]),
                ),
            )
    target = pc.fill_null(da["transfer_to"], "").to_numpy(zero_copy_only=False)
    ext = (
        np.array([extension.get(t, "0") for t in target], dtype=object)
        if transferred.any()
        else np.zeros(0, dtype=object)
    )
    for name in ("BLINDTRANSFER", "TRANSFER", "ATTENDEDTRANSFER"):
        mask = transferred & (kind == name)
        if not mask.any():
            continue
        m = pa.array(mask)
        tail = [_num(w_a[mask]), _num(calltime[mask]), _num(op_a[mask])]
        if name == "ATTENDEDTRANSFER":
            head = [
                "BRIDGE",
                pc.binary_join_element_wise(
                    _num(end[mask]), _num(np.flatnonzero(mask) + 500_001), "."
                ),
            ]
        else:
            head = [pa.array(ext[mask], pa.string()), "from-internal"]
        ev.add(
            end[mask],
            "TRANSFER",
            _line(_num(end[mask]), *(b.filter(m) for b in base), name, *head, *tail),
        )
    # unanswered exits
    for oc, name in (
        ("abandoned", "ABANDON"),
        ("timeout", "EXITWITHTIMEOUT"),
        ("exit_empty", "EXITEMPTY"),
        ("exit_by_key", "EXITWITHKEY"),
    ):
        mask = outcome == oc
        if not mask.any():
            continue
        m = pa.array(mask)
        leave = entry[mask] + wait[mask]
        data = [_num(pos[mask]), _num(origpos[mask]), _num(wait[mask])]
        if name == "EXITWITHKEY":
            data = [pc.fill_null(d["exit_key"].filter(m), "1"), *data]
        ev.add(
            leave,
            "COMPLETE",
            _line(_num(leave), uid.filter(m), queue.filter(m), "NONE", name, *data),
        )


def _agent_events(
    ev: _Events, day: SynthDay, voice_queues: set[str], voice_agents: set[str]
) -> None:
    st = day.agent_states
    if st.num_rows == 0:
        return
    state = st["state"].to_numpy(zero_copy_only=False)
    queue = pc.fill_null(st["queue"], "").to_numpy(zero_copy_only=False)
    agent = st["agent"].to_numpy(zero_copy_only=False)
    li = (state == "logged_in") & np.isin(queue, list(voice_queues))
    voice_agents.update(agent[li].tolist())
    nr = (state == "not_ready") & np.isin(agent, list(voice_agents))
    if li.any():
        t = st.filter(pa.array(li))
        s, e = _sec(t["start_ts"]), _sec(t["end_ts"])
        chan = pc.replace_substring(t["agent"], "Agent/", "SIP/")
        ev.add(s, "AGENTLOGIN", _line(_num(s), "NONE", "NONE", t["agent"], "AGENTLOGIN", chan))
        ev.add(s, "ADDMEMBER", _line(_num(s), "NONE", t["queue"], t["agent"], "ADDMEMBER", ""))
        ev.add(
            e, "REMOVEMEMBER", _line(_num(e), "NONE", t["queue"], t["agent"], "REMOVEMEMBER", "")
        )
        ev.add(
            e,
            "AGENTLOGOFF",
            _line(_num(e), "NONE", "NONE", t["agent"], "AGENTLOGOFF", chan, _num(e - s)),
        )
    if nr.any():
        t = st.filter(pa.array(nr))
        s, e = _sec(t["start_ts"]), _sec(t["end_ts"])
        reason = pc.fill_null(t["reason"], "")
        ev.add(s, "PAUSE", _line(_num(s), "NONE", "NONE", t["agent"], "PAUSE", reason))
        ev.add(e, "UNPAUSE", _line(_num(e), "NONE", "NONE", t["agent"], "UNPAUSE", reason))


def write_queue_log(days: Iterable[SynthDay], path: str | Path) -> int:
    """Write ``days`` as an Asterisk ``queue_log`` at ``path``; returns the line count.

    Lines are sorted by epoch (ties in a natural event order: logins, transfers before
    the re-entry, entries before connects ...). Events that spill past midnight are
    carried into the next day's sort, so the whole file is in order.
    """
    path = Path(path)
    voice_agents: set[str] = set()
    carry_epoch = np.zeros(0, np.int64)
    carry_order = np.zeros(0, np.int8)
    carry_lines = pa.array([], pa.string())
    total = 0
    extension: dict[str, str] = {}
    voice_queues: set[str] = set()
    with open(path, "wb") as f:
        for day in days:
            queues = sorted(
                set(pc.unique(day.contacts["queue"].drop_null()).to_pylist())
                | set(pc.unique(day.agent_states["queue"].drop_null()).to_pylist())
            )
            for q in queues:
                extension.setdefault(q, str(8000 + len(extension) + 1))
            voice = pc.equal(day.contacts["channel"], "voice")
            voice_queues.update(
                pc.unique(day.contacts["queue"].filter(voice).drop_null()).to_pylist()
            )
            ev = _Events()
            _contact_events(ev, day, extension)
            _agent_events(ev, day, voice_queues, voice_agents)
            epoch = np.concatenate([carry_epoch, *ev.epoch])
            order = np.concatenate([carry_order, *ev.order])
            lines = pa.concat_arrays([carry_lines, *ev.lines])
            idx = np.lexsort((order, epoch))
            boundary = day_epoch(day.day) + 86400
            cut = int(np.searchsorted(epoch[idx], boundary, side="left"))
            total += _write(f, lines, idx[:cut])
            rest = idx[cut:]
            carry_epoch, carry_order = epoch[rest], order[rest]
            carry_lines = pc.take(lines, pa.array(rest, pa.int64()))
        idx = np.lexsort((carry_order, carry_epoch))
        total += _write(f, carry_lines, idx)
    return total


def _write(f, lines: pa.Array, idx: np.ndarray) -> int:  # type: ignore[no-untyped-def]
    if idx.shape[0] == 0:
        return 0
    out = pc.binary_join_element_wise(pc.take(lines, pa.array(idx, pa.int64())), "", "\n")
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    offsets = np.frombuffer(out.buffers()[1], np.int32, len(out) + 1, out.offset * 4)
    data = out.buffers()[2]
    f.write(memoryview(data)[offsets[0] : offsets[-1]])
    return int(idx.shape[0])
