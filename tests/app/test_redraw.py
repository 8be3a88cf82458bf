"""What changes while Textual holds the screen's updates is drawn when it lets go.

Textual's Markdown widget holds every update (``batch_update``) across the
awaits of its own ``update``, and the lesson's step text is Markdown. A change
the screen took in that window (a notice that expired, a step that finished)
was drawn only at the next key: Textual 8.2.8 ends the batch by prompting the
app, not the screen, and nothing else woke the screen. The terminal play saw
it as a passed step's notice up for minutes and a run that never said it was
done (issue 12).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.console import RenderableType
from textual.screen import Screen
from textual.widgets import Static

from tests.app.conftest import MakeTutor, settle
from tests.app.test_app_snapshots import write_fixed_course


async def test_a_change_made_while_updates_are_held_is_drawn_without_a_key(
    make_tutor: MakeTutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_tutor(course_root=write_fixed_course(tmp_path / "course"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        probe = Static("before", id="probe")
        await app.screen.mount(probe)
        await settle(app, pilot)
        drawn: list[Screen[object]] = []
        display = app._display

        def spy(screen: Screen[object], renderable: RenderableType | None) -> None:
            if renderable is not None and not app._batch_count:
                drawn.append(screen)
            display(screen, renderable)

        monkeypatch.setattr(app, "_display", spy)
        with app.batch_update():  # as Markdown.update holds it across its awaits
            probe.update("after")
            await asyncio.sleep(0.2)  # the screen takes the change meanwhile
        assert drawn == []  # held: nothing drawn yet
        await asyncio.sleep(0.5)  # no key, no other message: only the batch's end
        assert app.screen in drawn, "the change waited for the next key"
        assert "after" in str(probe.render())


async def test_the_screen_is_laid_out_and_drawn_again_once_a_notice_has_gone(
    make_tutor: MakeTutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the terminal play an expired notice, gone from the app and from the screen's
    widgets, sometimes stayed on the terminal until a key came (for minutes once, over
    the tabs and the step's state). Whatever Textual missed, the whole screen is laid
    out and drawn again just after a notice goes."""
    app = make_tutor(course_root=write_fixed_course(tmp_path / "course"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        screen = app.screen
        asked: list[tuple[bool, bool]] = []
        refresh = screen.refresh

        def spy(*regions: object, repaint: bool = True, layout: bool = False, **rest: object):  # type: ignore[no-untyped-def]
            asked.append((repaint, layout))
            return refresh(*regions, repaint=repaint, layout=layout, **rest)  # type: ignore[arg-type]

        monkeypatch.setattr(screen, "refresh", spy)
        app.notify("a short notice", timeout=0.2, markup=False)
        await settle(app, pilot)
        asked.clear()
        await asyncio.sleep(0.8)  # it expires, and no key comes
        assert "a short notice" not in " ".join(str(t.render()) for t in screen.query("Toast"))
        assert (True, True) in asked, "nothing laid the screen out again"
