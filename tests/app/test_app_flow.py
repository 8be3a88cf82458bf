"""The app driven with the keys, on a machine where no Docker engine answers.

No engine is a real state the tutor must handle well (a classroom machine
before Docker starts): the lessons stay readable, a banner says what to do,
and the progress works as usual.
"""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.segment import Segment
from textual._context import visible_screen_stack
from textual.binding import Binding
from textual.cache import LRUCache
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import DataTable, Footer, Header, Markdown, Static, TabPane
from textual.widgets._footer import FooterKey
from textual.worker import get_current_worker

from tests.app.conftest import DOWN_HINT, DOWN_MESSAGE, DownEngine, MakeTutor, screen_text, settle
from tutor.app import TutorApp
from tutor.course.context import ActionOutput
from tutor.messages import ActionProgress
from tutor.progress_store import FILE_NAME, ProgressStore
from tutor.screens import render_caches
from tutor.screens.course import ConfirmScreen, CourseScreen
from tutor.screens.help import HelpScreen
from tutor.screens.lesson import LessonScreen
from tutor.screens.panel_deck import SIDE_BY_SIDE
from tutor.screens.prediction import PredictionScreen
from tutor.widgets import (
    BuildLog,
    ContainersPanel,
    DiffView,
    FilesView,
    HistoryTable,
    LayerStack,
    PushLog,
)
from tutor.widgets.engine_banner import EngineBanner
from tutor.widgets.step_panel import StepPanel, StepState

LESSON_TITLES_EN = [
    "The app and its Dockerfile",
    "Build the image",
    "Run a container",
    "The image's history",
    "The build cache",
    "Shared layers",
    "Copy-on-write in a container",
    "Push to a registry",
    "A base image of your own",
    "Clean up",
]


#: What ``gc.callbacks`` calls: the phase ("start", "stop") and what is collected.
GcCallback = Callable[[str, dict[str, int]], None]


def table_rows(app: TutorApp) -> list[list[str]]:
    table = app.screen.query_one("#lessons", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def notifications(app: TutorApp) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


def store_for(app: TutorApp) -> ProgressStore:
    return app.store


def panel_languages(screen: LessonScreen) -> set[str]:
    """The languages the lesson's panels speak (one, once they follow the app)."""
    return {
        screen.query_one(FilesView).language,
        screen.query_one(LayerStack).language,
        screen.query_one(BuildLog).language,
        screen.query_one(ContainersPanel).language,
        screen.query_one(DiffView).language,
        screen.query_one(HistoryTable).language,
        screen.query_one(PushLog).language,
    }


async def test_course_screen_lists_the_ten_lessons_with_their_status(make_tutor: MakeTutor) -> None:
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, CourseScreen)
        rows = table_rows(app)
        assert [row[1] for row in rows] == LESSON_TITLES_EN
        assert [row[0] for row in rows] == [str(n) for n in range(1, 11)]
        assert all(row[2] == "· not started" for row in rows)
        text = screen_text(app)
        assert "0 of 10 lessons done" in text
        assert "Docker image layers" in text  # the course's title in the header


async def test_language_switch_changes_the_lessons_and_is_remembered(
    make_tutor: MakeTutor,
) -> None:
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert app.language == "pt-BR"
        rows = table_rows(app)
        assert rows[0][1] == "O app e o Dockerfile"
        assert rows[0][2] == "· não iniciada"
        text = screen_text(app)
        assert "0 de 10 lições concluídas" in text
        assert "Nenhum Docker Engine" in text
        # The open lesson follows the switch too.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.title == "O app e o Dockerfile"
        assert panel_languages(app.screen) == {"pt-BR"}
        assert "Nenhum build ainda." in str(app.screen.query_one("#build #status", Static).content)
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.title == "The app and its Dockerfile"
        assert panel_languages(app.screen) == {"en"}  # every panel follows the switch
        assert "No build yet." in str(app.screen.query_one("#build #status", Static).content)
        await pilot.press("l")
        await settle(app, pilot)
    saved = store_for(app).load()
    assert saved.problem is None and saved.progress.language == "pt-BR"
    # The next start opens in the language chosen last.
    again = make_tutor(language=None)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(again, pilot)
        assert again.language == "pt-BR"


