"""Nothing of the lesson shows beside a dialog's box on a narrow terminal.

A 76-column box on an 80-column terminal left two columns of the screen
below on each side, which a terminal shows as stray characters glued to the
box's borders (``▎ █6…``, ``█l…``; issue 12, finding 15).
"""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import MakeTutor, screen_text, settle
from tests.app.test_app_snapshots import (
    save_midway,
    save_progress,
    show_outcome,
    write_fixed_course,
)
from tutor.app import TutorApp
from tutor.screens.prediction import OutcomeScreen, PredictionScreen


def box_rows(app: TutorApp) -> list[str]:
    """The screen's lines that cross the dialog: from its top border (▀) to its bottom (▄)."""
    lines = screen_text(app).splitlines()
    top = next(n for n, line in enumerate(lines) if "█▀" in line)
    bottom = next(n for n, line in enumerate(lines) if "▄█" in line)
    assert bottom - top > 5, screen_text(app)
    return lines[top : bottom + 1]


def nothing_beside(rows: list[str]) -> bool:
    """Every row of the box begins and ends with its border: no character of the screen below."""
    return all(row.startswith("█") and row.endswith("█") for row in rows)


async def test_the_prediction_covers_the_whole_width_at_80_columns(
    make_tutor: MakeTutor, tmp_path: Path, progress_root: Path
) -> None:
    course = write_fixed_course(tmp_path / "course")
    save_progress(course, progress_root, {"the-app": ["write-files"]}, {}, at="the-app")
    app = make_tutor(course_root=course)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")  # the lesson opens on its prediction
        await settle(app, pilot)
        assert isinstance(app.screen, PredictionScreen)
        assert nothing_beside(box_rows(app)), screen_text(app)
        await pilot.resize_terminal(160, 48)  # wide: the box is centred, the lesson around it
        await settle(app, pilot)
        assert not nothing_beside(box_rows(app))
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert nothing_beside(box_rows(app)), screen_text(app)


async def test_the_outcome_covers_the_whole_width_at_80_columns(
    make_tutor: MakeTutor, tmp_path: Path, progress_root: Path
) -> None:
    course = write_fixed_course(tmp_path / "course")
    save_midway(course, progress_root)
    app = make_tutor(course_root=course)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        show_outcome(app)
        await settle(app, pilot)
        assert isinstance(app.screen, OutcomeScreen)
        assert nothing_beside(box_rows(app)), screen_text(app)
