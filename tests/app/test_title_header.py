"""The screens' header draws a new title in place: no layout of the screen for it.

Textual's own header lays the whole screen out at each title and sub-title
(a lesson sets both as it opens, and again at each change of language).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Header, Static

from tests.app.layouts import counting_layouts
from tests.app.widget_harness import WidgetHarness
from tutor.widgets.title_header import TitleHeader


def page(header: Callable[[], Header]) -> Callable[[], Widget]:
    return lambda: Vertical(header(), Static("the lesson's text", id="body"))


async def titles_laid_out(header: Callable[[], Header], monkeypatch: pytest.MonkeyPatch) -> int:
    """Layouts while the screen's title and sub-title change three times."""
    app = WidgetHarness(page(header), footer=False)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        layouts = counting_layouts(app, monkeypatch)
        for number in range(1, 4):
            app.screen.title = f"Lesson {number}"
            app.screen.sub_title = f"class-{number}"
            await pilot.pause()
            assert f"Lesson {number} — class-{number}" in app.screen_text()
        body = app.query_one("#body")
        assert body.region.y == 1  # below the header's one row
        return len(layouts)


async def test_a_new_title_is_drawn_without_laying_the_screen_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await titles_laid_out(TitleHeader, monkeypatch) == 0


async def test_textuals_header_lays_the_screen_out_for_each_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the test above saves: without TitleHeader, each change was a layout."""
    assert await titles_laid_out(Header, monkeypatch) >= 3
