"""Named-agent rosters: Curtois & Qu's Instance1 at its optimum, a hand-made instance per
hard rule (each rule binding: without it the optimum is lower), the reader's one-line
errors. Every roster is judged by ``checker.py`` (plain Python over the roster CSV and
the instance text, sharing no code with the solver)."""

from __future__ import annotations

from pathlib import Path

import pytest
from checker import check, check_files

from callscope.errors import CallscopeError
from callscope.export.tables import write_table
from callscope.schedule.roster import Roster, penalty, violations
from callscope.schedule.roster_instances import parse_instance, read_instance
from callscope.schedule.roster_lns import solve_roster
from callscope.services.rostering import RosterSolveRequest, roster_solve
from callscope.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "shift_scheduling"


def instance_file(name: str) -> Path:
    path = DATA / name
    if not path.is_file():
        pytest.skip("../shared/data is not beside the project")
    return path


def solve_text(tmp_path: Path, text: str, seconds: float = 20.0) -> tuple[list[str], int, int]:
    """Solve ``text`` through the service, write the roster CSV, check it: (violations
    the checker finds, the checker's objective, the solver's objective)."""
    path = tmp_path / "case.txt"
    path.write_text(text)
    r = roster_solve(Settings(), RosterSolveRequest(path, time_limit_s=seconds))
    assert r.feasible and r.objective is not None
    out = tmp_path / "roster.csv"
    write_table(r.roster, "csv", out)
    bad, objective = check_files(path, out)
    assert r.optimal, "a hand-made case is small enough to prove"
    return bad, objective, r.objective


def test_instance1_solved_to_its_optimum(tmp_path: Path) -> None:
    path = instance_file("Instance1.txt")
    r = roster_solve(Settings(), RosterSolveRequest(path, time_limit_s=30.0))
    out = tmp_path / "roster.csv"
    write_table(r.roster, "csv", out)
    bad, objective = check_files(path, out)
    assert bad == []
    assert objective == r.objective == 607  # the published optimum
    assert r.bound == 607 and r.gap == 0.0 and r.optimal
    assert out.read_text().splitlines()[0] == "employee,day,shift"
    assert r.agents.column("shifts").to_pylist() == [
        sum(1 for e in r.roster.column("employee").to_pylist() if e == a)
        for a in r.agents.column("employee").to_pylist()
    ]


def test_checker_catches_a_broken_roster(tmp_path: Path) -> None:
    """The checker can fail: a shift on a day off, a third shift of a capped type, and a
    one-day run all show up, and the objective moves with the cover."""
    text = instance_file("Instance1.txt").read_text()
    roster = {("A", d): "D" for d in (1, 2, 3)}
    bad, obj = check(text, roster)
    assert any("min minutes" in b for b in bad)
    bad, _ = check(text, {**roster, ("A", 0): "D"})  # A's day off is day 0
    assert any("day off 0" in b for b in bad)
    bad, _ = check(text, {("B", 3): "D"})
    assert any("1 shifts in a row" in b for b in bad)
    _, obj2 = check(text, {**roster, ("A", 4): "D"})
    assert obj2 == obj - 100  # day 4 wants 5: one agent fewer short


def test_solver_objective_matches_its_own_evaluation() -> None:
    """Whatever the machine's load lets the search reach in its time, the roster is
    feasible, its reported objective is its true penalty, and the bound is a bound
    (828 is Instance2's published optimum; on a quiet machine it is reached in ~3 s)."""
    p = read_instance(instance_file("Instance2.txt"))
    res = solve_roster(p, 20.0)
    assert res.roster is not None and violations(p, res.roster) == []
    assert penalty(p, res.roster).total == res.objective
    assert res.bound <= 828 <= res.objective


# -- a hand-made instance per hard rule ----------------------------------------------


