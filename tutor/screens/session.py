"""What the screens read from the app, as a protocol: the screens never import the app.

The app (:class:`tutor.app.TutorApp`) holds the learner's session: the
course, their progress and journal, the runner on the engine, the language.
Screens read these through :class:`TutorSession` and ask for changes with
messages (``OpenLesson``, ``SaveProgress``, ``UseParams`` in
:mod:`tutor.messages`), so the layers stay one way: app -> screens -> widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tutor.course.journal import Journal
    from tutor.course.model import Course, Value
    from tutor.course.runner import LessonRunner
    from tutor.engine.errors import EngineError
    from tutor.progress import Progress


class TutorSession(Protocol):
    """The learner's session, as the screens see it."""

    course: Course
    progress: Progress
    journal: Journal
    runner: LessonRunner | None
    namespace: str
    workspace_root: Path

    @property
    def language(self) -> str:
        """The language the learner reads in."""
        ...

    @property
    def engine_error(self) -> EngineError | None:
        """Why there is no engine now, or None."""
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
