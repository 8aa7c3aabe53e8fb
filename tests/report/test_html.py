"""The HTML report: built from a random center, checked as text and in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from builders import make_store
from randomdata import random_tables

from callscope.kpi import duckdb_source
from callscope.kpi.targets import Targets
from callscope.report import build_report

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    store = make_store(d / "r.duckdb", **random_tables(np.random.default_rng(11)))
    html = build_report(duckdb_source(store), targets=Targets(service_level=0.8))
    store.close()
    path = d / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_self_contained(report_file):
    html = report_file.read_text()
    assert html.count("<svg") == 4  # volume+SL, abandonment, AHT, schedule timeline
    assert not re.search(r"""(src|href)=["']https?://""", html)  # nothing fetched
    assert "service level variant <b>offered</b>" in html
    assert html.count('class="agent"') == 4  # a1..a4
    assert "Total" in html


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_renders_in_chromium(report_file, tmp_path):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report_file.as_uri())
        assert page.locator("section.chart svg").count() == 4
        box = page.locator("section.chart svg").first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        assert page.locator("section.chart svg path").count() > 10  # drawn bars/lines
        assert page.locator("#agents tr.agent").count() == 4
        assert page.locator("#agents tr.total td").first.inner_text() == "Total"
        assert page.locator("#headline .tile[data-kpi=service_level]").count() == 1
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert not errors
    from PIL import Image

    img = Image.open(shot).convert("L")
    lo, hi = img.getextrema()
    assert hi - lo > 100  # not a blank page
    assert len(set(img.resize((64, 64)).getdata())) > 20