async def test_resume_opens_the_lesson_and_step_where_the_learner_left_off(
    make_tutor: MakeTutor, progress_root: Path
) -> None:
    store = ProgressStore("image-layers", "learner", root=progress_root)
    progress = store.fresh()
    for lesson in ("the-app", "build"):
        progress.mark_step_done(lesson, "x", ["x"])
    progress.mark_step_done("cache", "change-the-text", ["change-the-text", "rebuild"])
    progress.move_to("cache", "move-copy-up")
    store.save(progress)
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rows = table_rows(app)
        assert [row[2] for row in rows[:6]] == [
            "✔ done",
            "✔ done",
            "· not started",
            "· not started",
            "◐ in progress",
            "· not started",
        ]
        # The cursor starts on the lesson to resume.
        assert app.screen.query_one("#lessons", DataTable).cursor_row == 4
        assert "“The build cache”" in screen_text(app)
        await pilot.press("c")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.lesson.id == "cache"
        step = screen.lesson.steps[screen.steps.index]
        assert step.id == "move-copy-up"
        panel = screen.query_one(StepPanel)
        assert panel.view is not None and panel.view.number == 3
        assert "Step 3 of 8" in screen_text(app)
        # Without an engine the step waits, and says why.
        assert panel.state is StepState.OFFLINE
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CourseScreen)


async def test_help_lists_the_keys_of_every_screen(make_tutor: MakeTutor) -> None:
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        titles = [section.title for section in help_screen.sections]
        assert titles[0] == "Course"  # the screen the learner came from first
        assert {"Lesson", "Prediction", "Everywhere"} <= set(titles)
        text = screen_text(app)
        assert "Resume" in text and "Reset lesson" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CourseScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.sections[0].title == "Lesson"
        bindings = Binding.make_bindings(app.screen.sections[0].bindings)
        described = {binding.description for binding in bindings}
        assert {"Run for me", "Hint", "Check", "Predict", "Back"} <= described
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)


async def test_banner_shows_the_engine_error_and_r_retries(
    make_tutor: MakeTutor, down_engine: DownEngine
) -> None:
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        banner = app.screen.query_one(EngineBanner)
        assert banner.display and banner.has_class("-shown")
        text = screen_text(app)
        assert DOWN_MESSAGE in text and DOWN_HINT in text
        assert down_engine.attempts == 1
        await pilot.press("r")
        await settle(app, pilot)
        assert down_engine.attempts == 2
        assert app.screen.query_one(EngineBanner).has_class("-shown")
        # The lessons stay readable without an engine.
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.query_one(EngineBanner).has_class("-shown")
        prose = screen.query_one("#prose-text", Markdown)
        assert "Welcome!" in prose.source
        await pilot.press("r")
        await settle(app, pilot)
        assert down_engine.attempts == 3


async def test_a_broken_lesson_is_listed_with_its_problem(
    make_tutor: MakeTutor, course_copy: Path
) -> None:
    lesson_file = course_copy / "03-run" / "lesson.toml"
    lesson_file.write_text(
        lesson_file.read_text(encoding="utf-8").replace('kind = "fetch"', 'kind = "fetchh"'),
        encoding="utf-8",
    )
    app = make_tutor(course_root=course_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rows = table_rows(app)
        assert len(rows) == 10
        assert rows[2][1] == "Run a container"
        assert rows[2][2] == "✖ broken"
        assert rows[3][2] == "· not started"  # the rest of the course opens
        await pilot.press("down", "down")
        await settle(app, pilot)
        text = screen_text(app)
        assert "This lesson cannot open" in text
        assert "lesson.toml" in text and "fetchh" in text
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CourseScreen)
        assert any("cannot open" in note for note in notifications(app))
        await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PredictionScreen)  # history's first step asks first
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "history"


