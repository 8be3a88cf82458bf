"""The lesson screen: the prose, the current step, and the panels, laid out and kept in step.

It is made of three parts, each with one job:

* :class:`~tutor.course.step_flow.StepFlow` (Textual-free) knows where the
  learner is, whether a prediction comes first and what a check result means;
* :class:`~tutor.screens.panel_deck.PanelDeck` holds the panels
  (:data:`~tutor.screens.panels.PANELS`) and reads what they show;
* this screen lays them out (tabs when narrow, side by side from
  :data:`WIDE`), routes the keys, and runs the step's work in thread workers:
  checks, the tutor's run of a step, the lesson's files, and the engine's
  events (a step advances when its check passes, whoever did the work).

Every Docker call runs in a worker that only posts messages back.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.await_remove import AwaitRemove
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.events import Resize, ScreenResume
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Markdown
from textual.worker import get_current_worker

from tutor.course.model import Lesson, Step
from tutor.course.panel_data import original_files
from tutor.course.runner import ActionDone, ActionFailed, CheckResult
from tutor.course.step_flow import StepFlow
from tutor.course.vocabulary import fill_known
from tutor.course.workspace import Workspace, shown_path
from tutor.engine.errors import EngineError
from tutor.engine.events import EngineEvent, watch
from tutor.engine.labels import NAMESPACE_LABEL
from tutor.i18n import say
from tutor.messages import (
    ActionFinished,
    ActionProgress,
    EngineChanged,
    EngineDown,
    LessonPrepared,
    OpenLesson,
    SaveProgress,
    StepChecked,
)
from tutor.screens import lesson_gc, panels
from tutor.screens.help import KeySection
from tutor.screens.panel_deck import DIFF_POLL, PanelDeck
from tutor.screens.panels import PANELS
from tutor.screens.prediction import OutcomeScreen, PredictionScreen
from tutor.screens.render_caches import forget_closed_widgets
from tutor.screens.session import PASSED_MARK, SessionScreen
from tutor.sentence import Sentence, said
from tutor.widgets.after_refresh import after_refresh
from tutor.widgets.engine_banner import EngineBanner
from tutor.widgets.inline import inline_markup
from tutor.widgets.key_footer import KeyFooter
from tutor.widgets.step_panel import StepPanel, StepState, StepView
from tutor.widgets.title_header import TitleHeader

if TYPE_CHECKING:
    from collections.abc import Callable

    from tutor.course.runner import LessonRunner
    from tutor.engine.connection import Engine
    from tutor.screens.session import TutorSession

#: From this many columns and rows the panels are shown side by side.
WIDE = (130, 40)


def is_wide(width: int, height: int) -> bool:
    """Whether a screen this size shows the panes side by side (see :data:`WIDE`)."""
    return width >= WIDE[0] and height >= WIDE[1]


#: Panes that only some lessons use, with the action that uses them: side by side,
#: the first one the lesson uses takes the Diff's lower rows, and the others are hidden.
OCCASIONAL_PANES = {"push": "push", "images": "list_images"}


class LessonScreen(SessionScreen):
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
        Binding("Y", "copy_folder", "Copy folder", show=False),
        Binding("escape", "back", "Back"),
        # A number key per panel of the registry (tutor.screens.panels), up to nine.
        Binding("1", "show_pane(0)", "Panels", key_display=f"1-{len(PANELS)}"),
        *(Binding(str(n), f"show_pane({n - 1})", show=False) for n in range(2, 10)),
    ]

    #: No focus on the first focusable widget: the lesson's text takes it on mount
    #: (see _lay_out), and each move of the focus restyles what it leaves and enters.
    AUTO_FOCUS = ""

    def __init__(self, lesson: Lesson, step_id: str = "") -> None:
        super().__init__()
        self.lesson = lesson
        self.start_step = step_id
        self.wide = False
        self._dialog_pending = False  # a question or outcome waits for the next refresh
        #: The occasional pane this lesson uses (see OCCASIONAL_PANES), set on mount.
        self.occasional: str | None = None
        #: Set on mount, from the learner's progress.
        self.flow: StepFlow | None = None
        #: The lesson's prose in the learner's language, once the screen has said it.
        self._prose: str | None = None
        self._checking = self._check_again = False
        #: Whether the first frame was drawn (see lesson_gc).
        self._shown = False
        #: Whether the screen came to the top once (see _on_screen_resume), and
        #: whether it was told the size of its first layout (see on_resize).
        self._resumed = self._sized = False

    @classmethod
    def panel_keys(cls) -> list[KeySection]:
        """The keys of the panels, for the help screen."""
        return [KeySection(panel.help, panel.bindings()) for panel in panels.PANELS if panel.help]

    @property
    def tutor(self) -> TutorSession:
        """The app, typed."""
        return cast("TutorSession", self.app)

    @property
    def steps(self) -> StepFlow:
        """The step flow (made when the screen mounts)."""
        assert self.flow is not None
        return self.flow

    @property
    def deck(self) -> PanelDeck:
        """The panels."""
        return self.query_one(PanelDeck)

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The screen's classes are set before its children mount: each change after
        # restyles every widget in it (three times over, when it was done on mount).
        kinds = {step.action.kind for step in self.lesson.steps if step.action is not None}
        self.occasional = next((p for p, kind in OCCASIONAL_PANES.items() if kind in kinds), None)
        self.set_class(self.occasional is not None, "-occasional")
        self.wide = is_wide(self.app.size.width, self.app.size.height)
        self.set_class(self.wide, "-wide")
        lang = self.tutor.language
        yield TitleHeader()
        yield EngineBanner(lang, id="banner")
        with Container(id="lesson-body"):
            with Vertical(id="reading"):
                yield StepPanel(lang, id="step")
                with VerticalScroll(id="prose-side"):
                    yield Markdown(id="prose-side-text")
            yield PanelDeck(self.lesson, lang, wide=self.wide, id="panels")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.flow = StepFlow(self.lesson, self.tutor.progress)
        self.flow.start_at(self.start_step)
        self._lay_out()
        # The prose is in place before a prediction can cover it.
        await self._show_texts()
        # The app tells open lesson screens when these change (language_changed,
        # engine_state_changed): a watch on the app would keep every closed
        # lesson screen, with all its panels, alive until the value next changed.
        self.engine_state_changed(self.tutor.engine_error)
        self.connecting_changed(self.tutor.connecting)
        self._enter_step()
        self.set_interval(DIFF_POLL, self.deck.poll_diff)
        # The screen's objects live as long as it: no collection walks them again (see
        # lesson_gc). The panels not shown are composed after the first frame, one per frame.
        after_refresh(self, self._first_frame)

    def _on_screen_resume(self, event: ScreenResume) -> None:
        """Textual styles a screen again each time it comes back to the top.

        The first time is as it opens, a moment after every widget in it was styled
        as it mounted: styling them all again made that moment a tenth of a second
        longer. Textual's own handler, called after this one, still lays it out.
        """
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _first_frame(self) -> None:
        if self._closing or self._shown:
            return
        self._shown = True
        lesson_gc.lesson_drawn(self.app)
        self.deck.compose_rest(partial(lesson_gc.lesson_drawn, self.app))

    def remove(self) -> AwaitRemove:
        """Close: what the screen holds in lines and data goes first (see lesson_gc)."""
        if self.is_mounted:
            self.deck.forget()
            lesson_gc.drop_drawn_lines(self)
        return super().remove()

    def on_unmount(self) -> None:
        forget_closed_widgets(self.app)  # Textual would keep parts of this screen
        # And the collector may free it now.
        lesson_gc.lesson_closed(self.app, self, replaced=self.tutor.replacing_lesson)

    def on_resize(self, event: Resize) -> None:
        if self._closing:  # the learner left: the panes may already be gone
            return
        if not self._sized:
            # The first one is Textual telling the screen the size of its first layout,
            # which its own handler (skipped) answers with the same layout again: the
            # longest part of opening a lesson wide, after the collection.
            self._sized = True
            event.prevent_default()
        self._set_layout(event.size.width, event.size.height)

    def _set_layout(self, width: int, height: int) -> None:
        wide = is_wide(width, height)
        if wide != self.wide:
            self.wide = wide
            self._lay_out()
            self.set_class(wide, "-wide")  # restyles it all, with the panes' new classes

    def _lay_out(self) -> None:
        """Tabs, or the panes side by side, as ``wide`` says."""
        wide = self.wide
        self.deck.set_wide(wide)
        for name in OCCASIONAL_PANES if wide else ():
            # Shown beside the others only in a lesson that uses it; else the Diff takes its rows.
            if name != self.occasional:
                self.query_one(f"#pane-{name}").display = False
        self.query_one("#prose-side").display = wide
        self._show_prose()
        focused = self.focused
        if focused is None or not focused.display or not focused.region:
            # The lesson's text scrolls with the keys from the start (PageDown did
            # nothing until a panel was chosen); a hidden copy must not keep the focus.
            # At once, not after the text is in: then it restyled the text's forty widgets.
            self.set_focus(self.query_one("#prose-side" if wide else "#prose"))

    def show_pane(self, name: str | None, *, focus: bool = False) -> None:
        """Bring a pane forward (tabs) and optionally move the focus into it."""
        pane = self.deck.bring_forward(name)
        if pane is None or not focus:
            return
        if self.wide and name == "lesson":
            self._focus_first(self.query_one("#prose-side"))
        elif name in self.deck.widgets:  # once it is composed (at once when it was)
            self.deck.on_panel(name, lambda _: self._focus_first(pane))
        else:
            self._focus_first(pane)

    @staticmethod
    def _focus_first(target: Widget) -> None:
        for widget in target.query("*"):
            if widget.focusable:
                widget.focus()
                break

    def _fill(self, text: str) -> str:
        return fill_known(text, self.tutor.current_params)

    def _show_texts(self) -> AwaitComplete:
        lang = self.tutor.language
        self.title = self.lesson.title_in(lang)
        self.sub_title = self.tutor.namespace
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
        self.deck.set_language(language)
        panel = self.query_one(StepPanel)
        panel.set_language(language)
        step = self.steps.step
        if step is not None:
            panel.show(self._view(step), fresh=False)
        else:
            self._show_complete()

    # -- the engine comes and goes --------------------------------------------------------

    def connecting_changed(self, connecting: bool) -> None:
        """Say in the banner whether the tutor is reaching the engine now."""
        self.query_one(EngineBanner).show_connecting(connecting)

    def engine_state_changed(self, error: EngineError | None) -> None:
        """Show the banner or follow the engine (the app calls this when it comes or goes)."""
        self.query_one(EngineBanner).show_error(error)
        runner = self.tutor.runner
        self.deck.use_runner(runner if error is None else None)
        if error is not None or runner is None:
            self.deck.show_files(original_files(self.lesson, self.tutor.current_params))
            step = self.steps.step
            if step is not None and not self.steps.needs_prediction(step):
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
        self.steps.prepared = True
        for note in message.notes:
            self.notify(
                said(note, self.tutor.language), severity="warning", timeout=10, markup=False
            )
        step = self.steps.step
        if step is not None and not self.steps.needs_prediction(step):
            self._ready(step)
        self.refresh_panels()
        if self.steps.run_when_prepared:
            self.steps.run_when_prepared = False
            self.action_run_step()

    @on(EngineChanged)
    def _engine_changed(self, message: EngineChanged) -> None:
        step = self.steps.step
        if (
            step is not None
            and not self.steps.needs_prediction(step)
            and not self.steps.waits(step)
        ):
            self.check_step()
        self.refresh_panels()

    def refresh_panels(self) -> None:
        """Read the panels' engine state again for the current step."""
        self.deck.refresh_panels(self.steps.index)

    # -- the steps ---------------------------------------------------------------------------

    def _view(self, step: Step) -> StepView:
        words = step.words(self.tutor.language)
        runner = self.tutor.runner
        command = runner.command_for(step) if runner else self._fill(step.command)
        return StepView(
            number=self.steps.index + 1,
            total=len(self.lesson.steps),
            title=self._fill(words.title),
            body=self._fill(words.body),
            command=command,
            can_run=step.action is not None,
            hints=tuple(self._fill(hint) for hint in words.hints),
            folder=self._folder(),
        )

    def _folder(self) -> str:
        """The lesson's folder as the learner would type it ("" without files)."""
        if not self.lesson.files:
            return ""
        return shown_path(Workspace(self.tutor.workspace_root).folder(self.lesson.id))

    def _enter_step(self) -> None:
        step = self.steps.enter()
        if step is None:
            self._show_complete()
            return
        self.post_message(SaveProgress())
        panel = self.query_one(StepPanel)
        drawn = panel.show(self._view(step))
        self.refresh_bindings()
        if self.steps.needs_prediction(step):
            panel.set_state(StepState.PREDICT_FIRST)
            self.call_next(self._predict_when_drawn, drawn)
        else:
            self._ready(step)
        self.refresh_panels()

    def _ready(self, step: Step) -> None:
        """The step can be decided now: check it, unless it waits for a run."""
        answer, journal = self.steps.answer(step), self.tutor.journal
        if answer is not None and journal.answer(self.lesson.id, step.id) is None:
            self._record(step, answer)  # the journal was reset; the progress remembers
        panel = self.query_one(StepPanel)
        if self.tutor.runner is None:
            panel.set_state(StepState.OFFLINE)
            return
        if self.steps.waits(step):
            panel.set_state(StepState.RUN_OR_CHECK)
        else:
            panel.set_state(StepState.WAITING)
            self.check_step()

    def _record(self, step: Step, choice: int) -> None:
        self.steps.record_answer(step, choice)
        self.post_message(SaveProgress())
        try:
            self.tutor.journal.record_answer(self.lesson.id, step.id, choice)
        except OSError as exc:
            self.notify(
                say(self.tutor.language, "step.saved", error=exc), severity="error", markup=False
            )

    def check_step(self) -> None:
        """Check the current step on the engine; one check at a time, and a request
        that comes during a check runs once it is over (events come in bursts)."""
        runner, step = self.tutor.runner, self.steps.step
        if runner is None or step is None:
            return
        if self._checking:
            self._check_again = True
            return
        self._checking, self._check_again = True, False
        self._check_worker(runner, step)

    @work(thread=True, exclusive=True, group="check")
    def _check_worker(self, runner: LessonRunner, step: Step) -> None:
        try:
            result = runner.check(self.lesson, step)
        except EngineError as exc:
            result = CheckResult(False, exc.message)
        self.post_message(StepChecked(self.lesson.id, step.id, result))

    @on(StepChecked)
    def _checked(self, message: StepChecked) -> None:
        self._checking = False
        step = self.steps.step
        if step is not None and message.step_id == step.id and message.result.passed:
            self._passed(step, message.result)
            return
        if self.steps.says_not_yet(message.step_id):
            state = StepState.NOT_YET if self.steps.explicit else StepState.WAITING
            self.query_one(StepPanel).set_state(state, message.result.detail)
        if self._check_again:
            self.check_step()

    def _passed(self, step: Step, result: CheckResult) -> None:
        if not self.steps.pass_step(step):
            return
        self.post_message(SaveProgress())
        self.query_one(StepPanel).set_state(StepState.PASSED)
        lang = self.tutor.language
        words = step.words(lang)
        if step.prediction is None:
            if words.explanation.strip():
                title = f"{PASSED_MARK}{self._fill(words.title)}"  # a title is never markup
                explanation = inline_markup(self._fill(words.explanation))
                self.notify(explanation, title=title, timeout=8, markup=True)
            self._advance()
            return
        outcome = OutcomeScreen(
            self._fill(words.question),
            [self._fill(choice) for choice in words.choices],
            chosen=self.steps.answer(step),
            answer=step.prediction.answer,
            explanation=self._fill(words.explanation),
            happened=said(what_happened(step, result), lang),
            language=lang,
        )
        self._open_dialog(outcome, lambda _: self._advance())

    def _advance(self) -> None:
        self.steps.advance()
        self._enter_step()

    def _show_complete(self) -> None:
        following = self.steps.finish(self.tutor.course)
        self.post_message(SaveProgress())
        key = "lesson.complete" if following else "lesson.last"
        self.query_one(StepPanel).show_finished(say(self.tutor.language, key))
        self.refresh_bindings()

    async def _predict_when_drawn(self, drawn: AwaitComplete) -> None:
        """Ask once the step's text is on screen: the question covers the lesson,
        and a screen under a modal keeps the picture it had when covered."""
        await drawn
        after_refresh(self, self.action_predict)

    # -- the tutor runs the step ----------------------------------------------------------

    def action_run_step(self) -> None:
        """Let the tutor do the step (the panels show what it does)."""
        step, runner, lang = self.steps.step, self.tutor.runner, self.tutor.language
        if step is None or step.action is None:
            return
        if runner is None:
            self.notify(say(lang, "step.offline"), severity="warning", markup=False)
            return
        if self.steps.needs_prediction(step):
            self.action_predict()
            return
        if self.steps.running:  # a second t would cancel the run half-way
            self.notify(say(lang, "step.running"), markup=False)
            return
        if not self.steps.prepared:  # building before the files are there would fail
            self.steps.run_when_prepared = True
            self.notify(say(lang, "step.preparing"), markup=False)
            return
        self.steps.begin_run()
        panel = self.query_one(StepPanel)
        panel.show_output([])
        panel.set_state(StepState.RUNNING)
        args = step.action.args
        reference = f"{args.get('repository', '')}:{args.get('tag') or 'latest'}"
        self.deck.start_run(step.action.kind, self._fill(reference))
        self._perform(runner, step)

    @work(thread=True, exclusive=True, group="action")
    def _perform(self, runner: LessonRunner, step: Step) -> None:
        worker = get_current_worker()
        burst = ActionProgress(self.lesson.id, step.id)
        ok, text, hint = False, "", ""
        for event in runner.perform(self.lesson, step, cancel=worker.cancelled_event):
            if isinstance(event, ActionDone):
                ok, text = True, event.summary
            elif isinstance(event, ActionFailed):
                ok, text, hint = False, event.message, event.hint
            else:
                burst.buffer.put(event)
                self.post_message(ActionProgress(self.lesson.id, step.id, burst.buffer))
        if not worker.is_cancelled:
            self.post_message(ActionFinished(self.lesson.id, step.id, ok, text, hint))

    @on(ActionProgress)
    def _action_progress(self, message: ActionProgress) -> None:
        lines = self.deck.stream(message.buffer.drain())  # the panels show every run
        step = self.steps.step
        if step is None or step.id != message.step_id:
            # The engine's events can pass a step before its run has printed its last
            # lines (an image removed, then "Deleted: ..."); they are not the next step's.
            return
        self.steps.output.extend(lines)
        self.query_one(StepPanel).show_output(self.steps.output)

    @on(ActionFinished)
    def _action_finished(self, message: ActionFinished) -> None:
        if not self.steps.run_ended(message.step_id, message.ok):
            return
        step = self.steps.step
        assert step is not None and step.action is not None
        panel = self.query_one(StepPanel)
        if not message.ok:
            panel.set_state(StepState.FAILED, message.text)
            if message.hint:
                hint = said(message.hint, self.tutor.language)
                self.notify(hint, severity="warning", timeout=10, markup=False)
            self.refresh_panels()
            return
        output = self.steps.output
        panel.show_output([*output, Sentence("step.ran", text=message.text)])
        name = self._fill(str(step.action.args.get("container", "")))
        self.deck.show_run_output(step.action.kind, name, "\n".join(output))
        panel.set_state(StepState.CHECKING)
        self.check_step()
        self.refresh_panels()

    # -- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_pane":
            return bool(parameters) and int(str(parameters[0])) < len(panels.PANELS)
        if self.flow is None:
            return action not in ("run_step", "predict", "next_lesson")
        return self.flow.allows(action, self.tutor.course)

    def action_predict(self) -> None:
        """Answer the step's prediction question (asked before the step runs)."""
        step = self.steps.step
        if step is None or step.prediction is None or isinstance(self.app.screen, PredictionScreen):
            return  # the question is already asked
        lang = self.tutor.language
        words = step.words(lang)

        def answered(choice: int | None) -> None:
            if choice is None or self.steps.step is not step:
                return
            self._record(step, choice)
            self.refresh_bindings()
            self._ready(step)

        question = PredictionScreen(
            self._fill(words.question), [self._fill(c) for c in words.choices], lang
        )
        self._open_dialog(question, answered)

    def _open_dialog(self, dialog: ModalScreen[Any], closed: Callable[[Any], None]) -> None:
        """Open a question or outcome over the lesson once no notice is drawn on it.

        The lesson keeps, under the dialog, the picture it had when covered:
        a notice in that picture (a passed step's, arriving just as the next
        step asks) would show beside the choices. The notices are set aside
        first and come back when the dialog closes.
        """
        if self._dialog_pending:
            return  # one already on its way (a p pressed as the step asked by itself)
        self._dialog_pending = True
        self.tutor.set_notices_aside()

        def open_it() -> None:
            self._dialog_pending = False
            self.app.push_screen(dialog, closed)

        # After the repaint without notices (or soon, should Textual lose that callback:
        # see after_refresh; no question could open again in the lesson when it did).
        after_refresh(self, open_it)

    def action_check(self) -> None:
        """Check the step now (e.g. after running its command in another terminal)."""
        step = self.steps.step
        if step is None:
            return
        if self.tutor.runner is None:
            self.notify(say(self.tutor.language, "step.offline"), severity="warning", markup=False)
            return
        if self.steps.needs_prediction(step):
            self.action_predict()
            return
        self.steps.checked_by_learner(step)
        if self.steps.shows_on_check(step) and not self.steps.running:
            # The step only reads: show what it reads as it passes (its check could not
            # tell whether the learner ever looked; the history was never on screen).
            self.action_run_step()
            return
        self.query_one(StepPanel).set_state(StepState.CHECKING)
        self.check_step()

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

    def action_copy_folder(self) -> None:
        """Copy the lesson's folder, to open it in an editor or cd into it."""
        folder = str(Workspace(self.tutor.workspace_root).folder(self.lesson.id))
        self.app.copy_to_clipboard(folder)
        self.notify(folder, title=say(self.tutor.language, "step.copied"), markup=False)

    def action_next_lesson(self) -> None:
        """Open the next lesson of the course."""
        following = self.steps.next_lesson(self.tutor.course)
        if following is not None:
            self.post_message(OpenLesson(following.id))

    def action_back(self) -> None:
        """Leave the command line if in it; otherwise back to the list of lessons."""
        if isinstance(self.focused, Input):
            self.set_focus(None)
            return
        self.app.pop_screen()

    def action_show_pane(self, index: int) -> None:
        """Bring panel ``index`` (0-based, in tab order) forward and focus it."""
        if 0 <= index < len(panels.PANELS):
            self.show_pane(panels.PANELS[index].name, focus=True)


def what_happened(step: Step, result: CheckResult) -> str:
    """The check's own words about what it found, when they say more than "done"."""
    plain = CheckResult.of(True, "").detail
    return "" if step.check.kind == "answered" or result.detail == plain else result.detail
