"""``callscope qa`` through the real entry point (:func:`callscope.cli.main`): the
published calibration numbers from a CSV, an evaluation from a YAML and a CSV answers
file, a dispute accepted and rejected, a reproducible sample, and bad input as one
``error:`` line with exit status 2 and nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callscope.cli import main
from callscope.quality.forms import default_form
from callscope.store import Store

# Shrout & Fleiss (1979) Table 2: six targets (rows) rated by four judges (columns)
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]
# Krippendorff (2011) example C, units 1-11 (unit 12 has one value: not comparable)
_ = None
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1],
]


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CALLSCOPE_DB", "CALLSCOPE_SETTINGS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _error(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 2, (out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _scores_csv(path: Path, rows: list[tuple[str, str, object]]) -> Path:
    path.write_text(
        "evaluator,item,score\n"
        + "".join(f"{e},{i},{'' if s is None else s}\n" for e, i, s in rows),
        encoding="utf-8",
    )
    return path


def test_calibration_reproduces_the_published_numbers(tmp_path, capsys) -> None:
    sf = _scores_csv(
        tmp_path / "sf.csv",
        [
            (f"judge{j + 1}", f"target{t + 1}", v)
            for t, row in enumerate(SHROUT_FLEISS)
            for j, v in enumerate(row)
        ],
    )
    code, out, _ = run(capsys, "qa", "calibration", "--input", str(sf), "--format", "json")
    assert code == 0
    got = json.loads(out)
    icc = {i["type"]: round(i["value"], 2) for i in got["icc"]}
    assert (icc["ICC(1)"], icc["ICC(2,1)"], icc["ICC(3,1)"]) == (0.17, 0.29, 0.71)
    assert (icc["ICC(1,k)"], icc["ICC(2,k)"], icc["ICC(3,k)"]) == (0.44, 0.62, 0.91)
    dev = {r["evaluator"]: r for r in got["evaluators"]}
    assert dev["judge1"]["bias"] == pytest.approx(2.375) and dev["judge2"]["bias"] < 0
    kr = _scores_csv(
        tmp_path / "k.csv",
        [
            ("ABCD"[j], f"u{t + 1}", v)
            for j, row in enumerate(KRIPPENDORFF)
            for t, v in enumerate(row)
        ],
    )
    code, out, _ = run(capsys, "qa", "calibration", "--input", str(kr), "--format", "json")
    got = json.loads(out)
    alphas = [round(got[f"alpha_{k}"], 3) for k in ("nominal", "ordinal", "interval")]
    assert alphas == [0.743, 0.815, 0.849]
    assert got["icc_items"] == 8 and got["reference"] == "item mean"
    code, out, _ = run(capsys, "qa", "calibration", "--input", str(kr))
    assert code == 0 and "0.849" in out and "ICC(2,1)" in out


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "does not exist"),
        ("", "is empty"),
        ("evaluator,item,score\n", "has a header but no rows"),
        (
            "rater,item,score\nA,x,1\nB,x,2\n",
            "no column 'evaluator' (its header: rater,item,score)",
        ),
        ("evaluator,item,score\n\nA,x,1\nB,x,high\n", "line 4: item 'x', evaluator 'B'"),
        ("evaluator,item,score\nA,x,1\nB,x,2\nA,y,3\nB,y,\n", "item 'y' is scored by only 'A'"),
        ("evaluator,item,score\nA,x,1\nA,x,2\n", "item 'x' is scored twice by 'A'"),
    ],
)
def test_calibration_bad_csv_is_one_line(tmp_path, capsys, text, words) -> None:
    f = tmp_path / "s.csv"
    if text is not None:
        f.write_text(text)
    err = _error(capsys, "qa", "calibration", "--input", str(f))
    assert err.startswith("error: --input: ") and words in err


def _answers_yaml(path: Path, **override: str) -> Path:
    lines = []
    for i in default_form().items:
        v = override.get(i.id, "yes" if i.type == "yes_no" else "4")
        lines.append(f"{i.id}: {v}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _count(db: Path, table: str) -> int:
    with Store(db, read_only=True) as s:
        return s.count(table) if s.has_table(table) else 0


def test_evaluate_dispute_resolve(center, tmp_path, capsys) -> None:
    db = str(center.db)
    ans = _answers_yaml(tmp_path / "a.yaml", reliable="{answer: no, comment: old tariff}")
    code, out, err = run(
        capsys, "qa", "evaluate", "c0001", "--answers", str(ans), "--evaluator", "eve",
        "--db", db, "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    e = json.loads(out)
    # 18 of 19 points at weight 25 each, warmth 4 of 1-5 = 3/4 of each of its 5 points:
    # (3 + 5 + 3.75 + 5) / 19
    assert e["score"] == pytest.approx(100 * (3 + 5 + 3.75 + 5) / 19)
    assert e["agent"] == "A1" and e["status"] == "open"
    items = {r["item"]: r for r in e["items"]}
    assert items["reliable"]["comment"] == "old tariff" and items["reliable"]["failed"]
    eid = e["evaluation_id"]
    code, _, err = run(
        capsys, "qa", "dispute", eid, "--item", "reliable=the tariff changed",
        "--item", "helpful=I was helpful", "--agent", "A1", "--user", "ann", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "qa", "disputes", "--db", db, "--format", "json")
    assert sorted(d["item"] for d in json.loads(out)) == ["helpful", "reliable"]
    code, out, _ = run(
        capsys, "qa", "resolve", eid, "--item", "reliable", "--accept", "yes", "--db", db
    )
    assert code == 0 and "revision 2 of 2" in out and "disputed" in out
    code, out, _ = run(
        capsys, "qa", "resolve", eid, "--item", "helpful", "--reject", "--note", "fair", "--db", db
    )
    assert code == 0 and "resolved" in out
    code, out, _ = run(capsys, "qa", "show", eid, "--db", db, "--format", "json")
    shown = json.loads(out)
    assert shown["revision"] == 2 and shown["status"] == "resolved"
    assert shown["score"] == pytest.approx(100 * (4 + 5 + 3.75 + 5) / 19)
    assert [h["action"] for h in shown["history"]] == [
        "evaluated",
        "disputed",
        "disputed",
        "accepted",
        "rejected",
        "resolved",
    ]
    code, out, _ = run(capsys, "qa", "list", "--db", db, "--format", "json")
    assert [(r["evaluation_id"], r["revision"]) for r in json.loads(out)] == [(eid, 2)]
    code, out, _ = run(capsys, "qa", "list", "--status", "open", "--db", db, "--format", "json")
    assert json.loads(out) == []
    err = _error(capsys, "qa", "list", "--status", "closed", "--db", db)
    assert err.startswith("error: --status: unknown status 'closed'; use one of open,")
    code, out, _ = run(capsys, "qa", "disputes", "--db", db)
    assert out.strip() == "no disputes waiting"


def test_evaluate_from_csv_and_bad_answers_store_nothing(center, tmp_path, capsys) -> None:
    db = str(center.db)
    rows = ["item,answer,comment"]
    for i in default_form().items:
        rows.append(f"{i.id},{'yes' if i.type == 'yes_no' else 5}")
    rows[1] += ',"clear, and kind"'
    good = tmp_path / "a.csv"
    good.write_text("\n".join(rows) + "\n")
    bad_scale = tmp_path / "b.yaml"
    _answers_yaml(bad_scale, helpful="7")
    missing = tmp_path / "m.yaml"
    missing.write_text("as_promised: yes\n")
    cases = [
        (["c0001", "--answers", str(tmp_path / "none.yaml")], "--answers: ", "does not exist"),
        (["c0001", "--answers", str(bad_scale)], "--answers: ", "'helpful': 7 is off the 1-5"),
        (["c0001", "--answers", str(missing)], "--answers: ", "'same_every_time' of form"),
        (["nope", "--answers", str(good)], "CONTACT: ", "no contact 'nope'"),
        (["c0001", "--answers", str(good), "--form", "x"], "--form: ", "no form named 'x'"),
    ]
    for args, flag, words in cases:
        err = _error(capsys, "qa", "evaluate", *args, "--db", db)
        assert err.startswith("error: " + flag) and words in err, err
    assert _count(center.db, "qa_evaluations") == 0
    err = _error(capsys, "qa", "evaluate", "c0002", "--db", db)
    assert err.startswith("error: --answers: give the answers")
    err = _error(capsys, "qa", "evaluate", "c0002", "--answer", "reliable", "--db", db)
    assert err.startswith("error: --answer: write KEY=VALUE")
    # --answer alone (every item), or over the file's answers
    every = [f"{i.id}={'yes' if i.type == 'yes_no' else 3}" for i in default_form().items]
    code, out, err = run(
        capsys, "qa", "evaluate", "c0003", *(x for a in every for x in ("--answer", a)),
        "--answer", "reliable=no", "--db", db, "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    got = {r["item"]: r["answer"] for r in json.loads(out)["items"]}
    assert got["reliable"] == "no" and got["helpful"] == "3"
    code, out, err = run(
        capsys, "qa", "evaluate", "c0002", "--answers", str(good), "--db", db, "--format", "json"
    )
    assert code == 0, err
    e = json.loads(out)
    assert e["score"] == pytest.approx(100.0)
    assert e["items"][0]["comment"] == "clear, and kind"


def test_sample_is_reproducible_and_skips_nothing_it_should_not(center, tmp_path, capsys) -> None:
    db = str(center.db)
    args = ("qa", "sample", "--db", db, "--seed", "5", "--format", "json")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    first = json.loads(out)
    assert first["per_agent"] == 4  # settings quality.sample_per_agent
    assert sorted({p["agent"] for p in first["picks"]}) == ["A1", "A2", "A3"]
    assert len(first["picks"]) == 12
    _, again, _ = run(capsys, *args)
    assert json.loads(again) == first
    out_csv = tmp_path / "picks.csv"
    code, out, err = run(
        capsys, "qa", "sample", "--db", db, "--per-agent", "2", "--strata", "queue",
        "--weight", "low-csat", "-o", str(out_csv),
    )  # fmt: skip
    assert code == 0 and "coverage" in out and out_csv.read_text().count("\n") == 1 + 6
    err = _error(capsys, "qa", "sample", "--db", db, "--strata", "colour")
    assert err.startswith("error: --strata: unknown stratum 'colour'")
    err = _error(capsys, "qa", "sample", "--db", db, "--from", "2025-01-10", "--to", "2025-01-05")
    assert err.startswith("error: --to: the period ends (2025-01-05 00:00) before it starts")
    code, out, err = run(capsys, "qa", "sample", "--db", db, "--agent", "ghost")
    assert code == 0 and out == ""
    assert err.startswith("no contact answered by ghost") and "check the agent ids" in err


def test_forms_show_add_list(center, tmp_path, capsys) -> None:
    db = str(center.db)
    f = tmp_path / "form.yaml"
    code, _, _ = run(capsys, "qa", "forms", "show", "default", "-o", str(f), "--db", db)
    assert code == 0 and "warmth" in f.read_text()
    code, out, _ = run(capsys, "qa", "forms", "add", str(f), "--db", db)
    assert code == 0 and out.startswith("added default v1")
    f.write_text(f.read_text().replace("weight: 25.0", "weight: 30.0", 1))
    code, out, _ = run(capsys, "qa", "forms", "add", str(f), "--db", db)
    assert out.startswith("added default v2")
    code, out, _ = run(capsys, "qa", "forms", "list", "--db", db, "--format", "json")
    assert [r["version"] for r in json.loads(out)] == [1, 2]
    err = _error(capsys, "qa", "forms", "show", "default", "--version", "3", "--db", db)
    assert err.startswith("error: --version: form 'default' has versions 1..2; no version 3")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsections:\n- id: a\n  weight: -1\n  items: [{id: q}]\n")
    err = _error(capsys, "qa", "forms", "add", str(bad), "--db", db)
    assert "section 'a': weight must be a positive number" in err


def test_calibration_from_stored_evaluations(center, tmp_path, capsys) -> None:
    import krippendorff
    import numpy as np

    db = str(center.db)
    items = [i for i in default_form().items if not i.na]
    na_items = [i.id for i in default_form().items if i.na]
    # three evaluators score contacts c0001 and c0002 blind; warmth items differ
    scores = {
        "eve": {"proactive": 4, "helpful": 5, "friendly": 5},
        "bob": {"proactive": 3, "helpful": 5, "friendly": 4},
        "cat": {"proactive": 4, "helpful": 2, "friendly": 5},
    }
    for who, warm in scores.items():
        for contact in ("c0001", "c0002"):
            f = _answers_yaml(
                tmp_path / f"{who}{contact}.yaml",
                **{k: str(v) for k, v in warm.items()},
                **{k: "na" for k in na_items},
            )
            code, out, err = run(
                capsys, "qa", "evaluate", contact, "--answers", str(f), "--evaluator", who,
                "--db", db, "--format", "json",
            )  # fmt: skip
            assert code == 0, err
    first = json.loads(out)["evaluation_id"]
    # a later revision (an accepted dispute) does not change the blind first scores
    run(capsys, "qa", "dispute", first, "--item", "helpful=no", "--db", db)
    run(capsys, "qa", "resolve", first, "--item", "helpful", "--accept", "5", "--db", db)
    code, out, err = run(
        capsys, "qa", "calibration", "--from-store", "--db", db, "--format", "json"
    )
    assert code == 0, err
    got = json.loads(out)

    # the same units by hand: each non-N/A item of each contact, the evaluators' answers
    # as the share of the item's points (yes 1; 4 on 1-5 is 0.75)
    def value(who, item):
        if item.type == "yes_no":
            return 1.0
        return (scores[who].get(item.id, 4) - 1) / 4

    m = np.array(
        [[value(w, i) for _ in ("c0001", "c0002") for i in items] for w in ("bob", "cat", "eve")],
        dtype=float,
    )
    for level in ("nominal", "ordinal", "interval"):
        kw = {"value_domain": np.unique(m)} if level != "interval" else {}
        want = krippendorff.alpha(reliability_data=m, level_of_measurement=level, **kw)
        assert got[f"alpha_{level}"] == pytest.approx(want)
    assert got["icc_items"] == 2 * len(items)
    assert (
        f"{2 * len(na_items)} item(s) scored by fewer than two evaluators left out" in got["notes"]
    )
    assert any("share of each item's points" in n for n in got["notes"])
    err = _error(capsys, "qa", "calibration", "--db", db)
    assert "give --input SCORES.csv (evaluator,item,score) or --from-store" in err