async def test_a_closed_lesson_screen_is_freed(make_tutor: MakeTutor) -> None:
    """Each lesson screen holds thousands of objects; one kept alive after the
    learner left it would make every garbage collection slower."""
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        left: list[weakref.ref[object]] = []
        for lesson in app.course.lessons[:3]:
            app.open_lesson(lesson.id)
            await settle(app, pilot)
            screen = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
            # Textual's own caches and watchers once kept these after the screen went.
            drawn = screen.query_one(StepPanel)._styles_cache
            left.extend(weakref.ref(it) for it in (screen, screen.query_one(Header), drawn))
            del screen, drawn
            while not isinstance(app.screen, CourseScreen):  # a prediction may be open first
                await pilot.press("escape")
                await settle(app, pilot)
        await pilot.press("l")  # the app still tells the open screens (none now)
        await settle(app, pilot)
        # Pilot's press draws in this test's own task when a frame is due, and Textual
        # notes the screens behind the current one in a context variable there: after
        # an escape from a question that was the lesson screen, until the next such
        # frame (some runs had none). The app's own task sets it again every frame.
        visible_screen_stack.set([])
        gc.collect()
        assert [ref() for ref in left] == [None] * 9


async def test_the_app_turns_the_collector_on_after_its_first_frame(
    make_tutor: MakeTutor,
) -> None:
    """``python -m tutor`` starts with the collector off (``cli._run_app``): the
    app must turn it back on once its first frame is drawn, with what start-up
    made frozen, or a learner's session would never collect a cycle."""
    gc.disable()
    try:
        app = make_tutor()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0
            assert isinstance(app.screen, CourseScreen)
    finally:
        gc.enable()


async def test_the_course_footer_keeps_only_the_keys_it_shows(make_tutor: MakeTutor) -> None:
    """A footer makes all its keys again whenever the screen's keys change, each
    bound to the footer's own ``compact`` value; Textual forgets a closed key's
    binding only when that value changes, which it never does here. The course
    screen's footer, there all along, kept every key it had shown: some ten
    more after each lesson (render_caches.forget_closed_widgets)."""
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(Footer)
        bound: list[int] = []
        for lesson in app.course.lessons[:4]:
            app.open_lesson(lesson.id)
            await settle(app, pilot)
            while not isinstance(app.screen, CourseScreen):  # a prediction may be open first
                await pilot.press("escape")
                await settle(app, pilot)
            bound.append(len(getattr(footer, "__watchers", {}).get("compact", [])))
        shown = len(footer.query(FooterKey))
        assert shown > 0
        # What the last lesson's return added waits for the next close: never more.
        assert max(bound) <= 2 * shown, (bound, shown)


