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
from textual.widgets import DataTable, Static

from tutor.course.listing import ImageLine, ago
from tutor.engine.printed import human_size
from tutor.i18n import say

#: ``docker image ls``'s columns.
COLUMNS = ("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE")


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

    def compose(self) -> ComposeResult:
        """The title and the table."""
        yield Static(say(self.language, "images.none"), id="images-title", markup=False)
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(column)
        yield table

    def on_mount(self) -> None:
        """Show the images given to the constructor."""
        if self._images is not None:
            self.show_value(self._images)

    @property
    def table(self) -> DataTable[Text]:
        """The table of images."""
        return self.query_one(DataTable)

    def show_value(self, value: object) -> None:
        """Draw the rows the deck read (a tuple of :class:`ImageLine`)."""
        lines = value if isinstance(value, (tuple, list)) else ()
        self._images = tuple(line for line in lines if isinstance(line, ImageLine))
        table = self.table
        table.clear()
        named = self.get_component_rich_style("images-panel--named", partial=True)
        for line in self._images:
            cells = (line.repository, line.tag, line.image_id, ago(line.created))
            style = named if line.named else ""
            table.add_row(
                *(Text(cell, style) for cell in cells),
                Text(human_size(line.size), style, justify="right"),
            )
        self._say_title()

    def set_language(self, language: str) -> None:
        """Say the title in ``language``."""
        self.language = language
        if self.is_mounted:
            self._say_title()

    def _say_title(self) -> None:
        title = say(self.language, "images.none")
        if self._images is not None:
            title = say(self.language, "images.title", count=len(self._images))
        self.query_one("#images-title", Static).update(title)
