"""The Data page's upload in Debian's Chromium through Playwright, against `callscope
serve` on a copy of the demo center: an analyst loads a contact-record file with one bad
line; the progress line counts rows read / loaded / rejected, ends with the result, and
its link opens that file's rejects. Screenshots go to tests/web/artefacts/data-*.png."""

from __future__ import annotations

import re
import shutil

import pytest
from test_workforce_browser import ARGS, CHROMIUM
from webtools import ARTEFACTS, PASSWORD, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed"),
]


def test_an_analyst_uploads_and_watches_it_load(center, tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "center.duckdb"
    shutil.copy(center.db, db)
    records = (center.db.parent / "sample" / "contact_records.jsonl").read_text().splitlines()
    fresh = [r.replace('"ContactId":"', '"ContactId":"b') for r in records]
    fresh.insert(3, '{"ContactId": "broken", ')
    upload = tmp_path / "more contacts.jsonl"
    upload.write_text("\n".join(fresh) + "\n", encoding="utf-8")
    ARTEFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with served(db, "d" * 40, cwd=tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/data")
        page.fill("input[name=name]", "ana")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/data")
        page.set_input_files("input[name=file]", str(upload))
        page.select_option("select[name=format]", "amazon-connect")
        page.click("form.upload button[type=submit]")
        page.wait_for_selector("#upload-progress")
        page.screenshot(path=str(ARTEFACTS / "data-01-progress.png"), full_page=True)
        page.wait_for_selector("#upload-progress.done", timeout=60_000)
        box = page.locator("#upload-progress")
        counts = box.locator(".up-counts").inner_text()
        n = len(fresh)
        assert f"{n:,} rows read · {n - 1:,} loaded · 1 rejected" in counts
        assert "more_contacts.jsonl" in box.inner_text()
        page.screenshot(path=str(ARTEFACTS / "data-02-done.png"), full_page=True)
        page.click("#upload-rejects-link")
        page.wait_for_url(re.compile(r".*file=.*more_contacts\.jsonl.*"))
        rows = page.locator("#rejects-table tbody tr")
        assert rows.count() == 1
        assert rows.first.locator("td").nth(1).inner_text() == "4"
        page.locator("#rejects").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTEFACTS / "data-03-rejects.png"), full_page=True)
        browser.close()
    assert errors == []
