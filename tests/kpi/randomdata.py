"""A random but small contact center (every table, every edge case) for parity tests."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa
from builders import T0, table

__all__ = ["random_tables"]

_OUTCOMES = (
    ["answered"] * 10
    + ["abandoned"] * 4
    + [
        "timeout",
        "exit_by_key",
        "exit_empty",
        "overflow",
        "transferred",
        "blocked",
        "ivr_only",
        "phantom",
    ]
)
_DISPOSITIONS = [None, "billing", "tech"]


def _s(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi))


def random_tables(rng: np.random.Generator, n_contacts: int = 300) -> dict[str, pa.Table]:
    """Every canonical table, over three days, four agents, two queues and channels."""
    agents = ["a1", "a2", "a3", "a4"]
    contacts = []
    for i in range(n_contacts):
        outcome = _OUTCOMES[_s(rng, 0, len(_OUTCOMES))]
        arrival = T0 + timedelta(days=_s(rng, 0, 3), seconds=_s(rng, 0, 8 * 3600))
        ivr = float(_s(rng, 0, 40))
        entry = None if outcome == "ivr_only" else arrival + timedelta(seconds=ivr)
        wait = None if outcome in ("ivr_only", "blocked", "phantom") else float(_s(rng, 0, 60))
        if wait is not None and rng.random() < 0.05:
            wait = None  # unknown wait
        answered = outcome == "answered"
        r = {
            "contact_id": f"c{i}",
            "conversation_id": f"v{i}",
            "channel": "voice" if rng.random() < 0.7 else "chat",
            "direction": "inbound" if rng.random() < 0.93 else "outbound",
            "queue": None
            if outcome == "ivr_only"
            else ("sales" if rng.random() < 0.5 else "support"),
            "customer_key": None if rng.random() < 0.1 else f"k{_s(rng, 0, 60)}",
            "arrival_ts": arrival,
            "ivr_s": ivr,
            "queue_entry_ts": entry,
            "wait_s": wait,
            "outcome": outcome,
            "disposition": _DISPOSITIONS[_s(rng, 0, 3)],
        }
        if answered:
            r["answer_ts"] = entry + timedelta(seconds=wait or 0.0)
            r["agent"] = agents[_s(rng, 0, 4)]
            r["talk_s"] = None if rng.random() < 0.05 else float(_s(rng, 30, 600))
            r["hold_s"] = None if rng.random() < 0.3 else float(_s(rng, 0, 60))
            r["acw_s"] = None if rng.random() < 0.3 else float(_s(rng, 0, 90))
            r["transferred"] = bool(rng.random() < 0.1)
            r["resolved"] = (None, True, True, False)[i % 4]  # the source's own flag
            if rng.random() < 0.6:  # end known (busy until end + ACW), else answer + talk + hold
                r["end_ts"] = r["answer_ts"] + timedelta(
                    seconds=(r["talk_s"] or 0.0)
                    + (r["hold_s"] or 0.0)
                    + _s(rng, 0, 20)
                    + round(float(rng.random()), 6)  # sub-second ends: exact on every engine
                )
        contacts.append(r)
    states, schedules = [], []
    for d in range(3):
        for a in agents:
            start = T0 + timedelta(days=d, minutes=_s(rng, -30, 30), seconds=_s(rng, 0, 60))
            end = start + timedelta(hours=8, minutes=_s(rng, -60, 60))
            states.append(
                {
                    "agent": a,
                    "state": "logged_in",
                    "queue": "sales",
                    "start_ts": start,
                    "end_ts": end,
                }
            )
            if a == "a1":  # a second, overlapping membership session
                states.append(
                    {
                        "agent": a,
                        "state": "logged_in",
                        "queue": "support",
                        "start_ts": start + timedelta(minutes=17),
                        "end_ts": end + timedelta(minutes=23),
                    }
                )
            for _ in range(3):
                ps = start + timedelta(minutes=_s(rng, 10, 400), seconds=_s(rng, 0, 60))
                states.append(
                    {
                        "agent": a,
                        "state": "not_ready",
                        "queue": "sales",
                        "reason": "break",
                        "start_ts": ps,
                        "end_ts": ps + timedelta(minutes=_s(rng, 3, 40)),
                    }
                )
            s0 = T0 + timedelta(days=d)
            segs = [
                ("work", 0, 120),
                ("break", 120, 135),
                ("work", 135, 240),
                ("lunch", 240, 285),
                ("training", 285, 315),
                ("work", 315, 480),
            ]
            for act, m0, m1 in segs:
                schedules.append(
                    {
                        "agent": a,
                        "activity": act,
                        "start_ts": s0 + timedelta(minutes=m0),
                        "end_ts": s0 + timedelta(minutes=m1),
                    }
                )
    surveys = []
    for j in range(80):
        c = contacts[_s(rng, 0, n_contacts)]
        ts = c["arrival_ts"] + timedelta(minutes=_s(rng, 5, 90))
        item = ["csat", "nps", "resolved", "pleasant", "time in queue"][j % 5]
        lo, hi = {"csat": (1, 5), "nps": (0, 10), "resolved": (0, 1)}.get(item, (1, 5))
        surveys.append(
            {
                "survey_id": f"s{j // 5}-{j}",
                "contact_id": c["contact_id"],
                "agent": c.get("agent"),
                "queue": c["queue"],
                "channel": c["channel"],
                "submitted_ts": ts,
                "item": item,
                "score": float(_s(rng, lo, hi + 1)),
                "scale_min": float(lo),
                "scale_max": float(hi),
            }
        )
    messages = []
    for j in range(30):
        t = T0 + timedelta(days=_s(rng, 0, 3), seconds=_s(rng, 0, 8 * 3600))
        agent = agents[_s(rng, 0, 4)]
        for k in range(_s(rng, 1, 7)):
            t = t + timedelta(seconds=_s(rng, 0, 40))  # zero gaps make ties
            sender = "customer" if rng.random() < 0.55 else "agent"
            messages.append(
                {
                    "message_id": f"m{j}-{k}",
                    "contact_id": f"chat{j}",
                    "channel": "chat",
                    "sender": sender,
                    "agent": agent,
                    "sent_ts": t,
                    "chars": _s(rng, 5, 200),
                    "compose_s": (
                        float(_s(rng, 0, 60)) if sender == "agent" and rng.random() < 0.7 else None
                    ),
                }
            )
    orders = []
    for j in range(40):
        c = contacts[_s(rng, 0, n_contacts)]
        placed = c["arrival_ts"] + timedelta(hours=_s(rng, 0, 30))
        orders.append(
            {
                "order_id": f"o{j}",
                "customer_key": c["customer_key"] or "anon",
                "contact_id": c["conversation_id"] if rng.random() < 0.8 else None,
                "agent": c.get("agent") or agents[_s(rng, 0, 4)],
                "placed_ts": placed,
                "paid_ts": placed + timedelta(minutes=5) if rng.random() < 0.8 else None,
                "amount": float(_s(rng, 10, 500)),
                "items": _s(rng, 1, 6),
            }
        )
    return {
        "contacts": table("contacts", contacts),
        "agent_states": table("agent_states", states),
        "agents": table(
            "agents",
            [
                {"agent": "a1", "team": "red"},
                {"agent": "a2", "team": "red"},
                {"agent": "a3", "team": "blue"},
            ],
        ),
        "schedules": table("schedules", schedules),
        "surveys": table("surveys", surveys),
        "messages": table("messages", messages),
        "orders": table("orders", orders),
    }
