"""A push, layer by layer: which layers travelled, which the registry already had."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tutor.engine.push import PushDone, PushError, PushEvent, PushProgress
from tutor.widgets.layer_bands import human_size

BAR_WIDTH = 12

_WORDS = {
    "preparing": "preparing",
    "waiting": "waiting",
    "pushing": "pushing",
    "pushed": "pushed",
    "exists": "already exists",
    "mounted": "mounted",
    "retrying": "retrying",
}


def status_text(event: PushProgress) -> str:
    """Say what happened to a layer, in the words of the lesson.

    Args:
        event: The layer's latest progress event.

    Returns:
        "pushed", "already exists", "mounted from app", "pushing 1.2 MB / 4 MB"...
    """
    if event.status == "mounted":
        return f"mounted from {event.mounted_from}" if event.mounted_from else "mounted"
    if event.status == "pushing" and event.current is not None:
        total = f" / {human_size(event.total)}" if event.total else ""
        return f"pushing {human_size(event.current)}{total}"
    return _WORDS.get(event.status, event.status)


def progress_bar(event: PushProgress) -> str:
    """Draw a text bar that reads without colour.

    Args:
        event: The layer's latest progress event.

    Returns:
        Full once the registry has the layer, partial while it is sent.
    """
    if event.status in ("pushed", "exists", "mounted"):
        filled = BAR_WIDTH
    elif event.status == "pushing" and event.current is not None and event.total:
        # The engine's "current" can pass "total" (compression): never overfill.
        filled = min(BAR_WIDTH, event.current * BAR_WIDTH // event.total)
    else:
        filled = 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


class PushLog(Vertical):
    """Feed it push events with :meth:`add_event`; one row per layer, a summary below."""

    DEFAULT_CSS = """
    PushLog { height: 1fr; }
    PushLog > #title { background: $panel; text-style: bold; padding: 0 1; }
    PushLog > DataTable { height: 1fr; }
    PushLog > #summary { height: auto; padding: 0 1; text-style: bold; }
    PushLog > #summary.-failed { background: $error 30%; border: heavy $error; }
    PushLog > #summary.-done { background: $success 25%; }
    PushLog .push-log--pushed { color: $success; text-style: bold; }
    PushLog .push-log--skipped { color: $accent; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"push-log--pushed", "push-log--skipped"}

    def __init__(
        self,
        reference: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.reference = reference
        self.layer_progress: dict[str, PushProgress] = {}
        """The last event for each layer, in the order the layers first appeared."""
        self.done: PushDone | None = None
        self.error: PushError | None = None
        self._sizes: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        """Title, one row per layer, and the summary."""
        yield Static(self._title(), id="title", markup=False)
        table: DataTable[Text] = DataTable(cursor_type="row", show_cursor=True)
        table.add_column("LAYER", key="layer")
        table.add_column("PROGRESS", key="bar")
        table.add_column("STATUS", key="status")
        yield table
        yield Static("", id="summary", markup=False)

    def _title(self) -> str:
        return f"Pushing {self.reference}" if self.reference else "No push yet."

    def start(self, reference: str) -> None:
        """Clear the log for a new push.

        Args:
            reference: Where the image goes, e.g. ``127.0.0.1:5000/app:v1``.
        """
        self.reference = reference
        self.layer_progress.clear()
        self._sizes.clear()
        self.done = self.error = None
        self.query_one(DataTable).clear()
        self.query_one("#title", Static).update(self._title())
        summary = self.query_one("#summary", Static)
        summary.update("")
        summary.remove_class("-failed", "-done")

    def add_event(self, event: PushEvent) -> None:
        """Show one push event: a layer's progress, the final digest, or the error.

        Args:
            event: A PushProgress, PushDone or PushError.
        """
        if isinstance(event, PushProgress):
            self._progress(event)
        elif isinstance(event, PushDone):
            self.done = event
        else:
            self.error = event
        self._summarise()

    def _progress(self, event: PushProgress) -> None:
        table = self.query_one(DataTable)
        style = ""
        if event.status == "pushed":
            style = "push-log--pushed"
        elif event.status in ("exists", "mounted"):
            style = "push-log--skipped"
        rich_style = self.get_component_rich_style(style, partial=True) if style else ""
        status = Text(status_text(event), rich_style)
        bar = Text(progress_bar(event), rich_style)
        if event.layer in self.layer_progress:
            table.update_cell(event.layer, "bar", bar)
            table.update_cell(event.layer, "status", status, update_width=True)
        else:
            table.add_row(Text(_short(event.layer)), bar, status, key=event.layer)
        self.layer_progress[event.layer] = event
        # "Pushed" arrives without sizes: remember the largest the progress showed.
        seen = max(event.total or 0, event.current or 0)
        self._sizes[event.layer] = max(self._sizes.get(event.layer, 0), seen)

    def summary(self) -> str:
        """Counts of pushed / already there / mounted layers, then how the push ended."""
        states = [event.status for event in self.layer_progress.values()]
        pushed, exists = states.count("pushed"), states.count("exists")
        mounted = states.count("mounted")
        sent = sum(
            self._sizes.get(layer, 0)
            for layer, event in self.layer_progress.items()
            if event.status == "pushed"
        )
        text = (
            f"{len(states)} layers: {pushed} pushed, {exists} already existed, "
            f"{mounted} mounted from another repository"
        )
        if sent:
            text += f"; about {human_size(sent)} sent"
        if self.error is not None:
            return f"✗ Push FAILED: {self.error.message}\n{text}"
        if self.done is not None:
            return f"✓ Pushed {self.done.reference}\n  {self.done.digest}\n{text}"
        return text

    def _summarise(self) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(self.summary())
        summary.set_class(self.error is not None, "-failed")
        summary.set_class(self.done is not None and self.error is None, "-done")


def _short(layer: str) -> str:
    """Layer ids are 12 hex digits, or digests under the containerd store."""
    return layer.split(":", 1)[-1][:12]
