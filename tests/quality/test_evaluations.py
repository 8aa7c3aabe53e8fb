"""Evaluations and disputes through the service and the real store: nothing partial
on bad input, acknowledge, dispute accepted (new revision, both kept) and rejected, the
history, coaching tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from qacenter import NOW

from callscope.errors import CallscopeError
from callscope.services import quality as q
from callscope.store import Store

GENESYS = """name: genesys
sections:
- id: group1
  weight: 40
  items:
  - {id: q1_1, text: "1.1"}
  - {id: q1_2, text: "1.2"}
- id: group2
  weight: 20
  items:
  - {id: q2_1, text: "2.1", critical: true}
"""


def _rows(settings, table: str) -> int:
    s = Store(settings.db, read_only=True)
    try:
        return s.count(table) if s.has_table(table) else 0
    finally:
        s.close()


@pytest.fixture
def genesys(center, tmp_path):
    f = tmp_path / "genesys.yaml"
    f.write_text(GENESYS)
    added = q.add_form(center, q.FormAddRequest(f), NOW)
    assert added.new and added.form.version == 1
    return center


def _evaluate(settings, answers, contact="c0001", **kw):
    return q.evaluate(
        settings,
        q.EvaluateRequest(contact, answers, form="genesys", evaluator="eve", **kw),
        NOW,
    )


def test_evaluate_stores_the_genesys_score(genesys) -> None:
    v = _evaluate(
        genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}, comments={"q1_2": "no greeting"}
    )
    e = v.evaluation
    assert e.score == pytest.approx(60.0) and e.agent == "A1" and e.status == "open"
    back = q.evaluation(genesys, e.evaluation_id)
    assert back.evaluation.score == pytest.approx(60.0)
    assert back.evaluation.comments == {"q1_2": "no greeting"}
    assert back.evaluation.answers == {"q1_1": 1.0, "q1_2": 0.0, "q2_1": 1.0}
    # 60 is below quality.coaching_below (70): a coaching task is opened
    assert [h["action"] for h in back.history] == ["evaluated", "coaching opened"]
    assert v.coaching_task is not None
    assert q.coaching(genesys)[0]["reason"] == "score 60.0 below 70"
    rows = {r["item"]: r for r in back.item_rows()}
    assert rows["q1_2"]["answer"] == "no" and rows["q1_2"]["failed"]


@pytest.mark.parametrize(
    ("answers", "contact", "field", "words"),
    [
        (
            {"q1_1": "yes", "q2_1": "yes"},
            "c0001",
            "answers",
            "item 'q1_2' of form genesys v1 has no answer",
        ),
        (
            {"q1_1": "yes", "q1_2": 3, "q2_1": "yes"},
            "c0001",
            "answers",
            "item 'q1_2': 3 is not an answer",
        ),
        ({"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}, "nope", "contact", "no contact 'nope'"),
        ({"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}, "c9999", "agent", "has no agent"),
    ],
)
def test_bad_evaluations_store_nothing(genesys, answers, contact, field, words) -> None:
    with pytest.raises(CallscopeError) as e:
        _evaluate(genesys, answers, contact)
    assert words in str(e.value) and "\n" not in str(e.value) and e.value.field == field
    for t in ("qa_evaluations", "qa_answers", "qa_state", "qa_events", "qa_coaching"):
        assert _rows(genesys, t) == 0, t


def test_a_failing_write_rolls_the_whole_evaluation_back(genesys, monkeypatch) -> None:
    import callscope.store.quality as sq

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sq, "add_event", boom)
    with pytest.raises(RuntimeError):
        _evaluate(genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"})
    assert _rows(genesys, "qa_evaluations") == 0 and _rows(genesys, "qa_answers") == 0


def test_default_form_is_used_and_stored_on_first_use(center) -> None:
    from callscope.quality.forms import default_form

    answers = {i.id: ("yes" if i.type == "yes_no" else 4) for i in default_form().items}
    v = q.evaluate(center, q.EvaluateRequest("c0002", answers, evaluator="eve"), NOW)
    # warmth: 4 of 1-5 earns 3/4 of each point: (25*4 + 25*5 + 25*3.75 + 25*5) / (25*19)
    assert v.evaluation.score == pytest.approx(100 * (4 + 5 + 3.75 + 5) / 19)
    assert [f["version"] for f in q.form_versions(center)] == [1]


def test_acknowledge(genesys) -> None:
    e = _evaluate(genesys, {"q1_1": "yes", "q1_2": "yes", "q2_1": "yes"}).evaluation
    with pytest.raises(CallscopeError, match="of another agent"):
        q.acknowledge(genesys, q.AcknowledgeRequest(e.evaluation_id, "bob", agent="A2"), NOW)
    v = q.acknowledge(genesys, q.AcknowledgeRequest(e.evaluation_id, "ann", agent="A1"), NOW)
    assert v.evaluation.status == "acknowledged"
    with pytest.raises(
        CallscopeError, match="is acknowledged; only an open evaluation can be disputed"
    ):
        q.dispute(genesys, q.DisputeRequest(e.evaluation_id, {"q1_1": "x"}), NOW)


def test_dispute_accepted_recomputes_and_keeps_both_revisions(genesys) -> None:
    e = _evaluate(genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}).evaluation
    later = NOW + timedelta(hours=1)
    v = q.dispute(
        genesys,
        q.DisputeRequest(e.evaluation_id, {"q1_2": "I did greet", "q1_1": "fine"}, "ann"),
        later,
    )
    assert v.evaluation.status == "disputed" and len(v.disputes) == 2
    with pytest.raises(CallscopeError, match="accepting a dispute needs the corrected answer"):
        q.decide(genesys, q.DecideRequest(e.evaluation_id, "q1_2", True), later)
    with pytest.raises(CallscopeError, match="item 'q2_1' .* is not disputed"):
        q.decide(genesys, q.DecideRequest(e.evaluation_id, "q2_1", True, "no"), later)
    v = q.decide(
        genesys, q.DecideRequest(e.evaluation_id, "q1_2", True, "yes", "heard it", "sam"), later
    )
    assert v.evaluation.revision == 2 and v.evaluation.score == pytest.approx(100.0)
    assert v.evaluation.status == "disputed"  # q1_1 still waits
    v = q.decide(genesys, q.DecideRequest(e.evaluation_id, "q1_1", False, note="stands"), later)
    assert v.evaluation.status == "resolved" and v.revisions == 2
    assert v.evaluation.score == pytest.approx(100.0)
    # the first revision is kept, with its score and answers
    from callscope.services.common import open_store
    from callscope.store.quality import get_evaluation

    with open_store(genesys) as s:
        first = get_evaluation(s, e.evaluation_id, 1)
    assert first["score"] == pytest.approx(60.0) and ("q1_2", 0.0, None) in first["answers"]
    actions = [(h["action"], h["item"]) for h in v.history]
    assert actions == [
        ("evaluated", None),
        ("coaching opened", None),
        ("disputed", "q1_2"),
        ("disputed", "q1_1"),
        ("accepted", "q1_2"),
        ("rejected", "q1_1"),
        ("resolved", None),
    ]
    decided = {d["item"]: d["decision"] for d in v.disputes}
    assert decided == {"q1_1": "rejected", "q1_2": "accepted"}
    assert q.disputes(genesys, q.DisputesRequest(undecided=True)) == []


def test_dispute_rejected_keeps_the_score(genesys) -> None:
    e = _evaluate(genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}).evaluation
    q.dispute(genesys, q.DisputeRequest(e.evaluation_id, {"q1_2": "unfair"}), NOW)
    assert [d["item"] for d in q.disputes(genesys, q.DisputesRequest())] == ["q1_2"]
    v = q.decide(
        genesys, q.DecideRequest(e.evaluation_id, "q1_2", False, note="recording says no"), NOW
    )
    assert v.evaluation.status == "resolved" and v.revisions == 1
    assert v.evaluation.score == pytest.approx(60.0)
    with pytest.raises(CallscopeError, match="is resolved; there is no dispute to decide"):
        q.decide(genesys, q.DecideRequest(e.evaluation_id, "q1_2", True, "yes"), NOW)


def test_bad_disputes_are_one_line(genesys) -> None:
    e = _evaluate(genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}).evaluation
    with pytest.raises(CallscopeError, match="item 'zz' is not on form genesys v1"):
        q.dispute(genesys, q.DisputeRequest(e.evaluation_id, {"zz": "why"}), NOW)
    with pytest.raises(CallscopeError, match="give the reason"):
        q.dispute(genesys, q.DisputeRequest(e.evaluation_id, {"q1_1": " "}), NOW)
    with pytest.raises(CallscopeError, match="no evaluation 'E0'"):
        q.dispute(genesys, q.DisputeRequest("E0", {"q1_1": "x"}), NOW)
    assert _rows(genesys, "qa_disputes") == 0


def test_old_evaluations_keep_their_form_version(genesys, tmp_path) -> None:
    e = _evaluate(genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}).evaluation
    f = tmp_path / "g2.yaml"
    f.write_text(GENESYS.replace("weight: 40", "weight: 80"))
    added = q.add_form(genesys, q.FormAddRequest(f), NOW)
    assert added.new and added.form.version == 2
    assert not q.add_form(genesys, q.FormAddRequest(f), NOW).new  # same content: same version
    e2 = _evaluate(genesys, {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}, "c0002").evaluation
    assert e2.form_version == 2
    assert e2.score == pytest.approx(100 * (80 + 20) / (160 + 20))
    old = q.evaluation(genesys, e.evaluation_id).evaluation
    assert old.form_version == 1 and old.score == pytest.approx(60.0)
    # a dispute on the old evaluation is decided on its own version
    q.dispute(genesys, q.DisputeRequest(e.evaluation_id, {"q1_2": "x"}), NOW)
    v = q.decide(genesys, q.DecideRequest(e.evaluation_id, "q1_2", True, "yes"), NOW)
    assert v.evaluation.form_version == 1 and v.evaluation.score == pytest.approx(100.0)


def test_a_failed_critical_item_opens_a_coaching_task(genesys) -> None:
    v = _evaluate(genesys, {"q1_1": "yes", "q1_2": "yes", "q2_1": "no"})
    # group 2 is zeroed by its critical item: (2*40 + 0) / (2*40 + 1*20) = 80 %
    assert v.evaluation.score == pytest.approx(80.0)
    assert v.coaching_task is not None
    tasks = q.coaching(genesys)
    assert len(tasks) == 1 and tasks[0]["team"] == "North"
    assert "critical item failed: q2_1" in tasks[0]["reason"]
    assert q.coaching(genesys, teams=("South",)) == []
    with pytest.raises(CallscopeError, match="say what was done"):
        q.close_task(genesys, q.CloseTaskRequest(tasks[0]["task_id"], " "), NOW)
    q.close_task(genesys, q.CloseTaskRequest(tasks[0]["task_id"], "listened together"), NOW)
    assert q.coaching(genesys) == []
    closed = q.coaching(genesys, open_only=False)[0]
    assert closed["note"] == "listened together" and closed["closed_at"] == NOW
    # a good evaluation opens none; a low score does
    assert (
        _evaluate(genesys, {"q1_1": "yes", "q1_2": "yes", "q2_1": "yes"}, "c0004").coaching_task
        is None
    )
    low = _evaluate(genesys, {"q1_1": "no", "q1_2": "no", "q2_1": "yes"}, "c0007")
    assert low.evaluation.score == pytest.approx(20.0) and low.coaching_task is not None


def test_one_evaluation_per_evaluator_and_contact(genesys) -> None:
    answers = {"q1_1": "yes", "q1_2": "no", "q2_1": "yes"}
    first = _evaluate(genesys, answers).evaluation
    with pytest.raises(CallscopeError) as e:
        _evaluate(genesys, answers)
    assert f"eve has evaluated contact 'c0001' already ({first.evaluation_id})" in str(e.value)
    assert e.value.field == "contact" and _rows(genesys, "qa_evaluations") == 1
    # another evaluator may score the same contact (a calibration)
    other = q.evaluate(
        genesys, q.EvaluateRequest("c0001", answers, form="genesys", evaluator="bob"), NOW
    )
    assert other.evaluation.contact_id == "c0001" and _rows(genesys, "qa_evaluations") == 2
