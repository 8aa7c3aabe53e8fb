"""Shift cover: the textbook example, a brute-force oracle, midnight, breaks, limits and a
requirement that cannot be met."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from callscope.schedule.cover import Horizon, solve_cover
from callscope.schedule.templates import read_matrix, read_templates


def test_textbook_anonymous_bank_cover_costs_6336(
    shifts_csv: Path, textbook_need: list[int], textbook_costs: tuple[int, ...]
) -> None:
    """The textbook's integer program (Miller 2015, ch. 6: 8 six-hour shifts, costs
    252, 288, 180, 180, 180, 288, 288, 288, coverage >= need) by hand:

    * 07:00 needs 4 and only Shift2 (06-12) works it: Shift2 >= 4 (4 x 288 = 1,152);
    * 13:00 needs 16 and only Shift3-5 (180 each) work it: >= 16 x 180 = 2,880;
    * 18:00 needs 8 and only Shift6-8 (288 each) work it: >= 8 x 288 = 2,304.

    These groups are disjoint, so every schedule costs at least 6,336; Shift2 = 4,
    Shift3 = 5, Shift4 + Shift5 = 11 (Shift5 >= 4), Shift6 + Shift7 = 3 (Shift7 >= 1),
    Shift8 = 5 meets every hour at exactly that cost. Optimum: 6,336."""
    shifts = read_matrix(shifts_csv.read_bytes().decode())
    assert [t.name for t in shifts.templates] == [f"Shift{i}" for i in range(1, 9)]
    assert [t.starts[0] / 60 for t in shifts.templates] == [0, 6, 8, 10, 12, 14, 16, 18]
    assert {t.lengths[0] for t in shifts.templates} == {360.0}
    need = np.array(textbook_need, dtype=float)
    r = solve_cover(need, shifts, Horizon(1, 60.0), costs=textbook_costs)
    assert r.cost == pytest.approx(6336.0)
    assert r.lp_bound == pytest.approx(6336.0) and r.gap == pytest.approx(0.0, abs=1e-9)
    assert r.status == "optimal" and r.unmet.size == 0
    # an independent check of the coverage: the matrix times the counts
    matrix = np.array(
        [
            [int(v) for v in line.split(",")[2:]]
            for line in shifts_csv.read_bytes().decode().split("\r")[1:]
        ]
    )
    counts = np.array([r.counts_by_template()[f"Shift{i}"] for i in range(1, 9)])
    assert (matrix @ counts >= need).all()
    assert float(counts @ np.array(textbook_costs)) == pytest.approx(6336.0)
    np.testing.assert_allclose(r.scheduled, matrix @ counts)


def _oracle(cover: np.ndarray, cost: np.ndarray, need: np.ndarray, wu: float, wo: float) -> float:
    """The best objective by trying every count vector (0..max need per pattern)."""
    top = int(need.max()) + 1
    best = np.inf
    for counts in itertools.product(range(top + 1), repeat=cover.shape[0]):
        c = np.array(counts)
        on = c @ cover
        v = c @ cost + wu * np.maximum(need - on, 0).sum() + wo * np.maximum(on - need, 0).sum()
        best = min(best, v)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_small_covers_equal_a_brute_force_search(seed: int) -> None:
    """Random 8-slot days, three random contiguous shifts with random costs and weights:
    the objective is the one of an exhaustive search over every count vector."""
    rng = np.random.default_rng(seed)
    slots = 8
    need = rng.integers(0, 4, slots).astype(float)
    cols = []
    for _ in range(3):
        a = int(rng.integers(0, slots - 1))
        b = int(rng.integers(a + 1, slots + 1))
        cols.append([int(a <= h < b) for h in range(slots)])
    text = "slot," + ",".join(f"s{i}" for i in range(3)) + "\n"
    text += "\n".join(f"{h}," + ",".join(str(c[h]) for c in cols) for h in range(slots))
    shifts = read_matrix(text)
    cost = rng.integers(1, 10, 3).astype(float)
    wu, wo = float(rng.integers(1, 12)), float(rng.integers(0, 3))
    slot_h = 24 / slots
    r = solve_cover(
        need,
        shifts,
        Horizon(1, 60.0 * slot_h, cyclic=False),
        costs=tuple(cost),
        under_weight=wu / slot_h,
        over_weight=wo / slot_h,
    )
    want = _oracle(np.array(cols, dtype=float), cost, need, wu, wo)
    assert r.objective == pytest.approx(want)
    assert r.bound <= r.objective + 1e-9 and r.lp_bound <= r.objective + 1e-9


def test_a_shift_crossing_midnight_covers_the_early_hours() -> None:
    """One night shift 22:00-06:00 and one day shift 06:00-14:00 on a two-day horizon:
    the night shift of day 1 covers day 2's 00:00-06:00, and (the horizon wraps) the
    night shift of day 2 covers day 1's early hours. Need 2 at night, 1 by day: 2 night
    + 1 day shift per day, cost 2 x (2 x 100 + 1 x 80) = 560."""
    shifts = read_templates(
        """
