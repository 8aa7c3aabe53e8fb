"""The agents of the sample center: who they are, which queue and team they serve, and
their personal traits (speed, quality, selling skill).

Each agent serves one queue (a skill group); teams are cut from each queue's roster in
blocks of ``team_size``. Traits are lognormal multipliers around 1:

* ``speed``: scales the agent's talk, hold and ACW (log-sd 0.15, so the middle 90 % of
  agents handle within about 0.8x..1.3x of the queue's median);
* ``quality``: a standard-normal service quality that lifts survey scores;
* ``conversion``: multiplies the order probability after sales chats (log-sd 0.35, so
  the best agents convert about twice the average, ~70 % with the default 35 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pyarrow as pa

from callscope.model import AGENTS
from callscope.synth.config import SynthConfig
from callscope.synth.shifts import plan_shifts, requirement

__all__ = ["Roster", "build_roster"]

_FIRST = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Yara",
    "Zoe",
)
_LAST = (
    "Adler",
    "Berg",
    "Costa",
    "Dietz",
    "Engel",
    "Fischer",
    "Gomez",
    "Hahn",
    "Ivanova",
    "Jensen",
    "Klein",
    "Lopez",
    "Meyer",
    "Novak",
    "Ortiz",
    "Peters",
    "Quinn",
    "Richter",
    "Silva",
    "Torres",
    "Ulrich",
    "Vogel",
    "Weber",
    "Young",
)


@dataclass(frozen=True, slots=True)
class Roster:
    """The whole roster (arrays indexed by agent number) and each queue's members."""

    agent: tuple[str, ...]
    queue: np.ndarray  # int, queue index of each agent
    team: tuple[str, ...]
    site: tuple[str, ...]
    name: tuple[str, ...]
    max_chats: np.ndarray  # int16
    speed: np.ndarray
    quality: np.ndarray
    conversion: np.ndarray
    members: tuple[np.ndarray, ...]  # per queue, agent numbers
    shifts: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]  # [queue][weekday] -> shifts

    def table(self, source_file: str) -> pa.Table:
        """The ``agents`` table."""
        n = len(self.agent)
        return pa.table(
            {
                "agent": pa.array(self.agent, pa.string()),
                "name": pa.array(self.name, pa.string()),
                "team": pa.array(self.team, pa.string()),
                "site": pa.array(self.site, pa.string()),
                "max_chats": pa.array(self.max_chats, pa.int16()),
                "source_file": pa.array([source_file] * n, pa.string()),
                "source_line": pa.array(np.arange(1, n + 1), pa.int64()),
            }
        ).cast(AGENTS.schema)


def _weekday_shifts(config: SynthConfig) -> list[list[tuple[tuple[int, int], ...]]]:
    """Shifts per queue and weekday, covering the square-root staffing requirement of
    an average such weekday."""
    from callscope.synth.profiles import daily_volume

    out: list[list[tuple[tuple[int, int], ...]]] = []
    for qi, q in enumerate(config.queues):
        per_day: list[tuple[tuple[int, int], ...]] = []
        for wd in range(7):
            day = config.start + timedelta(days=(wd - config.start.weekday()) % 7)
            vol = daily_volume(config, qi, day)
            o, c = q.hours[wd]
            if vol <= 0 or c <= o:
                per_day.append(())
                continue
            req = requirement(config, qi, day)
            per_day.append(tuple(plan_shifts(req, round(o * 60), round(c * 60), q.tail_min)))
        out.append(per_day)
    return out


def build_roster(config: SynthConfig, rng: np.random.Generator) -> Roster:
    """Size each queue's roster from its weekly shifts (about five shifts per agent and
    week, never fewer agents than the busiest day's shifts) or split ``config.agents``
    in proportion, then draw names, teams, sites and traits."""
    shifts = _weekday_shifts(config)
    need = []
    for per_day in shifts:
        week = sum(len(s) for s in per_day)
        busiest = max(len(s) for s in per_day)
        need.append(max(math.ceil(week / 5 * 1.1), busiest, 1))
    if config.agents is not None:
        total = sum(need)
        raw = [config.agents * n / total for n in need]
        sizes = [max(1, math.floor(r)) for r in raw]
        rest = config.agents - sum(sizes)
        for i in np.argsort([-(r - math.floor(r)) for r in raw])[: max(rest, 0)]:
            sizes[int(i)] += 1
    else:
        sizes = need
    agent, team, site, name, qidx, chats = [], [], [], [], [], []
    members = []
    k = 0
    for qi, (q, size) in enumerate(zip(config.queues, sizes, strict=True)):
        members.append(np.arange(k, k + size))
        for j in range(size):
            agent.append(f"Agent/{1001 + k}")
            team.append(f"{q.name} {j // config.team_size + 1}")
            site.append(config.sites[(j // config.team_size) % len(config.sites)])
            name.append(
                f"{_FIRST[int(rng.integers(len(_FIRST)))]} {_LAST[int(rng.integers(len(_LAST)))]}"
            )
            qidx.append(qi)
            chats.append(int(rng.choice(q.max_chats)) if q.channel == "chat" else 1)
            k += 1
    n = k
    return Roster(
        agent=tuple(agent),
        queue=np.array(qidx, np.int64),
        team=tuple(team),
        site=tuple(site),
        name=tuple(name),
        max_chats=np.array(chats, np.int16),
        speed=np.exp(rng.normal(0.0, 0.15, n)),
        quality=rng.normal(0.0, 1.0, n),
        conversion=np.exp(rng.normal(-(0.35**2) / 2, 0.35, n)),
        members=tuple(members),
        shifts=tuple(tuple(per_day) for per_day in shifts),
    )
