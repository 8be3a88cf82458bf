"""The footer of keys, made again only when the keys it shows change.

Textual's ``Footer`` throws its keys away and makes them anew whenever the
screen says its bindings may have changed: at every focus change, every
``refresh_bindings``, every screen pushed. Opening lesson 2 and its question
said so five times, three of them before the lesson's first frame; each time
a dozen widgets were removed and mounted, the screen laid out again (20 ms at
160x48), and the removed ones left in cycles for the next full collection.

This footer remembers what it shows, or is about to show (each key, its
words, whether it is enabled, its tooltip), and is made again only when that
differs: twice in that moment, once per screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from tutor.widgets.after_refresh import after_refresh

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """A ``Footer`` that is made again only when the keys it shows change."""

    _shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        self._shown = self._keys_to_show() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Textual's own, with two changes: nothing when the keys are those shown or
        # about to be, and the remake asked for in a way a closing dialog cannot lose
        # (after_refresh): with the keys remembered as shown, a lost one would have
        # left the footer wrong until its keys changed again.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        keys = self._keys_to_show()
        if keys == self._shown:
            return
        # The remake comes after this frame: the same keys said again before then (a
        # lesson opening said them three times) make nothing more.
        self._shown = keys
        after_refresh(self, self.recompose)

    def _keys_to_show(self) -> tuple[object, ...]:
        """Everything of the screen's bindings the footer draws."""
        shown = tuple(
            (key, binding.key, binding.description, binding.action, binding.group, enabled, tip)
            for key, (_node, binding, enabled, tip) in self.screen.active_bindings.items()
            if binding.show
        )
        return (*shown, self.show_command_palette)
