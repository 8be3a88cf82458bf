"""Preparing the course's images from inside the app, with a progress bar.

The same work as ``python -m tutor prepare --build-local`` (``tutor.prepare``):
pull what a registry gives, make a stand-in for what none does. It runs in a
thread worker; the screen shows each stage, the bytes of a pull, and what
was done, then the app saves the stand-ins in the settings file and
connects again so the lessons build FROM them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Log, ProgressBar, Static

from tutor.engine.errors import EngineError
from tutor.engine.images import Transfer
from tutor.i18n import say
from tutor.messages import UseParams
from tutor.prepare import plan
from tutor.prepare.needs import images_needed
from tutor.screens.backdrop import DialogScreen
from tutor.screens.keys import TranslatedKeys
from tutor.sentence import said
from tutor.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from tutor.engine.connection import Engine
    from tutor.screens.session import TutorSession


class PrepareScreen(DialogScreen[bool], TranslatedKeys[bool]):
    """Makes the missing images present; closes with True once the course is ready.

    Args:
        engine: The connected engine.
        language: The learner's language.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "close", "Go on"),
        Binding("escape", "close", "Go on", show=False),
    ]

    def __init__(self, engine: Engine, language: str = "en") -> None:
        super().__init__()
        self.engine = engine
        self.language = language
        self.report: plan.Report | None = None
        self.running = True

    @property
    def tutor(self) -> TutorSession:
        """The app, typed."""
        return cast("TutorSession", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="prepare-box", classes="dialog"):
            yield Static(say(self.language, "prepare.title"), id="prepare-title", markup=False)
            yield ProgressBar(id="prepare-bar", show_eta=False)
            yield Log(id="prepare-log", max_lines=200, auto_scroll=True)
            yield Static(say(self.language, "prepare.wait"), id="prepare-keys", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._prepare(self.tutor.current_params)

    @work(thread=True, exclusive=True, group="prepare")
    def _prepare(self, params: object) -> None:
        needed = images_needed(self.tutor.course, params)  # type: ignore[arg-type]
        try:
            report = plan.prepare(
                self.engine,
                needed,
                build_local=True,
                say=lambda text: self.app.call_from_thread(self._stage, text),
                on_transfer=lambda t: self.app.call_from_thread(self._transfer, t),
            )
        except EngineError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, report)

    def _stage(self, text: str) -> None:
        self.query_one("#prepare-log", Log).write_line(text)
        self.query_one("#prepare-bar", ProgressBar).update(total=None)

    def _transfer(self, transfer: Transfer) -> None:
        if transfer.total:
            self.query_one("#prepare-bar", ProgressBar).update(
                total=transfer.total, progress=transfer.done
            )

    def _failed(self, why: str) -> None:
        self.query_one("#prepare-log", Log).write_line(why)
        self._finished(ready=False)

    def _done(self, report: plan.Report) -> None:
        self.report = report
        log = self.query_one("#prepare-log", Log)
        for outcome in report.outcomes:
            used = f" -> {outcome.image}" if outcome.image != outcome.needed.image else ""
            log.write_line(
                f"{outcome.state}: {outcome.needed.image}{used} ({outcome.seconds:.0f} s)"
            )
            if outcome.state == plan.MISSING:
                log.write_line(f"  {said(outcome.detail, self.language)}")
                log.write_line(f"  {said(outcome.hint, self.language)}")
        if report.settings:
            self.post_message(UseParams(report.settings))
        self._finished(ready=report.ready)

    def _finished(self, *, ready: bool) -> None:
        self.running = False
        bar = self.query_one("#prepare-bar", ProgressBar)
        bar.update(total=1, progress=1 if ready else 0)
        key = "prepare.ready" if ready else "prepare.not_ready"
        self.query_one("#prepare-keys", Static).update(say(self.language, key))

    def action_close(self) -> None:
        """Close once the work is over (a stand-in half made is not left to itself)."""
        if self.running:  # said in the dialog: a notice would wait until it closes
            self.query_one("#prepare-log", Log).write_line(say(self.language, "prepare.busy"))
            return
        self.dismiss(bool(self.report and self.report.ready))
