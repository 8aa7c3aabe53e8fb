"""Changing the settings (:mod:`callscope.services.settings_edit`): checked by the
loader key by key (every bad key its own line, nothing written), written back as TOML
the loader reads to the same settings, each changed key audited old -> new."""

from __future__ import annotations

import tomllib
from datetime import datetime

import pytest

from callscope.services.settings_edit import (
    SettingsChange,
    SettingsInvalid,
    change_settings,
    editable_keys,
    toml_text,
)
from callscope.services.users import AddUserRequest, add_user, audit_log
from callscope.settings import load_settings

NOW = datetime(2026, 2, 1, 12, 0)


@pytest.fixture()
def center(tmp_path):
    settings = load_settings(db=tmp_path / "c.duckdb", env={}, cwd=tmp_path)
    add_user(settings, AddUserRequest("ada", "admin", "a long enough password"), NOW)
    return settings


def test_bad_values_each_get_the_loaders_line_and_nothing_is_written(center, tmp_path):
    file = tmp_path / "callscope.toml"
    bad = {
        "goals.voice": "abc",
        "targets.asa": "soon",
        "timezone": "Mars/Olympus",
        "hours.mon": "9-5",
        "alerts.waiting": "-3",
        "kpi.interval": "20m",
    }
    with pytest.raises(SettingsInvalid) as e:
        change_settings(center, SettingsChange({**bad, "goals.chat": "85/30"}, "ada", file), NOW)
    errors = e.value.errors
    assert sorted(errors) == sorted(bad)  # the good key is not an error
    for key, line in errors.items():
        assert key in line and "\n" not in line, line
    assert "'soon'" in errors["targets.asa"] and '"30s"' in errors["targets.asa"]
    assert "IANA" in errors["timezone"]
    assert "15m, 30m or 60m" in errors["kpi.interval"]
    assert not file.exists()
    assert [a for a in audit_log(center) if a.action == "settings"] == []


def test_a_change_is_written_read_back_and_audited(center, tmp_path):
    file = tmp_path / "callscope.toml"
    file.write_text('timezone = "Europe/Warsaw"\n[targets]\naht = "280s"\n', encoding="utf-8")
    start = load_settings(db=center.db, env={}, cwd=tmp_path)
    assert start.file == file
    values = {
        "goals.voice": "90/15",
        "targets.asa": "25s",
        "queues.Sales EU.goal": "85/10",
        "alerts.adherence": "false",
        "staffing.fte_hours_per_week": "37.5",
        "targets.aht": "280s",  # as it is: no change
        "hours.sun": "closed",
    }
    done = change_settings(start, SettingsChange(values, "ada", file), NOW)
    assert {k: (o, n) for k, o, n in done.changed} == {
        "goals.voice": ("80/20", "90/15"),
        "targets.asa": ("30s", "25s"),
        "queues.Sales EU.goal": (None, "85/10"),
        "alerts.adherence": (True, False),
        "staffing.fte_hours_per_week": (40.0, 37.5),
        "hours.sun": ("00:00-24:00", "closed"),
    }
    again = load_settings(db=center.db, env={}, cwd=tmp_path)
    assert [r[:2] for r in again.rows()] == [r[:2] for r in done.settings.rows()]
    assert again.goal_for(None, "Sales EU").label() == "85/10"
    assert again.timezone == "Europe/Warsaw" and again.targets["aht"] == 280.0
    assert not again.is_open(6, 12 * 3600)
    log = {a.subject: a for a in audit_log(center) if a.action == "settings"}
    assert set(log) == {k for k, _, _ in done.changed}
    assert log["goals.voice"].actor == "ada"
    assert '"old": "80/20"' in (log["goals.voice"].detail or "")
    assert '"new": "90/15"' in (log["goals.voice"].detail or "")


def test_nothing_changed_writes_nothing(center, tmp_path):
    file = tmp_path / "callscope.toml"
    same = {k: str(v) for k, v, _ in center.rows() if k in editable_keys(center)}
    done = change_settings(center, SettingsChange(same, "ada", file), NOW)
    assert done.changed == () and not file.exists()


def test_the_store_path_is_not_changed_here(center, tmp_path):
    with pytest.raises(SettingsInvalid) as e:
        change_settings(
            center, SettingsChange({"db": "/elsewhere.duckdb"}, "ada", tmp_path / "s.toml"), NOW
        )
    assert "db" in e.value.errors


def test_toml_text_reads_back_as_the_same_data():
    data = {
        "timezone": "Europe/Warsaw",
        "kpi": {"fcr_window": "3d", "interval": 900},
        "queues": {"Sales EU": {"goal": "90/15", "channel": "voice"}, 'Odd "q"': {"goal": "1/2"}},
        "staffing": {"shrinkage": 0.3, "concurrency": {"chat": 3}},
        "alerts": {"adherence": False, "webhook": "https://example.org/hook?a=1&b=\u00e9"},
    }
    assert tomllib.loads(toml_text(data)) == data
