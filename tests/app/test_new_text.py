"""A new text in the same rows is drawn in place; one that takes other rows lays out.

Textual's ``Static.update`` lays the whole screen out at every text (17-24
ms at 160x48), and the build status, a step's output and the diff's
summary change many times a second while the engine works.
"""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from textual.widgets import Static

from tests.app.layouts import counting_layouts
from tests.app.widget_harness import WidgetHarness
from tutor.widgets.new_text import set_text


def two_lines() -> Vertical:
    return Vertical(Static("status", id="status"), Static("below", id="below"))


async def test_a_text_in_the_same_rows_is_drawn_without_a_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = WidgetHarness(two_lines, footer=False)
    async with app.run_test(size=(40, 12)) as pilot:
        status, below = app.query_one("#status", Static), app.query_one("#below", Static)
        await pilot.pause()
        layouts = counting_layouts(app, monkeypatch)
        for number in range(1, 6):
            set_text(status, f"step {number} of 5")
            await pilot.pause()
            assert f"step {number} of 5" in app.screen_text()
        assert not layouts and below.region.y == 1

        set_text(status, "a status long enough to take two rows at forty columns")
        await pilot.pause()
        assert layouts and below.region.y == 2  # it wraps: what is below moves down
        assert "forty columns\nbelow" in app.screen_text()
        layouts.clear()
        set_text(status, "done")
        await pilot.pause()
        assert layouts and below.region.y == 1


async def test_a_text_whose_width_follows_it_is_laid_out_as_textual_would() -> None:
    app = WidgetHarness(two_lines, footer=False)
    async with app.run_test(size=(40, 12)) as pilot:
        status = app.query_one("#status", Static)
        status.styles.width = "auto"
        await pilot.pause()
        set_text(status, "a wider status")
        await pilot.pause()
        assert status.size.width == len("a wider status")
