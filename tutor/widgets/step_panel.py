"""The current step: what to type, a key to let the tutor do it, hints, the check's status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from rich.text import Text
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from tutor.i18n import say
from tutor.sentence import said
from tutor.widgets.inline import inline_text
from tutor.widgets.new_text import set_text


class StepState(Enum):
    """Where the current step stands; each has its own words and colour."""

    WAITING = "step.waiting"
    RUN_OR_CHECK = "step.run_or_check"
    PREDICT_FIRST = "step.predict_first"
    CHECKING = "step.checking"
    RUNNING = "step.running"
    PASSED = "step.passed"
    NOT_YET = "step.not_yet"
    FAILED = "step.failed"
    OFFLINE = "step.offline"


#: The CSS class each state puts on the status line (colours live in tutor.tcss).
STATE_CLASS = {
    StepState.PASSED: "-passed",
    StepState.FAILED: "-failed",
    StepState.NOT_YET: "-not-yet",
    StepState.OFFLINE: "-offline",
    StepState.PREDICT_FIRST: "-not-yet",
}

#: How many lines of a run's output the panel keeps in view.
OUTPUT_LINES = 6


@dataclass(frozen=True)
class StepView:
    """What the panel shows for one step, already in the learner's language.

    Attributes:
        number: 1-based position of the step in its lesson.
        total: How many steps the lesson has.
        title: The step's short title.
        body: Markdown explaining the step.
        command: The command to type, parameters filled in.
        can_run: Whether the tutor can run it for the learner (``t``).
        hints: The hints, shown one at a time.
        folder: Where the lesson's files are, as the learner would type it
            (``~/...``); "" for a lesson without files.
    """

    number: int
    total: int
    title: str
    body: str
    command: str
    can_run: bool
    hints: tuple[str, ...] = ()
    folder: str = ""


class StepPanel(Vertical):
    """Shows one step at a time; the lesson screen feeds it views and states."""

    def __init__(self, language: str = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.language = language
        self.view: StepView | None = None
        self.state = StepState.WAITING
        self.detail = ""
        self.hints_shown = 0
        self.finished_text = ""
        self.output: list[str] = []
        self._body_text: str | None = None
        self._body_drawn: AwaitComplete | None = None

    def compose(self) -> ComposeResult:
        yield Markdown(id="step-body", classes="step-part")
        yield Static(id="step-command", classes="step-part", markup=False)
        yield Static(id="step-how", classes="step-part", markup=False)
        yield Static(id="step-folder", classes="step-part", markup=False)
        yield Static(id="step-hint", classes="step-part", markup=False)
        yield Static(id="step-output", classes="step-part", markup=False)
        yield Static(id="step-status", classes="step-part", markup=False)

    def on_mount(self) -> None:
        self._redraw()

    def show(self, view: StepView, *, fresh: bool = True) -> AwaitComplete:
        """Show a step.

        Args:
            view: The step, in the learner's language.
            fresh: A new step: no hint open, no output, status back to waiting.
                False re-shows the same step (e.g. in another language).

        Returns:
            Done once the step's text is drawn: a question asked over the
            step waits for it, or it would cover a panel still half-drawn.
        """
        self.view, self.finished_text = view, ""
        if fresh:
            self.hints_shown, self.output = 0, []
            self.state, self.detail = StepState.WAITING, ""
        self._redraw()
        drawn = self._body_drawn
        return drawn if drawn is not None and not drawn.is_done else AwaitComplete.nothing()

    def show_output(self, lines: list[str]) -> None:
        """Show the last lines the tutor's run of the step printed (empty: hide them)."""
        self.output = lines[-OUTPUT_LINES:]  # said in the language of each redraw
        self._redraw()

    def show_finished(self, text: str) -> None:
        """Show that the lesson is complete instead of a step."""
        self.view, self.finished_text = None, text
        self._redraw()

    def set_state(self, state: StepState, detail: str = "") -> None:
        """Update the status line (``detail``: the check's or the failure's words)."""
        self.state, self.detail = state, detail
        self._redraw()

    def set_language(self, language: str) -> None:
        """Say the panel's own words in ``language``; the caller re-sends the view."""
        self.language = language
        self._redraw()

    def next_hint(self) -> bool:
        """Open the next hint.

        Returns:
            False when the step has no more hints to open.
        """
        if self.view is None or self.hints_shown >= len(self.view.hints):
            return False
        self.hints_shown += 1
        self._redraw()
        return True

    def _redraw(self) -> None:
        """Show the current view, state and output; change only the parts that differ.

        Each part shown or hidden, and each text that takes other rows, lays
        the whole screen out again (20 ms at 160x48), and a run's output comes
        here line by line: a part set to what it shows already is left alone,
        and a new text is drawn in place when it keeps the height
        (:func:`set_text`).
        """
        if not self.is_mounted:
            return
        lang, view = self.language, self.view
        status = self.query_one("#step-status", Static)
        if view is None:
            for part in self.query(".step-part"):
                part.display = False
            self.border_title = self.finished_text
            return
        number = say(lang, "step.of", number=view.number, total=view.total)
        self.border_title = f"{number} · {view.title}"
        body = self.query_one("#step-body", Markdown)
        body.display = bool(view.body.strip())
        if view.body != self._body_text:  # a state change does not re-parse the text
            self._body_text = view.body
            self._body_drawn = body.update(view.body)
        how = "both" if view.command and view.can_run else "tutor" if view.can_run else "type"
        hint: str | Text = ""
        if self.hints_shown:
            said_hint = view.hints[self.hints_shown - 1]
            line = say(
                lang, "step.hint", number=self.hints_shown, total=len(view.hints), text=said_hint
            )
            hint = inline_text(line)  # a hint is Markdown: `code` shows bold, not quoted
        detail = said(self.detail, lang)
        parts: list[tuple[str, bool, str | Text]] = [
            ("#step-command", bool(view.command), f"$ {view.command}"),
            ("#step-how", bool(view.command or view.can_run), say(lang, f"step.how.{how}")),
            ("#step-folder", bool(view.folder), say(lang, "step.folder", folder=view.folder)),
            ("#step-hint", self.hints_shown > 0, hint),
            (
                "#step-output",
                bool(self.output),
                "\n".join(said(line, lang) for line in self.output),
            ),
            ("#step-status", True, inline_text(say(lang, self.state.value, detail=detail))),
        ]
        for selector, shown, content in parts:
            part = self.query_one(selector, Static)
            part.display = shown  # Textual lays out again only when it changes
            if shown and part.content != content:
                set_text(part, content)
        status.set_classes(f"step-part {STATE_CLASS.get(self.state, '')}")
