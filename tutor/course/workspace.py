"""Where the learner's files live: one folder per lesson, never clobbered.

The learner edits these files in their own editor and builds them in their own
terminal, so the tutor must never throw their work away. Each lesson folder
has a small manifest (``<root>/.manifests/<lesson>.json``, kept outside the
lesson folder so that it never lands in a build context) with the SHA-256 of
every file the tutor last wrote there and why (``lesson``: copied from the
lesson; ``action``: changed by a step the tutor performed). When a lesson is
opened again:

* a missing file is copied in;
* a file equal to the lesson's original is left alone;
* a file the tutor last copied from the lesson and nobody touched since is
  refreshed (the course may have been updated);
* a file a step changed (``action``) is kept: it is the learner's progress;
* any other file was edited by the learner: it is kept and reported.

Text files get the course parameters filled in (``FROM {base_image}``), so the
learner sees and builds exactly what the lesson means. Every write is atomic
(temporary file, then ``os.replace``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import platformdirs

from tutor.course.model import Lesson, Value
from tutor.course.vocabulary import fill_known
from tutor.user_files import write_atomic

MANIFESTS = ".manifests"


def default_root(namespace: str) -> Path:
    """The learner's workspace root: ``<user data dir>/workspace/<namespace>``.

    Args:
        namespace: The learner's namespace (several learners may share a machine).

    Returns:
        The folder holding one sub-folder per lesson.
    """
    return Path(platformdirs.user_data_dir("layers-tutor")) / "workspace" / namespace


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` as hex (what the manifest stores)."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class PrepareReport:
    """What :meth:`Workspace.prepare` did with each lesson file.

    Attributes:
        written: Files copied in (missing, or refreshed from the lesson).
        unchanged: Files already equal to the lesson's original.
        kept: Files a step of this lesson changed; left as they are.
        conflicts: Files the learner edited; kept, the lesson's copy not written.
    """

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def shown_path(path: Path, home: Path | None = None) -> str:
    """``path`` as a learner would type it: the home folder as ``~``.

    The full ``~/.local/share/layers-tutor/workspace/<namespace>/<lesson>`` is
    long, but it is where the learner's editor must go, so it is said whole.
    """
    home = home if home is not None else Path.home()
    try:
        return str(Path("~") / path.relative_to(home))
    except ValueError:
        return str(path)


class WorkspaceError(ValueError):
    """A lesson names a file outside its own folder (a broken or hostile lesson)."""


class Workspace:
    """The learner's files for every lesson, under one root folder.

    Args:
        root: The workspace root (see :func:`default_root`).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, lesson_id: str) -> Path:
        """The folder of one lesson (the build context of its Dockerfile)."""
        return self.root / safe_relative(lesson_id)

    def path(self, lesson_id: str, name: str) -> Path:
        """The path of a lesson file, refusing names that leave the lesson folder.

        Raises:
            WorkspaceError: ``name`` is absolute or climbs out with ``..``.
        """
        return self.folder(lesson_id) / safe_relative(name)

    def prepare(self, lesson: Lesson, params: Mapping[str, Value] | None = None) -> PrepareReport:
        """Copy the lesson's files in, keeping any file the learner edited.

        Args:
            lesson: The lesson whose files to put in place.
            params: Values for the ``{param}``s in text files (``FROM {base_image}``).

        Returns:
            What happened to each file.

        Raises:
            WorkspaceError: a lesson file name leaves the lesson folder.
            OSError: the workspace cannot be written or a lesson file read.
        """
        report = PrepareReport()
        manifest = self._manifest(lesson.id)
        for item in lesson.files:
            original = lesson_copy(item.source.read_bytes(), params or {})
            target = self.path(lesson.id, item.name)
            if not target.exists():
                self._write(lesson.id, item.name, original, "lesson", manifest)
                report.written.append(item.name)
                continue
            current = digest(target.read_bytes())
            wrote = manifest.get(item.name, {})
            if current == digest(original):
                report.unchanged.append(item.name)
            elif current == wrote.get("sha256") and wrote.get("origin") == "action":
                report.kept.append(item.name)
            elif current == wrote.get("sha256"):
                self._write(lesson.id, item.name, original, "lesson", manifest)
                report.written.append(item.name)
            else:
                report.conflicts.append(item.name)
        return report

    def last_change(self, lesson: Lesson) -> float | None:
        """When the lesson's files last changed (the newest modification time).

        A build that a check credits must have started after this moment:
        see ``tutor.course.checks``.

        Returns:
            Epoch seconds, or None when none of the files is there.
        """
        times = []
        for item in lesson.files:
            with contextlib.suppress(OSError):
                times.append(self.path(lesson.id, item.name).stat().st_mtime)
        return max(times, default=None)

    def read(self, lesson_id: str, name: str) -> str:
        """The current text of a lesson file (what the learner sees).

        Raises:
            FileNotFoundError: the file is not there.
        """
        return self.path(lesson_id, name).read_text(encoding="utf-8")

    def write(self, lesson_id: str, name: str, text: str) -> None:
        """Write a lesson file for a step the tutor performs, atomically.

        The manifest records it as the tutor's (``action``), so reopening the
        lesson keeps it rather than reporting a conflict.
        """
        manifest = self._manifest(lesson_id)
        self._write(lesson_id, name, text.encode("utf-8"), "action", manifest)

    def _write(
        self, lesson_id: str, name: str, data: bytes, origin: str, manifest: dict[str, dict]
    ) -> None:
        write_atomic(self.path(lesson_id, name), data)
        manifest[name] = {"sha256": digest(data), "origin": origin}
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        write_atomic(self._manifest_path(lesson_id), text)

    def _manifest_path(self, lesson_id: str) -> Path:
        return self.root / MANIFESTS / f"{safe_relative(lesson_id)}.json"

    def _manifest(self, lesson_id: str) -> dict[str, dict]:
        try:
            data = json.loads(self._manifest_path(lesson_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # No manifest (first time) or a damaged one: then nothing counts as
            # the tutor's, so every differing file is treated as the learner's.
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def lesson_copy(data: bytes, params: Mapping[str, Value]) -> bytes:
    """A lesson file as the learner gets it: ``{param}``s filled in text files.

    Binary files (not UTF-8) are copied as they are.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return fill_known(text, params).encode("utf-8")


def safe_relative(name: str) -> Path:
    """``name`` as a relative path that stays inside its folder.

    Raises:
        WorkspaceError: the name is empty, absolute or contains ``..``.
    """
    pure = PurePosixPath(name.replace("\\", "/"))
    if not pure.parts or pure.is_absolute() or ".." in pure.parts:
        raise WorkspaceError(f"{name!r} is not a file name inside the lesson folder.")
    return Path(*pure.parts)
