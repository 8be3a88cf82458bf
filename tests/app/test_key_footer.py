"""The footer of keys is made again when the keys it shows change, and only then.

Textual's footer removed and mounted its dozen keys at every sign that the
bindings might have changed: four or five times while a lesson opened, each a
layout of the whole screen (see ``tutor.widgets.key_footer``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from tutor.widgets.key_footer import KeyFooter


class KeysApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("a", "first", "First"),
        ("b", "second", "Second"),
    ]
    second_shown = False

    def compose(self) -> ComposeResult:
        yield Static("keys below")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.second_shown or action != "second"

    def action_first(self) -> None:
        """Nothing: a key to show."""

    def action_second(self) -> None:
        """Nothing: a key to show."""

    def footer_text(self) -> str:
        return " ".join(str(key.render()) for key in self.query_one(KeyFooter).children)


async def test_the_footer_is_made_again_only_when_its_keys_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        assert "First" in app.footer_text() and "Second" not in app.footer_text()
        made: list[bool] = []
        recompose = footer.recompose

        def spy(*args: Any, **kwargs: Any) -> Any:
            made.append(True)
            return recompose(*args, **kwargs)

        monkeypatch.setattr(footer, "recompose", spy)
        for _ in range(3):
            app.screen.refresh_bindings()  # as a focus change or a pushed screen says
            await pilot.pause()
        assert made == []
        app.second_shown = True
        for _ in range(3):  # said again before the next frame, as a lesson opening does
            app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert made == [True]
        assert "Second" in app.footer_text()


async def test_the_footer_is_made_again_when_its_after_refresh_callback_is_lost() -> None:
    """Textual hands the remake to the screen on top; a dialog closing just then took it
    along. The footer remembers the keys as shown when it asks: lost, it would have
    shown the old keys until they changed again."""
    app = KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        footer.call_after_refresh = lambda *args, **kwargs: True  # type: ignore[method-assign]
        app.second_shown = True
        app.screen.refresh_bindings()
        await pilot.pause(0.5)
        assert "Second" in app.footer_text()
