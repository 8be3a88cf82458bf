"""A banner that says the Docker engine is being reached, or is missing, why, and what to do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tutor.engine.errors import (
    DENIED,
    DENIED_HINT,
    UNREACHABLE,
    UNREACHABLE_HINT,
    EngineError,
    EnginePermissionDenied,
    EngineUnreachable,
)
from tutor.i18n import say
from tutor.sentence import said


def error_words(error: EngineError, language: str) -> tuple[str, str]:
    """The error's message and hint in ``language``.

    The two errors that mean "no engine here" are said again from their
    address when they carry the engine's usual words; any other error is
    said in ``language`` when the engine worded it as a Sentence (a bad
    DOCKER_HOST, a port in use), and shown as it was raised otherwise (a
    wrong --param, Docker's own words).

    Returns:
        (message, hint).
    """
    for kind, key, message, hint in (
        (EngineUnreachable, "engine.unreachable", UNREACHABLE, UNREACHABLE_HINT),
        (EnginePermissionDenied, "engine.denied", DENIED, DENIED_HINT),
    ):
        host = getattr(error, "host", "")
        usual = (error.message, error.hint) == (message.format(host=host), hint)
        if isinstance(error, kind) and host and usual:
            return say(language, key, host=host), say(language, f"{key}.hint")
    return said(error.message, language), said(error.hint, language)


class EngineBanner(Vertical):
    """Shown while there is no engine, or while the tutor reaches it; hidden when it answers.

    The screens are drawn before the engine answers (it connects in a thread),
    so the banner first says, on one line, that the tutor is connecting. An
    error's text is its message and hint (in the learner's language where
    :func:`error_words` knows them) under a title with the retry key, or with
    "trying again" while a retry runs. The error colour marks the title and
    the left edge only, so the words stay readable on 16-colour terminals.
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
        &.-connecting { border-left: thick $primary; }
        &.-connecting > .banner-title { color: $text-muted; text-style: none; }
    }
    """

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self.error: EngineError | None = None
        self.connecting = False

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
        self._redraw()

    def show_connecting(self, connecting: bool) -> None:
        """Say that the tutor is reaching the engine (or stop saying it).

        Args:
            connecting: Whether a connection attempt runs now.
        """
        self.connecting = connecting
        self._redraw()

    def set_language(self, language: str) -> None:
        """Say the banner's own words in ``language`` (the error's stay as they are)."""
        self.language = language
        self._redraw()

    def _redraw(self) -> None:
        self.set_class(self.error is not None or self.connecting, "-shown")
        self.set_class(self.error is None and self.connecting, "-connecting")
        if not self.is_mounted:
            return
        title, message, hint = self.query(Static).results(Static)
        lang = self.language
        if self.error is None:
            title.update(f"◌ {say(lang, 'banner.connecting')}")
        else:
            then = say(lang, "banner.trying_again" if self.connecting else "banner.retry")
            title.update(f"⚠ {say(lang, 'banner.title')} · {then}")
        words, advice = error_words(self.error, lang) if self.error else ("", "")
        message.update(words)
        message.display = bool(words)
        hint.update(advice)
        hint.display = bool(advice)

    def on_mount(self) -> None:
        self._redraw()
