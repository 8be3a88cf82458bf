"""The tab bar's underline stays under the chosen tab when the language changes.

Every tab's label changes width when the language switches ("Camadas" is
"Layers"); the underline must follow the chosen tab's new place, or it marks
the wrong tab (seen in tmux at 80x24 after ``l`` on the Layers panel).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Tabs
from textual.widgets._tabs import Underline

from tests.app.conftest import MakeTutor, settle
from tests.app.test_app_snapshots import save_progress, write_fixed_course
from tutor.screens.lesson import LessonScreen


# Layers, History: labels that change width; Diff: as wide in both languages, yet it moves.
@pytest.mark.parametrize("key", ["3", "7", "6"])
async def test_the_underline_follows_the_chosen_tab_after_l(
    make_tutor: MakeTutor, tmp_path: Path, progress_root: Path, key: str
) -> None:
    course = write_fixed_course(tmp_path / "course")
    save_progress(course, progress_root, {"copy-on-write": ["start"]}, {}, at="copy-on-write")
    app = make_tutor(course_root=course)
    app.animation_level = "full"  # as in a terminal: the underline slides to its place
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c", key)
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)
        for _ in range(2):  # to the other language and back
            await pilot.press("l")
            await settle(app, pilot)
            await pilot.pause(1.0)  # the slide, and the correction after it
            tabs = app.screen.query_one(Tabs)
            active = tabs.active_tab
            assert active is not None
            start, end = active.virtual_region.shrink(active.styles.gutter).column_span
            underline = tabs.query_one(Underline)
            assert (underline.highlight_start, underline.highlight_end) == (start, end)
