"""Textual's header, whose title is drawn again in place instead of laying the screen out.

Textual's ``Header`` shows the title with ``Static.update``, which asks for
a layout of the whole screen (17-24 ms for a lesson screen at 160x48). It
does so for each of the four values it watches (the app's and the screen's
title and sub-title) as it mounts, and again when a screen sets its own, as
each lesson does as it opens and again at each change of language. The
title's row cannot grow (the header is one row, the title never wraps), so
:class:`TitleHeader` draws a new title in its place (``new_text.set_text``:
a layout only if its height changed after all). It looks and behaves as
Textual's header does; only the title widget differs.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderClockSpace, HeaderIcon, HeaderTitle

from tutor.widgets.new_text import set_text

__all__ = ["TitleHeader", "TitleLine"]


class TitleLine(HeaderTitle):
    """The header's title: a new text is drawn again in place when its height holds."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if layout:
            set_text(self, content)  # back here with layout=False, once laid out
        else:
            super().update(content, layout=False)


class TitleHeader(Header):
    """Textual's ``Header`` (no clock) with a :class:`TitleLine` for its title."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield TitleLine()
        yield HeaderClockSpace()
