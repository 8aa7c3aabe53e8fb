"""A small center for the quality tests: three agents in two teams, a month of
answered contacts on two queues and two channels, and csat surveys of some."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kpi"))

from builders import make_store  # noqa: E402

__all__ = ["NOW", "T0", "center_rows", "make_store"]


T0 = datetime(2025, 1, 6, 9, 0)
NOW = datetime(2025, 2, 3, 12, 0)


def center_rows() -> dict[str, list[dict]]:
    contacts, surveys = [], []
    agents = ["A1", "A2", "A3"]
    n = 0
    for day in range(20):
        for agent_i, agent in enumerate(agents):
            for k in range(3):
                n += 1
                t = T0 + timedelta(days=day, minutes=17 * k + agent_i)
                queue = "Sales" if (n % 3) else "Support"
                channel = "voice" if (n % 4) else "chat"
                contacts.append(
                    {
                        "contact_id": f"c{n:04d}",
                        "queue": queue,
                        "channel": channel,
                        "queue_entry_ts": t,
                        "arrival_ts": t,
                        "answer_ts": t + timedelta(seconds=10),
                        "end_ts": t + timedelta(seconds=300),
                        "wait_s": 10.0,
                        "talk_s": 60.0 + (n * 37) % 600,
                        "hold_s": 0.0,
                        "acw_s": 20.0,
                        "agent": agent,
                        "customer_key": f"cust{n % 40}",
                        "transferred": n % 7 == 0,
                    }
                )
                if n % 2 == 0:
                    surveys.append(
                        {
                            "survey_id": f"s{n}",
                            "contact_id": f"c{n:04d}",
                            "agent": agent,
                            "queue": queue,
                            "channel": channel,
                            "submitted_ts": t + timedelta(minutes=10),
                            "item": "csat",
                            "score": float(1 + n % 5),
                        }
                    )
    # one contact nobody answered
    contacts.append(
        {
            "contact_id": "c9999",
            "queue": "Sales",
            "queue_entry_ts": T0,
            "arrival_ts": T0,
            "wait_s": 40.0,
            "outcome": "abandoned",
        }
    )
    team = [
        {"agent": "A1", "team": "North"},
        {"agent": "A2", "team": "North"},
        {"agent": "A3", "team": "South"},
    ]
    return {"contacts": contacts, "surveys": surveys, "agents": team}
