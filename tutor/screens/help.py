"""The help screen: every key of every screen, with what it does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tutor.i18n import say
from tutor.screens.backdrop import DialogScreen
from tutor.screens.keys import TranslatedKeys, key_words


@dataclass(frozen=True)
class KeySection:
    """The keys of one screen, as the help lists them.

    Attributes:
        title: The screen's name ("Lesson", "Everywhere").
        bindings: Its key bindings; those without a description are left out.
    """

    title: str
    bindings: tuple[BindingType, ...]


class HelpScreen(DialogScreen[None], TranslatedKeys[None]):
    """Lists the keys per screen, the screen the learner came from first.

    Args:
        sections: What to list, in order.
        language: The learner's language for the screen's own words.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close help"),
        Binding("question_mark", "close", "Close help", show=False),
    ]

    def __init__(self, sections: Sequence[KeySection], language: str = "en") -> None:
        super().__init__()
        self.sections = tuple(sections)
        self.language = language

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = say(self.language, "help.title")
            box.border_subtitle = say(self.language, "help.keys")
            with VerticalScroll(id="help-keys"):
                for section in self.sections:
                    yield Static(self._table(section), classes="help-section")

    def _table(self, section: KeySection) -> Table:
        table = Table(
            title=Text(key_words(self.language, section.title), style="bold"),
            title_justify="left",
            show_header=False,
            box=None,
            padding=(0, 2, 0, 0),
            expand=True,
        )
        table.add_column("key", style="bold", no_wrap=True, min_width=8)
        table.add_column("does", ratio=1)
        for binding in unique(Binding.make_bindings(section.bindings)):
            words = key_words(self.language, binding.description)
            table.add_row(self.app.get_key_display(binding), words)
        return table

    def action_close(self) -> None:
        """Go back to the screen the learner was on."""
        self.dismiss(None)


def unique(bindings: Iterable[Binding]) -> list[Binding]:
    """Bindings with a description, one row per (key, action), in their order."""
    seen: set[tuple[str, str]] = set()
    rows: list[Binding] = []
    for binding in bindings:
        mark = (binding.key, binding.action)
        if binding.description and mark not in seen:
            seen.add(mark)
            rows.append(binding)
    return rows
