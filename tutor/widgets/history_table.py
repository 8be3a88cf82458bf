"""``docker image history`` as a table, with the puzzling rows explained.

Two things in that output confuse learners: ``<missing>`` in the IMAGE column,
and "0B" rows, some of which are no layer at all (metadata only) while others
are real, empty filesystem layers. Both are said in words here.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tutor.engine.labels import is_tutor_labels
from tutor.engine.layers import Layer
from tutor.engine.layers import LayerStack as ImageLayers
from tutor.engine.missing_rows import ITS_BASE_IMAGE, THIS_IMAGE, MissingCause
from tutor.engine.printed import human_size, short_id
from tutor.i18n import say
from tutor.widgets.layer_bands import fit
from tutor.widgets.mounting import being_removed
from tutor.widgets.new_text import set_text
from tutor.widgets.scrolling import Table

MISSING = "<missing>"
#: The words of each cause of ``<missing>`` rows.
MISSING_WORDS = {
    MissingCause.PARENT_REMOVED: "missing.parent_removed",
    MissingCause.PULLED: "missing.pulled",
    MissingCause.BUILDKIT: "missing.buildkit",
    MissingCause.CONTAINERD: "missing.containerd",
    MissingCause.ELSEWHERE: "missing.elsewhere",
}
#: The engine's words for an image without a tag of its own, said in the learner's language.
ANCHOR_WORDS = {THIS_IMAGE: "missing.this_image", ITS_BASE_IMAGE: "missing.its_base_image"}


def layer_kind(layer: Layer, language: str = "en") -> str:
    """Name what a history row is, since "0B" alone does not say.

    Args:
        layer: One history row.
        language: The lesson language.

    Returns:
        "filesystem", "empty layer" (a real 0-byte layer) or "metadata only".
    """
    if not layer.is_filesystem:
        return say(language, "history.kind.metadata")
    return say(language, "history.kind.empty" if layer.size == 0 else "history.kind.filesystem")


def missing_text(layer: Layer, language: str = "en") -> str:
    """Why a row is ``<missing>``, in ``language``.

    Said from the engine's data (cause and image) when the row carries it;
    a reason given without that data (a recorded row) is shown as written.
    """
    why = layer.missing_why
    if why is not None:
        key = ANCHOR_WORDS.get(why.name)
        name = say(language, key) if key else why.name
        return say(language, MISSING_WORDS[why.cause], name=name)
    return layer.missing_reason or say(language, "history.explain.unknown")


def explain(layer: Layer, language: str = "en") -> str:
    """Explain the row under the cursor, <missing> and 0 B rows above all.

    Args:
        layer: One history row.
        language: The lesson language.

    Returns:
        A few lines of text for the learner.
    """
    parts = [
        say(language, "history.explain.layer", index=layer.index, instruction=layer.instruction)
    ]
    if layer.image_id is None:
        parts.append(say(language, "history.explain.missing", reason=missing_text(layer, language)))
    if not layer.is_filesystem:
        parts.append(say(language, "history.explain.metadata"))
    elif layer.size == 0:
        parts.append(say(language, "history.explain.empty"))
    if layer.comment:
        parts.append(say(language, "history.explain.comment", comment=layer.comment))
    return "\n".join(parts)


class HistoryRows(Table):
    """The table itself; enter shows the row's layer in the stack."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Show layer", show=True),
    ]


