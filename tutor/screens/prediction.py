"""Prediction questions: asked before a step runs, compared with what happened after.

Predicting first makes the learner commit to a model of how layers behave;
the outcome screen then puts their answer next to the right one and the
lesson's explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from tutor.i18n import say
from tutor.screens.backdrop import DialogScreen
from tutor.screens.keys import TranslatedKeys
from tutor.widgets.key_footer import KeyFooter

#: Below this many columns a dialog takes the whole width. A 76-column box on an
#: 80-column terminal left two columns of the lesson beside each border, read in a
#: terminal as stray characters glued to the box (``▎ █6…``, ``█l…``).
WHOLE_WIDTH_BELOW = 92


def fit_dialogs(screen: Screen[Any], width: int) -> None:
    """Give ``screen``'s dialog box the whole width when only slivers would be left beside it."""
    for box in screen.query(".dialog"):
        box.set_class(width < WHOLE_WIDTH_BELOW, "-whole-width")


class PredictionScreen(DialogScreen[int | None], TranslatedKeys[int | None]):
    """Asks the question; dismissed with the chosen index, or ``None`` to decide later.

    Args:
        question: The question (Markdown).
        choices: The possible answers, in the lesson's order.
        language: The learner's language for the screen's own words.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", "Decide later"),
        Binding("1", "choose(0)", "Choose an answer", show=False, key_display="1-9"),
        *(Binding(str(n), f"choose({n - 1})", show=False) for n in range(2, 10)),
    ]

    def __init__(self, question: str, choices: Sequence[str], language: str = "en") -> None:
        super().__init__()
        self.question = question
        self.choices = tuple(choices)
        self.language = language

    def compose(self) -> ComposeResult:
        with Vertical(id="predict-box", classes="dialog") as box:
            box.border_title = say(self.language, "predict.title")
            box.border_subtitle = say(self.language, "predict.keys")
            yield Static(say(self.language, "predict.intro"), classes="dialog-intro")
            yield Markdown(self.question, id="predict-question")
            yield OptionList(
                *(
                    Option(with_code(f"{n}. {text}"), id=str(n - 1))
                    for n, text in enumerate(self.choices, 1)
                ),
                id="predict-choices",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        fit_dialogs(self, self.app.size.width)
        self.query_one(OptionList).focus()

    def on_resize(self, event: Resize) -> None:
        fit_dialogs(self, event.size.width)

    @on(OptionList.OptionSelected, "#predict-choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a highlighted answer."""
        self.action_choose(event.option_index)

    def action_choose(self, index: int) -> None:
        """Answer with choice ``index`` (0-based); numbers past the last do nothing."""
        if 0 <= index < len(self.choices):
            self.dismiss(index)

    def action_later(self) -> None:
        """Close without answering; the step waits for the prediction (key p)."""
        self.dismiss(None)


class OutcomeScreen(DialogScreen[None], TranslatedKeys[None]):
    """After the step: the learner's prediction, the right answer, and why.

    Args:
        question: The question that was asked (Markdown).
        choices: The possible answers.
        chosen: What the learner predicted (``None``: they never answered).
        answer: The right answer's index.
        explanation: The lesson's explanation (Markdown).
        happened: What the check saw on the engine, in its own words.
        language: The learner's language for the screen's own words.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "close", "Go on"),
        Binding("escape", "close", "Go on", show=False),
    ]

    def __init__(
        self,
        question: str,
        choices: Sequence[str],
        *,
        chosen: int | None,
        answer: int,
        explanation: str,
        happened: str = "",
        language: str = "en",
    ) -> None:
        super().__init__()
        self.question = question
        self.choices = tuple(choices)
        self.chosen = chosen
        self.answer = answer
        self.explanation = explanation
        self.happened = happened
        self.language = language

    def compose(self) -> ComposeResult:
        lang = self.language
        right = chosen_text(self.choices, self.answer)
        with Vertical(id="outcome-box", classes="dialog") as box:
            box.border_title = say(lang, "outcome.title")
            box.border_subtitle = say(lang, "outcome.keys")
            yield Markdown(self.question, id="outcome-question")
            if self.chosen is not None:
                yours = chosen_text(self.choices, self.chosen)
                yield Static(with_code(say(lang, "outcome.yours", choice=yours)))
            yield Static(with_code(say(lang, "outcome.right", choice=right)))
            if self.happened:
                yield Static(self.happened, classes="outcome-happened", markup=False)
            match = self.chosen == self.answer
            yield Static(
                say(lang, "outcome.match" if match else "outcome.miss"),
                classes="-passed" if match else "-not-yet",
                id="outcome-verdict",
                markup=False,
            )
            yield Markdown(self.explanation, id="outcome-explanation")
        yield KeyFooter()

    def on_mount(self) -> None:
        fit_dialogs(self, self.app.size.width)

    def on_resize(self, event: Resize) -> None:
        fit_dialogs(self, event.size.width)

    def action_close(self) -> None:
        """Back to the lesson, which moves on to the next step."""
        self.dismiss(None)


def with_code(text: str) -> Text:
    """Plain text with the lesson's `inline code` in bold (no markup is read)."""
    result = Text()
    for n, part in enumerate(text.split("`")):
        result.append(part, style="bold" if n % 2 else "")
    return result


def chosen_text(choices: Sequence[str], index: int) -> str:
    """The words of choice ``index``, or ``?`` when the lesson has no such choice."""
    return choices[index] if 0 <= index < len(choices) else "?"
