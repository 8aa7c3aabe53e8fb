"""Repeat callers: returns take over later arrivals with the customer and the reason."""

from __future__ import annotations

import numpy as np

from callscope.synth.customers import CustomerBook, customer_keys


def test_keys_are_unique_phone_numbers() -> None:
    keys = customer_keys(np.arange(100_000)).to_pylist()
    assert len(set(keys)) == 100_000
    assert all(k.startswith("+447") and len(k) == 13 for k in keys[:100])


def test_returns_reuse_customer_and_reason_and_carry_over() -> None:
    rng = np.random.default_rng(0)
    book = CustomerBook()
    arrival = np.arange(10.0) * 100
    channel = np.zeros(10, np.int8)
    reason = np.arange(10) + 100
    due = np.full(10, np.nan)
    due[0] = 150.0  # returns the same day, after its own arrival
    due[9] = 5000.0  # due after the last arrival: carried to tomorrow
    keys, why = book.assign(arrival, channel, reason, due, channel, rng)
    child = np.flatnonzero((keys == keys[0]) & (np.arange(10) > 0))
    assert child.size == 1 and arrival[child[0]] >= 150.0
    assert why[child[0]] == 100
    assert book.pend_key.tolist() == [keys[9]] and book.pend_reason.tolist() == [109]
    keys2, why2 = book.assign(
        arrival + 86400, channel, reason + 1000, np.full(10, np.nan), channel, rng
    )
    assert (keys2 == keys[9]).sum() == 1 and why2[keys2 == keys[9]][0] == 109
    assert book.pend_key.size == 0
    # everyone else is a new customer
    assert len(set(keys2.tolist()) - set(keys.tolist())) == 9
