"""The [schedule] section: the adherence tolerance and whether work outside the shift
counts against adherence."""

from __future__ import annotations

from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.settings import Settings, load_settings


def test_defaults() -> None:
    s = Settings()
    assert s.adherence_tolerance_s == 300.0 and s.outside_shift_exception is True
    assert s.value("schedule.adherence_tolerance") == "5m"
    assert s.value("schedule.outside_shift_exception") is True


def test_read_from_the_file(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[schedule]\nadherence_tolerance = "3m"\noutside_shift_exception = false\n')
    s = load_settings(f, env={})
    assert s.adherence_tolerance_s == 180.0 and s.outside_shift_exception is False
    assert s.source("schedule.adherence_tolerance") == str(f)
    f.write_text("[schedule]\nadherence_tolerance = 90\n")  # bare numbers are seconds
    assert load_settings(f, env={}).adherence_tolerance_s == 90.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[schedule]\nadherence_tolerance = "soon"\n', "schedule.adherence_tolerance"),
        ('[schedule]\noutside_shift_exception = "yes"\n', "write true or false"),
        ("[schedule]\ntolerance = 5\n", "did you mean 'adherence_tolerance'"),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(CallscopeError, match=words) as e:
        load_settings(f, env={})
    assert e.value.field == "settings" and "\n" not in str(e.value)


def test_the_tolerance_reaches_the_adherence_service(tmp_path: Path) -> None:
    s = Settings().override("test", adherence_tolerance_s=600.0)
    assert s.source("schedule.adherence_tolerance") == "test"
    with pytest.raises(CallscopeError, match="adherence tolerance"):
        Settings().override("test", adherence_tolerance_s=-1.0)
