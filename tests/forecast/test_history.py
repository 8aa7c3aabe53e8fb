"""Gaps in the history: found on open days only, and what the model does about them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from callscope.forecast.history import Gap, find_gaps, gap_warning, plan_history

WEEKDAYS = [True] * 5 + [False] * 2  # Monday-Friday open


def _d(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def _days(first: str, last: str, weekdays_only: bool = True) -> list[int]:
    d = np.arange(_d(first), _d(last) + 1)
    return [int(x) for x in d if not weekdays_only or (x + 3) % 7 < 5]


def test_anonymous_bank_months_have_one_seven_month_gap() -> None:
    # January (11-12 missing, as in the real file), February, October 1999
    jan = [
        d
        for d in _days("1999-01-01", "1999-01-31", False)
        if d not in (_d("1999-01-11"), _d("1999-01-12"))
    ]
    days = jan + _days("1999-02-01", "1999-02-28", False) + _days("1999-10-01", "1999-10-31", False)
    (gap,) = find_gaps(days, _d("1999-11-01"), [True] * 7)
    assert gap == Gap(date(1999, 2, 28), date(1999, 10, 1), 214, 214)
    assert gap.size == "7-month"


def test_closed_days_are_neither_gaps_nor_counted() -> None:
    # a weekday-only center: every weekend is 2 days without contacts, never a gap
    days = _days("2024-01-01", "2024-03-29")
    assert find_gaps(days, _d("2024-03-30"), WEEKDAYS) == ()
    # the same weekend-long runs would be gaps of 2 days if weekends were open: still
    # under the 7 days it takes
    assert find_gaps(days, _d("2024-03-30"), [True] * 7) == ()
    # two weeks off (Mon 5 .. Fri 16 February): 10 open days, 16 calendar days
    off = [d for d in days if not _d("2024-02-05") <= d <= _d("2024-02-16")]
    (gap,) = find_gaps(off, _d("2024-03-30"), WEEKDAYS)
    assert (gap.last_before, gap.first_after, gap.days, gap.open_days) == (
        date(2024, 2, 2),
        date(2024, 2, 19),
        16,
        10,
    )
    # ... unless the user said those days were closed (holidays)
    holidays = _days("2024-02-05", "2024-02-16")
    assert find_gaps(off, _d("2024-03-30"), WEEKDAYS, holidays) == ()
    # one open week missing (5 open days, 9 calendar days) is not a gap at 7 days
    week = [d for d in days if not _d("2024-02-05") <= d <= _d("2024-02-09")]
    assert find_gaps(week, _d("2024-03-30"), WEEKDAYS) == ()
    assert len(find_gaps(week, _d("2024-03-30"), WEEKDAYS, gap_days=4)) == 1


def test_a_history_ending_long_before_the_origin_ends_in_a_gap() -> None:
    days = _days("2024-01-01", "2024-02-29")
    (gap,) = find_gaps(days, _d("2024-04-01"), WEEKDAYS)
    assert gap.last_before == date(2024, 2, 29) and gap.first_after == date(2024, 4, 1)
    plan = plan_history(days, _d("2024-04-01"), WEEKDAYS)
    assert "ends 31 days before the forecast starts" in gap_warning(gap, plan)


@pytest.mark.parametrize("min_days", [28, 168])
def test_the_model_uses_both_sides_until_enough_follows_the_gap(min_days: int) -> None:
    days = _days("2024-01-01", "2024-01-26") + _days("2024-04-01", "2024-05-03")
    plan = plan_history(days, _d("2024-05-04"), WEEKDAYS, min_days=min_days)
    (gap,) = plan.gaps
    assert (gap.last_before, gap.first_after) == (date(2024, 1, 26), date(2024, 4, 1))
    if min_days == 28:  # 33 days follow the gap: enough to stand alone
        assert plan.after_last_gap and plan.first == date(2024, 4, 1)
        assert plan.left_out.size == 0 and plan.days == 33
        assert gap_warning(gap, plan).endswith(
            "the model uses only the 33 days after it (2024-04-01 .. 2024-05-03)"
        )
    else:  # both sides, the gap's 65 days left out of the 124-day span
        assert not plan.after_last_gap and plan.first == date(2024, 1, 1)
        assert plan.left_out.tolist() == list(range(_d("2024-01-27"), _d("2024-04-01")))
        assert plan.days == 124 - 65
        assert plan.used_days().size == plan.days
        assert gap_warning(gap, plan) == (
            "history has a 2-month gap: 2024-01-26 .. 2024-04-01 (65 days without "
            "contacts); the model fits on the history on both sides and leaves the gap "
            "out (the 33 days after it are under the 168 needed to stand alone)"
        )
