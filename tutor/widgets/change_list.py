"""The changed paths of a container, one per line, drawn lazily.

Textual's line API asks only for the rows on screen, so a diff of tens of
thousands of paths costs the same to show (and to update) as one of ten.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tutor.engine.diff import ChangeKind, PathChange
from tutor.i18n import say
from tutor.widgets.layer_bands import fit
from tutor.widgets.scrolling import SteadyScrollbars

#: Below this many cells the list shows the paths only (where they came from is cut).
MIN_WIDTH_FOR_SOURCE = 36

_KIND_CLASS = {
    ChangeKind.ADDED: "change-list--added",
    ChangeKind.CHANGED: "change-list--changed",
    ChangeKind.DELETED: "change-list--deleted",
}


def source_text(change: PathChange, language: str = "en") -> str:
    """Say where a changed path came from, so copy-up is visible.

    Args:
        change: One path of the diff.
        language: The lesson language.

    Returns:
        "from layer 3: RUN ...", or "new in the container" for an added path.
    """
    if change.source_layer is None:
        if change.kind is ChangeKind.ADDED:
            return say(language, "diff.from.new")
        return say(language, "diff.from.none")
    instruction = change.source_instruction or "?"
    return say(language, "diff.from.layer", index=change.source_layer, instruction=instruction)


class ChangeList(SteadyScrollbars, ScrollView, can_focus=True):
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
        # N, not n: n is the lesson's "next lesson" (the screen says so when a lesson ends).
        Binding("N", "next_new", "Next ▲ new", show=True),
    ]

    class Highlighted(Message):
        """The cursor moved onto a changed path."""

        def __init__(self, change: PathChange) -> None:
            self.change = change
            super().__init__()

    def __init__(self, *, language: str = "en", id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        """The lesson language of the source column."""
        self.changes: tuple[PathChange, ...] = ()
        self.new_paths: frozenset[str] = frozenset()
        """Keys ("A /path") of changes that were not in the previous update."""
        self.cursor = 0
        self._longest_path = 0
        self.rows_drawn = 0
        """How many change rows have been drawn so far: only the visible ones ever are."""

    def show(self, changes: tuple[PathChange, ...], new_paths: frozenset[str]) -> None:
        """Replace the rows, keeping the cursor on the same path where it still exists."""
        current = self.changes[self.cursor].path if self.changes else None
        self.changes, self.new_paths = changes, new_paths
        # An ASCII path takes a cell per character: no call to Rich for each of 20,000
        # paths at every update (10 ms of the diff panel's poll, counted by ui_bench --blame).
        self._longest_path = max(
            (len(p) if p.isascii() else cell_len(p) for p in (c.path for c in changes)), default=0
        )
        self.cursor = 0
        if current is not None:
            self.cursor = next((i for i, c in enumerate(changes) if c.path == current), 0)
        self.virtual_size = Size(self.size.width, len(changes))
        self.refresh()

    def set_language(self, language: str) -> None:
        """Say where the paths came from in ``language`` (the rows on screen are drawn again)."""
        self.language = language
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
        is_new = change_key(change) in self.new_paths
        style = base
        if is_new:
            style += self.get_component_rich_style("change-list--new", partial=True)
        if row == self.cursor:
            style += self.get_component_rich_style("change-list--cursor", partial=True)
        kind = style + self.get_component_rich_style(_KIND_CLASS[change.kind], partial=True)
        muted = style + self.get_component_rich_style("change-list--source", partial=True)
        source_width = self.source_width(width)
        path_width = max(width - 4 - source_width, 0)
        segments = [
            Segment("▲ " if is_new else "  ", style),
            Segment(f"{change.kind.value} ", kind),
            Segment(fit(change.path, path_width), style),
        ]
        if source_width:
            source = source_text(change, self.language)
            segments.append(Segment(fit(" " + source, source_width), muted))
        return Strip(segments, width)

    def source_width(self, width: int) -> int:
        """Cells for where each path came from, the point of the panel.

        At least two fifths of the row, more when the paths are short, so that a
        half-width panel of the wide layout keeps it too (it used to drop the
        column below 60 cells). Only a list too narrow to show both drops it.
        """
        if width < MIN_WIDTH_FOR_SOURCE:
            return 0
        return max(width * 2 // 5, width - 4 - self._longest_path - 1)

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
            self.post_message(self.Highlighted(self.changes[self.cursor]))

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
            if change_key(self.changes[row]) in self.new_paths:
                self._move(row)
                return
        self.notify(say(self.language, "diff.nothing_new"))


def change_key(change: PathChange) -> str:
    """A change's identity across updates, to tell which paths are new.

    Args:
        change: One path of the diff.

    Returns:
        Its kind letter and path, e.g. "A /app/out.txt".
    """
    return f"{change.kind.value} {change.path}"
