"""The Workforce page in Debian's Chromium through Playwright, against `callscope serve`
on a copy of the demo center: an analyst runs a forecast from the page, watches its
progress line to done, and sees the forecast's chart with its band and the capacity
plan; then a plan with a stricter goal, a form mistake next to its field, the
schedule page and a roster of one team built and saved from it. Screenshots go to tests/web/artefacts/workforce-*.png."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from test_workforce_pages import SHIFTS
from webtools import ARTEFACTS, PASSWORD, served

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def server(center, tmp_path_factory):
    """`callscope serve` on a copy of the center (a forecast run here writes to it)."""
    root = tmp_path_factory.mktemp("workforce-browser")
    db = root / "center.duckdb"
    shutil.copy(center.db, db)
    with served(db, "w" * 40, cwd=root) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"workforce-{name}.png"), full_page=True)


def test_an_analyst_runs_a_forecast_and_watches_it(server, browser, tmp_path):
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/workforce")
    assert "/login" in page.url
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workforce")
    assert page.locator("#no-forecast").is_visible()
    _shot(page, "00-no-forecast")

    # a mistake first: the service's line next to the field, nothing started
    page.fill("#forecast-form input[name=horizon]", "abc")
    page.click("#forecast-form button[type=submit]")
    err = page.locator('#forecast-form p.error[data-field="horizon_s"]')
    assert "'abc'" in err.inner_text()
    _shot(page, "01-form-mistake")
    errors.clear()  # the refused form's 400, said on the console

    # the forecast: progress line, polled to done, then the page shows it
    page.fill("#forecast-form input[name=horizon]", "2d")
    page.fill("#forecast-form input[name=interval]", "30m")
    page.click("#forecast-form button[type=submit]")
    page.wait_for_url("**/workforce?job=*")
    progress = page.locator("#wf-progress")
    assert progress.is_visible()
    seen = [progress.inner_text()]
    _shot(page, "02-progress")
    deadline = time.monotonic() + 120
    while "done:" not in seen[-1] and "failed:" not in seen[-1]:
        assert time.monotonic() < deadline, seen
        page.wait_for_timeout(150)
        seen.append(progress.inner_text())
    assert "done: forecast " in seen[-1], seen
    # it was watched while it ran: the steps in words, with the seconds so far
    assert any("fitting a model" in s or "reading the history" in s for s in seen), seen
    _shot(page, "03-done")
    page.wait_for_url(server + "/workforce")  # the page opens the result by itself
    page.wait_for_selector("#forecast-chart canvas")
    page.wait_for_selector("#plan-chart canvas")
    fid = page.locator("#forecast-id").inner_text()
    assert fid in seen[-1]
    assert page.locator("#forecast-series tbody tr").count() >= 2
    assert page.locator("#plan-days tbody tr").count() == 2
    legend = page.locator("#forecast-chart .u-legend").inner_text()
    assert "Forecast contacts" in legend and "Low" in legend and "High" in legend
    _shot(page, "04-forecast-and-plan")

    # a stricter plan from its form
    page.fill("#plan-form input[name=target]", "90/20")
    page.fill("#plan-form input[name=shrinkage]", "35%")
    page.click("#plan-form button[type=submit]")
    page.wait_for_url("**/workforce?plan=*", timeout=60_000)
    page.wait_for_selector("#plan-chart canvas")
    assert "shrinkage 35 %" in page.locator("#plan-source").inner_text()
    _shot(page, "05-plan-90-20")

    page.goto(server + "/workforce/schedule")
    page.wait_for_selector("#adherence")
    assert page.locator("#schedules tbody tr").count() > 20
    _shot(page, "06-schedule")

    # a roster of one team on that plan, saved: its days' schedules show
    shifts = tmp_path / "shifts.toml"
    shifts.write_text(SHIFTS)
    page.set_input_files("#roster-form input[name=shifts]", str(shifts))
    page.fill("#roster-form input[name=team]", "Email 1")
    page.fill("#roster-form input[name=time_limit]", "5s")
    page.click("#roster-form button[type=submit]")
    page.wait_for_url("**/workforce/schedule?from=2026-01-19&to=2026-01-20", timeout=120_000)
    page.wait_for_selector("#schedules")
    teams = page.locator("#schedules tbody tr td:nth-child(2)").all_inner_texts()
    assert teams and set(teams) == {"Email 1"}
    _shot(page, "09-roster-saved")
    assert not errors, errors


def test_an_agent_sees_their_own_schedule_only(server, browser):
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/workforce/schedule")
    page.fill("input[name=name]", "carla")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/workforce/schedule")
    page.wait_for_selector("#adherence")
    agents = page.locator("#schedules tbody tr").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-agent'))"
    )
    assert agents == ["Agent/1001"]
    assert page.locator("#adherence tbody tr").count() == 1
    assert "schedules of agent Agent/1001 only" in page.inner_text("main")
    assert page.locator("#forecast-form").count() == 0
    _shot(page, "07-agent-schedule")
    page.goto(server + "/workforce")
    assert page.locator("#forecast-form").count() == 0
    _shot(page, "08-agent-workforce")
    assert not errors, errors
