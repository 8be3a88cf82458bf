"""A tiny app that mounts one widget, records the messages it posts, and reads the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Input

M = TypeVar("M", bound=Message)


class WidgetHarness(App[None]):
    """Mounts ``make_widget()`` (and a footer showing its keys) and focuses it."""

    CSS = "Screen { layout: vertical; }"

    def __init__(self, make_widget: Callable[[], Widget], *, footer: bool = True) -> None:
        super().__init__()
        self._make_widget = make_widget
        self._footer = footer
        self.widget: Widget | None = None
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        """The widget under test, then the footer."""
        self.widget = self._make_widget()
        yield self.widget
        if self._footer:
            yield Footer()

    def on_mount(self) -> None:
        """Focus the widget (or its first focusable child) and stop the cursors blinking."""
        self.call_after_refresh(self.stop_blinking)
        assert self.widget is not None
        if self.widget.focusable:
            self.widget.focus()
        else:
            focusable = [w for w in self.widget.query("*") if w.focusable]
            if focusable:
                focusable[0].focus()

    def stop_blinking(self) -> None:
        """Turn off every input's blinking cursor so snapshots are stable."""
        for node in self.query(Input):
            node.cursor_blink = False

    @on(Message)
    def _record(self, message: Message) -> None:
        """Everything that bubbles up to the app, for the tests to inspect."""
        self.messages.append(message)

    def posted(self, kind: type[M]) -> list[M]:
        """The recorded messages of one type, oldest first."""
        return [m for m in self.messages if isinstance(m, kind)]

    def screen_text(self) -> str:
        """The characters on the terminal, line by line, as the learner sees them."""
        # The compositor's strips are what the driver would paint.
        strips = self.screen._compositor.render_strips()
        return "\n".join(strip.text.rstrip() for strip in strips)
