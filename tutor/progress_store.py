"""Where the learner's progress file is, and how it is loaded and saved whole.

Where: one file per course and namespace, ``progress.toml`` in
``user_data_dir("layers-tutor")/<course>/<namespace>/`` (a test or a teacher
may pass another root). Its text is documented where it is written, in
:mod:`tutor.progress_format`.

Saving goes through :func:`tutor.user_files.write_atomic`: a crash mid-save
leaves the previous progress intact. A damaged or cut-short file is renamed
to ``progress.toml.corrupt-<time>`` (kept for a teacher to look at),
reported, and the learner starts with fresh progress. Nothing here imports Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from tutor.progress import Progress
from tutor.progress_format import FormatError, parse, render
from tutor.user_files import Damage, read_text, set_aside, write_atomic

FILE_NAME = "progress.toml"

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


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
        try:
            progress = parse(read.text)
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
        write_atomic(self.path, render(progress))

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