def test_the_app_makes_textual_caches_free_what_they_clear(
    make_tutor: MakeTutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data table clears its caches at each update: the app makes that free the
    cached lines at once, not leave them in a cycle for the collector (render_caches)."""
    monkeypatch.setattr(LRUCache, "clear", render_caches.TEXTUAL_CLEAR)

    class Lines:
        """What a data table caches for a row."""

    cache: LRUCache[int, Lines] = LRUCache(4)
    cache.set(1, Lines())
    value = weakref.ref(cache[1])
    make_tutor()
    gc.disable()
    try:
        cache.clear()
        assert value() is None
    finally:
        gc.enable()


class _Line(Strip):
    """A drawn line a weak reference can watch."""


def test_the_app_makes_lines_cut_to_themselves_free_without_the_collector(
    make_tutor: MakeTutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual caches a line in itself when it is cut or padded to its own width: the
    app makes that answer uncached (render_caches), so the line is freed at once."""
    monkeypatch.setattr(Strip, "divide", render_caches.TEXTUAL_DIVIDE)
    monkeypatch.setattr(Strip, "crop_extend", render_caches.TEXTUAL_CROP_EXTEND)
    make_tutor()
    gc.disable()
    try:
        line = _Line([Segment("RUN pip install flask")])
        line.divide([line.cell_length])
        line.crop_extend(0, line.cell_length, None)
        watched = weakref.ref(line)
        del line
        assert watched() is None
    finally:
        gc.enable()


async def test_an_open_lesson_is_left_out_of_garbage_collections(make_tutor: MakeTutor) -> None:
    """A lesson screen's objects live as long as it: once it is drawn, a full
    collection no longer walks them (tutor.screens.lesson_gc); it walks them
    again once the screen is closed, so that it can be freed."""
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_lesson(app.course.lessons[0].id)
        await settle(app, pilot)
        screen = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        panel = screen.query_one(StepPanel)
        tracked = {id(it) for it in gc.get_objects()}
        assert id(screen) not in tracked and id(panel) not in tracked
        while not isinstance(app.screen, CourseScreen):
            await pilot.press("escape")
            await settle(app, pilot)
        tracked = {id(it) for it in gc.get_objects()}
        assert id(screen) in tracked and id(panel) in tracked
        del screen, panel, tracked


async def _in_the_first_lesson(app: TutorApp, pilot: Pilot[None]) -> None:
    """Open the course's first lesson, past the question it may ask first."""
    await settle(app, pilot)
    app.open_lesson(app.course.lessons[0].id)
    await settle(app, pilot)
    while not isinstance(app.screen, LessonScreen):
        await pilot.press("escape")
        await settle(app, pilot)


async def _switch_to(app: TutorApp, lesson_id: str, note: GcCallback) -> None:
    """Open ``lesson_id`` from the open lesson as a key would, ``note`` told of every
    collection until it is mounted. (Pilot's own waits would hold the screen they
    started on.)"""
    gc.callbacks.append(note)
    try:
        app.call_later(app.open_lesson, lesson_id)
        for _ in range(200):
            await asyncio.sleep(0.02)
            if any(isinstance(s, LessonScreen) and s.is_mounted for s in app.screen_stack):
                break
    finally:
        gc.callbacks.remove(note)


async def test_a_replaced_lesson_is_collected_before_the_next_is_made(
    make_tutor: MakeTutor,
) -> None:
    """Opening a lesson from another closes the first, collects what it left,
    and only then makes the next: the collection at a switch does not walk
    the next lesson's first frame too (tutor.screens.lesson_gc). That this
    collection frees the first screen is proven below; that every closed
    screen is freed in the end, above."""
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await _in_the_first_lesson(app, pilot)
        stacks: list[list[str]] = []

        def note(phase: str, info: dict[str, int]) -> None:
            if phase == "stop" and info["generation"] == 2:
                stacks.append([type(s).__name__ for s in app.screen_stack])

        await _switch_to(app, app.course.lessons[1].id, note)
        await settle(app, pilot)
        assert stacks, "no full collection at the switch"
        assert stacks[0][-1] == "CourseScreen"  # the first lesson gone, the next not made yet
        assert "LessonScreen" not in stacks[0]
        lessons = [s.lesson.id for s in app.screen_stack if isinstance(s, LessonScreen)]
        assert lessons == [app.course.lessons[1].id]
        assert not app.replacing_lesson


async def test_a_lesson_closed_just_after_a_notice_is_freed_at_the_switch(
    make_tutor: MakeTutor,
) -> None:
    """No timer keeps a closed lesson: one that set its notices aside (before a
    question) and is replaced within that second is freed by the collection
    at the switch, not by one at the next lesson's first frame (a second
    full walk of everything). Neither the app's one-second timer nor the
    lesson's own cancelled timers (TutorApp._after, lesson_gc) hold it."""
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await _in_the_first_lesson(app, pilot)
        old = weakref.ref(app.screen)
        app.screen.call_next(app.set_notices_aside)  # from the screen, as a step does
        await pilot.pause()
        freed: list[bool] = []

        def note(phase: str, info: dict[str, int]) -> None:
            if phase == "stop" and info["generation"] == 2 and not freed:
                freed.append(old() is None)

        await _switch_to(app, app.course.lessons[1].id, note)
        assert freed == [True]
        await settle(app, pilot)


async def test_a_lesson_whose_thread_ends_late_is_freed_at_the_switch(
    make_tutor: MakeTutor,
) -> None:
    """Textual says a cancelled thread worker is finished at once; its thread
    may run on a little (the lesson's engine events end once their stream is
    closed). The switch waits for the thread too, so that its collection frees
    the closed lesson instead of the next lesson's first frame walking
    everything again (lesson_gc.until_finished)."""
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await _in_the_first_lesson(app, pilot)
        old = weakref.ref(app.screen)
        ended: list[float] = []

        def slow_to_end() -> None:
            worker = get_current_worker()
            worker.cancelled_event.wait(10)
            time.sleep(0.08)  # a stream being closed
            ended.append(time.monotonic())

        app.screen.run_worker(slow_to_end, thread=True, group="slow")
        freed: list[tuple[bool, float]] = []

        def note(phase: str, info: dict[str, int]) -> None:
            if phase == "stop" and info["generation"] == 2 and not freed:
                freed.append((old() is None, time.monotonic()))

        await _switch_to(app, app.course.lessons[1].id, note)
        assert len(ended) == 1 and freed and freed[0][0]
        assert freed[0][1] > ended[0]
        await settle(app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_lesson_screen_is_styled_once_as_it_opens(
    make_tutor: MakeTutor, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every class change on the screen restyles all its widgets, and Textual
    restyles a screen each time it comes to the top: when the layout classes
    were set on mount, each widget of a lesson was styled four or five times
    before its first frame, the longest part of opening it (issue 13)."""
    app = make_tutor()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        styled: Counter[int] = Counter()
        apply = app.stylesheet.apply

        def counted(node: object, *args: object, **kwargs: object) -> None:
            styled[id(node)] += 1
            apply(node, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(app.stylesheet, "apply", counted)
        app.open_lesson("push")  # a lesson with an occasional pane: one more class
        for _ in range(250):
            await asyncio.sleep(0.02)
            opened = [s for s in app.screen_stack if isinstance(s, LessonScreen)]
            if opened and opened[0]._shown:
                break
        monkeypatch.undo()
        screen = opened[0]
        assert screen._shown and screen.has_class("-occasional")
        assert screen.has_class("-wide") is (size[0] >= 130)
        body = screen.query_one("#lesson-body")
        assert styled[id(body)] == 1
        assert styled[id(screen.query_one(StepPanel))] == 1
        assert styled[id(screen.deck)] == 1


async def test_damaged_progress_is_reported_kept_and_replaced(
    make_tutor: MakeTutor, progress_root: Path
) -> None:
    store = ProgressStore("image-layers", "learner", root=progress_root)
    store.path.parent.mkdir(parents=True)
    store.path.write_text('format = 1\ncourse = "image-layers"\nnamespace = "lea', encoding="utf-8")
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, CourseScreen)
        notes = [n for n in notifications(app) if "damaged" in n]
        assert len(notes) == 1
        assert "[end]" in notes[0]  # said in words, never read as markup
        assert all(row[2] == "· not started" for row in table_rows(app))
    backups = list(store.path.parent.glob(f"{FILE_NAME}.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8").endswith('"lea')
    assert store.load().problem is None  # fresh progress was saved


async def test_reset_one_lesson_and_all_ask_first(
    make_tutor: MakeTutor, progress_root: Path
) -> None:
    store = ProgressStore("image-layers", "learner", root=progress_root)
    progress = store.fresh()
    progress.mark_step_done("the-app", "write-files", ["write-files"])
    progress.mark_step_done("build", "build", ["build", "list-images"])
    store.save(progress)
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        # The cursor starts on the first lesson not done: "build".
        assert app.screen.query_one("#lessons", DataTable).cursor_row == 1
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Start “Build the image” again?" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert table_rows(app)[1][2] == "◐ in progress"
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert table_rows(app)[1][2] == "· not started"
        assert table_rows(app)[0][2] == "✔ done"
        assert "build" not in app.progress.lessons
        await pilot.press("X", "y")
        await settle(app, pilot)
        assert all(row[2] == "· not started" for row in table_rows(app))
    assert store.load().progress.lessons == {}


async def test_prediction_is_asked_before_the_step_and_remembered(
    make_tutor: MakeTutor, progress_root: Path
) -> None:
    store = ProgressStore("image-layers", "learner", root=progress_root)
    progress = store.fresh()
    progress.mark_step_done("the-app", "write-files", ["write-files", "a", "b"])
    store.save(progress)
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PredictionScreen)
        assert "Of the four lines" in screen_text(app)
        await pilot.press("escape")  # decide later
        await settle(app, pilot)
        lesson = app.screen
        assert isinstance(lesson, LessonScreen)
        assert lesson.query_one(StepPanel).state is StepState.PREDICT_FIRST
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PredictionScreen)
        await pilot.press("3")
        await settle(app, pilot)
        assert app.screen is lesson
        assert app.progress.of("the-app").answers == {"which-lines-add-files": 2}
        assert app.journal.answer("the-app", "which-lines-add-files") == 2
    assert store.load().progress.of("the-app").answers == {"which-lines-add-files": 2}


async def test_panels_are_tabs_when_narrow_and_side_by_side_when_wide(
    make_tutor: MakeTutor,
) -> None:
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        lesson = app.screen
        assert isinstance(lesson, LessonScreen)

        def shown() -> list[str]:
            return [str(p.id) for p in lesson.query(TabPane) if p.display]

        assert not lesson.wide and shown() == ["pane-lesson"]
        await pilot.press("3")
        await settle(app, pilot)
        assert shown() == ["pane-layers"]
        await pilot.resize_terminal(160, 48)
        await settle(app, pilot)
        assert lesson.wide and lesson.has_class("-wide")
        assert len(shown()) == 6 and "pane-lesson" not in shown()  # the prose sits by the step
        assert "pane-push" not in shown()  # a lesson that pushes nothing: the Diff takes its rows
        assert lesson.query_one("#prose-side").display
        # The prose beside the step is filled when the layout first shows it...
        assert "Welcome!" in lesson.query_one("#prose-side-text", Markdown).source
        text = screen_text(app)
        assert all(word in text for word in ("Files", "Layers", "Build", "Diff", "History"))
        assert "Welcome!" in text
        await pilot.press("l")  # ...and says the language the learner switches to
        await settle(app, pilot)
        assert "Boas-vindas!" in lesson.query_one("#prose-side-text", Markdown).source
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert "Boas-vindas!" in lesson.query_one("#prose-text", Markdown).source
        await pilot.press("l")
        await settle(app, pilot)
        assert not lesson.wide and shown() == ["pane-layers"]


@pytest.mark.parametrize("opened", [(160, 48), (80, 24)])
async def test_side_by_side_the_pane_with_the_focus_is_lit(
    make_tutor: MakeTutor, opened: tuple[int, int]
) -> None:
    """Side by side, the pane the keys go to has the accent border. As tabs the
    panes have no such style: a style on ``:focus-within`` made each move of the
    focus restyle every widget of the pane it left and of the one it entered."""
    app = make_tutor()
    async with app.run_test(size=opened) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        lesson = app.screen
        assert isinstance(lesson, LessonScreen)
        panes = list(lesson.query(TabPane))
        if not lesson.wide:
            assert not any(p.has_class(SIDE_BY_SIDE) or p._has_focus_within for p in panes)
            await pilot.resize_terminal(160, 48)
            await settle(app, pilot)
        assert all(p.has_class(SIDE_BY_SIDE) for p in panes)
        layers, files = lesson.query_one("#pane-layers"), lesson.query_one("#pane-files")
        unlit = files.styles.border_top
        await pilot.press("3")  # the Layers panel, with the keys
        await settle(app, pilot)
        assert layers.has_focus_within and not files.has_focus_within
        assert layers.styles.border_top != unlit and files.styles.border_top == unlit
        await pilot.press("2")  # the Files panel
        await settle(app, pilot)
        assert files.styles.border_top != unlit and layers.styles.border_top == unlit
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert not any(p.has_class(SIDE_BY_SIDE) or p._has_focus_within for p in panes)


async def test_a_16_colour_terminal_gets_the_ansi_theme(
    make_tutor: MakeTutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == "ansi-dark"
        assert "Docker image layers" in screen_text(app)


@pytest.mark.parametrize("key", ["q", "ctrl+c", "ctrl+q"])
async def test_q_ctrl_c_and_ctrl_q_quit(make_tutor: MakeTutor, key: str) -> None:
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        assert not app.is_running


async def test_a_passed_steps_late_output_stays_off_the_next_step(
    make_tutor: MakeTutor, progress_root: Path
) -> None:
    """The engine's events can pass a step before its run prints its last lines (lesson
    8: the image is gone, then "Deleted: ..." arrives); those lines are not the next
    step's, whose panel must keep its "press t" line in view at 80x24."""
    store = ProgressStore("image-layers", "learner", root=progress_root)
    progress = store.fresh()
    progress.mark_step_done("cache", "change-the-text", ["change-the-text", "rebuild"])
    progress.move_to("cache", "move-copy-up")
    store.save(progress)
    app = make_tutor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        late = ActionProgress("cache", "rebuild")  # the step before, already passed
        late.buffer.put(ActionOutput("Deleted: sha256:0123456789ab"))
        screen.post_message(late)
        await settle(app, pilot)
        assert not screen.query_one(StepPanel).output
        assert "Deleted:" not in screen_text(app)
        now = ActionProgress("cache", "move-copy-up")  # the current step's own run
        now.buffer.put(ActionOutput("Step 1/4 : FROM python"))
        screen.post_message(now)
        await settle(app, pilot)
        assert "Step 1/4 : FROM python" in map(str, screen.query_one(StepPanel).output)


async def test_the_push_panel_is_side_by_side_in_a_lesson_that_pushes(
    make_tutor: MakeTutor,
) -> None:
    app = make_tutor()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        app.open_lesson("push")
        await settle(app, pilot)
        lesson = next(s for s in app.screen_stack if isinstance(s, LessonScreen))
        assert lesson.wide and lesson.query_one("#pane-push", TabPane).display
        assert lesson.query_one("#pane-push", TabPane).region.height > 0


async def test_what_to_do_now_stays_in_sight_when_the_step_text_needs_scrolling(
    make_tutor: MakeTutor, progress_root: Path, tmp_path: Path
) -> None:
    """In the terminal play at 80x24 (here 80x20, with the engine banner's rows) lesson
    3's last step (pt-BR) filled the step box, and its status line, "make your prediction
    first: press p", lay below the box's edge. The footer had no t, and nothing on screen
    said why (the play stood there for five minutes)."""
    store = ProgressStore("image-layers", "learner", root=progress_root)
    progress = store.fresh()
    steps = ["run", "visit", "list-containers", "logs"]
    for step in steps[:3]:
        progress.mark_step_done("run", step, steps)
    progress.move_to("run", "logs")
    store.save(progress)
    # A learner's folder as long as the terminal play's (a temporary folder's).
    folder = tmp_path / "pytest-of-root" / "test_a_learner_plays_every_les0" / "ws"
    app = make_tutor(language="pt-BR", workspace_root=folder)
    async with app.run_test(size=(80, 20)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")  # the lesson opens on the step's question
        await settle(app, pilot)
        assert isinstance(app.screen, PredictionScreen)
        await pilot.press("escape")  # decide later
        await settle(app, pilot)
        panel = app.screen.query_one(StepPanel)
        assert panel.state is StepState.PREDICT_FIRST
        assert panel.max_scroll_y > 0  # the step's text does not fit: the box scrolls
        assert "Faça sua previsão primeiro: tecle p." in screen_text(app)