def case(
    *,
    days: int = 7,
    shifts: str = "D,480,",
    staff: str = "A,D=14,100000,0,14,1,1,2",
    days_off: str = "",
    cover: list[tuple[int, str, int, int, int]],
) -> str:
    lines = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS", shifts, ""]
    lines += ["SECTION_STAFF", staff, "", "SECTION_DAYS_OFF", days_off, ""]
    lines += ["SECTION_SHIFT_ON_REQUESTS", "", "SECTION_SHIFT_OFF_REQUESTS", ""]
    lines += ["SECTION_COVER"] + [",".join(map(str, c)) for c in cover]
    return "\n".join(lines) + "\n"


EVERY_DAY = [(d, "D", 1, 100, 1) for d in range(7)]
ONLY_DAY_3 = [(d, "D", 1 if d == 3 else 0, 100, 1) for d in range(7)]
ALL_BUT_DAY_3 = [(d, "D", 0 if d == 3 else 1, 100, 1) for d in range(7)]
WEEKENDS = [(d, "D", 1 if d % 7 in (5, 6) else 0, 100, 1) for d in range(14)]

# name: (instance with the rule, the same without it, optimum with, optimum without)
CASES = {
    "max shifts of a type": (
        case(staff="A,D=3,100000,0,14,1,1,2", cover=EVERY_DAY),
        case(cover=EVERY_DAY),
        400,
        0,
    ),
    "max total minutes": (
        case(staff="A,D=14,1920,0,14,1,1,2", cover=EVERY_DAY),
        case(cover=EVERY_DAY),
        300,
        0,
    ),
    "min total minutes": (
        case(staff="A,D=14,100000,1440,14,1,1,2", cover=[(d, "D", 0, 100, 1) for d in range(7)]),
        case(cover=[(d, "D", 0, 100, 1) for d in range(7)]),
        3,
        0,
    ),
    "max consecutive shifts": (
        case(staff="A,D=14,100000,0,3,1,1,2", cover=EVERY_DAY),
        case(cover=EVERY_DAY),
        100,
        0,
    ),
    "min consecutive shifts": (
        case(staff="A,D=14,100000,0,14,3,1,2", cover=ONLY_DAY_3),
        case(cover=ONLY_DAY_3),
        2,
        0,
    ),
    "min consecutive days off": (
        case(staff="A,D=14,100000,0,14,1,2,2", cover=ALL_BUT_DAY_3),
        case(cover=ALL_BUT_DAY_3),
        1,
        0,
    ),
    "max weekends": (
        case(days=14, staff="A,D=14,100000,0,14,1,1,1", cover=WEEKENDS),
        case(days=14, cover=WEEKENDS),
        200,
        0,
    ),
    "days off": (
        case(days_off="A,3", cover=ONLY_DAY_3),
        case(cover=ONLY_DAY_3),
        100,
        0,
    ),
    "forbidden succession": (
        case(
            days=2,
            shifts="E,480,\nL,480,E",
            staff="A,E=2|L=2,100000,0,2,1,1,1",
            cover=[(0, "L", 1, 100, 1), (1, "E", 1, 100, 1)],
        ),
        case(
            days=2,
            shifts="E,480,\nL,480,",
            staff="A,E=2|L=2,100000,0,2,1,1,1",
            cover=[(0, "L", 1, 100, 1), (1, "E", 1, 100, 1)],
        ),
        100,
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hard_rule_binds(tmp_path: Path, name: str) -> None:
    with_rule, without, opt_with, opt_without = CASES[name]
    bad, objective, solver_objective = solve_text(tmp_path, with_rule)
    assert bad == [] and objective == solver_objective == opt_with
    bad, objective, solver_objective = solve_text(tmp_path, without)
    assert bad == [] and objective == solver_objective == opt_without


def test_a_run_touching_the_horizon_is_never_too_short() -> None:
    p = parse_instance(case(days=4, staff="A,D=14,100000,0,14,3,3,2", cover=EVERY_DAY[:4]))
    ok = Roster.from_names(p, {"A": ["D", None, None, None]})
    assert violations(p, ok) == []
    short = Roster.from_names(p, {"A": [None, "D", None, None]})
    assert violations(p, short) != []
    assert (
        check(case(days=4, staff="A,D=14,100000,0,14,3,3,2", cover=EVERY_DAY[:4]), {("A", 0): "D"})[
            0
        ]
        == []
    )


# -- the reader's errors ---------------------------------------------------------------


GOOD = case(cover=EVERY_DAY)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (GOOD.replace("SECTION_COVER", "SECTION_KOVER"), "x.txt:", "unknown section"),
        (GOOD.split("SECTION_COVER")[0], "x.txt", "no SECTION_COVER"),
        (GOOD.replace("0,D,1,100,1", "0,X,1,100,1"), "x.txt:18", "unknown shift id 'X'"),
        (GOOD.replace("0,D,1,100,1", "0,D,1,100"), "x.txt:18", "5 columns"),
        (GOOD.replace("A,D=14,", "A,D=14,1,"), "x.txt:8", "8 columns"),
        (GOOD.replace("0,D,1,100,1", "9,D,1,100,1"), "x.txt:18", "outside the horizon"),
        (GOOD.replace("0,D,1,100,1", "0,D,one,100,1"), "x.txt:18", "whole number"),
        ("7\nSECTION_HORIZON\n", "x.txt:1", "before the first section"),
    ],
)
def test_bad_files_are_one_line_errors(text: str, where: str, what: str) -> None:
    with pytest.raises(CallscopeError) as err:
        parse_instance(text, name="x.txt")
    msg = str(err.value)
    assert where in msg and what in msg and "\n" not in msg
    assert err.value.field == "instance"


