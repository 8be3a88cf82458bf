"""What the screens read from the app, as a protocol: the screens never import the app.

The app (:class:`tutor.app.TutorApp`) holds the learner's session: the
course, their progress and journal, the runner on the engine, the language.
Screens read these through :class:`TutorSession` and ask for changes with
messages (``OpenLesson``, ``SaveProgress``, ``UseParams`` in
:mod:`tutor.messages`), so the layers stay one way: app -> screens -> widgets.

:class:`SessionScreen` is what the app tells of changes (the language, the
engine). The app knows its screens by this small class, not by importing the
lesson screen: that one (its panels, pygments, the engine's models) is
loaded when a lesson is first opened, not before the course screen is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tutor.screens.keys import TranslatedKeys

if TYPE_CHECKING:
    from tutor.course.journal import Journal
    from tutor.course.model import Course, Value
    from tutor.course.runner import LessonRunner
    from tutor.engine.errors import EngineError
    from tutor.progress import Progress

#: How a passed step's notice title begins; the app keeps only the newest such notice.
PASSED_MARK = "✔ "


class TutorSession(Protocol):
    """The learner's session, as the screens see it."""

    course: Course
    progress: Progress
    journal: Journal
    runner: LessonRunner | None
    namespace: str
    workspace_root: Path
    #: Whether a lesson screen closing now is replaced by another lesson.
    replacing_lesson: bool

    @property
    def language(self) -> str:
        """The language the learner reads in."""
        ...

    @property
    def engine_error(self) -> EngineError | None:
        """Why there is no engine now, or None."""
        ...

    @property
    def connecting(self) -> bool:
        """Whether the app is reaching the engine right now (at start or on a retry)."""
        ...

    @property
    def current_params(self) -> Mapping[str, Value]:
        """The course parameters in effect for this learner."""
        ...

    def set_notices_aside(self) -> None:
        """Take the notices off the screen: a dialog opens over it next."""
        ...

    def resume_target(self) -> tuple[str, str] | None:
        """The lesson and step to continue with."""
        ...


class SessionScreen(TranslatedKeys[None]):
    """A screen that the app tells when the session changes (a lesson screen).

    The app calls these on the mounted ones: a watch on the app would keep
    every closed screen alive until the watched value next changed.
    """

    def language_changed(self, language: str) -> None:
        """Say everything again in ``language``."""

    def engine_state_changed(self, error: EngineError | None) -> None:
        """The engine answered (``None``) or is gone (``error``)."""

    def connecting_changed(self, connecting: bool) -> None:
        """The app started or stopped reaching the engine."""
