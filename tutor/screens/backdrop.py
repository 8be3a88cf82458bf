"""The dimmed lesson behind a dialog, tinted once per style instead of once per segment.

A dialog (a question, its outcome, the help) is a Textual ``ModalScreen``
whose translucent background shows the screen below it, dimmed. Textual
draws that backdrop with ``BackgroundScreen``: every segment of the screen
below gets its colours blended with the tint again, two ``Color`` blends and
three new ``Style`` objects per segment, each time the dialog's background
is drawn (some 2,000 segments for a lesson at 160x48). The lesson uses a few
dozen styles, so :class:`CachedTint` blends each style once and reuses the
result: the same colours, drawn as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual._context import visible_screen_stack
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

__all__ = ["CachedTint", "DialogScreen", "tinted"]

_PLAIN = Style()
ResultT = TypeVar("ResultT")


@lru_cache(maxsize=1024)
def tinted(style: Style | None, color: Color) -> Style:
    """``style`` without meta or links, its colours blended with ``color``, as Textual
    blends them (``BackgroundScreen.process_segments``)."""
    style = _PLAIN if style is None else style.clear_meta_and_links()
    if color.a == 0:
        return style
    fore = None if style.color is None else (Color.from_rich_color(style.color) + color)
    back = None if style.bgcolor is None else (Color.from_rich_color(style.bgcolor) + color)
    return style + Style.from_color(
        None if fore is None else fore.rich_color, None if back is None else back.rich_color
    )


class CachedTint(BackgroundScreen):
    """Textual's ``BackgroundScreen`` with each style's tint computed once (:func:`tinted`)."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        for segment in segments:
            text, style, control = segment
            yield segment if control else Segment(text, tinted(style, color), control)


class DialogScreen(ModalScreen[ResultT]):
    """Textual's ``ModalScreen``, its translucent background drawn with :class:`CachedTint`.

    A subclass, not a mix-in: Textual finds a screen's CSS types along each
    class's first base only (``ModalScreen`` gives the dialog its dimmed,
    centred look).
    """

    def render(self) -> RenderableType:
        background = self.styles.background
        stack = visible_screen_stack.get(None)
        if stack and stack[-1] is not self and background.a < 1:
            # Taken off as Textual takes it: a dialog over this one gets the next.
            return CachedTint(stack.pop(), background)
        return super().render()
