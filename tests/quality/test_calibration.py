"""Calibration against published worked examples: Shrout & Fleiss (1979) for the ICCs,
Krippendorff (2011) for alpha; deviations, spread and one-line mistakes."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from callscope.errors import CallscopeError
from callscope.quality.calibration import calibrate, icc, krippendorff_alpha

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", example C: four
# observers, twelve units, missing values; published alpha nominal .743, ordinal .815,
# interval .849.
n = math.nan
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
]


def _long(matrix, names=None) -> pa.Table:
    rows = []
    for j, row in enumerate(matrix):
        for t, v in enumerate(row):
            rows.append(
                {
                    "evaluator": (names or "ABCD")[j],
                    "item": f"u{t + 1}",
                    "score": None if isinstance(v, float) and math.isnan(v) else float(v),
                }
            )
    return pa.Table.from_pylist(rows)


def test_icc_shrout_fleiss_1979() -> None:
    m = np.array(SHROUT_FLEISS, dtype=float).T  # judges x targets
    got = {i.type: i.value for i in icc(m)}
    published = {
        "ICC(1)": 0.17,
        "ICC(2,1)": 0.29,
        "ICC(3,1)": 0.71,
        "ICC(1,k)": 0.44,
        "ICC(2,k)": 0.62,
        "ICC(3,k)": 0.91,
    }
    for k, v in published.items():
        assert round(got[k], 2) == v, (k, got[k])


def test_icc_against_the_mean_squares_by_hand() -> None:
    # an independent two-way ANOVA: ICC(3,1) = (MSR - MSE) / (MSR + (k-1) MSE)
    x = np.array(SHROUT_FLEISS, dtype=float)
    nt, k = x.shape
    g = x.mean()
    msr = k * ((x.mean(axis=1) - g) ** 2).sum() / (nt - 1)
    msc = nt * ((x.mean(axis=0) - g) ** 2).sum() / (k - 1)
    sse = ((x - g) ** 2).sum() - msr * (nt - 1) - msc * (k - 1)
    mse = sse / ((nt - 1) * (k - 1))
    msw = (((x - g) ** 2).sum() - msr * (nt - 1)) / (nt * (k - 1))
    got = {i.type: i.value for i in icc(x.T)}
    assert got["ICC(3,1)"] == pytest.approx((msr - mse) / (msr + (k - 1) * mse))
    assert got["ICC(2,1)"] == pytest.approx(
        (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / nt)
    )
    assert got["ICC(1)"] == pytest.approx((msr - msw) / (msr + (k - 1) * msw))


def test_alpha_krippendorff_2011_example() -> None:
    m = np.array(KRIPPENDORFF, dtype=float)
    assert round(krippendorff_alpha(m, "nominal"), 3) == 0.743
    assert round(krippendorff_alpha(m, "ordinal"), 3) == 0.815
    assert round(krippendorff_alpha(m, "interval"), 3) == 0.849


def test_alpha_nominal_by_hand_on_a_small_set() -> None:
    # two coders, four units, values a a / a b / b b / b b: the coincidence matrix has
    # o_aa = 2, o_ab = o_ba = 1, o_bb = 4; n = 8, n_a = 3, n_b = 5
    # D_o = (o_ab + o_ba) / n = 2/8, D_e = 2 n_a n_b / (n (n - 1)) = 30/56
    # alpha = 1 - D_o / D_e = 1 - 7/15
    m = np.array([[1, 1, 2, 2], [1, 2, 2, 2]], dtype=float)
    assert krippendorff_alpha(m, "nominal") == pytest.approx(1 - 7 / 15)


def test_calibrate_the_published_set_from_long_rows() -> None:
    # Krippendorff's unit 12 has one value only: calibration refuses it (fewer than two
    # evaluators), and leaving it out changes no alpha (a lone value is not pairable)
    with pytest.raises(CallscopeError, match="item 'u12' is scored by only 'B'"):
        calibrate(_long(KRIPPENDORFF))
    c = calibrate(_long([r[:11] for r in KRIPPENDORFF]))
    assert (round(c.alpha_nominal, 3), round(c.alpha_ordinal, 3), round(c.alpha_interval, 3)) == (
        0.743,
        0.815,
        0.849,
    )
    assert c.icc_items == 8  # units 2-9 are scored by all four
    assert len(c.icc) == 6 and "ICC over the 8 of 11 items" in " ".join(c.notes)


def test_deviations_from_the_mean_and_from_an_expert() -> None:
    rows = _long(np.array(SHROUT_FLEISS, dtype=float).T, names="ABCD")
    c = calibrate(rows)
    got = {r["evaluator"]: r for r in c.evaluators}
    x = np.array(SHROUT_FLEISS, dtype=float)
    means = x.mean(axis=1)
    for j, name in enumerate("ABCD"):
        assert got[name]["bias"] == pytest.approx((x[:, j] - means).mean())
        assert got[name]["mean_abs_deviation"] == pytest.approx(np.abs(x[:, j] - means).mean())
    assert got["A"]["bias"] > 0 > got["B"]["bias"]  # judge 1 scores high, judge 2 low
    e = calibrate(rows, expert="C")
    assert {r["evaluator"] for r in e.evaluators} == {"A", "B", "D"}
    ed = {r["evaluator"]: r for r in e.evaluators}
    assert ed["A"]["bias"] == pytest.approx((x[:, 0] - x[:, 2]).mean())
    spread = {r["item"]: r for r in c.items}
    assert spread["u1"]["mean"] == pytest.approx(6.0) and spread["u1"]["max"] == 9
    assert spread["u1"]["sd"] == pytest.approx(np.std([9, 2, 5, 8], ddof=1))


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (
            [("ann", "x", 3), ("bob", "x", 4), ("ann", "y", 2), ("bob", "y", None)],
            "item 'y' is scored by only 'ann'; calibration needs at least two evaluators",
        ),
        ([("ann", "x", 3), ("ann", "x", 4)], "item 'x' is scored twice by 'ann'"),
        ([("ann", "x", "high"), ("bob", "x", 4)], "score 'high' is not a number"),
        ([("", "x", 3), ("bob", "x", 4)], "line 2: every row needs an evaluator and an item"),
    ],
)
def test_mistakes_are_one_line(rows, words) -> None:
    t = pa.Table.from_pylist(
        [{"evaluator": e, "item": i, "score": None if s is None else str(s)} for e, i, s in rows]
    )
    with pytest.raises(CallscopeError) as err:
        calibrate(t)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_blank_and_na_are_not_scored() -> None:
    rows = [("A", "x", "3"), ("B", "x", "4"), ("C", "x", "N/A"), ("A", "y", "2")]
    rows += [("B", "y", " "), ("C", "y", "2"), ("A", "z", "5"), ("B", "z", "na"), ("C", "z", "4")]
    t = pa.Table.from_pylist([{"evaluator": e, "item": i, "score": s} for e, i, s in rows])
    c = calibrate(t)
    assert {r["item"]: r["evaluators"] for r in c.items} == {"x": 2, "y": 2, "z": 2}
    m = np.array([[3, 2, 5], [4, np.nan, np.nan], [np.nan, 2, 4]], dtype=float)
    assert c.alpha_interval == pytest.approx(krippendorff_alpha(m, "interval"))
