"""The self-contained HTML report (``callscope report``)."""

from __future__ import annotations

from callscope.report.html import build_report

__all__ = ["build_report"]
