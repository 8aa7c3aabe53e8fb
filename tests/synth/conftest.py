"""Shared generated samples for the synth tests (small, generated once per session)."""

from __future__ import annotations

import duckdb
import pytest

from callscope.synth import SynthConfig, SynthDay, generate, generate_days


@pytest.fixture(scope="session")
def config() -> SynthConfig:
    return SynthConfig(seed=7, days=21, contacts_per_day=1500)


@pytest.fixture(scope="session")
def days(config: SynthConfig) -> list[SynthDay]:
    return list(generate_days(config))


@pytest.fixture(scope="session")
def sample(config: SynthConfig) -> SynthDay:
    return generate(config)


@pytest.fixture(scope="session")
def con(sample: SynthDay) -> duckdb.DuckDBPyConnection:
    """DuckDB over the sample's tables (c, st, sc, sv, m, o, ag)."""
    con = duckdb.connect()
    for name, alias in (
        ("contacts", "c"),
        ("agent_states", "st"),
        ("schedules", "sc"),
        ("surveys", "sv"),
        ("messages", "m"),
        ("orders", "o"),
        ("agents", "ag"),
    ):
        con.register(alias, getattr(sample, name))
    return con
