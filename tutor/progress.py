"""The learner's progress through a course: what they did, lesson by lesson, and where they are.

Only the record itself lives here; its file's text is written and read by
:mod:`tutor.progress_format`, and :mod:`tutor.progress_store` says where the
file is and keeps it whole. The three import one way (store -> format ->
this module), so each can be used and tested alone. Nothing here imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class LessonStatus(Enum):
    """Where the learner is with one lesson, as the course screen says it."""

    DONE = "done"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"


@dataclass
class LessonProgress:
    """What the learner has done in one lesson.

    Attributes:
        steps_done: Ids of the steps done, in the order they were done.
        done: Every step of the lesson is done.
        answers: Step id -> 0-based choice given to its prediction.
    """

    steps_done: list[str] = field(default_factory=list)
    done: bool = False
    answers: dict[str, int] = field(default_factory=dict)


@dataclass
class Progress:
    """One learner's progress through one course.

    Attributes:
        course: The course id.
        namespace: The learner's namespace.
        language: The language they chose ("" = the course default).
        lesson: The lesson they were in last ("" = none yet).
        step: The step they were at in that lesson ("" = its first open step).
        lessons: Lesson id -> what they did there.
    """

    course: str
    namespace: str
    language: str = ""
    lesson: str = ""
    step: str = ""
    lessons: dict[str, LessonProgress] = field(default_factory=dict)

    def of(self, lesson_id: str) -> LessonProgress:
        """The progress record of a lesson (empty when never started)."""
        return self.lessons.get(lesson_id) or LessonProgress()

    def status(self, lesson_id: str) -> LessonStatus:
        """Done, in progress or not started, for the course screen."""
        record = self.lessons.get(lesson_id)
        if record is not None and record.done:
            return LessonStatus.DONE
        if (record is not None and (record.steps_done or record.answers)) or (
            self.lesson == lesson_id
        ):
            return LessonStatus.IN_PROGRESS
        return LessonStatus.NOT_STARTED

    def is_step_done(self, lesson_id: str, step_id: str) -> bool:
        """Whether that step was already done (so the lesson resumes after it)."""
        return step_id in self.of(lesson_id).steps_done

    def mark_step_done(self, lesson_id: str, step_id: str, all_steps: list[str]) -> None:
        """Record a passed step, and the lesson as done once every step is.

        Args:
            lesson_id: The lesson.
            step_id: The step whose check passed.
            all_steps: Every step id of the lesson, to know when it is complete.
        """
        record = self.lessons.setdefault(lesson_id, LessonProgress())
        if step_id not in record.steps_done:
            record.steps_done.append(step_id)
        record.done = all(s in record.steps_done for s in all_steps)

    def record_answer(self, lesson_id: str, step_id: str, choice: int) -> None:
        """Keep the learner's prediction, to compare with what happened later."""
        self.lessons.setdefault(lesson_id, LessonProgress()).answers[step_id] = choice

    def move_to(self, lesson_id: str, step_id: str = "") -> None:
        """Remember where the learner is, so the next start resumes there."""
        self.lesson = lesson_id
        self.step = step_id

    def reset_lesson(self, lesson_id: str) -> None:
        """Forget one lesson, so it starts again from its first step."""
        self.lessons.pop(lesson_id, None)
        if self.lesson == lesson_id:
            self.step = ""

    def reset_all(self) -> None:
        """Forget every lesson and the position; the language choice stays."""
        self.lessons.clear()
        self.lesson = ""
        self.step = ""
