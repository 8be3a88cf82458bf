"""Build output as it streams: each step marked CACHED or BUILT, a failure made prominent."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import RichLog, Static

from tutor.engine.build import (
    BuildDone,
    BuildError,
    BuildEvent,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.labels import is_tutor_labels


class BuildLog(Vertical):
    """Feed it the engine's build events one by one with :meth:`add_event`.

    Events are queued and written in batches once the event loop is free, so a
    build that prints thousands of lines costs one log write per batch rather
    than one per line.
    """

    DEFAULT_CSS = """
    BuildLog { height: 1fr; }
    BuildLog > #status { height: auto; padding: 0 1; background: $panel; text-style: bold; }
    BuildLog > #status.-failed { background: $error 30%; }
    BuildLog > #status.-done { background: $success 25%; }
    BuildLog > RichLog { height: 1fr; padding: 0 1; }
    BuildLog > #failure {
        display: none; height: auto; max-height: 50%; padding: 0 1;
        border: heavy $error; color: $text;
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
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._pending: list[BuildEvent] = []
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
        yield Static("No build yet.", id="status")
        yield RichLog(max_lines=20_000, wrap=True, min_width=20, auto_scroll=True)
        yield Static(id="failure")

    @property
    def log_view(self) -> RichLog:
        """The scrolling log itself."""
        return self.query_one(RichLog)

    def clear(self) -> None:
        """Forget the previous build, ready for the next one."""
        self._pending.clear()
        self.steps.clear()
        self.total_steps = None
        self.error = self.done = None
        self.log_view.clear()
        self.query_one("#status", Static).update("No build yet.")
        self.query_one("#status").remove_class("-failed", "-done")
        self.query_one("#failure").remove_class("-visible")

    def add_event(self, event: BuildEvent) -> None:
        """Queue one build event; it is drawn with the rest of its batch.

        Args:
            event: A StepStarted, OutputLine, StepFinished, BuildError or BuildDone.
        """
        self._pending.append(event)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.call_after_refresh(self._flush)

    def action_toggle_follow(self) -> None:
        """Stop or resume scrolling to the newest line."""
        log = self.log_view
        log.auto_scroll = not log.auto_scroll
        self.notify("Following the build output" if log.auto_scroll else "Scrolling freely")

    def _flush(self) -> None:
        """Write every queued event as one block of lines, then update the status."""
        self._flush_scheduled = False
        events, self._pending = self._pending, []
        if not events:
            return
        block = Text()
        for event in events:
            line = self._line_for(event)
            if line is not None:
                if block:
                    block.append("\n")
                block.append_text(line)
        if block:
            self.log_view.write(block, expand=True)
        self.flush_count += 1
        self._update_status()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"build-log--{name}", partial=True)

    def _line_for(self, event: BuildEvent) -> Text | None:
        """The log line for one event (None for events shown only in the status)."""
        if isinstance(event, StepStarted):
            self.total_steps = event.total
            line = Text(
                f"Step {event.number}/{event.total} : {event.instruction}", self._style("step")
            )
            if is_tutor_labels(event.instruction):
                line.append("  ← the tutor's labels (how its clean-up finds the image)", "dim")
            return line
        if isinstance(event, OutputLine):
            return Text(f"    {event.text}", self._style("output"))
        if isinstance(event, StepFinished):
            self.steps[event.number] = event
            word = "CACHED" if event.cached else "BUILT"
            line = Text("  ")
            line.append(f"{word:<6}", self._style("cached" if event.cached else "built"))
            line.append(f" step {event.number} in {event.seconds:.1f}s")
            if not event.cached and event.miss_reason:
                line.append(f"\n         cache miss: {event.miss_reason}")
            return line
        if isinstance(event, BuildError):
            self.error = event
            return Text(f"ERROR {event.message}", self._style("error"))
        self.done = event
        return Text(f"Built {event.tag} ({_short(event.image_id)})", self._style("cached"))

    def _update_status(self) -> None:
        status = self.query_one("#status", Static)
        cached = sum(1 for step in self.steps.values() if step.cached)
        built = len(self.steps) - cached
        counts = f"{cached} CACHED, {built} BUILT"
        if self.error is not None:
            status.update(Content(f"✗ Build FAILED at {self._where(self.error)} ({counts})"))
            status.add_class("-failed")
            failure = self.query_one("#failure", Static)
            failure.update(_failure_text(self.error, self._where(self.error)))
            failure.add_class("-visible")
        elif self.done is not None:
            status.update(Content(f"✓ Built {self.done.tag}: {counts}"))
            status.add_class("-done")
        else:
            total = self.total_steps or "?"
            status.update(Content(f"Building… {len(self.steps)}/{total} steps done ({counts})"))

    def _where(self, error: BuildError) -> str:
        if error.step is None:
            return "the start"
        return f"step {error.step}/{self.total_steps or '?'}"


def _failure_text(error: BuildError, where: str) -> Content:
    instruction = f"\n  {error.instruction}" if error.instruction else ""
    return Content.assemble(
        ("Build failed at ", "bold"),
        (where, "bold"),
        instruction,
        "\n\nThe engine said:\n  ",
        (error.message, "bold"),
    )


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]
