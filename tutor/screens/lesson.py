"""The lesson screen: the prose, the current step, and panels that show the engine's state.

A step advances when its check passes, whoever did the work: the tutor (key
t) or the learner in another terminal. The screen follows the engine's
events and re-checks the current step on each, in a thread worker; every
Docker call runs in a worker that only posts messages back.

Narrow terminals get the panels as tabs; from :data:`WIDE` columns and rows
they are laid out side by side (the same widgets, so nothing is lost).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.events import Resize
from textual.widgets import Footer, Header, Input, Markdown, TabbedContent, TabPane
from textual.worker import get_current_worker

from tutor.engine.errors import EngineError
from tutor.engine.events import EngineEvent, watch
from tutor.engine.labels import NAMESPACE_LABEL
from tutor.i18n import say
from tutor.messages import (
    EngineChanged,
    EngineDown,
    LessonPrepared,
)
from tutor.screens.help import KeySection
from tutor.screens.lesson_engine import DIFF_POLL, LessonEngineWork
from tutor.screens.panel_data import original_files
from tutor.screens.render_caches import forget_closed_widgets
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

if TYPE_CHECKING:
    from tutor.course.runner import LessonRunner
    from tutor.engine.connection import Engine

#: The panes, in tab order: (name, words key). Keys 1-8 jump to them.
PANES = (
    ("lesson", "panel.lesson"),
    ("files", "panel.files"),
    ("layers", "panel.layers"),
    ("build", "panel.build"),
    ("containers", "panel.containers"),
    ("diff", "panel.diff"),
    ("history", "panel.history"),
    ("push", "panel.push"),
)
#: From this many columns and rows the panels are shown side by side.
WIDE = (130, 34)


class LessonScreen(LessonEngineWork):
    """One lesson, opened at a step (default: the first one not done yet).

    Args:
        lesson: The lesson.
        step_id: The step to start at ("" for the first one not done).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "run_step", "Run for me"),
        Binding("h", "hint", "Hint"),
        Binding("c", "check", "Check"),
        Binding("p", "predict", "Predict"),
        Binding("n", "next_lesson", "Next lesson"),
        Binding("y", "copy_command", "Copy command", show=False),
        Binding("escape", "back", "Back"),
        Binding("1", "show_pane(0)", "Panels", key_display="1-8"),
        *(Binding(str(n), f"show_pane({n - 1})", show=False) for n in range(2, 9)),
    ]

    @classmethod
    def panel_keys(cls) -> list[KeySection]:
        """The keys of the panels, for the help screen."""
        panels = (
            ("Files panel", FilesView),
            ("Layers panel", LayerStack),
            ("Build panel", BuildLog),
            ("Containers panel", ContainersPanel),
            ("Diff panel", DiffView),
            ("History panel", HistoryTable),
        )
        return [KeySection(name, tuple(panel.BINDINGS)) for name, panel in panels]

    def compose(self) -> ComposeResult:
        lang = self.tutor.language
        yield Header()
        yield EngineBanner(lang, id="banner")
        with Container(id="lesson-body"):
            with Vertical(id="reading"):
                yield StepPanel(lang, id="step")
                with VerticalScroll(id="prose-side"):
                    yield Markdown(id="prose-side-text")
            with TabbedContent(id="panels"):
                with (
                    TabPane(say(lang, "panel.lesson"), id="pane-lesson"),
                    VerticalScroll(id="prose"),
                ):
                    yield Markdown(id="prose-text")
                with TabPane(say(lang, "panel.files"), id="pane-files"):
                    yield FilesView(language=lang, id="files")
                with TabPane(say(lang, "panel.layers"), id="pane-layers"):
                    yield LayerStack(language=lang, id="layers")
                with TabPane(say(lang, "panel.build"), id="pane-build"):
                    yield BuildLog(language=lang, id="build")
                with TabPane(say(lang, "panel.containers"), id="pane-containers"):
                    yield ContainersPanel(language=lang, id="containers")
                with TabPane(say(lang, "panel.diff"), id="pane-diff"):
                    yield DiffView(language=lang, id="diff")
                with TabPane(say(lang, "panel.history"), id="pane-history"):
                    yield HistoryTable(language=lang, id="history")
                with TabPane(say(lang, "panel.push"), id="pane-push"):
                    yield PushLog(language=lang, id="push")
        yield Footer()

    async def on_mount(self) -> None:
        self._start_at(self.start_step)
        self._set_layout(self.size.width, self.size.height)
        # The prose is in place before a prediction can cover it.
        await self._show_texts()
        # The app tells open lesson screens when these change (language_changed,
        # engine_state_changed): a watch on the app would keep every closed
        # lesson screen, with all its panels, alive until the value next changed.
        self.engine_state_changed(self.tutor.engine_error)
        self._enter_step()
        self.set_interval(DIFF_POLL, self.poll_diff)

    def on_unmount(self) -> None:
        forget_closed_widgets(self.app)  # Textual would keep parts of this screen

    def on_resize(self, event: Resize) -> None:
        if self._closing:  # the learner left: the panes may already be gone
            return
        self._set_layout(event.size.width, event.size.height)

    def _set_layout(self, width: int, height: int) -> None:
        wide = width >= WIDE[0] and height >= WIDE[1]
        if wide == self.wide and self.is_mounted and self.has_class("-laid-out"):
            return
        self.wide = wide
        self.set_class(wide, "-wide")
        self.add_class("-laid-out")
        tabs = self.query_one(TabbedContent)
        for pane in self.query(TabPane):
            # Side by side every pane shows (the prose moves next to the step);
            # as tabs only the active one does.
            pane.display = pane.id != "pane-lesson" if wide else pane.id == tabs.active
            pane.border_title = pane.id and say(self.tutor.language, f"panel.{pane.id[5:]}")
        self.query_one("#prose-side").display = wide
        self._show_prose()

    def show_pane(self, name: str | None, *, focus: bool = False) -> None:
        """Bring a pane forward (tabs) and optionally move the focus into it."""
        if name is None:
            return
        pane = self.query_one(f"#pane-{name}", TabPane)
        if not self.wide:
            self.query_one(TabbedContent).active = f"pane-{name}"
        if focus:
            target = self.query_one("#prose-side") if self.wide and name == "lesson" else pane
            for widget in target.query("*"):
                if widget.focusable:
                    widget.focus()
                    break

    def _show_texts(self) -> AwaitComplete:
        lang = self.tutor.language
        self.title = self.lesson.title_in(lang)
        self.sub_title = self.tutor.namespace
        tabs = self.query_one(TabbedContent)
        for name, key in PANES:
            tabs.get_tab(f"pane-{name}").label = say(lang, key)
            self.query_one(f"#pane-{name}").border_title = say(lang, key)
        self._prose = self._fill(self.lesson.prose_in(lang))
        return self._show_prose()

    def _show_prose(self) -> AwaitComplete:
        """Put the prose in the copy the layout shows: its tab, or beside the step.

        Only that one is filled; the other when the layout switches to it. Each
        copy is some thirty widgets, and a lesson opened wide waited for both.
        """
        shown = self.query_one("#prose-side-text" if self.wide else "#prose-text", Markdown)
        if self._prose is None or shown.source == self._prose:
            return AwaitComplete()
        return AwaitComplete(shown.update(self._prose))

    def language_changed(self, language: str) -> None:
        """Say everything again in LANGUAGE (the app calls this on its open lesson screens)."""
        self._show_texts()
        self.query_one(EngineBanner).set_language(language)
        # Every panel says its own words again; what the engine said stays as it is.
        self.query_one(FilesView).set_language(language)
        self.query_one(LayerStack).set_language(language)
        self.query_one(BuildLog).set_language(language)
        self.query_one(ContainersPanel).set_language(language)
        self.query_one(DiffView).set_language(language)
        self.query_one(HistoryTable).set_language(language)
        self.query_one(PushLog).set_language(language)
        panel = self.query_one(StepPanel)
        panel.set_language(language)
        step = self._step()
        if step is not None:
            panel.show(self._view(step), fresh=False)
        else:
            self._show_complete()

    def engine_state_changed(self, error: EngineError | None) -> None:
        """Show the banner or follow the engine (the app calls this when it comes or goes)."""
        self.query_one(EngineBanner).show_error(error)
        runner = self.tutor.runner
        if error is not None or runner is None:
            self._show_files(original_files(self.lesson, self.tutor.current_params))
            step = self._step()
            if step is not None and not self._needs_prediction(step):
                self.query_one(StepPanel).set_state(StepState.OFFLINE)
            return
        self._follow(runner.engine)
        self._prepare(runner)

    @work(thread=True, exclusive=True, group="events")
    def _follow(self, engine: Engine) -> None:
        worker = get_current_worker()
        try:
            for event in watch(engine, cancel=worker.cancelled_event):
                if worker.is_cancelled:
                    return
                if self._relevant(event):
                    self.post_message(EngineChanged(event))
        except EngineError as exc:
            if not worker.is_cancelled:
                self.post_message(EngineDown(exc))

    def _relevant(self, event: EngineEvent) -> bool:
        """Events of other learners' tutor objects cannot change this learner's step."""
        owner = event.attributes.get(NAMESPACE_LABEL)
        return owner is None or owner == self.tutor.namespace

    @work(thread=True, exclusive=True, group="prepare")
    def _prepare(self, runner: LessonRunner) -> None:
        try:
            notes = runner.prepare(self.lesson)
        except (EngineError, OSError) as exc:
            notes = [str(exc)]
        self.post_message(LessonPrepared(self.lesson.id, notes))

    @on(LessonPrepared)
    def _prepared(self, message: LessonPrepared) -> None:
        self.prepared = True
        for note in message.notes:
            self.notify(note, severity="warning", timeout=10, markup=False)
        step = self._step()
        if step is not None and not self._needs_prediction(step):
            self._ready(step)
        self.refresh_panels()
        if self.run_when_prepared:
            self.run_when_prepared = False
            self.action_run_step()

    @on(EngineChanged)
    def _engine_changed(self, message: EngineChanged) -> None:
        step = self._step()
        if step is not None and not self._needs_prediction(step) and not self._waits(step):
            self.check_step()
        self.refresh_panels()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = self._step()
        if action == "run_step":
            return step is not None and step.action is not None and not self._needs_prediction(step)
        if action == "predict":
            return step is not None and step.prediction is not None and self._answer(step) is None
        if action == "next_lesson":
            return step is None and self._next_lesson() is not None
        if action in ("hint", "check", "copy_command"):
            return step is not None
        return True

    def action_hint(self) -> None:
        """Open the next hint of the step, one at a time."""
        if not self.query_one(StepPanel).next_hint():
            self.notify(say(self.tutor.language, "step.no_hints"), markup=False)

    def action_copy_command(self) -> None:
        """Copy the step's command to the clipboard (works over SSH in most terminals)."""
        view = self.query_one(StepPanel).view
        if view is not None and view.command:
            self.app.copy_to_clipboard(view.command)
            self.notify(view.command, title=say(self.tutor.language, "step.copied"), markup=False)

    def action_next_lesson(self) -> None:
        """Open the next lesson of the course."""
        following = self._next_lesson()
        if following is not None:
            self.tutor.open_lesson(following.id)

    def action_back(self) -> None:
        """Leave the command line if in it; otherwise back to the list of lessons."""
        if isinstance(self.focused, Input):
            self.set_focus(None)
            return
        self.app.pop_screen()

    def action_show_pane(self, index: int) -> None:
        """Bring panel ``index`` (0-based, in tab order) forward and focus it."""
        if 0 <= index < len(PANES):
            self.show_pane(PANES[index][0], focus=True)
