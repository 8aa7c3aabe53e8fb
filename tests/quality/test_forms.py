"""Forms: the Genesys Cloud weighting example, critical and fatal items, N/A both ways,
scales, versions, YAML round trip and one-line mistakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callscope.errors import CallscopeError
from callscope.quality.forms import (
    Form,
    Item,
    Section,
    check_answers,
    default_form,
    dump_form,
    genesys_example,
    load_form,
    next_version,
    score_form,
)


def test_genesys_cloud_weighting_example_is_60_percent() -> None:
    # help.mypurecloud.com "Evaluation form weights": ((1*40) + (1*20)) / ((2*40) + (1*20))
    r = score_form(genesys_example(), {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"})
    assert r.score == pytest.approx(60.0)
    assert [s.score for s in r.sections] == [pytest.approx(50.0), pytest.approx(100.0)]
    # a plain mean of the section scores would say 75 %, a plain mean of the items 66.7 %
    assert r.score != pytest.approx(75.0) and r.score != pytest.approx(200 / 3)


def _form(**kw) -> Form:
    return Form(
        "t",
        (
            Section(
                "a",
                "A",
                50.0,
                (
                    Item("a1", "a1", critical=kw.get("critical", False)),
                    Item("a2", "a2", "1-5"),
                ),
            ),
            Section(
                "b",
                "B",
                50.0,
                (
                    Item("b1", "b1", fatal=kw.get("fatal", False)),
                    Item("b2", "b2", "0-10", na=True),
                ),
            ),
        ),
        na_policy=kw.get("na_policy", "exclude"),
    )


def test_scales_earn_their_share_of_the_points() -> None:
    # a: yes (1/1) + 4 on 1-5 (3/4) = 1.75 of 2; b: yes + 5 of 10 = 1.5 of 2
    r = score_form(_form(), {"a1": "yes", "a2": 4, "b1": "y", "b2": "5"})
    assert r.score == pytest.approx(100 * (50 * 1.75 + 50 * 1.5) / (50 * 2 + 50 * 2))
    assert r.passed and r.failed == ()  # 5 of 0-10 is the pass mark itself
    low = score_form(_form(), {"a1": "yes", "a2": 4, "b1": "y", "b2": "4.5"})
    assert low.failed == ("b2",) and low.passed  # failed, but neither critical nor fatal


def test_critical_item_zeroes_its_section_only() -> None:
    answers = {"a1": "no", "a2": 5, "b1": "yes", "b2": 10}
    plain = score_form(_form(), answers)
    crit = score_form(_form(critical=True), answers)
    assert plain.score == pytest.approx(100 * (1 + 2) / 4)  # 75
    # section a earns 0 of 2, section b 2 of 2: 50 %
    assert crit.score == pytest.approx(50.0)
    assert crit.critical_failed == ("a1",) and not crit.passed
    assert crit.sections[0].earned == 0 and crit.sections[1].earned == 2


def test_fatal_item_zeroes_the_form() -> None:
    answers = {"a1": "yes", "a2": 5, "b1": "no", "b2": 10}
    assert score_form(_form(), answers).score == pytest.approx(75.0)
    r = score_form(_form(fatal=True), answers)
    assert r.score == 0.0 and r.fatal_failed == ("b1",)


def test_na_excluded_or_scored_as_pass() -> None:
    answers = {"a1": "yes", "a2": 1, "b1": "no", "b2": "na"}
    # excluded: a 1 of 2, b 0 of 1 -> (50*1 + 50*0) / (50*2 + 50*1) = 33.3 %
    ex = score_form(_form(), answers)
    assert ex.score == pytest.approx(100 * 50 / 150)
    assert ex.sections[1].possible == 1
    # as a pass: b 1 of 2 -> (50 + 50) / 200 = 50 %
    ps = score_form(_form(na_policy="pass"), answers)
    assert ps.score == pytest.approx(50.0)


def test_all_na_has_no_score() -> None:
    f = Form("n", (Section("s", "S", 1.0, (Item("x", "x", na=True),)),))
    assert score_form(f, {"x": "na"}).score is None
    assert score_form(replace(f, na_policy="pass"), {"x": "na"}).score == 100.0


def test_scale_pass_mark() -> None:
    f = Form("p", (Section("s", "S", 1.0, (Item("x", "x", "1-5", critical=True),)),))
    assert score_form(f, {"x": 3}).critical_failed == ()  # mid-scale passes
    assert score_form(f, {"x": 2}).score == 0.0
    g = load_form(
        "name: p\nsections:\n- id: s\n  items:\n  - {id: x, type: 0-10, fatal: true, pass_mark: 8}\n"
    )
    assert score_form(g, {"x": 7}).fatal_failed == ("x",)
    assert score_form(g, {"x": 8}).score == 80.0


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"a1": "yes", "a2": 4, "b1": "yes"}, "item 'b2' of form t v1 has no answer"),
        ({"a1": "yes", "a2": 6, "b1": "yes", "b2": 1}, "item 'a2': 6 is off the 1-5 scale"),
        ({"a1": "yes", "a2": "na", "b1": "yes", "b2": 1}, "item 'a2' may not be answered N/A"),
        ({"a1": "maybe", "a2": 4, "b1": "yes", "b2": 1}, "item 'a1': 'maybe' is not an answer"),
        ({"a1": "yes", "a2": 4, "b1": "yes", "b2": 1, "zz": 1}, "item 'zz' is not on form"),
        ({"a1": "yes", "a2": "nan", "b1": "yes", "b2": 1}, "item 'a2'"),
    ],
)
def test_bad_answers_are_one_line_naming_the_item(answers, words) -> None:
    with pytest.raises(CallscopeError) as e:
        check_answers(_form(), answers)
    assert words in str(e.value) and "\n" not in str(e.value)
    assert e.value.field == "answers"


def test_a_changed_weight_makes_a_new_version() -> None:
    v1, new = next_version(None, _form())
    assert new and v1.version == 1
    same, new = next_version(v1, _form())
    assert not new and same is v1
    heavier = replace(v1, sections=(replace(v1.sections[0], weight=60.0), v1.sections[1]))
    v2, new = next_version(v1, heavier)
    assert new and v2.version == 2
    answers = {"a1": "yes", "a2": 1, "b1": "yes", "b2": 10}
    # the old version keeps its score: 50*1/100 + ... differ between versions
    assert score_form(v1, answers).score == pytest.approx(100 * (50 * 1 + 50 * 2) / 200)
    assert score_form(v2, answers).score == pytest.approx(100 * (60 * 1 + 50 * 2) / 220)
    assert v1.fingerprint() != v2.fingerprint()


def test_yaml_round_trip_of_the_default_form() -> None:
    f = default_form()
    assert [s.id for s in f.sections] == [
        "consistency",
        "customer_orientation",
        "warmth",
        "convenience",
    ]
    back = load_form(dump_form(f))
    assert back == f and back.fingerprint() == f.fingerprint()
    everything_yes = {i.id: ("yes" if i.type == "yes_no" else 5) for i in f.items}
    assert score_form(f, everything_yes).score == 100.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "name: f\nsections:\n- id: s\n  items:\n  - {id: x, type: stars}\n",
            "section 's' item 'x': unknown answer type 'stars'; use yes_no, 1-5, 0-10",
        ),
        (
            "name: f\nsections:\n- id: s\n  weight: -2\n  items:\n  - {id: x}\n",
            "section 's': weight must be a positive number; got -2",
        ),
        (
            "name: f\nsections:\n- id: s\n  weight: heavy\n  items:\n  - {id: x}\n",
            "weight must be a positive number; got 'heavy'",
        ),
        (
            "name: f\nsections:\n- id: s\n  items:\n  - {id: x, points: 0}\n",
            "item 'x': points must be a positive number; got 0",
        ),
        (
            "name: f\nsections:\n- id: s\n  items:\n  - {id: x}\n- id: t\n  items:\n  - {id: x}\n",
            "section 't' item 'x': duplicated item (also in section 's')",
        ),
        ("name: f\nsections: [\n", "not valid YAML at line"),
        ("sections: []\n", "the form needs a name"),
        ("name: f\nna_policy: skip\nsections: []\n", "na_policy 'skip' is unknown"),
        (
            "name: f\nsections:\n- id: s\n  items:\n  - {id: x, colour: red}\n",
            "unknown key 'colour'",
        ),
    ],
)
def test_form_file_mistakes_are_one_line(text: str, words: str) -> None:
    with pytest.raises(CallscopeError) as e:
        load_form(text, "qa.yaml")
    msg = str(e.value)
    assert msg.startswith("qa.yaml") and words in msg and "\n" not in msg, msg
