"""Display helpers shared by the terminal and the page (ui/display.py): the clock."""

from __future__ import annotations

from labstories.ui.display import clock


def test_clock():
    assert [clock(s) for s in (0, 7, 132, 3725, None)] == ["0:00", "0:07", "2:12", "1:02:05", ""]
