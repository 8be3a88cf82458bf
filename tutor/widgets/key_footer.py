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

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    """A ``Footer`` that is made again only when the keys it shows change."""

    _shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        self._shown = self._keys_to_show() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not (self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        keys = self._keys_to_show()
        if keys == self._shown:
            return
        if screen.app.app_focus:
            # What the footer made after this frame will show: the same keys said again
            # before then (a lesson opening said them three times) make nothing more.
            self._shown = keys
        super().bindings_changed(screen)

    def _keys_to_show(self) -> tuple[object, ...]:
        """Everything of the screen's bindings the footer draws."""
        shown = tuple(
            (key, binding.key, binding.description, binding.action, binding.group, enabled, tip)
            for key, (_node, binding, enabled, tip) in self.screen.active_bindings.items()
            if binding.show
        )
        return (*shown, self.show_command_palette)