[[shift]]
name = "night"
start = "22:00"
length = "8h"
cost = 100
[[shift]]
name = "day"
start = "06:00"
length = "8h"
cost = 80
"""
    )
    hour = np.array([2.0] * 6 + [1.0] * 8 + [0.0] * 8 + [2.0] * 2)
    r = solve_cover(np.tile(hour, 2), shifts, Horizon(2, 60.0))
    assert r.counts_by_template() == {"night": 4, "day": 2}
    assert r.cost == pytest.approx(560.0) and r.unmet.size == 0
    night = [s for s in r.shifts if s.template == "night"]
    assert {(s.start_min, s.end_min) for s in night} == {(22 * 60, 30 * 60), (46 * 60, 54 * 60)}
    # the same shift read from a coverage matrix whose column wraps past midnight
    rows = [f"{h},{int(h >= 22 or h < 6)},{int(6 <= h < 14)}" for h in range(24)]
    matrix = read_matrix("Hour,night,day\n" + "\n".join(rows))
    assert matrix.templates[0].starts == (22 * 60.0,) and matrix.templates[0].lengths == (480.0,)
    m = solve_cover(np.tile(hour, 2), matrix, Horizon(2, 60.0), costs=(100, 80))
    assert m.counts_by_template() == {"night": 4, "day": 2} and m.cost == pytest.approx(560.0)


def test_without_wrapping_the_first_morning_is_short() -> None:
    shifts = read_templates('[[shift]]\nname = "night"\nstart = "22:00"\nlength = "8h"\ncost = 1')
    need = np.array([1.0] * 6 + [0.0] * 16 + [1.0] * 2)
    r = solve_cover(need, shifts, Horizon(1, 60.0, cyclic=False))
    assert r.unmet.tolist() == [0, 1, 2, 3, 4, 5]  # 00:00-06:00: no shift before it


def test_a_requirement_that_cannot_be_met_gives_the_best_partial_schedule() -> None:
    """At most 3 shifts of 08:00-16:00 a day (max_per_day) and the center closed after
    18:00 (no shift can work it): need 5 at 10:00-12:00 and 1 at 20:00. The schedule
    uses all 3 shifts and names the slots left short: 10:00 and 11:00 (2 short each)
    and 20:00 (1 short)."""
    shifts = read_templates(
        """
[[shift]]
name = "day"
start = "08:00"
length = "8h"
cost = 10
max_per_day = 3
[[shift]]
name = "late"
start = "14:00"
length = "8h"
cost = 10
"""
    )
    need = np.zeros(24)
    need[8:16] = 1.0
    need[10:12] = 5.0
    need[20] = 1.0
    closed = np.zeros(24, dtype=bool)
    closed[18:] = True
    r = solve_cover(need, shifts, Horizon(1, 60.0, closed=closed))
    assert r.counts_by_template() == {"day": 3, "late": 0}
    assert r.unmet.tolist() == [10, 11, 20]
    np.testing.assert_allclose(r.under[[10, 11, 20]], [2.0, 2.0, 1.0])
    assert r.objective > r.cost  # the shortfall is priced, never "infeasible"


def test_breaks_go_where_the_requirement_dips() -> None:
    """One agent needed 08:00-16:30 except 12:00-12:30; an 8h30 shift with a 30-minute
    unpaid lunch anywhere from 3h to 5h after its start: the lunch lands on 12:00 and
    the schedule meets every slot with nobody extra."""
    shifts = read_templates(
        """
