"""`callscope report` (issue 12): the Overview, Service and Agents pages of one period as
one self-contained HTML file, from the pages' own services and templates: a figure in
the report is the same figure on the page and in the API for the same period and
filters, and the file references no http(s) URL and loads nothing (opened from file://
in Chromium)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from test_workforce_browser import ARGS, CHROMIUM
from typer.testing import CliRunner
from webtools import ARTEFACTS

from callscope.cli import app as cli_app
from callscope.web.report import render_report

WEEK = {"first": "2026-01-12", "last": "2026-01-18"}
QUERY = "from=2026-01-12&to=2026-01-18"


@pytest.fixture(scope="module")
def report(center):
    html, label = render_report(center.settings, datetime.now().astimezone(), **WEEK)
    return html, label


def _tile(html: str, channel: str, kpi: str) -> tuple[str, str]:
    m = re.search(
        rf'data-channel="{channel}">.*?<div class="tile (\w+)" data-kpi="{kpi}">.*?'
        r'<div class="value">([^<]+)</div>',
        html,
        re.S,
    )
    assert m, f"no {channel} {kpi} tile"
    return m.group(1), m.group(2)


def _section(html: str, key: str) -> str:
    start = html.index(f'<section class="page" id="{key}">')
    end = html.find('<section class="page"', start + 1)
    return html[start : end if end > 0 else len(html)]


def test_the_report_shows_the_pages_figures(report, clients):
    html, label = report
    assert label == "Mon 12 Jan 2026 – Sun 18 Jan 2026"
    admin = clients["admin"]
    page = admin.get(f"/overview?{QUERY}").text
    for channel, kpi in [("voice", "service_level"), ("chat", "asa_s"), ("email", "aht_s")]:
        assert _tile(_section(html, "overview"), channel, kpi) == _tile(page, channel, kpi)
    api = admin.get(f"/api/v1/overview?{QUERY}").json()
    voice = next(r for r in api["channels"] if r["channel"] == "voice")
    sl = next(c for c in voice["cells"] if c["kpi"] == "service_level")
    assert _tile(html, "voice", "service_level") == (sl["status"], sl["text"])
    # the agents' total row and the service's days, as the API has them
    agents = admin.get(f"/api/v1/agents?{QUERY}").json()
    foot = re.search(r'<tfoot><tr class="total">(.*?)</tr></tfoot>', _section(html, "agents"), re.S)
    assert foot and f">{agents['total']['answered']:,}<" in foot.group(1).replace(" ", "")
    days = admin.get(f"/api/v1/service?{QUERY}").json()["by_day"]
    offered = sum(r["offered"] or 0 for r in days)
    service = _section(html, "service")
    cells = re.findall(
        r'<tr><td data-v="2026-01-\d\d">[^<]*</td>\s*<td class="num" data-v="([\d.]+)"', service
    )
    assert len(cells) == 7 and sum(float(v) for v in cells) == offered


def test_the_queue_filter_is_the_pages(center, clients):
    html, _ = render_report(
        center.settings, datetime.now().astimezone(), queues=("General",), **WEEK
    )
    page = clients["admin"].get(f"/overview?{QUERY}&queue=General").text
    assert re.findall(r'<tr data-queue="([^"]+)"', html) == ["General"]
    assert _tile(html, "voice", "offered") == _tile(page, "voice", "offered")
    assert "queue: General" in html


def test_the_file_loads_nothing(report):
    html, _ = report
    assert re.search(r"https?://", html) is None
    assert re.search(r"<link|<script[^>]+src=|<img|@import|url\(", html) is None
    assert re.search(r'href="(?!#)', html) is None  # in-page anchors only
    assert re.search(r"<form", html) is None


def test_the_cli_writes_it_and_says_mistakes_in_one_line(center, tmp_path):
    runner = CliRunner()
    out = tmp_path / "week.html"
    args = ["report", "--db", str(center.db), "-o", str(out), "--from", WEEK["first"]]
    r = runner.invoke(cli_app, [*args, "--to", WEEK["last"], "--queue", "General"])
    assert r.exit_code == 0, r.output
    assert "Mon 12 Jan 2026 – Sun 18 Jan 2026" in r.output
    assert re.findall(r'<tr data-queue="([^"]+)"', out.read_text()) == ["General"]
    r = runner.invoke(cli_app, [*args, "--to", "2026-01-01"])
    assert r.exit_code != 0 and "before the first day" in str(r.exception)
    late = ["--from", "9999-12-25", "--to", "9999-12-31"]  # the day after: no date
    r = runner.invoke(cli_app, ["report", "--db", str(center.db), "-o", str(out), *late])
    assert r.exit_code != 0 and "a day is from 1900-01-01 to 9998-12-31" in str(r.exception)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_it_opens_offline_in_chromium(report, tmp_path):
    from playwright.sync_api import sync_playwright

    html, _ = report
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    asked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.on("request", lambda r: asked.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector("#service .chart canvas")
        assert page.locator("#service .chart canvas").count() >= 4  # uPlot drew the charts
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "report-offline.png"), full_page=True)
        browser.close()
    assert asked == [path.as_uri()] and errors == []
