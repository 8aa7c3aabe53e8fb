"""``callscope report``: the Overview (with its table by queue), Service and Agents pages
of one period as one self-contained HTML file.

The figures come from the same service calls as the pages
(:func:`~callscope.services.dashboard.overview`,
:func:`~callscope.services.dashboard.service_view`,
:func:`~callscope.services.dashboard.agents_view`) and are drawn by the pages' own
templates, so the report and the pages show the same numbers for the same period and
filters. Only the frame differs: the pages' layout and filter form are swapped for a
static header (``base.html`` and ``_filters.html`` are replaced in the report's template
loader), the stylesheets and the chart code (uPlot, vendored, and the pages' script) are
inlined, and links into the server (downloads, an agent's page) become plain text. The
file loads nothing: it opens offline from ``file://``.

The report is everyone's figures (the scope of an admin); the period and filters are
those of the pages (``period``, ``from``, ``to``, ``channel``, ``queue``, ``team``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from callscope.access.roles import Principal
from callscope.services import dashboard as d
from callscope.services.common import check_output_file
from callscope.settings import Settings
from callscope.web.deps import json_script, make_view_request

__all__ = ["ReportFile", "render_report", "write_report"]

HERE = Path(__file__).parent
#: The report's stand-ins for the pages' frame: no navigation, no filter form.
_FRAME = {
    "base.html": "{% block content %}{% endblock %}",
    "_filters.html": (
        '<p class="period"><strong>{{ view.period.label }}</strong>'
        "{% if view.scope != 'every agent' %}"
        '<span class="scope"> · figures of {{ view.scope }} only</span>{% endif %}'
        '{% if filters %}<span class="muted"> · {{ filters }}</span>{% endif %}</p>'
    ),
}
_SECTIONS = (
    ("overview", "Overview", "overview.html"),
    ("service", "Service", "service.html"),
    ("agents", "Agents", "agents.html"),
)
_LINK = re.compile(r'<a\s+(?:class="[^"]*"\s+)?href="/[^"]*">(.*?)</a>', re.S)


@dataclass(frozen=True, slots=True)
class ReportFile:
    path: Path
    bytes: int
    period: str  #: the period's label, as the pages say it


def _environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader(_FRAME), jinja2.FileSystemLoader(str(HERE / "templates"))]
    )
    return jinja2.Environment(loader=loader, autoescape=True)


def _inline_script(text: str) -> str:
    """Script text safe inside ``<script>``; uPlot's banner keeps its notice, without
    the scheme of its address."""
    return text.replace("https://github.com/", "github.com/").replace("</script", "<\\/script")


def render_report(
    settings: Settings,
    now: datetime,
    *,
    period: str | None = None,
    first: str | None = None,
    last: str | None = None,
    channels: tuple[str, ...] = (),
    queues: tuple[str, ...] = (),
    teams: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The report's HTML and its period's label. ``period``, ``first``/``last`` (days
    ``YYYY-MM-DD``, both included) and the filters read as the pages' query."""
    from callscope.web.routes.views import agents_extra, page_context, service_extra

    everyone = Principal("callscope report", "admin")
    filters = {"channel": list(channels), "queue": list(queues), "team": list(teams)}
    req = make_view_request(period, first, last, filters, everyone)
    overview = d.overview(settings, req, now)
    service = d.service_view(settings, req, now)
    agents = d.agents_view(settings, req, now)
    views: dict[str, Any] = {"overview": overview, "service": service, "agents": agents}
    options = d.filter_options(settings, req.scope)
    extra = {"overview": {}, "service": service_extra(service), "agents": agents_extra(agents)}
    said = "; ".join(f"{name}: {', '.join(vals)}" for name, vals in filters.items() if vals)
    env = _environment()
    sections = []
    for key, title, template in _SECTIONS:
        ctx = page_context(title, views[key], options, req, "", **extra[key])
        ctx.update({"json_script": json_script, "filters": said, "path": f"/{key}"})
        html = env.get_template(template).render(ctx)
        sections.append((key, title, _LINK.sub(r"\1", html)))
    static = HERE / "static"
    label = overview.period.label
    page = env.get_template("report.html").render(
        {
            "label": label,
            "filters": said,
            "made": now.strftime("%Y-%m-%d %H:%M"),
            "sections": sections,
            "css": (static / "vendor/uplot/uPlot.min.css").read_text(encoding="utf-8")
            + "\n"
            + (static / "app.css").read_text(encoding="utf-8"),
            "scripts": [
                _inline_script((static / name).read_text(encoding="utf-8"))
                for name in ("vendor/uplot/uPlot.iife.min.js", "app.js")
            ],
        }
    )
    return page, label


def write_report(settings: Settings, output: Path, now: datetime, **view: Any) -> ReportFile:
    """:func:`render_report` written to ``output`` (an ``.html`` file)."""
    check_output_file(output, "output", (".html", ".htm"))
    html, label = render_report(settings, now, **view)
    output.write_text(html, encoding="utf-8")
    return ReportFile(output, len(html.encode("utf-8")), label)
