"""The Settings page in Debian's Chromium through Playwright, against `callscope serve`
on a copy of the demo center: an admin changes the voice goal and the overview's
red/amber/green follows it; a bad value is shown next to its field. Screenshots go to
tests/web/artefacts/settings-*.png."""

from __future__ import annotations

import shutil
import tomllib

import pytest
from test_workforce_browser import ARGS, CHROMIUM
from webtools import ARTEFACTS, PASSWORD, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


def _shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"settings-{name}.png"), full_page=True)


def test_an_admin_changes_a_goal_and_the_overview_follows(center, tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "center.duckdb"
    shutil.copy(center.db, db)
    errors: list[str] = []
    with served(db, "s" * 40, cwd=tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/overview")
        page.fill("input[name=name]", "ada")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/overview")
        tile = page.locator('section[data-channel=voice] .tile[data-kpi="service_level"]')
        assert "goal ≥ 80/20" in tile.inner_text()

        def set_goal(goal: str) -> None:
            page.goto(url + "/settings")
            page.fill('input[name="goals.voice"]', goal)
            page.click("#settings-form button[type=submit]")
            page.wait_for_selector("#changed, #form-errors")

        set_goal("50/24h")
        assert "goals.voice: 80/20 → 50/24h" in page.locator("#changed").inner_text()
        _shot(page, "01-saved")
        page.goto(url + "/overview")
        assert "green" in (tile.get_attribute("class") or "")
        assert "goal ≥ 50/24h" in tile.inner_text()
        _shot(page, "02-overview-green")

        set_goal("100/1")
        page.goto(url + "/overview")
        assert "red" in (tile.get_attribute("class") or "")
        assert "goal ≥ 100/1 · missed" in tile.inner_text()
        _shot(page, "03-overview-red")

        page.goto(url + "/settings")
        page.fill('input[name="targets.asa"]', "soon")
        page.click("#settings-form button[type=submit]")
        err = page.locator('p.error[data-field="targets.asa"]')
        assert "'soon' cannot be read" in err.inner_text()
        assert page.input_value('input[name="targets.asa"]') == "soon"
        err.scroll_into_view_if_needed()
        _shot(page, "04-bad-value")
        browser.close()
    saved = tomllib.loads((tmp_path / "callscope.toml").read_text(encoding="utf-8"))
    assert saved == {"goals": {"voice": "100/1"}}
    assert [e for e in errors if "400" not in e] == []
