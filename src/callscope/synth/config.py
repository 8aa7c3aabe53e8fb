"""What to generate: the queues of the sample center and the knobs of the generator.

Every number has a unit in its name or docstring. The defaults describe a mid-size
center: six queues over voice, chat and e-mail, about 2,500 contacts a day and an
agent roster (about 110 agents) sized by the generator from the demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from callscope.model.outcome import CHANNELS

__all__ = ["DEFAULT_QUEUES", "QueueSpec", "SynthConfig"]

#: Open hours (local clock, hours from midnight) per weekday Monday..Sunday; (0, 0) is closed.
Hours = tuple[tuple[float, float], ...]

_WEEKDAYS_8_20_SAT_9_14: Hours = ((8, 20),) * 5 + ((9, 14), (0, 0))
_WEEKDAYS_8_18: Hours = ((8, 18),) * 5 + ((0, 0), (0, 0))
_DAILY_7_22: Hours = ((7, 22),) * 5 + ((9, 18), (9, 18))
_CHAT_8_23: Hours = ((8, 23),) * 7
_CHAT_SALES: Hours = ((9, 22),) * 6 + ((10, 20),)
_EMAIL: Hours = ((7, 19),) * 5 + ((0, 0), (0, 0))


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """One queue of the sample center.

    Durations are lognormal with the given median (seconds) and log-sd ``*_sigma``;
    ``patience_median_s`` is the median time a customer waits before abandoning
    (``math.inf``: never abandons, e-mail). ``volume`` is the queue's relative share of
    first-segment arrivals. ``transfer_to`` lists the queues an agent may transfer to;
    they must form an acyclic graph (second segments are simulated after first ones).
    """

    name: str
    channel: str
    volume: float
    skill: str
    hours: Hours
    talk_median_s: float
    talk_sigma: float = 0.6
    acw_median_s: float = 25.0
    acw_sigma: float = 0.6
    hold_prob: float = 0.0
    hold_median_s: float = 45.0
    patience_median_s: float = 150.0
    patience_sigma: float = 1.0
    max_wait_s: float = math.inf
    ivr_median_s: float = 0.0
    transfer_to: tuple[str, ...] = ()
    priority: int = 1
    max_chats: tuple[int, ...] = (1,)
    dispositions: tuple[str, ...] = ("general",)
    sales: bool = False
    tail_min: int = 15

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"queue {self.name!r}: channel must be voice, chat or email")
        if len(self.hours) != 7:
            raise ValueError(f"queue {self.name!r}: hours needs 7 entries, Monday..Sunday")
        for o, c in self.hours:
            if not (0 <= o <= c <= 23.5):
                raise ValueError(f"queue {self.name!r}: open hours must lie in 0..23.5")
        for name in (
            "talk_median_s",
            "acw_median_s",
            "hold_median_s",
            "patience_median_s",
            "max_wait_s",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"queue {self.name!r}: {name} must be positive")
        if self.volume < 0 or not 0 <= self.hold_prob <= 1 or self.ivr_median_s < 0:
            raise ValueError(f"queue {self.name!r}: volume, hold_prob or ivr_median_s out of range")
        if not self.max_chats or min(self.max_chats) < 1:
            raise ValueError(f"queue {self.name!r}: max_chats must be at least 1")


DEFAULT_QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        "General",
        "voice",
        0.34,
        "general",
        _WEEKDAYS_8_20_SAT_9_14,
        talk_median_s=190,
        talk_sigma=0.65,
        acw_median_s=25,
        hold_prob=0.18,
        patience_median_s=140,
        max_wait_s=600,
        ivr_median_s=35,
        transfer_to=("Billing", "Tech Support"),
        dispositions=(
            "address change",
            "account info",
            "complaint",
            "opening hours",
            "card blocked",
            "other",
        ),
    ),
    QueueSpec(
        "Billing",
        "voice",
        0.16,
        "billing",
        _WEEKDAYS_8_18,
        talk_median_s=260,
        talk_sigma=0.6,
        acw_median_s=40,
        hold_prob=0.3,
        patience_median_s=160,
        max_wait_s=600,
        ivr_median_s=40,
        dispositions=("invoice question", "payment plan", "refund", "direct debit", "dunning"),
    ),
    QueueSpec(
        "Tech Support",
        "voice",
        0.17,
        "tech",
        _DAILY_7_22,
        talk_median_s=380,
        talk_sigma=0.7,
        acw_median_s=45,
        hold_prob=0.4,
        hold_median_s=60,
        patience_median_s=200,
        max_wait_s=900,
        ivr_median_s=45,
        transfer_to=("Billing",),
        dispositions=("no connection", "router setup", "slow speed", "outage", "device swap"),
    ),
    QueueSpec(
        "Web Chat",
        "chat",
        0.17,
        "general",
        _CHAT_8_23,
        talk_median_s=480,
        talk_sigma=0.6,
        acw_median_s=15,
        patience_median_s=240,
        patience_sigma=0.9,
        max_wait_s=1800,
        transfer_to=("Chat Sales",),
        max_chats=(2, 3),
        dispositions=("order status", "delivery", "returns", "product question", "other"),
    ),
    QueueSpec(
        "Chat Sales",
        "chat",
        0.07,
        "sales",
        _CHAT_SALES,
        talk_median_s=540,
        talk_sigma=0.55,
        acw_median_s=20,
        patience_median_s=200,
        patience_sigma=0.9,
        max_wait_s=1800,
        priority=2,
        max_chats=(2, 3),
        dispositions=("quote", "upgrade", "new contract", "promotion"),
        sales=True,
    ),
    QueueSpec(
        "Email",
        "email",
        0.09,
        "general",
        _EMAIL,
        talk_median_s=330,
        talk_sigma=0.55,
        acw_median_s=30,
        patience_median_s=math.inf,
        tail_min=120,
        dispositions=("document request", "complaint", "address change", "cancellation", "other"),
    ),
)


@dataclass(frozen=True, slots=True)
class SynthConfig:
    """Knobs of the sample center. All rates are probabilities per contact.

    * ``contacts_per_day``: mean first-segment arrivals per calendar day over a full
      week (weekday/weekend profile and closed days included); transfers, IVR-only calls
      and repeats come on top or out of it as described on each field.
    * ``agents``: roster size; ``None`` sizes each queue's roster from its demand
      (about 5 shifts per agent and week). ``team_size``: agents per team.
    * ``staffing``: multiplier on the square-root staffing rule
      ``N = a + beta * sqrt(a)`` per 15-min interval (``a`` = offered load in Erlangs):
      1.0 gives a service level around 80/20 on voice; 0.8 an understaffed center.
    * ``transfer_rate``: share of answered first segments (in queues with transfer
      targets) that the agent transfers; ``repeat_rate``: share of handled contacts
      whose customer contacts the center again within 7 days (so FCR ~ 1 - repeat_rate);
      ``redial_rate``: share of abandoned callers who try again the same day.
    * ``survey_rate``: share of completed contacts answered by a survey (chat x1.5).
    * ``chat_share``: if set, chat queues' volumes are rescaled to this share of all
      first-segment arrivals. ``order_conversion``: probability that an answered
      sales chat ends in an order (an average agent; strong agents reach ~70 %).
    * ``ivr_only_rate``: extra voice calls (share of voice arrivals) that end in the IVR.
    * ``day_noise``: coefficient of variation of the daily volume around its profile.
    * ``no_show_rate``: scheduled shifts never worked (unplanned absence);
      ``absence_rate``: shifts replaced by a planned absence (vacation), not backfilled.
    * ``incident_rate``: probability per voice queue and day of an incident (an outage,
      a mailing): ``Poisson(0.4 * day volume)`` extra calls within two hours, which the
      schedule did not plan for: long waits, abandons, timeouts.
    """

    seed: int = 42
    start: date = date(2026, 1, 5)
    days: int = 28
    queues: tuple[QueueSpec, ...] = DEFAULT_QUEUES
    contacts_per_day: float = 2500.0
    agents: int | None = None
    team_size: int = 12
    staffing: float = 1.0
    transfer_rate: float = 0.08
    repeat_rate: float = 0.15
    redial_rate: float = 0.45
    survey_rate: float = 0.12
    chat_share: float | None = None
    order_conversion: float = 0.35
    ivr_only_rate: float = 0.04
    day_noise: float = 0.06
    no_show_rate: float = 0.03
    absence_rate: float = 0.03
    incident_rate: float = 0.04
    sites: tuple[str, ...] = ("North", "South")
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.contacts_per_day <= 0:
            raise ValueError("contacts_per_day must be positive")
        if not self.queues:
            raise ValueError("at least one queue is needed")
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise ValueError("queue names must be unique")
        for q in self.queues:
            for t in q.transfer_to:
                if t not in names:
                    raise ValueError(f"queue {q.name!r} transfers to unknown queue {t!r}")
        self.queue_order()  # raises on a transfer cycle
        for name in (
            "transfer_rate",
            "repeat_rate",
            "redial_rate",
            "survey_rate",
            "order_conversion",
            "ivr_only_rate",
            "no_show_rate",
            "absence_rate",
            "incident_rate",
        ):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(f"{name} must lie in [0, 1], got {v}")
        if self.chat_share is not None and not 0 <= self.chat_share < 1:
            raise ValueError("chat_share must lie in [0, 1)")
        if self.staffing <= 0:
            raise ValueError("staffing must be positive")

    # -- derived ----------------------------------------------------------------------
    def queue_order(self) -> tuple[int, ...]:
        """Queue indices in simulation order: every queue after all queues that transfer
        into it (a topological order of the transfer graph)."""
        names = [q.name for q in self.queues]
        indeg = {n: 0 for n in names}
        for q in self.queues:
            for t in q.transfer_to:
                indeg[t] += 1
        order: list[int] = []
        ready = [i for i, n in enumerate(names) if indeg[n] == 0]
        while ready:
            i = ready.pop(0)
            order.append(i)
            for t in self.queues[i].transfer_to:
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(names.index(t))
        if len(order) != len(names):
            raise ValueError("queue transfers must not form a cycle")
        return tuple(order)

    def volume_shares(self) -> tuple[float, ...]:
        """Each queue's share of first-segment arrivals (sums to 1), ``chat_share`` applied."""
        w = [max(q.volume, 0.0) for q in self.queues]
        if self.chat_share is not None:
            chat = sum(v for v, q in zip(w, self.queues, strict=True) if q.channel == "chat")
            rest = sum(w) - chat
            if chat > 0 and rest > 0:
                w = [
                    v
                    * (
                        self.chat_share / chat
                        if q.channel == "chat"
                        else (1 - self.chat_share) / rest
                    )
                    for v, q in zip(w, self.queues, strict=True)
                ]
        total = sum(w)
        if total <= 0:
            raise ValueError("queue volumes must not all be zero")
        return tuple(v / total for v in w)

    def sized(self, n_contacts: int, days: int | None = None) -> SynthConfig:
        """A copy whose expected number of ``contacts`` rows is ``n_contacts``.

        Counts first segments, transfer segments and IVR-only calls over the chosen
        ``days`` (the weekly profile and closed days are accounted for); the roster is
        re-sized from the demand (``agents=None``).

        >>> c = SynthConfig().sized(50_000, days=14)
        >>> round(c.contacts_per_day)
        3287
        """
        from callscope.synth.profiles import expected_rows_per_unit

        cfg = replace(
            self, days=days if days is not None else self.days, contacts_per_day=1.0, agents=None
        )
        per_unit = expected_rows_per_unit(cfg)
        return replace(cfg, contacts_per_day=float(n_contacts) / per_unit)
