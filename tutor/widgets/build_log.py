"""Build output as it streams: each step marked CACHED or BUILT, a failure made prominent."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import RichLog, Static

from tutor.engine import cache_miss
from tutor.engine.build_events import (
    BuildDone,
    BuildError,
    BuildEvent,
    BuildRetried,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.labels import is_tutor_labels
from tutor.engine.printed import short_id
from tutor.i18n import say
from tutor.widgets.after_refresh import after_refresh
from tutor.widgets.new_text import set_text
from tutor.widgets.scrolling import Log

#: Lines the log keeps (and build events kept to write it again in another language).
#: A drawn line costs Textual some 30 objects that every full garbage collection
#: walks; the course's builds print tens of lines, a big RUN a few thousand.
MAX_LINES = 5_000
#: The words of each reason the engine gives for a cache miss.
MISS_WORDS = {
    cache_miss.EARLIER_STEP_REBUILT: "miss.earlier",
    cache_miss.INSTRUCTION_CHANGED: "miss.instruction",
    cache_miss.FILE_CHANGED: "miss.file",
    cache_miss.BUILD_ARG_CHANGED: "miss.build_arg",
    cache_miss.BASE_CHANGED: "miss.base",
    cache_miss.NEW_AFTER_PARENT: "miss.new",
}


def miss_text(reason: str, language: str = "en") -> str:
    """Why a step missed the cache, in ``language``.

    The engine's reasons are a fixed set of sentences (:mod:`tutor.engine.cache_miss`),
    each said in the learner's language; any other text is shown as it is.
    """
    key = MISS_WORDS.get(reason)
    return say(language, key) if key else reason


class BuildLog(Vertical):
    """Feed it the engine's build events one by one with :meth:`add_event`.

    Events are queued and written in batches once the event loop is free, so a
    build that prints thousands of lines costs one log write per batch rather
    than one per line. The events written are kept (as many as the log keeps
    lines), so that :meth:`set_language` can write the whole log again.
    """

    FLUSH_MOST = 250
    """Events written in one frame at most (a RUN may print thousands of lines at once)."""

    DEFAULT_CSS = """
    BuildLog { height: 1fr; }
    BuildLog > #status { height: auto; padding: 0 1; background: $panel; text-style: bold; }
    BuildLog > #status.-failed { background: $error 30%; }
    BuildLog > #status.-done { background: $success 25%; }
    BuildLog > RichLog { height: 1fr; padding: 0 1; }
    BuildLog > #failure {
        display: none; height: auto; max-height: 60%; min-height: 5; padding: 0 1;
        border: heavy $error; color: $text; overflow-y: auto;
    }
    BuildLog > #failure.-visible { display: block; }
    BuildLog .build-log--step { text-style: bold; }
    BuildLog .build-log--output { text-style: dim; }
    BuildLog .build-log--cached { color: $success; text-style: bold; }
    BuildLog .build-log--built { color: $warning; text-style: bold; }
    BuildLog .build-log--error { color: $error; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "build-log--step",
        "build-log--output",
        "build-log--cached",
        "build-log--built",
        "build-log--error",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_follow", "Follow output", show=True),
    ]

    def __init__(
        self,
        *,
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language of the log's own words (the engine's output stays as it is)."""
        self._pending: list[BuildEvent] = []
        self._written: deque[BuildEvent] = deque(maxlen=MAX_LINES)
        self._flush_scheduled = False
        self.flush_count = 0
        """How many batches have been written to the log (each batch is one write)."""
        self.steps: dict[int, StepFinished] = {}
        """Finished steps by number, for a summary and for the tests."""
        self.total_steps: int | None = None
        self.error: BuildError | None = None
        self.done: BuildDone | None = None

    def compose(self) -> ComposeResult:
        """A status line, the log, and a failure box shown only when a build fails."""
        yield Static(say(self.language, "build.none"), id="status")
        yield Log(max_lines=MAX_LINES, wrap=True, min_width=20, auto_scroll=True)
        yield Static(id="failure")

    @property
    def log_view(self) -> RichLog:
        """The scrolling log itself."""
        return self.query_one(RichLog)

    def clear(self) -> None:
        """Forget the previous build, ready for the next one."""
        self._pending.clear()
        self._written.clear()
        self.steps.clear()
        self.total_steps = None
        self.error = self.done = None
        self.log_view.clear()
        self.query_one("#status", Static).update(say(self.language, "build.none"))
        self.query_one("#status").remove_class("-failed", "-done")
        self.query_one("#failure").remove_class("-visible")

    def add_event(self, event: BuildEvent) -> None:
        """Queue one build event; it is drawn with the rest of its batch.

        Args:
            event: Any :data:`~tutor.engine.build_events.BuildEvent`.
        """
        self._pending.append(event)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            after_refresh(self, self._flush)

    def set_language(self, language: str) -> None:
        """Write the log, its status and any failure again in ``language``."""
        self.language = language
        if not self.is_mounted:
            return
        self.log_view.clear()
        self._write(self._written)
        if self._written:
            self._update_status()
        else:
            self.query_one("#status", Static).update(say(language, "build.none"))

    def action_toggle_follow(self) -> None:
        """Stop or resume scrolling to the newest line."""
        log = self.log_view
        log.auto_scroll = not log.auto_scroll
        self.notify(say(self.language, "build.following" if log.auto_scroll else "build.scrolling"))

    def _flush(self) -> None:
        """Write the queued events as one block of lines, then update the status.

        At most FLUSH_MOST events a frame: a RUN that prints thousands of lines
        at once is written over several frames, so keys and the clock keep
        answering meanwhile.
        """
        self._flush_scheduled = False
        events = self._pending[: self.FLUSH_MOST]
        del self._pending[: self.FLUSH_MOST]
        if self._pending:
            self._flush_scheduled = True
            after_refresh(self, self._flush)
        if not events:
            return
        for event in events:
            self._record(event)
        self._write(events)
        self.flush_count += 1
        self._update_status()

    def _record(self, event: BuildEvent) -> None:
        """Keep what the status and a rewrite need to know about one event."""
        self._written.append(event)
        if isinstance(event, StepStarted):
            self.total_steps = event.total
        elif isinstance(event, StepFinished):
            self.steps[event.number] = event
        elif isinstance(event, BuildError):
            self.error = event
        elif isinstance(event, BuildRetried):
            self.steps.clear()  # every step is reported again from step 1
            self.total_steps = None
        elif isinstance(event, BuildDone):
            self.done = event

    def _write(self, events: Iterable[BuildEvent]) -> None:
        """Add the events' lines to the log as one block (one write)."""
        block = Text()
        for event in events:
            line = self._line_for(event)
            if line is not None:
                if block:
                    block.append("\n")
                block.append_text(line)
        if block:
            self.log_view.write(block, expand=True)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"build-log--{name}", partial=True)

    def _line_for(self, event: BuildEvent) -> Text | None:
        """The log line for one event (None for events shown only in the status).

        ``Step N/M : ...`` is Docker's own header, as the lessons quote it, and
        CACHED/BUILT the course's Docker words: they read the same in every language.
        """
        lang = self.language
        if isinstance(event, StepStarted):
            line = Text(
                f"Step {event.number}/{event.total} : {event.instruction}", self._style("step")
            )
            if is_tutor_labels(event.instruction):
                line.append(say(lang, "build.labels"), "dim")
            return line
        if isinstance(event, OutputLine):
            return Text(f"    {event.text}", self._style("output"))
        if isinstance(event, StepFinished):
            word = "CACHED" if event.cached else "BUILT"
            line = Text("  ")
            line.append(f"{word:<6}", self._style("cached" if event.cached else "built"))
            seconds = f"{event.seconds:.1f}"
            line.append(say(lang, "build.step_time", number=event.number, seconds=seconds))
            if not event.cached and event.miss_reason:
                reason = miss_text(event.miss_reason, lang)
                line.append(f"\n         {say(lang, 'build.miss', reason=reason)}")
            return line
        if isinstance(event, BuildError):
            return Text(say(lang, "build.error", message=event.message), self._style("error"))
        if isinstance(event, BuildRetried):
            again = say(lang, "action.build.lost_cache", image=event.lost_image)
            return Text(again, self._style("step"))
        built = say(lang, "build.built", tag=event.tag, image_id=short_id(event.image_id))
        return Text(built, self._style("cached"))

    def _update_status(self) -> None:
        status = self.query_one("#status", Static)
        lang = self.language
        cached = sum(1 for step in self.steps.values() if step.cached)
        counts = say(lang, "build.counts", cached=cached, built=len(self.steps) - cached)
        if self.error is not None:
            where = self._where(self.error)
            set_text(status, Content(say(lang, "build.status.failed", where=where, counts=counts)))
            status.add_class("-failed")
            failure = self.query_one("#failure", Static)
            failure.update(_failure_text(self.error, where, lang))
            failure.add_class("-visible")
        elif self.done is not None:
            set_text(
                status, Content(say(lang, "build.status.done", tag=self.done.tag, counts=counts))
            )
            status.add_class("-done")
        else:
            total = self.total_steps or "?"
            running = say(
                lang, "build.status.running", done=len(self.steps), total=total, counts=counts
            )
            set_text(status, Content(running))

    def _where(self, error: BuildError) -> str:
        if error.step is None:
            return say(self.language, "build.where.start")
        total = self.total_steps or "?"
        return say(self.language, "build.where.step", number=error.step, total=total)


def _failure_text(error: BuildError, where: str, language: str) -> Content:
    # The engine's words come first after the place: in a short panel they were
    # cut off below a blank line ("The engine said:" and nothing after it).
    instruction = f": {error.instruction}" if error.instruction else ""
    return Content.assemble(
        (say(language, "build.failure"), "bold"),
        (where, "bold"),
        instruction,
        f"\n{say(language, 'build.engine_said')} ",
        (error.message, "bold"),
    )
