"""The Textual app: holds the course, the progress and the engine connection; screens do the rest.

Everything it needs is handed in (see :func:`tutor.launch.make_app`), so tests
run the very same app against a real engine, or with an engine connector that
raises :class:`~tutor.engine.errors.EngineUnreachable`.

The course screen is drawn from the lesson files and the progress alone. What
only a lesson or the engine needs (docker-py, the lesson screen and its
panels, pygments, the image checks) is imported later: the engine connects in
a thread worker once the first frame is up, with "connecting" shown in the
banner meanwhile, and the lesson screen's modules are loaded in a thread too,
so that opening the first lesson does not wait for them either.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import gc
import importlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ScreenStackError
from textual.binding import Binding, BindingType
from textual.notifications import Notification, Notify
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets._toast import ToastRack

from tutor import settings
from tutor.course.model import Course, Value
from tutor.course.step_flow import resume_target
from tutor.course.workspace import default_root as default_workspace_root
from tutor.engine.errors import EngineError
from tutor.heap import keep_heap_small
from tutor.i18n import say
from tutor.messages import EngineDown, EngineReady, OpenLesson, SaveProgress, UseParams
from tutor.progress import Progress
from tutor.progress_store import ProgressStore
from tutor.screens.course import CourseScreen
from tutor.screens.render_caches import strips_without_self_cycles, unlink_cleared_entries
from tutor.screens.session import PASSED_MARK, SessionScreen
from tutor.sentence import said
from tutor.user_files import Damage
from tutor.widgets.after_refresh import after_refresh
from tutor.worker_threads import FreshContextExecutor

if TYPE_CHECKING:
    from tutor.course.journal import Journal
    from tutor.course.runner import LessonRunner
    from tutor.engine.connection import Engine
    from tutor.prepare.plan import Outcome

#: Makes the learner's runner once an engine answers, with a note per parameter it
#: had to adjust for this engine (a busy port, a name taken by someone else).
#: Called in a thread: it may ask the engine.
RunnerFactory = Callable[["Engine"], "tuple[LessonRunner, tuple[str, ...]]"]


#: Seconds after a notice goes before the screen is laid out and drawn again whole.
NOTICE_GONE_REDRAW = 0.1
#: Colour systems of terminals that show only the 16 ANSI colours.
BASIC_COLOURS = ("standard", "windows")
#: What a lesson needs that the course screen does not, loaded in a thread once it is up.
LESSON_MODULES = ("tutor.screens.lesson", "tutor.screens.help", "tutor.screens.prepare")


class TutorApp(App[None]):
    """The tutor.

    Args:
        course: The loaded course (broken lessons included, with their problems).
        store: Where the learner's progress is kept.
        connect_engine: Connects to the engine or raises an ``EngineError``;
            called in a thread at start and on every retry.
        make_runner: Builds the lesson runner for a connected engine.
        namespace: The learner's namespace (names and labels of what we make).
        params: The course parameters in effect (defaults plus overrides).
        journal: The runner's journal (answers are written there too).
        language: The language to open in (``None``: the saved or the course's).
        keep_containers: Leave the containers started in this session on quit.
        notes: Warnings to show once started (a damaged settings file).
        use_params: Makes later runners use these parameter values (after
            ``prepare`` made a stand-in base image).
        workspace_root: Where the learner's lesson folders are (the runner's too).
    """

    CSS_PATH = "tutor.tcss"
    TITLE = "layers-tutor"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        # What a learner presses to leave a terminal program (an input still copies with it).
        Binding("ctrl+c", "quit", "Quit", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("l", "switch_language", "Language", show=False),
        Binding("r", "retry_engine", "Retry"),
        Binding("P", "prepare", "Prepare images"),
    ]

    language: reactive[str] = reactive("en", init=False)
    # always_update: a lesson opened while connecting must hear "ready" (None again).
    engine_error: reactive[EngineError | None] = reactive(None, init=False, always_update=True)
    #: Reaching the engine now (at start, on a retry): the banners say so meanwhile.
    connecting: reactive[bool] = reactive(False, init=False)
    #: Images the course needs that are neither on the engine nor pullable (``P`` prepares them).
    missing_images: reactive[tuple[Outcome, ...]] = reactive((), init=False)

    def __init__(
        self,
        *,
        course: Course,
        store: ProgressStore,
        connect_engine: Callable[[], Engine],
        make_runner: RunnerFactory,
        namespace: str,
        params: Mapping[str, Value],
        journal: Journal,
        language: str | None = None,
        keep_containers: bool = False,
        notes: Sequence[str] = (),
        use_params: Callable[[Mapping[str, Value]], object] | None = None,
        workspace_root: Path | None = None,
    ) -> None:
        super().__init__()
        # Textual's caches cleared, and its lines, leave cycles for the collector
        # (render_caches).
        unlink_cleared_entries()
        strips_without_self_cycles()
        # Its engine calls' threads share one allocator arena (tutor.heap).
        keep_heap_small()
        self.workspace_root = workspace_root or default_workspace_root(namespace)
        self.notes = tuple(notes)
        #: Notices raised while a dialog is open (see ``_on_notify``).
        self._held_notices: list[Notification] = []
        #: A dialog is about to open (``set_notices_aside``): notices wait for it too.
        self._dialog_coming = False
        self._use_params = use_params
        self.course = course
        self.store = store
        self.namespace = namespace
        self.params = dict(params)
        self.journal = journal
        self.keep_containers = keep_containers
        self._connect_engine = connect_engine
        self._make_runner = make_runner
        loaded = store.load()
        self.progress: Progress = loaded.progress
        self.load_problem = loaded.problem
        self.load_damage = loaded.damage
        self.engine: Engine | None = None
        self.runner: LessonRunner | None = None
        self.quitting = False
        self._lesson_modules_frozen = False
        #: Whether a lesson screen closing now is replaced by another (see open_lesson).
        self.replacing_lesson = False
        self.existing_containers: frozenset[str] | None = None
        #: Set by ``run_tutor`` before ``run()``: exit on SIGTERM and SIGHUP.
        self.handles_signals = False
        #: What ``run_tutor`` does on the way out, for a hang-up that cannot wait for it.
        self.before_hard_exit: Callable[[], object] | None = None
        #: The context the app's own timers run in (_after); set again as the app mounts.
        self._own_context = contextvars.copy_context()
        #: Where thread workers run (set in on_mount); a lesson switch asks it too.
        self.threads = FreshContextExecutor()
        wanted = language or self.progress.language or course.default_language
        self.set_reactive(
            TutorApp.language, wanted if wanted in course.languages else course.default_language
        )

    def on_mount(self) -> None:
        # Thread workers run here; see tutor.worker_threads for why.
        asyncio.get_running_loop().set_default_executor(self.threads)
        # What the app's own timers run in (_after): no lesson screen is open yet.
        self._own_context = contextvars.copy_context()
        if self.console.color_system in BASIC_COLOURS:
            # A classroom terminal or an SSH session with 16 colours: use the
            # terminal's own palette rather than approximations of true colour.
            self.theme = "ansi-dark"
        if self.handles_signals:
            self.exit_on_signals()
        self.push_screen(CourseScreen())
        self._report_damaged_files()
        # Said on the first frame; the worker starts once that frame is drawn
        # (on_ready), so that importing docker-py does not hold the GIL meanwhile.
        self.connecting = True

    def on_ready(self) -> None:
        # Ready comes before the course screen's first frame is on the terminal: the
        # collection below (25-50 ms) and docker-py's import would hold that frame back.
        after_refresh(self, self._after_first_frame)

    def _after_first_frame(self) -> None:
        # What start-up made (modules, classes, the course, the course screen) lives as
        # long as the process: a full garbage collection walked all of it again at every
        # pause (some 70 ms here). Frozen, it is left out of every collection from now
        # on; what is garbage already is collected first, once, after the first frame.
        # Until then the collector was off (``cli._run_app``): it comes back on here.
        gc.collect()
        gc.freeze()
        gc.enable()
        self.connect()

    def _end_batch(self) -> None:
        """Held updates let go: the screen draws what changed meanwhile, now.

        Textual's Markdown holds every update (``batch_update``) across the awaits
        of its ``update``, and each step's text is Markdown. A screen that took a
        change in that window (a notice expired, a run finished) skipped drawing
        it, and Textual 8.2.8 ends the batch by prompting the app only, so the
        change stayed off the terminal until the next key (issue 12).
        """
        super()._end_batch()
        if not self._batch_count:
            with contextlib.suppress(ScreenStackError):
                self.screen.check_idle()

    def _report_damaged_files(self) -> None:
        """Say, in the learner's language, which file was damaged and where it was kept."""
        title = say(self.language, "damaged.title")
        found = (("progress", self.load_damage), ("journal", self.journal.damage))
        for which, damage in found:
            if damage is not None:
                text = say_damage(self.language, which, damage)
                self.notify(text, title=title, severity="warning", timeout=30, markup=False)
        if self.load_problem and self.load_damage is None:  # a store that only words it
            self.notify(self.load_problem, severity="warning", timeout=30, markup=False)
        journal_notes = self.journal.notes if self.journal.damage is None else []
        for note in (*self.notes, *journal_notes):
            self.notify(said(note, self.language), severity="warning", timeout=20, markup=False)

    # -- notices never cover a dialog ---------------------------------------------------------

    def _on_notify(self, event: Notify) -> None:
        """A notice raised while a dialog is open waits until it closes, and a passed
        step's notice replaces the one before it.

        Textual draws toasts over every screen, modal ones included, where they
        hid a prediction's choices (the previous step's explanation arrives just
        as the next step asks its question). Textual 8.2.8's own handler runs
        after this one unless the default is prevented.
        """
        if _passed(event.notification):
            # Only the newest step's notice stays: a stack of them covered the next
            # step's command at 80x24 (three lessons' notices came back at once).
            self._held_notices = [n for n in self._held_notices if not _passed(n)]
            for old in [n for n in self._notifications if _passed(n)]:
                del self._notifications[old]
        if isinstance(self.screen, ModalScreen) or self._dialog_coming:
            event.prevent_default()
            self._held_notices.append(event.notification)

    def set_notices_aside(self) -> None:
        """Take the notices off the screen now: a dialog opens over it next.

        A screen under a dialog keeps the picture it had when it was covered,
        toasts included, so they must be gone from that picture before the
        dialog opens (a passed step's notice arrives just as the next step
        asks its question). They come back when the dialog closes; if none
        opens within a second, they come back then.
        """
        self._dialog_coming = True
        self._hold_shown_notices()
        for rack in self.screen.query(ToastRack):
            rack.show(self._notifications)
        self._after(1.0, self._no_dialog_came)

    def _after(self, delay: float, callback: Callable[[], object]) -> None:
        """Call ``callback`` on the app in ``delay`` seconds, from the app's own context.

        A Textual timer copies the context it is set in: set while a lesson
        screen handles a message, its task named that screen (the active
        message pump, the screens drawn) until it fired. A lesson closed
        within that second outlived the collection meant to free it at a
        lesson switch (``tutor.screens.lesson_gc``), and the next lesson's
        first frame walked every object again to free it.
        """
        loop = asyncio.get_running_loop()
        loop.call_later(delay, self.call_next, callback, context=self._own_context)

    def _hold_shown_notices(self) -> None:
        """Notices already up go aside, to come back after the dialog for the time they had
        left (a notice read for seven of its eight seconds is not shown for eight more)."""
        for shown in self._notifications:
            if shown.time_left > 0:
                self._held_notices.append(replace(shown, timeout=shown.time_left))
        self._notifications.clear()

    def _unnotify(self, notification: Notification, refresh: bool = True) -> None:
        """A notice is gone: the screen is laid out and drawn again, whole, soon after.

        In the terminal play a toast whose notice had expired, gone from the app's
        notices and from the screen's widgets, sometimes stayed on the terminal
        until a key came: minutes, once ("The tutor is running it…" through all
        of lesson 10's last step), hiding the tabs and the step's own state.
        """
        super()._unnotify(notification, refresh)
        self._after(NOTICE_GONE_REDRAW, self._redraw_screen)

    def _redraw_screen(self) -> None:
        with contextlib.suppress(ScreenStackError):
            self.screen.refresh(layout=True)

    def _no_dialog_came(self) -> None:
        if self._dialog_coming:
            self._dialog_coming = False
            self._refresh_notifications()

    def _refresh_notifications(self) -> None:
        """Show the notices on the current screen: none on a dialog, the held ones after it."""
        if isinstance(self.screen, ModalScreen):
            self._dialog_coming = False
            self._hold_shown_notices()
            # Textual updates only the top screen's toasts; the screen below shows through
            # a dialog's translucent backdrop, so its toasts would still be drawn there.
            for below in self.screen_stack[:-1]:
                for rack in below.query(ToastRack):
                    self.call_later(rack.show, self._notifications)
        elif self._held_notices:
            held, self._held_notices = self._held_notices, []
            for old in held:
                self._notifications.add(
                    Notification(old.message, old.title, old.severity, old.timeout, old.markup)
                )
        super()._refresh_notifications()

    def exit_on_signals(self) -> None:
        """Leave like ``q`` does on SIGTERM (``kill``) and SIGHUP (the terminal closed).

        Called by :func:`tutor.launch.run_tutor` only, never under a test's
        Pilot: the handlers belong to the process. The containers started in
        the session are removed after the app has gone (``tutor.session_end``),
        since after a hang-up there is no screen left to show it on.
        """
        loop = asyncio.get_running_loop()
        for number, handler in ((signal.SIGTERM, self.exit), (signal.SIGHUP, self._hung_up)):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, handler)

    def _hung_up(self) -> None:
        """The terminal is gone: leave at once, after the clean-up.

        Nothing can be drawn or restored on a closed terminal, and Textual's
        orderly exit would wait on writes to it. Progress and the journal are
        saved as the learner goes, so only the session's containers are left
        to remove (``before_hard_exit``, set by ``run_tutor``).
        """
        with contextlib.suppress(OSError):
            self.progress.language = self.language
            self.store.save(self.progress)
        if self.before_hard_exit is not None:
            with contextlib.suppress(Exception):
                self.before_hard_exit()
        os._exit(128 + signal.SIGHUP)

    def on_unmount(self) -> None:
        if self.engine is not None:
            self.engine.close()
        # A lesson closed as the app quits pauses automatic collections (lesson_gc).
        gc.enable()

    # -- the engine ---------------------------------------------------------------

    def connect(self) -> None:
        """Try to reach the engine (in a thread); the answer comes as a message."""
        self.connecting = True
        self.refresh_bindings()
        self._connect_worker()

    @work(thread=True, exclusive=True, group="engine")
    def _connect_worker(self) -> None:
        try:
            engine = self._connect_engine()
            from tutor.engine import containers  # docker-py: after the first frame

            existing = frozenset(c.id for c in containers.ours(engine, self.namespace))
            runner, notes = self._make_runner(engine)
        except EngineError as exc:
            self.post_message(EngineDown(exc))
        except ValueError as exc:  # a parameter override of the wrong type
            self.post_message(EngineDown(EngineError(str(exc), "Fix the --param value.")))
        else:
            self.post_message(EngineReady(engine, runner, existing, notes))
        # Then what a lesson needs, still off the loop: opening the first lesson
        # need not wait for these imports. (One thread imports them after the
        # engine's: two importing the same modules at once could see them half made.)
        if not self._lesson_modules_frozen:
            self._lesson_modules_frozen = True
            for name in LESSON_MODULES:
                importlib.import_module(name)
            # Their modules (and docker-py's) live as long as the process too (on_ready);
            # not once a lesson is open: a screen frozen would stay after it closed.
            if not any(isinstance(screen, SessionScreen) for screen in self.screen_stack):
                gc.freeze()

    @on(EngineReady)
    def _engine_ready(self, message: EngineReady) -> None:
        was_down = self.engine_error is not None
        if self.engine is not None and self.engine is not message.engine:
            self.engine.close()
        self.engine, self.connecting = message.engine, False
        if self.existing_containers is None:
            self.existing_containers = message.existing
        self.runner = message.runner
        self.engine_error = None
        self.refresh_bindings()
        if was_down:
            self.notify(say(self.language, "banner.back"), markup=False)
        for note in message.notes:
            self.notify(said(note, self.language), severity="warning", timeout=15, markup=False)
        self._check_images(message.engine, dict(message.runner.params))

    @work(thread=True, exclusive=True, group="images")
    def _check_images(self, engine: Engine, params: Mapping[str, Value]) -> None:
        """Ask whether the images the course needs are here or pullable (never pulls)."""
        from tutor.prepare.needs import images_needed
        from tutor.prepare.plan import readiness

        with contextlib.suppress(EngineError):
            missing = tuple(readiness(engine, images_needed(self.course, params)))
            self.call_from_thread(setattr, self, "missing_images", missing)

    def watch_missing_images(self) -> None:
        self.refresh_bindings()

    def action_prepare(self) -> None:
        """Make the missing images present (pull, or stand-ins made here), with progress."""
        if self.engine is None or not self.missing_images:
            return
        from tutor.screens.prepare import PrepareScreen

        if isinstance(self.screen, SessionScreen):
            self.pop_screen()
        self.push_screen(PrepareScreen(self.engine, self.language), self._prepared)

    def _prepared(self, ready: bool | None) -> None:
        if ready:
            self.missing_images = ()
        self.connect()  # a new runner, with the stand-ins as parameters

    def use_params(self, changes: Mapping[str, Value]) -> None:
        """Use these parameter values from now on (the settings file keeps them)."""
        self.params.update(changes)
        if self._use_params is not None:
            self._use_params(changes)
        with contextlib.suppress(OSError):
            settings.update(dict(changes))

    @on(EngineDown)
    def _engine_down(self, message: EngineDown) -> None:
        self.engine_down(message.error)

    def engine_down(self, error: EngineError) -> None:
        """Show the banner: the engine is gone; lessons stay readable until retry."""
        if self.engine is not None:
            self.engine.close()
        self.engine, self.runner, self.connecting = None, None, False
        self.engine_error = error
        self.refresh_bindings()

    def watch_engine_error(self) -> None:
        # The retry key shows only while there is an error to retry.
        self.refresh_bindings()
        for screen in self._lesson_screens():
            screen.engine_state_changed(self.engine_error)

    def watch_connecting(self) -> None:
        self.refresh_bindings()
        for screen in self._lesson_screens():
            screen.connecting_changed(self.connecting)

    def _lesson_screens(self) -> list[SessionScreen]:
        """The mounted lesson screens on the stack (one, under any modal over it).

        A screen still mounting reads the current values itself once it is ready.
        """
        return [
            screen
            for screen in self.screen_stack
            if isinstance(screen, SessionScreen) and screen.is_mounted
        ]

    def action_retry_engine(self) -> None:
        """Try to reach the engine again (after the learner started Docker)."""
        if self.engine_error is not None and not self.connecting:
            self.connect()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_engine":
            return self.engine_error is not None and not self.connecting
        if action == "prepare":
            return bool(self.missing_images) and self.engine is not None
        return True

    # -- progress and language --------------------------------------------------------

    def save_progress(self) -> None:
        """Write the progress file; a failure is reported, never fatal."""
        self.progress.language = self.language
        try:
            self.store.save(self.progress)
        except OSError as exc:
            # A full disk is common enough on a lab machine to be said plainly; the
            # store leaves the previous file whole, and the progress stays in memory.
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            text = say(self.language, "step.disk_full") if full else None
            text = text or say(self.language, "step.saved", error=exc)
            self.notify(text, severity="error", timeout=20, markup=False)

    def watch_language(self) -> None:
        self.save_progress()
        self.refresh_bindings()  # the footer's key words are in the language too
        for screen in self._lesson_screens():
            screen.language_changed(self.language)

    def action_switch_language(self) -> None:
        """Switch the lessons and the screens to the course's next language."""
        languages = list(self.course.languages) or [self.language]
        index = languages.index(self.language) if self.language in languages else -1
        self.language = languages[(index + 1) % len(languages)]

    @property
    def current_params(self) -> Mapping[str, Value]:
        """The parameters in effect: the runner's (adjusted for this engine) once connected."""
        return self.runner.params if self.runner is not None else self.params

    def resume_target(self) -> tuple[str, str] | None:
        """The lesson and step to continue with (see ``tutor.course.step_flow.resume_target``)."""
        return resume_target(self.course, self.progress)

    @on(OpenLesson)
    def _asked_to_open(self, message: OpenLesson) -> None:
        self.open_lesson(message.lesson_id, message.step_id)

    @on(SaveProgress)
    def _asked_to_save(self) -> None:
        self.save_progress()

    @on(UseParams)
    def _given_params(self, message: UseParams) -> None:
        self.use_params(message.changes)

    def open_lesson(self, lesson_id: str, step_id: str = "") -> None:
        """Open a lesson at ``step_id`` (default: its first step not done)."""
        lesson = self.course.lesson(lesson_id)
        if lesson is None:
            return
        from tutor.screens import lesson_gc
        from tutor.screens.lesson import LessonScreen  # loaded already, in a thread (on_ready)

        screen = LessonScreen(lesson, step_id)
        if isinstance(self.screen, SessionScreen):
            self.call_later(self._replace_lesson, screen)
        else:
            lesson_gc.collect_closed(self)  # one closed just before: not walked with this one
            self.push_screen(screen)
        if self.missing_images:
            names = ", ".join(o.needed.image for o in self.missing_images)
            text = say(
                self.language, "images.missing", count=len(self.missing_images), images=names
            )
            self.notify(text, severity="warning", timeout=15, markup=False)

    async def _replace_lesson(self, screen: Screen[Any]) -> None:
        """Close the open lesson, collect what it left, then open ``screen``.

        The collection comes between the two (see ``lesson_gc``), so that it
        does not walk the new lesson's first frame too. Updates are held
        meanwhile: the list of lessons, on top for that moment, is not drawn.
        Keys wait in the app's queue until this ends.
        """
        from tutor.screens import lesson_gc

        with self.batch_update():
            try:
                if isinstance(self.screen, SessionScreen):
                    self.replacing_lesson = True
                    ending = lesson_gc.workers_of(self, self.screen)
                    await self.pop_screen()
                    await lesson_gc.until_finished(ending, self.threads)
            finally:
                self.replacing_lesson = False
            lesson_gc.collect_closed(self)
            # Pushing styles the new screen at once (20-40 ms): in a step of the loop of
            # its own, not added to the collection's, as the longest stall of the switch.
            await asyncio.sleep(0)
            await self.push_screen(screen)

    # -- help and quitting ----------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key, those of the current screen first."""
        from tutor.screens.help import HelpScreen, KeySection
        from tutor.screens.lesson import LessonScreen
        from tutor.screens.prediction import PredictionScreen

        if isinstance(self.screen, HelpScreen):
            return
        screens: list[tuple[str, type[Screen[Any]]]] = [
            ("Lesson", LessonScreen),
            ("Course", CourseScreen),
            ("Prediction", PredictionScreen),
        ]
        current = type(self.screen)
        screens.sort(key=lambda pair: pair[1] is not current)
        sections = [KeySection(name, tuple(cls.BINDINGS)) for name, cls in screens]
        sections.append(KeySection("Everywhere", tuple(self.BINDINGS)))
        sections.extend(LessonScreen.panel_keys())
        self.push_screen(HelpScreen(sections, self.language))

    async def action_quit(self) -> None:
        """Quit; first remove the containers started in this session, unless kept.

        A second quit while that clean-up runs leaves at once.
        """
        if self.engine is None or self.keep_containers or self.quitting:
            self.exit()
            return
        self.quitting = True
        self._clean_up_and_exit(self.engine)

    @work(thread=True, exclusive=True, group="quit")
    def _clean_up_and_exit(self, engine: Engine) -> None:
        from tutor.engine import containers
        from tutor.session_end import started_containers

        before = self.existing_containers or frozenset()
        with contextlib.suppress(EngineError):
            mine = started_containers(engine, self.namespace, before)
            if mine:
                text = say(self.language, "quit.cleaning", count=len(mine))
                self.call_from_thread(self.notify, text, markup=False)
            for info in mine:
                with contextlib.suppress(EngineError):
                    containers.remove(engine, info.id, namespace=self.namespace)
        self.call_from_thread(self.exit)


def say_damage(language: str, which: str, damage: Damage) -> str:
    """A damaged user file, said in the learner's language.

    Args:
        language: A lesson language.
        which: ``progress`` or ``journal``.
        damage: What :mod:`tutor.user_files` found, and where the file went.

    Returns:
        One sentence or two; the detail of a file whose content was wrong (the
        line the format stopped at) is added as the reader wrote it.
    """
    why = say(language, f"damage.{damage.reason}")
    if damage.reason == "wrong-content" and damage.detail:
        why = f"{why}: {damage.detail}"
    if damage.backup is not None:
        kept = say(language, "damaged.kept", backup=damage.backup.name)
    else:
        kept = say(language, "damaged.not_kept")
    return say(language, f"damaged.{which}", why=why, kept=kept)


def _passed(notification: Notification) -> bool:
    """Whether a notice says a step passed (its title starts with the mark)."""
    return notification.title.startswith(PASSED_MARK)
