"""The QA pages and their JSON (web/routes/quality.py): who may call what, an agent's
and a supervisor's scope, evaluating from the page (errors beside their field, nothing
stored), the agent's dispute and acknowledgement, a decision (new revision rescored,
the first kept), the sampling plan, calibration and scorecards with their downloads.

Tests that write work on a copy of the session's center (module ``written``)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from html import unescape

import pytest
from fastapi.testclient import TestClient
from webtools import OTHER_AGENT, ROLES, USERS, Center, csrf_of, make_app, sign_in

from callscope.access.roles import EVALUATE, EXPORT, VIEW_KPIS, can
from callscope.settings import load_settings

CARLA, PAUL = USERS["agent"][1], OTHER_AGENT[1]

#: GET routes of the quality pages -> the permission they need
READS = {
    "/quality": VIEW_KPIS,
    "/api/v1/qa/evaluations": VIEW_KPIS,
    "/quality/export?format=csv": EXPORT,
    "/quality/evaluate": EVALUATE,
    "/api/v1/qa/disputes": EVALUATE,
    "/quality/sample?per_agent=1": EVALUATE,
    "/api/v1/qa/sample?per_agent=1": EVALUATE,
    "/quality/sample/export?per_agent=1&format=csv": EVALUATE,
    "/quality/calibration": EVALUATE,
    "/quality/scorecard": VIEW_KPIS,
    "/api/v1/qa/scorecard": VIEW_KPIS,
    "/quality/scorecard/export?format=csv": EXPORT,
    "/quality/scorecard/export?format=xlsx": EXPORT,
    "/quality/export?format=xlsx": EXPORT,
    "/quality/coaching": EVALUATE,
    "/api/v1/qa/coaching": EVALUATE,
    "/quality/forms": VIEW_KPIS,
    "/api/v1/qa/forms": VIEW_KPIS,
    "/quality/forms/yaml": VIEW_KPIS,
    "/quality/surveys": VIEW_KPIS,
    "/api/v1/qa/surveys": VIEW_KPIS,
    "/quality/surveys/export?format=csv": EXPORT,
}


def _client(app, name: str) -> TestClient:
    c = TestClient(app)
    assert sign_in(c, name).status_code == 303
    return c


@pytest.fixture(scope="module")
def written(center, tmp_path_factory):
    """A copy of the center with its own app and a signed-in client per user."""
    root = tmp_path_factory.mktemp("qa-pages")
    db = root / "center.duckdb"
    shutil.copy(center.db, db)
    settings = load_settings(db=db, env={}, cwd=root)
    app = make_app(Center(settings, db, center.tokens))
    names = [u[0] for u in USERS.values()] + [OTHER_AGENT[0]]
    return {"app": app, "settings": settings, **{n: _client(app, n) for n in names}}


def _picks(client, agent: str, n: int = 4) -> list[str]:
    """Contacts of ``agent`` to evaluate, from the sampling plan."""
    plan = client.get(
        "/api/v1/qa/sample", params={"per_agent": 40, "seed": 3, "strata": "channel"}
    ).json()
    ids = [p["contact_id"] for p in plan["picks"] if p["agent"] == agent]
    assert len(ids) >= n, plan["coverage"]
    return ids[:n]


def _form_items(page: str) -> dict[str, list[str]]:
    """item -> the answers its radio buttons offer, from the evaluate page."""
    out: dict[str, list[str]] = {}
    for item, value in re.findall(r'name="answer_([^"]+)" value="([^"]+)"', page):
        out.setdefault(item, []).append(value)
    return out


def _best(choices: list[str]) -> str:
    return "yes" if "yes" in choices else max((c for c in choices if c != "na"), key=float)


def _evaluate(client, contact: str, changes: dict[str, str] | None = None, **extra: str):
    page = client.get("/quality/evaluate").text
    items = _form_items(page)
    data = {
        "csrf_token": csrf_of(page),
        "form": "default",
        "contact": contact,
        **{f"answer_{i}": _best(c) for i, c in items.items()},
        **{f"answer_{i}": v for i, v in (changes or {}).items()},
        **extra,
    }
    return client.post("/quality/evaluate", data=data, follow_redirects=False)


def _errors(html: str) -> dict[str, str]:
    """field -> the one-line error shown beside it."""
    found = re.findall(r'class="error" role="alert" data-field="([^"]+)">([^<]+)<', html)
    return {f: unescape(m) for f, m in found}


# -- who may call what -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_permission_allows(clients, role):
    client = clients[role]
    for url, permission in READS.items():
        r = client.get(url, follow_redirects=False)
        if can(role, permission):
            assert r.status_code == 200, (role, url, r.text[:300])
        else:
            assert r.status_code == 403 and "role may not" in r.text, (role, url)
    nav = re.findall(r"<nav>(.*?)</nav>", clients[role].get("/quality").text, re.S)[0]
    assert 'href="/quality"' in nav


def test_signed_out_is_sent_to_sign_in(app):
    c = TestClient(app)
    r = c.get("/quality", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get("/api/v1/qa/evaluations").status_code == 401


# -- evaluating from the page --------------------------------------------------------------


def test_evaluate_errors_beside_their_field_store_nothing(written):
    qa = written["quinn"]
    contact = _picks(qa, CARLA)[0]
    page = qa.get("/quality/evaluate").text
    choices = _form_items(page)
    items = list(choices)
    scale = next(i for i, c in choices.items() if "5" in c)
    # an item left unanswered and one off the scale: each one line beside its item
    r = _evaluate(qa, contact, {items[1]: "", scale: "11"})
    assert r.status_code == 400
    errs = _errors(r.text)
    assert set(errs) == {items[1], scale}, errs
    assert "has no answer" in errs[items[1]] and "off the" in errs[scale]
    # the answers given are kept in the form
    assert re.search(rf'name="answer_{items[0]}" value="yes" checked', r.text)
    # the page names the contact it is about to score
    info = qa.get("/quality/evaluate", params={"contact": contact}).text
    assert 'id="contact-info"' in info and f"answered by {CARLA}" in info
    assert 'id="contact-info"' not in qa.get("/quality/evaluate?contact=nope").text
    # an unknown contact: beside the contact field
    r = _evaluate(qa, "no-such-contact")
    assert r.status_code == 400 and "no contact 'no-such-contact'" in _errors(r.text)["contact"]
    stored = qa.get("/api/v1/qa/evaluations").json()
    assert contact not in {e["contact_id"] for e in stored}


def test_evaluate_shows_the_score_then_the_list_and_json(written):
    qa = written["quinn"]
    contact = _picks(qa, CARLA)[1]
    items = list(_form_items(qa.get("/quality/evaluate").text))
    r = _evaluate(qa, contact, {items[0]: "no"}, **{f"comment_{items[0]}": "did not greet"})
    assert r.status_code == 303, r.text[:500]
    page = qa.get(r.headers["location"])
    assert page.status_code == 200 and 'id="stored"' in page.text
    eid = r.headers["location"].split("/")[-1].split("?")[0]
    j = qa.get(f"/api/v1/qa/evaluations/{eid}").json()
    assert j["contact_id"] == contact and j["agent"] == CARLA and j["evaluator"] == "quinn"
    assert 0 < j["score"] < 100 and j["status"] == "open" and j["revision"] == 1
    shown = re.search(r'id="score"><span class="value">([^<]+)<', page.text)
    assert shown and shown.group(1) == f"{j['score']:.1f}"
    row = next(i for i in j["items"] if i["item"] == items[0])
    assert row["answer"] == "no" and row["comment"] == "did not greet" and row["failed"]
    assert f'id="item-{items[0]}" class="failed"' in page.text and "did not greet" in page.text
    assert [h["action"] for h in j["history"]][0] == "evaluated"
    # every section of the form is on the page, each with its score
    assert page.text.count('<tr class="section">') == len(j["sections"]) == 4
    # the same evaluator evaluating the same contact again: one line, nothing stored
    again = _evaluate(qa, contact)
    assert again.status_code == 400 and "evaluated contact" in _errors(again.text)["contact"]
    listed = qa.get("/api/v1/qa/evaluations", params={"agent": CARLA}).json()
    assert [e["evaluation_id"] for e in listed] == [eid]
    assert eid in qa.get("/quality", params={"status": "open"}).text
    assert eid not in qa.get("/quality", params={"status": "resolved"}).text
    csv_rows = list(csv.DictReader(io.StringIO(qa.get("/quality/export?format=csv").text)))
    assert [r["evaluation_id"] for r in csv_rows if r.get("evaluation_id")] == [eid]


def test_agents_and_supervisors_see_only_their_own(written):
    qa = written["quinn"]
    _new_evaluation(written, CARLA, 0)
    contact = _picks(qa, PAUL)[0]
    r = _evaluate(qa, contact)
    assert r.status_code == 303
    paul_eval = r.headers["location"].split("/")[-1].split("?")[0]
    carla, paul = written["carla"], written["paul"]
    mine = carla.get("/api/v1/qa/evaluations").json()
    assert mine and {e["agent"] for e in mine} == {CARLA}
    # asking for another agent by name gives nothing, not their evaluations
    assert carla.get("/api/v1/qa/evaluations", params={"agent": PAUL}).json() == []
    assert paul_eval not in carla.get("/quality").text
    for url in (f"/quality/evaluations/{paul_eval}", f"/api/v1/qa/evaluations/{paul_eval}"):
        r = carla.get(url)
        assert r.status_code == 403 and contact not in r.text, url
    assert {e["agent"] for e in paul.get("/api/v1/qa/evaluations").json()} == {PAUL}
    # sam leads General 1 (Carla's and Paul's team)
    sam = {e["agent"] for e in written["sam"].get("/api/v1/qa/evaluations").json()}
    assert sam == {CARLA, PAUL}
    # the scorecards: an agent's lines are theirs only
    lines = carla.get("/api/v1/qa/scorecard").json()["lines"]
    assert lines and {ln["agent"] for ln in lines} == {CARLA}
    body = carla.get("/quality/scorecard/export?format=csv").text
    agents = {r["agent"] for r in csv.DictReader(io.StringIO(body)) if r.get("agent")}
    assert agents == {CARLA}


def test_supervisor_evaluates_only_their_teams_agents(written):
    from callscope.access.roles import Scope
    from callscope.services.quality import scope_agents

    team = set(scope_agents(written["settings"], Scope(teams=frozenset({"General 1"}))) or ())
    plan = written["quinn"].get("/api/v1/qa/sample", params={"per_agent": 1, "seed": 5}).json()
    outside = next(p for p in plan["picks"] if p["agent"] not in team)
    r = _evaluate(written["sam"], outside["contact_id"])
    assert r.status_code == 403 and "not one of your agents" in _errors(r.text)["contact"]
    picks = written["sam"].get("/api/v1/qa/sample", params={"per_agent": 1}).json()["picks"]
    assert picks and {p["agent"] for p in picks} <= team


# -- the agent's side, the decision ------------------------------------------------------


def _new_evaluation(written, agent: str, index: int) -> tuple[str, list[str]]:
    qa = written["quinn"]
    contact = _picks(qa, agent)[index]
    items = list(_form_items(qa.get("/quality/evaluate").text))
    r = _evaluate(qa, contact, {items[0]: "no"})
    assert r.status_code == 303, r.text[:500]
    return r.headers["location"].split("/")[-1].split("?")[0], items


def test_dispute_accepted_rescored_both_revisions_kept(written):
    eid, items = _new_evaluation(written, CARLA, 2)
    carla, qa = written["carla"], written["quinn"]
    page = carla.get(f"/quality/evaluations/{eid}").text
    assert 'id="acknowledge"' in page and f'name="reason_{items[0]}"' in page
    # only the agent of the evaluation disputes it: not Paul, not the QA lead
    for who in ("paul", "quinn"):
        c = written[who]
        token = csrf_of(c.get("/quality").text)
        r = c.post(
            f"/quality/evaluations/{eid}/dispute",
            data={"csrf_token": token, f"reason_{items[0]}": "mine"},
        )
        assert r.status_code in (400, 403), who
    # no reason given: one line, nothing changes
    r = carla.post(f"/quality/evaluations/{eid}/dispute", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 400 and "write a reason" in _errors(r.text)["items"]
    data = {
        "csrf_token": csrf_of(page),
        f"reason_{items[0]}": "I did greet at 0:04",
        f"reason_{items[1]}": "it was reliable",
    }
    r = carla.post(f"/quality/evaluations/{eid}/dispute", data=data, follow_redirects=False)
    assert r.status_code == 303
    before = qa.get(f"/api/v1/qa/evaluations/{eid}").json()
    assert before["status"] == "disputed"
    assert {d["item"]: d["reason"] for d in before["disputes"]} == {
        items[0]: "I did greet at 0:04",
        items[1]: "it was reliable",
    }
    waiting = qa.get("/api/v1/qa/disputes").json()
    assert {d["item"] for d in waiting if d["evaluation_id"] == eid} == {items[0], items[1]}
    assert eid in qa.get("/quality").text  # the waiting disputes on the list page
    # the agent may not decide
    r = carla.post(
        f"/quality/evaluations/{eid}/decide",
        data={"csrf_token": csrf_of(page), "item": items[0], "decision": "accept", "answer": "yes"},
    )
    assert r.status_code == 403
    # accepting without the corrected answer: one line beside the disputes
    page = qa.get(f"/quality/evaluations/{eid}").text
    assert 'name="decision" value="accept"' in page
    r = qa.post(
        f"/quality/evaluations/{eid}/decide",
        data={"csrf_token": csrf_of(page), "item": items[0], "decision": "accept"},
    )
    assert r.status_code == 400 and "corrected answer" in _errors(r.text)["answer"]
    r = qa.post(
        f"/quality/evaluations/{eid}/decide",
        data={
            "csrf_token": csrf_of(page),
            "item": items[0],
            "decision": "accept",
            "answer": "yes",
            "note": "heard it",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = qa.get(f"/api/v1/qa/evaluations/{eid}").json()
    assert after["revision"] == after["revisions"] == 2 and after["status"] == "disputed"
    assert after["score"] > before["score"]
    first = qa.get(f"/api/v1/qa/evaluations/{eid}", params={"revision": 1}).json()
    assert first["score"] == before["score"] and first["revision"] == 1
    r = qa.post(
        f"/quality/evaluations/{eid}/decide",
        data={"csrf_token": csrf_of(page), "item": items[1], "decision": "reject", "note": "no"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    done = qa.get(f"/api/v1/qa/evaluations/{eid}").json()
    assert done["status"] == "resolved" and done["score"] == after["score"]
    actions = [h["action"] for h in done["history"]]
    assert actions[-4:] == ["disputed", "accepted", "rejected", "resolved"]
    page = carla.get(f"/quality/evaluations/{eid}").text
    assert "accepted" in page and "rejected" in page and "heard it" in page
    assert f'href="/quality/evaluations/{eid}?revision=1"' in page
    old = carla.get(f"/quality/evaluations/{eid}", params={"revision": 1}).text
    assert "This is revision 1" in old


def test_acknowledge(written):
    eid, _ = _new_evaluation(written, CARLA, 3)
    carla = written["carla"]
    page = carla.get(f"/quality/evaluations/{eid}").text
    r = carla.post(
        f"/quality/evaluations/{eid}/acknowledge",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert carla.get(f"/api/v1/qa/evaluations/{eid}").json()["status"] == "acknowledged"
    page = carla.get(f"/quality/evaluations/{eid}").text
    assert 'id="acknowledge"' not in page  # nothing left to do
    r = carla.post(f"/quality/evaluations/{eid}/acknowledge", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 400 and "only an open evaluation" in r.text


def test_evaluate_api(written):
    ada = written["ada"]
    contact, other = _picks(written["quinn"], PAUL)[1:3]
    page = ada.get("/quality/evaluate").text
    answers = {i: _best(c) for i, c in _form_items(page).items()}
    token = csrf_of(page)
    r = ada.post(
        "/api/v1/qa/evaluations",
        json={"contact_id": contact, "answers": answers},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    assert r.json()["score"] == 100.0 and r.json()["evaluator"] == "ada"
    bad = {**answers, next(iter(answers)): "maybe"}
    r = ada.post(
        "/api/v1/qa/evaluations",
        json={"contact_id": other, "answers": bad},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 400 and r.json()["field"] == "answers"


# -- sampling, calibration, scorecards ---------------------------------------------------


def test_sampling_plan_page_reproducible_with_coverage(clients):
    qa = clients["qa"]
    params = {"per_agent": 3, "seed": 7}
    one = qa.get("/api/v1/qa/sample", params=params).json()
    two = qa.get("/api/v1/qa/sample", params=params).json()
    assert one["picks"] == two["picks"] and one["per_agent"] == 3 and one["seed"] == 7
    per = {}
    for p in one["picks"]:
        per[(p["agent"], p["period"])] = per.get((p["agent"], p["period"]), 0) + 1
    assert per and max(per.values()) <= 3
    for c in one["coverage"]:
        assert c["sampled"] == per.get((c["agent"], c["period"]), 0)
        assert c["short"] == max(0, c["quota"] - c["evaluated"] - c["sampled"])
    other = qa.get("/api/v1/qa/sample", params={**params, "seed": 8}).json()
    assert other["picks"] != one["picks"]
    page = qa.get("/quality/sample", params=params).text
    assert page.count("/quality/evaluate?contact=") == len(one["picks"])
    assert 'id="coverage"' in page and 'id="short"' in page
    body = qa.get("/quality/sample/export", params={**params, "format": "csv"}).text
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r.get("contact_id")]
    assert [r["contact_id"] for r in rows] == [p["contact_id"] for p in one["picks"]]
    r = qa.get("/quality/sample", params={"per_agent": 0})
    assert r.status_code == 422
    # every stratum box unticked (the form still sends its empty one): no strata
    page = qa.get("/quality/sample", params={"per_agent": 2, "strata": ""}).text
    assert "stratified by" not in page and 'value="queue" checked' not in page
    plain = qa.get("/api/v1/qa/sample", params={"per_agent": 2, "strata": ""}).json()
    assert plain["strata"] == []


def test_calibration_page(written, clients):
    # nobody has evaluated a contact twice in the shared center: the page says so
    page = clients["qa"].get("/quality/calibration").text
    assert 'id="calibration-none"' in page and "two or more evaluators" in page
    # quinn and ada evaluate the same contacts of Paul's, differently
    qa, ada = written["quinn"], written["ada"]
    contacts = _picks(qa, PAUL, 6)[2:6]
    items = list(_form_items(qa.get("/quality/evaluate").text))
    for n, contact in enumerate(contacts):
        for client, change in ((qa, {}), (ada, {items[n]: "no"})):
            r = _evaluate(client, contact, change)
            assert r.status_code in (303, 400), r.text[:300]
            if r.status_code == 400:  # evaluated already by an earlier test
                assert "evaluated contact" in r.text
    j = qa.get("/api/v1/qa/calibration", params={"form": "default"}).json()
    assert j["alpha_nominal"] is not None and j["alpha_nominal"] < 1
    assert {e["evaluator"] for e in j["evaluators"]} >= {"quinn", "ada"}
    page = qa.get("/quality/calibration", params={"form": "default", "expert": "quinn"}).text
    assert 'id="alphas"' in page and 'id="evaluators"' in page and "the expert quinn" in page
    body = qa.get("/quality/calibration/export", params={"form": "default", "format": "csv"}).text
    evaluators = {r["evaluator"] for r in csv.DictReader(io.StringIO(body)) if r.get("evaluator")}
    assert {"quinn", "ada"} <= evaluators


def test_scorecard_page(clients):
    qa = clients["qa"]
    j = qa.get("/api/v1/qa/scorecard").json()
    agents = {ln["agent"] for ln in j["lines"]}
    assert len(agents) > 2 and j["ranking"]
    assert {ln["status"] for ln in j["lines"]} <= {"green", "amber", "red", None}
    page = qa.get("/quality/scorecard").text
    assert 'id="scorecards"' in page and 'id="ranking"' in page
    for a in agents:
        assert f'<td class="">{a}</td>' in page
    team = qa.get("/api/v1/qa/scorecard", params={"team": "General 1"}).json()["lines"]
    assert team and {ln["team"] for ln in team} == {"General 1"}
    r = qa.get("/quality/scorecard", params={"team": "Nowhere"})
    assert r.status_code == 400 and "no agent is in team 'Nowhere'" in unescape(r.text)
    r = qa.get("/quality/scorecard", params={"from": "31/01/2026"})
    assert r.status_code == 400 and "is not a day" in r.text


def _low(client) -> dict[str, str]:
    """The lowest answer to the first ten items: a score below the coaching mark."""
    choices = _form_items(client.get("/quality/evaluate").text)
    return {i: ("no" if "no" in c else c[0]) for i, c in list(choices.items())[:10]}


def test_coaching_opened_by_a_low_evaluation_closed_with_a_note(written):
    qa, sam = written["quinn"], written["sam"]
    contact = _picks(qa, CARLA)[0]
    r = _evaluate(qa, contact, _low(qa))
    assert r.status_code == 303
    eid = r.headers["location"].split("/")[-1].split("?")[0]
    assert "coaching task" in qa.get(r.headers["location"]).text
    tasks = [t for t in sam.get("/api/v1/qa/coaching").json() if t["evaluation_id"] == eid]
    assert len(tasks) == 1 and tasks[0]["team"] == "General 1" and "below 70" in tasks[0]["reason"]
    task = tasks[0]["task_id"]
    page = sam.get("/quality/coaching").text
    assert f'data-task="{task}"' in page
    # no note: one line, still open
    r = sam.post("/quality/coaching/close", data={"csrf_token": csrf_of(page), "task": task})
    assert r.status_code == 400 and "say what was done" in _errors(r.text)["note"]
    r = sam.post(
        "/quality/coaching/close",
        data={"csrf_token": csrf_of(page), "task": task, "note": "listened to the call together"},
    )
    assert r.status_code == 200 and 'id="closed"' in r.text
    assert task not in {t["task_id"] for t in sam.get("/api/v1/qa/coaching").json()}
    closed = [t for t in sam.get("/api/v1/qa/coaching?all=1").json() if t["task_id"] == task]
    assert closed[0]["note"] == "listened to the call together" and closed[0]["closed_by"] == "sam"


def test_a_supervisor_closes_only_their_teams_tasks(written):
    from callscope.access.roles import Scope
    from callscope.services.quality import scope_agents

    qa, sam = written["quinn"], written["sam"]
    team = set(scope_agents(written["settings"], Scope(teams=frozenset({"General 1"}))) or ())
    plan = qa.get("/api/v1/qa/sample", params={"per_agent": 1, "seed": 9}).json()
    outside = next(p for p in plan["picks"] if p["agent"] not in team)
    r = _evaluate(qa, outside["contact_id"], _low(qa))
    assert r.status_code == 303
    eid = r.headers["location"].split("/")[-1].split("?")[0]
    task = next(t for t in qa.get("/api/v1/qa/coaching").json() if t["evaluation_id"] == eid)
    assert task["task_id"] not in {t["task_id"] for t in sam.get("/api/v1/qa/coaching").json()}
    token = csrf_of(sam.get("/quality/coaching").text)
    r = sam.post(
        "/quality/coaching/close",
        data={"csrf_token": token, "task": task["task_id"], "note": "done"},
    )
    assert r.status_code == 403 and "of your teams" in _errors(r.text)["task"]
    assert task["task_id"] in {t["task_id"] for t in qa.get("/api/v1/qa/coaching").json()}


def test_forms_page_and_yaml(clients):
    agent = clients["agent"]
    page = agent.get("/quality/forms").text
    assert 'id="form-items"' in page and page.count('<tr class="section">') == 4
    r = agent.get("/quality/forms/yaml")
    assert r.status_code == 200 and r.text.startswith("# default v1")
    assert 'filename="default-v1.yaml"' in r.headers["content-disposition"]
    r = agent.get("/quality/forms", params={"name": "nope"})
    assert r.status_code == 400 and "no form named 'nope'" in _errors(r.text)["form"]


def test_surveys_scoped_with_intervals(clients):
    every = clients["qa"].get("/api/v1/qa/surveys").json()
    assert len({r["agent"] for r in every}) > 2
    mine = clients["agent"].get("/api/v1/qa/surveys").json()
    assert mine and {r["agent"] for r in mine} == {CARLA}
    assert [r for r in every if r["agent"] == CARLA] == mine
    csat = next(r for r in mine if r["measure"] == "csat")
    assert csat["ci_low"] < csat["value"] < csat["ci_high"] and csat["method"] == "wilson"
    page = clients["agent"].get("/quality/surveys").text
    assert f"{100 * csat['value']:.1f} %" in page and PAUL not in page
    r = clients["qa"].get("/quality/surveys", params={"by": "colour"})
    assert r.status_code == 400 and "cannot group surveys by 'colour'" in _errors(r.text)["by"]
    body = clients["agent"].get("/quality/surveys/export?format=csv").text
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r.get("agent")]
    assert {r["agent"] for r in rows} == {CARLA}


def test_a_changed_form_is_a_new_version(written):
    qa, carla = written["quinn"], written["carla"]
    page = qa.get("/quality/forms").text
    assert 'name="yaml"' in page and 'name="yaml"' not in carla.get("/quality/forms").text
    body = qa.get("/quality/forms/yaml").text
    token = csrf_of(page)
    r = qa.post("/quality/forms", data={"csrf_token": token, "yaml": body})
    assert r.status_code == 200 and 'id="added"' in r.text
    first = {(f["name"], f["version"]) for f in qa.get("/api/v1/qa/forms").json()}
    assert ("default", 1) in first
    # the same again: unchanged; a weight changed: version 2
    r = qa.post("/quality/forms", data={"csrf_token": token, "yaml": body})
    assert "Unchanged" in r.text
    changed = body.replace("weight: 25.0", "weight: 40.0", 1)
    assert changed != body
    r = qa.post("/quality/forms", data={"csrf_token": token, "yaml": changed})
    assert r.status_code == 200 and "default v2" in r.text
    assert ("default", 2) in {(f["name"], f["version"]) for f in qa.get("/api/v1/qa/forms").json()}
    # a weight that is not a number: one line beside the text box, nothing stored
    bad = body.replace("weight: 25.0", "weight: heavy", 1)
    r = qa.post("/quality/forms", data={"csrf_token": token, "yaml": bad})
    assert r.status_code == 400 and "positive number" in _errors(r.text)["form"]
    assert len(qa.get("/api/v1/qa/forms").json()) == 2
    r = carla.post("/quality/forms", data={"csrf_token": csrf_of(page), "yaml": body})
    assert r.status_code == 403


def test_the_agent_side_and_the_decision_through_the_api(written, center):
    """Scripts with a token (no CSRF): Ada evaluates, Carla disputes, Paul may not, Ada
    rejects the dispute."""
    app = written["app"]

    def bearer(name: str) -> TestClient:
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {center.tokens[name]}"
        return c

    ada, carla, paul = bearer("ada"), bearer("carla"), bearer("paul")
    contact = _picks(ada, CARLA)[0]
    answers = {
        i: _best(c) for i, c in _form_items(written["quinn"].get("/quality/evaluate").text).items()
    }
    r = ada.post("/api/v1/qa/evaluations", json={"contact_id": contact, "answers": answers})
    assert r.status_code == 200, r.text
    eid = r.json()["evaluation_id"]
    item = next(iter(answers))
    url = f"/api/v1/qa/evaluations/{eid}"
    r = paul.post(url + "/dispute", json={"items": {item: "not mine but"}})
    assert r.status_code == 400 and "another agent" in r.json()["error"]
    r = carla.post(url + "/dispute", json={"items": {}})
    assert r.status_code == 400
    r = carla.post(url + "/dispute", json={"items": {item: "it was fine"}})
    assert r.status_code == 200 and r.json()["status"] == "disputed"
    assert carla.post(url + "/decide", json={"item": item, "accept": False}).status_code == 403
    r = ada.post(url + "/decide", json={"item": item, "accept": False, "note": "heard it"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert r.json()["revision"] == 1 and r.json()["disputes"][0]["decision"] == "rejected"
    r = carla.post(url + "/acknowledge")
    assert r.status_code == 400 and "only an open evaluation" in r.json()["error"]
