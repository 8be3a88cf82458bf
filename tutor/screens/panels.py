"""The lesson screen's panels, in one list: adding a panel is its widget file plus one entry here.

Each entry says the panel's name (its pane is ``#pane-<name>``, its widget
``#<name>``), the catalog key of its title, the widget that draws it and
the section title of its keys on the help screen. The screen composes the
panes, numbers the keys (1, 2, ...), lists the help and switches the
language from this list; what each panel shows comes from
:class:`~tutor.screens.panel_deck.PanelDeck`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from textual.binding import BindingType
from textual.widget import Widget

from tutor.course.model import Lesson
from tutor.course.panel_data import PanelTargets, read_images
from tutor.widgets import (
    BuildLog,
    ContainersPanel,
    DiffView,
    FilesView,
    HistoryTable,
    LayerStack,
    PushLog,
)
from tutor.widgets.change_list import ChangeList
from tutor.widgets.history_table import HistoryRows
from tutor.widgets.images_panel import ImagesPanel

if TYPE_CHECKING:
    from tutor.course.runner import LessonRunner

#: Reads a panel's value from the engine, in a thread worker (a new panel's own data).
Reader = Callable[["LessonRunner", Lesson, PanelTargets, threading.Event], object]


class ShowsValue(Protocol):
    """A panel that declares a :data:`Reader` draws what it read with ``show_value``."""

    def show_value(self, value: object) -> None:
        """Draw the value read from the engine (called on the event loop)."""
        ...


@dataclass(frozen=True)
class Panel:
    """One pane of the lesson screen.

    Attributes:
        name: Its name: the pane is ``#pane-<name>``, the widget ``#<name>``.
        words: The catalog key of its title (``panel.layers``).
        widget: The widget class that draws it (built with ``language=`` and
            ``id=``; it has ``set_language``); None for the lesson's prose,
            which the screen places itself (it moves beside the step when wide).
        help: The help screen's title for its keys ("" when it has none).
        keys: The widgets whose ``BINDINGS`` are the panel's keys (default: the
            panel's widget; a panel whose keys belong to a child names it too).
        reads: For a panel of its own data: how to read it from the engine
            (in the deck's worker, after each engine event); its widget then
            draws it with ``show_value``. The panels below are fed by the deck.
    """

    name: str
    words: str
    widget: type[Widget] | None = None
    help: str = ""
    reads: Reader | None = None
    keys: tuple[type[Widget], ...] = ()

    def bindings(self) -> tuple[BindingType, ...]:
        """Every key of the panel, for the help screen."""
        owners = self.keys or ((self.widget,) if self.widget is not None else ())
        return tuple(binding for owner in owners for binding in owner.BINDINGS)


#: Every pane, in tab order; keys 1, 2, ... bring them forward.
PANELS: tuple[Panel, ...] = (
    Panel("lesson", "panel.lesson"),
    Panel("files", "panel.files", FilesView, "Files panel"),
    Panel("layers", "panel.layers", LayerStack, "Layers panel"),
    Panel("build", "panel.build", BuildLog, "Build panel"),
    Panel("containers", "panel.containers", ContainersPanel, "Containers panel"),
    Panel("diff", "panel.diff", DiffView, "Diff panel", keys=(ChangeList, DiffView)),
    Panel("history", "panel.history", HistoryTable, "History panel", keys=(HistoryRows,)),
    Panel("push", "panel.push", PushLog),  # no keys of its own
    # docker image ls, which lessons 2 and 10 ask about; read by its own reader.
    Panel("images", "panel.images", ImagesPanel, reads=read_images),
)
