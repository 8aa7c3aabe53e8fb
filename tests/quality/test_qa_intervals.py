"""Survey intervals: Wilson against Newcombe (1998), the NPS interval against its
trinomial variance and a bootstrap, t intervals, and the survey table against the KPI
engine's own CSAT and NPS on the same store."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from callscope.quality.intervals import mean_interval, nps_interval, wilson


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_newcombe_1998(k, n, lo, hi) -> None:
    got = wilson(k, n)
    assert (round(got[0], 4), round(got[1], 4)) == (lo, hi)


def test_wilson_agrees_with_statsmodels_and_shrinks_with_n() -> None:
    sm = pytest.importorskip("statsmodels.stats.proportion")
    for k, n in ((22, 30), (2220, 3000), (3, 3)):
        want = sm.proportion_confint(k, n, alpha=0.05, method="wilson")
        assert wilson(k, n) == pytest.approx(want, abs=1e-9)
    small, big = wilson(22, 30), wilson(2220, 3000)  # both 74 %
    assert (small[1] - small[0]) > 5 * (big[1] - big[0])
    assert 0.55 < small[0] < 0.57 and 0.72 < big[0] < 0.73
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_nps_interval_is_the_trinomial_one_and_matches_a_bootstrap() -> None:
    p, d, n = 50, 20, 100
    lo, hi = nps_interval(p, d, n)
    se = 100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    assert (lo, hi) == pytest.approx((30 - 1.959964 * se, 30 + 1.959964 * se), abs=1e-4)
    rng = np.random.default_rng(0)
    answers = np.array([1] * p + [-1] * d + [0] * (n - p - d))
    boot = [100 * rng.choice(answers, n).mean() for _ in range(20000)]
    b_lo, b_hi = np.percentile(boot, [2.5, 97.5])
    assert lo == pytest.approx(b_lo, abs=1.0) and hi == pytest.approx(b_hi, abs=1.0)
    assert nps_interval(10, 0, 10) == (100.0, 100.0)  # all promoters: no spread, clipped


def test_mean_interval_is_the_t_interval() -> None:
    lo, hi = mean_interval([1, 2, 3, 4, 5])
    # mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445
    half = 2.776445 * math.sqrt(2.5) / math.sqrt(5)
    assert (lo, hi) == pytest.approx((3 - half, 3 + half), abs=1e-5)
    assert all(math.isnan(x) for x in mean_interval([4.0]))


def test_survey_table_matches_the_kpi_engine(center) -> None:
    from callscope.services import qa_stats as qs
    from callscope.services.kpi import KpiRequest, kpi

    got = qs.survey_summary(center, qs.SurveyRequest(by=("agent",))).to_pylist()
    engine = {r["agent"]: r for r in kpi(center, KpiRequest(by=("agent",))).table.to_pylist()}
    csat = {r["agent"]: r for r in got if r["measure"] == "csat"}
    assert set(csat) == {"A1", "A2", "A3"}
    for agent, r in csat.items():
        assert r["value"] == pytest.approx(engine[agent]["csat"])
        assert r["answers"] == engine[agent]["csat_responses"]
        assert r["handled"] == engine[agent]["handled"] == 60
        assert r["response_rate"] == pytest.approx(r["responses"] / 60)
        assert r["ci_low"] < r["value"] < r["ci_high"]
        assert (r["ci_low"], r["ci_high"]) == pytest.approx(
            wilson(round(r["value"] * r["answers"]), r["answers"])
        )
    means = {r["agent"]: r for r in got if r["measure"] == "csat_mean"}
    assert means["A1"]["value"] == pytest.approx(engine["A1"]["csat_mean"])


def test_nps_fcr_and_items_per_month(tmp_path) -> None:
    from qacenter import make_store

    from callscope.services import qa_stats as qs
    from callscope.services.kpi import KpiRequest, kpi
    from callscope.settings import Settings

    t = datetime(2025, 3, 3, 10)
    contacts = [
        {
            "contact_id": f"c{i}",
            "queue": "Q",
            "queue_entry_ts": t + timedelta(minutes=i),
            "answer_ts": t + timedelta(minutes=i, seconds=5),
            "wait_s": 5.0,
            "talk_s": 100.0,
            "agent": "A",
        }
        for i in range(40)
    ]
    surveys = []
    nps = [10, 9, 9, 8, 7, 6, 3, 10, 9, 0]  # 5 promoters, 3 detractors of 10: NPS 20
    for i, s in enumerate(nps):
        base = {"contact_id": f"c{i}", "agent": "A", "queue": "Q", "channel": "voice"}
        ts = t + timedelta(minutes=i, seconds=30)
        surveys.append(
            {
                **base,
                "survey_id": f"s{i}",
                "submitted_ts": ts,
                "item": "nps",
                "score": float(s),
                "scale_min": 0.0,
                "scale_max": 10.0,
            }
        )
        surveys.append(
            {
                **base,
                "survey_id": f"s{i}",
                "submitted_ts": ts,
                "item": "resolved",
                "score": float(i % 4 != 0),
                "scale_min": 0.0,
                "scale_max": 1.0,
            }
        )
        surveys.append(
            {
                **base,
                "survey_id": f"s{i}",
                "submitted_ts": ts,
                "item": "Time in queue",
                "score": float(1 + i % 5),
            }
        )
    db = tmp_path / "n.duckdb"
    make_store(db, contacts=contacts, surveys=surveys).close()
    s = Settings(db=db)
    rows = {
        r["measure"]: r for r in qs.survey_summary(s, qs.SurveyRequest(by=("month",))).to_pylist()
    }
    engine = kpi(s, KpiRequest(by=("month",))).table.to_pylist()[0]
    assert rows["nps"]["value"] == pytest.approx(20.0) == pytest.approx(engine["nps"])
    assert (rows["nps"]["ci_low"], rows["nps"]["ci_high"]) == pytest.approx(nps_interval(5, 3, 10))
    assert rows["fcr_survey"]["value"] == pytest.approx(0.7) == pytest.approx(engine["fcr_survey"])
    assert (rows["fcr_survey"]["ci_low"], rows["fcr_survey"]["ci_high"]) == pytest.approx(
        wilson(7, 10)
    )
    assert rows["survey_time_in_queue"]["value"] == pytest.approx(engine["survey_time_in_queue"])
    assert rows["nps"]["responses"] == 10 and rows["nps"]["handled"] == 40
    assert rows["nps"]["response_rate"] == pytest.approx(0.25)
    assert rows["nps"]["month"] == datetime(2025, 3, 1).date()


def test_unknown_grouping_is_one_line(center) -> None:
    from callscope.errors import CallscopeError
    from callscope.services import qa_stats as qs

    with pytest.raises(CallscopeError, match="cannot group surveys by 'colour'") as e:
        qs.survey_summary(center, qs.SurveyRequest(by=("agent", "colour")))
    assert e.value.field == "by"
