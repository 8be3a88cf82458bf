"""App-wide messages, as small dataclasses.

Thread workers talk to the screens only through these (``post_message`` is
safe from any thread); the screens handle them on the event loop. Widget-local
events live in their widget instead.

Bursts are merged with ``can_replace``: Textual drops a queued message when
the next one in the queue supersedes it. A build or a push posts one
:class:`ActionProgress` per event, but all of them share one
:class:`EventBuffer`, so whichever message is handled first drains every
event so far and the rest of the burst is dropped unprocessed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tutor.engine.errors import EngineError

if TYPE_CHECKING:
    from tutor.course.model import Value
    from tutor.course.panel_data import PanelValues
    from tutor.course.runner import CheckResult, LessonRunner
    from tutor.engine.connection import Engine
    from tutor.engine.diff import ContainerDiff
    from tutor.engine.events import EngineEvent


class EventBuffer:
    """Events a worker produced that the screen has not shown yet (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Any] = []

    def put(self, item: object) -> None:
        """Add one event (called from the worker thread)."""
        with self._lock:
            self._items.append(item)

    def drain(self) -> list[Any]:
        """Take every event added so far, oldest first (called on the event loop)."""
        with self._lock:
            items, self._items = self._items, []
        return items


@dataclass
class EngineReady(Message):
    """The engine answered, at start or after a retry.

    Attributes:
        engine: The connected engine.
        runner: The learner's lesson runner on that engine.
        existing: Ids of the tutor's containers that were there before this
            session (they are left alone on quit).
        notes: Parameters adjusted for this engine, one sentence each.
    """

    engine: Engine
    runner: LessonRunner
    existing: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()


@dataclass
class EngineDown(Message):
    """The engine cannot be used: down at start, or gone in the middle of a lesson.

    Attributes:
        error: What went wrong, with the hint the banner shows.
    """

    error: EngineError


@dataclass
class EngineChanged(Message):
    """Something changed on the engine (a container started, an image was tagged).

    Every such event leads to the same re-check and panel refresh, so a later
    one supersedes a queued earlier one.

    Attributes:
        event: The latest engine event.
    """

    event: EngineEvent

    def can_replace(self, message: Message) -> bool:
        """A queued engine change is superseded by any later one."""
        return isinstance(message, EngineChanged)


@dataclass
class ActionProgress(Message):
    """The tutor's run of a step produced events (build steps, output, push progress).

    Attributes:
        lesson_id: The lesson of the step.
        step_id: The step being run.
        buffer: Every event not yet shown; shared by the whole burst.
    """

    lesson_id: str
    step_id: str
    buffer: EventBuffer = field(default_factory=EventBuffer)

    def can_replace(self, message: Message) -> bool:
        """A later message of the same run will drain this one's events too."""
        return isinstance(message, ActionProgress) and message.buffer is self.buffer


@dataclass
class ActionFinished(Message):
    """The tutor finished (or gave up) running a step for the learner.

    Attributes:
        lesson_id: The lesson of the step.
        step_id: The step that ran.
        ok: Whether it worked.
        text: The summary, or what went wrong.
        hint: What to do about a failure.
    """

    lesson_id: str
    step_id: str
    ok: bool
    text: str
    hint: str = ""


@dataclass
class StepChecked(Message):
    """The current step's check ran on the engine.

    Attributes:
        lesson_id: The lesson of the step.
        step_id: The step checked.
        result: Whether it passed, and why not.
    """

    lesson_id: str
    step_id: str
    result: CheckResult


@dataclass
class PanelsLoaded(Message):
    """Fresh engine state for the lesson's panels, read in a worker.

    Attributes:
        values: What the engine said for each panel.
        problems: Panel name -> why it could not be read (image not built yet...).
    """

    values: PanelValues
    problems: dict[str, str] = field(default_factory=dict)
    #: What each panel with a reader of its own read (``tutor.screens.panels.Panel.reads``).
    own: dict[str, object] = field(default_factory=dict)


@dataclass
class DiffPolled(Message):
    """The diff of the lesson's container, read again by the poll.

    Attributes:
        container: The container that was read.
        diff: Its changes (``None``: it could not be read this time).
    """

    container: str
    diff: ContainerDiff | None


@dataclass
class LessonPrepared(Message):
    """The lesson's files are in the learner's workspace.

    Attributes:
        lesson_id: The lesson.
        notes: One sentence per file kept because the learner had changed it.
    """

    lesson_id: str
    notes: list[str] = field(default_factory=list)


@dataclass
class ContainerOutput(Message):
    """What the engine answered to a container request from a panel.

    Attributes:
        kind: ``page``, ``logs``, ``exec`` or ``stop``.
        container: The container's name.
        text: The page, the logs or the command's output.
        exit_code: The command's exit status (``exec`` only).
        command: The command that ran (``exec`` only).
    """

    kind: str
    container: str
    text: str
    exit_code: int = 0
    command: str = ""


@dataclass
class OpenLesson(Message):
    """A screen asks the app to open a lesson (the app holds the screen stack).

    Attributes:
        lesson_id: The lesson.
        step_id: The step to open at ("" for the first one not done).
    """

    lesson_id: str
    step_id: str = ""


@dataclass
class SaveProgress(Message):
    """A screen changed the learner's progress: the app saves it (and reports a failure)."""


@dataclass
class UseParams(Message):
    """Use these course parameter values from now on (``prepare`` made a stand-in).

    Attributes:
        changes: Parameter name -> value; the settings file keeps them too.
    """

    changes: Mapping[str, Value]
