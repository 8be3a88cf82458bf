"""The lesson's panels are composed when needed, and what they were asked to show meanwhile waits.

A lesson screen's first frame waited for all its panels (their widgets,
styles and lines), while only one pane was seen; now each panel is composed
when its pane is brought forward, or one per frame after the first
(``PanelDeck.compose_rest``). These tests prove that a panel not composed
yet is not in the DOM, and that what the deck was asked to draw in it
before it was composed is drawn once it is, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest
from textual.app import App, ComposeResult
from textual.cache import FIFOCache, LRUCache

from tests.app.conftest import MakeTutor, settle
from tutor.course.loader import default_course_root, load_course
from tutor.course.panel_data import PanelTargets, PanelValues
from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange
from tutor.messages import PanelsLoaded
from tutor.screens import panel_deck
from tutor.screens.course import CourseScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.panel_deck import PanelDeck
from tutor.widgets import BuildLog, DiffView, FilesView, HistoryTable
from tutor.widgets.step_panel import StepPanel

if TYPE_CHECKING:
    from tutor.course.runner import LessonRunner


class DeckApp(App[None]):
    """One lesson's deck, as tabs (an 80-column terminal)."""

    def __init__(self) -> None:
        super().__init__()
        lesson = load_course(default_course_root()).lessons[0]
        self.deck = PanelDeck(lesson, "en", id="panels")

    def compose(self) -> ComposeResult:
        yield self.deck


def diff_of(paths: int) -> ContainerDiff:
    changes = tuple(PathChange(f"/data/f{i:03d}", ChangeKind.ADDED) for i in range(paths))
    return ContainerDiff(container="c0ffee", changes=changes, rw_size=10)


async def test_a_panel_is_composed_only_when_brought_forward() -> None:
    app = DeckApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        deck = app.deck
        assert not deck.query(DiffView) and not deck.query(FilesView)
        deck.bring_forward("diff")
        await pilot.pause()
        assert deck.query_one(DiffView) is deck.widgets["diff"]
        assert not deck.query(FilesView) and not deck.query(HistoryTable)


async def test_what_a_panel_was_asked_before_it_was_composed_is_drawn_once_it_is() -> None:
    app = DeckApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        deck = app.deck
        deck.targets = PanelTargets(container="web")
        first, second = diff_of(3), diff_of(5)
        deck._show_diff(first, "web")  # two polls before the learner looks
        deck._show_diff(second, "web")
        deck.show_files({"Dockerfile": "FROM busybox\n"})
        assert not deck.query(DiffView)
        deck.bring_forward("diff")
        await pilot.pause()
        view = deck.query_one(DiffView)
        assert view.diff is second
        assert len(view.change_list.changes) == 5
        # Both updates were drawn, in order: the second marks what the first lacked.
        assert view.change_list.new_paths == {"A /data/f003", "A /data/f004"}
        assert view.container_name == "web"
        deck.bring_forward("files")
        await pilot.pause()
        assert deck.query_one(FilesView).shown == "Dockerfile"


async def test_the_rest_are_composed_in_the_frames_after_the_first_then_it_says_so() -> None:
    app = DeckApp()
    done: list[bool] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        deck = app.deck
        deck.compose_rest(lambda: done.append(True))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert done == [True]
        for name, widget in deck.widgets.items():
            assert widget.is_mounted, name
            assert deck.query_one(f"#pane-{name} > #{name}") is widget
        # Once composed, what the deck asks of a panel is done at once.
        asked: list[object] = []
        deck.on_panel("build", asked.append)
        assert asked == [deck.query_one(BuildLog)]


async def test_a_closing_lesson_lets_go_of_its_drawn_lines_and_its_diff(
    make_tutor: MakeTutor,
) -> None:
    """Textual keeps each removed widget's styled lines, which a closed lesson's
    widgets (freed only by a full collection, being in cycles) held for it to
    walk: most of what a lesson switch's collection walked. They go at close."""
    app = make_tutor()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        app.open_lesson(app.course.lessons[0].id)
        await settle(app, pilot)
        screen = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        panel, deck = screen.query_one(StepPanel), screen.deck
        view = deck.query_one(DiffView)
        view.update(diff_of(3))
        changes = view.change_list
        deck.shown = PanelValues(diff=view.diff)
        await pilot.pause()
        assert panel._styles_cache._cache  # drawn
        caches = [
            value
            for widget in screen.walk_children(with_self=True)
            for value in vars(widget).values()
            if isinstance(value, LRUCache | FIFOCache) and len(value)
        ]
        assert len(caches) >= 10  # laid out and drawn
        while not isinstance(app.screen, CourseScreen):
            await pilot.press("escape")
            await settle(app, pilot)
        assert panel._styles_cache._cache == {}
        assert [len(cache) for cache in caches] == [0] * len(caches)
        assert view.diff is None and changes.changes == ()
        assert deck.shown.diff is None
        del screen, panel, deck, view, changes, caches


class _Reads:
    """Stands in for the deck's read worker: when each read began, and for which step.

    What the engine answers is not the point here (the real reads are proven
    against the engine in the lesson tests); when the deck asks for one is.
    """

    def __init__(self, deck: PanelDeck) -> None:
        self.deck = deck
        self.began: list[tuple[float, int]] = []

    def __call__(self, runner: object, targets: PanelTargets) -> None:
        self.began.append((time.monotonic(), self.deck.index))
        self.deck.post_message(PanelsLoaded(PanelValues()))


async def _until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def _deck_reading(monkeypatch: pytest.MonkeyPatch, gap: float) -> AsyncIterator[_Reads]:
    """A running deck whose reads are counted, FOLLOW_GAP set to ``gap``."""
    monkeypatch.setattr(panel_deck, "FOLLOW_GAP", gap)
    app = DeckApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        reads = _Reads(app.deck)
        monkeypatch.setattr(app.deck, "_panels_worker", reads)
        app.deck.use_runner(cast("LessonRunner", SimpleNamespace(params={})))
        yield reads


async def test_reads_asked_while_engine_events_keep_coming_are_one_a_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build makes several engine events a second, each asking the panels to be
    read again; each read redraws the tables that changed (20-65 ms at 160x48).
    The first is read at once, the rest once, FOLLOW_GAP after it, for the
    step asked last; after a quiet moment a read is at once again."""
    async with _deck_reading(monkeypatch, 0.4) as reads:
        deck = reads.deck
        deck.refresh_panels(0)
        assert len(reads.began) == 1  # at once
        for index in range(1, 6):
            await asyncio.sleep(0.03)
            deck.refresh_panels(index)
        await _until(lambda: len(reads.began) >= 2)
        await asyncio.sleep(0.5)
        assert len(reads.began) == 2
        (first, first_step), (second, second_step) = reads.began
        assert first_step == 0 and second_step == 5
        assert second - first >= 0.4
        deck.refresh_panels(1)
        assert len(reads.began) == 3  # at once again


async def test_a_read_held_back_is_dropped_when_the_lesson_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with _deck_reading(monkeypatch, 0.3) as reads:
        deck = reads.deck
        deck.refresh_panels(0)
        deck.refresh_panels(1)  # asked during the first read: read after it, past the gap
        await _until(lambda: deck._held is not None)
        assert deck._held is not None
        deck.forget()
        await asyncio.sleep(0.5)
        assert len(reads.began) == 1
