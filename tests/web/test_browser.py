"""In Debian's Chromium through Playwright, against `callscope serve` started here on a
free port of 127.0.0.1: sign in; the overview's figures are `callscope kpi`'s (run while
the server runs); an upload with a bad row loads in the background and links to the reject with its line; an agent sees
only their own row; a form post without the CSRF token is refused. A screenshot of every
page goes to tests/web/artefacts/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
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
WEEK = "from=2026-01-12&to=2026-01-18&period=custom"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def server(center):
    with served(center.db, "s" * 40) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _page(browser, errors: list[str]):
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _sign_in(page, url: str, name: str) -> None:
    page.goto(url + "/overview")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/overview")


def _shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def test_admin_pages_figures_and_upload(server, browser, center):
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto(server + "/login")
    _shot(page, "00-login")
    _sign_in(page, server, "ada")

    # the overview's figures are `callscope kpi`'s for the same days (run while the
    # server runs: both use the store)
    page.goto(f"{server}/overview?{WEEK}")
    page.wait_for_selector("section.channel")
    _shot(page, "01-overview")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "callscope",
            "kpi",
            "--by",
            "channel",
            "--from",
            "2026-01-12",
            "--to",
            "2026-01-19",
            "--format",
            "json",
            "--db",
            str(center.db),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    from callscope.services.kpi import format_kpi

    for row in json.loads(out):
        for kpi in ("offered", "answered", "service_level", "asa_s", "abandon_rate", "aht_s"):
            tile = page.locator(
                f'section[data-channel="{row["channel"]}"] .tile[data-kpi="{kpi}"] .value'
            )
            assert tile.inner_text() == format_kpi(kpi, row[kpi]), (row["channel"], kpi)
    assert page.locator(".tile .word").first.inner_text() in ("met", "near", "missed")

    for path, name, ready in (
        (f"/service?{WEEK}", "02-service", ".chart canvas"),
        (f"/agents?{WEEK}", "03-agents", "#agents tr.total"),
        ("/settings", "05-settings", "#settings-form"),
        ("/users", "06-users", "#users"),
        ("/audit", "07-audit", "#audit"),
    ):
        page.goto(server + path)
        page.wait_for_selector(ready)
        _shot(page, name)
    page.goto(f"{server}/service?{WEEK}")
    assert page.locator(".chart canvas").count() >= 6

    # sorting the agents table by a column keeps the total last
    page.goto(f"{server}/agents?{WEEK}")
    page.click("#agents thead th:nth-child(2)")
    page.click("#agents thead th:nth-child(2)")
    first = page.locator("#agents tbody tr").first.locator("td").nth(1).get_attribute("data-v")
    values = [
        float(v or "-inf")
        for v in page.locator("#agents tbody tr td:nth-child(2)").evaluate_all(
            "els => els.map(e => e.getAttribute('data-v'))"
        )
    ]
    assert float(first or 0) == max(values)
    assert page.locator("#agents tfoot td").first.inner_text() == "Total"

    # an upload with a bad row: the reject and its line on the page
    lines = (center.db.parent / "sample" / "contact_records.jsonl").read_text().splitlines()[:6]
    lines.insert(3, '{"ContactId": "broken", "InitiationTimestamp": "not a time"')
    upload = center.db.parent / "ctr-bad-row.jsonl"
    upload.write_text("\n".join(lines) + "\n")
    page.goto(server + "/data")
    page.set_input_files("input[name=file]", str(upload))
    page.select_option("select[name=format]", "amazon-connect")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("#upload-progress.done")
    _shot(page, "04-data-upload")
    page.click("#upload-rejects-link")
    page.wait_for_selector("#rejects-table")
    row = page.locator("#rejects-table tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "ctr-bad-row.jsonl"
    assert row.locator("td").nth(1).inner_text() == "4"
    assert row.locator("td").nth(2).inner_text().startswith("not valid JSON")

    assert not errors, errors
    # a form post without its CSRF token is refused
    status = page.evaluate(
        """async () => (await fetch('/users', {method: 'POST',
              headers: {'Content-Type': 'application/x-www-form-urlencoded'},
              body: 'name=mallory&role=admin'})).status"""
    )
    assert status == 403
    page.close()


def test_an_agent_sees_only_their_row(server, browser):
    errors: list[str] = []
    page = _page(browser, errors)
    _sign_in(page, server, "carla")
    page.goto(f"{server}/agents?{WEEK}")
    page.wait_for_selector("#agents")
    agents = page.locator("#agents tbody tr td:first-child").all_inner_texts()
    assert agents == ["Agent/1001"]
    # the KPI views first; page modules (Quality, Wallboard, ...) add their own links;
    # nothing of an admin's or analyst's
    nav = page.locator("header nav a").all_inner_texts()
    assert nav[:3] == ["Overview", "Service", "Agents"]
    assert not {"Customers", "Data", "Settings", "Users", "Audit log"} & set(nav), nav
    _shot(page, "08-agent-agents")
    page.goto(f"{server}/overview?{WEEK}")
    page.wait_for_selector("section.channel")
    _shot(page, "09-agent-overview")
    assert not errors, errors
    r = page.goto(f"{server}/api/v1/agents?{WEEK}")
    assert r is not None and [x["agent"] for x in r.json()["rows"]] == ["Agent/1001"]
    r = page.goto(f"{server}/data")
    assert r is not None and r.status == 403
    page.close()
