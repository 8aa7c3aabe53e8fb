"""The [quality] section: sampling quota, QA score target, coaching threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from callscope.errors import CallscopeError
from callscope.settings import Settings, load_settings


def test_defaults() -> None:
    s = Settings()
    assert (s.qa_sample_per_agent, s.qa_score_target, s.qa_coaching_below) == (4, 85.0, 70.0)
    assert (
        s.value("quality.sample_per_agent") == 4 and s.source("quality.score_target") == "default"
    )


def test_read_from_the_file(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[quality]\nsample_per_agent = 6\nscore_target = 90\ncoaching_below = 60.5\n")
    s = load_settings(f, env={})
    assert (s.qa_sample_per_agent, s.qa_score_target, s.qa_coaching_below) == (6, 90.0, 60.5)
    assert s.source("quality.coaching_below") == str(f)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[quality]\nsample_per_agent = 0\n", "quality.sample_per_agent"),
        ("[quality]\nsample_per_agent = 2.5\n", "a whole number >= 1"),
        ("[quality]\nscore_target = 120\n", "a QA score from 0 to 100"),
        ('[quality]\ncoaching_below = "low"\n', "quality.coaching_below"),
        ("[quality]\nsample_per_agnt = 4\n", "did you mean 'sample_per_agent'"),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(CallscopeError) as e:
        load_settings(f, env={})
    assert words in str(e.value) and "\n" not in str(e.value)
