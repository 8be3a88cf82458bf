"""The learner's progress through a course, and the file that keeps it.

Where: one file per course and namespace, ``progress.toml`` in
``user_data_dir("layers-tutor")/<course>/<namespace>/`` (a test or a teacher
may pass another root). Its text - a small TOML subset a person can read -
is documented where it is written, in :mod:`tutor.progress_format`.

Saving is atomic: the text goes to a temporary file in the same folder, is
flushed to disk, then renamed over the old file, so a crash mid-save leaves
the previous progress intact. A damaged or cut-short file is renamed to
``progress.toml.corrupt-<time>`` (kept for a teacher to look at), reported,
and the learner starts with fresh progress. Nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from platformdirs import user_data_dir

from tutor.user_files import Damage, read_text, set_aside

FILE_NAME = "progress.toml"

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


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


@dataclass(frozen=True)
class Loaded:
    """What loading found: the progress, and what was wrong with the file if anything.

    Attributes:
        progress: The progress to use (fresh when the file was damaged).
        problem: Why the file could not be used, for a notification.
        backup: Where the damaged file was kept.
        damage: The same, as a reason code the app words in the learner's
            language (see :mod:`tutor.user_files`).
    """

    progress: Progress
    problem: str | None = None
    backup: Path | None = None
    damage: Damage | None = None


def default_root() -> Path:
    """The per-user folder where progress is kept on this platform."""
    return Path(user_data_dir("layers-tutor", appauthor=False))


class ProgressStore:
    """Loads and saves one learner's progress file for one course.

    Args:
        course: The course id.
        namespace: The learner's namespace.
        root: The folder holding every course's progress (default: the
            platform's user data folder).
    """

    def __init__(self, course: str, namespace: str, root: Path | None = None) -> None:
        self.course = course
        self.namespace = namespace
        base = default_root() if root is None else root
        self.path = base / _safe(course) / _safe(namespace) / FILE_NAME

    def fresh(self) -> Progress:
        """Progress for a learner who has done nothing yet."""
        return Progress(course=self.course, namespace=self.namespace)

    def load(self) -> Loaded:
        """Read the progress file; a damaged one is set aside and reported.

        Returns:
            The progress, plus the problem and the backup's path when the file
            could not be used. A missing file is not a problem.
        """
        read = read_text(self.path)
        if read.missing:
            return Loaded(self.fresh())
        if read.text is None:
            return self._damaged(read.reason or "unreadable", read.detail)
        text = read.text
        from tutor.progress_format import FormatError, parse  # it builds on this module

        try:
            progress = parse(text)
        except FormatError as exc:
            return self._damaged("wrong-content", str(exc))
        if (progress.course, progress.namespace) != (self.course, self.namespace):
            return self._damaged(
                "wrong-content",
                f"it belongs to course {progress.course!r}, namespace {progress.namespace!r}",
            )
        return Loaded(progress)

    def save(self, progress: Progress) -> None:
        """Write the progress atomically: the old file stays whole until the new one is.

        Raises:
            OSError: the folder cannot be written; the previous file is untouched.
        """
        from tutor.progress_format import render  # it builds on this module

        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{FILE_NAME}.tmp-{os.getpid()}")
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(render(progress))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _sync_folder(self.path.parent)

    def _damaged(self, reason: str, detail: str) -> Loaded:
        damage = set_aside(self.path, reason, detail)
        kept = damage.backup
        why = detail if reason == "wrong-content" else f"{reason}, {detail}"
        where = f"; kept as {kept.name}" if kept else ""
        problem = f"Your progress file {self.path} is damaged: {why}{where}. Starting fresh."
        return Loaded(self.fresh(), problem=problem, backup=kept, damage=damage)


def _safe(name: str) -> str:
    """A folder name made from a course id or namespace (no separators, no dots only)."""
    folded = _SAFE.sub("-", name).strip(".-")
    return folded or "default"


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk where the platform allows it (POSIX)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
