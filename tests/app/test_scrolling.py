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

from tests.app.layouts import counting_layouts
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


async def test_rows_and_lines_added_lay_nothing_out_while_the_sizes_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Content that grows changes a widget's virtual size, which Textual took for a
    layout of the whole screen each time (17-24 ms at 160x48). A widget whose size a
    rule fixes updates its scroll bar itself; the first scroll bar still lays out."""
    app = WidgetHarness(panel, footer=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table, log = app.query_one(Table), app.query_one(Log)
        table.add_columns("NAME", "SIZE")
        await pilot.pause()
        layouts = counting_layouts(app, monkeypatch)
        for number in range(3):
            table.add_row(Text(f"image-{number}"), Text("1 MB"))
            log.write(f"line {number}")
            await pilot.pause()
        assert not layouts
        assert not table.show_vertical_scrollbar  # (a log has its bar from the start)

        for number in range(3, 40):  # more than the table shows: its scroll bar appears
            table.add_row(Text(f"image-{number}"), Text("1 MB"))
        await pilot.pause()
        assert layouts and table.show_vertical_scrollbar
        layouts.clear()
        for number in range(40, 45):  # one a frame: the bar follows, with no layout
            table.add_row(Text(f"image-{number}"), Text("1 MB"))
            await pilot.pause()
        assert not layouts
        assert table.vertical_scrollbar.window_virtual_size == 46  # the header and 45 rows
        table.move_cursor(row=44)
        await pilot.pause()
        assert "image-44" in app.screen_text()


def auto_table() -> Vertical:
    table = Table()
    table.styles.height = "auto"
    table.styles.min_height = 5
    table.styles.max_height = 10
    return Vertical(table, Static("below", id="below"))


async def test_an_auto_height_table_lays_out_only_when_its_height_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A table as tall as its rows (the containers panel's) changes the screen when
    it grows or shrinks, but not while its smallest or largest height holds it: a
    build's container coming and going under that changes nothing on the screen."""
    app = WidgetHarness(auto_table, footer=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table, below = app.query_one(Table), app.query_one("#below", Static)
        table.add_columns("NAME")
        await pilot.pause()
        layouts = counting_layouts(app, monkeypatch)
        top = below.region.y
        # Within the five rows it has at least, filled exactly by four and the header too.
        for rows in (1, 2, 4, 1, 0, 4, 2):
            table.clear()
            for number in range(rows):
                table.add_row(Text(f"c-{number}"))
            await pilot.pause()
        assert not layouts and below.region.y == top == 5

        for number in range(2, 7):  # taller than five: it grows, and what is below moves
            table.add_row(Text(f"c-{number}"))
            await pilot.pause()
        assert layouts and below.region.y == 8  # the header and seven rows
        for number in range(7, 20):
            table.add_row(Text(f"c-{number}"))
        await pilot.pause()
        assert below.region.y == 10  # its largest
        await pilot.pause()  # the layout its new scroll bar asked for
        layouts.clear()
        for number in range(20, 23):  # past its largest height: it holds
            table.add_row(Text(f"c-{number}"))
            await pilot.pause()
        assert not layouts and below.region.y == 10
        table.clear()
        await pilot.pause()
        assert layouts and below.region.y == 5  # back to its smallest
