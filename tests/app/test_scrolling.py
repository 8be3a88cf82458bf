"""A layout of the screen that changes nothing of a scrolling widget leaves its scroll bars alone.

Textual redrew every scrolling widget's scroll bars at every layout, and drew
the rectangle around them all: the whole lesson screen, at each image built
(see ``tutor.widgets.scrolling``). The scroll bars must still follow what does
change: more rows than fit, a smaller widget.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from tests.app.widget_harness import WidgetHarness
from tutor.widgets.scrolling import Log, Table


def panel() -> Vertical:
    table = Table()
    table.styles.height = "1fr"
    log = Log()
    log.styles.height = 6
    return Vertical(Static("a title", id="title"), table, log)


async def test_a_layout_for_another_widget_redraws_no_scroll_bar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = WidgetHarness(panel, footer=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table, log = app.query_one(Table), app.query_one(Log)
        table.add_columns("NAME", "SIZE")
        for number in range(40):
            table.add_row(Text(f"image-{number}"), Text("1 MB"))
        for number in range(20):
            log.write(f"line {number}")
        await pilot.pause()
        bars = [table.vertical_scrollbar, log.vertical_scrollbar]
        assert all(bar.window_virtual_size > bar.window_size for bar in bars)
        redrawn: list[object] = []
        for bar in bars:
            refresh = bar.refresh

            def spy(*regions: Any, _bar: object = bar, _refresh: Any = refresh, **how: Any) -> Any:
                redrawn.append(_bar)
                return _refresh(*regions, **how)

            monkeypatch.setattr(bar, "refresh", spy)
        for number in range(5):
            app.query_one("#title", Static).update(f"a title, {number} times")  # a layout each
            await pilot.pause()
        assert redrawn == []

        for number in range(40, 60):
            table.add_row(Text(f"image-{number}"), Text("1 MB"))
        await pilot.pause()
        assert table.vertical_scrollbar.window_virtual_size == 61  # the header and 60 rows
        assert table.vertical_scrollbar in redrawn
        tall = table.vertical_scrollbar.window_size
        table.styles.height = 10
        await pilot.pause()
        assert table.vertical_scrollbar.window_size == 10 < tall
