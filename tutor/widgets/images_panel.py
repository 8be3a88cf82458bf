"""The images on the engine, as ``docker image ls`` lists them.

Lessons 2 and 10 ask which images show up in that list; the list stays on
screen here (a step's own output is gone once the step passes). The column
names are Docker's own, as the lessons quote them, in every language; the
lesson's own images are in bold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from tutor.course.listing import ImageLine, ago
from tutor.engine.printed import human_size
from tutor.i18n import say
from tutor.widgets.after_refresh import after_refresh
from tutor.widgets.mounting import being_removed
from tutor.widgets.new_text import set_text
from tutor.widgets.scrolling import Table

#: ``docker image ls``'s columns.
COLUMNS = ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")
#: Columns a cell's padding takes on each side of it, and a scroll bar's width.
PADDING, SCROLL_BAR = 1, 2
#: The fewest columns a shortened repository keeps.
NARROWEST = 12


def shortened(name: str, width: int) -> str:
    """``name`` in at most ``width`` columns, its middle left out: both ends tell
    images apart (a registry's address, a learner's namespace)."""
    if len(name) <= width:
        return name
    head = (width - 1) // 2
    return f"{name[:head]}…{name[len(name) - (width - 1 - head) :]}"


def _looks(cell: Text) -> tuple[object, ...]:
    """What a cell shows (``Text``'s own ``==`` leaves out its style)."""
    return (cell.plain, cell.style, cell.justify)


class ImagesPanel(Vertical):
    """A table of the engine's images; the deck reads them (see ``read_images``)."""

    DEFAULT_CSS = """
    ImagesPanel { height: 1fr; }
    ImagesPanel > #images-title { background: $panel; text-style: bold; padding: 0 1; }
    ImagesPanel > DataTable { height: 1fr; }
    ImagesPanel .images-panel--named { text-style: bold; color: $text-accent; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"images-panel--named"}

    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(
        self,
        images: Sequence[ImageLine] = (),
        *,
        language: str = "en",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.language = language
        """The lesson language of the title (the columns are Docker's words)."""
        self._images: tuple[ImageLine, ...] | None = tuple(images) if images else None
        self._room = 0  # the columns the table's repositories were shortened to

    def compose(self) -> ComposeResult:
        """The title and the table."""
        yield Static(say(self.language, "images.none"), id="images-title", markup=False)
        table: DataTable[Text] = Table(cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(column)
        yield table

    def on_mount(self) -> None:
        """Show the images given to the constructor."""
        if self._images is not None and not being_removed(self):
            self.show_value(self._images)

    @property
    def table(self) -> DataTable[Text]:
        """The table of images."""
        return self.query_one(DataTable)

    def show_value(self, value: object) -> None:
        """Draw the rows the deck read (a tuple of :class:`ImageLine`).

        The deck reads the images at each engine event: while an image builds,
        each step's image replaces the last as the newest. When the table keeps
        its number of rows, only the cells that differ are set again: the
        learner's cursor stays where it was, and the screen is not laid out
        again (the table's size is the same).
        """
        lines = value if isinstance(value, (tuple, list)) else ()
        self._images = tuple(line for line in lines if isinstance(line, ImageLine))
        table = self.table
        named = self.get_component_rich_style("images-panel--named", partial=True)
        rows = [
            (line, (line.tag, line.image_id, ago(line.created), human_size(line.size)))
            for line in self._images
        ]
        room = self._room_for_repository([cells for _, cells in rows])
        drawn: list[tuple[Text, ...]] = []
        for line, (tag, image_id, created, size) in rows:
            style = named if line.named else ""
            cells = (shortened(line.repository, room), tag, image_id, created)
            drawn.append(
                (*(Text(cell, style) for cell in cells), Text(size, style, justify="right"))
            )
        if drawn and table.row_count == len(drawn) and room == self._room:
            self._set_changed_cells(table, drawn)
        else:
            self._room = room
            table.clear()
            for column in table.columns.values():  # each kept its widest cell's width
                column.content_width = column.label.cell_len
            for row in drawn:
                table.add_row(*row)
        self._say_title()

    @staticmethod
    def _set_changed_cells(table: DataTable[Text], drawn: list[tuple[Text, ...]]) -> None:
        for row, cells in enumerate(drawn):
            for column, cell in enumerate(cells):
                shown = table.get_cell_at(Coordinate(row, column))
                if _looks(shown) != _looks(cell):
                    table.update_cell_at(Coordinate(row, column), cell, update_width=True)

    def _room_for_repository(self, others: list[tuple[str, ...]]) -> int:
        """The columns REPOSITORY may take so that SIZE, the last, stays on screen
        (a registry's tag, ``localhost:5000/python-hello-world``, pushed it off at 80)."""
        width = self.size.width
        if not width:
            return 10_000  # not laid out yet: drawn again at its first size
        widest = [len(name) for name in COLUMNS[1:]]
        for cells in others:
            widest = [max(w, len(cell)) for w, cell in zip(widest, cells, strict=True)]
        taken = sum(widest) + 2 * PADDING * len(COLUMNS) + SCROLL_BAR
        return max(NARROWEST, width - taken)

    def on_resize(self) -> None:
        """Fit the repository names to the new width, once the table has its own."""
        if self._images is not None:
            after_refresh(self, self._refit)

    def _refit(self) -> None:
        if self._images is not None:
            self.show_value(self._images)

    def set_language(self, language: str) -> None:
        """Say the title in ``language``."""
        self.language = language
        if self.is_mounted:
            self._say_title()

    def _say_title(self) -> None:
        title = say(self.language, "images.none")
        if self._images is not None:
            title = say(self.language, "images.title", count=len(self._images))
        shown = self.query_one("#images-title", Static)
        if shown.content != title:  # a new height lays the whole screen out again
            set_text(shown, title)
