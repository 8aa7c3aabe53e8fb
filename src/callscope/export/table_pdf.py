"""Tables as a PDF, one titled table per page, drawn with matplotlib's object API
(:class:`matplotlib.figure.Figure` and ``PdfPages``; no ``pyplot``, no global state), so
a scorecard or a report table can be printed or mailed as it is."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["tables_pdf"]

#: One page: its title, the column headers and the rows (cells as text).
Page = tuple[str, Sequence[str], Sequence[Sequence[str]]]


def tables_pdf(pages: Sequence[Page], path: Path, *, rows_per_page: int = 28) -> Path:
    """Write ``pages`` to ``path`` (A4 landscape); a table longer than
    ``rows_per_page`` continues on the next page under the same title."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    path = Path(path)
    with PdfPages(path) as pdf:
        for title, header, rows in pages or [("(nothing to show)", [""], [])]:
            chunks = [rows[i : i + rows_per_page] for i in range(0, len(rows), rows_per_page)]
            for n, chunk in enumerate(chunks or [[]], start=1):
                fig = Figure(figsize=(11.69, 8.27))
                ax = fig.add_axes((0.03, 0.03, 0.94, 0.88))
                ax.axis("off")
                more = f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""
                fig.suptitle(title + more, x=0.03, ha="left", fontsize=12)
                if chunk:
                    # column widths in proportion to their longest text, summing to the
                    # page width, so a wide table shrinks instead of running off the page
                    chars = [
                        max([len(str(h)), *(len(str(r[i])) for r in chunk)]) + 2
                        for i, h in enumerate(header)
                    ]
                    table = ax.table(
                        cellText=[list(r) for r in chunk],
                        colLabels=list(header),
                        colWidths=[c / sum(chars) for c in chars],
                        loc="upper left",
                        cellLoc="left",
                        colLoc="left",
                    )
                    table.auto_set_font_size(False)
                    table.set_fontsize(max(4.5, min(9.0, 900 / sum(chars))))
                    table.scale(1.0, 1.5)
                    for (r, _), cell in table.get_celld().items():
                        if r == 0:
                            cell.set_text_props(fontweight="bold")
                            cell.set_facecolor("#eeeeee")
                pdf.savefig(fig)
    return path
