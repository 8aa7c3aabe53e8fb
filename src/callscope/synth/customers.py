"""Customers: who contacts the center, and who comes back.

Every conversation gets a customer key. A share of conversations *spawn* a later
contact by the same customer (the caller who abandoned and redials minutes later, the
customer whose issue was not resolved and who returns within days). Spawned contacts
are not extra arrivals: they take over the customer key of a later arrival of the same
channel, so volumes stay those of the arrival process while first-contact resolution
(FCR) falls below 1. A return contact keeps the reason of the contact it returns about
(the KPI counts a repeat only for the same reason where both are known). Keys are phone-number-like strings ``+447`` + 9 digits, a bijective
scramble ``(A * n + B) mod 10^9`` of a running customer number ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from callscope.synth.columns import fmt_int, join

__all__ = ["CustomerBook", "customer_keys"]

_A = 387_420_489  # 3^18, coprime with 10^9
_B = 104_729
_MOD = 1_000_000_000


def customer_keys(n: np.ndarray) -> pa.Array:
    """Phone-number-like customer keys of customer numbers ``n``."""
    x = (np.asarray(n, np.int64) * _A + _B) % _MOD
    return join("+447", fmt_int(x, 9))


@dataclass
class CustomerBook:
    """Running state: the next new customer number and the pending return contacts
    (customer number, due time in epoch seconds, channel code, contact reason)."""

    next_new: int = 0
    pend_key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pend_reason: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pend_due: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    pend_ch: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))

    def assign(
        self,
        arrival: np.ndarray,
        channel: np.ndarray,
        reason: np.ndarray,
        spawn_due: np.ndarray,
        spawn_ch: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Customer numbers and contact reasons of one day's conversations.

        ``arrival`` (epoch s, sorted ascending), ``channel`` (code) and ``reason`` (the
        conversation's own reason code) per conversation; ``spawn_due`` (epoch s, NaN for
        none) and ``spawn_ch``: the return contact each conversation spawns. Pending
        returns due today take over a later arrival of their channel, with the customer
        and the reason of the contact they return about; those due after the day's last
        arrival are carried to the next day.
        """
        n = arrival.shape[0]
        has = np.isfinite(spawn_due)
        src_parent = np.concatenate(
            [np.full(self.pend_key.shape[0], -1, np.int64), np.flatnonzero(has)]
        )
        src_key = np.concatenate([self.pend_key, np.full(int(has.sum()), -1, np.int64)])
        src_reason = np.concatenate([self.pend_reason, np.full(int(has.sum()), -1, np.int64)])
        src_due = np.concatenate([self.pend_due, spawn_due[has]])
        src_ch = np.concatenate([self.pend_ch, spawn_ch[has].astype(np.int8)])
        parent_local = np.full(n, -1, np.int64)
        parent_key = np.full(n, -1, np.int64)
        parent_reason = np.full(n, -1, np.int64)
        carry = np.zeros(src_due.shape[0], bool)
        for ch in np.unique(src_ch):
            items = np.flatnonzero(src_ch == ch)
            items = items[np.argsort(src_due[items], kind="stable")]
            cand = np.flatnonzero(channel == ch)
            if cand.size == 0:
                carry[items] = True
                continue
            t = arrival[cand]
            m = cand.shape[0]
            pos = np.searchsorted(t, src_due[items], side="left")
            # overdue returns (due overnight or on a closed day) call at any time today
            overdue = src_due[items] < t[0]
            pos = np.where(overdue, rng.integers(0, m, pos.shape[0]), pos)
            pos = pos + rng.geometric(0.3, pos.shape[0]) - 1
            # each return takes the first free arrival at or after its position
            o = np.argsort(pos, kind="stable")
            items, pos = items[o], pos[o]
            ar = np.arange(pos.shape[0])
            slot = np.maximum.accumulate(pos - ar) + ar
            ok = slot < m
            rows = cand[slot[ok]]
            parent_local[rows] = src_parent[items[ok]]
            parent_key[rows] = src_key[items[ok]]
            parent_reason[rows] = src_reason[items[ok]]
            carry[items[~ok]] = True
        fresh = (parent_local < 0) & (parent_key < 0)
        key = np.full(n, -1, np.int64)
        key[fresh] = self.next_new + np.arange(int(fresh.sum()))
        self.next_new += int(fresh.sum())
        key = np.where(parent_key >= 0, parent_key, key)
        why = np.where(parent_key >= 0, parent_reason, reason)
        linked = np.flatnonzero(parent_local >= 0)
        for _ in range(64):  # a return of a return ...: follow the chain to its root
            new = key[parent_local[linked]]
            new_why = why[parent_local[linked]]
            if np.array_equal(new, key[linked]) and np.array_equal(new_why, why[linked]):
                break
            key[linked] = new
            why[linked] = new_why
        prior = src_key[carry] >= 0
        parent = np.maximum(src_parent[carry], 0)
        self.pend_key = np.where(prior, src_key[carry], key[parent])
        self.pend_reason = np.where(prior, src_reason[carry], why[parent])
        self.pend_due = src_due[carry]
        self.pend_ch = src_ch[carry]
        return key, why
