"""The [alerts] section: the live floor's alert limits, "off", the webhook."""

from __future__ import annotations

from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.settings import Settings, load_settings


def test_defaults() -> None:
    s = Settings()
    assert (s.alert_sl_window_s, s.alert_longest_wait_s, s.alert_waiting, s.alert_paused_s) == (
        1800.0,
        120.0,
        10,
        900.0,
    )
    assert s.alert_adherence is True and s.alert_webhook == ""
    assert s.value("alerts.sl_window") == "30m" and s.value("alerts.paused") == "15m"


def test_read_from_the_file(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text(
        '[alerts]\nsl_window = "15m"\nlongest_wait = "off"\nwaiting = 3\npaused = 600\n'
        'adherence = false\nwebhook = "http://127.0.0.1:9/hook"\n'
    )
    s = load_settings(f, env={})
    assert (s.alert_sl_window_s, s.alert_longest_wait_s, s.alert_waiting, s.alert_paused_s) == (
        900.0,
        None,
        3,
        600.0,
    )
    assert s.alert_adherence is False and s.alert_webhook == "http://127.0.0.1:9/hook"
    assert s.value("alerts.longest_wait") == "off" and s.source("alerts.waiting") == str(f)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[alerts]\nwaiting = "many"\n', "alerts.waiting"),
        ("[alerts]\nwaiting = -1\n", "alerts.waiting"),
        ('[alerts]\nlongest_wait = "soon"\n', "alerts.longest_wait"),
        ('[alerts]\nsl_window = "5s"\n', "alerts.sl_window"),
        ('[alerts]\nadherence = "yes"\n', "write true or false"),
        ('[alerts]\nwebhook = "ftp://x"\n', "http(s) URL"),
        ("[alerts]\nlongest = 5\n", "did you mean 'longest_wait'"),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(CallscopeError, match=words.replace("(", r"\(").replace(")", r"\)")) as e:
        load_settings(f, env={})
    assert "\n" not in str(e.value)
