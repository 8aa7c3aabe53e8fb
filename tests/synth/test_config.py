from __future__ import annotations

import math
from datetime import date

import pytest

from callscope.synth import DEFAULT_QUEUES, QueueSpec, SynthConfig, generate


def test_defaults_describe_a_mid_size_center() -> None:
    cfg = SynthConfig()
    channels = {q.channel for q in cfg.queues}
    assert channels == {"voice", "chat", "email"}
    assert 4 <= len(cfg.queues) <= 7
    assert math.isclose(sum(cfg.volume_shares()), 1.0)


def test_queue_order_puts_transfer_targets_last() -> None:
    cfg = SynthConfig()
    names = [cfg.queues[i].name for i in cfg.queue_order()]
    for q in cfg.queues:
        for t in q.transfer_to:
            assert names.index(q.name) < names.index(t)


def test_transfer_cycle_is_refused() -> None:
    a = QueueSpec("A", "voice", 1, "a", ((8, 18),) * 7, 200, transfer_to=("B",))
    b = QueueSpec("B", "voice", 1, "b", ((8, 18),) * 7, 200, transfer_to=("A",))
    with pytest.raises(ValueError, match="cycle"):
        SynthConfig(queues=(a, b))


@pytest.mark.parametrize(
    "bad", [{"days": 0}, {"transfer_rate": 1.5}, {"chat_share": 1.0}, {"staffing": 0}]
)
def test_bad_values_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        SynthConfig(**bad)


def test_chat_share_rescales_chat_queues() -> None:
    cfg = SynthConfig(chat_share=0.5)
    shares = cfg.volume_shares()
    chat = sum(s for s, q in zip(shares, cfg.queues, strict=True) if q.channel == "chat")
    assert math.isclose(chat, 0.5)


def test_sized_hits_the_requested_row_count() -> None:
    cfg = SynthConfig(seed=3, start=date(2026, 3, 2)).sized(20_000, days=7)
    assert cfg.days == 7 and cfg.agents is None
    n = generate(cfg).contacts.num_rows
    assert abs(n - 20_000) / 20_000 < 0.06, n


def test_default_queues_have_valid_hours() -> None:
    for q in DEFAULT_QUEUES:
        assert all(c <= 23.5 for _, c in q.hours)


@pytest.mark.parametrize(
    "bad",
    [{"talk_median_s": 0}, {"patience_median_s": -1}, {"hold_prob": 2.0}, {"max_chats": (0,)}],
)
def test_bad_queue_values_are_refused(bad: dict) -> None:
    kw = {
        "name": "Q",
        "channel": "voice",
        "volume": 1.0,
        "skill": "q",
        "hours": ((8, 18),) * 7,
        "talk_median_s": 200.0,
        **bad,
    }
    with pytest.raises(ValueError):
        QueueSpec(**kw)
