"""What a container changed on top of its image: ``docker diff``, with where each file came from.

The paths are drawn by :class:`~tutor.widgets.change_list.ChangeList`, which
renders only the rows on screen; below it, a command line whose commands the
app runs inside the container.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange, changes_since
from tutor.engine.printed import human_size, short_id
from tutor.i18n import say
from tutor.widgets.change_list import ChangeList, change_key
from tutor.widgets.new_text import set_text
from tutor.widgets.scrolling import TextInput

#: The running command's spinner, one frame per tick (still "…" without animations).
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ExecInput(TextInput):
    """A command to run inside the container (never on the learner's machine)."""


class DiffView(Vertical):
    """A container's changes as ``docker diff`` reports them, explained."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > #summary { background: $panel; padding: 0 1; text-style: bold; }
    DiffView > #legend { color: $text-muted; padding: 0 1; }
    DiffView > #exec-result { color: $text-muted; padding: 0 1; height: auto; max-height: 6; }
    DiffView > ExecInput { margin: 0; }
    DiffView > #exec-result.-running { color: $text-warning; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # ctrl+t: the command line keeps every printable key (and ctrl+c quits).
        Binding("ctrl+t", "stop_command", "Stop command", show=True),
    ]

    class ExecRequested(Message):
        """The learner typed a command to run inside the container."""

        def __init__(self, container: str, command: str) -> None:
            self.container = container
            self.command = command
            super().__init__()

    class StopRequested(Message):
        """The learner asked to stop the command running inside the container."""

        def __init__(self, container: str, command: str) -> None:
            self.container = container
            self.command = command
            super().__init__()

    class ChangeSelected(Message):
        """The cursor moved onto a changed path (the app can light its source layer)."""

        def __init__(self, change: PathChange) -> None:
            self.change = change
            super().__init__()

    def __init__(
        self,
        container: str | None = None,
        *,
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language of the panel's words (paths and command output stay as they are)."""
        self.container = container
        """The container commands run in (the app's name for it, or the diff's id)."""
        self.container_name: str | None = container
        self.diff: ContainerDiff | None = None
        self._new_count = 0
        self._exec: tuple[str, int, str, str] | None = None
        self.running: tuple[str, str] | None = None
        """The container and command running in it now (the result is not back yet)."""
        self._stopping = False
        self._frame = 0
        self._spinner: Timer | None = None

    def compose(self) -> ComposeResult:
        """Summary, legend, the change list and the command line."""
        lang = self.language
        yield Static(say(lang, "diff.none"), id="summary", markup=False)
        yield Static(say(lang, "diff.legend"), id="legend", markup=False)
        yield ChangeList(id="changes", language=lang)
        yield Static("", id="exec-result", markup=False)
        yield ExecInput(placeholder=say(lang, "diff.placeholder"))

    @property
    def change_list(self) -> ChangeList:
        """The list of changed paths."""
        return self.query_one(ChangeList)

    def update(self, diff: ContainerDiff, *, name: str | None = None) -> None:
        """Show a new diff; paths not in the previous one are marked ▲ until the next update.

        Args:
            diff: The container's changes as the engine read them.
            name: The container's name, to show instead of its id.
        """
        previous = self.diff
        if previous is not None and previous.container != diff.container:
            previous = None  # a first look at a container has nothing "new"
            self.container_name = None
        if name is not None:
            self.container_name = name
        # Only the new entries get a key: a poll of 20,000 paths made and kept
        # a key for every one of them (2.5 MB kept, as much again while compared).
        new = (
            frozenset(change_key(change) for change in changes_since(previous, diff))
            if previous is not None
            else frozenset()
        )
        self.diff = diff
        self.container = diff.container
        self._new_count = len(new)
        self.change_list.show(diff.changes, new)
        self._say_summary()

    def forget(self) -> None:
        """Let go of the diff (its screen closes): its paths are freed at once."""
        self.diff = None
        for changes in self.query(ChangeList):
            changes.changes = ()

    def show_exec_result(self, command: str, exit_code: int, output: str) -> None:
        """Show what a command run inside the container printed.

        Args:
            command: The command as typed.
            exit_code: Its exit status inside the container.
            output: What it printed (stdout and stderr).
        """
        stopped = self._stopping and self.running is not None and self.running[1] == command
        self._end_run()
        key = "diff.stopped" if stopped else "diff.exit"
        self._exec = (command, exit_code, output, key)
        self._say_exec()

    def show_running(self, command: str) -> None:
        """Say that ``command`` runs in the container, with a spinner, until its result is shown.

        The previous command's output goes: it is not what the screen is about now.
        """
        container = self.container or ""
        self.running, self._stopping, self._frame = (container, command), False, 0
        if self._spinner is None:
            self._spinner = self.set_interval(0.1, self._spin)
        self.refresh_bindings()
        self._say_exec()

    def _spin(self) -> None:
        self._frame += 1
        self._say_exec()

    def _end_run(self) -> None:
        self.running, self._stopping = None, False
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The stop key only while a command runs."""
        if action == "stop_command":
            return self.running is not None and not self._stopping
        return True

    def action_stop_command(self) -> None:
        """Ask the app to stop the running command (the container keeps running)."""
        if self.running is None or self._stopping:
            return
        self._stopping = True
        self.refresh_bindings()
        self._say_exec()
        self.post_message(self.StopRequested(*self.running))

    def set_language(self, language: str) -> None:
        """Say the summary, legend, sources, exec result and input hint in ``language``."""
        self.language = language
        if not self.is_mounted:
            return
        self.change_list.set_language(language)
        self.query_one(ExecInput).placeholder = say(language, "diff.placeholder")
        self._say_summary()
        self._say_exec()

    def _say_summary(self) -> None:
        lang, diff = self.language, self.diff
        if diff is None:
            self.query_one("#summary", Static).update(say(lang, "diff.none"))
            self.query_one("#legend", Static).update(say(lang, "diff.legend"))
            return
        counts = dict.fromkeys(ChangeKind, 0)
        for change in diff.changes:
            counts[change.kind] += 1
        kinds = (ChangeKind.ADDED, ChangeKind.CHANGED, ChangeKind.DELETED)
        parts = ", ".join(f"{kind.value} {counts[kind]}" for kind in kinds)
        text = say(
            lang,
            "diff.summary",
            name=self.container_name or short_id(diff.container),
            count=len(diff.changes),
            parts=parts,
            size=human_size(diff.rw_size),
        )
        set_text(self.query_one("#summary", Static), text)
        legend = say(lang, "diff.legend")
        if self._new_count:
            legend += say(lang, "diff.new", count=self._new_count)
        if diff.exec_outside:
            legend += "\n" + say(lang, "diff.exec_outside")
        set_text(self.query_one("#legend", Static), legend)

    def _say_exec(self) -> None:
        result = self.query_one("#exec-result", Static)
        result.set_class(self.running is not None, "-running")
        if self.running is not None:
            animated = self.app.animation_level != "none"
            spinner = SPINNER[self._frame % len(SPINNER)] if animated else "…"
            key = "diff.stopping" if self._stopping else "diff.running"
            set_text(result, say(self.language, key, spinner=spinner, command=self.running[1]))
            return
        if self._exec is None:
            return
        command, exit_code, output, key = self._exec
        head = say(self.language, key, command=command, code=exit_code)
        set_text(result, "\n".join([head, output.rstrip()]).rstrip())

    @on(ChangeList.Highlighted)
    def _change_highlighted(self, event: ChangeList.Highlighted) -> None:
        event.stop()
        self.post_message(self.ChangeSelected(event.change))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Pass the command to the app, which runs it inside the container."""
        event.stop()
        command = event.value.strip()
        if not command:
            return
        if self.container is None:
            self.notify(say(self.language, "diff.start_first"), severity="warning")
            return
        if self.running is not None:
            self.notify(say(self.language, "diff.busy"), severity="warning")
            return
        event.input.clear()
        self.post_message(self.ExecRequested(self.container, command))
        self.show_running(command)
