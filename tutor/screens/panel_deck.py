"""The lesson screen's panels and what they show: read from the engine in workers, drawn here.

The deck holds the panes of :data:`~tutor.screens.panels.PANELS` (as tabs,
or side by side when the screen is wide), reads their engine state in
thread workers (one read at a time, again after engine events, one a
:data:`FOLLOW_GAP` at most), polls
the shown container's diff while it is on screen, and answers the panels'
own requests (the app's page, logs, stop, a command in the container). It
redraws a panel only where what it shows changed. The screen tells it which
lesson and step to follow and hands it what a run of a step streams.

A lesson screen's first frame waits for what is composed before it: the
panels made one eighth of it each (their widgets, styles and first lines,
some tens of thousands of objects), all at once, while only the prose or
the step's panel is seen. So each panel's widget is made here but composed
(mounted in its pane) only when its pane is brought forward, or by
:meth:`PanelDeck.compose_rest`, one panel per frame after the first. What
the deck is asked to show in a panel not composed yet waits for it, in
order, and is drawn once the panel is (see :meth:`PanelDeck.on_panel`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Markdown, TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTabs
from textual.worker import get_current_worker

from tutor.course.model import Lesson
from tutor.course.panel_data import (
    PanelTargets,
    PanelValues,
    ask_container,
    gather_panels,
    targets_for,
)
from tutor.engine import containers
from tutor.engine.build_events import (
    BuildDone,
    BuildError,
    BuildRetried,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.diff import ContainerDiff, diff, forget_answers
from tutor.engine.errors import (
    BadDockerHost,
    ContainerNotFound,
    EngineError,
    EnginePermissionDenied,
    EngineRefused,
    EngineUnreachable,
)
from tutor.engine.layer_tar import IndexCancelled
from tutor.engine.layers import LayerStack as Stack
from tutor.engine.push_stream import PushDone, PushError, PushProgress
from tutor.engine.sharing import Sharing
from tutor.i18n import say
from tutor.messages import ContainerOutput, DiffPolled, EngineDown, PanelsLoaded
from tutor.screens import lesson_gc, panels
from tutor.screens.panels import ShowsValue
from tutor.sentence import said
from tutor.widgets import (
    BuildLog,
    ContainersPanel,
    DiffView,
    FilesView,
    PushLog,
)
from tutor.widgets.mounting import being_removed
from tutor.widgets.tab_underline import underline_chosen_tab

if TYPE_CHECKING:
    from textual.timer import Timer

    from tutor.course.runner import LessonRunner

#: Errors that mean the engine itself cannot be used (the banner), not one request.
CONNECTION_ERRORS = (EngineUnreachable, EnginePermissionDenied, BadDockerHost)
#: Seconds between two reads of the shown container's diff. Files a process in the
#: container writes make no engine event, so only reading again shows them.
DIFF_POLL = 1.0
BUILD_EVENTS = (StepStarted, OutputLine, StepFinished, BuildError, BuildRetried, BuildDone)
PUSH_EVENTS = (PushProgress, PushDone, PushError)
#: Seconds from one read of the panels to the next, the least: while an image builds,
#: engine events come several a second, and each read redraws the tables that changed
#: (a frame of 20-65 ms at 160x48). A read asked after a quiet moment starts at once.
FOLLOW_GAP = 1.0
#: From this many paths a diff shown is left out of garbage collections (see lesson_gc).
FREEZE_FROM = 1000
#: Seconds a panel composed in the background waits for its frame to be drawn at most.
FRAME_WAIT = 0.25
#: The pane that shows what each kind of action does.
PANE_FOR_ACTION = {
    "write_files": "files", "edit": "files", "move_line": "files", "build": "build",
    "run": "containers", "fetch": "containers", "logs": "containers", "stop": "containers",
    "list_containers": "containers", "start_registry": "containers", "exec": "diff",
    "diff": "diff", "history": "history", "list_images": "images", "remove_image": "layers",
    "pull": "layers", "push": "push",
}  # fmt: skip


#: The class of the panes when they are shown side by side (see ``PanelDeck._side``).
SIDE_BY_SIDE = "-side-by-side"


class PanelDeck(TabbedContent):
    """The panes of a lesson and the engine state they show.

    Args:
        lesson: The lesson whose objects the panels follow.
        language: The learner's language.
    """

    def __init__(
        self, lesson: Lesson, language: str, *, wide: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.lesson = lesson
        self.language = language
        self.wide = wide
        self.runner: LessonRunner | None = None
        self.targets = PanelTargets()
        self.shown = PanelValues()
        #: The container and read-write size drawn on top of the stack.
        self.on_top: tuple[str | None, int | None] = (None, None)
        self.files: dict[str, str] = {}
        #: What the panels that read their own data last showed (see ``Panel.reads``).
        self.own: dict[str, object] = {}
        self.index = 0
        self._loading = self._load_again = False
        #: When the last read began, and the read held back until FOLLOW_GAP after it.
        self._read_at = -FOLLOW_GAP
        self._held: Timer | None = None
        self._diff_reading = False
        #: The token of the command running in each container (see DiffView.StopRequested).
        self._run_tokens: dict[str, str] = {}
        #: Each panel's widget, made now, composed in its pane when first needed.
        self.widgets: dict[str, Widget] = {}
        #: What was asked of each panel not composed yet, done in order once it is.
        self._waiting: dict[str, list[Callable[[Any], object]]] = {}
        #: The panels composed, with what was asked of them done.
        self._composed: dict[str, asyncio.Event] = {}
        for panel in panels.PANELS:
            title = say(language, panel.words)
            if panel.widget is None:
                content: Widget = VerticalScroll(Markdown(id="prose-text"), id="prose")
                # As ``with TabbedContent(): yield TabPane(...)`` would add them.
                self.compose_add_child(
                    TabPane(title, content, id=f"pane-{panel.name}", classes=self._side)
                )
                continue
            widget = panel.widget(language=language, id=panel.name)  # type: ignore[call-arg]
            self.widgets[panel.name] = widget
            self._waiting[panel.name] = []
            self.compose_add_child(TabPane(title, id=f"pane-{panel.name}", classes=self._side))

    # -- panels composed when needed -------------------------------------------------

    def on_panel(self, name: str, do: Callable[[Any], object]) -> None:
        """Do ``do(widget)`` with panel ``name``'s widget now, or once it is composed."""
        waiting = self._waiting.get(name)
        if waiting is None:
            do(self.widgets[name])
        else:
            waiting.append(do)

    def compose_panel(self, name: str) -> None:
        """Compose panel ``name`` in its pane now (once); what waited for it follows."""
        if name not in self.widgets or name in self._composed:
            return
        pane = next(self.query(f"#pane-{name}").results(TabPane), None)
        if pane is None or being_removed(pane):  # the learner left meanwhile
            return
        self._composed[name] = asyncio.Event()
        mounted = pane.mount(self.widgets[name])
        self.call_next(self._panel_composed, name, mounted)

    async def _panel_composed(self, name: str, mounted: Awaitable[object]) -> None:
        await mounted
        widget, waiting = self.widgets[name], self._waiting[name]
        if being_removed(widget):  # removed as it mounted: the lesson is closing
            waiting.clear()
        while waiting:  # in order; what one of them asks of the panel comes after
            waiting.pop(0)(widget)
        del self._waiting[name]
        self._composed[name].set()

    def compose_rest(self, then: Callable[[], object] | None = None) -> None:
        """Compose the panels not composed yet, one per frame (the shown ones first);
        then call ``then``."""
        self._compose_worker(then)

    @work(exclusive=True, group="compose-panels")
    async def _compose_worker(self, then: Callable[[], object] | None) -> None:
        names = sorted(self.widgets, key=lambda name: not self.on_screen(name))
        for name in names:
            composing = name in self._composed
            self.compose_panel(name)
            if name not in self._composed:
                return  # the lesson is closing
            await self._composed[name].wait()
            if composing:
                continue
            drawn = asyncio.Event()
            self.call_after_refresh(drawn.set)
            with contextlib.suppress(TimeoutError):  # a lost callback (see after_refresh)
                await asyncio.wait_for(drawn.wait(), FRAME_WAIT)
        if then is not None:
            then()

    def forget(self) -> None:
        """The lesson closes: let go of what the panels were shown (a diff's paths)."""
        self.shown, self.own, self.files = PanelValues(), {}, {}
        if self._held is not None:
            self._held.stop()
            self._held = None
        for waiting in self._waiting.values():
            waiting.clear()
        self.on_panel("diff", DiffView.forget)
        forget_answers()  # the engine layer's copy of the last diffs, too

    # -- layout and words ------------------------------------------------------------

    @property
    def _side(self) -> str:
        """The class of a pane shown beside the others (its border lights with the focus).

        Only such panes have it: a style for ``:focus-within`` makes every move of the
        focus in or out of a pane restyle all the pane's widgets (forty, in the prose).
        """
        return SIDE_BY_SIDE if self.wide else ""

    def set_wide(self, wide: bool) -> None:
        """Tabs, or every pane at once but the prose (it goes beside the step).

        The screen's own class changes next, which restyles the panes with theirs.
        """
        self.wide = wide
        for pane in self.query(TabPane):
            pane.set_class(wide, SIDE_BY_SIDE, update=False)
            pane.display = pane.id != "pane-lesson" if wide else pane.id == self.active
            pane.border_title = pane.id and say(self.language, f"panel.{pane.id[5:]}")

    def bring_forward(self, name: str | None) -> TabPane | None:
        """Make pane ``name`` the active tab (when tabs are shown); the pane."""
        if name is None:
            return None
        if not self.wide:
            self.active = f"pane-{name}"
        self.compose_panel(name)
        return self.query_one(f"#pane-{name}", TabPane)

    def on_screen(self, *names: str) -> bool:
        """Whether one of these panes is visible now."""
        return self.wide or self.active in {f"pane-{name}" for name in names}

    def set_language(self, language: str) -> None:
        """Every pane's title and every panel's own words in ``language``."""
        self.language = language
        for panel in panels.PANELS:
            self.get_tab(f"pane-{panel.name}").label = say(language, panel.words)
            self.query_one(f"#pane-{panel.name}").border_title = say(language, panel.words)
        for name in self.widgets:
            self.on_panel(name, lambda widget: widget.set_language(language))
        # Textual measures the relabelled tabs before they are laid out again.
        tabs = self.get_child_by_type(ContentTabs)
        self.set_timer(0.5, partial(underline_chosen_tab, tabs))

    # -- following the engine --------------------------------------------------------

    def use_runner(self, runner: LessonRunner | None) -> None:
        """Read from this learner's runner from now on (None: the engine is gone)."""
        self.runner = runner

    def refresh_panels(self, index: int) -> None:
        """Read the panels' engine state again for step ``index``.

        One read at a time, and one a :data:`FOLLOW_GAP` at most: what is
        asked meanwhile is read once, for the step asked last, when both allow.
        """
        runner = self.runner
        if runner is None or not self.is_mounted:
            return
        self.index = index
        if self._loading or self._held is not None:
            self._load_again = True
            return
        wait = self._read_at + FOLLOW_GAP - time.monotonic()
        if wait > 0:
            self._held = self.set_timer(wait, self._release)
            return
        self._loading, self._load_again = True, False
        self._read_at = time.monotonic()
        self.targets = targets_for(self.lesson, index, runner.params)
        self._panels_worker(runner, self.targets)

    def _release(self) -> None:
        """The gap after the last read has passed: read what was asked meanwhile."""
        self._held = None
        self.refresh_panels(self.index)

    @work(thread=True, exclusive=True, group="panels")
    def _panels_worker(self, runner: LessonRunner, targets: PanelTargets) -> None:
        worker = get_current_worker()
        cancel = worker.cancelled_event
        try:
            values, problems = gather_panels(runner, self.lesson, targets, cancel)
            readers = [(p.name, p.reads) for p in panels.PANELS if p.reads is not None]
            own = {name: read(runner, self.lesson, targets, cancel) for name, read in readers}
        except EngineError as exc:
            self.post_message(PanelsLoaded(PanelValues(), {"engine": exc.message}))
            if isinstance(exc, CONNECTION_ERRORS):
                self.post_message(EngineDown(exc))
            return
        self.post_message(PanelsLoaded(values, problems, own))

    @on(PanelsLoaded)
    def _panels_loaded(self, message: PanelsLoaded) -> None:
        message.stop()
        self._loading = False
        values = message.values
        if values.files is not None:
            self.show_files(dict(values.files))
        if values.containers is not None and values.containers != self.shown.containers:
            found = list(values.containers)
            self.on_panel("containers", lambda panel: panel.update(found))
        if values.diff is not None and values.diff != self.shown.diff:
            self._show_diff(values.diff, self.targets.container)
        self._show_layers(values.stack, values.sharing, values.diff)
        self.shown = self.shown.merged(values)
        for name, value in message.own.items():
            if value != self.own.get(name):
                self.on_panel(name, partial(_show_value, value=value))
                self.own[name] = value
        if self._load_again:
            self._load_again = False
            self.refresh_panels(self.index)

    def poll_diff(self) -> None:
        """Read the shown container's diff again (the screen calls it every DIFF_POLL s).

        Only while the diff or the layer stack (its read-write layer size) is
        on screen, one read at a time, and never on the event loop.
        """
        runner, container = self.runner, self.targets.container
        if runner is None or not container or self._diff_reading:
            return
        if not self.on_screen("diff", "layers"):
            return
        self._diff_reading = True
        self._diff_worker(runner, container)

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
        message.stop()
        self._diff_reading = False
        found = message.diff
        if found is None or message.container != self.targets.container:
            return
        if found != self.shown.diff:
            self._show_diff(found, message.container)
            self.shown = self.shown.merged(PanelValues(diff=found))
            self._show_layers(self.shown.stack, self.shown.sharing, found)

    def _show_diff(self, found: ContainerDiff, name: str | None) -> None:
        self.on_panel("diff", lambda view: view.update(found, name=name))
        if len(found.changes) >= FREEZE_FROM:
            lesson_gc.data_kept(self.app)

    def _show_layers(
        self, stack: Stack | None, sharing: Sharing | None, found_diff: ContainerDiff | None
    ) -> None:
        shown = self.shown
        if stack is not None and stack != shown.stack:
            self.on_panel("history", lambda history: history.show(stack))
        if sharing is not None:
            if sharing != shown.sharing:
                self.on_panel("layers", lambda view: view.show_sharing(sharing))
            return
        if stack is None:
            return
        on_top = found_diff is not None and found_diff.image_id == stack.image_id
        container = self.targets.container if on_top else None
        rw_size = found_diff.rw_size if on_top and found_diff is not None else None
        if stack != shown.stack or shown.sharing is not None:
            self.on_panel(
                "layers", lambda view: view.show_image(stack, container=container, rw_size=rw_size)
            )
        elif (container, rw_size) != self.on_top:
            self.on_panel("layers", lambda view: view.set_container(container, rw_size))
        self.on_top = (container, rw_size)

    def show_files(self, files: dict[str, str]) -> None:
        """The lesson's files as the learner has them (only the changed ones are redrawn)."""
        if files == self.files:
            return
        if self.files and set(files) == set(self.files):
            for name, text in files.items():
                if self.files[name] != text:
                    self.on_panel("files", partial(FilesView.update_file, name=name, text=text))
        else:
            dockerfile = self.targets.dockerfile
            self.on_panel("files", lambda view: view.show_files(files, dockerfile=dockerfile))
        self.files = dict(files)

    # -- a step's run ----------------------------------------------------------------------

    def start_run(self, kind: str, push_reference: str = "") -> None:
        """A run of the step begins: clear the panel it streams into and bring it forward."""
        if kind == "build":
            self.on_panel("build", BuildLog.clear)
        elif kind == "push":
            self.on_panel("push", lambda log: log.start(push_reference))
        self.bring_forward(PANE_FOR_ACTION.get(kind))

    def stream(self, events: Iterable[object]) -> list[str]:
        """Draw a run's build and push events; the other output lines are returned."""
        lines = []
        for event in events:
            if isinstance(event, BUILD_EVENTS):
                self.on_panel("build", partial(BuildLog.add_event, event=event))
            elif isinstance(event, PUSH_EVENTS):
                self.on_panel("push", partial(PushLog.add_event, event=event))
            elif isinstance(text := getattr(event, "text", None), str):
                lines.append(text)
        return lines

    def show_run_output(self, kind: str, container: str, text: str) -> None:
        """A run that fetched the app's page or read logs: show them in the Containers panel."""
        if kind == "fetch":
            self.on_panel("containers", lambda panel: panel.show_page(container, text))
        elif kind == "logs":
            self.on_panel("containers", lambda panel: panel.show_logs(container, text))

    # -- the panels' own requests --------------------------------------------------------

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
        token = self._run_tokens[message.container] = containers.new_run_token()
        self._ask_container("exec", message.container, message.command, token)

    @on(DiffView.StopRequested)
    def _stop_command_requested(self, message: DiffView.StopRequested) -> None:
        token = self._run_tokens.get(message.container)
        if self.runner is not None and token:
            self._stop_command_worker(self.runner, message.container, token)

    @work(thread=True, group="stop-command")
    def _stop_command_worker(self, runner: LessonRunner, name: str, token: str) -> None:
        try:
            containers.stop_command(runner.engine, name, token)
        except EngineError as exc:  # the command's own result still comes back
            self.post_message(ContainerOutput("error", name, f"{exc.message} {exc.hint}".strip()))

    def _ask_container(self, kind: str, name: str, command: str = "", token: str = "") -> None:
        if self.runner is None:
            self.notify(say(self.language, "step.offline"), severity="warning", markup=False)
            if kind == "exec":
                self.on_panel("diff", lambda view: view.show_exec_result(command, -1, ""))
            return
        self._container_worker(self.runner, kind, name, command, token)

    @work(thread=True, exclusive=True, group="container")
    def _container_worker(
        self, runner: LessonRunner, kind: str, name: str, command: str, token: str
    ) -> None:
        try:
            text, code = ask_container(runner, kind, name, command, token)
        except EngineError as exc:
            words = f"{said(exc.message, self.language)} {said(exc.hint, self.language)}"
            self.post_message(ContainerOutput("error", name, words.strip()))
            if isinstance(exc, CONNECTION_ERRORS):
                self.post_message(EngineDown(exc))
            if kind == "exec":  # the command line stops saying it runs
                self.post_message(ContainerOutput("exec", name, "", -1, command))
            return
        self.post_message(ContainerOutput(kind, name, text, code, command))

    @on(ContainerOutput)
    def _container_answered(self, message: ContainerOutput) -> None:
        message.stop()
        name, text = message.container, message.text
        if message.kind == "page":
            self.on_panel("containers", lambda panel: panel.show_page(name, text))
        elif message.kind == "logs":
            self.on_panel("containers", lambda panel: panel.show_logs(name, text))
        elif message.kind == "exec":
            command, code = message.command, message.exit_code
            self.on_panel("diff", lambda view: view.show_exec_result(command, code, text))
        elif message.kind == "error":
            self.notify(message.text, severity="error", timeout=10, markup=False)
        self.refresh_panels(self.index)


def _show_value(widget: ShowsValue, value: object) -> None:
    widget.show_value(value)
