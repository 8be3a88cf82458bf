"""A banner that says the Docker engine is missing, why, and what to do about it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tutor.engine.errors import EngineError
from tutor.screens import say


class EngineBanner(Vertical):
    """Shown while there is no engine; hidden when it answers.

    The text is the engine error's message and hint (already in the
    learner's words) under a title with the retry key. The error colour marks
    the title and the left edge only, so the words stay readable on
    16-colour terminals.
    """

    DEFAULT_CSS = """
    EngineBanner {
        display: none;
        height: auto;
        border-left: thick $error;
        padding: 0 1;
        &.-shown { display: block; }
        & > .banner-title { color: $text-error; text-style: bold; }
        & > .banner-message { text-style: bold; }
    }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self.error: EngineError | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="banner-title", markup=False)
        yield Static(classes="banner-message", markup=False)
        yield Static(classes="banner-hint", markup=False)

    def show_error(self, error: EngineError | None) -> None:
        """Show ``error`` (or hide the banner when ``None``: the engine is back).

        Args:
            error: The engine error to explain, or ``None``.
        """
        self.error = error
        self.set_class(error is not None, "-shown")
        self._redraw()

    def set_language(self, language: str) -> None:
        """Say the banner's own words in ``language`` (the error's stay as they are)."""
        self.language = language
        self._redraw()

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        title, message, hint = self.query(Static).results(Static)
        lang = self.language
        title.update(f"⚠ {say(lang, 'banner.title')} · {say(lang, 'banner.retry')}")
        message.update(self.error.message if self.error else "")
        hint.update(self.error.hint if self.error else "")
        hint.display = bool(self.error and self.error.hint)

    def on_mount(self) -> None:
        self._redraw()
