"""The course kept between starts: the same course as the files say, whatever the cache holds.

Each test writes a small course (``tests.unit.test_loader.write_course``) and
a cache folder of its own, and compares with a fresh ``load_course``.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_loader import LESSON, write_course
from tutor.course import course_cache
from tutor.course.course_cache import load_course_cached
from tutor.course.loader import load_course
from tutor.course.root import default_course_root


def course_in(root: Path, course: str | None = None) -> Path:
    """A valid small course in the new folder ``root``."""
    root.mkdir()
    return write_course(root) if course is None else write_course(root, course=course)


def kept_file(cache: Path) -> Path:
    """The one cache file in ``cache``."""
    [found] = list(cache.iterdir())
    return found


def test_the_kept_course_is_the_course(tmp_path: Path) -> None:
    root = course_in(tmp_path / "course")
    first = load_course_cached(root, tmp_path / "cache")
    assert kept_file(tmp_path / "cache").is_file()
    again = load_course_cached(root, tmp_path / "cache")
    assert first == again == load_course(root)
    assert again is not first


def test_the_built_in_course_survives_the_cache(tmp_path: Path) -> None:
    root = default_course_root()
    load_course_cached(root, tmp_path)
    assert load_course_cached(root, tmp_path) == load_course(root)


def test_a_second_start_does_not_read_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = course_in(tmp_path / "course")
    load_course_cached(root, tmp_path / "cache")

    def unread(*args: object, **kwargs: object) -> None:
        raise AssertionError("the course was read from its files again")

    monkeypatch.setattr("tutor.course.loader.load_course", unread)
    assert load_course_cached(root, tmp_path / "cache").entries[0].id == "one"


def test_a_changed_lesson_is_read_again(tmp_path: Path) -> None:
    root = course_in(tmp_path / "course")
    load_course_cached(root, tmp_path / "cache")
    prose = root / "01-one" / "en.md"
    stat = prose.stat()
    # Same size, same modification time: only the inode and change time say it changed.
    prose.write_text(prose.read_text(encoding="utf-8").replace("Use", "Run"), encoding="utf-8")
    os.utime(prose, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    lesson = load_course_cached(root, tmp_path / "cache").entries[0].lesson
    assert lesson is not None
    assert "Run {image}" in lesson.prose["en"]


def test_a_lesson_broken_after_caching_shows_its_problem(tmp_path: Path) -> None:
    root = course_in(tmp_path / "course")
    load_course_cached(root, tmp_path / "cache")
    (root / "01-one" / "lesson.toml").write_text(LESSON.replace('id = "one"', 'id = "two"', 1))
    entry = load_course_cached(root, tmp_path / "cache").entries[0]
    assert entry.lesson is None
    assert "lesson.id is 'two'" in entry.problems[0].message


def test_a_new_file_in_the_course_is_seen(tmp_path: Path) -> None:
    root = course_in(tmp_path / "course")
    load_course_cached(root, tmp_path / "cache")
    (root / "01-one" / "lesson.toml").unlink()
    entry = load_course_cached(root, tmp_path / "cache").entries[0]
    assert entry.lesson is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00" * 64,
        b"not a pickle at all\n",
        pickle.dumps(("key", "not a course")),
        pickle.dumps(["a", "list", "of", "three"]),
        pickle.dumps((None, None))[:-3],  # cut short
        b"\x80\x05\x95\xff\xff\xff\xff",  # a frame longer than the file
        b"ctutor.course.model\nNoSuchClass\n.",  # a class this tutor does not have
    ],
)
def test_a_damaged_cache_is_rebuilt_silently(tmp_path: Path, content: bytes) -> None:
    root = course_in(tmp_path / "course")
    load_course_cached(root, tmp_path / "cache")
    kept = kept_file(tmp_path / "cache")
    kept.write_bytes(content)
    assert load_course_cached(root, tmp_path / "cache") == load_course(root)
    assert kept.read_bytes() != content  # written again, good this time
    assert load_course_cached(root, tmp_path / "cache") == load_course(root)


@pytest.mark.parametrize("kind", ["directory", "symlink loop", "100 MB", "unreadable"])
def test_a_cache_file_that_is_no_file_is_survived(tmp_path: Path, kind: str) -> None:
    root = course_in(tmp_path / "course")
    load_course_cached(root, tmp_path / "cache")
    kept = kept_file(tmp_path / "cache")
    kept.unlink()
    if kind == "directory":
        kept.mkdir()
    elif kind == "symlink loop":
        kept.symlink_to(kept)
    elif kind == "100 MB":
        with kept.open("wb") as file:
            file.truncate(100 << 20)  # sparse: quick to make, 100 MB to read
    else:
        kept.write_bytes(b"unreadable")
        kept.chmod(0)
    assert load_course_cached(root, tmp_path / "cache") == load_course(root)
    assert load_course_cached(root, tmp_path / "cache") == load_course(root)
    if kind in ("100 MB", "symlink loop"):  # a file can take its place: written again
        assert kept.stat().st_size < course_cache.MAX_BYTES


def test_another_courses_cache_under_this_name_is_not_taken(tmp_path: Path) -> None:
    root = course_in(tmp_path / "course")
    text = (root / "course.toml").read_text(encoding="utf-8").replace('"Mini"', '"Other"')
    other = course_in(tmp_path / "other", text)
    load_course_cached(other, tmp_path / "other-cache")
    load_course_cached(root, tmp_path / "cache")
    kept_file(tmp_path / "cache").write_bytes(kept_file(tmp_path / "other-cache").read_bytes())
    assert load_course_cached(root, tmp_path / "cache").title["en"] == "Mini"


def test_a_cache_folder_that_cannot_be_written_only_costs_speed(tmp_path: Path) -> None:
    root = course_in(tmp_path / "course")
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert load_course_cached(root, blocked / "cache") == load_course(root)


def test_the_start_does_not_import_the_course_reader(tmp_path: Path) -> None:
    """With the course kept, starting imports neither the loader nor its TOML positions."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tutor.course.course_cache import load_course_cached\n"
        "from tutor.course.root import default_course_root\n"
        f"load_course_cached(default_course_root(), Path({str(tmp_path)!r}))\n"
        "print(','.join(sorted(m for m in sys.modules if m in "
        "('tutor.course.loader', 'tutor.course.tomldoc', 'tutor.course.steps'))))\n"
    )
    run = [sys.executable, "-c", code]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "tutor.course.loader,tutor.course.steps,tutor.course.tomldoc"
    second = subprocess.run(run, capture_output=True, text=True, check=True)
    assert second.stdout.strip() == ""


def test_the_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert course_cache.default_cache_dir() == Path("/somewhere/cache/layers-tutor/course")
