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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.geometry import Size
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
