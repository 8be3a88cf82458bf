"""Scrolling widgets that leave their scroll bars alone when a layout changed nothing of them.

At every layout of the screen, Textual (8.2.8) tells each scrolling widget
its size and, as its virtual size, the size of its region. A ``ScrollView``
compares that with the virtual size it keeps itself (its content's: a
table's rows, a log's lines), finds them different every time, and redraws
its scroll bars. Each redraw marks a thin strip of the screen to draw again;
Textual draws the rectangle around all such strips at once, and with a
scrolling widget in every corner of the lesson screen that rectangle is the
whole screen. So every layout drew every widget again: at 160x48 while 30
images were built, 379 frames drew the header, the footer and every panel
(12 ms a frame on average, 20 ms with a layout), for a table of images that
had grown by a row.

A widget here remembers what it was told and what it held after the last
layout. When both are the same at the next one, nothing of it changed, and
Textual's handling (scroll bars redrawn, scroll offsets clamped again, no
resize) is left out. Anything that changed (its region, its content's size,
its container) goes through Textual's handling as before.

The other way round, a scrolling widget's content growing (a table's new
row, a log's new line) changes its virtual size, which Textual declares as
needing a layout of the whole screen. For a widget whose own size does not
follow its content (no ``auto`` width or height), that layout changes
nothing but its scroll bars: at 160x48 it took 17-24 ms each, 93 of them
while 30 images were built. Such a widget here updates its scroll bars
itself, as the layout would have (``_scroll_update``), and draws again; a
scroll bar that appears or goes still lays the screen out (Textual's own
``show_vertical_scrollbar`` asks for it). So does a widget whose size
follows its content (``height: auto``), unless a ``min-height`` or a
``max-height`` holds it before and after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.css.scalar import Unit
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.widgets import DataTable, Input, RichLog

__all__ = ["Log", "SteadyScrollbars", "Table", "TextInput"]

if TYPE_CHECKING:
    _ScrollView = ScrollView
else:  # a mixin: Textual takes a widget's CSS, keys and parts from its first widget base
    _ScrollView = object


class SteadyScrollbars(_ScrollView):
    """Mixed in before a ``ScrollView``: its scroll bars are updated only when its sizes change."""

    _sizes_after_layout: tuple[Size, ...] | None = None

    # Textual's, without its layout: _watch_virtual_size asks for one when it is needed.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def _watch_virtual_size(self, old: Size, new: Size) -> None:
        if self.is_mounted and self._size and self._keeps_its_size(old, new):
            self._scroll_update(new)
        else:  # its own size may follow, or it was never laid out
            self.refresh(layout=True)

    def _keeps_its_size(self, old: Size, new: Size) -> bool:
        """Whether its size stays when its content goes from ``old`` to ``new``.

        Always so where a rule fixes it; where it follows its content (``auto``),
        only when the content fits with room to spare before and after, or fills
        it exactly at the smallest size (held by a ``min-height``), or overflows
        before and after (held by a ``max-height``).
        """
        styles, shown, size = self.styles, self.scrollable_content_region.size, self.size
        axes = (
            (styles.width, styles.min_width, size.width, shown.width, old.width, new.width),
            (styles.height, styles.min_height, size.height, shown.height, old.height, new.height),
        )
        for rule, smallest, outer, room, before, after in axes:
            if rule is None or not rule.is_auto:
                continue
            at_smallest = (
                smallest is not None and smallest.unit is Unit.CELLS and outer <= smallest.value
            )
            spare = before < room >= after or (at_smallest and before <= room >= after)
            if not (spare or before > room < after):
                return False
        return True

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        told = (size, virtual_size, container_size)
        if told + self._sizes_held() == self._sizes_after_layout:
            return False
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        self._sizes_after_layout = told + self._sizes_held()
        return resized

    def _sizes_held(self) -> tuple[Size, ...]:
        """What the widget itself holds of its sizes (its content may have grown since)."""
        return (self._size, self.virtual_size, self._container_size)


class Table(SteadyScrollbars, DataTable[Text]):
    """A data table of styled text cells (see the module's docstring)."""


class Log(SteadyScrollbars, RichLog):
    """A rich log (see the module's docstring)."""


class TextInput(SteadyScrollbars, Input):
    """A one-line input (see the module's docstring)."""
