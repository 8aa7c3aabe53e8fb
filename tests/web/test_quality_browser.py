"""The QA program in Debian's Chromium through Playwright, against `callscope serve` on a
copy of the test center: the QA lead draws a sampling plan, evaluates one of Carla's
contacts from it (a first try with an item left out shows the error beside that item),
sees the score; Carla signs in, finds the evaluation and disputes an item; the QA lead
accepts it and the evaluation is rescored with both revisions kept. Screenshots go to
tests/web/artefacts/qa-*.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from webtools import ARTEFACTS, PASSWORD, USERS, served

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
CARLA = USERS["agent"][1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def qa_server(center, tmp_path_factory):
    """`callscope serve` on a copy of the center (the test writes evaluations)."""
    root = tmp_path_factory.mktemp("qa-browser")
    db = root / "center.duckdb"
    shutil.copy(center.db, db)
    with served(db, "q" * 40) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _signed_in(chromium, url: str, name: str, errors: list[str]):
    """A page of a fresh browser context (its own cookies) signed in as ``name``."""
    ctx = chromium.new_context(viewport={"width": 1360, "height": 900})
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/quality")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/quality")
    return page


def _shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def _items(page) -> dict[str, list[str]]:
    """item -> its answers, from the radio buttons of the evaluate page."""
    pairs = page.locator("form#evaluate input[type=radio]").evaluate_all(
        "els => els.map(e => [e.name.slice('answer_'.length), e.value])"
    )
    out: dict[str, list[str]] = {}
    for item, value in pairs:
        out.setdefault(item, []).append(value)
    return out


def test_evaluate_dispute_accept(qa_server, chromium):
    errors: list[str] = []
    qa = _signed_in(chromium, qa_server, "quinn", errors)
    _shot(qa, "qa-01-evaluations-empty")

    # the sampling plan: Carla's contacts to evaluate, with the coverage
    qa.goto(f"{qa_server}/quality/sample?per_agent=3&seed=7")
    qa.wait_for_selector("#picks")
    _shot(qa, "qa-02-sample")
    row = qa.locator("#picks tbody tr", has_text=CARLA).first
    contact = row.locator("td").nth(2).inner_text()
    row.locator("a", has_text="evaluate").click()
    qa.wait_for_selector("form#evaluate")
    assert qa.input_value("form#evaluate input[name=contact]") == contact
    items = _items(qa)
    assert len(items) >= 10
    names = list(items)

    # every item but one answered: the error beside that item, nothing stored
    for item, choices in items.items():
        if item != names[2]:
            qa.check(f"input[name=answer_{item}][value='{choices[0]}']")
    qa.fill(f"input[name=comment_{names[0]}]", "no greeting heard")
    qa.click("#submit-evaluation")
    qa.wait_for_selector(f"#item-{names[2]} .error")
    assert "has no answer" in qa.inner_text(f"#item-{names[2]} .error")
    assert qa.locator(".qa-item .error").count() == 1
    _shot(qa, "qa-03-evaluate-error")
    # that page came with HTTP 400, which Chromium logs as a console error
    assert errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    errors.clear()

    # the answers given are still checked; now answer it and every item at its best but
    # the first
    for item, choices in items.items():
        best = "yes" if "yes" in choices else max((c for c in choices if c != "na"), key=float)
        qa.check(f"input[name=answer_{item}][value='{'no' if item == names[0] else best}']")
    qa.click("#submit-evaluation")
    qa.wait_for_selector("#stored")
    _shot(qa, "qa-04-evaluation-stored")
    eid = qa.url.split("/")[-1].split("?")[0]
    j = qa.request.get(f"{qa_server}/api/v1/qa/evaluations/{eid}").json()
    assert j["contact_id"] == contact and j["agent"] == CARLA
    assert qa.inner_text("#score .value") == f"{j['score']:.1f}"
    assert 0 < j["score"] < 100
    assert "no greeting heard" in qa.inner_text(f"#item-{names[0]}")

    # Carla finds it on her list and disputes the first item
    carla = _signed_in(chromium, qa_server, "carla", errors)
    assert carla.locator("#evaluations tbody tr").count() == 1
    carla.click(f"#evaluations a[href='/quality/evaluations/{eid}']")
    carla.wait_for_selector("#items")
    _shot(carla, "qa-05-agent-evaluation")
    carla.fill(f"input[name=reason_{names[0]}]", "I did greet at 0:04")
    carla.click("form#dispute button[type=submit]")
    carla.wait_for_selector("#disputes")
    assert carla.inner_text("#status").lower() == "disputed"
    assert "I did greet at 0:04" in carla.inner_text("#disputes")
    _shot(carla, "qa-06-agent-disputed")

    # the QA lead accepts the dispute: revision 2, rescored, revision 1 kept
    qa.goto(f"{qa_server}/quality")
    assert qa.locator("#waiting tbody tr").count() == 1
    qa.click(f"#waiting a[href='/quality/evaluations/{eid}']")
    qa.select_option(f"#disputes tr[data-item={names[0]}] select[name=answer]", "yes")
    qa.fill(f"#disputes tr[data-item={names[0]}] input[name=note]", "heard it on the recording")
    qa.click(f"#disputes tr[data-item={names[0]}] button[value=accept]")
    qa.wait_for_selector("#status.resolved")
    _shot(qa, "qa-07-dispute-accepted")
    after = qa.request.get(f"{qa_server}/api/v1/qa/evaluations/{eid}").json()
    assert after["revision"] == 2 and after["score"] > j["score"]
    assert qa.inner_text("#score .value") == f"{after['score']:.1f}"
    qa.click(f"a[href='/quality/evaluations/{eid}?revision=1']")
    qa.wait_for_selector("text=This is revision 1")
    assert qa.inner_text("#score .value") == f"{j['score']:.1f}"

    # ada evaluates the same contact (two answers differ): calibration has two evaluators
    ada = _signed_in(chromium, qa_server, "ada", errors)
    ada.goto(f"{qa_server}/quality/evaluate")
    token = ada.input_value("form#evaluate input[name=csrf_token]")
    answers = {i: ("yes" if "yes" in c else "4") for i, c in items.items()}
    answers[names[1]] = "no"
    r = ada.request.post(
        f"{qa_server}/api/v1/qa/evaluations",
        data={"contact_id": contact, "answers": answers},
        headers={"X-CSRF-Token": token},
    )
    assert r.ok, r.text()

    # the other pages, for the record
    for path, name, ready in (
        ("/quality/calibration", "qa-08-calibration", "#alphas"),
        ("/quality/scorecard", "qa-09-scorecards", "#scorecards"),
        ("/quality", "qa-11-evaluations", "#evaluations"),
        ("/quality/coaching", "qa-12-coaching", "h1"),
        ("/quality/surveys", "qa-13-surveys", "#surveys"),
        ("/quality/forms", "qa-14-forms", "#form-items"),
    ):
        qa.goto(qa_server + path)
        qa.wait_for_selector(ready)
        _shot(qa, name)
    carla.goto(qa_server + "/quality/scorecard")
    carla.wait_for_selector("#scorecards")
    _shot(carla, "qa-10-agent-scorecard")
    assert not errors, errors
