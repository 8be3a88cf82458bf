"""What a container changed on top of its image: ``docker diff``, with where each file came from.

The list draws only the rows on screen (Textual's line API), so a diff of
tens of thousands of paths costs the same to show as one of ten.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange
from tutor.widgets.layer_stack import fit, human_size

_KIND_CLASS = {
    ChangeKind.ADDED: "change-list--added",
    ChangeKind.CHANGED: "change-list--changed",
    ChangeKind.DELETED: "change-list--deleted",
}


LEGEND = "A added · C changed · D deleted"


def source_text(change: PathChange) -> str:
    """Where the path came from, in the learner's words."""
    if change.source_layer is None:
        if change.kind is ChangeKind.ADDED:
            return "new in the container"
        return "not from any image layer"
    return f"from layer {change.source_layer}: {change.source_instruction or '?'}"


class ChangeList(ScrollView, can_focus=True):
    """The changed paths, one per line, drawn lazily; ▲ marks paths new since the last update."""

    DEFAULT_CSS = """
    ChangeList { height: 1fr; background: $surface; }
    ChangeList > .change-list--added { color: $success; text-style: bold; }
    ChangeList > .change-list--changed { color: $warning; text-style: bold; }
    ChangeList > .change-list--deleted { color: $error; text-style: bold; }
    ChangeList > .change-list--new { background: $accent-muted; text-style: bold; }
    ChangeList > .change-list--source { text-style: dim; }
    ChangeList > .change-list--cursor { background: $primary-muted; }
    ChangeList:focus > .change-list--cursor { background: $primary; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *_KIND_CLASS.values(),
        "change-list--new",
        "change-list--source",
        "change-list--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Previous path", show=False),
        Binding("down,j", "cursor(1)", "Next path", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First path", show=False),
        Binding("end", "jump(-1)", "Last path", show=False),
        Binding("n", "next_new", "Next ▲ new", show=True),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.changes: tuple[PathChange, ...] = ()
        self.new_paths: frozenset[str] = frozenset()
        """Keys ("A /path") of changes that were not in the previous update."""
        self.cursor = 0
        self.rows_drawn = 0
        """How many change rows have been drawn so far: only the visible ones ever are."""

    def show(self, changes: tuple[PathChange, ...], new_paths: frozenset[str]) -> None:
        """Replace the rows, keeping the cursor on the same path where it still exists."""
        current = self.changes[self.cursor].path if self.changes else None
        self.changes, self.new_paths = changes, new_paths
        self.cursor = 0
        if current is not None:
            self.cursor = next((i for i, c in enumerate(changes) if c.path == current), 0)
        self.virtual_size = Size(self.size.width, len(changes))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        """Rows are as wide as the list; only the row count scrolls."""
        self.virtual_size = Size(event.size.width, len(self.changes))

    def render_line(self, y: int) -> Strip:
        """Draw one visible row: ▲ marker, kind letter, path, source layer."""
        row = int(self.scroll_offset.y) + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self.changes):
            return Strip.blank(width, base)
        self.rows_drawn += 1
        change = self.changes[row]
        is_new = _key(change) in self.new_paths
        style = base
        if is_new:
            style += self.get_component_rich_style("change-list--new", partial=True)
        if row == self.cursor:
            style += self.get_component_rich_style("change-list--cursor", partial=True)
        kind = style + self.get_component_rich_style(_KIND_CLASS[change.kind], partial=True)
        muted = style + self.get_component_rich_style("change-list--source", partial=True)
        source_width = width * 2 // 5 if width >= 60 else 0
        path_width = max(width - 4 - source_width, 0)
        segments = [
            Segment("▲ " if is_new else "  ", style),
            Segment(f"{change.kind.value} ", kind),
            Segment(fit(change.path, path_width), style),
        ]
        if source_width:
            segments.append(Segment(fit(" " + source_text(change), source_width), muted))
        return Strip(segments, width)

    def _move(self, row: int) -> None:
        if not self.changes:
            return
        old, self.cursor = self.cursor, max(0, min(row, len(self.changes) - 1))
        top, height = int(self.scroll_offset.y), self.scrollable_content_region.height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()
        if old != self.cursor:
            self.post_message(DiffView.ChangeSelected(self.changes[self.cursor]))

    def action_cursor(self, step: int) -> None:
        """Move the cursor up or down one path."""
        self._move(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """Move the cursor a screenful."""
        self._move(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_jump(self, row: int) -> None:
        """Go to the first (0) or last (-1) path."""
        self._move(row if row >= 0 else len(self.changes) - 1)

    def action_next_new(self) -> None:
        """Go to the next path marked ▲ (wrapping round)."""
        count = len(self.changes)
        for offset in range(1, count + 1):
            row = (self.cursor + offset) % count
            if _key(self.changes[row]) in self.new_paths:
                self._move(row)
                return
        self.notify("Nothing new since the last look.")


class ExecInput(Input):
    """A command to run inside the container (never on the learner's machine)."""


class DiffView(Vertical):
    """A container's changes as ``docker diff`` reports them, explained."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > #summary { background: $panel; padding: 0 1; text-style: bold; }
    DiffView > #legend { color: $text-muted; padding: 0 1; }
    DiffView > #exec-result { color: $text-muted; padding: 0 1; height: auto; max-height: 6; }
    DiffView > ExecInput { margin: 0; }
    """

    class ExecRequested(Message):
        """The learner typed a command to run inside the container."""

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
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.container = container
        """The container commands run in (the app's name for it, or the diff's id)."""
        self.container_name: str | None = container
        self.diff: ContainerDiff | None = None
        self._seen: frozenset[str] | None = None

    def compose(self) -> ComposeResult:
        """Summary, legend, the change list and the command line."""
        yield Static("No container yet.", id="summary", markup=False)
        yield Static(LEGEND, id="legend", markup=False)
        yield ChangeList(id="changes")
        yield Static("", id="exec-result", markup=False)
        yield ExecInput(placeholder="Command to run inside the container, e.g. touch /hello")

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
        if self.diff is not None and self.diff.container != diff.container:
            self._seen = None  # a first look at a container has nothing "new"
            self.container_name = None
        if name is not None:
            self.container_name = name
        keys = frozenset(_key(change) for change in diff.changes)
        new = keys - self._seen if self._seen is not None else frozenset()
        self._seen, self.diff = keys, diff
        self.container = diff.container
        self.change_list.show(diff.changes, new)
        counts = dict.fromkeys(ChangeKind, 0)
        for change in diff.changes:
            counts[change.kind] += 1
        parts = ", ".join(f"{kind.value} {counts[kind]}" for kind in _KIND_CLASS)
        label = self.container_name or diff.container[:12]
        rw = human_size(diff.rw_size)
        text = f"{label}: {len(diff.changes)} changes ({parts}), read-write layer {rw}"
        self.query_one("#summary", Static).update(text)
        legend = LEGEND + (f" · ▲ {len(new)} new since last look" if new else "")
        self.query_one("#legend", Static).update(legend)

    def show_exec_result(self, command: str, exit_code: int, output: str) -> None:
        """Show what a command run inside the container printed.

        Args:
            command: The command as typed.
            exit_code: Its exit status inside the container.
            output: What it printed (stdout and stderr).
        """
        head = f"$ {command}  (exit {exit_code})"
        self.query_one("#exec-result", Static).update("\n".join([head, output.rstrip()]).rstrip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Pass the command to the app, which runs it inside the container."""
        event.stop()
        command = event.value.strip()
        if not command:
            return
        if self.container is None:
            self.notify("Start a container first.", severity="warning")
            return
        event.input.clear()
        self.post_message(self.ExecRequested(self.container, command))


def _key(change: PathChange) -> str:
    return f"{change.kind.value} {change.path}"