class HistoryTable(Vertical):
    """An image's history rows, newest first as Docker prints them."""

    DEFAULT_CSS = """
    HistoryTable { height: 1fr; }
    HistoryTable > #title { background: $panel; text-style: bold; padding: 0 1; }
    HistoryTable > HistoryRows { height: 1fr; }
    HistoryTable > #explain {
        height: auto; min-height: 3; padding: 0 1; border-top: solid $primary;
    }
    HistoryTable .history-table--missing { color: $warning; text-style: bold; }
    HistoryTable .history-table--metadata { color: $text-muted; text-style: italic; }
    HistoryTable .history-table--empty { color: $accent; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "history-table--missing",
        "history-table--metadata",
        "history-table--empty",
    }

    class LayerSelected(Message):
        """The learner chose a history row (enter): the app can light that layer."""

        def __init__(self, layer_index: int) -> None:
            self.layer_index = layer_index
            """0 = the base layer, as in the engine's Layer.index."""
            super().__init__()

    def __init__(
        self,
        image: ImageLayers | None = None,
        *,
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language of the title, the LAYER column and the explanations."""
        self._image = image
        self._rows: list[Layer] = []
        self._cut = 36  # cells of CREATED BY that fit beside the other columns at 80

    def compose(self) -> ComposeResult:
        """Title, the table, and the explanation of the row under the cursor.

        The column names are ``docker image history``'s own (and LAYER a
        Docker word), as the lesson quotes them, so they are the same in
        every language.
        """
        yield Static(say(self.language, "history.none"), id="title", markup=False)
        table = HistoryRows(cursor_type="row")
        table.add_column("IMAGE", key="image")
        table.add_column("CREATED BY", key="created_by")
        table.add_column("SIZE", key="size")
        table.add_column("LAYER", key="kind")
        yield table
        yield Static("", id="explain", markup=False)

    def on_mount(self) -> None:
        """Show the image given to the constructor."""
        if self._image is not None and not being_removed(self):
            self.show(self._image)

    @property
    def table(self) -> HistoryRows:
        """The history table."""
        return self.query_one(HistoryRows)

    @property
    def rows(self) -> tuple[Layer, ...]:
        """The layers in table order (newest first)."""
        return tuple(self._rows)

    def set_language(self, language: str) -> None:
        """Say the title, the LAYER column and the explanation in ``language``."""
        self.language = language
        if not self.is_mounted:
            return
        if self._image is not None:
            self.show(self._image)
        else:
            self.query_one("#title", Static).update(say(language, "history.none"))

    def show(self, image: ImageLayers) -> None:
        """Fill the table from an image's layers.

        Args:
            image: The image's layers as the engine read them (index 0 = base).
        """
        self._image = image
        self._rows = sorted(image.layers, key=lambda layer: layer.index, reverse=True)
        table = self.table
        row = table.cursor_row
        table.clear()
        for layer in self._rows:
            table.add_row(*self._cells(layer), key=str(layer.index))
        table.move_cursor(row=row, animate=False)
        missing = sum(1 for layer in self._rows if layer.image_id is None)
        meta = sum(1 for layer in self._rows if not layer.is_filesystem)
        lang, rows = self.language, len(self._rows)
        title = say(
            lang, "history.title", image=image.image, rows=rows, files=rows - meta, meta=meta
        )
        if missing:
            title += say(lang, "history.title.missing", count=missing)
        if image.containerd_store:
            title += say(lang, "history.title.containerd")
        set_text(self.query_one("#title", Static), title)
        self._explain_row(table.cursor_row)

    def _cells(self, layer: Layer) -> tuple[Text, Text, Text, Text]:
        def styled(text: str, component: str) -> Text:
            return Text(text, self.get_component_rich_style(component, partial=True))

        if layer.image_id is None:
            image = styled(MISSING, "history-table--missing")
        else:
            image = Text(short_id(layer.image_id))
        labels = is_tutor_labels(layer.instruction)
        kind = say(self.language, "band.labels") if labels else layer_kind(layer, self.language)
        if labels or not layer.is_filesystem:
            kind_text = styled(kind, "history-table--metadata")
        elif layer.size == 0:
            kind_text = styled(kind, "history-table--empty")
        else:
            kind_text = Text(kind)
        instruction = fit(layer.instruction, self._cut).rstrip()
        size = Text(human_size(layer.size), justify="right")
        return image, Text(instruction), size, kind_text

    def on_resize(self, event: events.Resize) -> None:
        """Give CREATED BY the room the other columns leave (the full text is below)."""
        cut = max(20, event.size.width - 44)
        if cut != self._cut:
            self._cut = cut
            if self._image is not None:
                self.show(self._image)

    def _explain_row(self, row: int) -> None:
        text = explain(self._rows[row], self.language) if 0 <= row < len(self._rows) else ""
        set_text(self.query_one("#explain", Static), text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Explain the row the cursor is on."""
        event.stop()
        self._explain_row(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: tell the app which layer it is."""
        event.stop()
        row = event.cursor_row
        if 0 <= row < len(self._rows):
            self.post_message(self.LayerSelected(self._rows[row].index))
