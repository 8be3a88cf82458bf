"""What the lesson screen does on the engine: runs steps for the learner, fills the panels.

Every Docker call runs in a thread worker that only posts messages back. A
run of a step streams its events (build steps, push progress, output) into
the panels; the panels are read again after each engine event, one read at
a time, and redrawn only where something changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.widgets import TabbedContent
from textual.worker import get_current_worker

from tutor.course.model import Step
from tutor.course.runner import ActionDone, ActionFailed, ActionOutput
from tutor.engine.build import BuildDone, BuildError, OutputLine, StepFinished, StepStarted
from tutor.engine.diff import diff
from tutor.engine.errors import (
    BadDockerHost,
    ContainerNotFound,
    EngineError,
    EnginePermissionDenied,
    EngineRefused,
    EngineUnreachable,
)
from tutor.engine.layer_index import IndexCancelled
from tutor.engine.push import PushDone, PushError, PushProgress
from tutor.i18n import say
from tutor.messages import (
    ActionFinished,
    ActionProgress,
    ContainerOutput,
    DiffPolled,
    EngineDown,
    PanelsLoaded,
)
from tutor.screens.lesson_steps import LessonSteps
from tutor.screens.panel_data import (
    PanelTargets,
    ask_container,
    gather_panels,
    targets_for,
)
from tutor.widgets import (
    BuildLog,
    ContainersPanel,
    DiffView,
    FilesView,
    HistoryTable,
    LayerStack,
    PushLog,
)
from tutor.widgets.step_panel import StepPanel, StepState

if TYPE_CHECKING:
    from tutor.course.runner import LessonRunner


#: The pane that shows what each kind of action does.
PANE_FOR_ACTION = {
    "write_files": "files", "edit": "files", "move_line": "files", "build": "build",
    "run": "containers", "fetch": "containers", "logs": "containers", "stop": "containers",
    "list_containers": "containers", "start_registry": "containers", "exec": "diff",
    "diff": "diff", "history": "history", "list_images": "layers", "remove_image": "layers",
    "pull": "layers", "push": "push",
}  # fmt: skip
#: Errors that mean the engine itself cannot be used (the banner), not one request.
CONNECTION_ERRORS = (EngineUnreachable, EnginePermissionDenied, BadDockerHost)
#: Seconds between two reads of the shown container's diff. Files a process in the
#: container writes make no engine event, so only reading again shows them.
DIFF_POLL = 1.0
BUILD_EVENTS = (StepStarted, OutputLine, StepFinished, BuildError, BuildDone)
PUSH_EVENTS = (PushProgress, PushDone, PushError)


class LessonEngineWork(LessonSteps):
    """The lesson screen's work on the engine (the screen itself is ``LessonScreen``)."""

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
        if self.running:  # a second t would cancel the run half-way
            self.notify(say(lang, "step.running"), markup=False)
            return
        if not self.prepared:  # building before the files are there would fail
            self.run_when_prepared = True
            self.notify(say(lang, "step.preparing"), markup=False)
            return
        kind = step.action.kind
        self.running, self.explicit, self.output = True, True, []
        self.failed_step = None
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
        self.running = False
        step = self._step()
        if step is None or step.id != message.step_id or step.action is None:
            return
        panel = self.query_one(StepPanel)
        if not message.ok:
            self.failed_step = step.id
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

    def poll_diff(self) -> None:
        """Read the shown container's diff again (the screen calls it every DIFF_POLL s).

        Only while the diff or the layer stack (its read-write layer size) is
        on screen, one read at a time, and never on the event loop.
        """
        runner, container = self.tutor.runner, self._targets.container
        if runner is None or not container or self._diff_reading or not self._diff_on_screen():
            return
        self._diff_reading = True
        self._diff_worker(runner, container)

    def _diff_on_screen(self) -> bool:
        if self.wide:
            return True
        tabs = self.query("#panels").first(TabbedContent)
        return tabs.active in ("pane-diff", "pane-layers")

    @work(thread=True, exclusive=True, group="diff")
    def _diff_worker(self, runner: LessonRunner, container: str) -> None:
        worker = get_current_worker()
        try:
            found = diff(runner.engine, container, cancel=worker.cancelled_event)
        except (ContainerNotFound, EngineRefused, IndexCancelled):
            found = None  # removed, or busy: the panels say why; the next poll asks again
        except EngineError as exc:
            found = None
            if isinstance(exc, CONNECTION_ERRORS):
                self.post_message(EngineDown(exc))
        self.post_message(DiffPolled(container, found))

    @on(DiffPolled)
    def _diff_polled(self, message: DiffPolled) -> None:
        self._diff_reading = False
        found = message.diff
        if found is None or message.container != self._targets.container:
            return
        if found != self._shown.get("diff"):
            self.query_one(DiffView).update(found, name=message.container)
            self._shown["diff"] = found
            self._show_layers(self._shown.get("stack"), self._shown.get("sharing"), found)

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
