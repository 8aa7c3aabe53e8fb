"""The agent scorecard: a hand-worked pure case (QA mean and its t interval, targets
and statuses, the team ranking), then the service on the small center: QA scores from
stored evaluations, CSAT equal to the survey summary's, AHT equal to the KPI engine's,
scoping by agent and team."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from qacenter import NOW
from scipy import stats

from callscope.errors import CallscopeError
from callscope.quality.scorecard import build_scorecard
from callscope.services import qa_stats as qs
from callscope.services import quality as q
from callscope.services.scorecard import ScorecardRequest, scorecard

JAN = date(2025, 1, 1)
TARGETS = {
    "qa_score": (85.0, "at_least"),
    "aht_s": (300.0, "at_most"),
    "csat": (0.8, "at_least"),
}


def _status(v, t, d):
    if v is None:
        return None
    return "green" if (v >= t if d == "at_least" else v <= t) else "red"


def test_hand_worked_scorecard_and_ranking() -> None:
    kpis = [
        {"agent": "A", "month": JAN, "handled": 40, "aht_s": 320.0, "customer_messages": 0},
        {"agent": "B", "month": JAN, "handled": 30, "aht_s": 250.0, "conversion_rate": 0.0},
        {"agent": "C", "month": JAN, "handled": 10, "aht_s": 200.0},
    ]
    evals = [
        {"agent": "A", "contact_ts": datetime(2025, 1, 3), "score": 80.0},
        {"agent": "A", "contact_ts": datetime(2025, 1, 20), "score": 90.0},
        {"agent": "B", "contact_ts": datetime(2025, 1, 9), "score": 95.0},
        {"agent": "B", "contact_ts": datetime(2025, 2, 9), "score": 40.0},  # February
    ]
    surveys = [
        {
            "agent": "A",
            "month": JAN,
            "measure": "csat",
            "value": 0.75,
            "answers": 8,
            "ci_low": 0.41,
            "ci_high": 0.93,
        }
    ]
    teams = {"A": "North", "B": "North", "C": "South"}
    sc = build_scorecard(kpis, evals, surveys, teams, TARGETS, _status)
    lines = {(r["agent"], r["month"], r["measure"]): r for r in sc.lines.to_pylist()}
    a = lines[("A", JAN, "qa_score")]
    # mean 85 of two; t interval 85 +- t(1, .975) * s / sqrt(2), s = 7.07: clipped at 100
    half = stats.t.ppf(0.975, 1) * 7.0710678 / 2**0.5
    assert a["value"] == pytest.approx(85.0) and a["n"] == 2
    assert a["ci_low"] == pytest.approx(85 - half, rel=1e-6) and a["ci_high"] == 100.0
    assert a["status"] == "green"  # 85 >= 85
    assert lines[("A", JAN, "aht_s")]["status"] == "red"
    assert lines[("A", JAN, "csat")]["n"] == 8 and lines[("A", JAN, "csat")]["status"] == "red"
    assert lines[("A", JAN, "handled")]["status"] is None  # no target
    # B's January has one evaluation (no interval); February is its own month
    b = lines[("B", JAN, "qa_score")]
    assert (b["value"], b["ci_low"], b["ci_high"]) == (95.0, None, None)
    assert lines[("B", date(2025, 2, 1), "qa_score")]["value"] == 40.0
    # a conversion rate is not a voice agent's measure (no messages, no orders)
    assert ("B", JAN, "conversion_rate") not in lines
    assert lines[("A", JAN, "aht_s")]["team"] == "North"
    rank = [
        (r["team"], r["rank"], r["agent"], r["met"], r["rated"]) for r in sc.ranking.to_pylist()
    ]
    # January, North: B met 2 of 2 (qa, aht), A 1 of 3 (qa; aht and csat missed)
    assert rank[:2] == [("North", 1, "B", 2, 2), ("North", 2, "A", 1, 3)]
    assert ("South", 1, "C", 1, 1) in rank


def test_a_contact_several_evaluators_scored_counts_once() -> None:
    evals = [
        {"agent": "A", "contact_id": "c1", "contact_ts": datetime(2025, 1, 3), "score": 60.0},
        {"agent": "A", "contact_id": "c1", "contact_ts": datetime(2025, 1, 3), "score": 80.0},
        {"agent": "A", "contact_id": "c1", "contact_ts": datetime(2025, 1, 3), "score": 100.0},
        {"agent": "A", "contact_id": "c2", "contact_ts": datetime(2025, 1, 5), "score": 50.0},
    ]
    sc = build_scorecard([], evals, [], {}, TARGETS, _status)
    (line,) = sc.lines.to_pylist()
    # contacts c1 (mean 80) and c2 (50): 65 over 2 contacts, not 72.5 over 4 evaluations
    assert (line["measure"], line["value"], line["n"]) == ("qa_score", 65.0, 2)


def test_scorecard_from_the_store(center) -> None:
    from callscope.quality.forms import default_form

    items = default_form().items
    good = {i.id: ("yes" if i.type == "yes_no" else 5) for i in items}
    weak = {**good, "reliable": "no", "listens": "no"}
    for cid, answers in (("c0001", good), ("c0002", weak)):  # both A1's
        q.evaluate(center, q.EvaluateRequest(cid, answers, evaluator="eve"), NOW)
    sc = scorecard(center, ScorecardRequest())
    lines = {(r["agent"], r["measure"]): r for r in sc.lines.to_pylist()}
    assert lines[("A1", "qa_score")]["n"] == 2
    assert lines[("A1", "qa_score")]["value"] == pytest.approx((100 + 100 * 17 / 19) / 2)
    assert lines[("A1", "qa_score")]["target"] == 85.0
    assert ("A2", "qa_score") not in lines  # no evaluation, no line
    summary = {
        r["agent"]: r
        for r in qs.survey_summary(center, qs.SurveyRequest(("agent",))).to_pylist()
        if r["measure"] == "csat"
    }
    for agent in ("A1", "A2", "A3"):
        assert lines[(agent, "csat")]["value"] == pytest.approx(summary[agent]["value"])
        assert lines[(agent, "csat")]["ci_low"] == pytest.approx(summary[agent]["ci_low"])
    # AHT = talk + hold + ACW over the agent's handled contacts (all in January 2025)
    from qacenter import center_rows

    a3 = [c for c in center_rows()["contacts"] if c.get("agent") == "A3"]
    aht = sum(c["talk_s"] + c["hold_s"] + c["acw_s"] for c in a3) / len(a3)
    assert lines[("A3", "aht_s")]["value"] == pytest.approx(aht)
    assert lines[("A3", "handled")]["value"] == len(a3)
    north = scorecard(center, ScorecardRequest(teams=("North",)))
    assert set(north.lines.column("agent").to_pylist()) == {"A1", "A2"}
    own = scorecard(center, ScorecardRequest(agents=("A2",)))
    assert set(own.lines.column("agent").to_pylist()) == {"A2"}
    with pytest.raises(CallscopeError, match="no agent is in team 'West'; teams: North, South"):
        scorecard(center, ScorecardRequest(teams=("West",)))


def test_scorecard_command(center, tmp_path, capsys, monkeypatch) -> None:
    import json
    import re

    from callscope.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLSCOPE_DB", raising=False)
    monkeypatch.delenv("CALLSCOPE_SETTINGS", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            main([*args, "--db", str(center.db)])
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = run("scorecard", "--format", "json", "--agent", "A3")
    assert code == 0, err
    got = json.loads(out)
    assert {r["agent"] for r in got["lines"]} == {"A3"}
    assert [(r["team"], r["rank"], r["agent"]) for r in got["ranking"]] == [("South", 1, "A3")]
    code, out, _ = run("scorecard")
    assert code == 0 and "A1" in out and "ranking in each team" in out
    xlsx = tmp_path / "sc.xlsx"
    code, _, err = run("scorecard", "-o", str(xlsx))
    assert code == 0 and xlsx.stat().st_size > 0 and "scorecard lines" in err
    pdf = tmp_path / "sc.pdf"
    code, _, err = run("scorecard", "-o", str(pdf), "--format", "json")
    data = pdf.read_bytes()
    # a page of scorecards and a page of ranking for each team (North, South) and month
    assert (
        code == 0
        and data.startswith(b"%PDF")
        and len(re.findall(rb"/Type /Page\b(?!s)", data)) == 4
    )
    code, out, err = run("scorecard", "--team", "West")
    assert code == 2 and err.startswith("error: --team: no agent is in team 'West'")
    code, out, err = run("scorecard", "-o", str(tmp_path / "sc.docx"))
    assert code == 2 and "must end in .csv or .xlsx or .parquet or .json or .pdf" in err
