"""Synthetic contact center: a seeded, realistic sample of every canonical table.

API:

* :class:`SynthConfig` (frozen): what to generate — ``seed``, ``start``, ``days``,
  ``queues`` (:class:`QueueSpec`: name, channel, relative volume, skill, open hours,
  handle-time and patience distributions, transfer targets), ``contacts_per_day``,
  ``agents`` (``None``: sized from demand), ``team_size``, ``staffing``,
  ``transfer_rate``, ``repeat_rate``, ``redial_rate``, ``survey_rate``, ``chat_share``,
  ``order_conversion``, ``ivr_only_rate``, ``day_noise``, ``no_show_rate``,
  ``absence_rate``, ``incident_rate``.
  ``SynthConfig().sized(n_contacts, days=...)`` scales the volume so that about
  ``n_contacts`` ``contacts`` rows result.
* :func:`generate_days(config) <generate_days>` yields one :class:`SynthDay` per day:
  frozen, with one Arrow table per canonical table (exactly the schemas of
  :mod:`callscope.model`) and writer-only ``details``; :func:`generate` concatenates
  them (small configurations).
* :func:`write_store(config, store, progress=None) <write_store>` appends the days into
  a :class:`callscope.store.Store` in atomic batches of whole days (about 250,000
  contacts each; re-running skips batches already stored); returns rows loaded per
  table. ``progress(done_days, total_days)`` drives a progress bar.
* Writers of source formats, taking an iterable of :class:`SynthDay` and a path:
  :func:`write_queue_log` (Asterisk ``queue_log``, voice), :func:`write_amazon_connect`
  (Amazon Connect contact trace records, JSON lines) and :func:`write_contacts_csv`
  (the canonical contacts as CSV).

Agents are named like Asterisk members (``Agent/1001``) in every table and file, so
ingested files and the generated tables agree. Timestamps are whole seconds, the
resolution of ``queue_log`` and contact trace records.

Same configuration, same output: all randomness flows from
``np.random.default_rng(config.seed)``.

>>> from callscope.synth import SynthConfig, generate
>>> day = generate(SynthConfig(days=1, contacts_per_day=400, seed=1))
>>> day.contacts.schema.names[:3]
['contact_id', 'conversation_id', 'segment']
"""

from __future__ import annotations

from callscope.synth.amazon_connect import write_amazon_connect
from callscope.synth.center import SynthDay, generate, generate_days
from callscope.synth.config import DEFAULT_QUEUES, QueueSpec, SynthConfig
from callscope.synth.csv_export import write_contacts_csv
from callscope.synth.queue_log import write_queue_log
from callscope.synth.store import write_store

__all__ = [
    "DEFAULT_QUEUES",
    "QueueSpec",
    "SynthConfig",
    "SynthDay",
    "generate",
    "generate_days",
    "write_amazon_connect",
    "write_contacts_csv",
    "write_queue_log",
    "write_store",
]