[[shift]]
name = "day"
start = "08:00"
length = "8h30m"
cost_per_hour = 10
breaks = [ { name = "lunch", length = "30m", paid = false, window = "3h-5h" } ]
"""
    )
    need = np.zeros(48)
    need[16:33] = 1.0
    need[24] = 0.0
    r = solve_cover(need, shifts, Horizon(1, 30.0))
    assert r.counts.sum() == 1 and r.unmet.size == 0 and r.over.sum() == pytest.approx(0.0)
    (shift,) = r.shifts
    (lunch,) = shift.breaks
    assert (lunch.start_min, lunch.end_min, lunch.paid) == (720.0, 750.0, False)
    assert r.cost == pytest.approx(80.0)  # 8 paid hours: the lunch is unpaid


def test_breaks_are_spread_over_shifts_and_never_overlap() -> None:
    """Four agents needed 09:00-17:00, three while breaks may be taken (10:00-13:30): a
    15-minute break (from 10:00 to 11:00) and a 30-minute lunch (from 11:30 to 13:00)
    each. Four shifts do it only if no two breaks and no two lunches overlap: the
    lunches fill 11:30-13:30 back to back; every shift's breaks lie in their windows,
    the break before the lunch."""
    shifts = read_templates(
        """
[[shift]]
name = "day"
start = "09:00"
length = "8h"
cost = 1
breaks = [
  { name = "break", length = "15m", paid = true, window = "1h-2h" },
  { name = "lunch", length = "30m", paid = false, window = "2h30m-4h" },
]
"""
    )
    need = np.zeros(96)
    need[36:68] = 4.0
    need[40:54] = 3.0
    r = solve_cover(need, shifts, Horizon(1, 15.0))
    assert r.counts.sum() == 4 and r.unmet.size == 0
    for s in r.shifts:
        brk, lunch = s.breaks
        assert 600 <= brk.start_min <= 660 and 690 <= lunch.start_min <= 780
        assert brk.end_min <= lunch.start_min
    assert sorted(s.breaks[1].start_min for s in r.shifts) == [690, 720, 750, 780]
    assert len({s.breaks[0].start_min for s in r.shifts}) == 4
    # on the phones: 4 minus whoever is on a break, never below what is needed
    assert (r.scheduled >= need - 1e-9).all()


def test_template_limits_per_day_and_in_total() -> None:
    shifts = read_templates(
        """
[[shift]]
name = "cheap"
start = "08:00"
length = "8h"
cost = 1
max_per_day = 2
max_total = 3
[[shift]]
name = "dear"
start = "08:00"
length = "8h"
cost = 5
"""
    )
    need = np.tile(np.array([0.0] * 8 + [4.0] * 8 + [0.0] * 8), 2)
    r = solve_cover(need, shifts, Horizon(2, 60.0))
    per_day: dict[tuple[str, int], int] = {}
    for p, n in zip(r.patterns, r.counts, strict=True):
        per_day[(p.template, p.day)] = int(n)
    assert per_day[("cheap", 0)] + per_day[("cheap", 1)] == 3
    assert max(per_day[("cheap", 0)], per_day[("cheap", 1)]) == 2
    assert r.cost == pytest.approx(3 * 1 + 5 * 5)


def test_a_cap_per_start_spreads_the_starts() -> None:
    """Need 3 agents 09:00-17:00; at most 2 shifts may start at one time: 2 start at
    09:00 and the third at the only other start, 08:00, so 08:00 has one agent extra
    and 16:00 one short (named, not refused)."""
    shifts = read_templates(
        '[[shift]]\nname = "d"\nstart = ["08:00", "09:00"]\nlength = "8h"\ncost = 8\n'
        "max_per_start = 2\n"
    )
    need = np.array([0.0] * 9 + [3.0] * 8 + [0.0] * 7)
    r = solve_cover(need, shifts, Horizon(1, 60.0))
    assert sorted(int(n) for n in r.counts) == [1, 2]
    assert r.counts[[p.start_min for p in r.patterns].index(540.0)] == 2
    assert r.under[9:17].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]


def test_days_of_the_week_and_opening_hours_limit_the_patterns() -> None:
    shifts = read_templates(
        '[[shift]]\nname = "wk"\nstart = "06:00-10:00 every 2h"\nlength = "8h"\ndays = "mon-fri"'
    )
    closed = np.zeros(7 * 24, dtype=bool)
    for d in range(7):
        closed[d * 24 : d * 24 + 7] = True  # opens at 07:00: the 06:00 start is out
    from callscope.schedule.cover import build_patterns

    pats = build_patterns(shifts, Horizon(7, 60.0, first_weekday=0, closed=closed))
    assert {p.day for p in pats} == {0, 1, 2, 3, 4}
    assert {p.start_min % 1440 for p in pats} == {480.0, 600.0}
