"""The workspace copies lesson files in and never overwrites the learner's edits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutor.course.model import Lesson, LessonFile
from tutor.course.workspace import (
    Workspace,
    WorkspaceError,
    default_root,
    safe_relative,
    shown_path,
)


def make_lesson(tmp_path: Path, files: dict[str, str], lesson_id: str = "first") -> Lesson:
    folder = tmp_path / "course" / lesson_id
    entries = []
    for name, text in files.items():
        source = folder / "files" / name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(text)
        entries.append(LessonFile(name=name, source=source))
    return Lesson(lesson_id, folder, {"en": "T"}, {"en": ""}, tuple(entries), ())


def test_default_root_is_per_namespace() -> None:
    assert default_root("ana").parts[-3:] == ("layers-tutor", "workspace", "ana")


def test_first_prepare_copies_every_file(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"Dockerfile": "FROM x\n", "app/app.py": "print(1)\n"})
    ws = Workspace(tmp_path / "ws")
    report = ws.prepare(lesson)
    assert sorted(report.written) == ["Dockerfile", "app/app.py"]
    assert ws.read("first", "app/app.py") == "print(1)\n"
    # The manifest never lands in the build context.
    assert sorted(p.name for p in ws.folder("first").iterdir()) == ["Dockerfile", "app"]


def test_learner_edit_is_kept_and_reported(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"Dockerfile": "FROM x\n"})
    ws = Workspace(tmp_path / "ws")
    ws.prepare(lesson)
    ws.path("first", "Dockerfile").write_text("FROM mine\n")
    report = ws.prepare(lesson)
    assert report.conflicts == ["Dockerfile"]
    assert ws.read("first", "Dockerfile") == "FROM mine\n"


def test_unchanged_and_updated_lesson_files(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"Dockerfile": "FROM x\n"})
    ws = Workspace(tmp_path / "ws")
    ws.prepare(lesson)
    assert ws.prepare(lesson).unchanged == ["Dockerfile"]
    # The course was updated; the learner never touched the file: refresh it.
    lesson.files[0].source.write_text("FROM y\n")
    assert ws.prepare(lesson).written == ["Dockerfile"]
    assert ws.read("first", "Dockerfile") == "FROM y\n"


def test_a_step_edit_is_progress_not_a_conflict(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"app.py": "hello\n"})
    ws = Workspace(tmp_path / "ws")
    ws.prepare(lesson)
    ws.write("first", "app.py", "hello again\n")
    report = ws.prepare(lesson)
    assert report.kept == ["app.py"] and not report.conflicts
    assert ws.read("first", "app.py") == "hello again\n"


def test_file_without_manifest_entry_counts_as_the_learners(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"app.py": "hello\n"})
    ws = Workspace(tmp_path / "ws")
    ws.folder("first").mkdir(parents=True)
    ws.path("first", "app.py").write_text("their own\n")
    assert ws.prepare(lesson).conflicts == ["app.py"]
    assert ws.read("first", "app.py") == "their own\n"


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../b", "", "."])
def test_names_outside_the_lesson_folder_are_refused(name: str) -> None:
    with pytest.raises(WorkspaceError):
        safe_relative(name)


def test_lesson_with_escaping_file_writes_nothing_outside(tmp_path: Path) -> None:
    source = tmp_path / "evil"
    source.write_text("x")
    lesson = Lesson("l", tmp_path, {"en": "T"}, {"en": ""}, (LessonFile("../evil2", source),), ())
    with pytest.raises(WorkspaceError):
        Workspace(tmp_path / "ws").prepare(lesson)
    assert not (tmp_path / "ws" / "evil2").exists()


def test_params_are_filled_in_text_files_only(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"Dockerfile": "FROM {base_image}\nRUN echo {{x}}\n"})
    binary = lesson.folder / "files" / "blob.bin"
    binary.write_bytes(b"\xff{base_image}")
    lesson = Lesson(
        lesson.id, lesson.folder, {}, {}, (*lesson.files, LessonFile("blob.bin", binary)), ()
    )
    ws = Workspace(tmp_path / "ws")
    ws.prepare(lesson, {"base_image": "busybox"})
    assert ws.read("first", "Dockerfile") == "FROM busybox\nRUN echo {{x}}\n"
    assert ws.path("first", "blob.bin").read_bytes() == b"\xff{base_image}"
    # Filled content counts as the original: reopening is not a conflict.
    assert ws.prepare(lesson, {"base_image": "busybox"}).unchanged == ["Dockerfile", "blob.bin"]


def test_last_change_is_the_newest_file(tmp_path: Path) -> None:
    lesson = make_lesson(tmp_path, {"a": "1", "b": "2"})
    ws = Workspace(tmp_path / "ws")
    assert ws.last_change(lesson) is None
    ws.prepare(lesson)
    os.utime(ws.path("first", "a"), (1000, 1000))
    os.utime(ws.path("first", "b"), (2000, 2000))
    assert ws.last_change(lesson) == 2000


def test_a_folder_is_shown_as_the_learner_would_type_it(tmp_path: Path) -> None:
    home = tmp_path / "home" / "maria"
    inside = home / ".local/share/layers-tutor/workspace/maria/build"
    assert shown_path(inside, home) == "~/.local/share/layers-tutor/workspace/maria/build"
    assert shown_path(tmp_path / "elsewhere", home) == str(tmp_path / "elsewhere")