# -- what a contact center adds: skills, unavailability, rest between shifts -------------


def test_skills_unavailability_and_rest_are_hard() -> None:
    """Cover wants both agents on the skilled shift every day and N followed by E; the
    roster must leave B (no skill) off it, A off on day 1 (unavailable), and never put E
    the morning after N (8 h rest < 11 h)."""
    from callscope.schedule.roster import Agent, Contract, Cover, RosterProblem, ShiftType

    shifts = (
        ShiftType("E", 480, start_minute=6 * 60),
        ShiftType("N", 480, start_minute=22 * 60),
        ShiftType("S", 480, start_minute=9 * 60, skill="sales"),
    )
    c = Contract(min_rest_minutes=11 * 60)
    p = RosterProblem(
        horizon=4,
        shifts=shifts,
        agents=(
            Agent("A", c, skills=frozenset({"sales"}), unavailable=frozenset({(1, "S")})),
            Agent("B", c),
        ),
        cover=tuple(Cover(d, "S", 2, 100, 1) for d in range(4))
        + tuple(Cover(d, "N" if d % 2 == 0 else "E", 1, 10, 1) for d in range(4)),
    )
    res = solve_roster(p, 20.0)
    assert res.roster is not None and res.feasible and violations(p, res.roster) == []
    days = {p.agents[e].id: row for e, row in enumerate(res.roster.days)}
    ids = p.shift_ids
    assert all(ids[s] != "S" for s in days["B"] if s >= 0)
    assert ids[days["A"][1]] != "S" if days["A"][1] >= 0 else True
    for row in days.values():
        for d in range(3):
            assert not (
                row[d] >= 0 and row[d + 1] >= 0 and (ids[row[d]], ids[row[d + 1]]) == ("N", "E")
            )
    # A works S on days 0, 2, 3 (100 each beats anything else); B covers N/E where rest
    # allows: N day 0, E day 1 is forbidden, so one of them is short (10)
    assert [ids[s] if s >= 0 else None for s in days["A"]].count("S") == 3
    assert res.objective == penalty(p, res.roster).total == 4 * 100 + 100 + 10
    assert res.optimal
