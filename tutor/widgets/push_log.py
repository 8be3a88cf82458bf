"""A push, layer by layer: which layers travelled, which the registry already had."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tutor.engine.printed import human_size, short_id
from tutor.engine.push_stream import PushDone, PushError, PushEvent, PushProgress
from tutor.i18n import say
from tutor.sentence import said
from tutor.widgets.new_text import set_text
from tutor.widgets.scrolling import Table

BAR_WIDTH = 12

#: The statuses the engine's push stream reports, each with its words.
STATUSES = ("preparing", "waiting", "pushing", "pushed", "exists", "mounted", "retrying")
#: The table's columns: (key, words key).
COLUMNS = (("layer", "push.col.layer"), ("bar", "push.col.progress"), ("status", "push.col.status"))


def status_text(event: PushProgress, language: str = "en") -> str:
    """Say what happened to a layer, in the words of the lesson.

    Args:
        event: The layer's latest progress event.
        language: The lesson language.

    Returns:
        "pushed", "already exists", "mounted from app", "pushing 1.2 MB / 4 MB"...;
        a status the tutor does not know is shown as the engine said it.
    """
    if event.status == "mounted" and event.mounted_from:
        return say(language, "push.mounted_from", source=event.mounted_from)
    if event.status == "pushing" and event.current is not None:
        current = human_size(event.current)
        if event.total:
            return say(language, "push.sending_of", current=current, total=human_size(event.total))
        return say(language, "push.sending", current=current)
    if event.status in STATUSES:
        return say(language, f"push.status.{event.status}")
    return event.status


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
        language: str = "en",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language
        """The lesson language of the panel's words (the engine's error stays as it is)."""
        self.reference = reference
        self.layer_progress: dict[str, PushProgress] = {}
        """The last event for each layer, in the order the layers first appeared."""
        self.done: PushDone | None = None
        self.error: PushError | None = None
        self._sizes: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        """Title, one row per layer, and the summary."""
        yield Static(self._title(), id="title", markup=False)
        table: DataTable[Text] = Table(cursor_type="row", show_cursor=True)
        self._add_columns(table)
        yield table
        yield Static("", id="summary", markup=False)

    def _add_columns(self, table: DataTable[Text]) -> None:
        for key, words in COLUMNS:
            table.add_column(say(self.language, words), key=key)

    def _title(self) -> str:
        if self.reference:
            return say(self.language, "push.title", reference=self.reference)
        return say(self.language, "push.none")

    def set_language(self, language: str) -> None:
        """Say the title, the columns, each layer's status and the summary in ``language``."""
        self.language = language
        if not self.is_mounted:
            return
        self.query_one("#title", Static).update(self._title())
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)  # a column's name fixes its width: add them again
        self._add_columns(table)
        for event in self.layer_progress.values():
            table.add_row(*self._cells(event), key=event.layer)
        if 0 <= row < table.row_count:
            table.move_cursor(row=row, animate=False)
        if self.done is not None or self.error is not None or self.layer_progress:
            self._summarise()

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

    def _cells(self, event: PushProgress) -> tuple[Text, Text, Text]:
        """The layer's short id, its bar and its status, coloured by what happened."""
        style = ""
        if event.status == "pushed":
            style = "push-log--pushed"
        elif event.status in ("exists", "mounted"):
            style = "push-log--skipped"
        rich_style = self.get_component_rich_style(style, partial=True) if style else ""
        status = Text(status_text(event, self.language), rich_style)
        return Text(short_id(event.layer)), Text(progress_bar(event), rich_style), status

    def _progress(self, event: PushProgress) -> None:
        table = self.query_one(DataTable)
        layer, bar, status = self._cells(event)
        if event.layer in self.layer_progress:
            table.update_cell(event.layer, "bar", bar)
            table.update_cell(event.layer, "status", status, update_width=True)
        else:
            table.add_row(layer, bar, status, key=event.layer)
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
        lang = self.language
        text = say(
            lang, "push.summary", count=len(states), pushed=pushed, exists=exists, mounted=mounted
        )
        if sent:
            text += say(lang, "push.sent", size=human_size(sent))
        if self.error is not None:
            return f"{say(lang, 'push.failed', message=said(self.error.message, lang))}\n{text}"
        if self.done is not None:
            done = say(lang, "push.done", reference=self.done.reference)
            return f"{done}\n  {self.done.digest}\n{text}"
        return text

    def _summarise(self) -> None:
        summary = self.query_one("#summary", Static)
        set_text(summary, self.summary())
        summary.set_class(self.error is not None, "-failed")
        summary.set_class(self.done is not None and self.error is None, "-done")
