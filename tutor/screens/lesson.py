"""The lesson screen: the prose, the current step, and panels that show the engine's state.

A step advances when its check passes, whoever did the work: the tutor (key
t) or the learner in another terminal. The screen follows the engine's
events and re-checks the current step on each, in a thread worker; every
Docker call runs in a worker that only posts messages back.

Narrow terminals get the panels as tabs; from :data:`WIDE` columns and rows
they are laid out side by side (the same widgets, so nothing is lost).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, TabbedContent, TabPane
from textual.worker import get_current_worker

from tutor.course.model import Lesson, Step
from tutor.course.runner import ActionDone, ActionFailed, ActionOutput, CheckResult
from tutor.course.vocabulary import fill_known
from tutor.engine.build import BuildDone, BuildError, OutputLine, StepFinished, StepStarted
from tutor.engine.errors import (
    BadDockerHost,
    EngineError,
    EnginePermissionDenied,
    EngineUnreachable,
)
from tutor.engine.events import EngineEvent, watch
from tutor.engine.labels import NAMESPACE_LABEL
from tutor.engine.push import PushDone, PushError, PushProgress
from tutor.messages import (
    ActionFinished,
    ActionProgress,
    ContainerOutput,
    EngineChanged,
    EngineDown,
    LessonPrepared,
    PanelsLoaded,
    StepChecked,
)
from tutor.screens import say
from tutor.screens.help import KeySection
from tutor.screens.lesson_panels import (
    PanelTargets,
    ask_container,
    gather_panels,
    original_files,
    targets_for,
)
from tutor.screens.prediction import OutcomeScreen, PredictionScreen
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
from tutor.widgets.step_panel import StepPanel, StepState, StepView

if TYPE_CHECKING:
    from tutor.app import TutorApp
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
#: The pane that shows what each kind of action does.
PANE_FOR_ACTION = {
    "write_files": "files", "edit": "files", "move_line": "files", "build": "build",
    "run": "containers", "fetch": "containers", "logs": "containers", "stop": "containers",
    "list_containers": "containers", "start_registry": "containers", "exec": "diff",
    "diff": "diff", "history": "history", "list_images": "layers", "remove_image": "layers",
    "pull": "layers", "push": "push",
}  # fmt: skip
#: From this many columns and rows the panels are shown side by side.
WIDE = (130, 34)
#: Errors that mean the engine itself cannot be used (the banner), not one request.
CONNECTION_ERRORS = (EngineUnreachable, EnginePermissionDenied, BadDockerHost)
BUILD_EVENTS = (StepStarted, OutputLine, StepFinished, BuildError, BuildDone)
PUSH_EVENTS = (PushProgress, PushDone, PushError)


class LessonScreen(Screen[None]):
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

    def __init__(self, lesson: Lesson, step_id: str = "") -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0
        self.wide = False
        self.ran: set[str] = set()
        self.passed: set[str] = set()
        self.explicit = False
        self.output: list[str] = []
        self.files: dict[str, str] = {}
        self.start_step = step_id
        self._checking = self._check_again = False
        self._loading = self._load_again = False
        self._targets = PanelTargets()
        self._shown: dict[str, Any] = {}

    @property
    def tutor(self) -> TutorApp:
        """The app, typed."""
        return cast("TutorApp", self.app)

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

    def _start_at(self, step_id: str) -> None:
        done = set(self.tutor.progress.of(self.lesson.id).steps_done)
        ids = [s.id for s in self.lesson.steps]
        if step_id in ids and step_id not in done:
            self.index = ids.index(step_id)
        else:
            self.index = next((i for i, s in enumerate(ids) if s not in done), len(ids))

    # -- layout ------------------------------------------------------------------

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
                    yield FilesView(id="files")
                with TabPane(say(lang, "panel.layers"), id="pane-layers"):
                    yield LayerStack(id="layers")
                with TabPane(say(lang, "panel.build"), id="pane-build"):
                    yield BuildLog(id="build")
                with TabPane(say(lang, "panel.containers"), id="pane-containers"):
                    yield ContainersPanel(id="containers")
                with TabPane(say(lang, "panel.diff"), id="pane-diff"):
                    yield DiffView(id="diff")
                with TabPane(say(lang, "panel.history"), id="pane-history"):
                    yield HistoryTable(id="history")
                with TabPane(say(lang, "panel.push"), id="pane-push"):
                    yield PushLog(id="push")
        yield Footer()

    async def on_mount(self) -> None:
        self._start_at(self.start_step)
        self._set_layout(self.size.width, self.size.height)
        # The prose is in place before a prediction can cover it.
        await self._show_texts()
        self.watch(self.tutor, "language", self._language_changed, init=False)
        self.watch(self.tutor, "engine_error", self._engine_state, init=True)
        self._enter_step()

    def on_resize(self, event: Resize) -> None:
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
        prose = self._fill(self.lesson.prose_in(lang))
        return AwaitComplete(
            self.query_one("#prose-text", Markdown).update(prose),
            self.query_one("#prose-side-text", Markdown).update(prose),
        )

    def _language_changed(self, language: str) -> None:
        self._show_texts()
        self.query_one(EngineBanner).set_language(language)
        panel = self.query_one(StepPanel)
        panel.set_language(language)
        step = self._step()
        if step is not None:
            panel.show(self._view(step), fresh=False)
        else:
            self._show_complete()

    def _fill(self, text: str) -> str:
        return fill_known(text, self.tutor.current_params)

    # -- the engine comes and goes -------------------------------------------------

    def _engine_state(self, error: EngineError | None) -> None:
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
        for note in message.notes:
            self.notify(note, severity="warning", timeout=10, markup=False)
        step = self._step()
        if step is not None and not self._needs_prediction(step):
            self._ready(step)
        self.refresh_panels()

    @on(EngineChanged)
    def _engine_changed(self, message: EngineChanged) -> None:
        step = self._step()
        if step is not None and not self._needs_prediction(step) and not self._waits(step):
            self.check_step()
        self.refresh_panels()

    # -- the steps -------------------------------------------------------------------

    def _step(self) -> Step | None:
        steps = self.lesson.steps
        return steps[self.index] if self.index < len(steps) else None

    def _view(self, step: Step) -> StepView:
        words = step.words(self.tutor.language)
        runner = self.tutor.runner
        command = runner.command_for(step) if runner else self._fill(step.command)
        return StepView(
            number=self.index + 1,
            total=len(self.lesson.steps),
            title=self._fill(words.title),
            body=self._fill(words.body),
            command=command,
            can_run=step.action is not None,
            hints=tuple(self._fill(hint) for hint in words.hints),
        )

    def _answer(self, step: Step) -> int | None:
        return self.tutor.progress.of(self.lesson.id).answers.get(step.id)

    def _needs_prediction(self, step: Step) -> bool:
        return step.prediction is not None and self._answer(step) is None

    def _waits(self, step: Step) -> bool:
        """A step whose check is only "answered" but that shows something: it is done
        once run (t) or once the learner says they ran it (c), not on answering."""
        return step.check.kind == "answered" and step.action is not None and step.id not in self.ran

    def _enter_step(self) -> None:
        step = self._step()
        if step is None:
            self._show_complete()
            return
        self.tutor.progress.move_to(self.lesson.id, step.id)
        self.tutor.save_progress()
        self.explicit, self.output = False, []
        panel = self.query_one(StepPanel)
        panel.show(self._view(step))
        self.refresh_bindings()
        if self._needs_prediction(step):
            panel.set_state(StepState.PREDICT_FIRST)
            self.action_predict()
        else:
            self._ready(step)
        self.refresh_panels()

    def _ready(self, step: Step) -> None:
        """The step can be decided now: check it, unless it waits for a run."""
        answer, journal = self._answer(step), self.tutor.journal
        if answer is not None and journal.answer(self.lesson.id, step.id) is None:
            self._record(step, answer)  # the journal was reset; the progress remembers
        panel = self.query_one(StepPanel)
        if self.tutor.runner is None:
            panel.set_state(StepState.OFFLINE)
            return
        panel.set_state(StepState.WAITING)
        if not self._waits(step):
            self.check_step()

    def _record(self, step: Step, choice: int) -> None:
        self.tutor.progress.record_answer(self.lesson.id, step.id, choice)
        self.tutor.save_progress()
        try:
            self.tutor.journal.record_answer(self.lesson.id, step.id, choice)
        except OSError as exc:
            self.notify(
                say(self.tutor.language, "step.saved", error=exc), severity="error", markup=False
            )

    def check_step(self) -> None:
        """Check the current step on the engine; one check at a time, and a request
        that comes during a check runs once it is over (events come in bursts)."""
        runner, step = self.tutor.runner, self._step()
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
        step = self._step()
        if step is not None and message.step_id == step.id and message.result.passed:
            self._passed(step, message.result)
            return
        if step is not None and message.step_id == step.id and step.id not in self.passed:
            state = StepState.NOT_YET if self.explicit else StepState.WAITING
            self.query_one(StepPanel).set_state(state, message.result.detail)
        if self._check_again:
            self.check_step()

    def _passed(self, step: Step, result: CheckResult) -> None:
        if step.id in self.passed:
            return
        self.passed.add(step.id)
        lang, ids = self.tutor.language, [s.id for s in self.lesson.steps]
        self.tutor.progress.mark_step_done(self.lesson.id, step.id, ids)
        self.tutor.save_progress()
        self.query_one(StepPanel).set_state(StepState.PASSED)
        words = step.words(lang)
        if step.prediction is None:
            if words.explanation.strip():
                title = f"✔ {self._fill(words.title)}"
                self.notify(self._fill(words.explanation), title=title, timeout=8, markup=False)
            self._advance()
            return
        outcome = OutcomeScreen(
            self._fill(words.question),
            [self._fill(choice) for choice in words.choices],
            chosen=self._answer(step),
            answer=step.prediction.answer,
            explanation=self._fill(words.explanation),
            happened="" if step.check.kind == "answered" else result.detail,
            language=lang,
        )
        self.app.push_screen(outcome, lambda _: self._advance())

    def _advance(self) -> None:
        self.index += 1
        self._enter_step()

    def _next_lesson(self) -> Lesson | None:
        lessons = self.tutor.course.lessons
        ids = [lesson.id for lesson in lessons]
        here = ids.index(self.lesson.id) if self.lesson.id in ids else len(ids)
        return lessons[here + 1] if here + 1 < len(lessons) else None

    def _show_complete(self) -> None:
        following = self._next_lesson()
        self.tutor.progress.move_to(following.id if following else self.lesson.id)
        self.tutor.save_progress()
        key = "lesson.complete" if following else "lesson.last"
        self.query_one(StepPanel).show_finished(say(self.tutor.language, key))
        self.refresh_bindings()

    # -- keys ---------------------------------------------------------------------------

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

    def action_predict(self) -> None:
        """Answer the step's prediction question (asked before the step runs)."""
        step = self._step()
        if step is None or step.prediction is None:
            return
        lang = self.tutor.language
        words = step.words(lang)

        def answered(choice: int | None) -> None:
            if choice is None or self._step() is not step:
                return
            self._record(step, choice)
            self.refresh_bindings()
            self._ready(step)

        question = PredictionScreen(
            self._fill(words.question), [self._fill(c) for c in words.choices], lang
        )
        self.app.push_screen(question, answered)

    def action_run_step(self) -> None:
        """Let the tutor do the step (the panels show what it does)."""
        step, runner, lang = self._step(), self.tutor.runner, self.tutor.language
        if step is None or step.action is None:
            return
        if runner is None:
            self.notify(say(lang, "step.offline"), severity="warning", markup=False)
            return
        if self._needs_prediction(step):
            self.action_predict()
            return
        kind = step.action.kind
        self.explicit, self.output = True, []
        panel = self.query_one(StepPanel)
        panel.show_output([])
        panel.set_state(StepState.RUNNING)
        if kind == "build":
            self.query_one(BuildLog).clear()
        elif kind == "push":
            args = step.action.args
            reference = f"{args.get('repository', '')}:{args.get('tag') or 'latest'}"
            self.query_one(PushLog).start(self._fill(reference))
        self.show_pane(PANE_FOR_ACTION.get(kind))
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
        build, push = self.query_one(BuildLog), self.query_one(PushLog)
        for event in message.buffer.drain():
            if isinstance(event, BUILD_EVENTS):
                build.add_event(event)
            elif isinstance(event, PUSH_EVENTS):
                push.add_event(event)
            elif isinstance(event, ActionOutput):
                self.output.append(event.text)
        self.query_one(StepPanel).show_output(self.output)

    @on(ActionFinished)
    def _action_finished(self, message: ActionFinished) -> None:
        step = self._step()
        if step is None or step.id != message.step_id or step.action is None:
            return
        panel = self.query_one(StepPanel)
        if not message.ok:
            panel.set_state(StepState.FAILED, message.text)
            if message.hint:
                self.notify(message.hint, severity="warning", timeout=10, markup=False)
            self.refresh_panels()
            return
        self.ran.add(step.id)
        panel.show_output([*self.output, f"✔ {message.text}"])
        name = self._fill(str(step.action.args.get("container", "")))
        if step.action.kind == "fetch":
            self.query_one(ContainersPanel).show_page(name, "\n".join(self.output))
        elif step.action.kind == "logs":
            self.query_one(ContainersPanel).show_logs(name, "\n".join(self.output))
        panel.set_state(StepState.CHECKING)
        self.check_step()
        self.refresh_panels()

    def action_hint(self) -> None:
        """Open the next hint of the step, one at a time."""
        if not self.query_one(StepPanel).next_hint():
            self.notify(say(self.tutor.language, "step.no_hints"), markup=False)

    def action_check(self) -> None:
        """Check the step now (e.g. after running its command in another terminal)."""
        step = self._step()
        if step is None:
            return
        if self.tutor.runner is None:
            self.notify(say(self.tutor.language, "step.offline"), severity="warning", markup=False)
            return
        if self._needs_prediction(step):
            self.action_predict()
            return
        self.explicit = True
        self.ran.add(step.id)  # the learner says they ran it themselves
        self.query_one(StepPanel).set_state(StepState.CHECKING)
        self.check_step()

    def action_copy_command(self) -> None:
        """Copy the step's command to the clipboard (works over SSH in most terminals)."""
        view = self.query_one(StepPanel).view
        if view is not None and view.command:
            self.app.copy_to_clipboard(view.command)
            self.notify(view.command, title="Copied", markup=False)

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

    # -- panels ---------------------------------------------------------------------------

    def refresh_panels(self) -> None:
        """Read the panels' engine state again (one read at a time, like checks)."""
        runner = self.tutor.runner
        if runner is None or not self.is_mounted:
            return
        if self._loading:
            self._load_again = True
            return
        self._loading, self._load_again = True, False
        self._targets = targets_for(self.lesson, self.index, runner.params)
        self._panels_worker(runner, self._targets)

    @work(thread=True, exclusive=True, group="panels")
    def _panels_worker(self, runner: LessonRunner, targets: PanelTargets) -> None:
        worker = get_current_worker()
        try:
            values, problems = gather_panels(runner, self.lesson, targets, worker.cancelled_event)
        except EngineError as exc:
            self.post_message(PanelsLoaded({}, {"engine": exc.message}))
            if isinstance(exc, CONNECTION_ERRORS):
                self.post_message(EngineDown(exc))
            return
        self.post_message(PanelsLoaded(values, problems))

    @on(PanelsLoaded)
    def _panels_loaded(self, message: PanelsLoaded) -> None:
        self._loading = False
        values, shown = message.values, self._shown
        if "files" in values:
            self._show_files(values["files"])
        if "containers" in values and values["containers"] != shown.get("containers"):
            self.query_one(ContainersPanel).update(values["containers"])
        found_diff = values.get("diff")
        if found_diff is not None and found_diff != shown.get("diff"):
            self.query_one(DiffView).update(found_diff, name=self._targets.container)
        self._show_layers(values.get("stack"), values.get("sharing"), found_diff)
        shown.update(values)
        if self._load_again:
            self.refresh_panels()

    def _show_layers(self, stack: Any, sharing: Any, found_diff: Any) -> None:
        shown, stack_view = self._shown, self.query_one(LayerStack)
        if stack is not None and stack != shown.get("stack"):
            self.query_one(HistoryTable).show(stack)
        if sharing is not None:
            if sharing != shown.get("sharing"):
                stack_view.show_sharing(sharing)
            return
        if stack is None:
            return
        on_top = found_diff is not None and found_diff.image_id == stack.image_id
        container = self._targets.container if on_top else None
        rw_size = found_diff.rw_size if on_top else None
        if stack != shown.get("stack") or shown.get("sharing") is not None:
            stack_view.show_image(stack, container=container, rw_size=rw_size)
        elif (container, rw_size) != shown.get("on_top"):
            stack_view.set_container(container, rw_size)
        shown["on_top"] = (container, rw_size)

    def _show_files(self, files: dict[str, str]) -> None:
        view = self.query_one(FilesView)
        if files == self.files:
            return
        if self.files and set(files) == set(self.files):
            for name, text in files.items():
                if self.files[name] != text:
                    view.update_file(name, text)
        else:
            view.show_files(files, dockerfile=self._targets.dockerfile)
        self.files = dict(files)

    @on(ContainersPanel.FetchRequested)
    def _fetch_requested(self, message: ContainersPanel.FetchRequested) -> None:
        self._ask_container("page", message.container.name)

    @on(ContainersPanel.LogsRequested)
    def _logs_requested(self, message: ContainersPanel.LogsRequested) -> None:
        self._ask_container("logs", message.container.name)

    @on(ContainersPanel.StopRequested)
    def _stop_requested(self, message: ContainersPanel.StopRequested) -> None:
        self._ask_container("stop", message.container.name)

    @on(DiffView.ExecRequested)
    def _exec_requested(self, message: DiffView.ExecRequested) -> None:
        self._ask_container("exec", message.container, message.command)

    def _ask_container(self, kind: str, name: str, command: str = "") -> None:
        runner = self.tutor.runner
        if runner is None:
            self.notify(say(self.tutor.language, "step.offline"), severity="warning", markup=False)
            return
        self._container_worker(runner, kind, name, command)

    @work(thread=True, exclusive=True, group="container")
    def _container_worker(self, runner: LessonRunner, kind: str, name: str, command: str) -> None:
        try:
            text, code = ask_container(runner, kind, name, command)
        except EngineError as exc:
            self.post_message(ContainerOutput("error", name, f"{exc.message} {exc.hint}".strip()))
            if isinstance(exc, CONNECTION_ERRORS):
                self.post_message(EngineDown(exc))
            return
        self.post_message(ContainerOutput(kind, name, text, code, command))

    @on(ContainerOutput)
    def _container_answered(self, message: ContainerOutput) -> None:
        panel, diff_view = self.query_one(ContainersPanel), self.query_one(DiffView)
        if message.kind == "page":
            panel.show_page(message.container, message.text)
        elif message.kind == "logs":
            panel.show_logs(message.container, message.text)
        elif message.kind == "exec":
            diff_view.show_exec_result(message.command, message.exit_code, message.text)
        elif message.kind == "error":
            self.notify(message.text, severity="error", timeout=10, markup=False)
        self.refresh_panels()
