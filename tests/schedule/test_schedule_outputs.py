"""What people look at: the coverage chart, the per-agent timeline chart, the
schedule's activities and the service's tables."""

from __future__ import annotations

from pathlib import Path

from callscope.export.charts import coverage_svg, timeline_svg
from callscope.services.scheduling import CoverRequest, cover
from callscope.settings import Settings


def test_charts_are_svg_with_their_labels() -> None:
    svg = coverage_svg(["09:00", "10:00"], [3.0, 5.0], [3.0, 4.0], title="cover")
    assert svg.startswith("<svg") and "required" in svg and "short" in svg
    svg = timeline_svg([("S1", "work", 8.0, 12.0), ("S1", "break", 12.0, 12.25)])
    assert ">S1<" in svg and "break" in svg


def test_cover_service_tables(tmp_path: Path) -> None:
    need = tmp_path / "need.csv"
    need.write_text(
        "interval_start,agents\n"
        + "".join(f"{h:02d}:00,{2 if 8 <= h < 17 else 0}\n" for h in range(24))
    )
    shifts = tmp_path / "s.toml"
    shifts.write_text(
        '[[shift]]\nname = "day"\nstart = "08:00"\nlength = "9h"\ncost_per_hour = 10\n'
        'breaks = [ { name = "lunch", length = "1h", window = "4h-4h" } ]\n'
    )
    r = cover(Settings(), CoverRequest(requirement=need, shifts=shifts))
    # every shift lunches at 12:00 (a window of one start): two shifts, 12:00 left short
    assert r.schedule.column("breaks").to_pylist() == ["lunch 12:00-13:00"] * 2
    assert r.unmet == [{"interval_start": "12:00", "short": 2.0}]
    assert r.schedule.column("paid_hours").to_pylist()[0] == 8.0  # the lunch is unpaid
    acts = r.activities.to_pylist()
    first = [(a["activity"], a["start"], a["end"]) for a in acts if a["shift"] == 1]
    assert first == [
        ("work", "08:00", "12:00"),
        ("lunch", "12:00", "13:00"),
        ("work", "13:00", "17:00"),
    ]
    assert r.coverage.num_rows == 24 and r.as_dict()["counts"]["day"] == r.schedule.num_rows
